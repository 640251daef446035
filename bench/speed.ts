/**
 * Simulation speed against PyTorch, measured side by side in one run (issue "Simulation speed"):
 *
 *   1. The MLP 784-256-256-256-10 (T = 4, SEI shortcuts), default compile, `bwsnn run --input X.npy`
 *      timed as a whole process over 20,000 inferences with default options, against PyTorch CPU
 *      float inference of the same network at batch 256 (bench/peers/torch_peer.py). Target >= 2x.
 *   2. Conv: the fashion-conv zoo model and the larger conv BWSNN of bench/conv.ts, default compile
 *      on the smallest shipped chip preset that holds them. Target >= 1x PyTorch at batch 256.
 *   3. A ResNet-18-sized graph compiled as a whole process (`bwsnn compile`). Target < 2 s.
 *
 * The peer loads the same weights (exported by bench/peers/graph-json.ts) and the same inputs, and
 * its predictions are compared with the float executor's, so both sides compute the same network.
 * PyTorch comes from Debian (`apt-get install python3-torch`); without it the section says so and
 * prints bwsnn's side alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { coreCount } from '../isa/chip.js';
import { CHIP_PRESETS } from '../isa/presets.js';
import { loadDataset } from '../models/data/index.js';
import { encodePixels } from '../models/data/inputs.js';
import { writeNpy } from '../models/data/npy.js';
import { runFloat } from '../models/float-exec.js';
import { loadModel, saveModel } from '../models/format.js';
import type { Graph, InputNode } from '../models/graph.js';
import { sizeOf } from '../models/validate.js';
import { convGraph } from './conv.js';
import { mlpGraph } from './mlp.js';
import { graphToPeerJson } from './peers/graph-json.js';
import { resnet18Graph } from './resnet18.js';

export interface Timing {
  runs: number;
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
}

export interface SpeedRow {
  model: string;
  chip: string;
  cores: number;
  inferences: number;
  /** `bwsnn run --input X.npy` as a whole process, default options. */
  bwsnn: Timing & { perSecond: number };
  /**
   * The same command with `--limit 1` (start-up, reading the inputs, starting the workers, one
   * inference), timed in the same run: the fixed cost of a whole process.
   */
  fixed: Timing;
  /** (inferences - 1) / (median whole-process seconds - median fixed seconds): the rate after start-up. */
  afterStartPerSecond: number;
  /**
   * What the target leaves, from PyTorch's rate of this run: the whole-process seconds it allows
   * (inferences / (target x PyTorch inf/s)), and the CPU microseconds per inference that leaves on
   * this machine's threads after the measured fixed cost (negative: the fixed cost alone is over).
   */
  budget: { wallSeconds: number; threads: number; cpuMicrosPerInference: number } | null;
  /** PyTorch float at batch 256, inference only (after a warm-up batch); null without torch. */
  pytorch: {
    perSecond: number;
    seconds: number;
    batch: number;
    threads: number;
    version: string;
    blas: string[];
    agreementWithFloatExecutor: number;
    /** The peer as a whole process (Python start-up, `import torch`, reading the inputs, warm-up batch): median seconds. */
    wholeProcessSeconds: number;
  } | null;
  /** bwsnn inferences/s (whole process) over PyTorch inferences/s (inference only): the target's ratio. */
  ratio: number | null;
  /** Both sides as whole processes: PyTorch's whole-process seconds over bwsnn's. */
  ratioWholeProcess: number | null;
  target: number;
  met: boolean | null;
}

export interface CompileRow {
  model: string;
  chip: string;
  /** `bwsnn compile` as a whole process, default options (includes the measured-cycles simulation). */
  compile: Timing;
  /** The same with --no-measure. */
  compileNoMeasure: Timing;
  target: number;
  met: boolean;
}

export interface SpeedResults {
  torch: string | null;
  rows: SpeedRow[];
  /** Cases that could not be measured (e.g. a model no shipped chip holds), with the reason. */
  failed: { model: string; error: string }[];
  compile: CompileRow | null;
}

