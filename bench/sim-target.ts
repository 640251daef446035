/**
 * The speed target, measured in CPU time (the machine is shared: wall time is noisy):
 * the MLP BWSNN 784-256-256-256-10, T = 4, built as bench/run.ts builds it (seeded random binary
 * weights, compiled by the real compiler onto the default chip), simulated cycle-accurately with
 * energy accounting on MNIST test digits.
 *
 *   npm run build && [SIM_STRATEGY=pack] node dist/bench/sim-target.js [N] [workers...]
 *
 * Prints per measurement: inferences, wall seconds, process CPU seconds (all threads), inferences
 * per wall second and per CPU second, and the load average.
 */
import os from 'node:os';
import { compileModel } from '../compiler/index.js';
import { DEFAULT_CHIP } from '../isa/chip.js';
import type { BwcContainer } from '../isa/container-types.js';
import { loadDataset } from '../models/data/index.js';
import { encodeDataset } from '../models/data/inputs.js';
import { foldForChip } from '../compiler/fold-for-chip.js';
import { mlpGraph } from './mlp.js';
import { simulate, simulateSync } from '../simulator/simulate.js';

/** The same graph as bench/run.ts measures. */
export const targetMlpGraph = mlpGraph;

export function targetSetup(n: number): { container: BwcContainer; inputs: { count: number; data: Float32Array } } {
  const g = targetMlpGraph([784, 256, 256, 256, 10], 4);
  const chip = DEFAULT_CHIP;
  const m = foldForChip(g, chip);
  // SIM_STRATEGY picks the compiler's mapping strategy (e.g. pack: the whole MLP on one core);
  // unset: the compiler's default.
  const strategy = process.env.SIM_STRATEGY;
  const opts = (strategy ? { file: g.name, strategy } : { file: g.name }) as Parameters<typeof compileModel>[2];
  const { container } = compileModel(m, chip, opts);
  const mnist = loadDataset('mnist', 'test');
  const enc = encodeDataset(mnist, g);
  const size = enc.data.length / enc.count;
  const data = new Float32Array(n * size);
  for (let i = 0; i < n; i++) data.set(enc.data.subarray((i % enc.count) * size, ((i % enc.count) + 1) * size), i * size);
  return { container, inputs: { count: n, data } };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 4000);
  const ws = process.argv.slice(3).map(Number);
  const { container, inputs } = targetSetup(n);
  console.log(`mlp 784-256-256-256-10 T=4 on ${container.cores.length} core(s); ${n} inferences per measurement`);
  simulateSync(container, { count: Math.min(n, 500), data: inputs.data.subarray(0, Math.min(n, 500) * 784) });
  for (const workers of ws.length ? ws : [1, 1, 2]) {
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    const r = await simulate(container, inputs, { workers });
    const wall = (performance.now() - t0) / 1000;
    const u = process.cpuUsage(u0);
    const cpu = (u.user + u.system) / 1e6;
    console.log(
      `workers ${workers}: wall ${wall.toFixed(3)} s = ${(n / wall).toFixed(0)} inf/s; CPU ${cpu.toFixed(3)} s = ${(n / cpu).toFixed(0)} inf per CPU-s ` +
        `(${((cpu / n) * 1e6).toFixed(1)} us/inf); mean ${r.cycles.mean.toFixed(1)} cycles, ${(r.energy.total * 1e9).toFixed(3)} nJ; load ${os.loadavg()[0]!.toFixed(2)}`,
    );
  }
}

if (process.argv[1] && /sim-target\.(js|ts)$/.test(process.argv[1])) void main();
