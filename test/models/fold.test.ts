import { describe, expect, it } from 'vitest';
import { checkInputs, checkLabels, encodeDataset } from '../../models/data/inputs.js';
import { foldGraph } from '../../models/fold.js';
import { runFloat } from '../../models/float-exec.js';
import type { Graph, GraphNode, InputEncoding } from '../../models/graph.js';
import { runReference } from '../../models/int-exec.js';
import { randomGraph } from '../../testing/random-graph.js';

const f64 = (...x: number[]): Float64Array => Float64Array.from(x);
const ones = (n: number): Uint8Array => new Uint8Array(Math.ceil(n / 8)).fill(0xff);
const fc = (name: string, input: string, inF: number, outF: number, alpha = 1): GraphNode => ({
  op: 'binary_linear', name, input, inFeatures: inF, outFeatures: outF, weightBits: ones(inF * outF), alpha: new Float64Array(outF).fill(alpha),
});
const ifn = (name: string, input: string, theta = 1): GraphNode => ({ op: 'if', name, input, threshold: f64(theta), vReset: f64(0), reset: 'soft', fireOn: 'ge' });
function g(nodes: GraphNode[], T = 2, inShape = [2], encoding: InputEncoding = { kind: 'binary', threshold: 0.5 }): Graph {
  return { name: 't', timesteps: T, nodes: [{ op: 'input', name: 'in', shape: inShape, encoding }, ...nodes] };
}