/** A python3 that can import torch (PATH first, then Debian's), or null. */
export function torchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

/**
 * What a target of `target` x the peer's rate leaves to a whole process over n inferences: the wall
 * seconds it allows, and the CPU microseconds per inference left on `threads` threads after a
 * fixed cost of `fixedSeconds` (negative when the fixed cost alone is over).
 */
export function targetBudget(n: number, target: number, peerPerSecond: number, fixedSeconds: number, threads: number): { wallSeconds: number; threads: number; cpuMicrosPerInference: number } {
  const wallSeconds = n / (target * peerPerSecond);
  return { wallSeconds, threads, cpuMicrosPerInference: ((wallSeconds - fixedSeconds) * threads * 1e6) / n };
}

function median(x: number[]): number {
  const s = [...x].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function timeCommand(cmd: string, args: string[], runs: number): Timing {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
    const s = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    t.push(s);
  }
  return { runs, medianSeconds: median(t), minSeconds: Math.min(...t), maxSeconds: Math.max(...t) };
}

function inputShape(g: Graph): number[] {
  return (g.nodes.find((n) => n.op === 'input') as InputNode).shape;
}

/** n samples of a data set's pixels, in the model's encoding, cycling through the data set. */
function inputs(g: Graph, pixels: Float32Array, count: number, n: number): Float32Array {
  const size = sizeOf(inputShape(g));
  const enc = encodePixels(pixels, (g.nodes.find((x) => x.op === 'input') as InputNode).encoding);
  const out = new Float32Array(n * size);
  for (let i = 0; i < n; i++) out.set(enc.subarray((i % count) * size, ((i % count) + 1) * size), i * size);
  return out;
}

interface Case {
  graph: Graph;
  data: Float32Array;
  n: number;
  target: number;
}

