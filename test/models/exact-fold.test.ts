import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureAgreement } from '../../models/agreement.js';
import { FoldFitError, foldGraph, foldGraphWithReport } from '../../models/fold.js';
import { runFloat } from '../../models/float-exec.js';
import type { Graph, GraphNode } from '../../models/graph.js';
import { runReference } from '../../models/int-exec.js';
import { deepDyadicGraph, randomInput } from '../../testing/random-graph.js';

const f64 = (...x: number[]): Float64Array => Float64Array.from(x);
const W24 = { membraneBits: 24, thresholdBits: 24, biasBits: 24 };

function expectBitExact(g: Graph, widths: typeof W24, x: Float32Array): void {
  const { model: m, report } = foldGraphWithReport(g, widths);
  for (const l of report) expect(l.exact, `layer ${l.name} exact`).toBe(true);
  const a = runFloat(g, x);
  const b = runReference(m, x);
  for (const [name, s] of Object.entries(b.spikes)) expect(Array.from(s), `layer ${name}`).toEqual(Array.from(a.spikes[name]!));
  // the readout is the float readout in one power-of-two unit, exactly
  const k = a.readout.findIndex((v) => v !== 0);
  if (k >= 0) {
    const ratio = b.readout[k]! / a.readout[k]!;
    expect(Math.log2(ratio) % 1).toBe(0);
    for (let j = 0; j < a.readout.length; j++) expect(b.readout[j]).toBe(a.readout[j]! * ratio);
  }
  expect(b.prediction).toBe(a.prediction);
}

describe('exact folding of dyadic models', () => {
  it('deep residual dyadic graphs (10+ layers, float first layer on 8-bit pixels, two scaled branches, negative scales, strict v > theta, 4x4 sum pool, float classifier) fold bit-exact (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 1000 }), (seed, xs) => {
        const g = deepDyadicGraph(seed);
        expect(g.nodes.filter((n) => n.op === 'if').length).toBeGreaterThanOrEqual(11);
        expectBitExact(g, W24, randomInput(g, xs));
      }),
      { numRuns: 25 },
    );
  });

  it('the same graphs at 32-bit widths fold to the same exact formats (the widths only bound them)', () => {
    for (let seed = 0; seed < 3; seed++) {
      const g = deepDyadicGraph(seed);
      const a = foldGraph(g, W24);
      const b = foldGraph(g, { membraneBits: 32, thresholdBits: 32, biasBits: 32 });
      expect(b.layers.map((l) => l.fracBits)).toEqual(a.layers.map((l) => l.fracBits));
      expectBitExact(g, { membraneBits: 32, thresholdBits: 32, biasBits: 32 }, randomInput(g, seed));
    }
  });

  it("a soft-reset 'gt' neuron meeting exact ties keeps spare bits for the reset drift", () => {
    // input 1 -> alpha 0.5 -> IF theta 1, v > theta, soft reset: v = .5, 1 (tie: no spike), 1.5 (spike, .5), 1, 1.5, 1
    const nodes: GraphNode[] = [
      { op: 'input', name: 'in', shape: [1], encoding: { kind: 'binary', threshold: 0.5 } },
      { op: 'binary_linear', name: 'f', input: 'in', inFeatures: 1, outFeatures: 1, weightBits: Uint8Array.from([1]), alpha: f64(0.5) },
      { op: 'if', name: 'n', input: 'f', threshold: f64(1), vReset: f64(0), reset: 'soft', fireOn: 'gt' },
      { op: 'binary_linear', name: 'r', input: 'n', inFeatures: 1, outFeatures: 2, weightBits: Uint8Array.from([1]), alpha: f64(1, 1) },
      { op: 'readout', name: 'out', input: 'r', leak: 0 },
    ];
    const g: Graph = { name: 'tie', timesteps: 6, nodes };
    const x = Float32Array.from([1]);
    expect(Array.from(runFloat(g, x).spikes.n!)).toEqual([0, 0, 1, 0, 1, 0]);
    const m = foldGraph(g);
    // T = 6 spikes at most: 3 spare bits, so F = 3 (theta / alpha = 2 -> 16 + 1 = 17, g0 = 8)
    expect(m.layers[0]!.fracBits).toBe(3);
    expect(m.layers[0]!.theta[0]).toBe(17);
    expect(Array.from(runReference(m, x).spikes.n!)).toEqual([0, 0, 1, 0, 1, 0]);
    expect(measureAgreement(g, m, { count: 1, sampleLength: 1, perStep: false, data: x }).firstDifference).toBeUndefined();
    // without the spare bits (theta 2 + 1, g0 1) the drift shows: first difference at step 4 (spike at 5 instead)
    const bad = foldGraph(g);
    const L = bad.layers[0]!;
    L.theta[0] = 3;
    L.g0[0] = 1;
    expect(Array.from(runReference(bad, x).spikes.n!)).toEqual([0, 0, 1, 0, 0, 1]);
    expect(measureAgreement(g, bad, { count: 1, sampleLength: 1, perStep: false, data: x }).firstDifference).toEqual({ sample: 0, step: 4, layer: 'n', neuron: 0 });
  });
});

