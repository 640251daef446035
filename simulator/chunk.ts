/**
 * Run a contiguous range of samples in this thread: the unit of work of the worker pool. Its
 * result is plain structured-cloneable data whose aggregates are sums of integers, so merging
 * chunks in sample order gives the same numbers whatever the number of workers.
 */
import { ACTIVITY_COUNT } from './energy/activity.js';
import type { BwcContainer } from '../isa/container-types.js';
import { ENERGY_EVENTS } from '../isa/table.js';
import { EVENT_COUNT, Machine, type Attribution } from './engine.js';
import type { EnergyTable } from './energy/table.js';
import { InputPacker, type SimInputs } from './input.js';
import { loadBinary, type LoadedBinary } from './load.js';
import { layerAttribution } from './attribution.js';
import { TraceRecorder, type NeuronRange, type TraceData } from './trace.js';

export interface ChunkOptions {
  probes?: boolean;
  maxStepCycles?: number;
  /** Cycle budget per inference and memory budget in bytes (simulator/bounds.ts). */
  maxCycles?: number;
  maxMemory?: number;
  /** Energy table for per-inference energy totals. */
  energy: EnergyTable;
  /** Trace this sample (global index) if it lies in the chunk. */
  traceSample?: number;
  traceNeurons?: NeuronRange[];
  /** Count events per layer (see attribution.ts). */
  perLayer?: boolean;
}

export interface ChunkResult {
  from: number;
  count: number;
  predictions: Int32Array;
  /** count x classes. */
  readouts: Int32Array;
  cycles: Float64Array;
  /** count x T. */
  stepCycles: Int32Array;
  /** Per-inference energy (joules). */
  energy: Float64Array;
  /** Per-inference chip-total event counts, count x E. */
  events: Float64Array;
  sops: Float64Array;
  /** Per-inference busy and stall cycles per mesh core, count x cores. */
  coreBusy: Float64Array;
  coreStall: Float64Array;
  /** Sums over the chunk, per mesh core: events (core x E), busy, stall cycles. */
  coreEvents: Float64Array;
  /** Activity counts summed over the chunk, per mesh core (core x ACTIVITY_COUNT). */
  coreActivity: Float64Array;
  busy: Float64Array;
  stall: Float64Array;
  spikes?: Record<string, Uint8Array>[];
  trace?: TraceData;
  /** With perLayer: event counts per attribution bucket (bucket x E), summed over the chunk. */
  layerEvents?: Float64Array;
}

/**
 * One machine per loaded binary and step limit, reused by later chunks of this thread (a machine
 * resets all its state at every inference; building one costs WebAssembly instances per core).
 */
const machines = new WeakMap<LoadedBinary, Map<string, Machine>>();
/** The input packer of a loaded binary (its buffers are reused sample after sample). */
const packers = new WeakMap<LoadedBinary, InputPacker>();
/** The layer attribution of a loaded binary (derived once per binary and thread). */
const attributions = new WeakMap<LoadedBinary, Attribution>();

function machineFor(bin: LoadedBinary, maxStepCycles: number | undefined, perLayer: boolean): Machine {
  let byLimit = machines.get(bin);
  if (!byLimit) machines.set(bin, (byLimit = new Map()));
  const key = `${maxStepCycles ?? -1}${perLayer ? ' layers' : ''}`;
  let m = byLimit.get(key);
  if (!m) {
    let attribution: Attribution | undefined;
    if (perLayer) {
      attribution = attributions.get(bin);
      if (!attribution) attributions.set(bin, (attribution = layerAttribution(bin).attribution));
    }
    byLimit.set(key, (m = new Machine(bin, { maxStepCycles, attribution })));
  }
  return m;
}

export function runChunk(binOrContainer: LoadedBinary | BwcContainer, file: string, inputs: SimInputs, from: number, to: number, opts: ChunkOptions): ChunkResult {
  const bin = 'slotOf' in binOrContainer ? binOrContainer : loadBinary(binOrContainer, file, { maxMemory: opts.maxMemory, maxCycles: opts.maxCycles });
  const m = machineFor(bin, opts.maxStepCycles, opts.perLayer === true);
  const attribution = opts.perLayer ? m.attribution : undefined;
  let packer = packers.get(bin);
  if (!packer) packers.set(bin, (packer = new InputPacker(bin)));
  const n = to - from;
  const T = bin.meta.timesteps;
  const C = bin.meta.classes;
  const cores = bin.chip.meshX * bin.chip.meshY;
  const E = EVENT_COUNT;
  const r: ChunkResult = {
    from,
    count: n,
    predictions: new Int32Array(n),
    readouts: new Int32Array(n * C),
    cycles: new Float64Array(n),
    stepCycles: new Int32Array(n * T),
    energy: new Float64Array(n),
    events: new Float64Array(n * E),
    sops: new Float64Array(n),
    coreBusy: new Float64Array(n * cores),
    coreStall: new Float64Array(n * cores),
    coreEvents: new Float64Array(cores * E),
    coreActivity: new Float64Array(cores * ACTIVITY_COUNT),
    busy: new Float64Array(cores),
    stall: new Float64Array(cores),
    spikes: opts.probes ? [] : undefined,
    layerEvents: attribution ? new Float64Array(attribution.buckets * EVENT_COUNT) : undefined,
  };
  const le = r.layerEvents;
  const unit = ENERGY_EVENTS.map((e) => opts.energy.events[e].energy as number);
  const leakW = opts.energy.leakage.power as number;
  for (let i = 0; i < n; i++) {
    const s = from + i;
    let rec: TraceRecorder | undefined;
    if (opts.traceSample === s) {
      rec = new TraceRecorder(s, opts.traceNeurons ?? [], bin.cores.map((c) => c.core));
      m.tracer = rec;
    }
    const res = m.run(packer.sample(inputs, s), { probes: opts.probes });
    m.tracer = undefined;
    if (rec) r.trace = rec.data;
    r.predictions[i] = res.prediction;
    r.readouts.set(res.readout, i * C);
    r.cycles[i] = res.cycles;
    r.stepCycles.set(res.stepCycles, i * T);
    r.sops[i] = res.sops;
    for (let k = 0; k < r.coreActivity.length; k++) r.coreActivity[k] = (r.coreActivity[k] as number) + (res.activity[k] as number);
    r.coreBusy.set(res.busy, i * cores);
    r.coreStall.set(res.stall, i * cores);
    let dyn = 0;
    for (let c = 0; c < cores; c++) {
      for (let e = 0; e < E; e++) {
        const k = res.events[c * E + e] as number;
        if (k === 0) continue;
        r.events[i * E + e] = (r.events[i * E + e] as number) + k;
        r.coreEvents[c * E + e] = (r.coreEvents[c * E + e] as number) + k;
      }
      r.busy[c] = (r.busy[c] as number) + (res.busy[c] as number);
      r.stall[c] = (r.stall[c] as number) + (res.stall[c] as number);
    }
    for (let e = 0; e < E; e++) dyn += (r.events[i * E + e] as number) * (unit[e] as number);
    r.energy[i] = dyn + leakW * cores * (res.cycles / bin.chip.clockHz);
    if (r.spikes && res.spikes) r.spikes.push(res.spikes);
    const be = m.bucketEvents;
    if (le && be) for (let k = 0; k < le.length; k++) le[k] = (le[k] as number) + (be[k] as number);
  }
  return r;
}