export async function speedBench(opts: { cli: string; runs: number; mlpN: number; convN: number; log: (s: string) => void }): Promise<SpeedResults> {
  const { cli, runs, log } = opts;
  const dir = mkdtempSync(join(tmpdir(), 'bwsnn-speed-'));
  const py = torchPython();
  const peer = join(dirname(cli), '..', '..', 'bench', 'peers', 'torch_peer.py');
  log(py ? `PyTorch peer: ${py} (${spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim()})` : 'PyTorch not found (apt-get install python3-torch): bwsnn side only');
  const results: SpeedResults = { torch: py, rows: [], failed: [], compile: null };
  try {
    const mnistTest = loadDataset('mnist', 'test');
    const mnistTrain = loadDataset('mnist', 'train');
    const mnistAll = new Float32Array(mnistTest.inputs.length + mnistTrain.inputs.length);
    mnistAll.set(mnistTest.inputs);
    mnistAll.set(mnistTrain.inputs, mnistTest.inputs.length);
    const fashion = loadDataset('fashion-mnist', 'test');
    const mlp = mlpGraph([784, 256, 256, 256, 10], 4, 7, true);
    const cases: Case[] = [{ graph: mlp, data: inputs(mlp, mnistAll, mnistTest.count + mnistTrain.count, opts.mlpN), n: opts.mlpN, target: 2 }];
    const zoo = join(dirname(cli), '..', '..', 'models', 'zoo', 'fashion-conv.bwsnn');
    const fc = loadModel(zoo);
    cases.push({ graph: fc, data: inputs(fc, fashion.inputs, fashion.count, opts.convN), n: opts.convN, target: 1 });
    const big = convGraph();
    // Raw uint8 pixels: the stem is multibit:8 (encodePixels maps [0,1] to 0..255).
    cases.push({ graph: big, data: inputs(big, fashion.inputs, fashion.count, opts.convN), n: opts.convN, target: 1 });
    for (const c of cases) {
      try {
        results.rows.push(await speedCase(c, { cli, runs, dir, py, peer, log }));
      } catch (e) {
        results.failed.push({ model: c.graph.name, error: (e as Error).message });
      }
    }
    try {
      results.compile = compileCase({ cli, runs, dir, log });
    } catch (e) {
      results.failed.push({ model: 'resnet18 compile', error: (e as Error).message });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** Shipped chip presets, smallest first. */
function presetsBySize(): string[] {
  return Object.keys(CHIP_PRESETS).sort((a, b) => coreCount(CHIP_PRESETS[a]!) - coreCount(CHIP_PRESETS[b]!));
}

/** Compile with the default options onto the smallest preset that holds the model. */
function compileSmallest(cli: string, model: string, out: string): { chip: string; cores: number } {
  const errors: string[] = [];
  for (const chip of presetsBySize()) {
    const r = spawnSync('node', [cli, 'compile', model, '-o', out, '--chip', chip, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status === 0) {
      const rep = JSON.parse(r.stdout) as { cores?: unknown[] };
      return { chip, cores: Array.isArray(rep.cores) ? rep.cores.length : coreCount(CHIP_PRESETS[chip]!) };
    }
    errors.push(`${chip}: ${r.stderr.trim().split('\n')[0]}`);
  }
  throw new Error(`${model} fits no shipped chip preset: ${errors.join('; ')}`);
}

async function speedCase(c: Case, ctx: { cli: string; runs: number; dir: string; py: string | null; peer: string; log: (s: string) => void }): Promise<SpeedRow> {
  const { cli, runs, dir, py, peer, log } = ctx;
  const g = c.graph;
  const model = join(dir, `${g.name}.bwsnn`);
  const bin = join(dir, `${g.name}.bwc`);
  const xs = join(dir, `${g.name}-x.npy`);
  saveModel(model, g);
  const { chip, cores } = compileSmallest(cli, model, bin);
  writeFileSync(xs, writeNpy({ dtype: 'f4', shape: [c.n, ...inputShape(g)], data: c.data }));
  log(`  ${g.name}: compiled onto ${chip} (${cores} cores); timing bwsnn run over ${c.n} inferences x ${runs} ...`);
  const t = timeCommand('node', [cli, 'run', bin, '--input', xs], runs);
  const fixed = timeCommand('node', [cli, 'run', bin, '--input', xs, '--limit', '1'], runs);
  const row: SpeedRow = {
    model: g.name,
    chip,
    cores,
    inferences: c.n,
    bwsnn: { ...t, perSecond: c.n / t.medianSeconds },
    fixed,
    afterStartPerSecond: (c.n - 1) / Math.max(1e-9, t.medianSeconds - fixed.medianSeconds),
    budget: null,
    pytorch: null,
    ratio: null,
    ratioWholeProcess: null,
    target: c.target,
    met: null,
  };
  if (py) {
    const gj = join(dir, `${g.name}.json`);
    writeFileSync(gj, graphToPeerJson(g));
    const per: { perSecond: number; seconds: number; batch: number; threads: number; torch: string; blas: string[]; predictions: number[] }[] = [];
    const whole: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = spawnSync(py, [peer, gj, xs, '--batch', '256'], { encoding: 'utf8', maxBuffer: 1 << 28 });
      whole.push((performance.now() - t0) / 1000);
      if (r.status !== 0) throw new Error(`PyTorch peer failed on ${g.name}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      per.push(JSON.parse(r.stdout));
    }
    per.sort((a, b) => a.perSecond - b.perSecond);
    const med = per[Math.floor(per.length / 2)]!;
    // Both sides compute the same network: the peer's predictions against the float executor's.
    const size = sizeOf(inputShape(g));
    const check = Math.min(c.n, 500);
    let same = 0;
    for (let i = 0; i < check; i++) if (runFloat(g, c.data.subarray(i * size, (i + 1) * size)).prediction === med.predictions[i]) same++;
    row.pytorch = { perSecond: med.perSecond, seconds: med.seconds, batch: med.batch, threads: med.threads, version: med.torch, blas: med.blas, agreementWithFloatExecutor: same / check, wholeProcessSeconds: median(whole) };
    row.ratioWholeProcess = row.pytorch.wholeProcessSeconds / t.medianSeconds;
    row.ratio = row.bwsnn.perSecond / med.perSecond;
    row.budget = targetBudget(c.n, c.target, med.perSecond, fixed.medianSeconds, availableParallelism());
    row.met = row.ratio >= c.target;
  }
  return row;
}

function compileCase(ctx: { cli: string; runs: number; dir: string; log: (s: string) => void }): CompileRow {
  const { cli, runs, dir, log } = ctx;
  const g = resnet18Graph();
  const model = join(dir, 'resnet18.bwsnn');
  saveModel(model, g);
  const { chip } = compileSmallest(cli, model, join(dir, 'resnet18.bwc'));
  log(`  ${g.name}: timing bwsnn compile onto ${chip} x ${runs} ...`);
  const compile = timeCommand('node', [cli, 'compile', model, '-o', join(dir, 'r.bwc'), '--chip', chip], runs);
  const compileNoMeasure = timeCommand('node', [cli, 'compile', model, '-o', join(dir, 'r.bwc'), '--chip', chip, '--no-measure'], runs);
  return { model: g.name, chip, compile, compileNoMeasure, target: 2, met: compile.medianSeconds < 2 };
}

export function printSpeed(r: SpeedResults, log: (s: string) => void): void {
  const f = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  log('\nbwsnn run (whole process, default options) vs PyTorch CPU float (batch 256, inference only), same inputs, same machine, same run');
  log('model                     chip            cores  inferences  bwsnn inf/s (median; min..max s)   PyTorch inf/s  threads  ratio  target');
  for (const row of r.rows) {
    const b = `${f(row.bwsnn.perSecond)} (${f(row.bwsnn.minSeconds, 2)}..${f(row.bwsnn.maxSeconds, 2)} s)`;
    const p = row.pytorch ? f(row.pytorch.perSecond) : 'n/a';
    const ratio = row.ratio === null ? 'n/a' : `${f(row.ratio, 2)}x`;
    const met = row.met === null ? '' : row.met ? 'met' : 'NOT met';
    log(`${row.model.padEnd(25)} ${row.chip.padEnd(15)} ${String(row.cores).padStart(5)}  ${String(row.inferences).padStart(10)}  ${b.padEnd(33)}  ${p.padStart(13)}  ${String(row.pytorch?.threads ?? '').padStart(7)}  ${ratio.padStart(5)}  >= ${row.target}x ${met}`);
    log(`  fixed cost (same command, --limit 1): median ${f(row.fixed.medianSeconds, 2)} s; rate after start-up ${f(row.afterStartPerSecond)} inf/s`);
    if (row.budget) log(`  the target allows ${f(row.budget.wallSeconds, 2)} s for the whole process: after the fixed cost ${f(row.budget.cpuMicrosPerInference)} us of CPU per inference on ${row.budget.threads} threads`);
    if (row.pytorch && row.ratioWholeProcess !== null) log(`  both as whole processes (PyTorch's includes Python start-up and import torch): PyTorch ${f(row.pytorch.wholeProcessSeconds, 2)} s, bwsnn ${f(row.bwsnn.medianSeconds, 2)} s: ratio ${f(row.ratioWholeProcess, 2)}x`);
    if (row.pytorch) log(`  peer: torch ${row.pytorch.version}, BLAS ${row.pytorch.blas.join(', ') || 'unknown'}`);
    if (row.pytorch) log(`  peer predictions = float executor's on ${f(row.pytorch.agreementWithFloatExecutor * 100, 1)}% of the first 500 inputs (float32 vs float64)`);
  }
  for (const x of r.failed) log(`${x.model}: NOT measured: ${x.error}`);
  if (r.compile) {
    const c = r.compile;
    log(`\n${c.model}: bwsnn compile onto ${c.chip} as a whole process: median ${f(c.compile.medianSeconds, 2)} s (${f(c.compile.minSeconds, 2)}..${f(c.compile.maxSeconds, 2)}), ${f(c.compileNoMeasure.medianSeconds, 2)} s with --no-measure; target < ${c.target} s: ${c.met ? 'met' : 'NOT met'}`);
  }
}
