/**
 * Reference semantics of the dataflow instructions (isa/dataflow-table.ts): STEP, the
 * time-batched ACCT / FIRET / INTEGT / SENDT and the event-driven ACCE. Like semantics.ts, each
 * function changes the core's state and fills in the Activity; cycles and energy come from the
 * table.
 *
 * Time slots live in the core's neuron unit (TimeSlots): accT[bank][t][neuron] accumulators and
 * the spike history outT[t][neuron], for the T steps of the inference.
 */
import { NEURON_NO_MEMORY, ROUTE_NEXT_STEP } from '../isa/container-types.js';
import type { Activity } from '../isa/table.js';
import { slot } from './load.js';
import { sendLastWord } from '../isa/validate.js';
import { popcount32 } from './popcount.js';
import type { CoreState } from './state.js';
import { checkAxon, checkNeurons, checkSyn, neuronStep, packSpikes, reg, type Exec, type Semantic } from './semantics.js';
import { ACT, ACTIVITY_COUNT } from './energy/activity.js';

/** Time-slot storage of one core (allocated on first use). */
export class TimeSlots {
  readonly acc: [Float64Array, Float64Array];
  readonly outT: Uint8Array;
  /** 1 for neurons whose spike train is in outT (updated by FIRET this inference). */
  readonly batched: Uint8Array;
  used = false;
  constructor(
    readonly T: number,
    readonly N: number,
  ) {
    this.acc = [new Float64Array(T * N), new Float64Array(T * N)];
    this.outT = new Uint8Array(T * N);
    this.batched = new Uint8Array(N);
  }
  reset(): void {
    if (!this.used) return;
    this.acc[0].fill(0);
    this.acc[1].fill(0);
    this.outT.fill(0);
    this.batched.fill(0);
    this.used = false;
  }
}

export function slotsOf(x: Exec, cs: CoreState): TimeSlots {
  let s = cs.slots;
  if (s === undefined || s.T !== x.timesteps) {
    s = new TimeSlots(x.timesteps, cs.v.length);
    cs.slots = s;
  }
  s.used = true;
  return s;
}

const S = (m: string, f: string): number => slot(m, f);
const STEP = { rd: S('STEP', 'rd') };
const fields = (m: string, names: string[]): Record<string, number> => Object.fromEntries(names.map((f) => [f, S(m, f)]));
const ACCT = fields('ACCT', ['acc', 'rn', 'rw', 'ra', 'rs', 'n', 'len', 'wmode', 'wq', 'ap']);
const ACCE = fields('ACCE', ['acc', 'rn', 'rw', 'ra', 'rs', 'n', 'len', 'wmode', 'wq', 'ap', 'tb']);
const ACCST = fields('ACCST', ['acc', 'rn', 'ra', 'rs', 'n', 'g', 'cw']);
const FIRET = fields('FIRET', ['rn', 'n', 'b']);
const INTEGT = fields('INTEGT', ['rn', 'n', 'b']);
const SENDT = fields('SENDT', ['rn', 'n', 'route', 'g', 'cw', 'rs']);

/** Weight of plane bits: binary +-1, unsigned sum 2^q b_q, two's complement with plane wq-1 negative. */
function planeWeight(syn: Uint32Array, word0: number, planeStride: number, bit: number, wmode: number, wq: number): number {
  const hw = bit >> 5;
  const sh = bit & 31;
  if (wmode === 0) return ((syn[2 * word0 + hw]! >>> sh) & 1) === 1 ? 1 : -1;
  let w = 0;
  for (let q = 0; q < wq; q++) {
    const b = (syn[2 * (word0 + q * planeStride) + hw]! >>> sh) & 1;
    if (b) w += wmode === 2 && q === wq - 1 ? -(2 ** q) : 2 ** q;
  }
  return w;
}

/** The dense rule of one axon word a = (lo, hi) against the row planes at word w0 (plane stride len). */
function denseWord(syn: Uint32Array, w0: number, len: number, lo: number, hi: number, wmode: number, wq: number): number {
  const pa = popcount32(lo) + popcount32(hi);
  let s = 0;
  for (let q = 0; q < wq; q++) {
    const o = 2 * (w0 + q * len);
    const c = popcount32(lo & syn[o]!) + popcount32(hi & syn[o + 1]!);
    if (wmode === 0) return 2 * c - pa;
    s += wmode === 2 && q === wq - 1 ? -(2 ** q) * c : 2 ** q * c;
  }
  return s;
}

