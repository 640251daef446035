/**
 * Graph IR validation and shape inference. `validateGraph` refuses, with one BwsnnError naming the
 * file and the node, anything the executors, the folding pass or the compiler could not run:
 * unknown ops, duplicate or missing names, shapes that do not line up, values of the wrong kind
 * (e.g. a BatchNorm on spikes), parameter arrays of the wrong length, NaN or infinite parameters,
 * recurrent edges whose source is not a spiking node.
 */
import { BwsnnError } from '../base/errors.js';
import type { Graph, GraphNode, NodeOp, Pool2dGeometry } from './graph.js';
import { nodeInputs } from './graph.js';
import { excerpt } from '../isa/excerpt.js';

export type ValueKind = 'input' | 'spikes' | 'current';

export interface GraphInfo {
  /** Output shape of every node. */
  shapes: Map<string, number[]>;
  /** What flows out of every node. Pooled or flattened spikes/input that are no longer 0/1 are 'current'. */
  kinds: Map<string, ValueKind>;
  /** Index of every node in `g.nodes`. */
  index: Map<string, number>;
  /** Nodes whose output is a pool/flatten of spikes or of the input (may feed a synapse). */
  pooledSource: Set<string>;
}

export const NODE_OPS: readonly NodeOp[] = [
  'input', 'binary_linear', 'binary_conv2d', 'linear', 'conv2d', 'batchnorm', 'bias', 'add', 'if', 'lif',
  'threshold', 'sumpool', 'avgpool', 'maxpool', 'flatten', 'readout',
];

/** Ops whose output is spikes (0/1) and may be the source of a recurrent edge. */
export const SPIKING_OPS: ReadonlySet<NodeOp> = new Set<NodeOp>(['if', 'lif', 'threshold', 'maxpool']);

export const NAME_RE = /^[A-Za-z0-9_.:/-]+$/;
/** Longest node name (the container's layer names are at most 255 bytes too). */
export const MAX_NODE_NAME = 255;

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** floor((n + 2p - k) / s) + 1, or 0 if the window does not fit. */
export function windowOut(n: number, k: number, s: number, p: number): number {
  const span = n + 2 * p - k;
  return span < 0 ? 0 : Math.floor(span / s) + 1;
}

function where(file: string | undefined): string {
  return file ? `${file}: ` : '';
}

/** Validate `g` and infer every node's shape and value kind. */
export function validateGraph(g: Graph, file?: string): GraphInfo {
  const w = where(file);
  const fail = (msg: string): never => {
    throw new BwsnnError(`${w}${msg}`);
  };
  if (!Number.isInteger(g.timesteps) || g.timesteps < 1 || g.timesteps > 255) {
    fail(`timesteps: expected an integer 1..255, got ${g.timesteps}`);
  }
  if (!Array.isArray(g.nodes) || g.nodes.length === 0) fail('nodes: expected a non-empty list');
  const index = new Map<string, number>();
  let inputs = 0;
  let readouts = 0;
  g.nodes.forEach((n, i) => {
    if (typeof n.name !== 'string' || !NAME_RE.test(n.name) || n.name.length > MAX_NODE_NAME) fail(`nodes[${i}].name: invalid node name ${excerpt(n.name)} (1..${MAX_NODE_NAME} characters of A-Z a-z 0-9 _ . : / -)`);
    if (!NODE_OPS.includes(n.op)) fail(`node ${n.name}: unknown node type ${excerpt((n as { op: unknown }).op)}`);
    if (index.has(n.name)) fail(`node ${n.name}: duplicate name (also nodes[${index.get(n.name)}])`);
    index.set(n.name, i);
    if (n.op === 'input') inputs++;
    if (n.op === 'readout') readouts++;
  });
  if (inputs !== 1) fail(`expected exactly one input node, found ${inputs}`);
  if (readouts !== 1) fail(`expected exactly one readout node, found ${readouts}`);
  if (g.classNames !== undefined) {
    if (!Array.isArray(g.classNames) || g.classNames.some((c) => typeof c !== 'string')) fail('classNames: expected a list of strings');
  }

  // Every input must exist; recurrent edges (to self or a later node) must come from spiking nodes.
  g.nodes.forEach((n, i) => {
    const ins = nodeInputs(n);
    if (n.op === 'add' && (!Array.isArray(ins) || ins.length < 1)) fail(`node ${n.name}: add needs at least one input`);
    for (const src of ins) {
      const j = index.get(src);
      if (j === undefined) fail(`node ${n.name}: input ${excerpt(src)} does not exist`);
      const s = g.nodes[j!]!;
      if (j! >= i && !SPIKING_OPS.has(s.op)) {
        fail(`node ${n.name}: recurrent edge from ${src} (${s.op}) has no neuron on the loop; its source must be a spiking node (if, lif, threshold, maxpool)`);
      }
      if (s.op === 'readout') fail(`node ${n.name}: the readout ${src} cannot be an input`);
    }
  });

  const shapes = new Map<string, number[]>();
  const kinds = new Map<string, ValueKind>();
  const pooledSource = new Set<string>();
  // Two passes: the first tolerates recurrent inputs whose shape is not known yet.
  for (let pass = 0; pass < 2; pass++) {
    const strict = pass === 1;
    for (let i = 0; i < g.nodes.length; i++) {
      const n = g.nodes[i]!;
      const r = inferNode(g, n, i, shapes, kinds, pooledSource, index, strict, w);
      if (r) {
        shapes.set(n.name, r.shape);
        kinds.set(n.name, r.kind);
        if (r.pooled) pooledSource.add(n.name);
      }
    }
  }
  return { shapes, kinds, index, pooledSource };
}

