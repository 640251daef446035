/**
 * `npm run bench`: simulator throughput and compile time, each beside a baseline measured in the
 * same run on the same machine (these machines are shared and noisy: only ratios measured side by
 * side mean anything). Prints a table and writes bench/results/bench-<date>.json with the machine.
 *
 *   1. Simulator throughput (inferences/s and binary synaptic operations/s) on every zoo model and
 *      on the MLP 784-256-256-256-10, T = 4, with 1 and 2 workers, beside the float executor of
 *      models/ doing the same inferences in one thread.
 *   2. Compile time of a ResNet-18-sized SEI graph, beside one float-executor inference of it.
 *
 *   3. bwsnn against PyTorch (bench/speed.ts): `bwsnn run` as a whole process beside PyTorch CPU float
 *      inference at batch 256 of the same networks on the same inputs (when python3-torch is
 *      installed; otherwise bwsnn's side alone), and a ResNet-18-sized compile as a whole process.
 *
 * Options (environment): BENCH_N (inferences per measurement, default 2000), BENCH_QUICK=1 (fewer
 * inferences, for a smoke run), BENCH_OUT (results file), BENCH_SPEED=0 (skip section 3),
 * BENCH_MLP_N / BENCH_CONV_N / BENCH_RUNS (section 3: inferences and repetitions).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAtomic } from '../base/io.js';
import { compileModel } from '../compiler/index.js';
import { DEFAULT_CHIP, parseChipConfig, type ChipConfig } from '../isa/chip.js';
import type { BwcContainer } from '../isa/container-types.js';
import { loadDataset } from '../models/data/index.js';
import { encodeDataset } from '../models/data/inputs.js';
import { runFloat } from '../models/float-exec.js';
import { foldForChip } from '../compiler/fold-for-chip.js';
import { loadModel } from '../models/format.js';
import type { Graph } from '../models/graph.js';
import { mlpGraph } from './mlp.js';
import { seededRandom } from '../base/random.js';
import { simulate } from '../simulator/index.js';
import { resnet18Graph } from './resnet18.js';
import { energyTarget, formatEnergyTarget } from './energy-target.js';
import { printSpeed, speedBench, type SpeedResults } from './speed.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (bench/run.ts runs from dist/bench/run.js). */
const root = existsSync(join(here, '..', 'package.json')) ? resolve(here, '..') : resolve(here, '..', '..');

interface ThroughputRow {
  model: string;
  timesteps: number;
  inferences: number;
  cores: number;
  accuracy: number | null;
  /** 1 worker runs in this thread: its CPU time per inference does not depend on the machine's load. */
  sim1: { seconds: number; perSecond: number; sopsPerSecond: number; cpuMicrosPerInference: number };
  sim2: { seconds: number; perSecond: number; sopsPerSecond: number };
  float1: { seconds: number; perSecond: number };
  /** sim (2 workers) inferences/s over float executor inferences/s. */
  ratio2VsFloat: number;
  ratio1VsFloat: number;
  cyclesPerInference: number;
  energyPerInferenceJ: number;
  target?: { perSecond: number; met: boolean };
}

function now(): number {
  return performance.now() / 1000;
}

