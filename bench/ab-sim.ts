/**
 * Two builds of the simulator side by side in one process (the way the speed changes of issue 17
 * are measured on this shared machine): rounds alternate old and new, each simulating the same
 * binary on the same inputs in this thread with per-layer attribution (as `bwsnn run` does), and
 * print the CPU time per inference of every round and the ratio of the medians (new / old). The
 * first round of each build warms its JIT and does not count in the medians: give several rounds.
 *
 *   npm run build && node dist/bench/ab-sim.js OLD_DIST NEW_DIST BINARY.bwc INPUTS.npy [N] [ROUNDS]
 *
 * OLD_DIST and NEW_DIST are `dist/` directories of two checkouts (copy one aside before a change).
 * The inputs are used in the binary's input shape, cycling through the file when N exceeds it. Both
 * builds' results are compared too (predictions, cycles, energy): a difference is reported, since a
 * speed change must not change what is simulated.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Build {
  readContainer: (bytes: Uint8Array, file: string) => { meta: { inputShape: number[] } };
  simulateSync: (c: unknown, inputs: { count: number; data: Float32Array }, opts: { perLayer: boolean; workers: number }) => SimOutcome;
  readNpy: (bytes: Uint8Array, file: string) => { data: ArrayLike<number> };
}

interface SimOutcome {
  inferences: { prediction: number; cycles: number }[];
  energy: { total: number };
}

async function load(dist: string): Promise<Build> {
  const url = (p: string): string => pathToFileURL(resolve(dist, p)).href;
  const isa = (await import(url('isa/container.js'))) as Pick<Build, 'readContainer'>;
  const sim = (await import(url('simulator/simulate.js'))) as Pick<Build, 'simulateSync'>;
  const npy = (await import(url('models/data/npy.js'))) as Pick<Build, 'readNpy'>;
  return { readContainer: isa.readContainer, simulateSync: sim.simulateSync, readNpy: npy.readNpy };
}

function median(x: number[]): number {
  const s = [...x].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

async function main(): Promise<void> {
  const [oldDist, newDist, file, npyFile, nArg, roundsArg] = process.argv.slice(2);
  if (!oldDist || !newDist || !file || !npyFile) {
    console.error('usage: node dist/bench/ab-sim.js OLD_DIST NEW_DIST BINARY.bwc INPUTS.npy [N] [ROUNDS]');
    process.exit(2);
  }
  const n = Number(nArg ?? 500);
  const rounds = Number(roundsArg ?? 6);
  const builds = { old: await load(oldDist), new: await load(newDist) };
  const bytes = new Uint8Array(readFileSync(file));
  const src = builds.new.readNpy(new Uint8Array(readFileSync(npyFile)), npyFile).data;
  const size = builds.new.readContainer(bytes, file).meta.inputShape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n * size }, (_, i) => src[i % src.length] as number);
  const us: Record<'old' | 'new', number[]> = { old: [], new: [] };
  const outcome: Partial<Record<'old' | 'new', string>> = {};
  for (let r = 0; r < rounds; r++) {
    for (const k of ['old', 'new'] as const) {
      const b = builds[k];
      const c = b.readContainer(bytes, file);
      const u0 = process.cpuUsage();
      const res = b.simulateSync(c, { count: n, data }, { perLayer: true, workers: 1 });
      const u = process.cpuUsage(u0);
      us[k].push(Math.round((u.user + u.system) / n));
      outcome[k] = JSON.stringify([res.inferences.map((i) => [i.prediction, i.cycles]), res.energy.total]);
    }
  }
  console.log(`${file}, ${n} inferences per round, CPU us per inference (per-layer attribution, 1 thread)`);
  console.log(`  old ${us.old.join(' ')}`);
  console.log(`  new ${us.new.join(' ')}`);
  if (rounds > 1) console.log(`  new / old (medians of rounds 2..${rounds}): ${(median(us.new.slice(1)) / median(us.old.slice(1))).toFixed(3)}`);
  if (outcome.old !== outcome.new) {
    console.log('  RESULTS DIFFER between the builds (predictions, cycles or energy)');
    process.exitCode = 1;
  }
}

await main();
