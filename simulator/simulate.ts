/**
 * The simulator's library API: simulate(container, inputs, options) -> SimResult.
 * `simulateSync` runs in this thread; `simulate` spreads the samples over a worker-thread pool
 * (options.workers) and gives exactly the same result whatever the number of workers.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CHIP_FIELDS, chipConfigEquals, type ChipConfig, type ChipField } from '../isa/chip.js';
import { chipDisplayName } from '../isa/presets.js';
import type { BwcContainer } from '../isa/container-types.js';
import { BwsnnError } from '../base/errors.js';
import { ENERGY_EVENTS, type EnergyEvent } from '../isa/table.js';
import { runChunk, type ChunkOptions, type ChunkResult } from './chunk.js';
import { EVENT_COUNT } from './engine.js';
import { energyBreakdown, type EnergyBreakdown } from './energy/breakdown.js';
import { defaultEnergyTable, resolveEnergyTable, type EnergyTable } from './energy/table.js';
import { checkInputs, type SimInputs } from './input.js';
import { loadBinary, type LoadedBinary } from './load.js';
import { layerAttribution } from './attribution.js';
import { ACTIVITY_COUNT, activityCounts, type ActivityCounts } from './energy/activity.js';
import type { NeuronRange, TraceData } from './trace.js';
import { cycles, cyclesToSeconds, joules, type Cycles, type Joules, type Seconds } from './units.js';

export type { SimInputs } from './input.js';

export interface SimOptions {
  /** Name of the binary in error messages. */
  file?: string;
  /** Name of the input data in error messages. */
  inputName?: string;
  /** Record per-layer spike trains of every inference (differential tests). */
  probes?: boolean;
  /** Worker threads (default 1: run in this thread). */
  workers?: number;
  /** Energy table (default: the 45 nm preset). */
  energy?: EnergyTable;
  /** Trace one inference (VCD / Chrome trace data in the result). */
  trace?: { sample?: number; neurons?: NeuronRange[] };
  /** Abort a time step longer than this many cycles (default 1e9). */
  maxStepCycles?: number;
  /** Abort an inference past this many cycles (default: the binary's, simulator/bounds.ts). */
  maxCycles?: number;
  /** Memory budget of one simulation thread in bytes (default 2 GiB, simulator/bounds.ts). */
  maxMemory?: number;
  /** Refuse a binary built for another chip than this one (field by field). */
  chip?: ChipConfig;
  /** Attribute every energy event to a layer (SimResult.perLayer). */
  perLayer?: boolean;
}

/** One entry of SimResult.perLayer: means per inference. */
export interface LayerShare {
  /** A probed layer, "input" (host input flits) or "control/other". */
  layer: string;
  events: Record<EnergyEvent, number>;
  /** Dynamic energy of those events (leakage is not split; see SimResult.perLayer). */
  energy: Joules;
}

export interface Inference {
  prediction: number;
  readout: Int32Array;
  cycles: Cycles;
  stepCycles: Int32Array;
  latency: Seconds;
  energy: Joules;
  /** Chip-total event counts of this inference. */
  events: Record<EnergyEvent, number>;
  /** Synaptic operations (input spike bits x synapses accumulated). */
  sops: number;
  /** Busy and stall cycles of every mesh core (index = core). */
  busy: Float64Array;
  stall: Float64Array;
  spikes?: Record<string, Uint8Array>;
}

export interface Stat<U> {
  mean: U;
  min: U;
  max: U;
}

export interface CoreSummary {
  core: number;
  /** Mean per inference. */
  busy: number;
  stall: number;
  /** Mean busy / (busy + stall). */
  utilisation: number;
  events: Record<EnergyEvent, number>;
  energy: Joules;
}

export interface SimResult {
  binary: string;
  chip: string;
  model: string;
  timesteps: number;
  count: number;
  correct?: number;
  accuracy?: number;
  inferences: Inference[];
  cycles: Stat<Cycles>;
  latency: Stat<Seconds>;
  /** Mean cycles of each time step over the inferences. */
  stepCycles: number[];
  /** Per core of the mesh (cores with a program), means per inference. */
  cores: CoreSummary[];
  /** Event counts summed over all inferences. */
  eventsTotal: Record<EnergyEvent, number>;
  /** Mean event counts per inference. */
  eventsPerInference: Record<EnergyEvent, number>;
  /** Mean per inference: synaptic operations, spikes, flits (injected), hops. */
  counts: { sops: number; spikes: number; flits: number; hops: number };
  /** Activity in the units other chips count in (spikes, synaptic events, messages, hops), per inference. */
  activity: ActivityCounts;
  energyTable: string;
  /** Mean energy per inference, by component and event (counts x table + leakage x time). */
  energy: EnergyBreakdown;
  energyStat: Stat<Joules>;
  trace?: TraceData;
  /**
   * With SimOptions.perLayer: every energy event attributed to one layer (simulator/attribution.ts),
   * means per inference. The entries' energies plus energy.byComponent.leakage sum to energy.total.
   */
  perLayer?: LayerShare[];
}