async function throughput(name: string, g: Graph, chip: ChipConfig, data: { count: number; data: Float32Array; labels?: Uint8Array }, n: number, strategy: 'pack' | 'spread', target?: number): Promise<ThroughputRow> {
  const m = foldForChip(g, chip);
  const { container } = compileModel(m, chip, { file: name, strategy });
  const inputs = { count: n, data: data.data.subarray(0, n * (data.data.length / data.count)) };
  const labels = data.labels?.subarray(0, n);
  const run = async (workers: number) => {
    const t0 = now();
    const c0 = process.cpuUsage();
    const r = await simulate(container as BwcContainer, inputs, { workers, file: name });
    const seconds = now() - t0;
    const cpu = process.cpuUsage(c0);
    return { r, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  };
  // Warm up: JIT, and the persistent worker pool is started before the measured runs.
  await run(1);
  await run(2);
  const s1 = await run(1);
  const s2 = await run(2);
  const size = inputs.data.length / n;
  const t0 = now();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const out = runFloat(g, inputs.data.subarray(i * size, (i + 1) * size));
    if (labels && out.prediction === labels[i]) correct++;
  }
  const floatSeconds = now() - t0;
  const simCorrect = labels ? s1.r.inferences.filter((inf, i) => inf.prediction === labels[i]).length : 0;
  const sops = s1.r.counts.sops;
  const row: ThroughputRow = {
    model: `${name} (${strategy})`,
    timesteps: g.timesteps,
    inferences: n,
    cores: container.cores.length,
    accuracy: labels ? simCorrect / n : null,
    sim1: { seconds: s1.seconds, perSecond: n / s1.seconds, sopsPerSecond: (sops * n) / s1.seconds, cpuMicrosPerInference: (1e6 * s1.cpuSeconds) / n },
    sim2: { seconds: s2.seconds, perSecond: n / s2.seconds, sopsPerSecond: (sops * n) / s2.seconds },
    float1: { seconds: floatSeconds, perSecond: n / floatSeconds },
    ratio1VsFloat: floatSeconds / s1.seconds,
    ratio2VsFloat: floatSeconds / s2.seconds,
    cyclesPerInference: s1.r.cycles.mean,
    energyPerInferenceJ: s1.r.energy.total,
  };
  if (target !== undefined) row.target = { perSecond: target, met: row.sim2.perSecond >= target };
  void correct;
  return row;
}

