/**
 * Dataflow and schedule choice (issue 13): per layer, dense popcount rows (ACC / ACCT) or
 * event-driven transposed rows (ACCE); per model, the step-major schedule or the time-batched
 * (layer-major) one. The choice comes from a cost model: the activities each alternative's
 * instructions would have, predicted from measured spike statistics of the layer's source
 * (`--profile`), priced by the ISA table's `events` and `cycles` and an energy price per event.
 *
 * The prediction assumes each source packed from bit 0 of word 0 (flat layout, one region).
 */
import { BwsnnError } from '../isa/errors.js';
import type { ChipConfig } from '../isa/chip.js';
import { BY_MNEMONIC, ENERGY_EVENTS, type Activity, type EnergyEvent } from '../isa/table.js';
import type { LoweredLayer, LoweredModel } from './ir.js';

export const DATAFLOWS = ['auto', 'dense', 'event'] as const;
export type DataflowOption = (typeof DATAFLOWS)[number];
export const SCHEDULES = ['auto', 'step', 'time'] as const;
export type ScheduleOption = (typeof SCHEDULES)[number];

/** Spike statistics of one source, means per inference (flat packing, 64-bit words). */
export interface SourceStats {
  /** Set bits over all (step, plane): spikes. */
  bits: number;
  /** Non-zero (step, plane, word) triples. */
  words: number;
  /** Sum over steps of the bits set in some plane of that step (event rows read, step-major). */
  stepBits: number;
  /** Bits set in some (step, plane): event rows read, time-batched. */
  anyBits: number;
  /** (plane, word) pairs non-zero in some step: dense rows read, time-batched. */
  anyWords: number;
}

/** Measured statistics per source name (the input's name or a layer's). */
export interface Profile {
  /** Samples measured. */
  samples: number;
  /** Data it was measured on (for the report). */
  data: string;
  sources: Record<string, SourceStats>;
}

/** Statistics of one inference's spikes of a source: `spk[(t*P + p)*size + k]`. */
export function spikeStats(spk: ArrayLike<number>, T: number, P: number, size: number): SourceStats {
  const words = Math.ceil(size / 64);
  const s: SourceStats = { bits: 0, words: 0, stepBits: 0, anyBits: 0, anyWords: 0 };
  const any = new Uint8Array(size);
  const anyW = new Uint8Array(P * words);
  for (let t = 0; t < T; t++) {
    const step = new Uint8Array(size);
    for (let p = 0; p < P; p++) {
      const o = (t * P + p) * size;
      for (let w = 0; w < words; w++) {
        let nz = false;
        for (let k = 64 * w; k < Math.min(size, 64 * w + 64); k++) {
          if (spk[o + k]) {
            s.bits++;
            nz = true;
            step[k] = 1;
            any[k] = 1;
          }
        }
        if (nz) {
          s.words++;
          anyW[p * words + w] = 1;
        }
      }
    }
    for (let k = 0; k < size; k++) s.stepBits += step[k]!;
  }
  for (let k = 0; k < size; k++) s.anyBits += any[k]!;
  for (let k = 0; k < anyW.length; k++) s.anyWords += anyW[k]!;
  return s;
}

/** Statistics assumed without a profile: every bit set with probability `rate`, independently per step. */
export function assumedStats(rate: number, T: number, P: number, size: number): SourceStats {
  const words = Math.ceil(size / 64);
  const pw = 1 - (1 - rate) ** 64;
  return {
    bits: rate * size * T * P,
    words: pw * words * T * P,
    stepBits: (1 - (1 - rate) ** P) * size * T,
    anyBits: (1 - (1 - rate) ** (P * T)) * size,
    anyWords: (1 - (1 - rate) ** (64 * T)) * words * P,
  };
}

/** The spike rate assumed for a source without a profile. */
export const ASSUMED_RATE = 0.1;

export type Dataflow = 'dense' | 'event';
export type Schedule = 'step' | 'time';

/** Predicted cost of one layer under one (dataflow, schedule). */
export interface Alternative {
  dataflow: Dataflow;
  schedule: Schedule;
  /** Predicted energy per inference of the layer's accumulate and neuron instructions, pJ. */
  energyPJ: number;
  /** Predicted busy cycles per inference of those instructions (one task holding the whole layer). */
  cycles: number;
}

export interface LayerChoice {
  layer: string;
  dataflow: Dataflow;
  /** Why this dataflow (chosen by the cost model, forced by --dataflow, or a fallback). */
  reason: string;
  alternatives: Alternative[];
}

export interface DataflowPlan {
  schedule: Schedule;
  scheduleReason: string;
  layers: LayerChoice[];
  /** Where the spike statistics came from. */
  statsFrom: string;
  notes: string[];
}

export interface DataflowOptions {
  dataflow?: DataflowOption;
  schedule?: ScheduleOption;
  profile?: Profile;
  /** Energy of one event in pJ (default: 1 for every event, i.e. counts). */
  price?: (e: EnergyEvent) => number;
}

