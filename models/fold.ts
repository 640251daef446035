/**
 * Folding: Graph IR -> IntModel (models/intmodel.ts). Every neuron node (if, lif, threshold,
 * maxpool) and the readout becomes a layer. The layer's input current is walked back into a sum of
 * terms `integer_op(source) * s_j` plus a per-neuron constant `c_j`:
 *   - binary/int linear and conv synapses (sumpool/avgpool/flatten between the source and the
 *     synapse are folded into the weights: dense columns are expanded, conv kernels enlarged and
 *     strided; avgpool's 1/(kh*kw) goes into the scale),
 *   - identity terms (spikes of a same-size layer added directly: the SEI shortcut), and pooled
 *     spikes used as a current (a channel-diagonal conv with 0/1 weights),
 *   - BatchNorm multiplies scales and shifts the constant; Bias adds to the constant; Add sums.
 * The main term (the first synapse term) keeps gain g0 = 2^F after the whole equation is divided by
 * |s_j| (rows with s_j < 0 are negated); the other terms share bank 1 with gains
 * round(2^F * s'_j / |s_j|). Thresholds: 'ge' -> ceil(2^F theta / |s_j|), 'gt' ->
 * floor(2^F theta / |s_j|) + 1; bias and vReset are rounded.
 *
 * F per layer, in this order:
 *   1. exact when possible: the smallest F at which every field is an exact integer and fits its
 *      width (for 'gt' with a soft reset, a multiple of 2^e with 2^e > T: the integer threshold is
 *      theta + 1 while the float reset subtracts theta, a one-unit drift per spike that the e spare
 *      bits keep away from every comparison). The smallest exact F also leaves the membrane the most
 *      headroom: a larger F only multiplies every value and saturates sooner. The readout (or every
 *      layer with headroom 'all') takes it only if it keeps the headroom below.
 *   2. otherwise the largest F for which every field fits its width; the readout (and, with headroom
 *      'all', every layer) prefers the largest F for which T steps (one step for neuron layers) of
 *      worst-case drive (every input at its maximum, with the sign of its weight) plus the threshold
 *      cannot saturate the membrane, so that the argmax never meets saturation.
 *   3. fit, don't fail: when even F = 0 does not fit, the main bank's multi-bit weights lose least
 *      significant bits (w -> round(w / 2^k), scale * 2^k) until F = 0 fits; only binary or identity
 *      main terms that do not fit are refused, with a FoldFitError naming the layer, the widths that
 *      would fit and a shipped preset that has them.
 * foldGraphWithReport says per layer which F was taken, whether it is exact, the largest rounding
 * error and the weight bits dropped.
 */
import { recordedDataset } from './input-check.js';
import { BwsnnError } from '../isa/errors.js';
import { presetsWithWidths } from '../isa/presets.js';
import { DECAY_MAX } from '../isa/neuron-record.js';
import type { Graph, GraphNode, InputNode } from './graph.js';
import {
  INT_CURRENT,
  INT_HARD_RESET,
  INT_NO_MEMORY,
  type ConvSynapse,
  type DenseSynapse,
  type IntLayer,
  type IntModel,
  type IntSynapse,
  type IntWeights,
  binaryWeights,
} from './intmodel.js';
import { type GraphInfo, SPIKING_OPS, sizeOf, validateGraph, windowOut } from './validate.js';
import { unpackSigns, windowTable } from './window.js';

export interface FoldWidths {
  membraneBits?: number;
  thresholdBits?: number;
  biasBits?: number;
  /**
   * Which layers prefer an F with worst-case headroom in the membrane: 'readout' (default: the
   * readout keeps T steps of headroom so its argmax never meets saturation; neuron layers take the
   * largest F whose fields fit), 'all' (neuron layers also keep one step of headroom), 'none'.
   */
  headroom?: 'readout' | 'all' | 'none';
}

/** How one layer was folded: its format, whether it is exact, and what was rounded. */
export interface FoldLayerReport {
  name: string;
  /** Fractional bits F of the layer's fixed-point format. */
  fracBits: number;
  /** Every threshold, bias, reset and gain is represented exactly (no rounding, no leak floor). */
  exact: boolean;
  /** Largest |integer - real| of a rounded field, in the layer's real units (0 when exact). */
  maxError: number;
  /** The field of maxError: threshold, bias, reset, gain, branch gain, weights, leak (shift floors). */
  errorField: string;
  /** Least significant bits dropped from the main bank's multi-bit weights to fit the widths. */
  droppedBits: number;
  /** Largest |lowered - original| weight times its scale (0 unless bits were dropped). */
  weightError: number;
  /** Weight planes of the main bank after folding, and as the model gave them. */
  weightBits: number;
  originalWeightBits: number;
  /** T steps of worst-case drive may saturate the membrane. */
  saturates: boolean;
}

/** No fixed-point format fits a layer: names the layer and the widths (and presets) that would fit. */
export class FoldFitError extends BwsnnError {
  constructor(
    message: string,
    readonly layer: string,
    readonly needed: { thresholdBits: number; biasBits: number; membraneBits: number },
    readonly presets: string[],
  ) {
    super(message);
  }
}

interface Term {
  source: string;
  recurrent: boolean;
  op: DenseSynapse | ConvSynapse | { kind: 'identity' };
  /** Per-neuron real scale. */
  scale: Float64Array;
  /** A binary/int synapse node (candidate main term). */
  main: boolean;
}

interface Expr {
  terms: Term[];
  c: Float64Array;
}

interface Ctx {
  g: Graph;
  info: GraphInfo;
  file: string;
  input: InputNode;
  byName: Map<string, GraphNode>;
}

