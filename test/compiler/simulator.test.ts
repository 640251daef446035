/**
 * Differential tests against the real pieces: simulator/ running the compiled binary (after the
 * container round trip write -> read) reproduces models/int-exec.ts's runReference spikes of every
 * layer and readout, bit for bit, on random integer models and several chip configs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BwsnnError } from '../../isa/errors.js';
import { readContainer, validateContainer, writeContainer } from '../../isa/container.js';
import { compileModel } from '../../compiler/index.js';
import type { IntModel } from '../../models/intmodel.js';
import { runReference } from '../../models/int-exec.js';
import { simulateSync } from '../../simulator/index.js';
import { CHIPS } from './helpers/chips.js';
import { randomIntModel, randomSample } from './helpers/gen.js';
import type { ChipConfig } from '../../isa/chip.js';

export function expectSimEqualsRef(m: IntModel, chip: ChipConfig, input: Float32Array, roundTrip = true): { cycles: number } {
  const { container } = compileModel(m, chip);
  validateContainer(container, 'compiled.bwc');
  const c = roundTrip ? readContainer(writeContainer(container), 'compiled.bwc') : container;
  const size = m.input.shape.reduce((a, b) => a * b, 1);
  const perStep = input.length !== size;
  const res = simulateSync(c, perStep ? { count: 1, steps: m.timesteps, data: input } : { count: 1, data: input }, { probes: true });
  const inf = res.inferences[0]!;
  const want = runReference(m, input);
  for (const l of m.layers) {
    if (l.kind !== 'if') continue;
    expect(inf.spikes?.[l.name], `spikes of ${l.name}`).toEqual(want.spikes[l.name]);
  }
  expect(inf.readout).toEqual(want.readout);
  expect(inf.prediction).toBe(want.prediction);
  return { cycles: inf.cycles as unknown as number };
}

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
            if (e instanceof BwsnnError && /needs|no core left/.test(e.message)) return;
            throw e;
          }
          compiled++;
          expectSimEqualsRef(m, chip, randomSample(m, seed, perStep));
        }),
        { numRuns: 20, seed: 777 + name.length },
      );
      expect(compiled).toBeGreaterThan(4);
    });
  }
});