/** Why a layer cannot use event rows, or undefined. */
export function eventBlocker(l: LoweredLayer): string | undefined {
  for (const s of l.synapses) {
    if (s.recurrent) return `its synapse from ${s.source} is recurrent`;
    if (s.op.kind === 'conv') return `its synapse from ${s.source} is a convolution`;
  }
  return undefined;
}

/** Why the model cannot use the time-batched schedule, or undefined. */
export function timeBlocker(lm: LoweredModel): string | undefined {
  for (const l of lm.layers) {
    const b = eventBlocker(l);
    if (b) return `layer ${l.name}: ${b}`;
  }
  return undefined;
}

function cost(mn: string, a: Activity, chip: ChipConfig, price: (e: EnergyEvent) => number): [number, number] {
  const def = BY_MNEMONIC.get(mn)!;
  const ev = def.events(a);
  let e = 0;
  for (const k of ENERGY_EVENTS) e += (ev[k] ?? 0) * price(k);
  return [e, def.cycles(a, chip)];
}

const act = (p: Partial<Activity>): Activity => ({ n: 0, scan: 0, ops: 0, flits: 0, spikes: 0, taken: 0, uses: 0, updates: 0, ...p });

/** Predicted energy and cycles of one layer under one alternative. */
export function predictLayer(l: LoweredLayer, lm: LoweredModel, chip: ChipConfig, stats: (src: string) => SourceStats, df: Dataflow, sc: Schedule, price: (e: EnergyEvent) => number): Alternative {
  const T = lm.meta.timesteps;
  const n = l.neurons;
  const rowWords = Math.ceil(n / 64);
  let e = 0;
  let c = 0;
  const add = ([de, dc]: [number, number], times = 1): void => {
    e += de * times;
    c += dc * times;
  };
  for (const s of l.synapses) {
    const src = lm.sources[s.source]!;
    const st = stats(s.source);
    if (s.op.kind === 'identity') {
      const scan = Math.ceil(n / 64);
      if (sc === 'step') add(cost('ACCS', act({ n, scan }), chip, price), T);
      else add(cost('ACCST', act({ n, scan: src.isInput ? scan : scan * T, updates: n * T }), chip, price));
      continue;
    }
    const len = Math.ceil(src.size / 64);
    const scan = s.ap * len;
    const same = src.isInput; // the input is the same at every step: read once when time-batched
    if (sc === 'step') {
      if (df === 'dense') add(cost('ACC', act({ n, scan, ops: (n * s.wq * st.words) / T }), chip, price), T);
      else add(cost('ACCE', act({ n, scan, ops: (st.stepBits / T) * s.wq * rowWords, uses: (st.bits / T) * s.wq * rowWords, updates: n * Math.min(1, st.bits / T) }), chip, price), T);
    } else if (df === 'dense') {
      add(cost('ACCT', act({ n, scan: same ? scan : scan * T, ops: n * s.wq * st.anyWords, uses: n * s.wq * st.words, updates: n * Math.min(T, st.words) }), chip, price));
    } else {
      add(cost('ACCE', act({ n, scan: same ? scan : scan * T, ops: st.anyBits * s.wq * rowWords, uses: st.bits * s.wq * rowWords, updates: n * Math.min(T, st.bits) }), chip, price));
    }
  }
  const mn = l.kind === 'readout' ? (sc === 'step' ? 'INTEG' : 'INTEGT') : sc === 'step' ? 'FIRE' : 'FIRET';
  if (sc === 'step') add(cost(mn, act({ n }), chip, price), T);
  else add(cost(mn, act({ n, uses: n * T }), chip, price));
  return { dataflow: df, schedule: sc, energyPJ: e, cycles: c };
}

/**
 * Choose per layer and for the model. Marks the chosen layers' synapses `event` in `lm` (the
 * partition, emit and codegen passes read it). Refuses a forced choice a layer cannot take.
 */