describe('fit, do not fail', () => {
  const firstLayer = (scale: number, threshold: number): Graph => ({
    name: 'fit', timesteps: 2,
    nodes: [
      { op: 'input', name: 'in', shape: [4], encoding: { kind: 'multibit', bits: 8 } },
      { op: 'linear', name: 'f', input: 'in', inFeatures: 4, outFeatures: 2, bits: 8, weight: Int32Array.from([127, -100, 37, 5, -128, 64, 3, -1]), scale: f64(scale, scale) },
      { op: 'if', name: 'n', input: 'f', threshold: f64(threshold), vReset: f64(0), reset: 'soft', fireOn: 'gt' },
      { op: 'binary_linear', name: 'r', input: 'n', inFeatures: 2, outFeatures: 2, weightBits: Uint8Array.from([0b0110]), alpha: f64(1, 1) },
      { op: 'readout', name: 'out', input: 'r', leak: 0 },
    ],
  });

  it('lowers a float layer\'s weight precision until its threshold fits, and says so', () => {
    // theta / scale = 2^20 needs 22 signed bits; 16-bit thresholds: drop 6 LSBs (2^20 / 2^6 = 2^14 <= 32767)
    const { model, report } = foldGraphWithReport(firstLayer(2 ** -20, 1));
    const r = report[0]!;
    expect(r.droppedBits).toBe(6);
    expect(r.originalWeightBits).toBe(8);
    expect(r.weightBits).toBe(3); // round(w / 64): 2, -2, 1, 0, -2, 1, 0, 0 -> sint 3 bits
    expect(r.exact).toBe(false);
    // the largest error: one unit (2^-20 * 2^6) of reset drift of the strict threshold, larger than
    // the largest weight rounding (-100 -> -128: 28 * 2^-20)
    expect(r.errorField).toMatch(/reset drift/);
    expect(r.maxError).toBe(2 ** -14);
    expect(r.weightError).toBe(28 * 2 ** -20);
    expect(model.layers[0]!.fracBits).toBe(0);
    expect(model.layers[0]!.theta[0]).toBe(2 ** 14 + 1);
    expect(Array.from(model.layers[0]!.synapses[0]!.op.kind === 'dense' ? model.layers[0]!.synapses[0]!.op.weights.values : [])).toEqual([2, -2, 1, 0, -2, 1, 0, 0]);
    // the same layer fits a 24-bit preset exactly
    expect(foldGraphWithReport(firstLayer(2 ** -20, 1), W24).report[0]!.exact).toBe(true);
  });

  it('refuses only when nothing fits, naming the layer, the width needed, the chip field and a preset', () => {
    const g: Graph = {
      name: 'nofit', timesteps: 2,
      nodes: [
        { op: 'input', name: 'in', shape: [1], encoding: { kind: 'binary', threshold: 0.5 } },
        { op: 'binary_linear', name: 'f', input: 'in', inFeatures: 1, outFeatures: 1, weightBits: Uint8Array.from([1]), alpha: f64(2 ** -20) },
        { op: 'if', name: 'n', input: 'f', threshold: f64(1), vReset: f64(0), reset: 'soft', fireOn: 'ge' },
        { op: 'binary_linear', name: 'r', input: 'n', inFeatures: 1, outFeatures: 2, weightBits: Uint8Array.from([1]), alpha: f64(1, 1) },
        { op: 'readout', name: 'out', input: 'r', leak: 0 },
      ],
    };
    let err: unknown;
    try {
      foldGraph(g, {}, 'm.bwsnn');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FoldFitError);
    const e = err as FoldFitError;
    expect(e.layer).toBe('n');
    expect(e.needed.thresholdBits).toBe(22); // 2^20 needs 22 signed bits
    expect(e.message).toMatch(/^m\.bwsnn: node n: no fixed-point format fits: thresholds\/gains need 22 bits/);
    expect(e.message).toMatch(/a chip with thresholdBits 22, membraneBits 22 fits \(shipped preset: bw-core-8x8-wide\)/);
    expect(() => foldGraph(g, W24)).not.toThrow();
  });
});