function fail(ctx: Ctx, node: string, msg: string): never {
  throw new BwsnnError(`${ctx.file}: node ${node}: ${msg}`);
}

function isSource(n: GraphNode): boolean {
  return n.op === 'input' || SPIKING_OPS.has(n.op);
}

/** Smallest wq such that all values fit the mode. */
function weightsOf(values: Int32Array, binary: boolean): IntWeights {
  if (binary) return { mode: 'binary', wq: 1, values };
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0) {
    let wq = 1;
    while (2 ** wq - 1 < hi) wq++;
    return { mode: 'uint', wq, values };
  }
  let wq = 2;
  while (-(2 ** (wq - 1)) > lo || 2 ** (wq - 1) - 1 < hi) wq++;
  return { mode: 'sint', wq, values };
}

/** Follow flatten/sumpool/avgpool back to a source; returns the source and the ops (source side first). */
function sourceChain(ctx: Ctx, from: string, consumerIdx: number): { source: string; recurrent: boolean; chain: GraphNode[] } {
  const chain: GraphNode[] = [];
  let name = from;
  let consumer = consumerIdx;
  for (;;) {
    const n = ctx.byName.get(name)!;
    if (isSource(n)) return { source: name, recurrent: ctx.info.index.get(name)! >= consumer, chain: chain.reverse() };
    if (n.op !== 'flatten' && n.op !== 'sumpool' && n.op !== 'avgpool') {
      fail(ctx, name, `expected spikes or the input (through pooling/flatten) here, found ${n.op}`);
    }
    chain.push(n);
    consumer = ctx.info.index.get(name)!;
    name = n.input;
  }
}

/** Fold a pool of geometry (kp, sp, pp) on [C,H,W] into a conv applied to its output. */
function enlargeKernel(
  ctx: Ctx,
  node: string,
  conv: { outChannels: number; inChannels: number; kernel: [number, number]; stride: [number, number]; padding: [number, number]; w: Int32Array },
  pool: GraphNode & { kernel: [number, number]; stride: [number, number]; padding: [number, number] },
  srcShape: number[],
  pooledShape: number[],
  convOut: [number, number],
): typeof conv {
  const k: [number, number] = [0, 0];
  const s: [number, number] = [0, 0];
  const p: [number, number] = [0, 0];
  for (let ax = 0; ax < 2; ax++) {
    const kc = conv.kernel[ax]!;
    const sc = conv.stride[ax]!;
    const pc = conv.padding[ax]!;
    const kp = pool.kernel[ax]!;
    const sp = pool.stride[ax]!;
    const pp = pool.padding[ax]!;
    const n = srcShape[1 + ax]!;
    const np = pooledShape[1 + ax]!;
    k[ax] = (kc - 1) * sp + kp;
    s[ax] = sc * sp;
    p[ax] = pc * sp + pp;
    if (windowOut(n, k[ax]!, s[ax]!, p[ax]!) !== convOut[ax]) {
      fail(ctx, node, `cannot fold ${pool.op} ${pool.name} into the synapse exactly (output size changes); use a pool that tiles its input`);
    }
    for (let o = 0; o < convOut[ax]!; o++) {
      for (let i = 0; i < kc; i++) {
        const q = o * sc - pc + i;
        if (q >= 0 && q < np) continue;
        for (let a = 0; a < kp; a++) {
          const r = q * sp - pp + a;
          if (r >= 0 && r < n) fail(ctx, node, `cannot fold ${pool.op} ${pool.name} into the synapse exactly (padding meets input rows the pool dropped)`);
        }
      }
    }
  }
  const { outChannels: O, inChannels: C } = conv;
  const [kh, kw] = conv.kernel;
  const w = new Int32Array(O * C * k[0] * k[1]);
  for (let o = 0; o < O; o++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const wv = conv.w[((o * C + c) * kh + i) * kw + j]!;
          if (wv === 0) continue;
          for (let a = 0; a < pool.kernel[0]; a++)
            for (let b = 0; b < pool.kernel[1]; b++) {
              const u = i * pool.stride[0] + a;
              const v = j * pool.stride[1] + b;
              w[((o * C + c) * k[0] + u) * k[1] + v]! += wv;
            }
        }
  return { outChannels: O, inChannels: C, kernel: k, stride: s, padding: p, w };
}

/** A conv term over `source` after folding `chain` (pools only) into it. */
function convTerm(
  ctx: Ctx,
  node: string,
  source: string,
  recurrent: boolean,
  chain: GraphNode[],
  conv: { outChannels: number; inChannels: number; kernel: [number, number]; stride: [number, number]; padding: [number, number]; w: Int32Array },
  binary: boolean,
  convOutShape: number[],
  scalePerChannel: Float64Array,
  /** The weights when `chain` is empty (binary weights unpacked on first use), instead of conv.w's. */
  weights?: IntWeights,
): Term {
  let cur = conv;
  let factor = 1;
  const out: [number, number] = [convOutShape[1]!, convOutShape[2]!];
  for (let i = chain.length - 1; i >= 0; i--) {
    const pn = chain[i]!;
    if (pn.op !== 'sumpool' && pn.op !== 'avgpool') fail(ctx, node, `cannot fold ${pn.op} ${pn.name} into a convolution`);
    const srcShape = ctx.info.shapes.get(pn.input)!;
    cur = enlargeKernel(ctx, node, cur, pn, srcShape, ctx.info.shapes.get(pn.name)!, out);
    if (pn.op === 'avgpool') factor /= pn.kernel[0] * pn.kernel[1];
  }
  const srcShape = ctx.info.shapes.get(source)!;
  const P = out[0] * out[1];
  const scale = new Float64Array(cur.outChannels * P);
  for (let o = 0; o < cur.outChannels; o++) scale.fill(scalePerChannel[o]! * factor, o * P, (o + 1) * P);
  const op: ConvSynapse = {
    kind: 'conv',
    inShape: [srcShape[0]!, srcShape[1]!, srcShape[2]!],
    outChannels: cur.outChannels,
    kernel: cur.kernel,
    stride: cur.stride,
    padding: cur.padding,
    weights: chain.length === 0 && weights !== undefined ? weights : weightsOf(cur.w, binary && chain.length === 0),
  };
  return { source, recurrent, op, scale, main: true };
}

