/**
 * The example programs are documentation: they must not only assemble but run on the simulator.
 * two-core-send.s is checked against hand-computed spikes and readout; every other example must
 * complete its steps and give a prediction within its classes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { assemble } from '../../isa/asm/index.js';
import { inputSize } from '../../isa/validate.js';
import { simulateSync } from '../../simulator/index.js';

const load = (f: string) => assemble(readFileSync(`isa/examples/${f}`, 'utf8'), f);

describe('examples run on the simulator', () => {
  test('two-core-send.s gives the hand-computed spikes and readout', () => {
    // Input x = [1,1,1,1,0,0,0,0] -> spike word s = 0x0f every step.
    // Hidden rows: 0xf0 -> 2*0-4 = -4; 0x0f -> 2*4-4 = 4; 0xaa -> 2*2-4 = 0; 0x55 -> 0.
    // Neuron 1 (theta 2, soft reset) fires every step (v: 4->2, 6->4, 8->6, 10->8); neuron 0
    // only goes down; neurons 2, 3 (bias -1, theta 3) never reach theta.
    // Readout: spike word 0b0010; rows 0x3 -> 2*1-1 = 1, 0xc -> 2*0-1 = -1, per step, T = 4.
    const c = load('two-core-send.s');
    const r = simulateSync(c, { count: 1, data: Float32Array.of(1, 1, 1, 1, 0, 0, 0, 0) }, { probes: true });
    const inf = r.inferences[0];
    expect(Array.from(inf?.spikes?.hidden ?? [])).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(inf?.readout ?? [])).toEqual([4, -4]);
    expect(inf?.prediction).toBe(0);
    expect(inf?.events.spike).toBe(4);
  });

  test('time-batched.s gives the hand-computed spike trains and readout', () => {
    // x = [1,1,0,0]: bits 0 and 1. Event rows 0b0011, 0b0110 -> acc0 = [0, 2, 0, -2]; the shortcut
    // acc1 = [1, 1, 0, 0]; theta 3, soft reset, every step: n0 1, 2, 3 -> fires at step 2;
    // n1 3 -> fires at every step. Readout rows 0b0011, 0b1100 over the words 0b10, 0b10, 0b11:
    // n0 1 + 1 + 2 = 4, n1 -1 - 1 - 2 = -4.
    const r = simulateSync(load('time-batched.s'), { count: 1, data: Float32Array.of(1, 1, 0, 0) }, { probes: true });
    const inf = r.inferences[0]!;
    expect(Array.from(inf.spikes!.hidden!)).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(inf.readout)).toEqual([4, -4]);
  });

  const files = readdirSync('isa/examples').filter((f) => f.endsWith('.s'));
  test.each(files)('%s runs to completion', (f) => {
    const c = load(f);
    const size = inputSize(c.meta.inputShape);
    const max = c.meta.encoding.kind === 'multibit' ? 2 ** c.meta.encoding.bits - 1 : 1;
    const data = Float32Array.from({ length: 2 * size }, (_, i) => (i * 7) % (max + 1));
    const r = simulateSync(c, { count: 2, data });
    expect(r.inferences).toHaveLength(2);
    for (const inf of r.inferences) {
      expect(inf.prediction).toBeGreaterThanOrEqual(0);
      expect(inf.prediction).toBeLessThan(c.meta.classes);
      expect(inf.stepCycles).toHaveLength(c.meta.timesteps);
      expect(inf.cycles).toBeGreaterThan(0);
    }
  });
});
