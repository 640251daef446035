/**
 * Traces of one inference: a recorder (the engine's Tracer), VCD output (GTKWave: real time,
 * cycle x clock period; a scope per core holding its busy line and a scope per layer holding the
 * chosen neurons' spike lines and membrane values as signed integer vectors) and Chrome/Perfetto
 * trace JSON (one 'X' event per instruction and per wait, per core; one per time step; counter
 * tracks of busy cores and of the chosen neurons' spikes and membranes).
 */
import type { ChipConfig } from '../isa/chip.js';
import { BwsnnError } from '../base/errors.js';
import type { Tracer } from './engine.js';

/** Neurons whose spike lines go into the VCD: neurons from..to (inclusive) of a core. */
export interface NeuronRange {
  core: number;
  from: number;
  to: number;
}

/** Plain data (structured-cloneable) of one traced inference. */
export interface TraceData {
  sample: number;
  instr: { core: number[]; name: string[]; start: number[]; dur: number[] };
  waits: { core: number[]; kind: string[]; start: number[]; end: number[] };
  /** Spike pulses of watched neurons: a neuron fired at `time` (one cycle wide). */
  spikes: { core: number[]; neuron: number[]; time: number[] };
  /** Flits leaving a router on one of its mesh links (dir: 0 E, 1 W, 2 S, 3 N). */
  links?: { router: number[]; dir: number[]; time: number[] };
  /** Membrane values of watched neurons after each update (only changes are kept). */
  membrane?: { core: number[]; neuron: number[]; time: number[]; value: number[] };
  steps: { start: number[]; end: number[] };
  watched: NeuronRange[];
  cores: number[];
  cycles: number;
}

