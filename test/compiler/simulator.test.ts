/**
 * Differential tests against the real pieces: simulator/ running the compiled binary (after the
 * container round trip write -> read) reproduces models/int-exec.ts's runReference spikes of every
 * layer and readout, bit for bit, on random integer models and several chip configs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileModel, STRATEGIES, FitError } from '../../compiler/index.js';
import { expectSimEqualsRef } from './helpers/simcheck.js';
import { CHIPS } from './helpers/chips.js';
import { randomIntModel, randomSample } from './helpers/gen.js';

describe('simulator(compile(m)) == runReference(m)', () => {
  for (const [name, chip] of Object.entries(CHIPS)) {
    it(`random models on chip ${name}`, () => {
      let compiled = 0;
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.boolean(), (seed, perStep) => {
          const m = randomIntModel(seed, { membraneBits: chip.membraneBits });
          if (chip.membraneBits < 16) for (const l of m.layers) l.bias.forEach((b, i) => (l.bias[i] = Math.max(-100, Math.min(100, b))));
          try {
            compileModel(m, chip);
          } catch (e) {
            if (e instanceof FitError) return;
            throw e;
          }
          compiled++;
          const x = randomSample(m, seed, perStep);
          for (const strategy of STRATEGIES) expectSimEqualsRef(m, chip, x, true, strategy);
        }),
        { numRuns: 20, seed: 777 + name.length },
      );
      expect(compiled).toBeGreaterThan(4);
    });
  }
});