function prepare(container: BwcContainer, inputs: SimInputs, opts: SimOptions): { bin: LoadedBinary; chunk: ChunkOptions } {
  const file = opts.file ?? '<container>';
  if (opts.chip && !chipConfigEquals(opts.chip, container.chip)) {
    const diff = (Object.keys(CHIP_FIELDS) as ChipField[]).filter((k) => opts.chip![k] !== container.chip[k]);
    throw new BwsnnError(
      `${file}: built for chip ${container.chip.name}, not for the requested chip ${opts.chip.name}` +
        (diff.length ? ` (${diff.map((k) => `${k}: ${container.chip[k]} vs ${opts.chip![k]}`).join(', ')})` : ''),
    );
  }
  const bin = loadCached(container, file, { maxMemory: opts.maxMemory, maxCycles: opts.maxCycles });
  checkInputs(bin, inputs, opts.inputName ?? 'input data');
  // Size-dependent entries are evaluated for the chip this binary was built for.
  const energy = resolveEnergyTable(opts.energy ?? defaultEnergyTable(), container.chip);
  const chunk: ChunkOptions = {
    probes: opts.probes,
    maxStepCycles: opts.maxStepCycles,
    maxCycles: opts.maxCycles,
    maxMemory: opts.maxMemory,
    energy,
    traceSample: opts.trace ? (opts.trace.sample ?? 0) : undefined,
    traceNeurons: opts.trace?.neurons,
    perLayer: opts.perLayer,
  };
  if (opts.trace) {
    const s = chunk.traceSample as number;
    if (!Number.isInteger(s) || s < 0 || s >= inputs.count) throw new BwsnnError(`trace sample ${s} is outside 0..${inputs.count - 1}`, 2);
  }
  return { bin, chunk };
}

/** The last few binaries loaded in this thread, by content fingerprint and file name (repeated simulate() calls on one binary load it once). */
const loaded = new Map<string, LoadedBinary>();

function loadCached(container: BwcContainer, file: string, budgets: { maxMemory?: number; maxCycles?: number }): LoadedBinary {
  const key = `${fingerprint(container)} ${budgets.maxMemory ?? '-'} ${budgets.maxCycles ?? '-'} ${file}`;
  let bin = loaded.get(key);
  if (!bin) {
    bin = loadBinary(container, file, budgets);
    loaded.set(key, bin);
    while (loaded.size > 4) loaded.delete(loaded.keys().next().value as string);
  }
  return bin;
}

/** Simulate in this thread. */
export function simulateSync(container: BwcContainer, inputs: SimInputs, opts: SimOptions = {}): SimResult {
  const { bin, chunk } = prepare(container, inputs, opts);
  const r = runChunk(bin, bin.file, inputs, 0, inputs.count, chunk);
  return summarise(bin, inputs, [r], chunk.energy);
}

