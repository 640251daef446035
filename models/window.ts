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
 * A convolution prepared for sparse inputs: for every input position, the output positions and
 * kernel taps it meets; weights transposed to [c][tap][o] so that one input value updates a
 * contiguous run of output channels.
 */
export interface ConvPlan {
  t: WindowTable;
  C: number;
  O: number;
  /** Entries of input position q are invStart[q] .. invStart[q+1]-1. */
  invStart: Int32Array;
  invOut: Int32Array;
  invTap: Int32Array;
  /** [c][tap][o]. */
  wT: Float64Array;
  /** Scratch [p][o]. */
  tmp: Float64Array;
}

export function convPlan(t: WindowTable, C: number, O: number, w: ArrayLike<number>): ConvPlan {
  const HW = t.inH * t.inW;
  const P = t.outH * t.outW;
  const counts = new Int32Array(HW + 1);
  for (let e = 0; e < t.inPos.length; e++) counts[t.inPos[e]! + 1]!++;
  for (let q = 0; q < HW; q++) counts[q + 1]! += counts[q]!;
  const invStart = counts.slice();
  const fill = counts.slice(0, HW);
  const invOut = new Int32Array(t.inPos.length);
  const invTap = new Int32Array(t.inPos.length);
  for (let p = 0; p < P; p++) {
    for (let e = t.start[p]!; e < t.start[p + 1]!; e++) {
      const k = fill[t.inPos[e]!]!++;
      invOut[k] = p;
      invTap[k] = t.tap[e]!;
    }
  }
  const wT = new Float64Array(C * t.taps * O);
  for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let k = 0; k < t.taps; k++) wT[(c * t.taps + k) * O + o] = w[(o * C + c) * t.taps + k]!;
  return { t, C, O, invStart, invOut, invTap, wT, tmp: new Float64Array(P * O) };
}

/** out[o, p] += sum_c sum_taps w[o][c][tap] * x[c][in position] (zero padding), skipping zero inputs. */
export function convAccumulate(cp: ConvPlan, x: Float64Array, out: Float64Array): void {
  const { t, C, O, invStart, invOut, invTap, wT, tmp } = cp;
  const HW = t.inH * t.inW;
  const P = t.outH * t.outW;
  const taps = t.taps;
  tmp.fill(0);
  for (let c = 0; c < C; c++) {
    for (let q = 0; q < HW; q++) {
      const xv = x[c * HW + q]!;
      if (xv === 0) continue;
      for (let e = invStart[q]!; e < invStart[q + 1]!; e++) {
        const tb = invOut[e]! * O;
        const wb = (c * taps + invTap[e]!) * O;
        if (xv === 1) for (let o = 0; o < O; o++) tmp[tb + o]! += wT[wb + o]!;
        else for (let o = 0; o < O; o++) tmp[tb + o]! += wT[wb + o]! * xv;
      }
    }
  }
  for (let p = 0; p < P; p++) for (let o = 0; o < O; o++) out[o * P + p]! += tmp[p * O + o]!;
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
  // Whole bytes first (eight weights each), then the bits of the last partial byte.
  const whole = count >> 3;
  for (let i = 0, k = 0; i < whole; i++, k += 8) {
    const b = bits[i]!;
    w[k] = ((b & 1) << 1) - 1;
    w[k + 1] = (b & 2) - 1;
    w[k + 2] = ((b & 4) >> 1) - 1;
    w[k + 3] = ((b & 8) >> 2) - 1;
    w[k + 4] = ((b & 16) >> 3) - 1;
    w[k + 5] = ((b & 32) >> 4) - 1;
    w[k + 6] = ((b & 64) >> 5) - 1;
    w[k + 7] = ((b & 128) >> 6) - 1;
  }
  for (let k = whole << 3; k < count; k++) w[k] = (bits[k >> 3]! >> (k & 7)) & 1 ? 1 : -1;
  return w;
}
