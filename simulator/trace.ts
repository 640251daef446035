/**
 * Traces of one inference: a recorder (the engine's Tracer), VCD output (GTKWave: one time unit
 * per cycle, per-core busy lines and spike lines of chosen neurons) and Chrome/Perfetto trace
 * JSON (one 'X' event per instruction and per wait, per core; one per time step).
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

  neurons(core: number, from: number, n: number, out: Uint8Array, time: number): void {
    const rs = this.watch.get(core);
    if (!rs) return;
    for (const r of rs) {
      const lo = Math.max(from, r.from);
      const hi = Math.min(from + n - 1, r.to);
      for (let k = lo; k <= hi; k++) {
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

/** The trace as a Value Change Dump: one time unit per cycle. */
export function toVcd(d: TraceData, chip: ChipConfig, date = 'bwsnn simulation'): string {
  const lines: string[] = [];
  const periodNs = 1e9 / chip.clockHz;
  lines.push(`$date ${date} $end`);
  lines.push('$version bwsnn simulator $end');
  lines.push(`$comment one time unit = one cycle of ${chip.clockHz} Hz (${periodNs} ns); sample ${d.sample} $end`);
  lines.push('$timescale 1 ns $end');
  lines.push('$scope module chip $end');
  let next = 0;
  const busyId = new Map<number, string>();
  for (const c of d.cores) {
    const id = vcdId(next++);
    busyId.set(c, id);
    lines.push(`$var wire 1 ${id} core${c}_busy $end`);
  }
  const spikeId = new Map<string, string>();
  for (const r of d.watched) {
    lines.push(`$scope module core${r.core} $end`);
    for (let k = r.from; k <= r.to; k++) {
      const key = `${r.core}:${k}`;
      if (spikeId.has(key)) continue;
      const id = vcdId(next++);
      spikeId.set(key, id);
      lines.push(`$var wire 1 ${id} n${k}_spike $end`);
    }
    lines.push('$upscope $end');
  }
  lines.push('$upscope $end');
  lines.push('$enddefinitions $end');
  // Changes: (time, order, text). Later entries at the same time win, so rises come after falls.
  const ch: { t: number; o: number; s: string }[] = [];
  const { instr, spikes } = d;
  for (let i = 0; i < instr.core.length; i++) {
    const id = busyId.get(instr.core[i] as number);
    if (id === undefined) continue;
    ch.push({ t: instr.start[i] as number, o: 1, s: `1${id}` });
    ch.push({ t: (instr.start[i] as number) + (instr.dur[i] as number), o: 0, s: `0${id}` });
  }
  for (let i = 0; i < spikes.core.length; i++) {
    const id = spikeId.get(`${spikes.core[i]}:${spikes.neuron[i]}`);
    if (id === undefined) continue;
    ch.push({ t: spikes.time[i] as number, o: 1, s: `1${id}` });
    ch.push({ t: (spikes.time[i] as number) + 1, o: 0, s: `0${id}` });
  }
  ch.sort((a, b) => a.t - b.t || a.o - b.o);
  lines.push('#0');
  lines.push('$dumpvars');
  for (const id of busyId.values()) lines.push(`0${id}`);
  for (const id of spikeId.values()) lines.push(`0${id}`);
  lines.push('$end');
  // Collapse same-time changes of one signal to the last one.
  let i = 0;
  while (i < ch.length) {
    const t = (ch[i] as { t: number }).t;
    const last = new Map<string, string>();
    while (i < ch.length && (ch[i] as { t: number }).t === t) {
      const s = (ch[i] as { s: string }).s;
      last.set(s.slice(1), s);
      i++;
    }
    if (t > 0) lines.push(`#${t}`);
    for (const s of last.values()) lines.push(s);
  }
  lines.push(`#${Math.max(d.cycles, ch.length ? (ch[ch.length - 1] as { t: number }).t : 0)}`);
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
  return JSON.stringify({ traceEvents: ev, displayTimeUnit: 'ns', otherData: { clockHz: chip.clockHz, sample: d.sample } });
}
