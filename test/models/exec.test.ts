/**
 * Hand-computed spike trains: each graph is run by the float executor and, after folding, by the
 * integer reference; both must give the spikes worked out by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { foldGraph } from '../../models/fold.js';
import { runFloat } from '../../models/float-exec.js';
import type { Graph, GraphNode } from '../../models/graph.js';
import { runReference } from '../../models/int-exec.js';
import { INT_CURRENT, INT_HARD_RESET, type IntModel } from '../../models/intmodel.js';

const f64 = (...x: number[]): Float64Array => Float64Array.from(x);
/** Bit-packed signs (+1 -> 1). */
const signs = (...s: number[]): Uint8Array => {
  const b = new Uint8Array(Math.ceil(s.length / 8));
  s.forEach((v, k) => {
    if (v > 0) b[k >> 3]! |= 1 << (k & 7);
  });
  return b;
};
const fc = (name: string, input: string, inF: number, outF: number, w: number[], alpha: number[]): GraphNode => ({
  op: 'binary_linear', name, input, inFeatures: inF, outFeatures: outF, weightBits: signs(...w), alpha: f64(...alpha),
});
const neuron = (name: string, input: string, theta: number, opts: Partial<{ reset: 'soft' | 'hard'; fireOn: 'gt' | 'ge'; vReset: number; leak: number }> = {}): GraphNode => {
  const base = { name, input, threshold: f64(theta), vReset: f64(opts.vReset ?? 0), reset: opts.reset ?? 'soft', fireOn: opts.fireOn ?? 'ge' } as const;
  return opts.leak ? { op: 'lif', leak: opts.leak, ...base } : { op: 'if', ...base };
};
/** Graph: input [n] -> body -> fc(last, 1 class) -> readout. */
function graph(T: number, inShape: number[], body: GraphNode[], last: string, lastSize: number): Graph {
  return {
    name: 'hand',
    timesteps: T,
    nodes: [
      { op: 'input', name: 'in', shape: inShape, encoding: { kind: 'binary', threshold: 0.5 } },
      ...body,
      fc('ro_fc', last, lastSize, 1, new Array(lastSize).fill(1), [1]),
      { op: 'readout', name: 'out', input: 'ro_fc', leak: 0 },
    ],
  };
}
function both(g: Graph, x: number[], layer: string): { float: number[]; int: number[]; m: IntModel } {
  const m = foldGraph(g);
  const input = Float32Array.from(x);
  return { float: Array.from(runFloat(g, input).spikes[layer]!), int: Array.from(runReference(m, input).spikes[layer]!), m };
}