function fmt(x: number, d = 0): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
}

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const N = Number(process.env.BENCH_N ?? (quick ? 500 : 2000));
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()} ${arch()}`,
    node: process.version,
  };
  const loadBefore = loadavg();
  // 3. (first, it is quick) The energy target of issue 13 (bench/energy-target.ts).
  const energy = await energyTarget(root, DEFAULT_CHIP);
  console.log(formatEnergyTarget(energy));
  if (process.env.BENCH_ONLY === 'energy') {
    const out = process.env.BENCH_OUT ?? join(root, 'bench', 'results', `energy-${new Date().toISOString().slice(0, 10)}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeAtomic(out, `${JSON.stringify({ date: new Date().toISOString(), machine, energy }, null, 2)}\n`);
    console.log(`\nwrote ${out}`);
    return;
  }
  console.log(`bwsnn bench: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}; ${N} inferences per measurement`);
  const rows: ThroughputRow[] = [];

  // 1a. The target network on MNIST digits.
  const mnist = loadDataset('mnist', 'test');
  const mlp = mlpGraph([784, 256, 256, 256, 10], 4);
  const mlpN = Math.min(N, mnist.count);
  const mlpIn = encodeDataset(mnist, mlp);
  for (const strategy of ['pack', 'spread'] as const) {
    rows.push(await throughput(mlp.name, mlp, DEFAULT_CHIP, { count: mlpIn.count, data: mlpIn.data }, mlpN, strategy, 10_000));
  }

  // 1b. Every zoo model on its test split.
  const zooDir = join(root, 'models', 'zoo');
  const zoo = existsSync(zooDir) ? readdirSync(zooDir).filter((f) => f.endsWith('.bwsnn')).sort() : [];
  for (const f of zoo) {
    const g = loadModel(join(zooDir, f));
    const dsName = g.nodes.some((nd) => nd.op === 'input' && nd.encoding.kind === 'multibit') || /fashion/.test(f) ? 'fashion-mnist' : 'mnist';
    const ds = loadDataset(dsName, 'test');
    const enc = encodeDataset(ds, g);
    const n = Math.min(N, ds.count);
    for (const strategy of ['pack', 'spread'] as const) {
      rows.push(await throughput(basename(f, '.bwsnn'), g, DEFAULT_CHIP, { count: enc.count, data: enc.data, labels: ds.labels }, n, strategy));
    }
  }

  console.log('\nSimulator throughput (cycle-accurate, with energy accounting) vs the float executor (1 thread), same inferences');
  console.log('model                                  T  cores  sim 1w inf/s  CPU us/inf  sim 2w inf/s  float inf/s  2w/float  bin. SOP/s (2w)  cycles/inf  energy/inf');
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(37)} ${String(r.timesteps).padStart(2)}  ${String(r.cores).padStart(5)}  ${fmt(r.sim1.perSecond).padStart(12)}  ${fmt(r.sim1.cpuMicrosPerInference).padStart(10)}  ${fmt(r.sim2.perSecond).padStart(12)}  ${fmt(r.float1.perSecond).padStart(11)}  ${fmt(r.ratio2VsFloat, 1).padStart(7)}x  ${r.sim2.sopsPerSecond.toExponential(2).padStart(15)}  ${fmt(r.cyclesPerInference).padStart(10)}  ${(r.energyPerInferenceJ * 1e9).toFixed(2).padStart(7)} nJ` +
        (r.target ? `   target ${fmt(r.target.perSecond)} inf/s with 2 workers: ${r.target.met ? 'met' : 'NOT met'}` : ''),
    );
  }

  // 2. Compile time of a ResNet-18-sized graph.
  const r18 = resnet18Graph();
  const bigChip = parseChipConfig({ ...DEFAULT_CHIP, name: 'bw-core-32x32', meshX: 32, meshY: 32 }, 'bench chip');
  let t0 = now();
  const r18m = foldForChip(r18, bigChip);
  const foldSeconds = now() - t0;
  t0 = now();
  const compiled = compileModel(r18m, bigChip, { file: r18.name });
  const compileSeconds = now() - t0;
  const x = new Float32Array(3 * 32 * 32);
  const rnd = seededRandom(1);
  for (let i = 0; i < x.length; i++) x[i] = Math.floor(rnd() * 256);
  t0 = now();
  runFloat(r18, x);
  const floatInference = now() - t0;
  const compile = {
    model: r18.name,
    nodes: r18.nodes.length,
    chip: bigChip.name,
    coresUsed: compiled.container.cores.length,
    foldSeconds,
    compileSeconds,
    floatInferenceSeconds: floatInference,
    ratioCompileVsFloatInference: compileSeconds / floatInference,
  };
  console.log(`\nCompile time of ${r18.name} (${compile.nodes} nodes) onto ${bigChip.name}: fold ${fmt(foldSeconds * 1000)} ms, compile ${fmt(compileSeconds * 1000)} ms (${compile.coresUsed} cores); one float-executor inference of the same graph: ${fmt(floatInference * 1000)} ms; ratio compile / inference = ${compile.ratioCompileVsFloatInference.toFixed(2)}`);

  // 3. Against PyTorch, whole processes.
  let speed: SpeedResults | null = null;
  if (process.env.BENCH_SPEED !== '0') {
    console.log('\nbwsnn vs PyTorch (whole processes) ...');
    speed = await speedBench({
      cli: join(here, '..', 'cli', 'main.js'),
      runs: Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3)),
      mlpN: Number(process.env.BENCH_MLP_N ?? (quick ? 2000 : 20000)),
      convN: Number(process.env.BENCH_CONV_N ?? (quick ? 100 : 1000)),
      log: (s) => console.log(s),
    });
    printSpeed(speed, (s) => console.log(s));
  }

  const out = process.env.BENCH_OUT ?? join(root, 'bench', 'results', `bench-${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const loadAfter = loadavg();
  console.log(`load average (1, 5, 15 min): before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')} (2 workers only beat 1 when a second CPU is free)`);
  writeAtomic(out, `${JSON.stringify({ date: new Date().toISOString(), machine, energy, load: { before: loadBefore, after: loadAfter }, inferencesPerMeasurement: N, throughput: rows, compile, speed }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
});