interface Inferred {
  shape: number[];
  kind: ValueKind;
  pooled: boolean;
}

function checkFinite(n: GraphNode, field: string, a: ArrayLike<number>, w: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new BwsnnError(`${w}node ${n.name}: ${field}[${i}] is ${a[i]}, expected a finite number`);
  }
}

function checkLen(n: GraphNode, field: string, a: ArrayLike<number> | undefined, allowed: number[], w: string): void {
  if (!a || typeof a.length !== 'number') throw new BwsnnError(`${w}node ${n.name}: ${field} is missing`);
  if (!allowed.includes(a.length)) {
    throw new BwsnnError(`${w}node ${n.name}: ${field}: expected ${[...new Set(allowed)].join(' or ')} values, got ${a.length}`);
  }
  checkFinite(n, field, a, w);
}

function checkPair(n: GraphNode, field: string, p: unknown, min: number, w: string): [number, number] {
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new BwsnnError(`${w}node ${n.name}: ${field}: expected two integers >= ${min}, got ${excerpt(p)}`);
  }
  return p as [number, number];
}

function checkPositiveInt(n: GraphNode, field: string, v: unknown, w: string, max = 1 << 24): number {
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max) {
    throw new BwsnnError(`${w}node ${n.name}: ${field}: expected an integer 1..${max}, got ${excerpt(v)}`);
  }
  return v as number;
}

function windowShape(n: GraphNode & Pool2dGeometry, inShape: number[], outC: number, w: string): number[] {
  const k = checkPair(n, 'kernel', n.kernel, 1, w);
  const s = checkPair(n, 'stride', n.stride, 1, w);
  const p = checkPair(n, 'padding', n.padding, 0, w);
  const [, H, W] = inShape as [number, number, number];
  const oh = windowOut(H, k[0], s[0], p[0]);
  const ow = windowOut(W, k[1], s[1], p[1]);
  if (oh < 1 || ow < 1) {
    throw new BwsnnError(`${w}node ${n.name}: kernel ${k[0]}x${k[1]} with padding ${p[0]},${p[1]} does not fit the ${H}x${W} input`);
  }
  return [outC, oh, ow];
}

