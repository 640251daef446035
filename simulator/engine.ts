/**
 * The cycle-accurate engine: runs one inference (T time steps) of a loaded binary, exactly as
 * docs/architecture.md and docs/timing.md say. Cores and the network advance as a discrete-event
 * simulation: the core whose next instruction issues earliest runs that instruction whole
 * (its cycles come from the table's formula of its activity), network events strictly earlier
 * than that cycle are processed first, barriers release when every core has reached them and the
 * network is empty, plus the barrier delay (barrierCycles: barrierLatency + the mesh diameter).
 */
import { barrierCycles, coreCount, signedRange, type ChipConfig } from '../isa/chip.js';
import { ROUTE_NEXT_STEP, ROUTE_PSUM_ACC1 } from '../isa/container-types.js';
import { BwsnnError } from '../base/errors.js';
import { ENERGY_EVENTS, INSTRUCTIONS, type Activity, type EnergyEvent, type InstrDef } from '../isa/table.js';
import { COEF_STRIDE, EVENT_COEFFICIENTS } from './coefficients.js';
import type { LoadedBinary } from './load.js';
import { STRIDE } from './load.js';
import { FLIT_AXON, Network, PORT_HOST, PORT_LOCAL, SRC_HOST, resolveMemo, type ResolveMemo } from './network.js';
import { SEMANTICS, type Exec, type Semantic } from './semantics.js';
import { CoreState, HALTED, RUN, WAIT_INPUT, WAIT_SYNC } from './state.js';
import type { StepFlits } from './input.js';
import { TIME_BATCHED } from './dataflow-semantics.js';
import { checkBatchedInput, recordBatchedSpikes } from './dataflow-run.js';
import { ACT, ACTIVITY_COUNT } from './energy/activity.js';
import { popcount32 } from './popcount.js';

export const EVENT_COUNT = ENERGY_EVENTS.length;
export const EVENT_INDEX: Readonly<Record<EnergyEvent, number>> = Object.fromEntries(
  ENERGY_EVENTS.map((e, i) => [e, i]),
) as Record<EnergyEvent, number>;
const EV_HOP = EVENT_INDEX.flit_hop;
const EV_INJECT = EVENT_INDEX.flit_inject;
const EV_AXW = EVENT_INDEX.axon_write_word;
const EV_ACCU = EVENT_INDEX.acc_update;

/** Observer of one inference (traces). Times are absolute cycles of the inference. */
export interface Tracer {
  instr(core: number, mnemonic: string, start: number, cycles: number): void;
  wait(core: number, kind: 'sync' | 'input' | 'halt', start: number, end: number): void;
  /** Neurons from..from+n-1 of `core` were updated: their spikes `out` and membranes `v` (indexed by neuron). */
  neurons(core: number, from: number, n: number, out: Uint8Array, time: number, v?: Int32Array): void;
  /** A flit left router `router` on output link `dir` (network.ts LINK_NAMES) at `time`. */
  link?(router: number, dir: number, time: number): void;
  step(t: number, start: number, end: number): void;
}

/** What one inference produced. */
export interface InferenceRecord {
  readout: Int32Array;
  prediction: number;
  cycles: number;
  stepCycles: Int32Array;
  /** Per mesh core: busy cycles, stall cycles (length cores each). */
  busy: Float64Array;
  stall: Float64Array;
  /** Synaptic operations (input spike bit x synapse pairs accumulated), all cores. */
  sops: number;
  /** Event counts, mesh-core-major: events[core * EVENT_COUNT + e] (the machine's buffer: valid until its next run). */
  events: Float64Array;
  /** Activity counts, mesh-core-major: activity[core * ACTIVITY_COUNT + k] (simulator/energy/activity.ts). */
  activity: Float64Array;
  /** Probed spike trains (T*size step-major), when probes are on. */
  spikes?: Record<string, Uint8Array>;
}

export interface EngineOptions {
  probes?: boolean;
  /** Abort a time step that runs longer than this many cycles (a program that never halts). */
  maxStepCycles?: number;
  /** Abort an inference past this many cycles (default: LoadedBinary.maxCycles). */
  maxCycles?: number;
  /**
   * Count energy events per attribution bucket too (Machine.bucketEvents): an instruction with a
   * first-neuron operand `rn` goes to the bucket of that neuron, any other to `other`; network
   * events go to the bucket of the instruction that injected the flit (`host` for input flits).
   */
  attribution?: Attribution;
}

const CO_EVENTS = EVENT_COEFFICIENTS.events;
const NDEF = INSTRUCTIONS.length;
/** Numbers summed per (core, instruction): the execution count and one sum per activity field. */
const ACT_SUMS = COEF_STRIDE;
const CO_COEF = EVENT_COEFFICIENTS.coef;
/** Per definition index: the op-stream slot of its `rn` (first neuron) register field, or -1. */
const RN_SLOT = Int32Array.from(INSTRUCTIONS, (d) => {
  const k = d.fields.findIndex((f) => f.name === 'rn' && f.kind === 'reg');
  return k < 0 ? -1 : 1 + k;
});