const accT: Semantic = (x, cs, code, b, a) => {
  const rn = reg(cs, code, b + ACCT.rn!);
  const rw = reg(cs, code, b + ACCT.rw!);
  const ra = reg(cs, code, b + ACCT.ra!);
  const rs = reg(cs, code, b + ACCT.rs!);
  const n = code[b + ACCT.n!]!;
  const len = code[b + ACCT.len!]!;
  const wmode = code[b + ACCT.wmode!]!;
  const wq = code[b + ACCT.wq!]!;
  const ap = code[b + ACCT.ap!]!;
  const T = x.timesteps;
  const slots = rs === 0 ? 1 : T;
  checkNeurons(x, cs, rn, n, 'ACCT');
  checkAxon(x, cs, ra, ra + (slots - 1) * rs + ap * len - 1, 'ACCT');
  checkSyn(x, cs, rw, n * wq * len, 'ACCT');
  const ts = slotsOf(x, cs);
  const acc = ts.acc[code[b + ACCT.acc!]!]!;
  const N = ts.N;
  const ax = cs.axon;
  const base = cs.wordAt(cs.cur, ra);
  const syn = cs.img.syn;
  let ops = 0;
  let uses = 0;
  const lo = new Int32Array(T);
  const hi = new Int32Array(T);
  const touched = new Uint8Array(T);
  for (let p = 0; p < ap; p++) {
    for (let j = 0; j < len; j++) {
      let any = 0;
      let bits = 0;
      for (let t = 0; t < T; t++) {
        const o = base + 2 * ((rs === 0 ? 0 : t * rs) + p * len + j);
        lo[t] = ax[o]!;
        hi[t] = ax[o + 1]!;
        if ((lo[t]! | hi[t]!) !== 0) {
          any++;
          touched[t] = 1;
          bits += popcount32(lo[t]!) + popcount32(hi[t]!);
        }
      }
      if (any === 0) continue;
      ops += n * wq;
      uses += n * wq * any;
      cs.sops += n * bits;
      const scale = 2 ** p;
      for (let i = 0; i < n; i++) {
        const w0 = rw + i * wq * len + j;
        for (let t = 0; t < T; t++) {
          if ((lo[t]! | hi[t]!) === 0) continue;
          const k = t * N + rn + i;
          acc[k] = acc[k]! + scale * denseWord(syn, w0, len, lo[t]!, hi[t]!, wmode, wq);
        }
      }
    }
  }
  let slotsTouched = 0;
  for (let t = 0; t < T; t++) slotsTouched += touched[t]!;
  a.n = n;
  a.scan = ap * len * slots;
  a.ops = ops;
  a.uses = uses;
  a.updates = n * slotsTouched;
};

/** Scratch: per source bit, per slot, the sum of 2^p over the planes whose bit is set. */
let coefBuf = new Float64Array(0);