/** Simulate on `opts.workers` threads: this one and workers - 1 worker threads (1: this thread only). */
export async function simulate(container: BwcContainer, inputs: SimInputs, opts: SimOptions = {}): Promise<SimResult> {
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new BwsnnError(`workers = ${workers} must be an integer in 1..256`, 2);
  if (workers === 1 || inputs.count < 2) return simulateSync(container, inputs, opts);
  const { bin, chunk } = prepare(container, inputs, opts);
  const n = inputs.count;
  const k = Math.min(workers, n);
  const entry = workerEntry();
  // Workers cache loaded binaries by this key: the budgets are part of what was loaded.
  const key = `${fingerprint(container)} ${opts.maxMemory ?? '-'} ${opts.maxCycles ?? '-'}`;
  // The samples are cut into pieces that whichever thread is free takes next, in order: worker
  // threads start late (module loading, the binary), so fixed shares would leave this one idle.
  // Pieces are small (about PIECE samples; at least 8 per thread), and every worker has three
  // pieces posted at a time, so that it never waits for this thread (which runs its own pieces
  // synchronously) to hand it the next one. Pieces are merged in sample order, so the result does
  // not depend on who ran what; on failures, the error of the first failing piece is the one
  // reported (as on one thread).
  const pieces = Math.min(n, Math.max(k * 8, Math.ceil(n / PIECE)));
  const bounds = Array.from({ length: pieces + 1 }, (_, i) => Math.floor((i * n) / pieces));
  const parts: ChunkResult[] = [];
  const errors = new Map<number, unknown>();
  let next = 0;
  const take = (): number => (errors.size > 0 || next >= pieces ? -1 : next++);
  const remote = async (pw: PoolWorker): Promise<void> => {
    for (let i = take(); i >= 0; i = take()) {
      const from = bounds[i]!;
      const to = bounds[i + 1]!;
      try {
        parts.push(await runWorker(pw, container, key, bin.file, sliceInputs(bin, inputs, from, to), from, to, chunk));
      } catch (e) {
        errors.set(i, e);
      }
    }
  };
  const local = async (): Promise<void> => {
    for (let i = take(); i >= 0; i = take()) {
      try {
        parts.push(runChunk(bin, bin.file, inputs, bounds[i]!, bounds[i + 1]!, chunk));
      } catch (e) {
        errors.set(i, e);
      }
      // Let finished workers take the next pieces.
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  const lanes: Promise<void>[] = [];
  const held: PoolWorker[] = [];
  for (let w = 0; w < k - 1; w++) {
    const pw = acquireWorker(entry);
    held.push(pw);
    lanes.push(remote(pw), remote(pw), remote(pw));
  }
  await Promise.all([...lanes, local()]);
  for (const pw of held) if (pw.jobs === 0) pw.busy = false;
  if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
  return summarise(bin, inputs, parts, chunk.energy);
}

function sliceInputs(bin: LoadedBinary, inputs: SimInputs, from: number, to: number): SimInputs {
  const per = bin.inputSize * ('steps' in inputs ? inputs.steps : 1);
  const data = inputs.data.slice(from * per, to * per);
  return 'steps' in inputs ? { count: to - from, steps: inputs.steps, data } : { count: to - from, data };
}

/** Samples per piece of work of the thread pool (see simulate). */
const PIECE = 200;

/** The compiled worker entry: next to this module, or in dist/ when running from TS sources. */
export function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const beside = resolve(dirname(here), 'worker.js');
  if (existsSync(beside)) return beside;
  const built = resolve(dirname(here), '..', 'dist', 'simulator', 'worker.js');
  if (existsSync(built)) return built;
  throw new BwsnnError(`simulator worker entry not found (${beside} or ${built}); run npm run build`);
}

/** A pool worker: started once per process and reused; unreferenced while idle. */
interface PoolWorker {
  w: Worker;
  /** Taken by a running simulate() call. */
  busy: boolean;
  /** Jobs posted and not answered yet. */
  jobs: number;
  /** Container fingerprints this worker holds loaded. */
  has: Set<string>;
  pending: Map<number, { res: (r: ChunkResult) => void; rej: (e: Error) => void }>;
}

const pool: PoolWorker[] = [];
let jobSeq = 0;

function startWorker(entry: string): PoolWorker {
  const pw: PoolWorker = { w: new Worker(entry), busy: false, jobs: 0, has: new Set(), pending: new Map() };
  const fail = (e: Error): void => {
    const i = pool.indexOf(pw);
    if (i >= 0) pool.splice(i, 1);
    for (const p of pw.pending.values()) p.rej(e);
    pw.pending.clear();
  };
  pw.w.on('message', (m: { id: number; ok: true; result: ChunkResult } | { id: number; ok: false; bwsnn: boolean; message: string; exitCode: number }) => {
    const p = pw.pending.get(m.id);
    if (!p) return;
    pw.pending.delete(m.id);
    if (m.ok) p.res(m.result);
    else p.rej(m.bwsnn ? new BwsnnError(m.message, m.exitCode) : new Error(m.message));
  });
  pw.w.on('error', (e) => fail(e));
  pw.w.on('exit', (code) => fail(new Error(`simulator worker exited with code ${code}`)));
  pw.w.unref();
  pool.push(pw);
  return pw;
}

/**
 * Start pool workers ahead of a simulate() call (up to `count` in the pool), so that they load
 * their modules while this thread still reads the binary and the inputs. They stay unreferenced
 * until given work: a process that ends before that does not wait for them.
 */
export function prestartWorkers(count: number): void {
  if (count < 1) return;
  let entry: string;
  try {
    entry = workerEntry();
  } catch {
    return; // only a head start: simulate() reports a missing entry when it needs a worker
  }
  while (pool.length < Math.min(count, 255)) startWorker(entry);
}

/** Stop every pool worker (they are unreferenced while idle, so a process exits without this). */
export async function closeWorkerPool(): Promise<void> {
  const ws = pool.splice(0, pool.length);
  await Promise.all(ws.map((pw) => pw.w.terminate()));
}

/** A cheap content fingerprint of a container (FNV-1a over its typed arrays and the rest as JSON). */
function fingerprint(c: BwcContainer): string {
  let h = 0x811c9dc5;
  const mix = (x: number): void => {
    h = Math.imul(h ^ (x & 0xffff), 0x01000193);
    h = Math.imul(h ^ (x >>> 16), 0x01000193);
  };
  const json = JSON.stringify(c, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v)) {
      const u = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      mix(u.length);
      let k = 0;
      for (; k + 4 <= u.length; k += 4) mix((u[k]! | (u[k + 1]! << 8) | (u[k + 2]! << 16) | (u[k + 3]! << 24)) >>> 0);
      for (; k < u.length; k++) mix(u[k]!);
      return `#${u.length}`;
    }
    return v;
  });
  for (let k = 0; k < json.length; k++) mix(json.charCodeAt(k));
  return `${(h >>> 0).toString(16)}-${json.length}`;
}