/** Where per-bucket event counts go (see EngineOptions.attribution). */
export interface Attribution {
  buckets: number;
  /** Bucket of host input flits' events. */
  host: number;
  /** Bucket of instructions without a neuron operand or whose neuron has no bucket. */
  other: number;
  /** Per mesh core: neuron -> bucket (-1: none). */
  neuronBucket: (Int32Array | undefined)[];
}

const SEM: Semantic[] = INSTRUCTIONS.map((d) => SEMANTICS.get(d.mnemonic) as Semantic);
/**
 * The cycle formula of every definition, by definition index: one array load on the hot path
 * instead of a property load from definitions of many shapes (optional fields differ).
 */
const CYCLES: InstrDef['cycles'][] = INSTRUCTIONS.map((d) => d.cycles);

/**
 * Instructions that read nothing a flit delivery writes (axon words, accumulators): they may
 * issue while flits to their core are still in flight, so the network can be resolved later
 * (deferred mode, see runStep). Any other instruction, including one added to the ISA later,
 * first has the network simulated up to its issue cycle.
 */
const NETWORK_BLIND = new Set(['NOP', 'LI', 'ADDI', 'ADD', 'BNZD', 'JMP', 'CFGW', 'SEND', 'SYNC', 'HALT', 'INPUT']);
/** Accumulates into the accumulators: commutes with PSUM deliveries (exact integer adds), reads axon words. */
const AXON_READERS = new Set(['ACC', 'ACCW', 'ACCS']);
/** Reads the accumulators (not axon words). */
const ACC_READERS = new Set(['FIRE', 'INTEG', 'PSUM']);
const READ_AXON = 1;
const READ_ACC = 2;
/** Per definition: what of a core's state written by deliveries the instruction reads (0: nothing). */
const READS = Uint8Array.from(INSTRUCTIONS, (d) =>
  NETWORK_BLIND.has(d.mnemonic) ? 0 : AXON_READERS.has(d.mnemonic) ? READ_AXON : ACC_READERS.has(d.mnemonic) ? READ_ACC : READ_AXON | READ_ACC,
);

/** Deferred network resolution (on by default; off: every flit hop is an event, for differential tests). */
let deferNetwork = true;
export function setDeferredNetwork(on: boolean): void {
  deferNetwork = on;
}

export class Machine implements Exec {
  readonly bin: LoadedBinary;
  readonly chip: ChipConfig;
  readonly vmin: number;
  readonly vmax: number;
  readonly states: CoreState[];
  /** Mesh index -> state (undefined for idle cores). */
  private readonly byCore: (CoreState | undefined)[];
  readonly net: Network;
  private readonly act: Activity = { n: 0, scan: 0, ops: 0, flits: 0, spikes: 0, taken: 0, uses: 0, updates: 0 };
  private events: Float64Array;
  activity: Float64Array;
  stepNo = 0;
  private stepStart = 0;
  tracer: Tracer | undefined;
  // Staged flits of the instruction being executed.
  private sN = 0;
  private sDst = new Int32Array(256);
  private sKind = new Uint8Array(256);
  private sFlags = new Uint8Array(256);
  private sAddr = new Int32Array(256);
  private sP0 = new Float64Array(256);
  private sP1 = new Float64Array(256);
  private seq = new Int32Array(0);
  // Next-step PSUM deliveries (core, neuron, bank, value), applied at the next step's start.
  private pend: number[] = [];
  private readonly maxStepCycles: number;
  /** The binary uses the time-batched schedule (simulator/dataflow-semantics.ts). */
  private readonly batched: boolean;
  /**
   * Per mesh core: the earliest cycle at which a deferred flit that writes its current axon bank or
   * accumulators can be delivered (injection + the uncongested latency of its route), or Infinity.
   */
  private pendAx = new Float64Array(0);
  /** The same for PSUM flits into its accumulators. */
  private pendAc = new Float64Array(0);
  /** Every core with a program starts with INPUT, SYNC or HALT: no flit but the host's before the input is complete. */
  private readonly inputFirst: boolean;
  /** Per mesh core: x and y in the mesh. */
  private readonly mx: Int32Array;
  private readonly my: Int32Array;
  /** Barrier release delay (isa/chip.ts barrierCycles: grows with the mesh diameter). */
  private readonly barrier: number;
  private readonly maxCycles: number;
  private readonly maxFlits: number;
  /** The core whose instruction is executing (for staging errors). */
  private cur: CoreState | undefined;

