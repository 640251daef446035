/** Reference semantics of the accumulate class: ACC, CFGW, ACCW, ACCS (isa/table.ts states them). */
import { WMODE, windowOutWidth } from '../../isa/table.js';
import { pc32, type RefCore, type RefSemantic } from './state.js';

/** W(a, b) summed over weight planes: the popcount dot product of axon word `aw` (current bank) with the synapse planes at wordOf(q). */
export function wordDot(st: RefCore, aw: number, wordOf: (q: number) => number, wmode: number, wq: number): number {
  const alo = st.cur[2 * aw]!;
  const ahi = st.cur[2 * aw + 1]!;
  if (alo === 0 && ahi === 0) return 0;
  const syn = st.img.synapses;
  if (wmode === WMODE.binary) {
    const w = wordOf(0);
    return 2 * (pc32(alo & syn[2 * w]!) + pc32(ahi & syn[2 * w + 1]!)) - (pc32(alo) + pc32(ahi));
  }
  let s = 0;
  for (let q = 0; q < wq; q++) {
    const w = wordOf(q);
    const c = pc32(alo & syn[2 * w]!) + pc32(ahi & syn[2 * w + 1]!);
    s += (wmode === WMODE.sint && q === wq - 1 ? -1 : 1) * 2 ** q * c;
  }
  return s;
}

export const ACC: RefSemantic = (st, a) => {
  const R = st.regs;
  const rn = R[a.rn!]!, rw = R[a.rw!]!, ra = R[a.ra!]!;
  const { n, len, wmode, wq, ap } = a as Record<string, number>;
  const acc = st.acc[a.acc!]!;
  for (let i = 0; i < n!; i++) {
    let sum = 0;
    for (let p = 0; p < ap!; p++) for (let j = 0; j < len!; j++) sum += 2 ** p * wordDot(st, ra + p * len! + j, (q) => rw + (i * wq! + q) * len! + j, wmode!, wq!);
    acc[rn + i] += sum;
  }
};

export const CFGW: RefSemantic = (st, a) => {
  st.cfg = { ...a };
};

export const ACCW: RefSemantic = (st, a) => {
  const R = st.regs;
  const rn = R[a.rn!]!, rw = R[a.rw!]!, ra = R[a.ra!]!, ry = R[a.ry!]!;
  const { oh, cout, wmode, wq, ap } = a as Record<string, number>;
  const { inh, inw, cw, kh, kw, sh, sw, ph, pw } = st.cfg as Record<string, number>;
  const outw = windowOutWidth({ inw: inw!, kw: kw!, sw: sw!, pw: pw! });
  const acc = st.acc[a.acc!]!;
  for (let y = ry; y < ry + oh!; y++)
    for (let x = 0; x < outw; x++)
      for (let ch = 0; ch < cout!; ch++) {
        let sum = 0;
        for (let ky = 0; ky < kh!; ky++)
          for (let kx = 0; kx < kw!; kx++) {
            const iy = y * sh! + ky - ph!;
            const ix = x * sw! + kx - pw!;
            if (iy < 0 || iy >= inh! || ix < 0 || ix >= inw!) continue;
            for (let p = 0; p < ap!; p++)
              for (let j = 0; j < cw!; j++) {
                const aw = ra + p * inh! * inw! * cw! + (iy * inw! + ix) * cw! + j;
                sum += 2 ** p * wordDot(st, aw, (q) => rw + (ch * wq! + q) * kh! * kw! * cw! + (ky * kw! + kx) * cw! + j, wmode!, wq!);
              }
          }
        acc[rn + ((y - ry) * outw + x) * cout! + ch] += sum;
      }
};

export const ACCS: RefSemantic = (st, a) => {
  const rn = st.regs[a.rn!]!, ra = st.regs[a.ra!]!;
  const { n, g, cw } = a as Record<string, number>;
  const acc = st.acc[a.acc!]!;
  for (let i = 0; i < n!; i++) {
    const bit = i % g!;
    const w = ra + Math.floor(i / g!) * cw! + (bit >> 6);
    acc[rn + i] += (st.cur[2 * w + ((bit >> 5) & 1)]! >>> (bit & 31)) & 1;
  }
};
