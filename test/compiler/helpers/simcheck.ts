/** Compile, round-trip the container, simulate with probes and compare with runReference. */
import { expect } from 'vitest';
import type { ChipConfig } from '../../../isa/chip.js';
import { readContainer, validateContainer, writeContainer } from '../../../isa/container.js';
import { compileModel, type Strategy } from '../../../compiler/index.js';
import type { IntModel } from '../../../models/intmodel.js';
import { runReference } from '../../../models/int-exec.js';
import { simulateSync } from '../../../simulator/index.js';

export function expectSimEqualsRef(m: IntModel, chip: ChipConfig, input: Float32Array, roundTrip = true, strategy: Strategy = 'spread'): { cycles: number } {
  const { container } = compileModel(m, chip, { strategy });
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