/** A pool worker no other simulate() call holds (started if none is free); released when its last job ends. */
function acquireWorker(entry: string): PoolWorker {
  const pw = pool.find((p) => !p.busy && p.jobs === 0) ?? startWorker(entry);
  pw.busy = true;
  return pw;
}

function runWorker(pw: PoolWorker, container: BwcContainer, key: string, file: string, inputs: SimInputs, from: number, to: number, opts: ChunkOptions): Promise<ChunkResult> {
  const traceSample = opts.traceSample !== undefined && opts.traceSample >= from && opts.traceSample < to ? opts.traceSample - from : undefined;
  pw.jobs++;
  pw.w.ref();
  const id = ++jobSeq;
  const send = !pw.has.has(key);
  pw.has.add(key);
  if (pw.has.size > 4) pw.has.delete(pw.has.values().next().value as string);
  return new Promise<ChunkResult>((res, rej) => {
    pw.pending.set(id, { res, rej });
    // The inputs are this piece's own copy (sliceInputs): moved, not cloned.
    pw.w.postMessage({ id, key, container: send ? container : undefined, file, inputs, from: 0, to: to - from, opts: { ...opts, traceSample } }, [inputs.data.buffer as ArrayBuffer]);
  })
    .then((r) => {
      r.from = from;
      if (r.trace) r.trace.sample = from + r.trace.sample;
      return r;
    })
    .catch((e: unknown) => {
      pw.has.delete(key);
      throw e;
    })
    .finally(() => {
      if (--pw.jobs === 0) {
        pw.busy = false;
        pw.w.unref();
      }
    });
}

const rec = (arr: ArrayLike<number>, off: number): Record<EnergyEvent, number> => {
  const o = {} as Record<EnergyEvent, number>;
  for (let i = 0; i < ENERGY_EVENTS.length; i++) o[ENERGY_EVENTS[i]!] = arr[off + i] as number;
  return o;
};