describe('hand-computed spike trains (float and integer agree)', () => {
  it('IF soft reset, ge: alpha 0.25, theta 0.75 -> v .25 .5 .75* 0 .25 .5 .75*', () => {
    const g = graph(6, [1], [fc('f', 'in', 1, 1, [1], [0.25]), neuron('n', 'f', 0.75)], 'n', 1);
    const r = both(g, [1], 'n');
    expect(r.float).toEqual([0, 0, 1, 0, 0, 1]);
    expect(r.int).toEqual([0, 0, 1, 0, 0, 1]);
    const L = r.m.layers[0]!;
    // g0 = 2^F, theta = ceil(2^F * 0.75 / 0.25) = 3 * 2^F
    expect(L.g0[0]).toBe(2 ** L.fracBits);
    expect(L.theta[0]).toBe(3 * 2 ** L.fracBits);
  });

  it('IF soft reset, gt: fires only above theta -> v .25 .5 .75 1* .25 .5', () => {
    const g = graph(6, [1], [fc('f', 'in', 1, 1, [1], [0.25]), neuron('n', 'f', 0.75, { fireOn: 'gt' })], 'n', 1);
    const r = both(g, [1], 'n');
    expect(r.float).toEqual([0, 0, 0, 1, 0, 0]);
    expect(r.int).toEqual([0, 0, 0, 1, 0, 0]);
    expect(r.m.layers[0]!.theta[0]).toBe(3 * 2 ** r.m.layers[0]!.fracBits + 1);
  });

  it('IF hard reset to 0.25: v .25 .5 .75* -> .25, .5 .75* -> .25, .5', () => {
    const g = graph(6, [1], [fc('f', 'in', 1, 1, [1], [0.25]), neuron('n', 'f', 0.75, { reset: 'hard', vReset: 0.25 })], 'n', 1);
    const r = both(g, [1], 'n');
    expect(r.float).toEqual([0, 0, 1, 0, 1, 0]);
    expect(r.int).toEqual([0, 0, 1, 0, 1, 0]);
    expect(r.m.layers[0]!.flags[0]! & INT_HARD_RESET).toBe(INT_HARD_RESET);
    expect(r.m.layers[0]!.vreset[0]).toBe(2 ** r.m.layers[0]!.fracBits);
  });

  it('LIF shift leak 1: v .5, .75, .875, .9375* (theta 0.9)', () => {
    const g = graph(4, [1], [fc('f', 'in', 1, 1, [1], [0.5]), neuron('n', 'f', 0.9, { leak: 1 })], 'n', 1);
    const r = both(g, [1], 'n');
    expect(r.float).toEqual([0, 0, 0, 1]);
    expect(r.int).toEqual([0, 0, 0, 1]);
    expect(r.m.layers[0]!.leak[0]).toBe(1);
  });

  it('LIF multiplicative leak decay 1024 (v -= v/4): v .5, .875, 1.15625* -> .25625, .6921875 (theta 0.9)', () => {
    const n: GraphNode = { ...(neuron('n', 'f', 0.9) as GraphNode & { op: 'if' }), op: 'lif', leak: 0, decay: 1024 };
    const g = graph(4, [1], [fc('f', 'in', 1, 1, [1], [0.5]), n], 'n', 1);
    const r = both(g, [1], 'n');
    expect(r.float).toEqual([0, 0, 1, 0]);
    expect(r.int).toEqual([0, 0, 1, 0]);
    expect(r.m.layers[0]!.decay[0]).toBe(1024);
    expect(r.m.layers[0]!.leak[0]).toBe(0);
  });

  it('CubaLIF synDecay 2048: i .25 .375 .4375 .46875 .484375; v .25 .625 1.0625* .78125* .515625 (theta .75)', () => {
    const n: GraphNode = { ...(neuron('n', 'f', 0.75) as GraphNode & { op: 'if' }), op: 'lif', leak: 0, synDecay: 2048 };
    const g = graph(5, [1], [fc('f', 'in', 1, 1, [1], [0.25]), n], 'n', 1);
    const r = both(g, [1], 'n');
    expect(r.float).toEqual([0, 0, 1, 1, 0]);
    expect(r.int).toEqual([0, 0, 1, 1, 0]);
    expect(r.m.layers[0]!.flags[0]! & INT_CURRENT).toBe(INT_CURRENT);
    expect(r.m.layers[0]!.sdecay[0]).toBe(2048);
  });

  it('CubaLIF with a membrane decay 1024: v .25 .5625 .859375* .55078125 .8974609375* (theta .75)', () => {
    const n: GraphNode = { ...(neuron('n', 'f', 0.75) as GraphNode & { op: 'if' }), op: 'lif', leak: 0, decay: 1024, synDecay: 2048 };
    const g = graph(5, [1], [fc('f', 'in', 1, 1, [1], [0.25]), n], 'n', 1);
    const r = both(g, [1], 'n');
    expect(r.float).toEqual([0, 0, 1, 0, 1]);
    expect(r.int).toEqual([0, 0, 1, 0, 1]);
  });

  it('BatchNorm with negative gamma flips the weights: current 0.25 - 0.5 x', () => {
    // explicit per-step input x = 0 0 1 0; fc +1, alpha 1; BN gamma -0.5, beta 0.25, mean 0, var 1, eps 0
    // v: .25, .5* -> 0, -.25, 0
    const body: GraphNode[] = [
      fc('f', 'in', 1, 1, [1], [1]),
      { op: 'batchnorm', name: 'bn', input: 'f', gamma: f64(-0.5), beta: f64(0.25), mean: f64(0), var: f64(1), eps: 0 },
      neuron('n', 'bn', 0.5),
    ];
    const g = graph(4, [1], body, 'n', 1);
    const r = both(g, [0, 0, 1, 0], 'n');
    expect(r.float).toEqual([0, 1, 0, 0]);
    expect(r.int).toEqual([0, 1, 0, 0]);
    const L = r.m.layers[0]!;
    const syn = L.synapses[0]!.op;
    expect(syn.kind === 'dense' && Array.from(syn.weights.values)).toEqual([-1]);
    expect(L.bias[0]).toBe(2 ** L.fracBits / 2);
  });

  it('SEI shortcut: B = IF(bn(fc(A)) + A) uses two banks', () => {
    // A fires every step; B's current = -0.5 * 1 + 1 = 0.5; theta 0.75: v .5, 1* -> .25, .75* -> 0, .5
    const body: GraphNode[] = [
      fc('fa', 'in', 1, 1, [1], [1]),
      neuron('A', 'fa', 1),
      fc('fb', 'A', 1, 1, [-1], [0.5]),
      { op: 'batchnorm', name: 'bn', input: 'fb', gamma: f64(1), beta: f64(0), mean: f64(0), var: f64(1), eps: 0 },
      { op: 'add', name: 'sum', inputs: ['bn', 'A'] },
      neuron('B', 'sum', 0.75),
    ];
    const g = graph(4, [1], body, 'B', 1);
    const r = both(g, [1], 'B');
    expect(r.float).toEqual([0, 1, 1, 0]);
    expect(r.int).toEqual([0, 1, 1, 0]);
    const L = r.m.layers.find((l) => l.name === 'B')!;
    expect(L.synapses.map((s) => [s.source, s.acc, s.op.kind])).toEqual([['A', 0, 'dense'], ['A', 1, 'identity']]);
    expect(L.g1[0]).toBe(2 * L.g0[0]!);
  });

  it('sumpool fused into a conv: an enlarged, strided kernel', () => {
    // [1,4,4] -> sumpool 2x2/2 -> conv 2x2 (+1, alpha 1/8) = (active pixels)/8 = 6/8; theta 1:
    // v .75, 1.5* -> .5, 1.25* -> .25, 1*
    const x = [1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1];
    const body: GraphNode[] = [
      { op: 'sumpool', name: 'sp', input: 'in', kernel: [2, 2], stride: [2, 2], padding: [0, 0] },
      { op: 'binary_conv2d', name: 'c', input: 'sp', inChannels: 1, outChannels: 1, kernel: [2, 2], stride: [1, 1], padding: [0, 0], weightBits: signs(1, 1, 1, 1), alpha: f64(0.125) },
      neuron('n', 'c', 1),
    ];
    const g = graph(4, [1, 4, 4], body, 'n', 1);
    const r = both(g, x, 'n');
    expect(r.float).toEqual([0, 1, 1, 1]);
    expect(r.int).toEqual([0, 1, 1, 1]);
    const syn = r.m.layers[0]!.synapses[0]!;
    expect(syn.source).toBe('in');
    expect(syn.op.kind === 'conv' && [syn.op.kernel, syn.op.stride, Array.from(syn.op.weights.values)]).toEqual([[4, 4], [2, 2], new Array(16).fill(1)]);
  });

  it('sumpool before a linear layer: expanded dense columns', () => {
    // [1,2,4] -> sumpool 2x2/2 -> [1,1,2] -> flatten -> fc (+1, -1; alpha 0.5): current = (left - right)/2
    const body: GraphNode[] = [
      { op: 'sumpool', name: 'sp', input: 'in', kernel: [2, 2], stride: [2, 2], padding: [0, 0] },
      { op: 'flatten', name: 'fl', input: 'sp' },
      fc('f', 'fl', 2, 1, [1, -1], [0.5]),
      neuron('n', 'f', 1),
    ];
    const g = graph(2, [1, 2, 4], body, 'n', 1);
    // left block 3 active, right 1: current 1 per step -> fires every step
    const r = both(g, [1, 1, 0, 1, 1, 0, 0, 0], 'n');
    expect(r.float).toEqual([1, 1]);
    expect(r.int).toEqual([1, 1]);
    const syn = r.m.layers[0]!.synapses[0]!.op;
    expect(syn.kind === 'dense' && Array.from(syn.weights.values)).toEqual([1, 1, -1, -1, 1, 1, -1, -1]);
  });

  it('maxpool on spikes is OR (an IF layer with theta 1 and hard reset)', () => {
    const body: GraphNode[] = [
      { op: 'threshold', name: 'pass', input: 'in', threshold: f64(0.5), fireOn: 'ge' },
      { op: 'maxpool', name: 'mp', input: 'pass', kernel: [2, 2], stride: [2, 2], padding: [0, 0] },
    ];
    const g = graph(3, [1, 2, 2], body, 'mp', 1);
    const r = both(g, [0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1], 'mp');
    expect(r.float).toEqual([0, 1, 1]);
    expect(r.int).toEqual([0, 1, 1]);
    const L = r.m.layers.find((l) => l.name === 'mp')!;
    expect([L.theta[0], L.g0[0], L.flags[0]]).toEqual([1, 1, INT_HARD_RESET]);
  });

  it('threshold node is stateless', () => {
    // current = 0.5 * (+1) when x = 1 else 0; threshold 0.4 gt -> spike iff x = 1
    const g = graph(4, [1], [fc('f', 'in', 1, 1, [1], [0.5]), { op: 'threshold', name: 't', input: 'f', threshold: f64(0.4), fireOn: 'gt' }], 't', 1);
    const r = both(g, [1, 0, 1, 1], 't');
    expect(r.float).toEqual([1, 0, 1, 1]);
    expect(r.int).toEqual([1, 0, 1, 1]);
  });

  it('recurrent edge: a neuron that re-excites itself keeps firing without input', () => {
    // x = 1 0 0 0; A = IF(fc(x) + fc_rec(A previous step)), theta 1, hard reset -> 1 1 1 1
    const body: GraphNode[] = [
      fc('f', 'in', 1, 1, [1], [1]),
      fc('rec', 'A', 1, 1, [1], [1]),
      { op: 'add', name: 'sum', inputs: ['f', 'rec'] },
      neuron('A', 'sum', 1, { reset: 'hard' }),
    ];
    const g = graph(4, [1], body, 'A', 1);
    const r = both(g, [1, 0, 0, 0], 'A');
    expect(r.float).toEqual([1, 1, 1, 1]);
    expect(r.int).toEqual([1, 1, 1, 1]);
    const L = r.m.layers[0]!;
    expect(L.synapses.map((s) => [s.source, s.recurrent, s.acc])).toEqual([['in', false, 0], ['A', true, 0]]);
  });

  it('readout accumulates and argmax ties go to the lowest index', () => {
    const g: Graph = {
      name: 'ro', timesteps: 3,
      nodes: [
        { op: 'input', name: 'in', shape: [1], encoding: { kind: 'binary', threshold: 0.5 } },
        fc('f', 'in', 1, 3, [1, -1, 1], [0.5, 0.25, 0.5]),
        { op: 'readout', name: 'out', input: 'f', leak: 0 },
      ],
    };
    const fr = runFloat(g, Float32Array.from([1]));
    expect(Array.from(fr.readout)).toEqual([1.5, -0.75, 1.5]);
    expect(fr.prediction).toBe(0);
    const ir = runReference(foldGraph(g), Float32Array.from([1]));
    const F = foldGraph(g).layers[0]!.fracBits;
    // common divisor 0.5: gains 2^F, -2^(F-1), 2^F
    expect(Array.from(ir.readout)).toEqual([3 * 2 ** F, -1.5 * 2 ** F, 3 * 2 ** F]);
    expect(ir.prediction).toBe(0);
  });
});

