/**
 * Precomputed index tables for sliding windows (convolution and pooling) over a [C, H, W] tensor,
 * shared by the float and integer executors: for every output position, the list of in-range input
 * positions and the kernel tap each one meets (zero padding = taps that are simply absent).
 */
import { windowOut } from './validate.js';

export interface WindowTable {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  /** kh * kw. */
  taps: number;
  /** Entries of output position p are start[p] .. start[p+1]-1. */
  start: Int32Array;
  /** Input spatial index (iy * inW + ix) of each entry. */
  inPos: Int32Array;
  /** Kernel tap index (ky * kw + kx) of each entry. */
  tap: Int32Array;
}

export function windowTable(
  inH: number,
  inW: number,
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padding: readonly [number, number],
): WindowTable {
  const [kh, kw] = kernel;
  const outH = windowOut(inH, kh, stride[0], padding[0]);
  const outW = windowOut(inW, kw, stride[1], padding[1]);
  const start = new Int32Array(outH * outW + 1);
  const inPos: number[] = [];
  const tap: number[] = [];
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      start[oy * outW + ox] = inPos.length;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * stride[0] - padding[0] + ky;
        if (iy < 0 || iy >= inH) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * stride[1] - padding[1] + kx;
          if (ix < 0 || ix >= inW) continue;
          inPos.push(iy * inW + ix);
          tap.push(ky * kw + kx);
        }
      }
    }
  }
  start[outH * outW] = inPos.length;
  return { inH, inW, outH, outW, taps: kh * kw, start, inPos: Int32Array.from(inPos), tap: Int32Array.from(tap) };
}

/**
 * out[o, p] += sum_c sum_{entries e of p} w[((o * C + c) * taps + tap[e])] * x[c * H * W + inPos[e]].
 * Skips input channels that are all zero at a position only implicitly (gather form).
 */
export function convAccumulate(
  t: WindowTable,
  C: number,
  O: number,
  w: Float64Array | Int32Array,
  x: Float64Array,
  out: Float64Array,
): void {
  const HW = t.inH * t.inW;
  const P = t.outH * t.outW;
  const { start, inPos, tap, taps } = t;
  for (let p = 0; p < P; p++) {
    const e0 = start[p]!;
    const e1 = start[p + 1]!;
    for (let c = 0; c < C; c++) {
      const xb = c * HW;
      let any = false;
      for (let e = e0; e < e1; e++) {
        if (x[xb + inPos[e]!] !== 0) {
          any = true;
          break;
        }
      }
      if (!any) continue;
      for (let o = 0; o < O; o++) {
        const wb = (o * C + c) * taps;
        let s = 0;
        for (let e = e0; e < e1; e++) s += w[wb + tap[e]!]! * x[xb + inPos[e]!]!;
        out[o * P + p]! += s;
      }
    }
  }
}

/** Dense out[o] += sum_i W[o][i] x[i], with W given transposed ([in][out]) and sparse x skipped. */
export function denseAccumulate(wt: Float64Array | Int32Array, inF: number, outF: number, x: Float64Array, out: Float64Array): void {
  for (let i = 0; i < inF; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const b = i * outF;
    if (xi === 1) {
      for (let o = 0; o < outF; o++) out[o]! += wt[b + o]!;
    } else {
      for (let o = 0; o < outF; o++) out[o]! += wt[b + o]! * xi;
    }
  }
}

/** Transpose a row-major [rows][cols] matrix. */
export function transpose<A extends Float64Array | Int32Array>(w: A, rows: number, cols: number, make: (n: number) => A): A {
  const t = make(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return t;
}

/** Binary weight bits -> +-1 values. */
export function unpackSigns(bits: Uint8Array, count: number): Int32Array {
  const w = new Int32Array(count);
  for (let k = 0; k < count; k++) w[k] = (bits[k >> 3]! >> (k & 7)) & 1 ? 1 : -1;
  return w;
}