const accE: Semantic = (x, cs, code, b, a) => {
  const rn = reg(cs, code, b + ACCE.rn!);
  const rw = reg(cs, code, b + ACCE.rw!);
  const ra = reg(cs, code, b + ACCE.ra!);
  const tb = code[b + ACCE.tb!]!;
  const rs = tb ? reg(cs, code, b + ACCE.rs!) : 0;
  const n = code[b + ACCE.n!]!;
  const len = code[b + ACCE.len!]!;
  const wmode = code[b + ACCE.wmode!]!;
  const wq = code[b + ACCE.wq!]!;
  const ap = code[b + ACCE.ap!]!;
  const T = tb ? x.timesteps : 1;
  const slots = rs === 0 ? 1 : T;
  const rowWords = Math.ceil(n / 64);
  checkNeurons(x, cs, rn, n, 'ACCE');
  checkAxon(x, cs, ra, ra + (slots - 1) * rs + ap * len - 1, 'ACCE');
  checkSyn(x, cs, rw, 64 * len * wq * rowWords, 'ACCE');
  let acc: Float64Array;
  let N = 0;
  if (tb) {
    const ts = slotsOf(x, cs);
    acc = ts.acc[code[b + ACCE.acc!]!]!;
    N = ts.N;
  } else acc = code[b + ACCE.acc!] ? cs.acc1 : cs.acc0;
  const bitsN = 64 * len;
  if (coefBuf.length < bitsN * T) coefBuf = new Float64Array(bitsN * T);
  const coef = coefBuf;
  coef.fill(0, 0, bitsN * T);
  const ax = cs.axon;
  const base = cs.wordAt(cs.cur, ra);
  let spikes = 0;
  const slotSpikes = new Int32Array(T);
  // Spike events of every slot (the same words at every slot when rs = 0).
  for (let t = 0; t < slots; t++) {
    for (let p = 0; p < ap; p++) {
      for (let j = 0; j < len; j++) {
        const o = base + 2 * (t * rs + p * len + j);
        for (let h = 0; h < 2; h++) {
          let w = ax[o + h]!;
          while (w !== 0) {
            const bit = 31 - Math.clz32(w & -w);
            w &= w - 1;
            const jb = 64 * j + 32 * h + bit;
            if (slots === 1) {
              for (let u = 0; u < T; u++) {
                coef[jb * T + u] = coef[jb * T + u]! + 2 ** p;
                slotSpikes[u] = slotSpikes[u]! + 1;
              }
            } else {
              coef[jb * T + t] = coef[jb * T + t]! + 2 ** p;
              slotSpikes[t] = slotSpikes[t]! + 1;
            }
            spikes += slots === 1 ? T : 1;
          }
        }
      }
    }
  }
  const syn = cs.img.syn;
  let rows = 0;
  for (let jb = 0; jb < bitsN; jb++) {
    let any = false;
    for (let t = 0; t < T; t++) if (coef[jb * T + t] !== 0) any = true;
    if (!any) continue;
    rows++;
    const w0 = rw + jb * wq * rowWords;
    for (let i = 0; i < n; i++) {
      const w = planeWeight(syn, w0 + (i >> 6), rowWords, i & 63, wmode, wq);
      for (let t = 0; t < T; t++) {
        const c = coef[jb * T + t]!;
        if (c === 0) continue;
        const k = t * N + rn + i;
        acc[k] = acc[k]! + c * w;
      }
    }
  }
  let slotsTouched = 0;
  for (let t = 0; t < T; t++) if (slotSpikes[t]! > 0) slotsTouched++;
  cs.sops += spikes * n;
  a.n = n;
  a.scan = ap * len * slots;
  a.ops = rows * wq * rowWords;
  a.uses = spikes * wq * rowWords;
  a.updates = n * slotsTouched;
};

const accST: Semantic = (x, cs, code, b, a) => {
  const rn = reg(cs, code, b + ACCST.rn!);
  const ra = reg(cs, code, b + ACCST.ra!);
  const rs = reg(cs, code, b + ACCST.rs!);
  const n = code[b + ACCST.n!]!;
  const g = code[b + ACCST.g!]!;
  const cw = code[b + ACCST.cw!]!;
  const T = x.timesteps;
  const slots = rs === 0 ? 1 : T;
  checkNeurons(x, cs, rn, n, 'ACCST');
  const groups = Math.ceil(n / g);
  const lastBit = (n - 1) % g;
  checkAxon(x, cs, ra, ra + (slots - 1) * rs + (groups - 1) * cw + ((Math.min(g, n) - 1) >> 6), 'ACCST');
  const ts = slotsOf(x, cs);
  const acc = ts.acc[code[b + ACCST.acc!]!]!;
  const ax = cs.axon;
  for (let t = 0; t < T; t++) {
    const base = cs.wordAt(cs.cur, ra + (rs === 0 ? 0 : t * rs));
    for (let i = 0; i < n; i++) {
      const grp = Math.floor(i / g);
      const bit = i - grp * g;
      const o = base + 2 * (grp * cw + (bit >> 6)) + ((bit >> 5) & 1);
      if (((ax[o] as number) >>> (bit & 31)) & 1) {
        const k = t * ts.N + rn + i;
        acc[k] = acc[k]! + 1;
        cs.sops++;
      }
    }
  }
  const scan = (groups - 1) * (((g - 1) >> 6) + 1) + (lastBit >> 6) + 1;
  a.n = n;
  a.scan = scan * slots;
  a.updates = n * T;
};