describe('foldGraph', () => {
  it('chooses F per layer: fields fit 16 bits; the readout keeps T steps of headroom', () => {
    // theta 1.1 and a readout bias 0.1 are not dyadic: no F is exact, so each layer takes the largest F that fits
    const graph = g([fc('f', 'in', 2, 1), ifn('n', 'f', 1.1), fc('r', 'n', 1, 2), { op: 'bias', name: 'rb', input: 'r', bias: f64(0.1, 0.1) }, { op: 'readout', name: 'out', input: 'rb', leak: 0 }]);
    // default: the neuron layer takes the largest F with g0 = 2^F <= 32767 -> F = 14 (theta ceil(1.1 * 2^14) = 18023 fits)
    expect(foldGraph(graph).layers[0]!.fracBits).toBe(14);
    // headroom 'all': 2 inputs, alpha 1: |drive| <= 2 * 2^F, plus theta ceil(1.1 * 2^F): F = 13 (16384 + 9012 <= 32767)
    const m = foldGraph(graph, { headroom: 'all' });
    expect(m.layers[0]!.fracBits).toBe(13);
    expect(m.layers[0]!.theta[0]).toBe(9012);
    // headroom 'none': the readout too takes F = 14 (and may saturate)
    expect(foldGraph(graph, { headroom: 'none' }).layers[1]!.fracBits).toBe(14);
    // readout: T=2 steps of 1 input plus the bias 0.1: 2 * 1.1 * 2^F <= 32767 -> F = 13
    expect(m.layers[1]!.fracBits).toBe(13);
    expect(m.membraneBits).toBe(16);
    // wider thresholds allow more fraction bits
    // (F <= thresholdBits - 2: g0 = 2^22 fits 24 signed bits, 2^23 does not)
    expect(foldGraph(g([fc('f', 'in', 2, 1), ifn('n', 'f', 1.1), fc('r', 'n', 1, 2), { op: 'readout', name: 'out', input: 'r', leak: 0 }]), { membraneBits: 24, thresholdBits: 24 }).layers[0]!.fracBits).toBe(22);
  });

  it('takes the smallest exact F when one exists (dyadic parameters), whatever the widths', () => {
    const graph = g([fc('f', 'in', 2, 1, 0.5), ifn('n', 'f', 0.75), fc('r', 'n', 1, 2), { op: 'readout', name: 'out', input: 'r', leak: 0 }]);
    // theta / |alpha| = 1.5: exact from F = 1 on; the readout (gains 2^F, no bias) from F = 0
    for (const w of [16, 24, 32]) {
      const m = foldGraph(graph, { membraneBits: w, thresholdBits: w, biasBits: w });
      expect(m.layers.map((l) => l.fracBits)).toEqual([1, 0]);
      expect(m.layers[0]!.theta[0]).toBe(3);
    }
  });

  it('avgpool puts 1/(kh*kw) into the scale', () => {
    // [1,2,2] -> avgpool 2x2 -> flatten -> fc alpha 1: current = (active)/4; theta 0.5
    const graph = g([
      { op: 'avgpool', name: 'ap', input: 'in', kernel: [2, 2], stride: [2, 2], padding: [0, 0] },
      { op: 'flatten', name: 'fl', input: 'ap' },
      fc('f', 'fl', 1, 1),
      ifn('n', 'f', 0.5),
      fc('r', 'n', 1, 2),
      { op: 'readout', name: 'out', input: 'r', leak: 0 },
    ], 3, [1, 2, 2]);
    const m = foldGraph(graph);
    const L = m.layers[0]!;
    // divisor |s| = 1/4: theta = 2^F * 0.5 * 4
    expect(L.theta[0]).toBe(2 * 2 ** L.fracBits);
    const x = Float32Array.from([1, 1, 0, 0]); // current 0.5 per step: fires every step
    expect(Array.from(runReference(m, x).spikes.n!)).toEqual([1, 1, 1]);
    expect(Array.from(runFloat(graph, x).spikes.n!)).toEqual([1, 1, 1]);
  });

  it('multibit input: the worst-case drive counts 2^K - 1 per input', () => {
    const graph = g([fc('f', 'in', 2, 1), ifn('n', 'f', 1.1), fc('r', 'n', 1, 2), { op: 'readout', name: 'out', input: 'r', leak: 0 }], 2, [2], { kind: 'multibit', bits: 4 });
    // drive 2 * 15 * 2^F + ceil(1.1 * 2^F) <= 32767 -> F = 10
    expect(foldGraph(graph, { headroom: 'all' }).layers[0]!.fracBits).toBe(10);
    const m = foldGraph(graph);
    expect(Array.from(runReference(m, Float32Array.from([3, 0])).spikes.n!)).toEqual(Array.from(runFloat(graph, Float32Array.from([3, 0])).spikes.n!));
  });

  it('refuses a layer with more than two distinct scaled branches, naming the node', () => {
    const graph = g([
      fc('a', 'in', 2, 1, 1),
      fc('b', 'in', 2, 1, 0.5),
      fc('c', 'in', 2, 1, 0.25),
      { op: 'add', name: 's', inputs: ['a', 'b', 'c'] },
      ifn('n', 's'),
      fc('r', 'n', 1, 2),
      { op: 'readout', name: 'out', input: 'r', leak: 0 },
    ]);
    expect(() => foldGraph(graph, {}, 'x.bwsnn')).toThrow(/x\.bwsnn: node n: needs more than two distinct scaled branches/);
    // two branches with the same scale share bank 0
    (graph.nodes[3] as { alpha: Float64Array }).alpha = f64(1);
    const m = foldGraph(graph);
    expect(m.layers[0]!.synapses.map((s) => s.acc)).toEqual([0, 0, 1]);
  });

  it('refuses pooling of a current, naming the node', () => {
    const graph = g([
      { op: 'binary_conv2d', name: 'c', input: 'in', inChannels: 1, outChannels: 1, kernel: [1, 1], stride: [1, 1], padding: [0, 0], weightBits: ones(1), alpha: f64(1) },
      { op: 'sumpool', name: 'sp', input: 'c', kernel: [2, 2], stride: [2, 2], padding: [0, 0] },
      ifn('n', 'sp'),
      { op: 'flatten', name: 'fl', input: 'n' },
      fc('r', 'fl', 1, 2),
      { op: 'readout', name: 'out', input: 'r', leak: 0 },
    ], 1, [1, 2, 2]);
    expect(() => foldGraph(graph, {}, 'p.bwsnn')).toThrow(/p\.bwsnn: node sp: folding cannot express sumpool of a current/);
  });

  it('refuses a threshold that no fixed-point format can hold', () => {
    const graph = g([fc('f', 'in', 2, 1, 1e-9), ifn('n', 'f', 1), fc('r', 'n', 1, 2), { op: 'readout', name: 'out', input: 'r', leak: 0 }]);
    expect(() => foldGraph(graph, {}, 'big.bwsnn')).toThrow(/big\.bwsnn: node n: no fixed-point format fits/);
  });

  it('refuses a pool that cannot fold exactly into a padded conv', () => {
    // [1,5,5] -> sumpool 2x2/2 -> [1,2,2] (drops row/col 4) -> conv 3x3 pad 1: padding meets dropped rows
    const graph = g([
      { op: 'sumpool', name: 'sp', input: 'in', kernel: [2, 2], stride: [2, 2], padding: [0, 0] },
      { op: 'binary_conv2d', name: 'c', input: 'sp', inChannels: 1, outChannels: 1, kernel: [3, 3], stride: [1, 1], padding: [1, 1], weightBits: ones(9), alpha: f64(1) },
      ifn('n', 'c'),
      { op: 'flatten', name: 'fl', input: 'n' },
      fc('r', 'fl', 4, 2),
      { op: 'readout', name: 'out', input: 'r', leak: 0 },
    ], 1, [1, 5, 5]);
    expect(() => foldGraph(graph, {}, 'q.bwsnn')).toThrow(/q\.bwsnn: node c: cannot fold sumpool sp into the synapse exactly/);
  });

  it('is deterministic and refuses bad widths', () => {
    const r = randomGraph(9);
    expect(foldGraph(r)).toEqual(foldGraph(r));
    expect(() => foldGraph(r, { thresholdBits: 2 })).toThrow(/thresholdBits must be an integer 4\.\.32, got 2/);
    expect(() => foldGraph(r, { headroom: 'some' as 'all' })).toThrow(/headroom must be readout, all or none, got "some"/);
  });
});

