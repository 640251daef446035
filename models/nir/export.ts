/**
 * Graph IR -> NIR, in the layout `nir.write` (NIR 1.0.x) produces: datasets only, no attributes;
 * `/version` string; `/node/type` = "NIRGraph"; `/node/edges` (E, 2) variable-length strings;
 * `/node/nodes/<name>/type` plus one dataset per parameter (float64 arrays, int64 integers),
 * Input/Output shapes in `shape`. See docs/nir.md for the mapping of every op and what the
 * round trip normalizes.
 */
import { DECAY_MAX } from '../../isa/neuron-record.js';
import { BwsnnError } from '../../isa/errors.js';
import type { Graph, GraphNode } from '../graph.js';
import { nodeInputs } from '../graph.js';
import { validateGraph } from '../validate.js';
import { writeHdf5Tree, type H5WriteEntry } from './hdf5.js';

/** The `/version` string written (the NIR release whose layout the writer follows). */
export const NIR_EXPORT_VERSION = '1.0.0';

export interface NirExportOptions {
  /** Time step (s) used to express shift leaks as tau = dt * 2^k; default the graph's meta.dt, else 1e-4. */
  dt?: number;
  /** Export soft resets as NIR IF/LIF hard resets to 0 (lossy) instead of the exact integrator-threshold loop. */
  lossy?: boolean;
}

export interface NirExportReport {
  nodes: number;
  edges: number;
  dt: number;
  notes: string[];
}

type Entry = [string, H5WriteEntry];

interface NirOut {
  name: string;
  params: Entry[];
}

