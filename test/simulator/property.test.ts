/** Property tests: the dense accumulate equals the integer dot product over random shapes, weight codings and input planes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { popcount32 } from '../../simulator/popcount.js';
import { simulateSync } from '../../simulator/simulate.js';
import { block, container, I, neurons, probe } from './build.js';

describe('popcount', () => {
  it('counts bits like the naive loop', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (x) => {
        let n = 0;
        for (let b = 0; b < 32; b++) n += (x >>> b) & 1;
        expect(popcount32(x)).toBe(n);
      }),
    );
  });
});

describe('ACC = sum_j w_ij x_j', () => {
  const arb = fc
    .record({
      n: fc.integer({ min: 1, max: 6 }),
      len: fc.integer({ min: 1, max: 3 }),
      wmode: fc.constantFrom(0, 1, 2),
      wq: fc.integer({ min: 1, max: 4 }),
      bits: fc.integer({ min: 0, max: 3 }), // 0: binary input, K: multibit:K
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((s) => ({ ...s, wq: s.wmode === 0 ? 1 : s.wmode === 2 ? Math.max(2, s.wq) : s.wq }));

  it('matches the integer reference on random cases', () => {
    fc.assert(
      fc.property(arb, ({ n, len, wmode, wq, bits, seed }) => {
        let st = seed;
        const rnd = (k: number): number => {
          st = (Math.imul(st, 1103515245) + 12345) >>> 0;
          return (st >>> 8) % k;
        };
        const m = 1 + rnd(64 * len);
        const ap = bits === 0 ? 1 : bits;
        const x = Array.from({ length: m }, () => (rnd(3) === 0 ? 0 : bits === 0 ? rnd(2) : rnd(2 ** bits)));
        const w = Array.from({ length: n }, () =>
          Array.from({ length: m }, () => (wmode === 0 ? (rnd(2) ? 1 : -1) : wmode === 1 ? rnd(2 ** wq) : rnd(2 ** wq) - 2 ** (wq - 1))),
        );
        // Synapse image: row i, plane q, word j at (i*wq + q)*len + j.
        const syn = new Array<number>(2 * n * wq * len).fill(0);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < m; j++) {
            const v = w[i]![j]!;
            for (let q = 0; q < wq; q++) {
              const bit = wmode === 0 ? (v === 1 ? 1 : 0) : ((v & ((1 << wq) - 1)) >> q) & 1;
              if (!bit) continue;
              const o = 2 * ((i * wq + q) * len + (j >> 6)) + ((j >> 5) & 1);
              syn[o] = (syn[o]! | (1 << (j & 31))) >>> 0;
            }
          }
        }
        const c = container({
          chip: { membraneBits: 32 },
          timesteps: 1,
          inputShape: [m],
          encoding: bits === 0 ? { kind: 'binary', threshold: 0.5 } : { kind: 'multibit', bits },
          cores: [
            {
              core: 0,
              program: [I('INPUT'), I('ACC', { acc: 0, rn: 0, rw: 0, ra: 0, n, len, wmode, wq, ap }), I('INTEG', { rn: 0, n, b: 0 }), I('HALT')],
              synapses: syn,
              neurons: neurons(n),
            },
          ],
          inputMap: [block(0, Array.from({ length: m }, (_, j) => j), Array.from({ length: m }, (_, j) => j), 0, len)],
          probes: [probe('v', 'membrane', 0, n)],
          readout: 0,
        });
        const r = simulateSync(c, { count: 1, data: Float32Array.from(x) });
        const want = w.map((row) => row.reduce((s, v, j) => s + v * x[j]!, 0));
        expect(Array.from(r.inferences[0]!.readout)).toEqual(want);
        // Cycles from the table's formula: ops = n * wq * non-zero axon words.
        let nz = 0;
        for (let p = 0; p < ap; p++) {
          for (let j = 0; j < len; j++) {
            let any = false;
            for (let e = 64 * j; e < Math.min(m, 64 * (j + 1)); e++) any ||= bits === 0 ? x[e] === 1 : ((x[e]! >> p) & 1) === 1;
            if (any) nz++;
          }
        }
        expect(r.inferences[0]!.events.synapse_read_word).toBe(n * wq * nz);
        expect(r.inferences[0]!.events.axon_read_word).toBe(ap * len);
      }),
      { numRuns: 80 },
    );
  });
});