/** Map each flat index of the chain's output to the source indices it sums (with multiplicity). */
function chainMap(ctx: Ctx, source: string, chain: GraphNode[]): { lists: number[][]; factor: number } {
  const srcSize = sizeOf(ctx.info.shapes.get(source)!);
  let lists: number[][] = Array.from({ length: srcSize }, (_, i) => [i]);
  let factor = 1;
  for (const n of chain) {
    if (n.op === 'flatten') continue;
    if (n.op !== 'sumpool' && n.op !== 'avgpool') fail(ctx, n.name, `cannot fold ${n.op} into a synapse`);
    const sh = ctx.info.shapes.get(n.input)!;
    const tbl = windowTable(sh[1]!, sh[2]!, n.kernel, n.stride, n.padding);
    const HW = sh[1]! * sh[2]!;
    const P = tbl.outH * tbl.outW;
    const next: number[][] = [];
    for (let c = 0; c < sh[0]!; c++)
      for (let p = 0; p < P; p++) {
        const l: number[] = [];
        for (let e = tbl.start[p]!; e < tbl.start[p + 1]!; e++) for (const s of lists[c * HW + tbl.inPos[e]!]!) l.push(s);
        next.push(l);
      }
    lists = next;
    if (n.op === 'avgpool') factor /= n.kernel[0] * n.kernel[1];
  }
  return { lists, factor };
}

function synapseTerm(ctx: Ctx, n: GraphNode): Term {
  if (n.op !== 'binary_linear' && n.op !== 'linear' && n.op !== 'binary_conv2d' && n.op !== 'conv2d') throw new Error('unreachable');
  const { source, recurrent, chain } = sourceChain(ctx, n.input, ctx.info.index.get(n.name)!);
  const binary = n.op === 'binary_linear' || n.op === 'binary_conv2d';
  const scale = binary ? n.alpha : n.scale;
  if (n.op === 'binary_linear' || n.op === 'linear') {
    const pooled = chain.some((c) => c.op !== 'flatten');
    if (n.op === 'binary_linear' && !pooled) {
      const srcSize = sizeOf(ctx.info.shapes.get(source)!);
      const op: DenseSynapse = { kind: 'dense', inFeatures: srcSize, outFeatures: n.outFeatures, weights: binaryWeights(n.weightBits, n.inFeatures * n.outFeatures) };
      return { source, recurrent, op, scale: scale.map((x) => x * 1), main: true };
    }
    const w = n.op === 'binary_linear' ? unpackSigns(n.weightBits, n.inFeatures * n.outFeatures) : Int32Array.from(n.weight);
    const srcSize = sizeOf(ctx.info.shapes.get(source)!);
    let values = w;
    let factor = 1;
    if (pooled) {
      const m = chainMap(ctx, source, chain);
      factor = m.factor;
      values = new Int32Array(n.outFeatures * srcSize);
      for (let o = 0; o < n.outFeatures; o++)
        for (let q = 0; q < n.inFeatures; q++) {
          const wv = w[o * n.inFeatures + q]!;
          for (const s of m.lists[q]!) values[o * srcSize + s]! += wv;
        }
    }
    const op: DenseSynapse = { kind: 'dense', inFeatures: srcSize, outFeatures: n.outFeatures, weights: weightsOf(values, binary && !pooled) };
    return { source, recurrent, op, scale: scale.map((x) => x * factor), main: true };
  }
  const count = n.outChannels * n.inChannels * n.kernel[0] * n.kernel[1];
  // Without pools, binary weights stay sign bits until something reads their values.
  const lazy = n.op === 'binary_conv2d' && chain.length === 0;
  const w = lazy ? new Int32Array(0) : n.op === 'binary_conv2d' ? unpackSigns(n.weightBits, count) : Int32Array.from(n.weight);
  return convTerm(
    ctx, n.name, source, recurrent, chain,
    { outChannels: n.outChannels, inChannels: n.inChannels, kernel: [...n.kernel], stride: [...n.stride], padding: [...n.padding], w },
    binary, ctx.info.shapes.get(n.name)!, scale, lazy ? binaryWeights(n.weightBits, count) : undefined,
  );
}

/** A source (through flatten/pools) used directly as a current. */
function directTerm(ctx: Ctx, from: string, consumerIdx: number): Term {
  const { source, recurrent, chain } = sourceChain(ctx, from, consumerIdx);
  const size = sizeOf(ctx.info.shapes.get(from)!);
  const pools = chain.filter((c) => c.op !== 'flatten');
  if (pools.length === 0) return { source, recurrent, op: { kind: 'identity' }, scale: new Float64Array(size).fill(1), main: false };
  // A channel-diagonal 1x1 conv applied after the last pool, then the pools folded into it.
  const last = pools[pools.length - 1]!;
  const outShape = ctx.info.shapes.get(last.name)!;
  const C = outShape[0]!;
  const w = new Int32Array(C * C);
  for (let c = 0; c < C; c++) w[c * C + c] = 1;
  const t = convTerm(ctx, from, source, recurrent, pools, { outChannels: C, inChannels: C, kernel: [1, 1], stride: [1, 1], padding: [0, 0], w }, false, outShape, new Float64Array(C).fill(1));
  t.main = false;
  return t;
}