describe('input and label checks', () => {
  const graph = g([fc('f', 'in', 2, 1), ifn('n', 'f'), fc('r', 'n', 1, 3), { op: 'readout', name: 'out', input: 'r', leak: 0 }], 2, [2], { kind: 'multibit', bits: 2 });
  it('accepts [N, 2] integers 0..3 and [N, T, 2] per-step inputs', () => {
    expect(checkInputs({ dtype: 'u1', shape: [2, 2], data: Uint8Array.from([0, 3, 1, 2]) }, graph, 'x.npy')).toMatchObject({ count: 2, sampleLength: 2, perStep: false });
    expect(checkInputs({ dtype: 'f4', shape: [1, 2, 2], data: Float32Array.from([0, 3, 1, 2]) }, graph, 'x.npy')).toMatchObject({ count: 1, sampleLength: 4, perStep: true });
  });
  it('refuses values outside the encoding, wrong shapes, NaN', () => {
    expect(() => checkInputs({ dtype: 'f4', shape: [1, 2], data: Float32Array.from([0, 4]) }, graph, 'x.npy')).toThrow(/x\.npy: sample 0, element 1 is 4, expected an integer 0\.\.3 \(multibit:2 encoding\)/);
    expect(() => checkInputs({ dtype: 'f4', shape: [1, 2], data: Float32Array.from([0.5, 1]) }, graph, 'x.npy')).toThrow(/element 0 is 0\.5/);
    expect(() => checkInputs({ dtype: 'f4', shape: [1, 3], data: new Float32Array(3) }, graph, 'x.npy')).toThrow(/x\.npy: shape \(1, 3\) does not fit model t/);
    expect(() => checkInputs({ dtype: 'f4', shape: [1, 3, 2], data: new Float32Array(6) }, graph, 'x.npy')).toThrow(/does not fit/);
    expect(() => checkInputs({ dtype: 'f4', shape: [1, 2], data: Float32Array.from([NaN, 1]) }, graph, 'x.npy')).toThrow(/element 0 is NaN, expected a finite number/);
  });
  it('labels: [N] integers in range', () => {
    expect(Array.from(checkLabels({ dtype: 'i8', shape: [2], data: Float64Array.from([0, 2]) }, 2, 3, 'y.npy'))).toEqual([0, 2]);
    expect(() => checkLabels({ dtype: 'f4', shape: [2], data: new Float32Array(2) }, 2, 3, 'y.npy')).toThrow(/y\.npy: dtype f4, expected integer labels/);
    expect(() => checkLabels({ dtype: 'u1', shape: [3], data: new Uint8Array(3) }, 2, 3, 'y.npy')).toThrow(/y\.npy: shape \(3\), expected \(2,\) labels/);
    expect(() => checkLabels({ dtype: 'i4', shape: [1], data: Int32Array.from([-1]) }, 1, 3, 'y.npy')).toThrow(/label 0 is -1, expected 0\.\.2/);
  });
  it('encodes data set pixels for multibit models as round(p * (2^K - 1))', () => {
    const ds = { name: 'd', shape: [2], count: 1, inputs: Float32Array.from([0.5, 1]), labels: Uint8Array.from([0]) };
    expect(Array.from(encodeDataset(ds, graph).data)).toEqual([2, 3]);
    expect(() => encodeDataset({ ...ds, shape: [3] }, graph)).toThrow(/data set d has \(3\) inputs, model t expects \(2\)/);
  });
});