/** Parse "core:from-to,core:n,..." (the CLI's --vcd-neurons). */
export function parseNeuronRanges(text: string, where = '--vcd-neurons'): NeuronRange[] {
  const out: NeuronRange[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const m = /^(\d+):(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new BwsnnError(`${where}: "${part}" is not core:from-to or core:neuron`, 2);
    const core = Number(m[1]);
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (to < from) throw new BwsnnError(`${where}: "${part}": range end ${to} is before its start ${from}`, 2);
    if (to - from > 65535) throw new BwsnnError(`${where}: "${part}": more than 65536 neurons`, 2);
    out.push({ core, from, to });
  }
  return out;
}

export class TraceRecorder implements Tracer {
  readonly data: TraceData;
  private readonly watch: Map<number, NeuronRange[]>;

  constructor(sample: number, watched: NeuronRange[], cores: number[]) {
    this.data = {
      sample,
      instr: { core: [], name: [], start: [], dur: [] },
      waits: { core: [], kind: [], start: [], end: [] },
      spikes: { core: [], neuron: [], time: [] },
      membrane: { core: [], neuron: [], time: [], value: [] },
      links: { router: [], dir: [], time: [] },
      steps: { start: [], end: [] },
      watched,
      cores,
      cycles: 0,
    };
    this.watch = new Map();
    for (const r of watched) this.watch.set(r.core, [...(this.watch.get(r.core) ?? []), r]);
  }

  instr(core: number, mnemonic: string, start: number, cycles: number): void {
    const d = this.data.instr;
    d.core.push(core);
    d.name.push(mnemonic);
    d.start.push(start);
    d.dur.push(cycles);
  }

  wait(core: number, kind: 'sync' | 'input' | 'halt', start: number, end: number): void {
    if (end <= start) return;
    const d = this.data.waits;
    d.core.push(core);
    d.kind.push(kind);
    d.start.push(start);
    d.end.push(end);
  }

  private readonly lastV = new Map<string, number>();

  link(router: number, dir: number, time: number): void {
    const l = this.data.links!;
    l.router.push(router);
    l.dir.push(dir);
    l.time.push(time);
  }

  neurons(core: number, from: number, n: number, out: Uint8Array, time: number, v?: Int32Array): void {
    const rs = this.watch.get(core);
    if (!rs) return;
    for (const r of rs) {
      const lo = Math.max(from, r.from);
      const hi = Math.min(from + n - 1, r.to);
      for (let k = lo; k <= hi; k++) {
        if (v !== undefined && this.data.membrane) {
          const key = `${core}:${k}`;
          const val = v[k] as number;
          if (this.lastV.get(key) !== val) {
            this.lastV.set(key, val);
            const m = this.data.membrane;
            m.core.push(core);
            m.neuron.push(k);
            m.time.push(time);
            m.value.push(val);
          }
        }
        if (out[k] === 1) {
          this.data.spikes.core.push(core);
          this.data.spikes.neuron.push(k);
          this.data.spikes.time.push(time);
        }
      }
    }
  }

  step(_t: number, start: number, end: number): void {
    this.data.steps.start.push(start);
    this.data.steps.end.push(end);
    this.data.cycles = end;
  }
}

/** VCD identifier code k (printable ASCII 33..126, base 94). */
function vcdId(k: number): string {
  let s = '';
  do {
    s += String.fromCharCode(33 + (k % 94));
    k = Math.floor(k / 94);
  } while (k > 0);
  return s;
}

/** Where a neuron of a core belongs: its layer and its index in the layer (from the binary's probes). */
export type NeuronNames = Map<string, { layer: string; index: number }>;

/** The VCD time unit and the time of a cycle in it: 1 ns when the clock period is a whole number of ns, else 1 ps. */
export function vcdTime(clockHz: number): { timescale: string; at: (cycle: number) => number } {
  const ns = 1e9 / clockHz;
  if (Number.isInteger(ns)) return { timescale: '1 ns', at: (c) => c * ns };
  return { timescale: '1 ps', at: (c) => Math.round((c * 1e12) / clockHz) };
}

const LINKS = ['E', 'W', 'S', 'N'];

/** A VCD scope/variable name: letters, digits and _ only (GTKWave splits names at dots). */
function vcdName(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}

/** `bits`-wide two's complement of v. */
function vcdBits(v: number, bits: number): string {
  const u = v < 0 ? 2 ** bits + v : v;
  return u.toString(2).padStart(bits, '0').slice(-bits);
}

/**
 * The trace as a Value Change Dump in real time (cycle x clock period). Scopes: chip > coreN
 * (busy) > layer (nK_spike, nK_v of the watched neurons, K = the neuron's index in its layer;
 * neurons outside every probed layer are named coreN.neuronK).
 */
export function toVcd(d: TraceData, chip: ChipConfig, date = 'bwsnn simulation', names: NeuronNames = new Map()): string {
  const lines: string[] = [];
  const periodNs = 1e9 / chip.clockHz;
  const time = vcdTime(chip.clockHz);
  lines.push(`$date ${date} $end`);
  lines.push('$version bwsnn simulator $end');
  lines.push(`$comment time = cycle x ${periodNs} ns (clock ${chip.clockHz} Hz); sample ${d.sample} $end`);
  lines.push(`$timescale ${time.timescale} $end`);
  lines.push('$scope module chip $end');
  let next = 0;
  const busyId = new Map<number, string>();
  const spikeId = new Map<string, string>();
  const memId = new Map<string, string>();
  const bits = chip.membraneBits;
  // Links that carried flits: a counter of the flits sent on each (cumulative over the inference).
  const linkId = new Map<string, string>();
  const linkDirs = new Map<number, number[]>();
  const L = d.links ?? { router: [], dir: [], time: [] };
  for (let i = 0; i < L.router.length; i++) {
    const list = linkDirs.get(L.router[i] as number) ?? [];
    if (!list.includes(L.dir[i] as number)) list.push(L.dir[i] as number);
    linkDirs.set(L.router[i] as number, list.sort());
  }
  const watchedCores = [...new Set([...d.cores, ...d.watched.map((r) => r.core), ...linkDirs.keys()])].sort((a, b) => a - b);
  for (const c of watchedCores) {
    lines.push(`$scope module core${c} $end`);
    if (d.cores.includes(c)) {
      const id = vcdId(next++);
      busyId.set(c, id);
      lines.push(`$var wire 1 ${id} busy $end`);
    }
    for (const dir of linkDirs.get(c) ?? []) {
      const id = vcdId(next++);
      linkId.set(`${c}:${dir}`, id);
      lines.push(`$var integer 32 ${id} flits_${LINKS[dir]} $end`);
    }
    // The watched neurons of this core, grouped by layer.
    const byLayer = new Map<string, { k: number; index: number }[]>();
    for (const r of d.watched) {
      if (r.core !== c) continue;
      for (let k = r.from; k <= r.to; k++) {
        const nm = names.get(`${c}:${k}`);
        const layer = nm ? nm.layer : '';
        if (!byLayer.has(layer)) byLayer.set(layer, []);
        const list = byLayer.get(layer)!;
        if (!list.some((x) => x.k === k)) list.push({ k, index: nm ? nm.index : k });
      }
    }
    for (const [layer, list] of byLayer) {
      if (layer !== '') lines.push(`$scope module ${vcdName(layer)} $end`);
      for (const { k, index } of list) {
        const key = `${c}:${k}`;
        const base = layer !== '' ? `n${index}` : `neuron${k}`;
        const sid = vcdId(next++);
        spikeId.set(key, sid);
        lines.push(`$var wire 1 ${sid} ${base}_spike $end`);
        const mid = vcdId(next++);
        memId.set(key, mid);
        lines.push(`$var integer ${bits} ${mid} ${base}_v $end`);
      }
      if (layer !== '') lines.push('$upscope $end');
    }
    lines.push('$upscope $end');
  }
  lines.push('$upscope $end');
  lines.push('$enddefinitions $end');
  // Changes: (cycle, order, signal id, text). Later entries at the same time win, so rises come after falls.
  const ch: { t: number; o: number; id: string; s: string }[] = [];
  const { instr, spikes } = d;
  for (let i = 0; i < instr.core.length; i++) {
    const id = busyId.get(instr.core[i] as number);
    if (id === undefined) continue;
    ch.push({ t: instr.start[i] as number, o: 1, id, s: `1${id}` });
    ch.push({ t: (instr.start[i] as number) + (instr.dur[i] as number), o: 0, id, s: `0${id}` });
  }
  for (let i = 0; i < spikes.core.length; i++) {
    const id = spikeId.get(`${spikes.core[i]}:${spikes.neuron[i]}`);
    if (id === undefined) continue;
    ch.push({ t: spikes.time[i] as number, o: 1, id, s: `1${id}` });
    ch.push({ t: (spikes.time[i] as number) + 1, o: 0, id, s: `0${id}` });
  }
  const m = d.membrane;
  if (m) {
    for (let i = 0; i < m.core.length; i++) {
      const id = memId.get(`${m.core[i]}:${m.neuron[i]}`);
      if (id === undefined) continue;
      ch.push({ t: m.time[i] as number, o: 2, id, s: `b${vcdBits(m.value[i] as number, bits)} ${id}` });
    }
  }
  const order = L.time.map((_, i) => i).sort((a, b) => (L.time[a] as number) - (L.time[b] as number));
  const sent = new Map<string, number>();
  for (const i of order) {
    const key = `${L.router[i]}:${L.dir[i]}`;
    const n = (sent.get(key) ?? 0) + 1;
    sent.set(key, n);
    const id = linkId.get(key) as string;
    ch.push({ t: L.time[i] as number, o: 3, id, s: `b${n.toString(2)} ${id}` });
  }
  ch.sort((a, b) => a.t - b.t || a.o - b.o);
  lines.push('#0');
  lines.push('$dumpvars');
  for (const id of busyId.values()) lines.push(`0${id}`);
  for (const id of spikeId.values()) lines.push(`0${id}`);
  for (const id of memId.values()) lines.push(`b${'0'.repeat(bits)} ${id}`);
  for (const id of linkId.values()) lines.push(`b0 ${id}`);
  lines.push('$end');
  // Collapse same-time changes of one signal to the last one.
  let i = 0;
  while (i < ch.length) {
    const t = (ch[i] as { t: number }).t;
    const last = new Map<string, string>();
    while (i < ch.length && (ch[i] as { t: number }).t === t) {
      const c = ch[i] as { id: string; s: string };
      last.set(c.id, c.s);
      i++;
    }
    if (t > 0) lines.push(`#${time.at(t)}`);
    for (const s of last.values()) lines.push(s);
  }
  lines.push(`#${time.at(Math.max(d.cycles, ch.length ? (ch[ch.length - 1] as { t: number }).t : 0))}`);
  return lines.join('\n') + '\n';
}

/** The trace as Chrome / Perfetto trace-event JSON (timestamps in microseconds). */
export function toChromeTrace(d: TraceData, chip: ChipConfig): string {
  const us = (c: number): number => (c / chip.clockHz) * 1e6;
  const ev: Record<string, unknown>[] = [];
  ev.push({ name: 'process_name', ph: 'M', pid: 0, tid: 0, args: { name: `bwsnn ${chip.name} (sample ${d.sample})` } });
  ev.push({ name: 'thread_name', ph: 'M', pid: 0, tid: 0, args: { name: 'time steps' } });
  for (const c of d.cores) ev.push({ name: 'thread_name', ph: 'M', pid: 0, tid: c + 1, args: { name: `core ${c}` } });
  d.steps.start.forEach((s, t) => {
    const e = d.steps.end[t] as number;
    ev.push({ name: `step ${t}`, cat: 'step', ph: 'X', pid: 0, tid: 0, ts: us(s), dur: us(e - s), args: { cycles: e - s } });
  });
  const { instr, waits } = d;
  for (let i = 0; i < instr.core.length; i++) {
    ev.push({
      name: instr.name[i],
      cat: 'instr',
      ph: 'X',
      pid: 0,
      tid: (instr.core[i] as number) + 1,
      ts: us(instr.start[i] as number),
      dur: us(instr.dur[i] as number),
      args: { cycle: instr.start[i], cycles: instr.dur[i] },
    });
  }
  for (let i = 0; i < waits.core.length; i++) {
    const s = waits.start[i] as number;
    const e = waits.end[i] as number;
    ev.push({ name: `wait ${waits.kind[i]}`, cat: 'stall', ph: 'X', pid: 0, tid: (waits.core[i] as number) + 1, ts: us(s), dur: us(e - s), args: { cycle: s, cycles: e - s } });
  }
  // Counter tracks: cores busy at each instant, and the watched neurons' spikes per time step and membranes.
  const edges: { t: number; d: number }[] = [];
  for (let i = 0; i < instr.core.length; i++) {
    edges.push({ t: instr.start[i] as number, d: 1 });
    edges.push({ t: (instr.start[i] as number) + (instr.dur[i] as number), d: -1 });
  }
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let busy = 0;
  for (let i = 0; i < edges.length; ) {
    const t = (edges[i] as { t: number }).t;
    while (i < edges.length && (edges[i] as { t: number }).t === t) busy += (edges[i++] as { d: number }).d;
    ev.push({ name: 'cores busy', ph: 'C', pid: 0, tid: 0, ts: us(t), args: { cores: busy } });
  }
  d.steps.start.forEach((s, t) => {
    const e = d.steps.end[t] as number;
    let n = 0;
    for (const time of d.spikes.time) if (time >= s && time < e) n++;
    ev.push({ name: 'spikes of the watched neurons', ph: 'C', pid: 0, tid: 0, ts: us(s), args: { spikes: n } });
  });
  const links = d.links;
  if (links) {
    const order = links.time.map((_, i) => i).sort((a, b) => (links.time[a] as number) - (links.time[b] as number));
    const sent = new Map<number, number>();
    for (const i of order) {
      const r = links.router[i] as number;
      sent.set(r, (sent.get(r) ?? 0) + 1);
      ev.push({ name: `router ${r} flits sent`, ph: 'C', pid: 0, tid: r + 1, ts: us(links.time[i] as number), args: { flits: sent.get(r) } });
    }
  }
  const m = d.membrane;
  if (m) {
    for (let i = 0; i < m.core.length; i++) {
      ev.push({ name: `core ${m.core[i]} neuron ${m.neuron[i]} membrane`, ph: 'C', pid: 0, tid: (m.core[i] as number) + 1, ts: us(m.time[i] as number), args: { v: m.value[i] } });
    }
  }
  return JSON.stringify({ traceEvents: ev, displayTimeUnit: 'ns', otherData: { clockHz: chip.clockHz, sample: d.sample } });
}