function exprOf(ctx: Ctx, name: string, consumerIdx: number): Expr {
  const n = ctx.byName.get(name)!;
  const size = sizeOf(ctx.info.shapes.get(name)!);
  if (isSource(n) || ctx.info.pooledSource.has(name) || (n.op === 'flatten' && ctx.info.kinds.get(name) !== 'current')) {
    return { terms: [directTerm(ctx, name, consumerIdx)], c: new Float64Array(size) };
  }
  switch (n.op) {
    case 'binary_linear':
    case 'linear':
    case 'binary_conv2d':
    case 'conv2d':
      return { terms: [synapseTerm(ctx, n)], c: new Float64Array(size) };
    case 'batchnorm': {
      const e = exprOf(ctx, n.input, ctx.info.index.get(name)!);
      const C = n.gamma.length;
      const per = size / C;
      // e.c is this expression's own (every case returns a fresh or its input's own constant).
      const c = e.c;
      for (let ch = 0; ch < C; ch++) {
        const a = n.gamma[ch]! / Math.sqrt(n.var[ch]! + n.eps);
        const b = n.beta[ch]! - n.mean[ch]! * a;
        for (const t of e.terms) {
          const sc = t.scale;
          for (let k = ch * per; k < (ch + 1) * per; k++) sc[k] = sc[k]! * a;
        }
        for (let k = ch * per; k < (ch + 1) * per; k++) c[k] = e.c[k]! * a + b;
      }
      return { terms: e.terms, c };
    }
    case 'bias': {
      const e = exprOf(ctx, n.input, ctx.info.index.get(name)!);
      const full = n.bias.length === size;
      const per = full ? 1 : size / n.bias.length;
      for (let k = 0; k < size; k++) e.c[k]! += n.bias[full ? k : Math.floor(k / per)]!;
      return e;
    }
    case 'add': {
      const terms: Term[] = [];
      const c = new Float64Array(size);
      for (const s of n.inputs) {
        const e = exprOf(ctx, s, ctx.info.index.get(name)!);
        terms.push(...e.terms);
        for (let k = 0; k < size; k++) c[k]! += e.c[k]!;
      }
      return { terms, c };
    }
    case 'flatten':
      return exprOf(ctx, n.input, ctx.info.index.get(name)!);
    default:
      return fail(ctx, name, `folding cannot express ${n.op} of a current as integer synapses (pool spikes before the synapse instead)`);
  }
}

