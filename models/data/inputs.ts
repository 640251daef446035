/**
 * Checks of user data against a model: inputs `[N, ...inputShape]` in the model's input encoding
 * (binary: any finite float, thresholded by the model; multibit:K: integers 0..2^K-1) or
 * `[N, T, ...inputShape]` explicit per-step inputs (binary: 0/1; multibit:K: 0..2^K-1), and labels
 * `[N]` integers in 0..classes-1. Data sets with pixels in [0,1] are encoded for multibit:K models
 * as round(p * (2^K - 1)).
 */
import { BwsnnError } from '../../base/errors.js';
import type { Graph, InputEncoding, InputNode } from '../graph.js';
import { sizeOf, validateGraph } from '../validate.js';
import type { Dataset } from './index.js';
import type { NpyArray } from './npy.js';

export interface ModelInputs {
  count: number;
  /** Values per sample: size (one sample) or T * size (per-step). */
  sampleLength: number;
  perStep: boolean;
  /** count * sampleLength values. */
  data: Float32Array;
}

function inputNode(g: Graph): InputNode {
  return g.nodes.find((n) => n.op === 'input') as InputNode;
}

/** Number of classes of the model (readout size). */
export function classCount(g: Graph): number {
  const info = validateGraph(g);
  const ro = g.nodes.find((n) => n.op === 'readout')!;
  return sizeOf(info.shapes.get(ro.name)!);
}

const fmt = (s: readonly (number | string)[]): string => `(${s.join(', ')})`;

/** Validate an input array for model `g`; `file` names the array in errors. */
export function checkInputs(arr: NpyArray, g: Graph, file: string): ModelInputs {
  const inp = inputNode(g);
  const size = sizeOf(inp.shape);
  const T = g.timesteps;
  const s = arr.shape;
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
  let perStep: boolean;
  if (s.length === inp.shape.length + 1 && same(s.slice(1), inp.shape)) perStep = false;
  else if (s.length === inp.shape.length + 2 && s[1] === T && same(s.slice(2), inp.shape)) perStep = true;
  else {
    throw new BwsnnError(
      `${file}: shape ${fmt(s)} does not fit model ${g.name}: expected ${fmt(['N', ...inp.shape])} or explicit per-step input ${fmt(['N', T, ...inp.shape])}`,
    );
  }
  const count = s[0]!;
  const sampleLength = perStep ? T * size : size;
  const data = new Float32Array(count * sampleLength);
  const enc = inp.encoding;
  const hi = enc.kind === 'multibit' ? 2 ** enc.bits - 1 : 1;
  const src = arr.data;
  for (let k = 0; k < data.length; k++) {
    const v = Number(src[k]!);
    const at = (): string => {
      const per = sampleLength;
      return `sample ${Math.floor(k / per)}, element ${k % per}`;
    };
    if (!Number.isFinite(v)) throw new BwsnnError(`${file}: ${at()} is ${v}, expected a finite number`);
    if (perStep || enc.kind === 'multibit') {
      if (!Number.isInteger(v) || v < 0 || v > hi) {
        const what = perStep && enc.kind === 'binary' ? 'a spike 0 or 1' : `an integer 0..${hi} (multibit:${hi === 1 ? 1 : Math.log2(hi + 1)} encoding)`;
        throw new BwsnnError(`${file}: ${at()} is ${v}, expected ${what}`);
      }
    }
    data[k] = v;
  }
  return { count, sampleLength, perStep, data };
}

/** Validate labels: shape [N] (N = count), an integer dtype, values 0..classes-1. */
export function checkLabels(arr: NpyArray, count: number, classes: number, file: string): Uint8Array {
  if (arr.shape.length !== 1 || arr.shape[0] !== count) throw new BwsnnError(`${file}: shape ${fmt(arr.shape)}, expected (${count},) labels`);
  if (arr.dtype === 'f4' || arr.dtype === 'f8' || arr.dtype === 'b1') throw new BwsnnError(`${file}: dtype ${arr.dtype}, expected integer labels (u1, i1, u2, i2, u4, i4, i8)`);
  const out = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const v = Number(arr.data[k]!);
    if (v < 0 || v >= classes) throw new BwsnnError(`${file}: label ${k} is ${v}, expected 0..${classes - 1}`);
    out[k] = v;
  }
  return out;
}

/**
 * Pixels in [0, 1] in an input encoding: unchanged for binary (the model thresholds them),
 * round(p * (2^K - 1)) for multibit:K.
 */
export function encodePixels(pixels: Float32Array, enc: InputEncoding): Float32Array {
  if (enc.kind !== 'multibit') return pixels;
  const hi = 2 ** enc.bits - 1;
  const data = new Float32Array(pixels.length);
  for (let k = 0; k < data.length; k++) data[k] = Math.round(pixels[k]! * hi);
  return data;
}

/** A data set's pixels in the model's input encoding. */
export function encodeDataset(ds: Dataset, g: Graph): ModelInputs {
  const inp = inputNode(g);
  const size = sizeOf(inp.shape);
  if (sizeOf(ds.shape) !== size) {
    throw new BwsnnError(`data set ${ds.name} has ${fmt(ds.shape)} inputs, model ${g.name} expects ${fmt(inp.shape)}`);
  }
  return { count: ds.count, sampleLength: size, perStep: false, data: encodePixels(ds.inputs, inp.encoding) };
}