function neuronUpdateT(x: Exec, cs: CoreState, rn: number, n: number, useBias: number, fire: boolean, a: Activity): void {
  checkNeurons(x, cs, rn, n, fire ? 'FIRET' : 'INTEGT');
  const ts = slotsOf(x, cs);
  const T = ts.T;
  const N = ts.N;
  const p = cs.img.params;
  const { v, out, isyn } = cs;
  const [a0, a1] = ts.acc;
  const vmin = x.vmin;
  const vmax = x.vmax;
  let spikes = 0;
  let active = 0;
  for (let k = rn; k < rn + n; k++) {
    const fl = p.flags[k]!;
    let o = 0;
    for (let t = 0; t < T; t++) {
      const s = t * N + k;
      // Activity: active if its input, membrane, current or bias is non-zero (as FIRE counts it).
      if (a0[s] !== 0 || a1[s] !== 0 || (v[k] !== 0 && !(fl & NEURON_NO_MEMORY)) || isyn[k] !== 0 || (useBias && p.bias[k] !== 0)) active++;
      o = neuronStep(cs, k, a0[s]!, a1[s]!, useBias, fire, vmin, vmax);
      a0[s] = 0;
      a1[s] = 0;
      spikes += o;
      ts.outT[s] = o;
    }
    out[k] = o;
    ts.batched[k] = 1;
  }
  a.n = n;
  a.uses = n * T;
  a.spikes = spikes;
  const ab = cs.core * ACTIVITY_COUNT;
  const av = x.activity;
  av[ab + ACT.neuronUpdates]! += n * T;
  av[ab + ACT.neuronUpdatesActive]! += active;
  av[ab + ACT.spikesOut]! += spikes;
  x.fired?.(cs, rn, n);
}

const sendT: Semantic = (x, cs, code, b, a) => {
  const rn = reg(cs, code, b + SENDT.rn!);
  const n = code[b + SENDT.n!]!;
  const g = code[b + SENDT.g!]!;
  const cw = code[b + SENDT.cw!]!;
  const rs = reg(cs, code, b + SENDT.rs!);
  const list = cs.img.routes[code[b + SENDT.route!]!];
  if (!list) x.fail(cs, `SENDT route ${code[b + SENDT.route!]} does not exist`);
  checkNeurons(x, cs, rn, n, 'SENDT');
  const ts = slotsOf(x, cs);
  const T = ts.T;
  const N = ts.N;
  const outT = ts.outT;
  let flits = 0;
  const lines = x.chip.axonLines;
  for (const d of list) {
    const flags = d.flags & ROUTE_NEXT_STEP;
    // The last word of the last slot must lie in the destination's axon bank (slot 0 is checked
    // statically by isa/validate.ts, the slot stride is a register).
    const last = d.base + (T - 1) * rs + sendLastWord(d.bitOffset, n, g, cw);
    if (last >= lines || rs < 0) x.fail(cs, `SENDT to core ${d.core} writes axon words up to ${last} (slot stride ${rs}, ${T} slots), outside axonLines = ${lines}`);
    for (let t = 0; t < T; t++) {
      flits += packSpikes(x, d.core, flags, d.base + t * rs, outT, t * N + rn, n, g, cw, d.bitOffset);
    }
  }
  a.n = n;
  a.uses = n * T;
  a.flits = flits;
  // Activity: every spike of every slot is one message per distinct destination core (XY hops).
  let sp = 0;
  for (let t = 0; t < T; t++) for (let k = rn; k < rn + n; k++) sp += outT[t * N + k]!;
  if (sp > 0) {
    const av = x.activity;
    const mx = x.chip.meshX;
    const sx = cs.core % mx;
    const sy = Math.floor(cs.core / mx);
    const ab = cs.core * ACTIVITY_COUNT;
    av[ab + ACT.spikesSent]! += sp;
    const seen = new Set<number>();
    for (const d of list) {
      if (seen.has(d.core)) continue;
      seen.add(d.core);
      av[ab + ACT.messages]! += sp;
      av[d.core * ACTIVITY_COUNT + ACT.messagesIn]! += sp;
      av[ab + ACT.hopsX]! += sp * Math.abs((d.core % mx) - sx);
      av[ab + ACT.hopsY]! += sp * Math.abs(Math.floor(d.core / mx) - sy);
    }
  }
};

export const DATAFLOW_SEMANTICS: readonly (readonly [string, Semantic])[] = [
  [
    'STEP',
    (x, cs, code, b) => {
      const r = code[b + STEP.rd]!;
      if (r !== 0) cs.regs[r] = x.stepNo;
    },
  ],
  ['ACCT', accT],
  ['ACCE', accE],
  ['ACCST', accST],
  ['FIRET', (x, cs, code, b, a) => neuronUpdateT(x, cs, reg(cs, code, b + FIRET.rn!), code[b + FIRET.n!]!, code[b + FIRET.b!]!, true, a)],
  ['INTEGT', (x, cs, code, b, a) => neuronUpdateT(x, cs, reg(cs, code, b + INTEGT.rn!), code[b + INTEGT.n!]!, code[b + INTEGT.b!]!, false, a)],
  ['SENDT', sendT],
];

export { TIME_BATCHED } from './dataflow-run.js';
