/**
 * Simulator throughput: the MLP 784-256-256-256-10 at T = 4, simulated cycle-accurately with
 * energy accounting, on 1 and 2 worker threads. Run: npm run build && node dist/bench/sim-mlp.js [N]
 */
import os from 'node:os';
import { simulate } from '../simulator/simulate.js';
import { buildMlpContainer, randomInputs } from '../testing/mlp-container.js';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 20000);
  const c = buildMlpContainer({ sizes: [784, 256, 256, 256, 10], timesteps: 4, seed: 1 });
  const data = randomInputs(n, 784);
  const inputs = { count: n, data };
  for (const workers of [1, 2]) {
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    const r = await simulate(c, inputs, { workers });
    const dt = (performance.now() - t0) / 1000;
    const u = process.cpuUsage(u0);
    const cpu = (u.user + u.system) / 1e6;
    console.log(
      `sim-mlp 784-256-256-256-10 T=4: ${n} inferences, ${workers} worker(s): ${(n / dt).toFixed(0)} inferences/s ` +
        `(${dt.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU = ${(n / cpu).toFixed(0)} inferences per CPU-second; mean ${r.cycles.mean.toFixed(1)} cycles, ${(r.energy.total * 1e9).toFixed(2)} nJ per inference)`,
    );
  }
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
}

void main();
