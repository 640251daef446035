/**
 * Host input: check a sample against the model's encoding and turn it into the flits of each
 * time step (docs/architecture.md, "Input injection"): per input block in input-map order, per
 * bit plane, the block's words in ascending order; every non-zero word is one flit.
 */
import { BwsnnError } from '../base/errors.js';
import type { LoadedBinary } from './load.js';

/** The host flits of one time step. */
export interface StepFlits {
  count: number;
  /** Input spikes of the step: set bits over the input elements (x bit planes), each element once. */
  spikes?: number;
  dst: Int32Array;
  word: Int32Array;
  lo: Uint32Array;
  hi: Uint32Array;
}

/** Inputs of simulate(): one sample per row, flat C-order over the input shape. */
export type SimInputs =
  | { count: number; data: Float32Array | Float64Array | Uint8Array; labels?: Uint8Array | Int32Array }
  /** Explicit per-step values (spikes 0/1 for binary, integers for multibit): count * steps * size. */
  | { count: number; steps: number; data: Float32Array | Float64Array | Uint8Array; labels?: Uint8Array | Int32Array };

/** Check shape, dtype and range of `inputs` against the model; `where` names the data in errors. */
export function checkInputs(bin: LoadedBinary, inputs: SimInputs, where: string): void {
  const size = bin.inputSize;
  const T = bin.meta.timesteps;
  const enc = bin.meta.encoding;
  if (!Number.isInteger(inputs.count) || inputs.count < 0) throw new BwsnnError(`${where}: sample count ${inputs.count} is not a non-negative integer`);
  const steps = 'steps' in inputs ? inputs.steps : 1;
  if ('steps' in inputs && steps !== T) {
    throw new BwsnnError(`${where}: ${steps} time steps of input, the model ${bin.meta.name} runs ${T}`);
  }
  const want = inputs.count * steps * size;
  if (inputs.data.length !== want) {
    throw new BwsnnError(
      `${where}: ${inputs.data.length} values, expected ${inputs.count} samples x ${steps > 1 ? `${steps} steps x ` : ''}${size} (input shape [${bin.meta.inputShape.join(', ')}])`,
    );
  }
  if (inputs.labels && inputs.labels.length !== inputs.count) {
    throw new BwsnnError(`${where}: ${inputs.labels.length} labels for ${inputs.count} samples`);
  }
  const d = inputs.data;
  const explicitBinary = 'steps' in inputs && enc.kind === 'binary';
  const maxV = enc.kind === 'multibit' ? 2 ** enc.bits - 1 : 1;
  // Thresholded binary inputs only need finite values: a monomorphic scan first (every value of
  // a Uint8Array is finite); the element-wise checks below name the first bad value.
  if (enc.kind !== 'multibit' && !explicitBinary && (d instanceof Uint8Array || allFinite(d))) return;
  for (let i = 0; i < d.length; i++) {
    const x = d[i] as number;
    if (!Number.isFinite(x)) throw new BwsnnError(`${where}: value ${i} (sample ${Math.floor(i / (steps * size))}) is ${x}, not a finite number`);
    if (enc.kind === 'multibit' || explicitBinary) {
      if (!Number.isInteger(x) || x < 0 || x > maxV) {
        throw new BwsnnError(
          `${where}: value ${i} (sample ${Math.floor(i / (steps * size))}, element ${i % size}) is ${x}; the model's encoding ${enc.kind === 'multibit' ? `multibit:${enc.bits} takes integers 0..${maxV}` : 'takes explicit spikes 0 or 1'}`,
        );
      }
    }
  }
}

function allFinite(d: Float32Array | Float64Array): boolean {
  return d instanceof Float32Array ? allFinite32(d) : allFinite64(d);
}

function allFinite32(d: Float32Array): boolean {
  // x - x is 0 for finite x, NaN for NaN and the infinities.
  let z = 0;
  for (let i = 0; i < d.length; i++) z += d[i]! - d[i]!;
  return z === 0;
}

function allFinite64(d: Float64Array): boolean {
  let z = 0;
  for (let i = 0; i < d.length; i++) z += d[i]! - d[i]!;
  return z === 0;
}

/** Precomputed packing of the input map. */
export class InputPacker {
  private readonly bin: LoadedBinary;
  /** Per block: words spanned per plane. */
  private readonly span: number[];
  /** Per block: its elements and bit positions (flat copies). */
  private readonly elements: Int32Array[];
  private readonly bits: Int32Array[];
  private readonly cap: number;
  /**
   * Per block: an earlier block with the same elements and bit positions (whose words it copies on
   * every plane, e.g. a layer cut over many cores that all read the whole input), or -1.
   */
  private readonly same: Int32Array;
  /** Per block: its packed words, plane-major, (lo, hi) halves: 2 x span x planes. */
  private readonly words: Uint32Array[];
  /** Per input element of the sample being packed: its value's bits (binary: the spike, 0 or 1). */
  private readonly vals: Int32Array;
  /**
   * Reused flit buffers, one per time step: the engine reads a sample's flits during its run only
   * (the result of `sample` is valid until the next call).
   */
  private readonly bufs: StepFlits[] = [];

