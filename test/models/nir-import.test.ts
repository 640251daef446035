import { describe, expect, it } from 'vitest';
import { runFloat } from '../../models/float-exec.js';
import type { Graph, GraphNode } from '../../models/graph.js';
import { importNirWithSummary, type NirImportOptions } from '../../models/nir/index.js';
import { chain, f32, f64, i64, input, nirBytes, output, vec, type FixFile } from './nir/fixtures.js';

const imp = (f: FixFile, opts: NirImportOptions = {}) => importNirWithSummary(nirBytes(f), 'fix.nir', opts);
const node = (g: Graph, name: string): GraphNode => {
  const n = g.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name} in ${g.nodes.map((x) => x.name).join(', ')}`);
  return n;
};
/** Spikes of `name` as one array per step. */
const train = (s: Uint8Array, T: number): number[][] => {
  const size = s.length / T;
  return Array.from({ length: T }, (_, t) => Array.from(s.slice(t * size, (t + 1) * size)));
};
const bitsOf = (b: Uint8Array, count: number): number[] => Array.from({ length: count }, (_, k) => (b[k >> 3]! >> (k & 7)) & 1);

describe('NIR import: node types, executed against hand-computed spike trains', () => {
  it('Affine -> IF: multi-bit rows on their exact grid, bias node, hard reset, spike-count readout', () => {
    const { graph, summary } = imp({
      graph: chain([
        ['in', input(2)],
        ['fc', { type: 'Affine', weight: f32([2, 2], [1, -1, 0.5, 0.25]), bias: vec(0, 0.1) }],
        ['if', { type: 'IF', r: vec(1, 1), v_threshold: vec(0.9, 0.9), v_reset: vec(0, 0) }],
        ['out', output(2)],
      ]),
    });
    const fc = node(graph, 'fc');
    expect(fc.op).toBe('linear');
    if (fc.op !== 'linear') return;
    expect(fc.bits).toBe(8);
    expect(Array.from(fc.weight)).toEqual([1, -1, 2, 1]);
    expect(Array.from(fc.scale)).toEqual([1, 0.25]);
    const b = node(graph, 'fc:bias');
    expect(b.op === 'bias' && Array.from(b.bias).map((x) => Math.fround(x))).toEqual([0, Math.fround(0.1)]);
    expect(summary.multibitLayers).toEqual([{ node: 'fc', bits: 8, exactRows: 2, rows: 2, maxRelError: 0 }]);
    const r = runFloat(graph, Float32Array.of(1, 0));
    // neuron 0: v = 1 > 0.9 every step; neuron 1: 0.6, 1.2 (fire), 0.6, 1.2 (fire)
    expect(train(r.spikes['if']!, 4)).toEqual([
      [1, 0],
      [1, 1],
      [1, 0],
      [1, 1],
    ]);
    expect(Array.from(r.readout)).toEqual([4, 2]);
    expect(r.prediction).toBe(0);
    expect(summary.readout).toMatch(/spike count of if/);
  });

  it('Linear -> LIF -> LI: shift leaks from dt/tau, gains r*dt/tau, LI as the readout', () => {
    const dt = 1e-4;
    const { graph, summary } = imp(
      {
        graph: chain([
          ['in', input(1)],
          ['w', { type: 'Linear', weight: f64([1, 1], [1]) }],
          ['lif', { type: 'LIF', tau: f64([1], [4 * dt]), r: f64([1], [4]), v_leak: f64([1], [0]), v_threshold: f64([1], [1.5]) }],
          ['li', { type: 'LI', tau: f64([1], [2 * dt]), r: f64([1], [2]), v_leak: f64([1], [0]) }],
          ['out', output(1)],
        ]),
      },
      { dt },
    );
    const lif = node(graph, 'lif');
    expect(lif.op === 'lif' && lif.leak).toBe(2);
    expect(lif.op === 'lif' && lif.reset).toBe('hard');
    const ro = node(graph, 'li');
    expect(ro.op === 'readout' && ro.leak).toBe(1);
    expect(summary.leaks.map((l) => [l.node, l.shift, l.relError])).toEqual([
      ['lif', 2, 0],
      ['li', 1, 0],
    ]);
    const r = runFloat(graph, Float32Array.of(1));
    // lif: v = 3/4 v + 1: 1, 1.75 (fire), 1, 1.75 (fire)
    expect(train(r.spikes['lif']!, 4)).toEqual([[0], [1], [0], [1]]);
    // li: v = v/2 + s: 0, 1, 0.5, 1.25
    expect(Array.from(r.readout)).toEqual([1.25]);
  });

  it('LIF v_leak and a gain that cannot be folded (two incoming edges) become bias and batchnorm nodes', () => {
    const dt = 1e-4;
    const { graph } = imp(
      {
        graph: {
          type: 'NIRGraph',
          nodes: {
            in: input(1),
            a: { type: 'Linear', weight: f64([1, 1], [1]) },
            b: { type: 'Linear', weight: f64([1, 1], [1]) },
            lif: { type: 'LIF', tau: f64([1], [2 * dt]), r: f64([1], [1]), v_leak: f64([1], [0.5]), v_threshold: f64([1], [10]) },
            out: output(1),
          },
          edges: [
            ['in', 'a'],
            ['in', 'b'],
            ['a', 'lif'],
            ['b', 'lif'],
            ['lif', 'out'],
          ],
        },
      },
      { dt },
    );
    expect(graph.nodes.map((n) => `${n.name}:${n.op}`)).toEqual([
      'in:input',
      'a:linear',
      'b:linear',
      'lif:sum:add',
      'lif:gain:batchnorm',
      'lif:vleak:bias',
      'lif:lif',
      'out:count:linear',
      'out:readout',
    ]);
    const gain = node(graph, 'lif:gain');
    expect(gain.op === 'batchnorm' && Array.from(gain.gamma)).toEqual([0.5]);
    const vl = node(graph, 'lif:vleak');
    expect(vl.op === 'bias' && Array.from(vl.bias)).toEqual([0.25]);
  });

  it('Conv2d (binary, per-channel c_j) -> Threshold -> SumPool2d -> Flatten -> Affine -> Scale -> I', () => {
    const { graph, summary } = imp({
      graph: chain([
        ['in', input(1, 3, 3)],
        [
          'conv',
          {
            type: 'Conv2d',
            weight: f32([2, 1, 2, 2], [1, 1, 1, 1, 2, -2, -2, 2]),
            bias: vec(0, 0),
            stride: i64([2], [1, 1]),
            padding: i64([2], [0, 0]),
            dilation: i64([2], [1, 1]),
            groups: i64([], [1]),
            input_shape: i64([2], [3, 3]),
          },
        ],
        ['th', { type: 'Threshold', threshold: f32([2, 2, 2], new Array(8).fill(1.5)) }],
        ['pool', { type: 'SumPool2d', kernel_size: i64([2], [2, 2]), stride: i64([2], [2, 2]), padding: i64([2], [0, 0]) }],
        ['flat', { type: 'Flatten', start_dim: i64([], [0]), end_dim: i64([], [-1]), input_type: i64([3], [2, 1, 1]) }],
        ['fc', { type: 'Affine', weight: f32([2, 2], [1, 0, 0, 1]), bias: vec(0, 0.5) }],
        ['sc', { type: 'Scale', scale: vec(2, 3) }],
        ['acc', { type: 'I', r: vec(1, 1) }],
        ['out', output(2)],
      ]),
    });
    const conv = node(graph, 'conv');
    expect(conv.op).toBe('binary_conv2d');
    if (conv.op === 'binary_conv2d') {
      expect(Array.from(conv.alpha)).toEqual([1, 2]);
      expect(bitsOf(conv.weightBits, 8)).toEqual([1, 1, 1, 1, 1, 0, 0, 1]);
    }
    expect(summary.binaryLayers).toEqual(['conv']);
    // The Scale folds into fc's scale and bias.
    const fc = node(graph, 'fc');
    expect(fc.op === 'linear' && Array.from(fc.scale)).toEqual([2, 3]);
    const b = node(graph, 'fc:bias');
    expect(b.op === 'bias' && Array.from(b.bias)).toEqual([0, 1.5]);
    const img = Float32Array.of(1, 1, 0, 1, 1, 0, 0, 0, 1);
    const r = runFloat(graph, img);
    // conv ch0 = [4,2,2,2] -> spikes 1111; ch1 = [0,0,0,4] -> 0001; pools [4, 1]; fc*scale+bias = [8, 4.5]
    expect(train(r.spikes['th']!, 4)[0]).toEqual([1, 1, 1, 1, 0, 0, 0, 1]);
    expect(Array.from(r.readout)).toEqual([32, 18]);
  });

  it('AvgPool2d of the input feeds a synapse; 0.2-era Flatten with an input_type dataset', () => {
    const { graph } = imp({
      version: '0.2.0',
      graph: chain([
        ['in', input(1, 2, 2)],
        ['avg', { type: 'AvgPool2d', kernel_size: i64([2], [2, 2]), stride: i64([2], [2, 2]), padding: i64([2], [0, 0]) }],
        ['flat', { type: 'Flatten', start_dim: i64([], [0]), end_dim: i64([], [-1]), input_type: i64([3], [1, 1, 1]) }],
        ['fc', { type: 'Linear', weight: f32([1, 1], [3]) }],
        ['if', { type: 'IF', r: vec(1), v_threshold: vec(2.5) }],
        ['out', output(1)],
      ]),
    });
    expect(node(graph, 'avg').op).toBe('avgpool');
    const r = runFloat(graph, Float32Array.of(1, 1, 1, 0));
    // avg = 0.75, current 2.25: v 2.25, 4.5 (fire), 2.25, 4.5 (fire)
    expect(train(r.spikes['if']!, 4)).toEqual([[0], [1], [0], [1]]);
  });

  it('nested NIRGraph (prefixed names, edges to the subgraph and to sub.node) and Identity', () => {
    const sub = chain([
      ['i', input(2)],
      ['lin', { type: 'Linear', weight: f32([2, 2], [1, -1, -1, 1]) }],
      ['neu', { type: 'IF', r: vec(1, 1), v_threshold: vec(0.5, 0.5) }],
      ['o', output(2)],
    ]);
    const { graph } = imp({
      graph: {
        type: 'NIRGraph',
        nodes: { in: input(2), sub, id: { type: 'Identity' }, out: output(2) },
        edges: [
          ['in', 'sub'],
          ['sub', 'id'],
          ['id', 'out'],
        ],
      },
    });
    expect(graph.nodes.map((n) => n.name)).toEqual(['in', 'sub/lin', 'sub/neu', 'out:count', 'out']);
    const r = runFloat(graph, Float32Array.of(1, 0));
    expect(train(r.spikes['sub/neu']!, 4)).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    // Edges may also name a node inside the subgraph: sub.neu
    const g2 = imp({
      graph: {
        type: 'NIRGraph',
        nodes: { in: input(2), sub, out: output(2) },
        edges: [
          ['in', 'sub.i'],
          ['sub.neu', 'out'],
        ],
      },
    }).graph;
    expect(g2.nodes.map((n) => n.name)).toEqual(['in', 'sub/lin', 'sub/neu', 'out:count', 'out']);
  });

  it('recurrent edge: a spiking node feeding itself through a synapse is read one step late', () => {
    const { graph } = imp({
      graph: {
        type: 'NIRGraph',
        nodes: {
          in: input(1),
          w: { type: 'Linear', weight: f32([1, 1], [1]) },
          rec: { type: 'Linear', weight: f32([1, 1], [1]) },
          neu: { type: 'IF', r: vec(1), v_threshold: vec(1.5) },
          out: output(1),
        },
        edges: [
          ['in', 'w'],
          ['w', 'neu'],
          ['neu', 'rec'],
          ['rec', 'neu'],
          ['neu', 'out'],
        ],
      },
    });
    // rec reads neu (listed later): the Graph IR's recurrent edge
    const names = graph.nodes.map((n) => n.name);
    expect(names.indexOf('rec')).toBeLessThan(names.indexOf('neu'));
    const r = runFloat(graph, Float32Array.of(1));
    // t0: v = 1; t1: 2 (fire); t2: 1 + 1 (spike of t1) = 2 (fire); t3: 2 (fire)
    expect(train(r.spikes['neu']!, 4)).toEqual([[0], [1], [1], [1]]);
  });

  it('--if-reset subtract: v -= v_threshold instead of NIR\'s v = v_reset', () => {
    const f: FixFile = { graph: chain([['in', input(1)], ['fc', { type: 'Linear', weight: f32([1, 1], [0.75]) }], ['if', { type: 'IF', r: vec(1), v_threshold: vec(1) }], ['out', output(1)]]) };
    // nir: 0.75, 1.5 (fire, v = 0), 0.75, 1.5 (fire); subtract: 0.75, 1.5 (fire, 0.5), 1.25 (fire, 0.25), 1 (no)
    expect(Array.from(runFloat(imp(f).graph, Float32Array.of(1)).spikes['if']!)).toEqual([0, 1, 0, 1]);
    const sub = imp(f, { ifReset: 'subtract' });
    const n = node(sub.graph, 'if');
    expect(n.op === 'if' && n.reset).toBe('soft');
    expect(Array.from(runFloat(sub.graph, Float32Array.of(1)).spikes['if']!)).toEqual([0, 1, 1, 0]);
    const withReset: FixFile = { graph: chain([['in', input(1)], ['fc', { type: 'Linear', weight: f32([1, 1], [1]) }], ['if', { type: 'IF', r: vec(1), v_threshold: vec(1), v_reset: vec(0.5) }], ['out', output(1)]]) };
    expect(() => imp(withReset, { ifReset: 'subtract' })).toThrow(/node if \(IF\): --if-reset subtract needs v_reset = 0, found 0\.5/);
  });

  it('a gain is folded into a synapse only when that synapse feeds this neuron alone', () => {
    const { graph } = imp({
      graph: {
        type: 'NIRGraph',
        nodes: {
          in: input(1),
          fc: { type: 'Linear', weight: f32([1, 1], [1]) },
          sc: { type: 'Scale', scale: vec(2) },
          n1: { type: 'IF', r: vec(1), v_threshold: vec(3) },
          n2: { type: 'IF', r: vec(2), v_threshold: vec(3) },
          out: output(1),
        },
        edges: [
          ['in', 'fc'],
          ['fc', 'sc'],
          ['sc', 'n1'],
          ['sc', 'n2'],
          ['n1', 'out'],
          ['n2', 'out'],
        ],
      },
    });
    const fcn = node(graph, 'fc');
    expect(fcn.op === 'linear' && Array.from(fcn.scale)).toEqual([2]);
    const g2 = node(graph, 'n2:gain');
    expect(g2.op === 'batchnorm' && Array.from(g2.gamma)).toEqual([2]);
    const r = runFloat(graph, Float32Array.of(1));
    // n1: 2, 4 (fire), 2, 4 (fire); n2: 4 (fire) every step
    expect(Array.from(r.spikes['n1']!)).toEqual([0, 1, 0, 1]);
    expect(Array.from(r.spikes['n2']!)).toEqual([1, 1, 1, 1]);
    expect(Array.from(r.readout)).toEqual([6]);
  });

  it('binary detection with per-row c_j (float32 values) and bit packing', () => {
    const { graph, summary } = imp({
      graph: chain([
        ['in', input(3)],
        ['fc', { type: 'Linear', weight: f32([2, 3], [0.3, -0.3, 0.3, -2, 2, 2]) }],
        ['if', { type: 'IF', r: vec(1, 1), v_threshold: vec(0, 0) }],
        ['out', output(2)],
      ]),
    });
    const fc = node(graph, 'fc');
    expect(fc.op).toBe('binary_linear');
    if (fc.op !== 'binary_linear') return;
    expect(Array.from(fc.alpha)).toEqual([Math.fround(0.3), 2]);
    expect(bitsOf(fc.weightBits, 6)).toEqual([1, 0, 1, 0, 1, 1]);
    expect(summary.binaryLayers).toEqual(['fc']);
  });

  it('quantization to the requested k bits with a per-row scale, and per-layer scale', () => {
    const f: FixFile = {
      graph: chain([
        ['in', input(3)],
        ['fc', { type: 'Linear', weight: f64([2, 3], [0.1, -0.37, 0.9, 0.2, 0.4, 0.1]) }],
        ['if', { type: 'IF', r: vec(1, 1), v_threshold: vec(1, 1) }],
        ['out', output(2)],
      ]),
    };
    const { graph, summary } = imp(f, { weightBits: 4 });
    const fc = node(graph, 'fc');
    expect(fc.op).toBe('linear');
    if (fc.op !== 'linear') return;
    expect(fc.bits).toBe(4);
    // row 0: no grid M <= 7 fits, scale 0.9/7; row 1: M = 4 fits exactly (0.1 per step)
    expect(Array.from(fc.weight)).toEqual([1, -3, 7, 2, 4, 1]);
    expect(fc.scale[0]).toBeCloseTo(0.9 / 7, 15);
    expect(fc.scale[1]).toBeCloseTo(0.1, 15);
    expect(summary.multibitLayers[0]!.bits).toBe(4);
    expect(summary.multibitLayers[0]!.exactRows).toBe(1);
    const layer = imp(f, { weightBits: 4, weightScale: 'layer' }).graph;
    const fl = node(layer, 'fc');
    expect(fl.op === 'linear' && Array.from(fl.weight)).toEqual([1, -3, 7, 2, 3, 1]);
  });

  it('Input/Output shapes from input_type/output_type groups, and a file without /version', () => {
    const { graph, summary } = imp({
      version: null,
      graph: chain([
        ['in', { type: 'Input', input_type: { input: i64([1], [2]) } }],
        ['fc', { type: 'Linear', weight: f32([2, 2], [1, 1, 1, -1]) }],
        ['li', { type: 'I', r: vec(1, 1) }],
        ['out', { type: 'Output', output_type: { output: i64([1], [2]) } }],
      ]),
    });
    expect(summary.version).toBeNull();
    expect(node(graph, 'in').op).toBe('input');
    expect(Array.from(runFloat(graph, Float32Array.of(1, 1)).readout)).toEqual([8, 0]);
  });

  it('input encoding multibit:K feeds x as is', () => {
    const { graph } = imp(
      { graph: chain([['in', input(1)], ['fc', { type: 'Linear', weight: f32([1, 1], [0.5]) }], ['acc', { type: 'I', r: vec(1) }], ['out', output(1)]]) },
      { inputEncoding: { kind: 'multibit', bits: 4 }, timesteps: 2 },
    );
    const inp = node(graph, 'in');
    expect(inp.op === 'input' && inp.encoding).toEqual({ kind: 'multibit', bits: 4 });
    expect(Array.from(runFloat(graph, Float32Array.of(6)).readout)).toEqual([6]);
  });
});

describe('NIR import: refusals name the node and the reason', () => {
  const base = (n: FixFile['graph']['nodes'][string]): FixFile => ({ graph: chain([['in', input(2)], ['bad', n], ['out', output(2)]]) });
  const refuse = (f: FixFile, re: RegExp, opts: NirImportOptions = {}): void => {
    expect(() => imp(f, opts)).toThrow(re);
  };

  it('bytes that are not HDF5, and HDF5 that is not NIR', async () => {
    const { importNir } = await import('../../models/nir/index.js');
    expect(() => importNir(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'x.nir')).toThrow(/x\.nir: not an HDF5 file/);
    const h5 = await import('../../models/nir/hdf5.js');
    const notNir = h5.writeHdf5Tree([['data', { kind: 'float64', shape: [1], data: Float64Array.of(1) }]]);
    expect(() => importNir(notNir, 'y.h5')).toThrow(/y\.h5: not a NIR file: HDF5 group \/node is missing/);
    const whole = nirBytes({ graph: chain([['in', input(1)], ['fc', { type: 'Linear', weight: f32([1, 1], [1]) }], ['out', output(1)]]) });
    expect(() => importNir(whole.slice(0, whole.length - 64), 't.nir')).toThrow(/^t\.nir: not a readable HDF5 file \(truncated or corrupt: truncated file: eof = \d+/);
    expect(() => importNir(whole.slice(0, 600), 't.nir')).toThrow(/^t\.nir: not a readable HDF5 file/);
  });

  it('unsupported, refused and unknown node types', () => {
    refuse(base({ type: 'Delay', delay: vec(1, 1) }), /node bad \(Delay\): NIR type Delay cannot be lowered/);
    refuse(
      base({ type: 'CubaLI', tau_mem: vec(1, 1), tau_syn: vec(1, 1), r: vec(1, 1), v_leak: vec(0, 0), w_in: vec(1, 1) }),
      /node bad \(CubaLI\): NIR type CubaLI cannot be lowered: a current-based leaky integrator/,
    );
    refuse(
      base({ type: 'CubaLIF', tau_mem: vec(1e-3, 1e-3), tau_syn: vec(1e-3, 1e-3), r: vec(1, 1), v_leak: vec(0.5, 0.5), v_threshold: vec(1, 1), w_in: vec(1, 1) }),
      /node bad \(CubaLIF\): v_leak = 0\.5: a CubaLIF's v_leak enters the membrane, not the current/,
    );
    refuse(base({ type: 'Conv1d' }), /node bad \(Conv1d\): NIR type Conv1d cannot be lowered/);
    refuse(base({ type: 'Frobnicate' }), /node bad \(Frobnicate\): unknown NIR node type "Frobnicate"/);
  });

  it('NaN parameters and wrong shapes', () => {
    refuse(base({ type: 'IF', r: vec(1, 1), v_threshold: vec(1, NaN) }), /node bad \(IF\): parameter v_threshold\[1\] is NaN/);
    refuse(base({ type: 'IF', r: vec(1, 1, 1), v_threshold: vec(1, 1) }), /node bad \(IF\): parameter r has shape \[3\] \(3 values\) for 2 neurons/);
    refuse(
      { graph: chain([['in', input(2)], ['fc', { type: 'Linear', weight: f32([2, 3], [1, 1, 1, 1, 1, 1]) }], ['out', output(2)]]) },
      /node fc \(Linear\): weight \[2, 3\] expects 3 inputs, its input in has shape \[2\]/,
    );
    refuse(
      {
        graph: chain([
          ['in', input(1, 4, 4)],
          ['c', { type: 'Conv2d', weight: f32([1, 1, 1, 1], [1]), bias: vec(0), stride: i64([], [1]), padding: i64([], [0]), dilation: i64([], [1]), groups: i64([], [1]), input_shape: i64([2], [5, 5]) }],
          ['out', output(16)],
        ]),
      },
      /node c \(Conv2d\): input_shape \[5, 5\] does not match the incoming \[1, 4, 4\]/,
    );
    refuse(base({ type: 'Linear', weight: f32([2, 2], [1, NaN, 1, 1]) }), /node bad \(Linear\): parameter weight\[1\] is NaN/);
  });

  it('leaks that a shift cannot represent, with the dt that would be exact', () => {
    const f: FixFile = {
      graph: chain([
        ['in', input(2)],
        ['fc', { type: 'Linear', weight: f32([2, 2], [1, 1, 1, 1]) }],
        ['bad', { type: 'LIF', tau: vec(0.0025, 0.0025), r: vec(1, 1), v_leak: vec(0, 0), v_threshold: vec(1, 1) }],
        ['out', output(2)],
      ]),
    };
    // 0.04 is 21.9% from the shift 2^-5 but 0.098% from the 12-bit decay 164/4096: a decay
    expect(imp(f).summary.leaks.map((l) => [l.kind, l.shift, l.decay])).toEqual([['decay', 0, 164]]);
    refuse(f, /node bad \(LIF\): dt\/tau = 0\.04 .* is 0\.10% from the nearest leak \(decay 164\/4096; tolerance 0\.01%\); use a larger --dt or --leak-tolerance 0\.001/, { leakTolerance: 0.0001 });
    // an exact power of two stays a shift
    expect(imp(f, { dt: 0.0025 / 32 }).summary.leaks.map((l) => [l.kind, l.shift, l.decay])).toEqual([['shift', 5, 0]]);
    refuse(f, /dt\/tau = 4 .* exceeds 1: the decay 1 - dt\/tau would be negative; use a smaller --dt/, { dt: 0.01 });
  });

  it('LI/I anywhere but the readout, an Output fed by the Input, several Outputs', () => {
    refuse(
      { graph: chain([['in', input(2)], ['fc', { type: 'Linear', weight: f32([2, 2], [1, 1, 1, 1]) }], ['li', { type: 'I', r: vec(1, 1) }], ['if', { type: 'IF', r: vec(1, 1), v_threshold: vec(1, 1) }], ['out', output(2)]]) },
      /node li \(I\): I never fires: it is supported only as the readout/,
    );
    refuse({ graph: chain([['in', input(2)], ['out', output(2)]]) }, /node out \(Output\): the Output is fed directly by the Input/);
    refuse(
      { graph: { type: 'NIRGraph', nodes: { in: input(2), o1: output(2), o2: output(2) }, edges: [['in', 'o1'], ['in', 'o2']] } },
      /expected exactly one Output node, found 2 \(o1, o2\)/,
    );
  });

  it('a loop without a spiking node, and an edge to a missing node', () => {
    refuse(
      {
        graph: {
          type: 'NIRGraph',
          nodes: { in: input(1), a: { type: 'Linear', weight: f32([1, 1], [1]) }, s: { type: 'Scale', scale: vec(2) }, i: { type: 'IF', r: vec(1), v_threshold: vec(1) }, out: output(1) },
          edges: [['in', 'a'], ['a', 's'], ['s', 's'], ['s', 'i'], ['i', 'out']],
        },
      },
      /the loop through s has no spiking node/,
    );
    refuse({ graph: { type: 'NIRGraph', nodes: { in: input(1), out: output(1) }, edges: [['in', 'nope']] } }, /edges\[0\] \(in -> nope\): no node named "nope"/);
  });
});
