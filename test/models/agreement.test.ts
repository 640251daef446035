import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureAgreement } from '../../models/agreement.js';
import { foldGraph, foldGraphWithReport } from '../../models/fold.js';
import { runFloat } from '../../models/float-exec.js';
import type { Graph } from '../../models/graph.js';
import { runReference } from '../../models/int-exec.js';
import { randomGraph, randomInput } from '../../testing/random-graph.js';

const kinds = ['mlp', 'conv', 'shortcut', 'recurrent'] as const;

describe('float vs integer executors', () => {
  it('agree exactly when folding rounds nothing (dyadic random graphs, property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(...kinds), fc.integer({ min: 0, max: 1000 }), (seed, kind, xs) => {
        const g = randomGraph(seed, { kind, dyadic: true });
        // 32-bit membrane: headroom for T steps of worst-case drive, so nothing saturates.
        const { model: m, report } = foldGraphWithReport(g, { membraneBits: 32, thresholdBits: 24, biasBits: 24 });
        for (const l of report) expect(l.exact, `layer ${l.name}`).toBe(true);
        const x = randomInput(g, xs);
        const a = runFloat(g, x);
        const b = runReference(m, x);
        for (const [name, s] of Object.entries(b.spikes)) expect(Array.from(s), `layer ${name}`).toEqual(Array.from(a.spikes[name]!));
        expect(b.prediction).toBe(a.prediction);
        // The readout is the float readout in units of 2^-F * D exactly (D = largest |scale|).
        const ro = m.layers.find((l) => l.name === m.readout)!;
        const ratio = a.readout.map((v, j) => (v === 0 ? NaN : b.readout[j]! / v)).filter((r) => !Number.isNaN(r));
        for (const r of ratio) expect(r).toBeCloseTo(ratio[0]!, 9);
        if (ratio.length) expect(Math.log2(ratio[0]!) % 1).toBe(0);
        expect(ro.fracBits).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    ['all', 0.999, 0.97],
    ['readout', 0.998, 0.97],
  ] as const)('agree on most spikes and predictions for general random graphs (16-bit widths, headroom %s)', (headroom, spikeMin, predMin) => {
    let spikes = 0;
    let same = 0;
    let agree = 0;
    let n = 0;
    for (let seed = 0; seed < 150; seed++) {
      const g = randomGraph(seed);
      const m = foldGraph(g, { headroom });
      for (let k = 0; k < 4; k++) {
        const x = randomInput(g, seed * 7 + k);
        const a = runFloat(g, x);
        const b = runReference(m, x);
        n++;
        if (a.prediction === b.prediction) agree++;
        for (const [name, s] of Object.entries(b.spikes)) {
          const f = a.spikes[name]!;
          spikes += s.length;
          for (let i = 0; i < s.length; i++) if (s[i] === f[i]) same++;
        }
      }
    }
    expect(same / spikes).toBeGreaterThanOrEqual(spikeMin);
    expect(agree / n).toBeGreaterThanOrEqual(predMin);
  });

  it('measureAgreement counts accuracy and agreement', () => {
    const g: Graph = randomGraph(5, { kind: 'mlp' });
    const m = foldGraph(g);
    const size = m.layers.length ? g.nodes[0]!.op === 'input' ? g.nodes[0]!.shape.reduce((a, b) => a * b, 1) : 0 : 0;
    const count = 20;
    const data = new Float32Array(count * size);
    for (let k = 0; k < count; k++) data.set(randomInput(g, k), k * size);
    const preds = Array.from({ length: count }, (_, k) => runFloat(g, data.subarray(k * size, (k + 1) * size)).prediction);
    const labels = Uint8Array.from(preds);
    labels[0] = (labels[0]! + 1) % 2;
    const r = measureAgreement(g, m, { count, sampleLength: size, perStep: false, data }, labels, 10);
    expect(r.count).toBe(10);
    expect(r.floatCorrect).toBe(9);
    expect(r.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
  });
});