  constructor(bin: LoadedBinary, opts: EngineOptions = {}) {
    this.bin = bin;
    this.chip = bin.chip;
    [this.vmin, this.vmax] = signedRange(bin.chip.membraneBits);
    this.states = bin.cores.map((img) => new CoreState(img, bin.chip));
    const n = coreCount(bin.chip);
    this.byCore = new Array<CoreState | undefined>(n);
    for (const s of this.states) this.byCore[s.core] = s;
    this.net = new Network(bin.chip);
    this.events = new Float64Array(n * EVENT_COUNT);
    this.activity = new Float64Array(n * ACTIVITY_COUNT);
    this.hostBits = new Float64Array(n);
    this.seq = new Int32Array(n);
    this.batched = bin.cores.some((c) => c.defs.some((d) => TIME_BATCHED.has(d.mnemonic)));
    this.pendAx = new Float64Array(n).fill(Infinity);
    this.pendAc = new Float64Array(n).fill(Infinity);
    this.inputFirst = this.states.every((s) => s.img.length === 0 || ['INPUT', 'SYNC', 'HALT'].includes(s.img.defs[0]?.mnemonic ?? ''));
    this.mx = Int32Array.from({ length: n }, (_, k) => k % bin.chip.meshX);
    this.my = Int32Array.from({ length: n }, (_, k) => Math.floor(k / bin.chip.meshX));
    this.maxStepCycles = opts.maxStepCycles ?? 1e9;
    this.barrier = barrierCycles(bin.chip);
    this.maxCycles = opts.maxCycles ?? bin.maxCycles;
    this.maxFlits = bin.maxFlits;
    this.fired = undefined;
    this.attr = opts.attribution;
    this.bucketEvents = this.attr ? new Float64Array(this.attr.buckets * EVENT_COUNT) : undefined;
    if (this.attr) this.net.originHops = new Float64Array(this.attr.buckets);
    this.heapIdx = new Int32Array(this.states.length);
    this.instAct = new Float64Array(n * NDEF * ACT_SUMS);
    this.instUsed = new Int32Array(n * NDEF);
    this.bucketAct = this.attr ? new Float64Array(this.attr.buckets * NDEF * ACT_SUMS) : undefined;
    this.bucketUsed = this.attr ? new Int32Array(this.attr.buckets * NDEF) : undefined;
  }

  /** Add the energy events of the instructions executed (instAct, bucketAct) to the event counts, and clear the sums. */
  private foldEvents(): void {
    Machine.fold(this.instAct, this.instUsed, this.instN, this.events);
    this.instN = 0;
    if (this.bucketAct && this.bucketUsed && this.bucketEvents) Machine.fold(this.bucketAct, this.bucketUsed, this.bucketN, this.bucketEvents);
    this.bucketN = 0;
  }

  private static fold(sums: Float64Array, used: Int32Array, count: number, out: Float64Array): void {
    for (let u = 0; u < count; u++) {
      const slot = used[u]!;
      const di = slot % NDEF;
      const eb = ((slot - di) / NDEF) * EVENT_COUNT;
      const ei = CO_EVENTS[di] as Int32Array;
      const cf = CO_COEF[di] as Float64Array;
      const a = slot * ACT_SUMS;
      for (let j = 0, o = 0; j < ei.length; j++, o += COEF_STRIDE) {
        let v = 0;
        for (let f = 0; f < ACT_SUMS; f++) v += cf[o + f]! * sums[a + f]!;
        const k = eb + ei[j]!;
        out[k] = out[k]! + v;
      }
      sums.fill(0, a, a + ACT_SUMS);
    }
  }

  /**
   * Per (mesh core, instruction definition): executions and the sums of their activity fields
   * (ACT_SUMS numbers: count, then ACT_FIELDS order) this inference; instUsed lists the slots in use.
   */
  private readonly instAct: Float64Array;
  private readonly instUsed: Int32Array;
  private instN = 0;
  /** The same per (attribution bucket, instruction definition), with attribution. */
  private readonly bucketAct: Float64Array | undefined;
  private readonly bucketUsed: Int32Array | undefined;
  private bucketN = 0;

  /** Routing of the host flits `memoInput` of an earlier step of this inference (Network.resolveMemo). */
  private readonly inputMemo: ResolveMemo = resolveMemo();
  private memoInput: StepFlits | undefined;

  /** hostActivity's additions for the flit object hostInput (this inference). */
  private hostInput: StepFlits | undefined;
  private hostIdx = new Int32Array(0);
  private hostAdd = new Float64Array(0);
  private hostN = 0;
  /** hostActivity's set bits per destination core. */
  private readonly hostBits: Float64Array;

  /** runStep's heap of running cores (indices into states). */
  private readonly heapIdx: Int32Array;

  fired?: (cs: CoreState, from: number, n: number) => void;
  private curDef: InstrDef = INSTRUCTIONS[0]!;
  private readonly attr: Attribution | undefined;
  /** The attribution this machine counts bucket events for (EngineOptions.attribution). */
  get attribution(): Attribution | undefined {
    return this.attr;
  }
  /** Event counts of the last inference per attribution bucket: bucketEvents[bucket * EVENT_COUNT + e]. */
  readonly bucketEvents: Float64Array | undefined;