function f64(shape: number[], data: ArrayLike<number>): H5WriteEntry {
  return { kind: 'float64', shape, data: Float64Array.from(data) };
}
function i64(shape: number[], data: number[]): H5WriteEntry {
  return { kind: 'int64', shape, data };
}
function sizeOf(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

/** Largest double strictly below x (so v >= x <=> v > nextDown(x) for doubles). */
export function nextDown(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return x;
  if (x === 0) return -Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return buf.getFloat64(0);
}

export function exportNir(g: Graph, opts: NirExportOptions = {}): Uint8Array {
  return exportNirWithReport(g, opts).bytes;
}

export function exportNirWithReport(g: Graph, opts: NirExportOptions = {}): { bytes: Uint8Array; report: NirExportReport } {
  const info = validateGraph(g, g.name);
  const metaDt = typeof g.meta?.dt === 'number' ? g.meta.dt : undefined;
  const dt = opts.dt ?? metaDt ?? 1e-4;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new BwsnnError(`--dt: expected a positive number of seconds, got ${dt}`, 2);
  const notes: string[] = [];
  const fail = (n: GraphNode, m: string): never => {
    throw new BwsnnError(`${g.name}: node ${n.name} (${n.op}): cannot export to NIR: ${m}`);
  };
  const consumers = new Map<string, GraphNode[]>();
  for (const n of g.nodes) consumers.set(n.name, []);
  for (const n of g.nodes) for (const s of nodeInputs(n)) consumers.get(s)!.push(n);

  // NIR names: HDF5 group names cannot hold '/'.
  const used = new Set<string>();
  const nirName = new Map<string, string>();
  const uniq = (base: string): string => {
    let nm = base.replace(/\//g, '.');
    for (let i = 2; used.has(nm); i++) nm = `${base.replace(/\//g, '.')}_${i}`;
    used.add(nm);
    return nm;
  };
  for (const n of g.nodes) {
    const nm = uniq(n.name);
    nirName.set(n.name, nm);
    if (nm !== n.name) notes.push(`node ${n.name} exported as ${nm} (HDF5 names cannot contain '/')`);
  }

  const nodes: NirOut[] = [];
  const edges: [string, string][] = [];
  /** NIR nodes whose summed outputs are the value of an IR node. */
  const outs = new Map<string, string[]>();
  const merged = new Set<string>();
  const connect = (irSrc: string, dst: string): void => {
    for (const s of outs.get(irSrc) ?? [`\u0000${irSrc}`]) edges.push([s, dst]);
  };

  const shapeOf = (name: string): number[] => info.shapes.get(name)!;
  const full = (a: Float64Array, n: number): Float64Array => (a.length === n ? a : new Float64Array(n).fill(a[0]!));
  const thresholds = (n: GraphNode, th: Float64Array, fireOn: 'gt' | 'ge', count: number): Float64Array => {
    const t = full(th, count);
    if (fireOn === 'gt') return Float64Array.from(t);
    notes.push(`node ${n.name}: fires on v >= theta; exported as NIR's v > nextDown(theta) (the same for doubles)`);
    return t.map(nextDown);
  };

  /** A weight node with its (optional) merged Bias consumer. */
  const soleBias = (n: GraphNode): (GraphNode & { op: 'bias' }) | null => {
    const cs = consumers.get(n.name)!;
    if (cs.length === 1 && cs[0]!.op === 'bias') return cs[0] as GraphNode & { op: 'bias' };
    return null;
  };

  for (const n of g.nodes) {
    if (merged.has(n.name)) continue;
    const nm = nirName.get(n.name)!;
    const shape = shapeOf(n.name);
    const count = sizeOf(shape);
    const emit = (type: string, params: Entry[], inputs: string[] = nodeInputs(n)): void => {
      nodes.push({ name: nm, params: [['type', { kind: 'string', value: type }], ...params] });
      for (const s of inputs) connect(s, nm);
      outs.set(n.name, [nm]);
    };
    switch (n.op) {
      case 'input':
        emit('Input', [['shape', i64([n.shape.length], n.shape)]], []);
        break;
      case 'binary_linear':
      case 'linear': {
        const w = new Float64Array(n.outFeatures * n.inFeatures);
        for (let o = 0; o < n.outFeatures; o++) {
          for (let i = 0; i < n.inFeatures; i++) {
            const k = o * n.inFeatures + i;
            w[k] = n.op === 'binary_linear' ? (((n.weightBits[k >> 3]! >> (k & 7)) & 1) === 1 ? n.alpha[o]! : -n.alpha[o]!) : n.scale[o]! * n.weight[k]!;
          }
        }
        if (n.op === 'linear') notes.push(`node ${n.name}: ${n.bits}-bit weights exported as float64 scale*W (NIR has no bit width)`);
        const b = soleBias(n);
        if (b && b.bias.length === n.outFeatures) {
          merged.add(b.name);
          emit('Affine', [['weight', f64([n.outFeatures, n.inFeatures], w)], ['bias', f64([n.outFeatures], b.bias)]]);
          outs.set(b.name, [nm]);
        } else emit('Linear', [['weight', f64([n.outFeatures, n.inFeatures], w)]]);
        break;
      }
      case 'binary_conv2d':
      case 'conv2d': {
        const per = n.inChannels * n.kernel[0] * n.kernel[1];
        const w = new Float64Array(n.outChannels * per);
        for (let o = 0; o < n.outChannels; o++) {
          for (let i = 0; i < per; i++) {
            const k = o * per + i;
            w[k] = n.op === 'binary_conv2d' ? (((n.weightBits[k >> 3]! >> (k & 7)) & 1) === 1 ? n.alpha[o]! : -n.alpha[o]!) : n.scale[o]! * n.weight[k]!;
          }
        }
        if (n.op === 'conv2d') notes.push(`node ${n.name}: ${n.bits}-bit weights exported as float64 scale*W (NIR has no bit width)`);
        const ish = shapeOf(n.input);
        let bias = new Float64Array(n.outChannels);
        const b = soleBias(n);
        if (b && b.bias.length === n.outChannels) {
          merged.add(b.name);
          bias = Float64Array.from(b.bias);
        }
        emit('Conv2d', [
          ['weight', f64([n.outChannels, n.inChannels, n.kernel[0], n.kernel[1]], w)],
          ['bias', f64([n.outChannels], bias)],
          ['stride', i64([2], n.stride)],
          ['padding', i64([2], n.padding)],
          ['dilation', i64([2], [1, 1])],
          ['groups', i64([], [1])],
          ['input_shape', i64([2], [ish[1]!, ish[2]!])],
        ]);
        if (b && merged.has(b.name)) outs.set(b.name, [nm]);
        break;
      }
      case 'bias':
        emitBias(n, nm, n.bias, shape, emit, fail);
        break;
      case 'batchnorm': {
        const C = shape[0]!;
        const inner = count / C;
        const scale = new Float64Array(count);
        const shift = new Float64Array(C);
        for (let c = 0; c < C; c++) {
          const a = n.gamma[c]! / Math.sqrt(n.var[c]! + n.eps);
          shift[c] = n.beta[c]! - n.mean[c]! * a;
          for (let i = 0; i < inner; i++) scale[c * inner + i] = a;
        }
        emit('Scale', [['scale', f64(shape, scale)]]);
        if (shift.some((v) => v !== 0)) {
          const bn = uniq(`${n.name}:shift`);
          const first = nodes.length;
          const sub = (type: string, params: Entry[]): void => {
            nodes.push({ name: bn, params: [['type', { kind: 'string', value: type }], ...params] });
            edges.push([nm, bn]);
          };
          emitBias(n, bn, shift, shape, sub, fail);
          void first;
          outs.set(n.name, [bn]);
        }
        notes.push(`node ${n.name}: batchnorm exported as Scale${shift.some((v) => v !== 0) ? ' + identity Affine/Conv2d with bias' : ''}`);
        break;
      }
      case 'add': {
        const srcs: string[] = [];
        for (const s of n.inputs) for (const x of outs.get(s) ?? [`\u0000${s}`]) srcs.push(x);
        if (new Set(srcs).size !== srcs.length) fail(n, 'sums the same source twice (NIR edges cannot repeat)');
        outs.set(n.name, srcs);
        break;
      }
      case 'if':
      case 'lif': {
        // A multiplicative decay d is tau = dt * 4096 / d (r = 4096 / d, so that r dt/tau = 1); a
        // CubaLIF (synDecay) adds tau_syn = dt * 4096 / synDecay and w_in = 4096 / synDecay.
        const mulLeak = n.op === 'lif' && (n.decay !== undefined || n.synDecay !== undefined);
        if (mulLeak && n.op === 'lif') {
          const rateM = n.leak > 0 ? 2 ** -n.leak : (n.decay ?? 0) / DECAY_MAX;
          if (rateM === 0) fail(n, 'a current-based neuron without a membrane leak has no NIR form (CubaLIF needs a finite tau_mem)');
          if (n.synDecay === 0) fail(n, 'a synaptic current without decay has no NIR form (CubaLIF needs a finite tau_syn)');
          if (n.reset === 'soft' && !opts.lossy) fail(n, 'a soft reset of a neuron with a decay or a synaptic current has no exact NIR form (NIR resets to v_reset); export with --lossy to write a hard reset to 0');
          if (n.reset === 'soft') notes.push(`node ${n.name}: LOSSY: soft reset exported as NIR's hard reset to v_reset = 0`);
          const fill = (x: number): Float64Array => new Float64Array(count).fill(x);
          const params: Entry[] = [];
          if (n.synDecay !== undefined) {
            const rateS = n.synDecay / DECAY_MAX;
            params.push(['tau_syn', f64(shape, fill(dt / rateS))], ['w_in', f64(shape, fill(1 / rateS))]);
            params.push(['tau_mem', f64(shape, fill(dt / rateM))]);
          } else params.push(['tau', f64(shape, fill(dt / rateM))]);
          params.push(['r', f64(shape, fill(1 / rateM))], ['v_leak', f64(shape, fill(0))]);
          params.push(['v_threshold', f64(shape, thresholds(n, n.threshold, n.fireOn, count))]);
          params.push(['v_reset', f64(shape, n.reset === 'soft' ? new Float64Array(count) : full(n.vReset, count))]);
          emit(n.synDecay !== undefined ? 'CubaLIF' : 'LIF', params);
          break;
        }
        if (n.reset === 'soft' && !opts.lossy) {
          // Exact soft reset in NIR: an integrator (I, or LI for a leak) u, a Threshold on u, and the
          // spikes fed back one step late through Scale(-a*theta) (a = decay): u[t] = a*u[t-1] + x[t]
          // - a*theta*s[t-1] is the pre-reset potential of v -= theta. The importer fuses it back.
          const a = n.op === 'if' ? 1 : 1 - 2 ** -n.leak;
          const vName = uniq(`${n.name}:v`);
          const rName = uniq(`${n.name}:reset`);
          const th = full(n.threshold, count);
          const integ: Entry[] =
            n.op === 'if'
              ? [['r', f64(shape, new Float64Array(count).fill(1))]]
              : [
                  ['tau', f64(shape, new Float64Array(count).fill(dt * 2 ** n.leak))],
                  ['r', f64(shape, new Float64Array(count).fill(2 ** n.leak))],
                  ['v_leak', f64(shape, new Float64Array(count))],
                ];
          nodes.push({ name: vName, params: [['type', { kind: 'string', value: n.op === 'if' ? 'I' : 'LI' }], ...integ] });
          for (const src of nodeInputs(n)) connect(src, vName);
          nodes.push({ name: nm, params: [['type', { kind: 'string', value: 'Threshold' }], ['threshold', f64(shape, thresholds(n, n.threshold, n.fireOn, count))]] });
          edges.push([vName, nm]);
          nodes.push({ name: rName, params: [['type', { kind: 'string', value: 'Scale' }], ['scale', f64(shape, th.map((t) => -(a * t)))]] });
          edges.push([nm, rName], [rName, vName]);
          outs.set(n.name, [nm]);
          notes.push(`node ${n.name}: soft reset exported as ${n.op === 'if' ? 'I' : 'LI'} ${vName} -> Threshold ${nm} -> Scale ${rName} (-${n.op === 'if' ? '' : 'a*'}theta, one step late) -> ${vName}`);
          break;
        }
        if (n.reset === 'soft') notes.push(`node ${n.name}: LOSSY: soft reset exported as NIR's hard reset to v_reset = 0`);
        const params: Entry[] = [];
        const vr = n.reset === 'soft' ? new Float64Array(count) : full(n.vReset, count);
        if (n.op === 'if') params.push(['r', f64(shape, new Float64Array(count).fill(1))]);
        else {
          params.push(['tau', f64(shape, new Float64Array(count).fill(dt * 2 ** n.leak))]);
          params.push(['r', f64(shape, new Float64Array(count).fill(2 ** n.leak))]);
          params.push(['v_leak', f64(shape, new Float64Array(count))]);
        }
        params.push(['v_threshold', f64(shape, thresholds(n, n.threshold, n.fireOn, count))]);
        params.push(['v_reset', f64(shape, vr)]);
        emit(n.op === 'if' ? 'IF' : 'LIF', params);
        break;
      }
      case 'threshold':
        emit('Threshold', [['threshold', f64(shape, thresholds(n, n.threshold, n.fireOn, count))]]);
        break;
      case 'sumpool':
      case 'avgpool':
        emit(n.op === 'sumpool' ? 'SumPool2d' : 'AvgPool2d', [
          ['kernel_size', i64([2], n.kernel)],
          ['stride', i64([2], n.stride)],
          ['padding', i64([2], n.padding)],
        ]);
        break;
      case 'maxpool':
        fail(n, 'NIR has no max pooling node');
        break;
      case 'flatten': {
        const ish = shapeOf(n.input);
        emit('Flatten', [
          ['start_dim', i64([], [0])],
          ['end_dim', i64([], [-1])],
          ['input_type', i64([ish.length], ish)],
        ]);
        break;
      }
      case 'readout': {
        if (n.leak === 0) emit('I', [['r', f64(shape, new Float64Array(count).fill(1))]]);
        else {
          emit('LI', [
            ['tau', f64(shape, new Float64Array(count).fill(dt * 2 ** n.leak))],
            ['r', f64(shape, new Float64Array(count).fill(2 ** n.leak))],
            ['v_leak', f64(shape, new Float64Array(count))],
          ]);
        }
        const on = uniq('output');
        nodes.push({ name: on, params: [['type', { kind: 'string', value: 'Output' }], ['shape', i64([shape.length], shape)]] });
        edges.push([nm, on]);
        break;
      }
    }
  }
  // Forward references (recurrent edges) were recorded by IR name: resolve them now.
  for (const e of edges) {
    if (e[0].startsWith('\u0000')) {
      const ir = e[0].slice(1);
      const o = outs.get(ir);
      if (!o || o.length !== 1) throw new BwsnnError(`${g.name}: recurrent edge from ${ir} cannot be exported`);
      e[0] = o[0]!;
    }
  }
  const nodeEntries: Entry[] = nodes.map((x) => [x.name, { kind: 'group', children: x.params }]);
  const flatEdges: string[] = [];
  for (const [a, b] of edges) flatEdges.push(a, b);
  const bytes = writeHdf5Tree([
    ['version', { kind: 'string', value: NIR_EXPORT_VERSION }],
    [
      'node',
      {
        kind: 'group',
        children: [
          ['type', { kind: 'string', value: 'NIRGraph' }],
          ['nodes', { kind: 'group', children: nodeEntries }],
          ['edges', { kind: 'strings', shape: [edges.length, 2], data: flatEdges }],
        ],
      },
    ],
  ]);
  return { bytes, report: { nodes: nodes.length, edges: edges.length, dt, notes } };
}

/** A standalone bias: an identity Affine (flat values) or an identity 1x1 Conv2d (per channel). */
function emitBias(
  n: GraphNode,
  nm: string,
  bias: Float64Array,
  shape: number[],
  emit: (type: string, params: Entry[]) => void,
  fail: (n: GraphNode, m: string) => never,
): void {
  void nm;
  const count = sizeOf(shape);
  if (shape.length === 1) {
    const w = new Float64Array(count * count);
    for (let i = 0; i < count; i++) w[i * count + i] = 1;
    emit('Affine', [
      ['weight', f64([count, count], w)],
      ['bias', f64([count], bias.length === count ? bias : new Float64Array(count).fill(bias[0]!))],
    ]);
    return;
  }
  const C = shape[0]!;
  if (bias.length !== C) fail(n, `a per-element bias on a ${shape.join('x')} value has no NIR form (only per-channel, as a Conv2d bias)`);
  const w = new Float64Array(C * C);
  for (let i = 0; i < C; i++) w[i * C + i] = 1;
  emit('Conv2d', [
    ['weight', f64([C, C, 1, 1], w)],
    ['bias', f64([C], bias)],
    ['stride', i64([2], [1, 1])],
    ['padding', i64([2], [0, 0])],
    ['dilation', i64([2], [1, 1])],
    ['groups', i64([], [1])],
    ['input_shape', i64([2], [shape[1]!, shape[2]!])],
  ]);
}