  constructor(bin: LoadedBinary) {
    this.bin = bin;
    this.span = bin.inputMap.map((b) => {
      let m = -1;
      for (let k = 0; k < b.bits.length; k++) m = Math.max(m, b.bits[k] as number);
      return m < 0 ? 0 : (m >> 6) + 1;
    });
    this.elements = bin.inputMap.map((b) => Int32Array.from(b.elements));
    this.bits = bin.inputMap.map((b) => Int32Array.from(b.bits));
    const eq = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((v, k) => v === b[k]);
    this.same = Int32Array.from(this.elements, (el, bi) => {
      for (let j = 0; j < bi; j++) if (eq(el, this.elements[j]!) && eq(this.bits[bi]!, this.bits[j]!)) return j;
      return -1;
    });
    this.words = this.span.map((sp) => new Uint32Array(2 * sp * bin.planes));
    this.vals = new Int32Array(bin.inputSize);
    let cap = 0;
    for (const sp of this.span) cap += sp * bin.planes;
    this.cap = cap;
  }

  private empty(n: number): StepFlits {
    return { count: 0, dst: new Int32Array(n), word: new Int32Array(n), lo: new Uint32Array(n), hi: new Uint32Array(n) };
  }

  /** Flits of one step from the sample values `x[off .. off+size)`, into `out` (or a new buffer). */
  pack(x: ArrayLike<number>, off: number, explicit: boolean, out: StepFlits = this.empty(this.cap)): StepFlits {
    const bin = this.bin;
    const enc = bin.meta.encoding;
    const planes = bin.planes;
    out.count = 0;
    const binary = enc.kind === 'binary';
    const thr = enc.kind === 'binary' ? enc.threshold : 0;
    // Each element's bits once (multibit values are integers, checked by checkInputs).
    const vals = this.vals;
    const size = bin.inputSize;
    let spikes = 0;
    if (binary) {
      for (let e = 0; e < size; e++) {
        const v = x[off + e] as number;
        const bit = (explicit ? v !== 0 : v >= thr) ? 1 : 0;
        vals[e] = bit;
        spikes += bit;
      }
    } else {
      for (let e = 0; e < size; e++) {
        const v = (x[off + e] as number) >>> 0;
        vals[e] = v;
        for (let p = 0; p < planes; p++) spikes += (v >>> p) & 1;
      }
    }
    out.spikes = spikes;
    const blocks = bin.inputMap;
    for (let bi = 0; bi < blocks.length; bi++) {
      const blk = blocks[bi]!;
      const span = this.span[bi] as number;
      const same = this.same[bi] as number;
      const w = this.words[same >= 0 ? same : bi]!;
      if (same < 0) {
        // Every plane's words of this block (a block with the same elements reuses them).
        const el = this.elements[bi]!;
        const bits = this.bits[bi]!;
        const ne = el.length;
        w.fill(0, 0, 2 * span * planes);
        for (let k = 0; k < ne; k++) {
          const v = vals[el[k]!]!;
          if (v === 0) continue;
          const b = bits[k]!;
          const sh = b & 31;
          // Branch-free: plane p's bit of v into its word.
          for (let p = 0, o = 2 * (b >> 6) + ((b >> 5) & 1); p < planes; p++, o += 2 * span) w[o] = w[o]! | (((v >>> p) & 1) << sh);
        }
      }
      for (let p = 0; p < planes; p++) {
        const wp = 2 * span * p;
        for (let j = 0; j < span; j++) {
          const lo = w[wp + 2 * j]!;
          const hi = w[wp + 2 * j + 1]!;
          if ((lo | hi) === 0) continue;
          const c = out.count++;
          out.dst[c] = blk.core;
          out.word[c] = blk.axonBase + p * blk.planeStride + j;
          out.lo[c] = lo;
          out.hi[c] = hi;
        }
      }
    }
    return out;
  }

  private buf(t: number): StepFlits {
    while (this.bufs.length <= t) this.bufs.push(this.empty(this.cap));
    return this.bufs[t]!;
  }

  /** Flits of every step of sample `i` (valid until the next call). */
  sample(inputs: SimInputs, i: number): StepFlits[] {
    const size = this.bin.inputSize;
    const T = this.bin.meta.timesteps;
    if ('steps' in inputs) {
      const out: StepFlits[] = [];
      for (let t = 0; t < T; t++) out.push(this.pack(inputs.data, (i * T + t) * size, true, this.buf(t)));
      return out;
    }
    const one = this.pack(inputs.data, i * size, false, this.buf(0));
    return new Array<StepFlits>(T).fill(one);
  }
}