export function planDataflow(lm: LoweredModel, chip: ChipConfig, file: string, opts: DataflowOptions = {}): DataflowPlan {
  const want = opts.dataflow ?? 'dense';
  const wantS = opts.schedule ?? 'step';
  const price = opts.price ?? ((): number => 1);
  const T = lm.meta.timesteps;
  const notes: string[] = [];
  const stats = (name: string): SourceStats => {
    const got = opts.profile?.sources[name];
    if (got) return got;
    const src = lm.sources[name]!;
    return assumedStats(ASSUMED_RATE, T, src.planes, src.size);
  };
  const tb = timeBlocker(lm);
  if (wantS === 'time' && tb) throw new BwsnnError(`${file}: --schedule time: ${tb}; the time-batched schedule takes feed-forward dense layers only`, 2);
  const layers: LayerChoice[] = lm.layers.map((l) => {
    const blocker = eventBlocker(l);
    if (want === 'event' && blocker) throw new BwsnnError(`${file}: --dataflow event: layer ${l.name} cannot use event rows: ${blocker}`, 2);
    const alternatives: Alternative[] = [];
    for (const sc of ['step', 'time'] as const) {
      if (sc === 'time' && tb) continue;
      for (const df of ['dense', 'event'] as const) {
        if (df === 'event' && blocker) continue;
        alternatives.push(predictLayer(l, lm, chip, stats, df, sc, price));
      }
    }
    return { layer: l.name, dataflow: 'dense' as Dataflow, reason: '', alternatives };
  });
  // Schedule: forced, or the one with the lower total of each layer's best dataflow.
  let schedule: Schedule;
  let scheduleReason: string;
  const best = (lc: LayerChoice, sc: Schedule): Alternative | undefined =>
    lc.alternatives.filter((a) => a.schedule === sc && (want === 'auto' || a.dataflow === want)).sort((a, b) => a.energyPJ - b.energyPJ)[0];
  if (wantS !== 'auto') {
    schedule = wantS;
    scheduleReason = `--schedule ${wantS}`;
  } else if (tb) {
    schedule = 'step';
    scheduleReason = `auto: step-major (${tb})`;
    notes.push(`--schedule auto: step-major, the time-batched schedule does not apply (${tb})`);
  } else {
    const tot = (sc: Schedule): number => layers.reduce((s, lc) => s + (best(lc, sc)?.energyPJ ?? Infinity), 0);
    schedule = tot('time') < tot('step') ? 'time' : 'step';
    scheduleReason = `auto: predicted ${fmt(tot('step'))} (step) vs ${fmt(tot('time'))} (time) per inference`;
  }
  lm.layers.forEach((l, i) => {
    const lc = layers[i]!;
    const blocker = eventBlocker(l);
    if (want === 'dense' || want === 'event') {
      lc.dataflow = want;
      lc.reason = `--dataflow ${want}`;
    } else if (blocker) {
      lc.dataflow = 'dense';
      lc.reason = `auto: dense (${blocker})`;
    } else {
      const b = best(lc, schedule)!;
      lc.dataflow = b.dataflow;
      lc.reason = 'auto: lowest predicted energy';
    }
    for (const s of l.synapses) s.event = lc.dataflow === 'event' && s.op.kind === 'dense' ? true : undefined;
  });
  const statsFrom = opts.profile ? `measured on ${opts.profile.samples} samples of ${opts.profile.data}` : `assumed: every spike bit set with probability ${ASSUMED_RATE} per step`;
  return { schedule, scheduleReason, layers, statsFrom, notes };
}

/** Mark each layer's dense synapses `event` as a (final) plan chose (resuming from a dump of validate). */
export function applyPlan(lm: LoweredModel, plan: DataflowPlan): void {
  for (const l of lm.layers) {
    const lc = plan.layers.find((x) => x.layer === l.name);
    for (const s of l.synapses) s.event = lc?.dataflow === 'event' && s.op.kind === 'dense' ? true : undefined;
  }
}

/** Set a layer back to dense (auto fallback after partition). */
export function fallBackToDense(lm: LoweredModel, plan: DataflowPlan, layer: string, why: string): void {
  const l = lm.layers.find((x) => x.name === layer)!;
  for (const s of l.synapses) s.event = undefined;
  const lc = plan.layers.find((x) => x.layer === layer)!;
  lc.dataflow = 'dense';
  lc.reason = `auto: dense (${why})`;
  plan.notes.push(`layer ${layer}: event rows do not apply (${why}): dense instead`);
}

function fmt(pj: number): string {
  return pj >= 1e6 ? `${(pj / 1e6).toFixed(3)} uJ` : pj >= 1e3 ? `${(pj / 1e3).toFixed(2)} nJ` : `${pj.toFixed(1)} pJ`;
}
export { fmt as formatPJ };

/** The plan as report lines: schedule, then per layer the choice and every alternative's prediction. */
export function formatPlan(p: DataflowPlan, priced = true): string[] {
  const out: string[] = [''];
  out.push(`dataflow: schedule ${p.schedule === 'time' ? 'time-batched (layer-major)' : 'step-major'} (${p.scheduleReason}); spike statistics ${p.statsFrom}`);
  out.push(`  layer                choice  reason                               predicted per inference: ${priced ? 'energy' : 'events'} / busy cycles of dense-step, event-step, dense-time, event-time`);
  for (const l of p.layers) {
    const cell = (df: Dataflow, sc: Schedule): string => {
      const a = l.alternatives.find((x) => x.dataflow === df && x.schedule === sc);
      return a ? `${priced ? fmt(a.energyPJ) : a.energyPJ.toFixed(0)} / ${a.cycles.toFixed(0)}` : '-';
    };
    out.push(
      `  ${l.layer.padEnd(20)} ${l.dataflow.padEnd(7)} ${l.reason.padEnd(36)} ${[cell('dense', 'step'), cell('event', 'step'), cell('dense', 'time'), cell('event', 'time')].map((c) => c.padEnd(22)).join(' ')}`,
    );
  }
  for (const n of p.notes) out.push(`note: ${n}`);
  return out;
}
