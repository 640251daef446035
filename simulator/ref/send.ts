/** Reference semantics of the send class: SEND (spike words) and PSUM (partial sums). */
import { ROUTE_NEXT_STEP, ROUTE_PSUM_ACC1 } from '../../isa/container-types.js';
import { WORD_BITS } from '../../isa/table.js';
import type { RefSemantic } from './state.js';

export const SEND: RefSemantic = (st, a, send) => {
  const rn = st.regs[a.rn!]!;
  const { n, g, cw } = a as Record<string, number>;
  for (const d of st.img.routes[a.route!]!) {
    const words = new Map<number, [number, number]>();
    for (let i = 0; i < n!; i++) {
      if (!st.out[rn + i]) continue;
      const bit = Math.floor(i / g!) * cw! * WORD_BITS + d.bitOffset + (i % g!);
      const w = d.base + Math.floor(bit / WORD_BITS);
      const b = bit % WORD_BITS;
      const e = words.get(w) ?? [0, 0];
      e[b >> 5] |= 1 << (b & 31);
      words.set(w, e);
    }
    for (const [w, [l, h]] of words) send.push({ kind: 'spike', core: d.core, word: w, next: (d.flags & ROUTE_NEXT_STEP) !== 0, lo: l, hi: h });
  }
};

export const PSUM: RefSemantic = (st, a, send) => {
  const rn = st.regs[a.rn!]!;
  const acc = st.acc[a.acc!]!;
  for (const d of st.img.routes[a.route!]!) {
    for (let k = 0; 2 * k < a.n!; k++) {
      const x = acc[rn + 2 * k]!;
      const y = acc[rn + 2 * k + 1]!;
      if (x !== 0 || y !== 0) send.push({ kind: 'psum', core: d.core, neuron: d.base + 2 * k, bank: d.flags & ROUTE_PSUM_ACC1 ? 1 : 0, a: x, b: y });
    }
  }
  for (let k = 0; 2 * k < a.n!; k++) {
    acc[rn + 2 * k] = 0;
    acc[rn + 2 * k + 1] = 0;
  }
};
