/**
 * The accumulate kernels of simulator/semantics.ts on multi-plane operands: the decoded weight
 * tables (multibit weights: uint/sint/binary with up to 8 planes; multibit inputs up to 8 axon
 * planes), the once-per-word window decode of ACCW (strides, padding, cw > 1, row loops that
 * read overlapping windows) and the kept ACCW results (inputs that repeat across time steps and
 * across inferences). Checked against the reference semantics (readouts, spikes, membranes) and
 * against the per-position popcount paths (setDecodedAccumulate(false)): whole results, so
 * cycles, events, SOPs and energy too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../base/random.js';
import type { InputEncoding, Instr } from '../../isa/container-types.js';
import { WMODE } from '../../isa/table.js';
import { referenceRun } from '../../simulator/ref/index.js';
import { setDecodedAccumulate } from '../../simulator/semantics.js';
import { simulateSync } from '../../simulator/simulate.js';
import { block, container, I, neurons, plain, probe } from './build.js';

type Rnd = () => number;
const int = (r: Rnd, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

afterEach(() => setDecodedAccumulate(true));

interface Case {
  program: Instr[];
  n: number;
  bits: number[];
  planeStride: number;
  synWords: number;
}

function coding(r: Rnd): { wmode: number; wq: number } {
  const wmode = pick(r, [WMODE.binary, WMODE.uint, WMODE.sint]);
  return { wmode, wq: wmode === WMODE.binary ? 1 : int(r, wmode === WMODE.sint ? 2 : 1, 8) };
}

function accCase(r: Rnd, ap: number): Case {
  const acc = int(r, 0, 1);
  if (r() < 0.3) {
    const n = int(r, 1, 24), len = int(r, 1, 3);
    const { wmode, wq } = coding(r);
    const m = int(r, 1, 64 * len);
    return { program: [I('ACC', { acc, rn: 0, rw: 0, ra: 0, n, len, wmode, wq, ap })], n, bits: Array.from({ length: m }, (_, j) => j), planeStride: len, synWords: n * wq * len };
  }
  const inh = int(r, 1, 6), inw = int(r, 1, 6), ch = pick(r, [1, 2, 3, 16, 64, 70, 130]), cw = Math.ceil(ch / 64);
  const kh = int(r, 1, Math.min(3, inh + 1)), kw = int(r, 1, Math.min(3, inw + 1));
  const sh = int(r, 1, 2), sw = int(r, 1, 2), ph = int(r, 0, kh - 1), pw = int(r, 0, kw - 1);
  const outh = Math.floor((inh + 2 * ph - kh) / sh) + 1, outw = Math.floor((inw + 2 * pw - kw) / sw) + 1;
  if (outh < 1 || outw < 1) return accCase(r, ap);
  const cout = int(r, 1, 6);
  const { wmode, wq } = coding(r);
  const bits: number[] = [];
  for (let p = 0; p < inh * inw; p++) for (let c = 0; c < ch; c++) bits.push(p * cw * 64 + c);
  const program: Instr[] = [I('CFGW', { inh, inw, cw, kh, kw, sh, sw, ph, pw })];
  if (r() < 0.5) program.push(I('ACCW', { acc, rn: 0, rw: 0, ra: 0, ry: 0, oh: outh, cout, wmode, wq, ap }));
  else {
    // One ACCW per output row (registers r1 = neuron base, r2 = row), as the compiler's row loops.
    for (let y = 0; y < outh; y++) program.push(I('LI', { rd: 1, imm: y * outw * cout }), I('LI', { rd: 2, imm: y }), I('ACCW', { acc, rn: 1, rw: 0, ra: 0, ry: 2, oh: 1, cout, wmode, wq, ap }));
  }
  return { program, n: outh * outw * cout, bits, planeStride: inh * inw * cw, synWords: cout * wq * kh * kw * cw };
}

describe('decoded multi-plane accumulate kernels', () => {
  it('150 random one-core programs: == reference semantics, == the per-position paths (whole results)', () => {
    let nonzero = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const r = seededRandom(1000 + seed);
      const K = pick(r, [0, 1, 2, 4, 8]);
      const ap = K === 0 ? 1 : K;
      const encoding: InputEncoding = K === 0 ? { kind: 'binary', threshold: 0.5 } : { kind: 'multibit', bits: K };
      const c = accCase(r, ap);
      const T = int(r, 1, 4);
      const n = c.n;
      const np = neurons(n, { theta: Array.from({ length: n }, () => int(r, 1, 4000)), bias: Array.from({ length: n }, () => int(r, -8, 8)), g0: Array.from({ length: n }, () => int(r, -1, 2)), g1: Array.from({ length: n }, () => int(r, -1, 1)) });
      const program = [I('INPUT'), ...c.program, I(r() < 0.7 ? 'FIRE' : 'INTEG', { rn: 0, n, b: int(r, 0, 1) }), I('HALT')];
      const m = c.bits.length;
      const bwc = container({
        chip: { membraneBits: 32, thresholdBits: 16, biasBits: 16 },
        timesteps: T,
        inputShape: [m],
        encoding,
        cores: [{ core: 0, program, synapses: Array.from({ length: 2 * Math.max(1, c.synWords) }, () => int(r, 0, 0xffffffff)), neurons: np }],
        inputMap: [block(0, Array.from({ length: m }, (_, j) => j), c.bits, 0, c.planeStride)],
        probes: [probe('l', 'spikes', 0, n), probe('v', 'membrane', 0, n)],
        readout: 1,
      });
      const density = pick(r, [0.05, 0.3, 0.7]);
      const value = (): number => (r() < density ? (K === 0 ? 1 : int(r, 1, 2 ** K - 1)) : 0);
      // Three inferences; steps repeat their input (direct encoding) or not; inference 2 repeats inference 1.
      const one = (): Float32Array => {
        const first = Float32Array.from({ length: m }, value);
        const repeat = r() < 0.6;
        const x = new Float32Array(T * m);
        for (let t = 0; t < T; t++) x.set(repeat ? first : Float32Array.from({ length: m }, value), t * m);
        return x;
      };
      const a = one(), b = one();
      const data = new Float32Array(3 * T * m);
      data.set(a, 0);
      data.set(b, T * m);
      data.set(b, 2 * T * m);
      const inputs = { count: 3, steps: T, data };
      const fast = simulateSync(bwc, inputs, { probes: true, perLayer: true });
      setDecodedAccumulate(false);
      const slow = simulateSync(bwc, inputs, { probes: true, perLayer: true });
      setDecodedAccumulate(true);
      expect(plain(fast), `seed ${seed}`).toEqual(plain(slow));
      for (let i = 0; i < 3; i++) {
        const want = referenceRun(bwc, data.subarray(i * T * m, (i + 1) * T * m));
        const got = fast.inferences[i]!;
        expect(got.readout, `seed ${seed} inference ${i}`).toEqual(want.readout);
        expect(got.spikes?.l, `seed ${seed} inference ${i}`).toEqual(want.spikes.l);
        if (want.readout.some((v) => v !== 0)) nonzero++;
      }
    }
    expect(nonzero).toBeGreaterThan(300);
  });
});