function inferNode(
  g: Graph,
  n: GraphNode,
  i: number,
  shapes: Map<string, number[]>,
  kinds: Map<string, ValueKind>,
  pooled: Set<string>,
  index: Map<string, number>,
  strict: boolean,
  w: string,
): Inferred | undefined {
  const fail = (msg: string): never => {
    throw new BwsnnError(`${w}node ${n.name}: ${msg}`);
  };
  const inShape = (src: string): number[] | undefined => {
    const s = shapes.get(src);
    if (!s && strict) fail(`cannot infer the shape of input ${src}`);
    return s;
  };
  const isSpikeLike = (src: string): boolean => {
    const k = kinds.get(src);
    return k === 'spikes' || k === 'input' || pooled.has(src);
  };
  const recurrent = (src: string): boolean => index.get(src)! >= i;
  switch (n.op) {
    case 'input': {
      if (!Array.isArray(n.shape) || n.shape.length < 1 || n.shape.length > 3 || !n.shape.every((d) => Number.isInteger(d) && d >= 1)) {
        fail(`shape: expected 1 to 3 positive integers, got ${excerpt(n.shape)}`);
      }
      const e = n.encoding as { kind?: unknown; threshold?: unknown; bits?: unknown } | undefined;
      if (!e || (e.kind !== 'binary' && e.kind !== 'multibit')) fail(`encoding.kind: expected "binary" or "multibit"`);
      if (e!.kind === 'binary' && (typeof e!.threshold !== 'number' || !Number.isFinite(e!.threshold))) fail('encoding.threshold: expected a finite number');
      if (e!.kind === 'multibit' && (!Number.isInteger(e!.bits) || (e!.bits as number) < 1 || (e!.bits as number) > 16)) {
        fail(`encoding.bits: expected an integer 1..16, got ${excerpt(e!.bits)}`);
      }
      return { shape: [...n.shape], kind: 'input', pooled: false };
    }
    case 'binary_linear':
    case 'linear': {
      const inF = checkPositiveInt(n, 'inFeatures', n.inFeatures, w);
      const outF = checkPositiveInt(n, 'outFeatures', n.outFeatures, w);
      if (n.op === 'binary_linear') {
        const bytes = Math.ceil((inF * outF) / 8);
        if (!(n.weightBits instanceof Uint8Array) || n.weightBits.length !== bytes) {
          fail(`weightBits: expected ${bytes} bytes (${inF * outF} bits), got ${n.weightBits?.length}`);
        }
        checkLen(n, 'alpha', n.alpha, [outF], w);
      } else {
        checkWeightsInt(n, n.bits, n.weight, inF * outF, w);
        checkLen(n, 'scale', n.scale, [outF], w);
      }
      const s = shapes.get(n.input);
      if (s || strict) {
        const sh = inShape(n.input)!;
        if (!isSpikeLike(n.input)) fail(`input ${n.input} is a ${kinds.get(n.input)}; a synapse takes spikes or the input`);
        if (sizeOf(sh) !== inF) fail(`inFeatures ${inF} does not match the flat size ${sizeOf(sh)} of input ${n.input} [${sh.join(',')}]`);
        if (recurrent(n.input) && kinds.get(n.input) !== 'spikes') fail('recurrent input must be spikes');
      }
      return { shape: [outF], kind: 'current', pooled: false };
    }
    case 'binary_conv2d':
    case 'conv2d': {
      const cin = checkPositiveInt(n, 'inChannels', n.inChannels, w);
      const cout = checkPositiveInt(n, 'outChannels', n.outChannels, w);
      const k = checkPair(n, 'kernel', n.kernel, 1, w);
      const count = cout * cin * k[0] * k[1];
      if (n.op === 'binary_conv2d') {
        const bytes = Math.ceil(count / 8);
        if (!(n.weightBits instanceof Uint8Array) || n.weightBits.length !== bytes) {
          fail(`weightBits: expected ${bytes} bytes (${count} bits), got ${n.weightBits?.length}`);
        }
        checkLen(n, 'alpha', n.alpha, [cout], w);
      } else {
        checkWeightsInt(n, n.bits, n.weight, count, w);
        checkLen(n, 'scale', n.scale, [cout], w);
      }
      const sh = inShape(n.input);
      if (!sh) return undefined;
      if (!isSpikeLike(n.input)) fail(`input ${n.input} is a ${kinds.get(n.input)}; a synapse takes spikes or the input`);
      if (sh.length !== 3) fail(`input ${n.input} has shape [${sh.join(',')}], expected [C, H, W]`);
      if (sh[0] !== cin) fail(`inChannels ${cin} does not match input ${n.input} with ${sh[0]} channels`);
      return { shape: windowShape(n, sh, cout, w), kind: 'current', pooled: false };
    }
    case 'batchnorm':
    case 'bias': {
      const sh = inShape(n.input);
      if (!sh) return undefined;
      if (kinds.get(n.input) !== 'current') fail(`input ${n.input} is ${kinds.get(n.input)}; ${n.op} takes a current`);
      if (n.op === 'batchnorm') {
        const c = sh[0]!;
        for (const f of ['gamma', 'beta', 'mean', 'var'] as const) checkLen(n, f, n[f], [c], w);
        if (typeof n.eps !== 'number' || !Number.isFinite(n.eps) || n.eps < 0) fail(`eps: expected a finite number >= 0, got ${n.eps}`);
        for (let j = 0; j < c; j++) if (!(n.var[j]! + n.eps > 0)) fail(`var[${j}] + eps must be > 0`);
      } else {
        checkLen(n, 'bias', n.bias, [sh[0]!, sizeOf(sh)], w);
      }
      return { shape: [...sh], kind: 'current', pooled: false };
    }
    case 'add': {
      let shape: number[] | undefined;
      let from = '';
      for (const src of n.inputs) {
        const s = shapes.get(src);
        if (!s) {
          if (strict) inShape(src);
          continue;
        }
        if (shape && (s.length !== shape.length || s.some((d, j) => d !== shape![j]))) {
          fail(`inputs ${from} [${shape.join(',')}] and ${src} [${s.join(',')}] have different shapes`);
        }
        if (!shape) {
          shape = s;
          from = src;
        }
      }
      if (!shape) return undefined;
      return { shape: [...shape], kind: 'current', pooled: false };
    }
    case 'if':
    case 'lif': {
      const sh = inShape(n.input);
      if (!sh) return undefined;
      checkNeuron(n, sizeOf(sh), w);
      if (n.op === 'lif' && (!Number.isInteger(n.leak) || n.leak < 1 || n.leak > 31)) fail(`leak: expected an integer 1..31, got ${n.leak}`);
      return { shape: [...sh], kind: 'spikes', pooled: false };
    }
    case 'threshold': {
      const sh = inShape(n.input);
      if (!sh) return undefined;
      checkLen(n, 'threshold', n.threshold, [1, sizeOf(sh)], w);
      if (n.fireOn !== 'gt' && n.fireOn !== 'ge') fail(`fireOn: expected "gt" or "ge", got ${excerpt(n.fireOn)}`);
      return { shape: [...sh], kind: 'spikes', pooled: false };
    }
    case 'sumpool':
    case 'avgpool':
    case 'maxpool': {
      const sh = inShape(n.input);
      if (!sh) return undefined;
      if (sh.length !== 3) fail(`input ${n.input} has shape [${sh.join(',')}], expected [C, H, W]`);
      const k = kinds.get(n.input)!;
      if (n.op === 'maxpool') {
        const inputNode = g.nodes[index.get(n.input)!]!;
        const binaryInput = inputNode.op === 'input' && inputNode.encoding.kind === 'binary';
        if (k !== 'spikes' && !binaryInput) fail(`input ${n.input} is ${pooled.has(n.input) ? 'pooled' : k}; maxpool takes spikes`);
        return { shape: windowShape(n, sh, sh[0]!, w), kind: 'spikes', pooled: false };
      }
      const fromSource = k === 'spikes' || k === 'input' || pooled.has(n.input);
      return { shape: windowShape(n, sh, sh[0]!, w), kind: 'current', pooled: fromSource };
    }
    case 'flatten': {
      const sh = inShape(n.input);
      if (!sh) return undefined;
      const k = kinds.get(n.input)!;
      return { shape: [sizeOf(sh)], kind: k, pooled: pooled.has(n.input) };
    }
    case 'readout': {
      const sh = inShape(n.input);
      if (!sh) return undefined;
      if (kinds.get(n.input) !== 'current') fail(`input ${n.input} is ${kinds.get(n.input)}; the readout takes a current`);
      if (sh.length !== 1) fail(`input ${n.input} has shape [${sh.join(',')}], expected a flat [classes] current`);
      if (!Number.isInteger(n.leak) || n.leak < 0 || n.leak > 31) fail(`leak: expected an integer 0..31, got ${n.leak}`);
      if (g.classNames !== undefined && g.classNames.length !== sh[0]) {
        fail(`classNames has ${g.classNames.length} names for ${sh[0]} classes`);
      }
      return { shape: [...sh], kind: 'current', pooled: false };
    }
    default:
      return fail(`unknown node type ${excerpt((n as { op: unknown }).op)}`);
  }
}

