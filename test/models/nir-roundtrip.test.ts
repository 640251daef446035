import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runFloat } from '../../models/float-exec.js';
import type { Graph, GraphNode } from '../../models/graph.js';
import { readHdf5Tree } from '../../models/nir/hdf5.js';
import { exportNir, exportNirWithReport, importNir, importNirWithSummary } from '../../models/nir/index.js';
import { nextDown } from '../../models/nir/export.js';
import { chain, f32, f64, i64, input, nirBytes, output, vec } from './nir/fixtures.js';

/** Plain JSON view of a graph (typed arrays as arrays) for deep equality. */
const plain = (g: Graph): unknown =>
  JSON.parse(JSON.stringify(g.nodes, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)));

const bits = (signs: number[]): Uint8Array => {
  const b = new Uint8Array(Math.ceil(signs.length / 8));
  signs.forEach((s, k) => {
    if (s > 0) b[k >> 3]! |= 1 << (k & 7);
  });
  return b;
};

/** A small SEI-style graph with every exportable op; all values dyadic so float results are exact. */
function seiGraph(): Graph {
  const conv = Array.from({ length: 2 * 9 }, (_, k) => ((k * 5) % 3 === 0 ? -1 : 1));
  const lin = Array.from({ length: 64 }, (_, k) => ((k * 7) % 5 < 2 ? -1 : 1));
  const ro = Array.from({ length: 24 }, (_, k) => ((k * 3) % 4 === 0 ? -1 : 1));
  const nodes: GraphNode[] = [
    { op: 'input', name: 'in', shape: [1, 4, 4], encoding: { kind: 'binary', threshold: 0.5 } },
    { op: 'binary_conv2d', name: 'c1', input: 'in', inChannels: 1, outChannels: 2, kernel: [3, 3], stride: [1, 1], padding: [1, 1], weightBits: bits(conv), alpha: Float64Array.of(0.5, 1) },
    { op: 'batchnorm', name: 'bn', input: 'c1', gamma: Float64Array.of(1, 2), beta: Float64Array.of(0.5, 0), mean: Float64Array.of(0.25, 0), var: Float64Array.of(4, 1), eps: 0 },
    { op: 'if', name: 'n1', input: 'bn', threshold: Float64Array.of(0.5), vReset: Float64Array.of(0), reset: 'hard', fireOn: 'ge' },
    { op: 'avgpool', name: 'p', input: 'n1', kernel: [2, 2], stride: [2, 2], padding: [0, 0] },
    { op: 'flatten', name: 'f', input: 'p' },
    { op: 'binary_linear', name: 'l1', input: 'f', inFeatures: 8, outFeatures: 8, weightBits: bits(lin), alpha: new Float64Array(8).fill(0.75) },
    { op: 'bias', name: 'b', input: 'l1', bias: Float64Array.of(0.25, 0, 0, 0.5, 0, 0, 0.125, 0) },
    { op: 'linear', name: 'l2', input: 'f', inFeatures: 8, outFeatures: 8, bits: 4, weight: Int32Array.from({ length: 64 }, (_, k) => ((k * 11) % 15) - 7), scale: new Float64Array(8).fill(0.25) },
    { op: 'add', name: 's', inputs: ['b', 'l2', 'r'] },
    { op: 'lif', name: 'n2', input: 's', threshold: Float64Array.of(1), vReset: Float64Array.of(0), reset: 'hard', fireOn: 'gt', leak: 2 },
    { op: 'binary_linear', name: 'r', input: 'n2', inFeatures: 8, outFeatures: 8, weightBits: bits(lin.map((x) => -x)), alpha: new Float64Array(8).fill(0.5) },
    { op: 'binary_linear', name: 'ro_l', input: 'n2', inFeatures: 8, outFeatures: 3, weightBits: bits(ro), alpha: Float64Array.of(1, 0.5, 0.25) },
    { op: 'readout', name: 'ro', input: 'ro_l', leak: 1 },
  ];
  // 'r' reads n2 (listed later): a recurrent edge; fix the order so r is before s.
  const order = ['in', 'c1', 'bn', 'n1', 'p', 'f', 'l1', 'b', 'l2', 'r', 's', 'n2', 'ro_l', 'ro'];
  return { name: 'sei', timesteps: 4, nodes: order.map((n) => nodes.find((x) => x.name === n)!), meta: { dt: 1e-4 } };
}

