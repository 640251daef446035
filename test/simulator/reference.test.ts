/**
 * The simulator's kernels (JS fast and general paths, the WebAssembly popcount and FIRE kernels)
 * against the reference semantics (simulator/ref) on random operands: one-core programs with a
 * random accumulate (ACC, CFGW + ACCW, ACCS: every weight coding, weight and axon planes, windows
 * with strides and padding), then FIRE or INTEG over random neuron parameters (leak, gains, bias,
 * soft/hard reset, no-memory, narrow membranes that saturate), over several time steps.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../base/random.js';
import { NEURON_HARD_RESET, NEURON_NO_MEMORY, type InputEncoding, type Instr } from '../../isa/container-types.js';
import { REFERENCE, referenceRun } from '../../simulator/ref/index.js';
import { INSTRUCTIONS, WMODE } from '../../isa/table.js';
import { simulateSync } from '../../simulator/simulate.js';
import { block, container, I, neurons, probe } from './build.js';

type Rnd = () => number;
const int = (r: Rnd, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

interface Case {
  program: Instr[];
  n: number;
  /** Input elements and the axon bit of each (plane 0); planes are planeStride words apart. */
  bits: number[];
  planeStride: number;
  synWords: number;
}

function weightCoding(r: Rnd): { wmode: number; wq: number } {
  const wmode = pick(r, [WMODE.binary, WMODE.binary, WMODE.uint, WMODE.sint]);
  return { wmode, wq: wmode === WMODE.binary ? 1 : int(r, wmode === WMODE.sint ? 2 : 1, 3) };
}

function accCase(r: Rnd, ap: number): Case {
  const kind = pick(r, ['ACC', 'ACCW', 'ACCS'] as const);
  const acc = int(r, 0, 1);
  if (kind === 'ACC') {
    const n = int(r, 1, 40);
    const len = int(r, 1, 3);
    const { wmode, wq } = weightCoding(r);
    const m = int(r, 1, 64 * len);
    return { program: [I('ACC', { acc, rn: 0, rw: 0, ra: 0, n, len, wmode, wq, ap })], n, bits: Array.from({ length: m }, (_, j) => j), planeStride: len, synWords: n * wq * len };
  }
  if (kind === 'ACCW') {
    const inh = int(r, 1, 5), inw = int(r, 1, 5), ch = int(r, 1, 70), cw = Math.ceil(ch / 64);
    const kh = int(r, 1, Math.min(3, inh + 1)), kw = int(r, 1, Math.min(3, inw + 1));
    const sh = int(r, 1, 2), sw = int(r, 1, 2), ph = int(r, 0, kh - 1), pw = int(r, 0, kw - 1);
    const outh = Math.floor((inh + 2 * ph - kh) / sh) + 1, outw = Math.floor((inw + 2 * pw - kw) / sw) + 1;
    if (outh < 1 || outw < 1) return accCase(r, ap);
    const cout = int(r, 1, 4);
    const { wmode, wq } = weightCoding(r);
    const bits: number[] = [];
    for (let p = 0; p < inh * inw; p++) for (let c = 0; c < ch; c++) bits.push(p * cw * 64 + c);
    return {
      program: [I('CFGW', { inh, inw, cw, kh, kw, sh, sw, ph, pw }), I('ACCW', { acc, rn: 0, rw: 0, ra: 0, ry: 0, oh: outh, cout, wmode, wq, ap })],
      n: outh * outw * cout,
      bits,
      planeStride: inh * inw * cw,
      synWords: cout * wq * kh * kw * cw,
    };
  }
  const g = int(r, 1, 70), cw = Math.ceil(g / 64) + int(r, 0, 1), groups = int(r, 1, 4);
  const n = g * groups - int(r, 0, g - 1);
  const bits: number[] = [];
  for (let i = 0; i < n; i++) bits.push(Math.floor(i / g) * cw * 64 + (i % g));
  return { program: [I('ACCS', { acc, rn: 0, ra: 0, n, g, cw })], n, bits, planeStride: groups * cw, synWords: 0 };
}

describe('reference semantics', () => {
  it('has one function for every instruction of the table', () => {
    expect(Object.keys(REFERENCE).sort()).toEqual(INSTRUCTIONS.map((d) => d.mnemonic).sort());
  });
});

describe('simulator kernels == reference semantics on random operands', () => {
  it('400 random one-core programs, bit for bit', () => {
    let fired = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = seededRandom(seed);
      const K = pick(r, [0, 0, 1, 2, 3]);
      const ap = K === 0 ? 1 : K;
      const encoding: InputEncoding = K === 0 ? { kind: 'binary', threshold: 0.5 } : { kind: 'multibit', bits: K };
      const c = accCase(r, ap);
      const T = int(r, 1, 3);
      const fire = r() < 0.7;
      const n = c.n;
      const flags = Array.from({ length: n }, () => (r() < 0.5 ? 0 : (r() < 0.5 ? NEURON_HARD_RESET : 0) | (r() < 0.3 ? NEURON_NO_MEMORY : 0)));
      const plain = r() < 0.4; // no leak, no flags: the WebAssembly FIRE path
      const np = neurons(n, {
        theta: Array.from({ length: n }, () => int(r, -3, 60)),
        bias: Array.from({ length: n }, () => int(r, -8, 8)),
        vreset: Array.from({ length: n }, () => int(r, -5, 5)),
        g0: Array.from({ length: n }, () => int(r, -2, 4)),
        g1: Array.from({ length: n }, () => int(r, -2, 2)),
        leak: Array.from({ length: n }, () => (plain || r() < 0.5 ? 0 : int(r, 1, 4))),
        flags: plain ? new Array<number>(n).fill(0) : flags,
      });
      const program = [I('INPUT'), ...c.program, I(fire ? 'FIRE' : 'INTEG', { rn: 0, n, b: int(r, 0, 1) }), I('HALT')];
      const m = c.bits.length;
      const bwc = container({
        chip: (() => { const mb = pick(r, [8, 10, 16, 32]); return { membraneBits: mb, thresholdBits: Math.min(16, mb), biasBits: Math.min(16, mb) }; })(),
        timesteps: T,
        inputShape: [m],
        encoding,
        cores: [{ core: 0, program, synapses: Array.from({ length: 2 * Math.max(1, c.synWords) }, () => int(r, 0, 0xffffffff)), neurons: np }],
        inputMap: [block(0, Array.from({ length: m }, (_, j) => j), c.bits, 0, c.planeStride)],
        probes: [probe('l', 'spikes', 0, n), probe('v', 'membrane', 0, n)],
        readout: 1,
      });
      const input = Float32Array.from({ length: T * m }, () => (K === 0 ? (r() < 0.4 ? 1 : 0) : r() < 0.3 ? 0 : int(r, 0, 2 ** K - 1)));
      const want = referenceRun(bwc, input);
      const got = simulateSync(bwc, { count: 1, steps: T, data: input }, { probes: true }).inferences[0]!;
      expect(got.readout, `seed ${seed}: ${program.map((x) => x.op).join(' ')}`).toEqual(want.readout);
      expect(got.spikes?.l, `seed ${seed}`).toEqual(want.spikes.l);
      if (want.spikes.l!.some((s) => s === 1)) fired++;
    }
    expect(fired).toBeGreaterThan(100);
  });
});
