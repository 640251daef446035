/**
 * A source task whose spikes go both to a full-channel region (a conv reads all channels: cw = the
 * source's words per position) and to a channel-shifted identity-shortcut region (cw = the group's
 * words, bit 0 = the group's first channel) of the same neurons needs two SENDs. They were merged
 * into one routing list with the first one's stride, so the shortcut read the wrong bits (found by a
 * seed scan: 'mid' chip, conv model seed 33, layer c1 differed from the integer executor).
 */
import { describe, expect, it } from 'vitest';
import { compileStages } from '../../compiler/index.js';
import { runReference } from '../../models/int-exec.js';
import { simulateSync } from '../../simulator/index.js';
import { CHIPS } from './helpers/chips.js';
import { randomIntModel, randomSample } from './helpers/gen.js';

describe('routing lists of a task that feeds full and channel-shifted regions', () => {
  it('keeps one SEND per stride, and the shortcut layer is bit-exact', () => {
    const m = randomIntModel(33, { membraneBits: 16, kind: 'conv' });
    const x = randomSample(m, 33, false);
    const want = runReference(m, x);
    for (const strategy of ['pack', 'spread'] as const) {
      const st = compileStages(m, CHIPS.mid!, { strategy });
      // The case this test is about: a c1 task reads a channel-shifted region of c0 ...
      const shifted = st.partition.tasks.filter((t) => t.layer === 'c1' && t.parts.some((p) => p.ch !== undefined));
      expect(shifted.length).toBeGreaterThan(0);
      // ... and some c0 task sends the same neurons with two strides.
      const twoStrides = Object.values(st.route.sends).some((list) => {
        const byNeurons = new Map<string, Set<number>>();
        for (const s of list) byNeurons.set(`${s.rn},${s.n}`, (byNeurons.get(`${s.rn},${s.n}`) ?? new Set()).add(s.cw));
        return [...byNeurons.values()].some((cws) => cws.size > 1);
      });
      expect(twoStrides, strategy).toBe(true);
      const inf = simulateSync(st.emit, { count: 1, data: x }, { probes: true }).inferences[0]!;
      for (const l of m.layers) if (l.kind === 'if') expect(inf.spikes![l.name], `${strategy}: ${l.name}`).toEqual(want.spikes[l.name]);
      expect(inf.readout).toEqual(want.readout);
    }
  });
});