  get timesteps(): number {
    return this.bin.meta.timesteps;
  }

  /**
   * Activity of host input: each set bit of a host flit is one input spike message to its core.
   * The additions are remembered per flit object (hostAdd) and repeated for the same object in a
   * later step of the inference (integer counts: the same sums).
   */
  private hostActivity(input: StepFlits): void {
    const av = this.activity;
    if (input === this.hostInput) {
      const ix = this.hostIdx;
      const add = this.hostAdd;
      for (let k = 0; k < this.hostN; k++) av[ix[k]!] = av[ix[k]!]! + add[k]!;
      return;
    }
    this.hostInput = input;
    this.hostN = 0;
    const mx = this.chip.meshX;
    const spikes = input.spikes ?? 0;
    av[ACT.inputSpikes]! += spikes;
    this.note(ACT.inputSpikes, spikes);
    // Set bits per destination core first (integer sums: any order gives the same counts).
    const per = this.hostBits;
    per.fill(0);
    for (let k = 0; k < input.count; k++) {
      const d = input.dst[k] as number;
      per[d] = (per[d] as number) + popcount32((input.lo[k] as number) >>> 0) + popcount32((input.hi[k] as number) >>> 0);
    }
    let hx = 0;
    let hy = 0;
    for (let d = 0; d < per.length; d++) {
      const bits = per[d] as number;
      if (bits === 0) continue;
      av[d * ACTIVITY_COUNT + ACT.inputMessages]! += bits;
      av[d * ACTIVITY_COUNT + ACT.messagesIn]! += bits;
      this.note(d * ACTIVITY_COUNT + ACT.inputMessages, bits);
      this.note(d * ACTIVITY_COUNT + ACT.messagesIn, bits);
      av[ACT.hopsX]! += bits * (d % mx);
      av[ACT.hopsY]! += bits * Math.floor(d / mx);
      hx += bits * (d % mx);
      hy += bits * Math.floor(d / mx);
    }
    this.note(ACT.hopsX, hx);
    this.note(ACT.hopsY, hy);
  }

  /** Remember one addition of hostActivity. */
  private note(i: number, v: number): void {
    if (this.hostN === this.hostIdx.length) {
      const idx = new Int32Array(2 * this.hostN + 16);
      idx.set(this.hostIdx);
      this.hostIdx = idx;
      const add = new Float64Array(2 * this.hostN + 16);
      add.set(this.hostAdd);
      this.hostAdd = add;
    }
    this.hostIdx[this.hostN] = i;
    this.hostAdd[this.hostN++] = v;
  }

  fail(cs: CoreState, what: string): never {
    const def = cs.img.defs[cs.issuePc];
    throw new BwsnnError(
      `${this.bin.file}: core ${cs.core}, time step ${this.stepNo}, instruction ${cs.issuePc}${def ? ` (${def.mnemonic})` : ''}: ${what}`,
    );
  }

  stage(dst: number, kind: number, flags: number, addr: number, p0: number, p1: number): void {
    // Small enough to be inlined into the semantics that stage flits (no boxed payloads).
    if (this.sN === this.sDst.length) this.growStage();
    const i = this.sN++;
    this.sDst[i] = dst;
    this.sKind[i] = kind;
    this.sFlags[i] = flags;
    this.sAddr[i] = addr;
    this.sP0[i] = p0;
    this.sP1[i] = p1;
  }

