/**
 * Pass 1, validate: check an IntModel against itself and against the chip config (widths, value
 * ranges, shapes, source order) and decide the axon layout of every source and each layer's depth.
 * Every refusal is a BwsnnError naming the model (file), the layer, the synapse and the field.
 */
import { DECAY_MAX, NEURON_FLAG_BITS } from '../isa/neuron-record.js';
import { signedRange, type ChipConfig } from '../isa/chip.js';
import { BwsnnError } from '../base/errors.js';
import { fieldMax, WORD_BITS } from '../isa/table.js';
import { NEURON_COLUMNS } from '../isa/neuron-record.js';
import type { IntLayer, IntModel, IntSynapse } from '../models/intmodel.js';
import type { CheckedModel, SourceInfo } from './ir.js';

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
/** Bits of an axon / spike word (the ISA's word). */
const WORD = WORD_BITS;

function fail(where: string, msg: string): never {
  throw new BwsnnError(`${where}: ${msg}`);
}

function checkRange(where: string, name: string, arr: ArrayLike<number>, lo: number, hi: number, field: string): void {
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i]!;
    if (!Number.isInteger(v) || v < lo || v > hi) {
      fail(where, `${name}[${i}] = ${v} does not fit [${lo}, ${hi}] (chip field ${field}); refold the model for this chip or raise ${field}`);
    }
  }
}

function checkWeights(where: string, syn: IntSynapse, expected: number): void {
  if (syn.op.kind === 'identity') return;
  const w = syn.op.weights;
  if (!Number.isInteger(w.wq) || w.wq < 1 || w.wq > 8) fail(where, `weights.wq = ${w.wq} must be 1..8`);
  if (w.mode === 'binary' && w.wq !== 1) fail(where, `binary weights must have wq = 1, got ${w.wq}`);
  // Sign bits (binary weights not yet unpacked) are +-1 by construction: only their count to check.
  const signs = w.mode === 'binary' ? w.signs : undefined;
  if (signs !== undefined) {
    if (signs.count !== expected) fail(where, `weights.values has ${signs.count} entries, expected ${expected}`);
    return;
  }
  if (w.values.length !== expected) fail(where, `weights.values has ${w.values.length} entries, expected ${expected}`);
  let lo: number;
  let hi: number;
  if (w.mode === 'binary') [lo, hi] = [-1, 1];
  else if (w.mode === 'uint') [lo, hi] = [0, 2 ** w.wq - 1];
  else if (w.mode === 'sint') [lo, hi] = [-(2 ** (w.wq - 1)), 2 ** (w.wq - 1) - 1];
  else fail(where, `unknown weight mode ${JSON.stringify((w as { mode: unknown }).mode)}`);
  const vals = w.values;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (v < lo || v > hi || (w.mode === 'binary' && v === 0)) fail(where, `weights.values[${i}] = ${v} is not a ${w.mode} ${w.wq}-bit weight`);
  }
}