describe('NIR export', () => {
  it('writes the nir.write 1.0 layout: /version, /node/type, (E,2) string edges, one group per node', () => {
    const bytes = exportNir(seiGraph());
    const t = readHdf5Tree(bytes, 'sei.nir');
    expect([...t.children.keys()].sort()).toEqual(['node', 'version']);
    const v = t.children.get('version')!;
    expect(v.kind === 'strings' && v.data).toEqual(['1.0.0']);
    const node = t.children.get('node')!;
    if (node.kind !== 'group') throw new Error('no group');
    expect([...node.children.keys()].sort()).toEqual(['edges', 'nodes', 'type']);
    const ty = node.children.get('type')!;
    expect(ty.kind === 'strings' && ty.shape.length === 0 && ty.data).toEqual(['NIRGraph']);
    const e = node.children.get('edges')!;
    expect(e.kind).toBe('strings');
    if (e.kind === 'strings') expect(e.shape[1]).toBe(2);
    const nodes = node.children.get('nodes')!;
    if (nodes.kind !== 'group') throw new Error('no nodes');
    const types = Object.fromEntries([...nodes.children].map(([k, g]) => [k, g.kind === 'group' && g.children.get('type')!.kind === 'strings' ? (g.children.get('type') as { data: string[] }).data[0] : '?']));
    expect(types).toEqual({
      in: 'Input',
      c1: 'Conv2d',
      bn: 'Scale',
      'bn:shift': 'Conv2d',
      n1: 'IF',
      p: 'AvgPool2d',
      f: 'Flatten',
      l1: 'Affine',
      l2: 'Linear',
      r: 'Linear',
      n2: 'LIF',
      ro_l: 'Linear',
      ro: 'LI',
      output: 'Output',
    });
    const lif = nodes.children.get('n2');
    if (lif?.kind !== 'group') throw new Error('no n2');
    const tau = lif.children.get('tau')!;
    expect(tau.kind === 'numeric' && tau.dtype).toBe('<d');
    expect(tau.kind === 'numeric' && Array.from(tau.data)).toEqual(new Array(8).fill(4e-4));
    const th = nodes.children.get('n1');
    if (th?.kind !== 'group') throw new Error('no n1');
    const vt = th.children.get('v_threshold')!;
    // fires on v >= 0.5 -> NIR's v > nextDown(0.5)
    expect(vt.kind === 'numeric' && vt.data[0]).toBe(nextDown(0.5));
    expect(vt.kind === 'numeric' && vt.shape).toEqual([2, 4, 4]);
  });

  it('export -> import reproduces the executor results exactly (documented normalizations only)', () => {
    const g = seiGraph();
    const back = importNir(exportNir(g), 'sei.nir', { weightBits: 4, dt: 1e-4 });
    // Normalizations: bn becomes a gain folded into c1's alpha plus a bias; 'ge' becomes 'gt' at nextDown.
    const c1 = back.nodes.find((n) => n.name === 'c1')!;
    expect(c1.op === 'binary_conv2d' && Array.from(c1.alpha)).toEqual([0.25, 2]);
    const n1 = back.nodes.find((n) => n.name === 'n1')!;
    expect(n1.op === 'if' && [n1.fireOn, n1.threshold[0]]).toEqual(['gt', nextDown(0.5)]);
    const n2 = back.nodes.find((n) => n.name === 'n2')!;
    expect(n2.op === 'lif' && n2.leak).toBe(2);
    const ro = back.nodes.find((n) => n.name === 'ro')!;
    expect(ro.op === 'readout' && ro.leak).toBe(1);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 16, maxLength: 16 }), (px) => {
        const x = Float32Array.from(px);
        const a = runFloat(g, x);
        const b = runFloat(back, x);
        expect(Array.from(b.readout)).toEqual(Array.from(a.readout));
        expect(b.prediction).toBe(a.prediction);
        for (const n of ['n1', 'n2']) expect(Array.from(b.spikes[n]!)).toEqual(Array.from(a.spikes[n]!));
      }),
      { numRuns: 40 },
    );
  });

  it('import -> export -> import is the identity on imported graphs', () => {
    const files = [
      chain([
        ['in', input(1, 3, 3)],
        ['conv', { type: 'Conv2d', weight: f32([2, 1, 2, 2], [1, 1, 1, 1, 2, -2, -2, 2]), bias: vec(0, 0.5), stride: i64([2], [1, 1]), padding: i64([2], [0, 0]), dilation: i64([2], [1, 1]), groups: i64([], [1]), input_shape: i64([2], [3, 3]) }],
        ['th', { type: 'Threshold', threshold: f32([2, 2, 2], new Array(8).fill(1.5)) }],
        ['pool', { type: 'SumPool2d', kernel_size: i64([2], [2, 2]), stride: i64([2], [2, 2]), padding: i64([2], [0, 0]) }],
        ['flat', { type: 'Flatten', start_dim: i64([], [0]), end_dim: i64([], [-1]), input_type: i64([3], [2, 1, 1]) }],
        ['fc', { type: 'Affine', weight: f32([2, 2], [1, 0.5, 0.25, 1]), bias: vec(0, 0.5) }],
        ['sc', { type: 'Scale', scale: vec(2, 3) }],
        ['acc', { type: 'I', r: vec(1, 1) }],
        ['out', output(2)],
      ]),
      {
        type: 'NIRGraph' as const,
        nodes: {
          in: input(2),
          w: { type: 'Linear', weight: f32([2, 2], [1, -1, 1, 1]) },
          rec: { type: 'Linear', weight: f32([2, 2], [0.5, 0.5, -0.5, 0.5]) },
          neu: { type: 'LIF', tau: f64([2], [4e-4, 4e-4]), r: f64([2], [4, 4]), v_leak: f64([2], [0, 0]), v_threshold: f64([2], [0.75, 1]), v_reset: f64([2], [0, -0.5]) },
          out: output(2),
        },
        edges: [
          ['in', 'w'],
          ['w', 'neu'],
          ['neu', 'rec'],
          ['rec', 'neu'],
          ['neu', 'out'],
        ] as [string, string][],
      },
    ];
    for (const graph of files) {
      const a = importNirWithSummary(nirBytes({ graph }), 'a.nir').graph;
      const b = importNir(exportNir(a), 'a.nir');
      expect(plain(b)).toEqual(plain(a));
      for (const x of [Float32Array.of(1, 1, 0, 1, 1, 0, 0, 0, 1), Float32Array.of(1, 0)]) {
        if (x.length !== (a.nodes[0]!.op === 'input' ? a.nodes[0]!.shape.reduce((p, q) => p * q, 1) : 0)) continue;
        expect(runFloat(b, x)).toEqual(runFloat(a, x));
      }
    }
  });

  it('soft reset goes out as an integrator-threshold loop and comes back as the same soft-reset neuron', () => {
    const g = seiGraph();
    const soft: Graph = {
      ...g,
      nodes: g.nodes.map((n) => (n.name === 'n1' && n.op === 'if' ? { ...n, reset: 'soft' as const } : n.name === 'n2' && n.op === 'lif' ? { ...n, reset: 'soft' as const, threshold: Float64Array.of(0.3) } : n)),
    };
    const { bytes, report } = exportNirWithReport(soft);
    expect(report.notes).toContain('node n1: soft reset exported as I n1:v -> Threshold n1 -> Scale n1:reset (-theta, one step late) -> n1:v');
    const back = importNirWithSummary(bytes, 'soft.nir', { weightBits: 4 });
    const n1 = back.graph.nodes.find((n) => n.name === 'n1')!;
    expect(n1.op === 'if' && [n1.reset, n1.fireOn, n1.threshold[0]]).toEqual(['soft', 'ge', 0.5]);
    const n2 = back.graph.nodes.find((n) => n.name === 'n2')!;
    expect(n2.op === 'lif' && [n2.reset, n2.fireOn, n2.threshold[0], n2.leak]).toEqual(['soft', 'gt', 0.3, 2]);
    expect(back.summary.notes.some((n) => /n1:v \(I\) -> n1 \(Threshold\) -> n1:reset \(Scale\) -> n1:v: fused into a soft-reset IF n1/.test(n))).toBe(true);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 16, maxLength: 16 }), (px) => {
        const x = Float32Array.from(px);
        const a = runFloat(soft, x);
        const b = runFloat(back.graph, x);
        expect(Array.from(b.readout)).toEqual(Array.from(a.readout));
        for (const n of ['n1', 'n2']) expect(Array.from(b.spikes[n]!)).toEqual(Array.from(a.spikes[n]!));
      }),
      { numRuns: 40 },
    );
    const lossy = exportNirWithReport(soft, { lossy: true });
    expect(lossy.report.notes.some((n) => /n1: LOSSY: soft reset exported as NIR's hard reset/.test(n))).toBe(true);
  });

  it('refuses what NIR cannot express, naming the node', () => {
    const g = seiGraph();
    const mp: Graph = {
      ...g,
      nodes: g.nodes.map((n) => (n.name === 'p' ? { op: 'maxpool' as const, name: 'p', input: 'n1', kernel: [2, 2] as [number, number], stride: [2, 2] as [number, number], padding: [0, 0] as [number, number] } : n)),
    };
    expect(() => exportNir(mp)).toThrow(/node p \(maxpool\): cannot export to NIR: NIR has no max pooling node/);
  });
});
