/**
 * Bad integer models never crash the compiler: random corruptions of valid models either still
 * compile (and then run bit-exact) or are refused with a BwsnnError, never another exception.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { BwsnnError } from '../../base/errors.js';
import { compileModel } from '../../compiler/index.js';
import type { IntModel } from '../../models/intmodel.js';
import { randomIntModel, rng, int } from './helpers/gen.js';

const BAD_NUMBERS = [NaN, Infinity, -1, 0, 0.5, 1e9, -1e9, 70000, 3];

function corrupt(m: IntModel, seed: number): void {
  const r = rng(seed);
  const l = m.layers[int(r, 0, m.layers.length - 1)]!;
  const v = BAD_NUMBERS[int(r, 0, BAD_NUMBERS.length - 1)]!;
  const s = l.synapses[int(r, 0, l.synapses.length - 1)]!;
  const o = s.op as unknown as Record<string, unknown>;
  switch (int(r, 0, 13)) {
    case 0: l.theta[int(r, 0, l.theta.length - 1)] = v; break;
    case 1: (l as unknown as Record<string, unknown>).bias = new Int32Array(l.bias.length + 1); break;
    case 2: l.shape = [v]; break;
    case 3: s.source = int(r, 0, 1) ? 'missing' : m.readout; break;
    case 4: (s as unknown as Record<string, unknown>).acc = v; break;
    case 5: o.inFeatures = v; break;
    case 6: o.kernel = [v, v]; break;
    case 7: o.stride = [v, 1]; break;
    case 8: o.padding = [v, v]; break;
    case 9: if (o.weights) (o.weights as Record<string, unknown>).wq = v; break;
    case 10: if (o.weights) (o.weights as { values: Int32Array }).values = new Int32Array(3); break;
    case 11: m.timesteps = v; break;
    case 12: m.input.shape = [v, 2]; break;
    case 13: (m.input as unknown as Record<string, unknown>).encoding = { kind: 'multibit', bits: v }; break;
  }
}

describe('corrupted models', () => {
  it('compile or fail with a BwsnnError', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 2 ** 30 }), (seed, cseed) => {
        const m = randomIntModel(seed);
        corrupt(m, cseed);
        try {
          compileModel(m, DEFAULT_CHIP, { file: 'bad.bwsnn' });
        } catch (e) {
          if (!(e instanceof BwsnnError)) throw e;
          expect(e.message.startsWith('bad.bwsnn')).toBe(true);
          refused++;
        }
      }),
      { numRuns: 300, seed: 5 },
    );
    expect(refused).toBeGreaterThan(100);
  });
});