/** Validate `m` for `chip`; `file` names the model in messages. */
export function validateModel(m: IntModel, chip: ChipConfig, file = m.name): CheckedModel {
  const W0 = `${file}`;
  if (!Number.isInteger(m.timesteps) || m.timesteps < 1 || m.timesteps > 255) fail(W0, `timesteps = ${m.timesteps} must be 1..255`);
  if (m.membraneBits !== chip.membraneBits) {
    fail(W0, `model was folded for membraneBits = ${m.membraneBits} but chip "${chip.name}" has membraneBits = ${chip.membraneBits}; refold for the chip or set the chip config field membraneBits`);
  }
  if (m.layers.length === 0) fail(W0, 'model has no layers');
  const enc = m.input.encoding;
  const inputPlanes = enc.kind === 'multibit' ? enc.bits : 1;
  if (enc.kind === 'multibit' && (!Number.isInteger(enc.bits) || enc.bits < 1 || enc.bits > 8)) {
    fail(W0, `input encoding multibit:${enc.bits}: the chip reads 1..8 axon planes`);
  }
  const inSize = prod(m.input.shape);
  if (!(inSize > 0) || m.input.shape.some((d) => !Number.isInteger(d) || d < 1)) fail(W0, `input shape [${m.input.shape}] is invalid`);

  const index = new Map<string, number>();
  m.layers.forEach((l, i) => {
    if (l.name === m.input.name) fail(W0, `layer ${l.name}: has the input's name`);
    if (index.has(l.name)) fail(W0, `layer ${l.name}: duplicate layer name`);
    index.set(l.name, i);
  });
  const ro = index.get(m.readout);
  if (ro === undefined) fail(W0, `readout layer ${m.readout} does not exist`);
  if (m.layers[ro]!.kind !== 'readout') fail(W0, `readout layer ${m.readout} has kind ${m.layers[ro]!.kind}`);

  const [tlo, thi] = signedRange(chip.thresholdBits);
  const [blo, bhi] = signedRange(chip.biasBits);
  const depth: Record<string, number> = {};
  // Which sources are read by a convolution or an identity shortcut (they need the position-major layout).
  const convShape = new Map<string, [number, number, number]>();
  const needsPos = new Set<string>();

  m.layers.forEach((l, li) => {
    const where = `${W0}: layer ${l.name}`;
    const n = prod(l.shape);
    if (!(n > 0) || l.shape.some((d) => !Number.isInteger(d) || d < 1)) fail(where, `shape [${l.shape}] is invalid`);
    if (l.kind !== 'if' && l.kind !== 'readout') fail(where, `unknown kind ${JSON.stringify(l.kind)}`);
    if (l.kind === 'readout' && l.name !== m.readout) fail(where, `second readout layer (the model's readout is ${m.readout})`);
    for (const f of NEURON_COLUMNS) {
      if (!l[f] || l[f].length !== n) fail(where, `${f} has ${l[f]?.length} entries, expected ${n}`);
    }
    checkRange(where, 'theta', l.theta, tlo, thi, 'thresholdBits');
    checkRange(where, 'vreset', l.vreset, tlo, thi, 'thresholdBits');
    checkRange(where, 'g0', l.g0, tlo, thi, 'thresholdBits');
    checkRange(where, 'g1', l.g1, tlo, thi, 'thresholdBits');
    checkRange(where, 'bias', l.bias, blo, bhi, 'biasBits');
    checkRange(where, 'leak', l.leak, 0, chip.membraneBits - 1, 'membraneBits');
    checkRange(where, 'flags', l.flags, 0, NEURON_FLAG_BITS, 'flags');
    checkRange(where, 'decay', l.decay, 0, DECAY_MAX, 'decay');
    checkRange(where, 'sdecay', l.sdecay, 0, DECAY_MAX, 'decay');
    if (l.synapses.length === 0) fail(where, 'has no synapses');
    let d = 1;
    l.synapses.forEach((s, si) => {
      const sw = `${where}: synapse ${si} (from ${s.source})`;
      const isInput = s.source === m.input.name;
      const srcIdx = index.get(s.source);
      if (!isInput && srcIdx === undefined) fail(sw, `source ${s.source} does not exist`);
      if (s.acc !== 0 && s.acc !== 1) fail(sw, `acc = ${s.acc as number} must be 0 or 1`);
      if (isInput && s.recurrent) fail(sw, 'the input cannot be a recurrent source');
      let srcShape: number[];
      if (isInput) srcShape = m.input.shape;
      else {
        const src = m.layers[srcIdx!]!;
        if (src.kind === 'readout') fail(sw, 'a readout layer never fires and cannot be a source');
        if (!s.recurrent && srcIdx! >= li) fail(sw, `same-step source ${s.source} must come before the layer (or mark the synapse recurrent)`);
        srcShape = src.shape;
        if (!s.recurrent) d = Math.max(d, depth[s.source]! + 1);
      }
      const srcSize = prod(srcShape);
      const op = s.op;
      if (op.kind === 'dense') {
        if (op.inFeatures !== srcSize) fail(sw, `dense inFeatures = ${op.inFeatures} but the source has ${srcSize} elements`);
        if (op.outFeatures !== n) fail(sw, `dense outFeatures = ${op.outFeatures} but the layer has ${n} neurons`);
        checkWeights(sw, s, op.inFeatures * op.outFeatures);
      } else if (op.kind === 'conv') {
        const geo = [...op.inShape, op.outChannels, ...op.kernel, ...op.stride, ...op.padding];
        if (geo.length !== 10 || geo.some((v) => !Number.isInteger(v))) {
          fail(sw, `conv geometry (inShape [${op.inShape}], outChannels ${op.outChannels}, kernel [${op.kernel}], stride [${op.stride}], padding [${op.padding}]) must be integers`);
        }
        const [C, H, Wd] = op.inShape;
        if (C * H * Wd !== srcSize) fail(sw, `conv inShape [${op.inShape}] does not match the source's ${srcSize} elements`);
        if (!isInput && (srcShape.length !== 3 || srcShape[0] !== C || srcShape[1] !== H || srcShape[2] !== Wd)) {
          fail(sw, `conv inShape [${op.inShape}] but the source layer has shape [${srcShape}] (a convolution needs a [C, H, W] source)`);
        }
        const [kh, kw] = op.kernel;
        const [sh, sw2] = op.stride;
        const [ph, pw] = op.padding;
        const oh = Math.floor((H + 2 * ph - kh) / sh) + 1;
        const ow = Math.floor((Wd + 2 * pw - kw) / sw2) + 1;
        if (l.shape.length !== 3 || l.shape[0] !== op.outChannels || l.shape[1] !== oh || l.shape[2] !== ow) {
          fail(sw, `conv output [${op.outChannels}, ${oh}, ${ow}] does not match the layer shape [${l.shape}]`);
        }
        if (kh > 15 || kw > 15 || sh > 15 || sw2 > 15 || ph > 15 || pw > 15 || kh < 1 || kw < 1 || sh < 1 || sw2 < 1 || ph < 0 || pw < 0) {
          fail(sw, `kernel ${kh}x${kw}, stride ${sh}x${sw2}, padding ${ph}x${pw}: the CFGW fields hold kernel/stride 1..15 and padding 0..15`);
        }
        if (ph >= kh || pw >= kw) fail(sw, `padding ${ph}x${pw} must be smaller than the kernel ${kh}x${kw}`);
        const prev = convShape.get(s.source);
        if (prev && (prev[0] !== C || prev[1] !== H || prev[2] !== Wd)) fail(sw, `conv inShape [${op.inShape}] disagrees with another reader's [${prev}]`);
        convShape.set(s.source, [C, H, Wd]);
        needsPos.add(s.source);
        checkWeights(sw, s, op.outChannels * C * kh * kw);
      } else if (op.kind === 'identity') {
        if (srcSize !== n) fail(sw, `identity shortcut from ${srcSize} elements into ${n} neurons`);
        if (isInput && enc.kind === 'multibit') fail(sw, 'an identity shortcut cannot read a multibit input (ACCS adds spikes, not integers)');
        const a = srcShape.length === 3 ? srcShape.join(',') : 'flat';
        const b = l.shape.length === 3 ? l.shape.join(',') : 'flat';
        if (a !== b && !(isInput && l.shape.length === 3)) {
          fail(sw, `identity shortcut from shape [${srcShape}] into shape [${l.shape}]: both sides must have the same layout`);
        }
        if (l.shape.length === 3) {
          needsPos.add(s.source);
          convShape.set(s.source, [l.shape[0]!, l.shape[1]!, l.shape[2]!]);
        }
      } else {
        fail(sw, `unknown synapse kind ${JSON.stringify((op as { kind: unknown }).kind)}`);
      }
    });
    depth[l.name] = d;
  });

  const sources: Record<string, SourceInfo> = {};
  const mk = (name: string, shape: number[], isInput: boolean, planes: number): SourceInfo => {
    const size = prod(shape);
    const s3 = shape.length === 3 ? (shape as [number, number, number]) : convShape.get(name);
    if ((shape.length === 3 && !isInput) || (isInput && needsPos.has(name) && s3)) {
      const [C, H, Wd] = s3!;
      const cw = Math.ceil(C / WORD);
      return { name, isInput, shape, layout: 'pos', size, C, H, W: Wd, cw, planes, units: H };
    }
    return { name, isInput, shape, layout: 'flat', size, C: 1, H: size, W: 1, cw: 0, planes, units: size };
  };
  sources[m.input.name] = mk(m.input.name, m.input.shape, true, inputPlanes);
  for (const l of m.layers) if (l.kind === 'if') sources[l.name] = mk(l.name, l.shape, false, 1);
  for (const s of Object.values(sources)) {
    const maxCw = fieldMax('CFGW', 'cw');
    const maxGroup = fieldMax('SEND', 'g');
    if (s.layout === 'pos' && s.cw > maxCw) fail(`${W0}: source ${s.name}`, `${s.C} channels need ${s.cw} words per position; CFGW/SEND hold at most ${maxCw} (${maxCw * WORD} channels)`);
    if (s.layout === 'pos' && s.C > maxGroup) fail(`${W0}: source ${s.name}`, `${s.C} channels exceed the ${maxGroup} neurons per group of SEND/ACCS`);
  }
  return { model: m, sources, depth };
}

/** Layer lookup helper shared by the passes. */
export function layerByName(m: IntModel): Map<string, IntLayer> {
  return new Map(m.layers.map((l) => [l.name, l]));
}