function sameScale(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Negate row j of a term's weights (dense row, or conv output channel of neuron j). */
function negateRow(t: Term, j: number, P: number): void {
  const op = t.op;
  if (op.kind === 'dense') {
    const v = op.weights.values;
    for (let i = j * op.inFeatures; i < (j + 1) * op.inFeatures; i++) v[i] = -v[i]!;
  } else if (op.kind === 'conv') {
    if (j % P !== 0) return; // one flip per channel, done at its first neuron
    const per = op.inShape[0] * op.kernel[0] * op.kernel[1];
    const o = j / P;
    const v = op.weights.values;
    for (let i = o * per; i < (o + 1) * per; i++) v[i] = -v[i]!;
  }
}

/** Adds each neuron's sum of |weight| * xmax over the term's row to r. */
function addRowAbsSums(t: Term, size: number, xmax: number, r: Float64Array): void {
  const op = t.op;
  if (op.kind === 'identity') for (let j = 0; j < size; j++) r[j]! += xmax;
  else if (op.kind === 'dense') {
    // Binary weights are +-1 (unpacked signs, maybe negated): every |w| is 1.
    if (op.weights.mode === 'binary') {
      for (let j = 0; j < size; j++) r[j]! += op.inFeatures * xmax;
      return;
    }
    const v = op.weights.values;
    for (let j = 0; j < size; j++) {
      let s = 0;
      for (let i = j * op.inFeatures; i < (j + 1) * op.inFeatures; i++) s += Math.abs(v[i]!);
      r[j]! += s * xmax;
    }
  } else {
    const per = op.inShape[0] * op.kernel[0] * op.kernel[1];
    const P = size / op.outChannels;
    // Binary weights are +-1 (unpacked signs, maybe negated): every |w| is 1.
    const binary = op.weights.mode === 'binary';
    const v = binary ? undefined : op.weights.values;
    for (let o = 0; o < op.outChannels; o++) {
      let s = 0;
      if (binary) s = per;
      else for (let i = o * per; i < (o + 1) * per; i++) s += Math.abs(v![i]!);
      const x = s * xmax;
      for (let j = o * P; j < (o + 1) * P; j++) r[j]! += x;
    }
  }
}

/**
 * The neurons j (ascending) whose values differ from neuron j - 1's in at least one of `arrays`
 * (compared as values, -0 and +0 apart, NaN never equal; an array of length 1 is shared by every neuron): the starts of runs of
 * identical per-neuron inputs.
 */
function runStarts(size: number, arrays: Float64Array[]): Int32Array {
  // Equal and, for zeros, of the same sign (1/x tells -0 from +0); NaN never equals (a new run).
  const per = arrays.filter((a) => a.length > 1);
  const out = new Int32Array(size);
  let n = 0;
  for (let j = 0; j < size; j++) {
    let same = j > 0;
    for (let k = 0; same && k < per.length; k++) {
      const a = per[k]!;
      const x = a[j]!;
      const y = a[j - 1]!;
      same = x === y && (x !== 0 || 1 / x === 1 / y);
    }
    if (!same) out[n++] = j;
  }
  return out.slice(0, n);
}

function foldLayer(ctx: Ctx, n: GraphNode, bits: Required<FoldWidths>): { layer: IntLayer; report: FoldLayerReport } {
  const shape = ctx.info.shapes.get(n.name)!;
  const size = sizeOf(shape);
  const idx = ctx.info.index.get(n.name)!;
  const flags = new Uint8Array(size);
  const leak = new Uint8Array(size);
  const decay = new Int32Array(size);
  const sdecay = new Int32Array(size);
  if (n.op === 'maxpool') {
    // OR of spikes = IF with theta 1 and hard reset to 0, fed by a channel-diagonal 0/1 conv.
    const { source, recurrent } = sourceChain(ctx, n.input, idx);
    const sh = ctx.info.shapes.get(n.input)!;
    const C = sh[0]!;
    const K = n.kernel[0] * n.kernel[1];
    const w = new Int32Array(C * C * K);
    for (let c = 0; c < C; c++) w.fill(1, (c * C + c) * K, (c * C + c + 1) * K);
    flags.fill(INT_HARD_RESET);
    const report: FoldLayerReport = { name: n.name, fracBits: 0, exact: true, maxError: 0, errorField: '', droppedBits: 0, weightError: 0, weightBits: 1, originalWeightBits: 1, saturates: false };
    const layer: IntLayer = {
      name: n.name, kind: 'if', shape: [...shape], theta: new Int32Array(size).fill(1), bias: new Int32Array(size), vreset: new Int32Array(size),
      g0: new Int32Array(size).fill(1), g1: new Int32Array(size), leak, flags, decay, sdecay, fracBits: 0,
      synapses: [{
        source, recurrent, acc: 0,
        op: { kind: 'conv', inShape: [C, sh[1]!, sh[2]!], outChannels: C, kernel: [...n.kernel], stride: [...n.stride], padding: [...n.padding], weights: { mode: 'uint', wq: 1, values: w } },
      }],
    };
    return { layer, report };
  }
  if (n.op !== 'if' && n.op !== 'lif' && n.op !== 'threshold' && n.op !== 'readout') throw new Error('unreachable');
  const e = exprOf(ctx, n.input, idx);
  if (e.terms.length === 0) fail(ctx, n.name, 'has no input synapse');
  const mainIdx = Math.max(0, e.terms.findIndex((t) => t.main));
  const main = e.terms[mainIdx]!;
  const s = main.scale;
  const common = n.op === 'readout';
  const allPositive = common || s.every((x) => x > 0);
  const bank0: Term[] = [];
  const bank1: Term[] = [];
  for (const t of e.terms) {
    if (t === main || (sameScale(t.scale, s) && (t.op.kind !== 'identity' || allPositive))) bank0.push(t);
    else bank1.push(t);
  }
  if (main.op.kind === 'identity' && !allPositive) {
    fail(ctx, n.name, 'its only synapse is an identity term with a non-positive scale, which folding cannot express');
  }
  const s1 = bank1.length > 0 ? bank1[0]!.scale : new Float64Array(size);
  for (const t of bank1) {
    if (!sameScale(t.scale, s1)) {
      fail(ctx, n.name, `needs more than two distinct scaled branches (${e.terms.length} terms from ${[...new Set(e.terms.map((x) => x.source))].join(', ')}); the chip has two accumulator banks per layer`);
    }
  }
  const P = main.op.kind === 'conv' ? size / main.op.outChannels : 1;
  // The readout keeps one common divisor (the largest |s_j|) so that its argmax is preserved; its
  // main gains are then per-neuron integers round(2^F * s_j / D) instead of 2^F.
  const sm = new Float64Array(s);
  const d = new Float64Array(size);
  const divisors = (): void => {
    if (common) {
      let D = 0;
      for (let j = 0; j < size; j++) D = Math.max(D, Math.abs(sm[j]!));
      if (D === 0) for (let j = 0; j < size; j++) D = Math.max(D, Math.abs(s1[j]!));
      d.fill(D === 0 ? 1 : D);
    } else {
      for (let j = 0; j < size; j++) d[j] = sm[j] !== 0 ? Math.abs(sm[j]!) : s1[j] !== 0 ? Math.abs(s1[j]!) : 1;
    }
  };
  divisors();
  // Real per-neuron parameters in units of one main-branch step.
  const stateless = n.op === 'threshold';
  const th = n.op === 'readout' ? new Float64Array([0]) : n.threshold;
  const vr = n.op === 'if' || n.op === 'lif' ? n.vReset : new Float64Array([0]);
  const fireGt = n.op !== 'readout' && n.fireOn === 'gt';
  const hard = stateless || ((n.op === 'if' || n.op === 'lif') && n.reset === 'hard');
  if (hard) flags.fill(INT_HARD_RESET);
  if (stateless) for (let j = 0; j < size; j++) flags[j]! |= INT_NO_MEMORY;
  if (n.op === 'lif' || n.op === 'readout') leak.fill(n.leak);
  // The multiplicative leak and the CubaLIF current (models/intmodel.ts): the decays are the same
  // dyadic constants in both executors; the integer products floor.
  if (n.op === 'lif' && n.decay !== undefined) decay.fill(n.decay);
  const cuba = n.op === 'lif' && n.synDecay !== undefined;
  if (cuba) {
    sdecay.fill(n.synDecay!);
    for (let j = 0; j < size; j++) flags[j]! |= INT_CURRENT;
  }
  // Worst-case growth of the synaptic current over its input drive: min(T, 2^12 / sdecay).
  const currentGain = cuba ? Math.min(ctx.g.timesteps, n.synDecay! > 0 ? DECAY_MAX / n.synDecay! : Infinity) : 1;
  const input = ctx.input;
  const xmaxOf = (src: string): number => (src === input.name && input.encoding.kind === 'multibit' ? 2 ** input.encoding.bits - 1 : 1);
  const tMax = 2 ** (bits.thresholdBits - 1) - 1;
  const tMin = -(2 ** (bits.thresholdBits - 1));
  const bMax = 2 ** (bits.biasBits - 1) - 1;
  const bMin = -(2 ** (bits.biasBits - 1));
  const vMax = 2 ** (bits.membraneBits - 1) - 1;
  const T = ctx.g.timesteps;
  // The readout integrates T steps and its argmax must not meet saturation: T steps of headroom.
  const steps = n.op === 'readout' ? T : 1;
  // 'gt' with a soft reset: the integer threshold is thr + 1 while the float reset subtracts thr, so
  // every spike leaves the integer membrane one unit low. When every value is a multiple of 2^e with
  // 2^e > T (at most T spikes), that drift never changes a comparison: exact formats of such layers
  // need e spare bits.
  const spare = fireGt && !hard ? Math.ceil(Math.log2(T + 1)) : 0;
  const unit = 2 ** spare;
  // A shift leak or a decay floors where the float executor multiplies: such layers are never claimed exact.
  const leaky = n.op === 'lif' ? n.leak > 0 || n.decay !== undefined || (n.synDecay ?? 0) > 0 : n.op === 'readout' && n.leak > 0;
  const leakField = n.op === 'lif' && (n.decay !== undefined || (n.synDecay ?? 0) > 0) ? 'leak (decay floors)' : 'leak (shift floors)';
  const abs0 = new Float64Array(size);
  const abs1 = new Float64Array(size);
  const theta = new Int32Array(size);
  const bias = new Int32Array(size);
  const vreset = new Int32Array(size);
  const g0 = new Int32Array(size);
  const g1 = new Int32Array(size);
  interface Trial {
    fits: boolean;
    exact: boolean;
    /** Largest |integer - real| of any field, in the layer's real units, and where. */
    err: number;
    errField: string;
    /** T steps of worst-case drive plus threshold and reset (no saturation when <= vMax). */
    boundT: number;
    /** The headroom test of the rounding fold: `steps` of drive plus the threshold. */
    headroomOk: boolean;
    /** Largest magnitude of the threshold-width fields and of the bias. */
    needT: number;
    needB: number;
  }
  // Neurons whose trial inputs (divisor, threshold, constant, reset, gains, drive bounds) equal the
  // previous neuron's give the same fields: a trial visits only the first of each run (maxima, flags
  // and the first-largest error field come out the same) and `write` fills the run with its values.
  // Found on first use; reset (null) whenever one of the inputs changes.
  let runs: Int32Array | null = null;
  const trial = (F: number, write: boolean): Trial => {
    const sc = 2 ** F;
    const r: Trial = { fits: true, exact: !leaky, err: 0, errField: leaky ? leakField : '', boundT: 0, headroomOk: true, needT: 0, needB: 0 };
    const field = (x: number, q: number, name: string, dj: number): void => {
      if (!Number.isInteger(x / unit)) r.exact = false;
      const e = (Math.abs(q - x) * dj) / sc;
      if (e > r.err && !(name === 'threshold' && fireGt && Number.isInteger(x))) {
        r.err = e;
        r.errField = name;
      }
    };
    runs ??= runStarts(size, [d, th, e.c, vr, sm, s1, abs0, abs1]);
    const starts = runs;
    for (let v = 0; v < starts.length; v++) {
      const j = starts[v]!;
      const dj = d[j]!;
      const thr = (sc * th[th.length === 1 ? 0 : j]!) / dj;
      const tj = n.op === 'readout' ? 0 : fireGt ? Math.floor(thr) + 1 : Math.ceil(thr);
      const bx = (sc * e.c[j]!) / dj;
      const bj = Math.round(bx);
      const rx = (sc * vr[vr.length === 1 ? 0 : j]!) / dj;
      const rj = Math.round(rx);
      const ax = common ? (sc * sm[j]!) / dj : sm[j] !== 0 ? sc : 0;
      const a = Math.round(ax);
      const b1x = (sc * s1[j]!) / dj;
      const b = Math.round(b1x);
      if (n.op !== 'readout') field(thr, tj, 'threshold', dj);
      field(bx, bj, 'bias', dj);
      if (hard) field(rx, rj, 'reset', dj);
      field(ax, a, 'gain', dj);
      field(b1x, b, 'branch gain', dj);
      r.needT = Math.max(r.needT, Math.abs(tj), Math.abs(rj), Math.abs(a), Math.abs(b));
      r.needB = Math.max(r.needB, Math.abs(bj));
      if (tj > tMax || tj < tMin || rj > tMax || rj < tMin || a > tMax || a < tMin || b > tMax || b < tMin || bj > bMax || bj < bMin) r.fits = false;
      const drive = (abs0[j]! * Math.abs(a) + abs1[j]! * Math.abs(b) + Math.abs(bj)) * currentGain;
      r.boundT = Math.max(r.boundT, T * drive + Math.abs(tj) + Math.abs(rj));
      if ((cuba ? Math.abs(tj) * (1 + currentGain) : steps * drive + Math.abs(tj)) > vMax) r.headroomOk = false;
      if (write) {
        const end = v + 1 < starts.length ? starts[v + 1]! : size;
        theta.fill(tj, j, end);
        bias.fill(bj, j, end);
        vreset.fill(rj, j, end);
        g0.fill(a, j, end);
        g1.fill(b, j, end);
      }
    }
    if (!r.exact && r.err === 0 && spare > 0) {
      // integral fields without the spare bits: a strict threshold's soft reset drifts one unit per spike
      r.errField = 'threshold (v > theta: one unit of reset drift per spike)';
      for (let j = 0; j < size; j++) r.err = Math.max(r.err, d[j]! / sc);
    }
    return r;
  };
  // Fit, don't fail: when even F = 0 does not fit the widths, drop least significant bits of the
  // main bank's multi-bit weights (w -> round(w / 2^k), scale * 2^k) until it does.
  const droppable = bank0.every((t) => t.op.kind !== 'identity' && t.op.weights.mode !== 'binary');
  // The largest |weight| of the main bank (only bounds the lowering of multi-bit weights).
  let maxW = 0;
  if (droppable) {
    for (const t of bank0) {
      if (t.op.kind === 'identity') continue;
      const v = t.op.weights.values;
      for (let i = 0; i < v.length; i++) maxW = Math.max(maxW, Math.abs(v[i]!));
    }
  }
  const fromBits = Math.max(...bank0.map((t) => (t.op.kind === 'identity' ? 1 : t.op.weights.wq)));
  let dropped = 0;
  let probe = trial(0, false);
  while (!probe.fits && droppable && 2 ** dropped < maxW) {
    dropped++;
    for (let j = 0; j < size; j++) sm[j] = sm[j]! * 2;
    divisors();
    runs = null;
    probe = trial(0, false);
  }
  if (!probe.fits) {
    const bitsFor = (v: number): number => Math.max(4, Math.ceil(Math.log2(v + 1)) + 1);
    const nt = Math.max(bits.thresholdBits, bitsFor(probe.needT));
    const nb = Math.max(bits.biasBits, bitsFor(probe.needB));
    const fields = [nt > bits.thresholdBits ? `thresholdBits ${nt}` : '', nb > bits.biasBits ? `biasBits ${nb}` : ''].filter(Boolean);
    const nm = Math.max(bits.membraneBits, nt, nb);
    if (nm > bits.membraneBits) fields.push(`membraneBits ${nm}`);
    const presets = presetsWithWidths({ thresholdBits: nt, biasBits: nb, membraneBits: nm });
    const how = droppable ? `even with F = 0 and its weights lowered from ${fromBits} to ${dropped > 0 ? Math.max(1, fromBits - dropped) : fromBits} bits` : 'even with F = 0 (its main weights are binary or an identity, so their precision cannot be lowered)';
    throw new FoldFitError(
      `${ctx.file}: node ${n.name}: no fixed-point format fits: thresholds/gains need ${bitsFor(probe.needT)} bits and biases ${bitsFor(probe.needB)} bits ${how}, the chip has thresholdBits ${bits.thresholdBits}, biasBits ${bits.biasBits}; a chip with ${fields.join(', ')} fits${presets.length ? ` (shipped preset: ${presets[0]})` : ' (no shipped preset does)'}`,
      n.name, { thresholdBits: nt, biasBits: nb, membraneBits: nm }, presets,
    );
  }
  let weightError = 0;
  if (dropped > 0) {
    const q = 2 ** dropped;
    for (const t of bank0) {
      if (t.op.kind === 'identity') continue;
      const old = t.op.weights.values;
      const values = new Int32Array(old.length);
      let worst = 0;
      for (let i = 0; i < old.length; i++) {
        const v = old[i]!;
        values[i] = Math.sign(v) * Math.floor(Math.abs(v) / q + 0.5);
        worst = Math.max(worst, Math.abs(values[i]! * q - v));
      }
      let smax = 0;
      for (let j = 0; j < size; j++) smax = Math.max(smax, Math.abs(s[j]!));
      weightError = Math.max(weightError, worst * smax);
      t.op = { ...t.op, weights: weightsOf(values, false) };
    }
  }
  if (!common) for (let j = 0; j < size; j++) if (sm[j]! < 0) for (const t of bank0) negateRow(t, j, P);
  for (const t of bank0) addRowAbsSums(t, size, xmaxOf(t.source), abs0);
  for (const t of bank1) addRowAbsSums(t, size, xmaxOf(t.source), abs1);
  runs = null;
  const maxF = bits.thresholdBits - 2;
  // A CubaLIF current grows to currentGain times its drive, and v to that plus theta: such layers
  // want headroom for a current of currentGain thresholds (not the worst-case drive, whose bound
  // over all weights is far too pessimistic: measured on the Braille samples, it cost 8% of the
  // prediction agreement).
  const wantHeadroom = bits.headroom === 'all' || (bits.headroom === 'readout' && n.op === 'readout') || cuba;
  let F = -1;
  let chosen: Trial | undefined;
  // Exact when possible: the smallest F whose fields are all exact (exactness only grows with F,
  // and the smallest such F leaves the membrane the most headroom).
  if (dropped === 0) {
    for (let f = 0; f <= maxF; f++) {
      const t = trial(f, false);
      if (!t.fits) break;
      if (t.exact) {
        if (!wantHeadroom || t.headroomOk) {
          F = f;
          chosen = t;
        }
        break;
      }
    }
  }
  if (F < 0) {
    for (const headroom of wantHeadroom ? [true, false] : [false]) {
      for (let f = maxF; f >= 0; f--) {
        const t = trial(f, false);
        if (t.fits && (!headroom || t.headroomOk)) {
          F = f;
          chosen = t;
          break;
        }
      }
      if (F >= 0) break;
    }
  }
  if (F < 0 || !chosen) throw new Error('unreachable: F = 0 fits');
  trial(F, true);
  const exact = chosen.exact && dropped === 0;
  let err = chosen.err;
  let errField = chosen.errField;
  if (weightError > err) {
    err = weightError;
    errField = 'weights';
  }
  const report: FoldLayerReport = {
    name: n.name, fracBits: F, exact, maxError: exact ? 0 : err, errorField: exact ? '' : errField,
    droppedBits: dropped, weightError, weightBits: Math.max(...bank0.map((t) => (t.op.kind === 'identity' ? 1 : t.op.weights.wq))), originalWeightBits: fromBits,
    saturates: chosen.boundT > vMax,
  };
  const synapses: IntSynapse[] = [];
  for (const [bank, terms] of [[0, bank0], [1, bank1]] as const) {
    for (const t of terms) {
      // Binary weights are kept as they are (weightsOf gives binary values back unchanged, wq 1).
      const op = t.op.kind === 'identity' ? { kind: 'identity' as const } : { ...t.op, weights: t.op.weights.mode === 'binary' ? t.op.weights : weightsOf(t.op.weights.values, false) };
      synapses.push({ source: t.source, recurrent: t.recurrent, acc: bank, op });
    }
  }
  const layer: IntLayer = {
    name: n.name, kind: n.op === 'readout' ? 'readout' : 'if', shape: [...shape], theta, bias, vreset, g0, g1, leak, flags, decay, sdecay, fracBits: F, synapses,
  };
  return { layer, report };
}

/** Fold a graph into the integer model (see the file comment). Widths default to 16/16/16 bits. */
export function foldGraph(g: Graph, widths: FoldWidths = {}, file = `model ${g.name}`): IntModel {
  return foldGraphWithReport(g, widths, file).model;
}

/** foldGraph, and how every layer was folded (format, exactness, rounding, lowered weights). */
export function foldGraphWithReport(g: Graph, widths: FoldWidths = {}, file = `model ${g.name}`): { model: IntModel; report: FoldLayerReport[] } {
  const info = validateGraph(g, file);
  const bits: Required<FoldWidths> = { membraneBits: 16, thresholdBits: 16, biasBits: 16, headroom: 'readout', ...widths };
  if (!['readout', 'all', 'none'].includes(bits.headroom)) throw new BwsnnError(`${file}: fold headroom must be readout, all or none, got ${JSON.stringify(bits.headroom)}`);
  for (const [k, v] of Object.entries(bits)) {
    if (typeof v !== 'number') continue;
    if (!Number.isInteger(v) || v < 4 || v > 32) throw new BwsnnError(`${file}: fold widths: ${k} must be an integer 4..32, got ${v}`);
  }
  const input = g.nodes.find((n) => n.op === 'input') as InputNode;
  const ctx: Ctx = { g, info, file, input, byName: new Map(g.nodes.map((n) => [n.name, n])) };
  const layers: IntLayer[] = [];
  const report: FoldLayerReport[] = [];
  let readout = '';
  for (const n of g.nodes) {
    if (SPIKING_OPS.has(n.op) || n.op === 'readout') {
      const f = foldLayer(ctx, n, bits);
      layers.push(f.layer);
      report.push(f.report);
      if (n.op === 'readout') readout = n.name;
    }
  }
  const m: IntModel = {
    name: g.name,
    timesteps: g.timesteps,
    input: { name: input.name, shape: [...input.shape], encoding: { ...input.encoding } },
    membraneBits: bits.membraneBits,
    layers,
    readout,
  };
  if (g.classNames) m.classNames = [...g.classNames];
  if (g.inputRange) m.inputRange = [g.inputRange[0], g.inputRange[1]];
  const ds = recordedDataset(g);
  // A binary's meta holds a data set name of 1..255 UTF-8 bytes (isa/validate.ts).
  if (ds !== undefined && ds !== '' && Buffer.byteLength(ds) <= 255) m.dataset = ds;
  return { model: m, report };
}

function fmtErr(x: number): string {
  return x === 0 ? '0' : x.toPrecision(3);
}

/**
 * What the fold chose, one line per layer that was lowered or rounded (and a summary line):
 * `layer if0: weights 8 -> 3 bits (5 LSBs dropped) to fit, F = 0; rounded: largest error 2.67e-5 (weights)`.
 */
export function formatFoldReport(report: FoldLayerReport[]): string[] {
  const lines: string[] = [];
  for (const r of report) {
    const parts: string[] = [];
    if (r.droppedBits > 0) parts.push(`weights ${r.originalWeightBits} -> ${r.weightBits} bits (${r.droppedBits} LSBs dropped, largest weight error ${fmtErr(r.weightError)}) to fit, F = ${r.fracBits}`);
    const pre = r.droppedBits > 0 ? '' : `F = ${r.fracBits}; `;
    if (!r.exact) parts.push(r.maxError === 0 ? `${pre}not exact: ${r.errorField}` : `${pre}rounded: largest error ${fmtErr(r.maxError)} (${r.errorField})`);
    if (parts.length) lines.push(`layer ${r.name}: ${parts.join('; ')}`);
  }
  const exact = report.filter((r) => r.exact).length;
  lines.push(exact === report.length ? `fold: all ${report.length} layers exact` : `fold: ${exact} of ${report.length} layers exact; rounded: ${report.filter((r) => !r.exact).map((r) => r.name).join(', ')}`);
  return lines;
}

/** Layers whose weights were lowered to fit (the quantization a user must hear about). */
export function loweredLayers(report: FoldLayerReport[]): FoldLayerReport[] {
  return report.filter((r) => r.droppedBits > 0);
}