  private growStage(): void {
    if (this.sN + this.net.n >= this.maxFlits && this.cur) {
      this.fail(this.cur, `more than ${this.maxFlits} flits staged and in flight, past the memory budget (--max-memory)`);
    }
    const k = 2 * this.sN;
    const g = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(k);
      b.set(a);
      return b;
    };
    this.sDst = g(this.sDst, (m) => new Int32Array(m));
    this.sKind = g(this.sKind, (m) => new Uint8Array(m));
    this.sFlags = g(this.sFlags, (m) => new Uint8Array(m));
    this.sAddr = g(this.sAddr, (m) => new Int32Array(m));
    this.sP0 = g(this.sP0, (m) => new Float64Array(m));
    this.sP1 = g(this.sP1, (m) => new Float64Array(m));
  }

  /** Run one inference; `input[t]` are the host flits of step t. */
  run(input: StepFlits[], opts: EngineOptions = {}): InferenceRecord {
    const bin = this.bin;
    const T = bin.meta.timesteps;
    const nCores = coreCount(this.chip);
    // Reused: the caller reads a record before the next run.
    this.events.fill(0);
    this.activity.fill(0);
    // Sums left by an inference that failed midway.
    if (this.instN > 0 || this.bucketN > 0) {
      this.instAct.fill(0);
      this.instN = 0;
      this.bucketAct?.fill(0);
      this.bucketN = 0;
    }
    this.net.hops.fill(0);
    this.pend.length = 0;
    for (const s of this.states) s.resetInference();
    // Host flits are only known identical within one inference (the caller may reuse buffers).
    this.memoInput = undefined;
    this.hostInput = undefined;
    const stepCycles = new Int32Array(T);
    const spikes = opts.probes ? this.allocSpikes() : undefined;
    const tracer = this.tracer;
    this.fired = tracer
      ? (s, from, n) => tracer.neurons(s.core, from, n, s.out, this.stepStart + s.time + this.curDef.cycles(this.act, this.chip), s.v)
      : undefined;
    this.net.onLink = tracer?.link ? (r, d, t) => tracer.link!(r, d, this.stepStart + t) : undefined;
    this.bucketEvents?.fill(0);
    this.net.originHops?.fill(0);
    let total = 0;
    if (this.batched) checkBatchedInput(this.bin.file, input);
    for (let t = 0; t < T; t++) {
      this.stepNo = t;
      this.stepStart = total;
      const c = this.runStep(input[t] as StepFlits);
      stepCycles[t] = c;
      this.tracer?.step(t, total, total + c);
      total += c;
      if (total > this.maxCycles && this.states[0]) {
        const s0 = this.states[0];
        throw new BwsnnError(`${this.bin.file}: core ${s0.core}, time step ${t}, instruction ${s0.issuePc}: the inference reached cycle ${total}, past the budget of ${this.maxCycles} cycles (--max-cycles)`);
      }
      if (spikes) this.recordSpikes(spikes, t);
      for (const s of this.states) s.swapBanks();
    }
    if (spikes && this.batched) recordBatchedSpikes(this.bin, this.byCore, spikes);
    this.foldEvents();
    const hops = this.net.hops;
    for (let r = 0; r < nCores; r++) this.events[r * EVENT_COUNT + EV_HOP] = hops[r] as number;
    const oh = this.net.originHops;
    const pcEv = this.bucketEvents;
    if (oh && pcEv) for (let k = 0; k < oh.length; k++) pcEv[k * EVENT_COUNT + EV_HOP] = oh[k] as number;
    const busy = new Float64Array(nCores);
    const stall = new Float64Array(nCores);
    let sops = 0;
    for (const s of this.states) {
      sops += s.sops;
      this.activity[s.core * ACTIVITY_COUNT + ACT.synapticEvents] = s.sops;
      busy[s.core] = s.busy;
      stall[s.core] = s.stall;
    }
    const readout = this.readReadout();
    let prediction = 0;
    for (let k = 1; k < readout.length; k++) if ((readout[k] as number) > (readout[prediction] as number)) prediction = k;
    return { readout, prediction, cycles: total, stepCycles, busy, stall, sops, events: this.events, activity: this.activity, spikes };
  }

  private allocSpikes(): Record<string, Uint8Array> {
    const out: Record<string, Uint8Array> = {};
    const T = this.bin.meta.timesteps;
    for (const p of this.bin.outputMap.probes) {
      if (p.kind !== 'spikes') continue;
      out[p.layer] = new Uint8Array(T * p.shape.reduce((a, b) => a * b, 1));
    }
    return out;
  }

  private recordSpikes(spikes: Record<string, Uint8Array>, t: number): void {
    for (const p of this.bin.outputMap.probes) {
      if (p.kind !== 'spikes') continue;
      const arr = spikes[p.layer] as Uint8Array;
      const size = arr.length / this.bin.meta.timesteps;
      for (const e of p.entries) {
        const s = this.byCore[e.core];
        if (!s) continue;
        for (let k = 0; k < e.count; k++) arr[t * size + (e.index[k] as number)] = s.out[e.neuronBase + k] as number;
      }
    }
  }

  private readReadout(): Int32Array {
    const om = this.bin.outputMap;
    const p = om.probes[om.readout];
    const out = new Int32Array(this.bin.meta.classes);
    if (!p) return out;
    for (const e of p.entries) {
      const s = this.byCore[e.core];
      if (!s) continue;
      for (let k = 0; k < e.count; k++) out[e.index[k] as number] = s.v[e.neuronBase + k] as number;
    }
    return out;
  }

  /** Deliver one flit into its destination core. */
  private deliver(f: number): void {
    this.deliverRange(f, f + 1);
  }

  /** Deliver flits from..to-1 into their destination cores (deliveries commute: any order). */
  private deliverRange(from: number, to: number): void {
    const net = this.net;
    const dstA = net.dst;
    const kindA = net.kind;
    const originA = net.origin;
    const flagsA = net.flags;
    const addrA = net.addr;
    const p0A = net.p0;
    const p1A = net.p1;
    const byCore = this.byCore;
    const ev = this.events;
    const pcEv = this.bucketEvents;
    for (let f = from; f < to; f++) {
      const dst = dstA[f] as number;
      const s = byCore[dst];
      if (kindA[f] === FLIT_AXON) {
        ev[dst * EVENT_COUNT + EV_AXW] = (ev[dst * EVENT_COUNT + EV_AXW] as number) + 1;
        if (pcEv) pcEv[(originA[f] as number) * EVENT_COUNT + EV_AXW]! += 1;
        if (!s) continue;
        const bank = (flagsA[f] as number) & ROUTE_NEXT_STEP ? s.cur ^ 1 : s.cur;
        const w = addrA[f] as number;
        if (w < 0 || w >= s.lines) throw new BwsnnError(`${this.bin.file}: core ${dst}, time step ${this.stepNo}: an axon flit addresses word ${w}, outside axonLines = ${s.lines}`);
        s.orWord(bank, w, (p0A[f] as number) | 0, (p1A[f] as number) | 0);
        continue;
      }
      const two = Number.isNaN(p1A[f] as number) ? 1 : 2;
      ev[dst * EVENT_COUNT + EV_ACCU] = (ev[dst * EVENT_COUNT + EV_ACCU] as number) + two;
      if (pcEv) pcEv[(originA[f] as number) * EVENT_COUNT + EV_ACCU]! += two;
      if (!s) continue;
      const fl = flagsA[f] as number;
      const bank = fl & ROUTE_PSUM_ACC1 ? 1 : 0;
      const nrn = addrA[f] as number;
      if (fl & ROUTE_NEXT_STEP) {
        this.pend.push(dst, nrn, bank, p0A[f] as number);
        if (two === 2) this.pend.push(dst, nrn + 1, bank, p1A[f] as number);
        continue;
      }
      const acc = bank ? s.acc1 : s.acc0;
      if (nrn + two > acc.length) continue;
      s.touch(nrn + two);
      acc[nrn] = (acc[nrn] as number) + (p0A[f] as number);
      if (two === 2) acc[nrn + 1] = (acc[nrn + 1] as number) + (p1A[f] as number);
    }
  }

  /** One time step; returns its cycles. */
  private runStep(input: StepFlits): number {
    const net = this.net;
    net.reset();
    this.seq.fill(0);
    const pendAx = this.pendAx;
    const pendAc = this.pendAc;
    pendAx.fill(Infinity);
    pendAc.fill(Infinity);
    // Link traces (Tracer.link) want every hop as it happens: no deferral then.
    const defer = deferNetwork && this.net.onLink === undefined;
    const states = this.states;
    for (const s of states) s.resetStep();
    // Next-step partial sums of the previous step.
    const pend = this.pend;
    for (let k = 0; k < pend.length; k += 4) {
      const s = this.byCore[pend[k] as number];
      const nrn = pend[k + 1] as number;
      if (!s || nrn >= s.acc0.length) continue;
      s.touch(nrn + 1);
      const acc = pend[k + 2] ? s.acc1 : s.acc0;
      acc[nrn] = (acc[nrn] as number) + (pend[k + 3] as number);
    }
    pend.length = 0;
    // Host input: one flit per cycle from cycle 0 into core 0's router.
    let inputLeft = input.count;
    let lastInput = -1;
    let hostLast = -1;
    const ev = this.events;
    // When every core with a program starts with INPUT, nothing runs before the input is
    // complete: the host flits can be routed at once (Network.resolve) and delivered now.
    const early = defer && this.inputFirst && input.count > 0;
    if (early) net.startDeferring();
    // The same host flits as the previous step of this inference (a sample's flits are one object
    // for every step when its encoding repeats them): their records are still flits 0..count-1
    // (every early step injects its host flits first), and their routing is replayed.
    const memo = this.inputMemo;
    if (!early || input !== this.memoInput) memo.valid = false;
    if (early && memo.valid && memo.from === 0 && memo.to === input.count) net.reuseFlits(input.count);
    else {
      for (let k = 0; k < input.count; k++) {
        net.inject(k, 0, PORT_HOST, SRC_HOST, k, input.dst[k] as number, FLIT_AXON, 0, input.word[k] as number, input.lo[k] as number, input.hi[k] as number, 1, this.attr ? this.attr.host : 0);
      }
    }
    if (early) {
      this.memoInput = input;
      for (let f = net.resolveMemo(memo); f < input.count; f++) {
        this.deliver(f);
        if ((net.time[f] as number) > lastInput) lastInput = net.time[f] as number;
      }
      inputLeft = 0;
    }
    ev[EV_INJECT] = (ev[EV_INJECT] as number) + input.count;
    this.hostActivity(input);
    if (this.bucketEvents && this.attr) this.bucketEvents[this.attr.host * EVENT_COUNT + EV_INJECT]! += input.count;
    const act = this.act;
    const chip = this.chip;
    const tracer = this.tracer;
    const t0 = this.stepStart;
    const maxC = this.maxStepCycles;
    // The running core that issues first: the root of a binary heap of the running cores ordered
    // by (issue cycle, core order). Only the core that ran an instruction changes then (sifted
    // down, or removed when it waits); after a resume or a barrier the heap is rebuilt (stale).
    let cs: CoreState | undefined;
    let tc = Infinity;
    let stale = true;
    const nst = states.length;
    const hp = this.heapIdx;
    let hn = 0;
    for (;;) {
      if (stale) {
        hn = 0;
        for (let i = 0; i < nst; i++) {
          if (states[i]!.state !== RUN) continue;
          // Sift up.
          const t = states[i]!.time;
          let j = hn++;
          while (j > 0) {
            const p = (j - 1) >> 1;
            const q = hp[p]!;
            const tq = states[q]!.time;
            if (tq < t || (tq === t && q < i)) break;
            hp[j] = q;
            j = p;
          }
          hp[j] = i;
        }
        cs = hn > 0 ? states[hp[0]!] : undefined;
        tc = cs ? cs.time : Infinity;
        stale = false;
      }
      const te = net.pending === 0 ? Infinity : net.nextTime();
      if (te < tc) {
        net.horizon = tc;
        const f = net.step();
        if (f >= 0) {
          this.deliver(f);
          // Deliveries may be processed ahead of their cycle (Network.horizon): the input is
          // complete at the latest host delivery.
          if (net.host[f] === 1 && (net.time[f] as number) > hostLast) hostLast = net.time[f] as number;
          if (net.host[f] === 1 && --inputLeft === 0) {
            lastInput = hostLast;
            for (const s of states) {
              if (s.state === WAIT_INPUT) this.resume(s, lastInput + 1, 'input');
            }
            stale = true;
          }
        }
        continue;
      }
      // Deferred network: with no event pending (every flit so far delivered before tc) and the
      // input complete, later flits are only recorded; they are routed all at once at the next
      // barrier (Network.resolve), unless an instruction that reads what a delivery writes issues
      // on a core with such flits on their way: then they enter the event heap first (undefer).
      if (defer && !net.deferring && inputLeft === 0 && te === Infinity) net.startDeferring();
      if (cs !== undefined) {
        if (tc > maxC) this.fail(cs, `time step exceeds ${maxC} cycles (a program that never halts?)`);
        if (t0 + tc > this.maxCycles) this.fail(cs, `cycle ${t0 + tc} of the inference is past the budget of ${this.maxCycles} cycles (--max-cycles)`);
        const pc = cs.pc;
        if (net.deferring && pc < cs.img.length) {
          const rd = READS[cs.img.code[pc * STRIDE] as number] as number;
          if (((rd & READ_AXON) !== 0 && (pendAx[cs.core] as number) < tc) || ((rd & READ_ACC) !== 0 && (pendAc[cs.core] as number) < tc)) {
            net.undefer();
            pendAx.fill(Infinity);
            pendAc.fill(Infinity);
            continue;
          }
        }
        cs.issuePc = pc;
        if (pc >= cs.img.length) this.fail(cs, `the program counter ran past the end of the program (${cs.img.length} instructions) without HALT`);
        const b = pc * STRIDE;
        const di = cs.img.code[b] as number;
        const def = INSTRUCTIONS[di]!;
        act.n = 0;
        act.scan = 0;
        act.ops = 0;
        act.flits = 0;
        act.spikes = 0;
        act.taken = 0;
        act.uses = 0;
        act.updates = 0;
        this.sN = 0;
        this.cur = cs;
        cs.pc = pc + 1;
        this.curDef = def;
        let bucket = 0;
        const attr = this.attr;
        if (attr !== undefined) {
          bucket = attr.other;
          const sl = RN_SLOT[di] as number;
          const nb = attr.neuronBucket[cs.core];
          if (sl >= 0 && nb !== undefined) {
            const r = cs.regs[cs.img.code[b + sl] as number] as number;
            if (r >= 0 && r < nb.length && (nb[r] as number) >= 0) bucket = nb[r] as number;
          }
        }
        (SEM[di] as Semantic)(this, cs, cs.img.code, b, act);
        const cyc = (CYCLES[di] as InstrDef['cycles'])(act, chip);
        // Energy events: the table's events(act) are affine in the activity (coefficients.ts) with
        // integer coefficients, so they are summed per (core, instruction): count and activity
        // sums here, the events evaluated once per inference (foldEvents). All values are integers
        // far below 2^53: the sums are exact in any order, the counts identical.
        const an = act.n, asc = act.scan, aop = act.ops, afl = act.flits, asp = act.spikes, atk = act.taken, aus = act.uses, aup = act.updates;
        {
          const ia = this.instAct;
          const slot = cs.core * NDEF + di;
          let o = slot * ACT_SUMS;
          if (ia[o] === 0) this.instUsed[this.instN++] = slot;
          ia[o] = ia[o]! + 1;
          ia[++o] = ia[o]! + an;
          ia[++o] = ia[o]! + asc;
          ia[++o] = ia[o]! + aop;
          ia[++o] = ia[o]! + afl;
          ia[++o] = ia[o]! + asp;
          ia[++o] = ia[o]! + atk;
          ia[++o] = ia[o]! + aus;
          ia[++o] = ia[o]! + aup;
          const ba = this.bucketAct;
          if (ba !== undefined) {
            const bs = bucket * NDEF + di;
            let q = bs * ACT_SUMS;
            if (ba[q] === 0) this.bucketUsed![this.bucketN++] = bs;
            ba[q] = ba[q]! + 1;
            ba[++q] = ba[q]! + an;
            ba[++q] = ba[q]! + asc;
            ba[++q] = ba[q]! + aop;
            ba[++q] = ba[q]! + afl;
            ba[++q] = ba[q]! + asp;
            ba[++q] = ba[q]! + atk;
            ba[++q] = ba[q]! + aus;
            ba[++q] = ba[q]! + aup;
          }
        }
        // Flits leave one per cycle, the last in the instruction's last cycle.
        if (this.sN > 0) {
          if (this.sN + net.n > this.maxFlits) this.fail(cs, `${this.sN + net.n} flits staged and in flight, past the ${this.maxFlits} the memory budget allows (--max-memory)`);
          const first = tc + cyc - this.sN;
          // One call for all of them (no payload numbers boxed as call arguments).
          this.seq[cs.core] = net.injectLocal(first, cs.core, this.seq[cs.core] as number, this.sN, this.sDst, this.sKind, this.sFlags, this.sAddr, this.sP0, this.sP1, bucket);
          if (net.deferring) {
            // A flit can be seen by an instruction issued after its delivery only; no delivery comes
            // before injection + hops x (routerLatency + linkLatency) + routerLatency.
            const rl = chip.routerLatency;
            const hl = rl + chip.linkLatency;
            const sx = this.mx[cs.core] as number;
            const sy = this.my[cs.core] as number;
            for (let k = 0; k < this.sN; k++) {
              if (((this.sFlags[k] as number) & ROUTE_NEXT_STEP) === 0) {
                const d = this.sDst[k] as number;
                const h = Math.abs((this.mx[d] as number) - sx) + Math.abs((this.my[d] as number) - sy);
                const lb = first + k + h * hl + rl;
                const pm = this.sKind[k] === FLIT_AXON ? pendAx : pendAc;
                if (lb < (pm[d] as number)) pm[d] = lb;
              }
            }
          }
        }
        tracer?.instr(cs.core, def.mnemonic, t0 + tc, cyc);
        cs.busy += cyc;
        cs.time = tc + cyc;
        if (cs.state === WAIT_INPUT && inputLeft === 0) this.resume(cs, Math.max(cs.time, lastInput + 1), 'input');
        {
          // cs is the heap's root: sift it down with its later time, or drop it when it waits.
          let x = hp[0]!;
          if (cs.state !== RUN) {
            x = hp[--hn]!;
          }
          if (hn > 0) {
            const t = states[x]!.time;
            let j = 0;
            for (;;) {
              let c = 2 * j + 1;
              if (c >= hn) break;
              let ic = hp[c]!;
              let tcc = states[ic]!.time;
              if (c + 1 < hn) {
                const ir = hp[c + 1]!;
                const tr = states[ir]!.time;
                if (tr < tcc || (tr === tcc && ir < ic)) {
                  c++;
                  ic = ir;
                  tcc = tr;
                }
              }
              if (t < tcc || (t === tcc && x < ic)) break;
              hp[j] = ic;
              j = c;
            }
            hp[j] = x;
            cs = states[hp[0]!];
            tc = (cs as CoreState).time;
          } else {
            cs = undefined;
            tc = Infinity;
          }
        }
        continue;
      }
      // Nothing runs and no event is pending: route the deferred flits, then it is a barrier.
      if (net.deferred > 0) {
        const n = net.n;
        this.deliverRange(net.resolve(), n);
        pendAx.fill(Infinity);
        pendAc.fill(Infinity);
      }
      let reach = 0;
      let allHalted = true;
      for (const s of states) {
        if (s.img.length === 0) continue;
        if (s.time > reach) reach = s.time;
        if (s.state !== HALTED) allHalted = false;
      }
      const release = Math.max(reach, net.lastDelivery + 1) + this.barrier;
      if (allHalted) {
        for (const s of states) {
          if (s.img.length === 0) continue;
          s.stall += release - s.time;
          tracer?.wait(s.core, 'halt', t0 + s.time, t0 + release);
        }
        return release;
      }
      let any = false;
      for (const s of states) {
        if (s.state === WAIT_SYNC) {
          s.syncs++;
          this.resume(s, release, 'sync');
          any = true;
          stale = true;
        }
      }
      if (!any) {
        const s = states.find((x) => x.state === WAIT_INPUT) as CoreState;
        this.fail(s, 'INPUT waits for input flits that never arrive');
      }
    }
  }

  private resume(s: CoreState, at: number, kind: 'sync' | 'input'): void {
    s.stall += at - s.time;
    this.tracer?.wait(s.core, kind, this.stepStart + s.time, this.stepStart + at);
    s.time = at;
    s.state = RUN;
  }
}
