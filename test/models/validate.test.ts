import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '../../models/graph.js';
import { randomGraph } from '../../testing/random-graph.js';
import { validateGraph } from '../../models/validate.js';

function mlp(): Graph {
  return {
    name: 'm',
    timesteps: 2,
    nodes: [
      { op: 'input', name: 'in', shape: [1, 2, 2], encoding: { kind: 'binary', threshold: 0.5 } },
      { op: 'flatten', name: 'flat', input: 'in' },
      { op: 'binary_linear', name: 'fc', input: 'flat', inFeatures: 4, outFeatures: 3, weightBits: new Uint8Array(2), alpha: new Float64Array(3).fill(1) },
      { op: 'batchnorm', name: 'bn', input: 'fc', gamma: new Float64Array(3).fill(1), beta: new Float64Array(3), mean: new Float64Array(3), var: new Float64Array(3).fill(1), eps: 0 },
      { op: 'if', name: 'n1', input: 'bn', threshold: new Float64Array([1]), vReset: new Float64Array([0]), reset: 'soft', fireOn: 'ge' },
      { op: 'binary_linear', name: 'fc2', input: 'n1', inFeatures: 3, outFeatures: 2, weightBits: new Uint8Array(1), alpha: new Float64Array(2).fill(1) },
      { op: 'readout', name: 'out', input: 'fc2', leak: 0 },
    ],
  };
}

function edit(g: Graph, name: string, f: (n: GraphNode) => void): Graph {
  const n = g.nodes.find((x) => x.name === name)!;
  f(n);
  return g;
}

describe('validateGraph', () => {
  it('infers shapes and kinds of a small MLP', () => {
    const info = validateGraph(mlp(), 'm.bwsnn');
    expect(info.shapes.get('flat')).toEqual([4]);
    expect(info.shapes.get('out')).toEqual([2]);
    expect(info.kinds.get('in')).toBe('input');
    expect(info.kinds.get('n1')).toBe('spikes');
    expect(info.kinds.get('bn')).toBe('current');
  });

  it('infers conv and pool output sizes', () => {
    const g: Graph = {
      name: 'c', timesteps: 1,
      nodes: [
        { op: 'input', name: 'in', shape: [2, 7, 6], encoding: { kind: 'binary', threshold: 0.5 } },
        { op: 'binary_conv2d', name: 'c1', input: 'in', inChannels: 2, outChannels: 3, kernel: [3, 2], stride: [2, 1], padding: [1, 0], weightBits: new Uint8Array(5), alpha: new Float64Array(3) },
        { op: 'if', name: 'n', input: 'c1', threshold: new Float64Array([1]), vReset: new Float64Array([0]), reset: 'hard', fireOn: 'gt' },
        { op: 'maxpool', name: 'mp', input: 'n', kernel: [2, 2], stride: [2, 2], padding: [0, 0] },
        { op: 'sumpool', name: 'sp', input: 'mp', kernel: [1, 2], stride: [1, 1], padding: [0, 0] },
        { op: 'flatten', name: 'f', input: 'sp' },
        { op: 'binary_linear', name: 'fc', input: 'f', inFeatures: 3 * 2 * 1, outFeatures: 2, weightBits: new Uint8Array(2), alpha: new Float64Array(2) },
        { op: 'readout', name: 'out', input: 'fc', leak: 0 },
      ],
    };
    const info = validateGraph(g);
    // floor((7 + 2 - 3)/2) + 1 = 4; floor((6 - 2)/1) + 1 = 5
    expect(info.shapes.get('c1')).toEqual([3, 4, 5]);
    expect(info.shapes.get('mp')).toEqual([3, 2, 2]);
    expect(info.shapes.get('sp')).toEqual([3, 2, 1]);
    expect(info.kinds.get('f')).toBe('current');
    expect(info.pooledSource.has('f')).toBe(true);
  });

  it('accepts 300 random graphs', () => {
    for (let s = 0; s < 300; s++) validateGraph(randomGraph(s), `random${s}`);
  });

  const refusals: [string, (g: Graph) => Graph, RegExp][] = [
    ['wrong inFeatures', (g) => edit(g, 'fc', (n) => { (n as { inFeatures: number }).inFeatures = 5; (n as { weightBits: Uint8Array }).weightBits = new Uint8Array(2); }), /m\.bwsnn: node fc: inFeatures 5 does not match the flat size 4/],
    ['alpha length', (g) => edit(g, 'fc', (n) => { (n as { alpha: Float64Array }).alpha = new Float64Array(2); }), /node fc: alpha: expected 3 values, got 2/],
    ['weight bytes', (g) => edit(g, 'fc2', (n) => { (n as { weightBits: Uint8Array }).weightBits = new Uint8Array(2); }), /node fc2: weightBits: expected 1 bytes \(6 bits\), got 2/],
    ['NaN', (g) => edit(g, 'bn', (n) => { (n as { beta: Float64Array }).beta[1] = NaN; }), /node bn: beta\[1\] is NaN/],
    ['Infinity', (g) => edit(g, 'n1', (n) => { (n as { threshold: Float64Array }).threshold[0] = Infinity; }), /node n1: threshold\[0\] is Infinity/],
    ['unknown op', (g) => edit(g, 'bn', (n) => { (n as { op: string }).op = 'dropout'; }), /node bn: unknown node type "dropout"/],
    ['missing input', (g) => edit(g, 'fc2', (n) => { (n as { input: string }).input = 'nope'; }), /node fc2: input "nope" does not exist/],
    ['duplicate', (g) => edit(g, 'bn', (n) => { n.name = 'fc'; }), /node fc: duplicate name/],
    ['bn on spikes', (g) => edit(g, 'bn', (n) => { (n as { input: string }).input = 'in'; }), /node bn: input in is input; batchnorm takes a current/],
    ['loop without neuron', (g) => edit(g, 'bn', (n) => { (n as { input: string }).input = 'fc2'; }), /node bn: recurrent edge from fc2 \(binary_linear\) has no neuron on the loop/],
    ['timesteps', (g) => { g.timesteps = 256; return g; }, /timesteps: expected an integer 1\.\.255, got 256/],
    ['two readouts', (g) => { g.nodes.push({ op: 'readout', name: 'out2', input: 'fc2', leak: 0 }); return g; }, /exactly one readout node, found 2/],
  ];
  for (const [what, mutate, re] of refusals) {
    it(`refuses: ${what}`, () => {
      expect(() => validateGraph(mutate(mlp()), 'm.bwsnn')).toThrow(re);
    });
  }

  it('accepts a recurrent edge from a neuron', () => {
    const g = mlp();
    g.nodes.splice(4, 0, { op: 'binary_linear', name: 'rec', input: 'n1', inFeatures: 3, outFeatures: 3, weightBits: new Uint8Array(2), alpha: new Float64Array(3) });
    g.nodes.splice(5, 0, { op: 'add', name: 'sum', inputs: ['bn', 'rec'] });
    (g.nodes[6] as { input: string }).input = 'sum';
    const info = validateGraph(g);
    expect(info.shapes.get('rec')).toEqual([3]);
  });
});