function checkWeightsInt(n: GraphNode, bits: number, weight: Int32Array, count: number, w: string): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new BwsnnError(`${w}node ${n.name}: bits: expected an integer 1..16, got ${bits}`);
  if (!(weight instanceof Int32Array) || weight.length !== count) {
    throw new BwsnnError(`${w}node ${n.name}: weight: expected ${count} values, got ${weight?.length}`);
  }
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  for (let i = 0; i < count; i++) {
    const v = weight[i]!;
    if (v < lo || v > hi) throw new BwsnnError(`${w}node ${n.name}: weight[${i}] = ${v} is outside the ${bits}-bit range ${lo}..${hi}`);
  }
}

function checkNeuron(n: GraphNode & { threshold: Float64Array; vReset: Float64Array; reset: string; fireOn: string }, size: number, w: string): void {
  checkLen(n, 'threshold', n.threshold, [1, size], w);
  checkLen(n, 'vReset', n.vReset, [1, size], w);
  if (n.reset !== 'soft' && n.reset !== 'hard') throw new BwsnnError(`${w}node ${n.name}: reset: expected "soft" or "hard", got ${excerpt(n.reset)}`);
  if (n.fireOn !== 'gt' && n.fireOn !== 'ge') throw new BwsnnError(`${w}node ${n.name}: fireOn: expected "gt" or "ge", got ${excerpt(n.fireOn)}`);
}