describe('integer reference semantics (hand-built IntModel)', () => {
  function model(membraneBits: number, bias: number, theta: number, T: number, flags = 0, decay = 0, sdecay = 0): IntModel {
    const one = (v: number): Int32Array => Int32Array.from([v]);
    return {
      name: 'sat', timesteps: T, input: { name: 'in', shape: [1], encoding: { kind: 'binary', threshold: 0.5 } }, membraneBits,
      layers: [
        { name: 'n', kind: 'if', shape: [1], theta: one(theta), bias: one(bias), vreset: one(0), g0: one(1), g1: one(0), leak: Uint8Array.from([0]), flags: Uint8Array.from([flags]), decay: one(decay), sdecay: one(sdecay), fracBits: 0, synapses: [] },
        { name: 'out', kind: 'readout', shape: [1], theta: one(0), bias: one(bias), vreset: one(0), g0: one(0), g1: one(0), leak: Uint8Array.from([0]), flags: Uint8Array.from([0]), decay: one(0), sdecay: one(0), fracBits: 0, synapses: [{ source: 'n', recurrent: false, acc: 0, op: { kind: 'identity' } }] },
      ],
      readout: 'out',
    };
  }
  it('saturates the membrane at membraneBits (4 bits: -8..7)', () => {
    // readout: v = 3, 6, 7 (9 saturated), 7
    expect(Array.from(runReference(model(4, 3, 100, 4), Float32Array.from([0])).readout)).toEqual([7]);
    expect(Array.from(runReference(model(4, -3, 100, 4), Float32Array.from([0])).readout)).toEqual([-8]);
  });
  it('soft reset subtracts theta; >= fires', () => {
    // bias 2, theta 3: v 2, 4* -> 1, 3* -> 0, 2
    expect(Array.from(runReference(model(16, 2, 3, 4), Float32Array.from([0])).spikes.n!)).toEqual([0, 1, 1, 0]);
  });
  it('arithmetic shift leak floors toward -infinity', () => {
    const m = model(16, -5, 100, 2);
    m.layers[1]!.leak[0] = 1;
    m.layers[1]!.bias[0] = -5;
    // readout: v = -5; then -5 - floor(-5/2) = -5 + 3 = -2, -2 - 5 = -7
    expect(Array.from(runReference(m, Float32Array.from([0])).readout)).toEqual([-7]);
  });
  it('multiplicative leak v -= (v * d) >> 12 floors toward -infinity; d = 2048 is the shift leak 1', () => {
    const m = model(16, -5, 100, 2);
    m.layers[1]!.decay[0] = 2048;
    // readout: v = -5; then -5 - floor(-5 * 2048 / 4096) = -5 + 3 = -2, -2 - 5 = -7 (as the shift leak 1)
    expect(Array.from(runReference(m, Float32Array.from([0])).readout)).toEqual([-7]);
    m.layers[1]!.decay[0] = 1000;
    m.layers[1]!.bias[0] = 100;
    // v = 100; 100 - floor(100000/4096 = 24.4) = 76, + 100 = 176; 176 - floor(42.97) = 134, + 100 = 234
    const m3 = { ...m, timesteps: 3 };
    expect(Array.from(runReference(m3, Float32Array.from([0])).readout)).toEqual([234]);
    m.layers[1]!.bias[0] = -100;
    // v = -100; -100 - floor(-24.4) = -75, - 100 = -175; -175 - floor(-42.7) = -132, - 100 = -232
    expect(Array.from(runReference({ ...m, timesteps: 3 }, Float32Array.from([0])).readout)).toEqual([-232]);
  });
  it('CubaLIF: the drive goes into the current i (i -= (i * sdecay) >> 12), v += i', () => {
    // bias 8, theta 20, sdecay 2048, soft reset:
    //   i 8, v 8 | i 8-4+8 = 12, v 20* -> 0 | i 12-6+8 = 14, v 14 | i 14-7+8 = 15, v 29* -> 9
    expect(Array.from(runReference(model(16, 8, 20, 4, INT_CURRENT, 0, 2048), Float32Array.from([0])).spikes.n!)).toEqual([0, 1, 0, 1]);
    // with the membrane decay 1024 (v -= floor(v/4)) as well:
    //   i 8, v 8 | v 8-2 = 6, i 12, v 18 | v 18-4 = 14, i 14, v 28* -> 8 | v 8-2 = 6, i 15, v 21* -> 1
    expect(Array.from(runReference(model(16, 8, 20, 4, INT_CURRENT, 1024, 2048), Float32Array.from([0])).spikes.n!)).toEqual([0, 0, 1, 1]);
    // without the flag, sdecay is ignored: v 8, 16, 24* -> 4, 12
    expect(Array.from(runReference(model(16, 8, 20, 4, 0, 0, 2048), Float32Array.from([0])).spikes.n!)).toEqual([0, 0, 1, 0]);
    // the current saturates at membraneBits like v (6 bits: -32..31): bias 20, theta 31, sdecay 0:
    //   i 20, v 20 | i 40 -> 31, v 51 -> 31* -> 0 | i 51 -> 31, v 31* -> 0
    expect(Array.from(runReference(model(6, 20, 31, 3, INT_CURRENT, 0, 0), Float32Array.from([0])).spikes.n!)).toEqual([0, 1, 1]);
  });
  it('refuses inputs of the wrong length or out of the encoding', () => {
    const m = model(16, 1, 3, 2);
    expect(() => runReference(m, Float32Array.from([0, 0, 0]))).toThrow(/input has 3 values, expected 1 \(one sample\) or 2 \(T=2 steps\)/);
    expect(() => runReference(m, Float32Array.from([0, 2]))).toThrow(/input\[1\] = 2, expected an integer 0\.\.1/);
  });
});
