/**
 * Differential tests, three ways, bit for bit: for random integer models on several chip configs and
 * both mapping strategies (spread, pack), including tiny ones that force partitioning by output and
 * by fan-in (partial sums), the compiled binary run by the reference semantics (simulator/ref,
 * strict about phases) reproduces the integer executor's (models/int-exec.ts) spikes of every
 * layer and its readout, and the cycle-accurate simulator (its fast kernels) reproduces the
 * reference semantics' spikes and readout.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ChipConfig } from '../../isa/chip.js';
import { CHIPS } from './helpers/chips.js';
import { compileModel, compileStages, STRATEGIES, type Strategy, FitError } from '../../compiler/index.js';
import type { IntModel } from '../../models/intmodel.js';
import { referenceRun } from '../../simulator/ref/index.js';
import { randomIntModel, randomSample } from './helpers/gen.js';
import { runReference } from '../../models/int-exec.js';
import { simulateSync } from '../../simulator/simulate.js';


export function expectSame(m: IntModel, chip: ChipConfig, input: Float32Array, strategy: Strategy = 'spread'): void {
  const { container } = compileModel(m, chip, { strategy });
  const got = referenceRun(container, input);
  const want = runReference(m, input);
  const size = m.input.shape.reduce((a, b) => a * b, 1);
  const sim = simulateSync(container, input.length !== size ? { count: 1, steps: m.timesteps, data: input } : { count: 1, data: input }, { probes: true }).inferences[0]!;
  for (const l of m.layers) {
    if (l.kind !== 'if') continue;
    expect(got.spikes[l.name], `spikes of ${l.name}`).toEqual(want.spikes[l.name]);
    expect(sim.spikes?.[l.name], `simulated spikes of ${l.name}`).toEqual(got.spikes[l.name]);
  }
  expect(got.readout).toEqual(want.readout);
  expect(got.prediction).toBe(want.prediction);
  expect(sim.readout).toEqual(got.readout);
}

function isFit(e: unknown): boolean {
  return e instanceof FitError;
}

describe('simulate(compile(m)) == reference(m)', () => {
  for (const [name, chip] of Object.entries(CHIPS)) {
    it(`random models on chip ${name}`, () => {
      let compiled = 0;
      let helpers = 0;
      let multiTask = 0;
      let convs = 0;
      let channelGroups = 0;
      let spreadWider = 0;
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.boolean(), (seed, perStep) => {
          const m = randomIntModel(seed, { membraneBits: chip.membraneBits });
          if (chip.membraneBits < 16) for (const l of m.layers) l.bias.forEach((b, i) => (l.bias[i] = Math.max(-100, Math.min(100, b))));
          let st;
          try {
            st = compileStages(m, chip, { strategy: 'pack' });
          } catch (e) {
            if (isFit(e)) return;
            throw e;
          }
          compiled++;
          if (m.input.shape.length === 3) convs++;
          channelGroups += st.partition.tasks.filter((t) => t.c0 > 0).length;
          helpers += st.partition.tasks.filter((t) => t.role === 'helper').length;
          multiTask += st.partition.tasks.length > m.layers.length ? 1 : 0;
          const spread = compileStages(m, chip, { strategy: 'spread' });
          if (spread.place.cores.length > st.place.cores.length) spreadWider++;
          const x = randomSample(m, seed, perStep);
          for (const strategy of STRATEGIES) expectSame(m, chip, x, strategy);
        }),
        { numRuns: 30, seed: 4242 + name.length },
      );
      expect(compiled).toBeGreaterThan(5);
      // Spreading uses more cores than packing on most models.
      expect(spreadWider).toBeGreaterThan(compiled / 2);
      if (name === 'tinyFanIn' || name === 'tinyConvFanIn') expect(helpers).toBeGreaterThan(0);
      if (name !== 'tinyFanIn' && name !== 'tinyNeurons') expect(convs).toBeGreaterThan(0);
      if (name === 'tinyNeurons') expect(multiTask).toBeGreaterThan(0);
      if (name === 'tinyNeurons') expect(channelGroups).toBeGreaterThan(0);
    });
  }
});
