/**
 * Reference semantics of the dataflow instructions (isa/dataflow-table.ts): STEP, ACCT, ACCE,
 * ACCST, FIRET, INTEGT, SENDT, stated plainly (no scratch, no counting). Time slots: accT[bank]
 * and the spike history outT, slot-major (index t * neuronsPerCore + neuron).
 */
import { ROUTE_NEXT_STEP } from '../../isa/container-types.js';
import { stepNeuron } from './neuron.js';
import { WMODE } from '../../isa/table.js';
import { wordDot } from './accumulate.js';
import type { RefCore, RefSemantic } from './state.js';

/** The core's time slots, made on first use. */
export function refSlots(st: RefCore): NonNullable<RefCore['slots']> {
  if (!st.slots) {
    const N = st.chip.neuronsPerCore;
    st.slots = { acc: [new Float64Array(st.T * N), new Float64Array(st.T * N)], outT: new Uint8Array(st.T * N), batched: new Uint8Array(N) };
  }
  return st.slots;
}

const bit = (st: RefCore, word: number, b: number): number => (st.cur[2 * word + (b >> 5)]! >>> (b & 31)) & 1;

export const STEP: RefSemantic = (st, a) => {
  if (a.rd !== 0) st.regs[a.rd!] = st.step;
};

export const ACCT: RefSemantic = (st, a) => {
  const R = st.regs;
  const rn = R[a.rn!]!, rw = R[a.rw!]!, ra = R[a.ra!]!, rs = R[a.rs!]!;
  const { n, len, wmode, wq, ap } = a as Record<string, number>;
  const s = refSlots(st);
  const N = st.chip.neuronsPerCore;
  for (let t = 0; t < st.T; t++) {
    const base = ra + t * rs;
    for (let i = 0; i < n!; i++) {
      let sum = 0;
      for (let p = 0; p < ap!; p++) for (let j = 0; j < len!; j++) sum += 2 ** p * wordDot(st, base + p * len! + j, (q) => rw + (i * wq! + q) * len! + j, wmode!, wq!);
      s.acc[a.acc!]![t * N + rn + i] += sum;
    }
  }
};

/** Weight of target i in the transposed row at word w0 (planes rowWords apart). */
function rowWeight(st: RefCore, w0: number, rowWords: number, i: number, wmode: number, wq: number): number {
  const syn = st.img.synapses;
  const b = (q: number): number => (syn[2 * (w0 + q * rowWords + (i >> 6)) + ((i >> 5) & 1)]! >>> (i & 31)) & 1;
  if (wmode === WMODE.binary) return b(0) ? 1 : -1;
  let w = 0;
  for (let q = 0; q < wq; q++) if (b(q)) w += (wmode === WMODE.sint && q === wq - 1 ? -1 : 1) * 2 ** q;
  return w;
}

export const ACCE: RefSemantic = (st, a) => {
  const R = st.regs;
  const rn = R[a.rn!]!, rw = R[a.rw!]!, ra = R[a.ra!]!;
  const { n, len, wmode, wq, ap, tb } = a as Record<string, number>;
  const rs = tb ? R[a.rs!]! : 0;
  const rowWords = Math.ceil(n! / 64);
  const N = st.chip.neuronsPerCore;
  const slotsN = tb ? st.T : 1;
  for (let t = 0; t < slotsN; t++) {
    const acc = tb ? refSlots(st).acc[a.acc!]! : st.acc[a.acc!]!;
    const off = tb ? t * N : 0;
    for (let p = 0; p < ap!; p++) {
      for (let j = 0; j < 64 * len!; j++) {
        if (!bit(st, ra + t * rs + p * len! + (j >> 6), j & 63)) continue;
        const w0 = rw + j * wq! * rowWords;
        for (let i = 0; i < n!; i++) acc[off + rn + i] += 2 ** p * rowWeight(st, w0, rowWords, i, wmode!, wq!);
      }
    }
  }
};

export const ACCST: RefSemantic = (st, a) => {
  const R = st.regs;
  const rn = R[a.rn!]!, ra = R[a.ra!]!, rs = R[a.rs!]!;
  const { n, g, cw } = a as Record<string, number>;
  const s = refSlots(st);
  const N = st.chip.neuronsPerCore;
  for (let t = 0; t < st.T; t++) {
    for (let i = 0; i < n!; i++) {
      const grp = Math.floor(i / g!);
      const k = i - grp * g!;
      if (bit(st, ra + t * rs + grp * cw! + (k >> 6), k & 63)) s.acc[a.acc!]![t * N + rn + i] += 1;
    }
  }
};

function updateT(st: RefCore, a: Readonly<Record<string, number>>, fire: boolean): void {
  const rn = st.regs[a.rn!]!;
  const s = refSlots(st);
  const N = st.chip.neuronsPerCore;
  for (let i = 0; i < a.n!; i++) {
    const k = rn + i;
    let o = 0;
    for (let t = 0; t < st.T; t++) {
      const x = t * N + k;
      o = stepNeuron(st, k, s.acc[0][x]!, s.acc[1][x]!, a.b ? 1 : 0, fire);
      s.acc[0][x] = 0;
      s.acc[1][x] = 0;
      s.outT[x] = o;
    }
    st.out[k] = o;
    s.batched[k] = 1;
  }
}

export const FIRET: RefSemantic = (st, a) => updateT(st, a, true);
export const INTEGT: RefSemantic = (st, a) => updateT(st, a, false);

export const SENDT: RefSemantic = (st, a, send) => {
  const rn = st.regs[a.rn!]!, rs = st.regs[a.rs!]!;
  const { n, g, cw } = a as Record<string, number>;
  const s = refSlots(st);
  const N = st.chip.neuronsPerCore;
  const list = st.img.routes[a.route!];
  if (!list) throw new Error(`SENDT route ${a.route} does not exist`);
  for (const d of list) {
    for (let t = 0; t < st.T; t++) {
      const words = new Map<number, [number, number]>();
      for (let i = 0; i < n!; i++) {
        if (!s.outT[t * N + rn + i]) continue;
        const b = Math.floor(i / g!) * cw! * 64 + d.bitOffset + (i % g!);
        const w = words.get(b >> 6) ?? [0, 0];
        if ((b & 63) < 32) w[0] = (w[0] | (1 << (b & 31))) >>> 0;
        else w[1] = (w[1] | (1 << (b & 31))) >>> 0;
        words.set(b >> 6, w);
      }
      for (const [w, [lo, hi]] of [...words.entries()].sort((x, y) => x[0] - y[0])) {
        send.push({ kind: 'spike', core: d.core, word: d.base + t * rs + w, next: (d.flags & ROUTE_NEXT_STEP) !== 0, lo, hi });
      }
    }
  }
};