function summarise(bin: LoadedBinary, inputs: SimInputs, parts: ChunkResult[], table: EnergyTable): SimResult {
  parts.sort((a, b) => a.from - b.from);
  const n = inputs.count;
  const T = bin.meta.timesteps;
  const C = bin.meta.classes;
  const E = EVENT_COUNT;
  const meshCores = bin.chip.meshX * bin.chip.meshY;
  const hz = bin.chip.clockHz;
  const inferences: Inference[] = [];
  const coreEvents = new Float64Array(meshCores * E);
  const coreActivity = new Float64Array(meshCores * ACTIVITY_COUNT);
  const busy = new Float64Array(meshCores);
  const stall = new Float64Array(meshCores);
  const stepSum = new Float64Array(T);
  let trace: TraceData | undefined;
  let cyc = 0;
  let cmin = Infinity;
  let cmax = -Infinity;
  let emin = Infinity;
  let emax = -Infinity;
  let sops = 0;
  for (const p of parts) {
    for (let i = 0; i < p.count; i++) {
      const c = p.cycles[i] as number;
      const en = p.energy[i] as number;
      cyc += c;
      cmin = Math.min(cmin, c);
      cmax = Math.max(cmax, c);
      emin = Math.min(emin, en);
      emax = Math.max(emax, en);
      sops += p.sops[i] as number;
      // Views into the pieces' arrays (disjoint per inference, owned by this result): no copies.
      const sc = p.stepCycles.subarray(i * T, (i + 1) * T);
      for (let t = 0; t < T; t++) stepSum[t] = (stepSum[t] as number) + (sc[t] as number);
      inferences.push({
        prediction: p.predictions[i] as number,
        readout: p.readouts.subarray(i * C, (i + 1) * C),
        cycles: cycles(c),
        stepCycles: sc,
        latency: cyclesToSeconds(cycles(c), hz),
        energy: joules(en),
        events: rec(p.events, i * E),
        sops: p.sops[i] as number,
        busy: p.coreBusy.subarray(i * meshCores, (i + 1) * meshCores),
        stall: p.coreStall.subarray(i * meshCores, (i + 1) * meshCores),
        spikes: p.spikes?.[i],
      });
    }
    for (let k = 0; k < coreEvents.length; k++) coreEvents[k] = (coreEvents[k] as number) + (p.coreEvents[k] as number);
    for (let k = 0; k < coreActivity.length; k++) coreActivity[k] = (coreActivity[k] as number) + (p.coreActivity[k] as number);
    for (let k = 0; k < meshCores; k++) {
      busy[k] = (busy[k] as number) + (p.busy[k] as number);
      stall[k] = (stall[k] as number) + (p.stall[k] as number);
    }
    if (p.trace) trace = p.trace;
  }
  let perLayer: LayerShare[] | undefined;
  if (parts.length > 0 && parts.every((p) => p.layerEvents)) {
    const names = layerAttribution(bin).names;
    const sum = new Float64Array(names.length * E);
    for (const p of parts) for (let k = 0; k < sum.length; k++) sum[k] = (sum[k] as number) + (p.layerEvents![k] as number);
    perLayer = names.map((layer, b) => {
      const events = rec(
        sum.subarray(b * E, (b + 1) * E).map((v) => v / Math.max(1, n)),
        0,
      );
      let en = 0;
      for (const e of ENERGY_EVENTS) en += events[e] * table.events[e].energy;
      return { layer, events, energy: joules(en) };
    });
  }
  const den = Math.max(1, n);
  const totals = new Float64Array(E);
  for (let c = 0; c < meshCores; c++) for (let e = 0; e < E; e++) totals[e] = (totals[e] as number) + (coreEvents[c * E + e] as number);
  const mean = new Float64Array(coreEvents.length);
  for (let k = 0; k < mean.length; k++) mean[k] = (coreEvents[k] as number) / den;
  const meanTime = cyclesToSeconds(cycles(cyc / den), hz);
  const energy = energyBreakdown(table, mean, meshCores, meanTime);
  const cores: CoreSummary[] = bin.cores.map((img) => {
    const c = img.core;
    const b = (busy[c] as number) / den;
    const s = (stall[c] as number) / den;
    return {
      core: c,
      busy: b,
      stall: s,
      utilisation: b + s > 0 ? b / (b + s) : 0,
      events: rec(mean, c * E),
      energy: energy.perCore[c] as Joules,
    };
  });
  let correct: number | undefined;
  if (inputs.labels) {
    correct = 0;
    for (let i = 0; i < n; i++) if (inferences[i]?.prediction === inputs.labels[i]) correct++;
  }
  const perInf = rec(
    totals.map((v) => v / den),
    0,
  );
  return {
    binary: bin.file,
    chip: chipDisplayName(bin.chip),
    model: bin.meta.name,
    timesteps: T,
    count: n,
    correct,
    accuracy: correct === undefined || n === 0 ? undefined : correct / n,
    inferences,
    cycles: { mean: cycles(cyc / den), min: cycles(n ? cmin : 0), max: cycles(n ? cmax : 0) },
    latency: { mean: meanTime, min: cyclesToSeconds(cycles(n ? cmin : 0), hz), max: cyclesToSeconds(cycles(n ? cmax : 0), hz) },
    stepCycles: Array.from(stepSum, (v) => v / den),
    cores,
    eventsTotal: rec(totals, 0),
    eventsPerInference: perInf,
    counts: { sops: sops / den, spikes: perInf.spike, flits: perInf.flit_inject, hops: perInf.flit_hop },
    activity: activityCounts(coreActivity, meshCores, n),
    energyTable: table.name,
    energy,
    energyStat: { mean: energy.total, min: joules(n ? emin : 0), max: joules(n ? emax : 0) },
    trace,
    perLayer,
  };
}
