/**
 * Trainable layers with hand-written forward and backward passes on Float32Array.
 *
 * Activations are row-major batches: `n` rows of `size` values each; a row is one sample at one
 * time step. Spiking parts run t-major (row = t * B + b). Stateless layers (synapses, BatchNorm,
 * add, pooling, flatten) treat the T*B rows alike; that is the "self-ensemble" view of BPTT:
 * T weight-sharing feed-forward networks whose only coupling is the IF neuron's membrane.
 */
import type { Rng } from './rng.js';

export interface Param {
  name: string;
  data: Float32Array;
  grad: Float32Array;
  /** Clamp the value to [-clamp, clamp] after every optimiser step (latent binary weights). */
  clamp?: number;
}

function newParam(name: string, n: number, clamp?: number): Param {
  const p: Param = { name, data: new Float32Array(n), grad: new Float32Array(n) };
  if (clamp !== undefined) p.clamp = clamp;
  return p;
}

/**
 * Binarized weights with the straight-through estimator.
 * Forward: Wb[o][k] = alpha[o] * sign(W[o][k]), alpha[o] = mean_k |W[o][k]|, sign(0) = +1.
 * Backward (clipped STE, sign'(w) := 1 if |w| <= 1 else 0), exact chain rule through alpha:
 *   dW[o][k] = g[o][k] * alpha[o] * 1{|W[o][k]| <= 1} + sign(W[o][k]) / K * sum_j g[o][j] * sign(W[o][j])
 */
export function binarize(w: Float32Array, rows: number, cols: number, wb: Float32Array, alpha: Float32Array): void {
  for (let o = 0; o < rows; o++) {
    let s = 0;
    const base = o * cols;
    for (let k = 0; k < cols; k++) s += Math.abs(w[base + k]!);
    const a = s / cols;
    alpha[o] = a;
    for (let k = 0; k < cols; k++) wb[base + k] = w[base + k]! >= 0 ? a : -a;
  }
}

export function binarizeBackward(
  w: Float32Array,
  rows: number,
  cols: number,
  alpha: Float32Array,
  gWb: Float32Array,
  gW: Float32Array,
): void {
  for (let o = 0; o < rows; o++) {
    const base = o * cols;
    let dot = 0;
    for (let k = 0; k < cols; k++) dot += w[base + k]! >= 0 ? gWb[base + k]! : -gWb[base + k]!;
    const c = dot / cols;
    const a = alpha[o]!;
    for (let k = 0; k < cols; k++) {
      const wv = w[base + k]!;
      const ste = Math.abs(wv) <= 1 ? gWb[base + k]! * a : 0;
      gW[base + k]! += ste + (wv >= 0 ? c : -c);
    }
  }
}

export interface Layer {
  /** Forward pass on n rows; returns the output and its row count. */
  forward(x: Float32Array, n: number, train: boolean): { y: Float32Array; n: number };
  /** Backward pass for the last forward (train mode); returns dL/dx (null if not needed). */
  backward(dy: Float32Array): Float32Array | null;
  params(): Param[];
  readonly inSize: number;
  readonly outSize: number;
}

/**
 * The weights a synapse layer multiplies with: wb = binarize(w) (or w), and its transpose wbT
 * ([k][o], so that the inner loops run over contiguous outputs). Shared by Linear and Conv2d.
 */
function prepareWeights(w: Float32Array, O: number, K: number, binary: boolean, wb: Float32Array, alpha: Float32Array, wbT: Float32Array): void {
  if (binary) binarize(w, O, K, wb, alpha);
  else wb.set(w);
  for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) wbT[k * O + o] = wb[o * K + k]!;
}

/** Add the gradient gT ([k][o], w.r.t. wb) into the latent weights' gradient (through the STE when binary). */
function addWeightGrad(gT: Float32Array, O: number, K: number, binary: boolean, w: Param, alpha: Float32Array): void {
  const gWb = new Float32Array(O * K);
  for (let k = 0; k < K; k++) for (let o = 0; o < O; o++) gWb[o * K + k] = gT[k * O + o]!;
  if (binary) binarizeBackward(w.data, O, K, alpha, gWb, w.grad);
  else for (let i = 0; i < gWb.length; i++) w.grad[i]! += gWb[i]!;
}

/** Linear synapse y = x Wb^T (Wb = binarize(W) when binary, else W). Weight layout [out][in]. */
export class Linear implements Layer {
  readonly w: Param;
  readonly alpha: Float32Array;
  private wb: Float32Array;
  private wbT: Float32Array;
  private x: Float32Array = new Float32Array(0);
  private n = 0;
  needInputGrad = true;
  constructor(
    name: string,
    readonly inSize: number,
    readonly outSize: number,
    readonly binary: boolean,
    rng: Rng,
  ) {
    this.w = newParam(`${name}.weight`, inSize * outSize, binary ? 1 : undefined);
    const bound = 1 / Math.sqrt(inSize);
    for (let i = 0; i < this.w.data.length; i++) this.w.data[i] = rng.uniform(-bound, bound);
    this.alpha = new Float32Array(outSize);
    this.wb = new Float32Array(inSize * outSize);
    this.wbT = new Float32Array(inSize * outSize);
  }
  params(): Param[] {
    return [this.w];
  }
  /** The effective weights [out][in] of the last forward. */
  effective(): Float32Array {
    this.prepare();
    return this.wb;
  }
  private prepare(): void {
    prepareWeights(this.w.data, this.outSize, this.inSize, this.binary, this.wb, this.alpha, this.wbT);
  }
  forward(x: Float32Array, n: number, train: boolean): { y: Float32Array; n: number } {
    this.prepare();
    const I = this.inSize;
    const O = this.outSize;
    const y = new Float32Array(n * O);
    const wbT = this.wbT;
    for (let r = 0; r < n; r++) {
      const xo = r * I;
      const yo = r * O;
      for (let i = 0; i < I; i++) {
        const xv = x[xo + i]!;
        if (xv === 0) continue;
        const wo = i * O;
        for (let o = 0; o < O; o++) y[yo + o]! += xv * wbT[wo + o]!;
      }
    }
    if (train) {
      this.x = x;
      this.n = n;
    }
    return { y, n };
  }
  backward(dy: Float32Array): Float32Array | null {
    const I = this.inSize;
    const O = this.outSize;
    const n = this.n;
    const x = this.x;
    const gT = new Float32Array(I * O);
    for (let r = 0; r < n; r++) {
      const xo = r * I;
      const yo = r * O;
      for (let i = 0; i < I; i++) {
        const xv = x[xo + i]!;
        if (xv === 0) continue;
        const go = i * O;
        for (let o = 0; o < O; o++) gT[go + o]! += xv * dy[yo + o]!;
      }
    }
    addWeightGrad(gT, O, I, this.binary, this.w, this.alpha);
    if (!this.needInputGrad) return null;
    const dx = new Float32Array(n * I);
    const wbT = this.wbT;
    // four rows at a time: each weight row is loaded once per four dot products
    let r = 0;
    for (; r + 4 <= n; r += 4) {
      const y0 = r * O;
      const y1 = y0 + O;
      const y2 = y1 + O;
      const y3 = y2 + O;
      const xo = r * I;
      for (let i = 0; i < I; i++) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        const wo = i * O;
        for (let o = 0; o < O; o++) {
          const w = wbT[wo + o]!;
          s0 += dy[y0 + o]! * w;
          s1 += dy[y1 + o]! * w;
          s2 += dy[y2 + o]! * w;
          s3 += dy[y3 + o]! * w;
        }
        dx[xo + i] = s0;
        dx[xo + I + i] = s1;
        dx[xo + 2 * I + i] = s2;
        dx[xo + 3 * I + i] = s3;
      }
    }
    for (; r < n; r++) {
      const yo = r * O;
      const xo = r * I;
      for (let i = 0; i < I; i++) {
        let s = 0;
        const wo = i * O;
        for (let o = 0; o < O; o++) s += dy[yo + o]! * wbT[wo + o]!;
        dx[xo + i] = s;
      }
    }
    return dx;
  }
}

export interface ConvShape {
  inC: number;
  inH: number;
  inW: number;
  outC: number;
  k: number;
  stride: number;
  pad: number;
}

export function convOut(s: ConvShape): [number, number] {
  return [Math.floor((s.inH + 2 * s.pad - s.k) / s.stride) + 1, Math.floor((s.inW + 2 * s.pad - s.k) / s.stride) + 1];
}

/**
 * 2-D convolution (square kernel) through a position-major im2col: cols[p][k], k = (c*kh+i)*kw+j
 * (PyTorch weight order [out][in][kh][kw]). Forward skips zero inputs (spikes are sparse).
 */
export class Conv2d implements Layer {
  readonly w: Param;
  readonly alpha: Float32Array;
  readonly inSize: number;
  readonly outSize: number;
  readonly outH: number;
  readonly outW: number;
  private readonly K: number;
  private readonly P: number;
  private wb: Float32Array;
  private wbT: Float32Array;
  private cols: Float32Array = new Float32Array(0);
  private n = 0;
  needInputGrad = true;
  constructor(
    name: string,
    readonly shape: ConvShape,
    readonly binary: boolean,
    rng: Rng,
  ) {
    const [oh, ow] = convOut(shape);
    this.outH = oh;
    this.outW = ow;
    this.K = shape.inC * shape.k * shape.k;
    this.P = oh * ow;
    this.inSize = shape.inC * shape.inH * shape.inW;
    this.outSize = shape.outC * this.P;
    this.w = newParam(`${name}.weight`, shape.outC * this.K, binary ? 1 : undefined);
    const bound = 1 / Math.sqrt(this.K);
    for (let i = 0; i < this.w.data.length; i++) this.w.data[i] = rng.uniform(-bound, bound);
    this.alpha = new Float32Array(shape.outC);
    this.wb = new Float32Array(shape.outC * this.K);
    this.wbT = new Float32Array(shape.outC * this.K);
  }
  params(): Param[] {
    return [this.w];
  }
  effective(): Float32Array {
    this.prepare();
    return this.wb;
  }
  private prepare(): void {
    prepareWeights(this.w.data, this.shape.outC, this.K, this.binary, this.wb, this.alpha, this.wbT);
  }
  private im2col(x: Float32Array, r: number, cols: Float32Array, co: number): void {
    const { inC, inH, inW, k, stride, pad } = this.shape;
    const K = this.K;
    const xo = r * this.inSize;
    let p = 0;
    for (let oy = 0; oy < this.outH; oy++) {
      for (let ox = 0; ox < this.outW; ox++, p++) {
        const base = co + p * K;
        let kk = 0;
        for (let c = 0; c < inC; c++) {
          for (let i = 0; i < k; i++) {
            const iy = oy * stride - pad + i;
            for (let j = 0; j < k; j++, kk++) {
              const ix = ox * stride - pad + j;
              cols[base + kk] = iy >= 0 && iy < inH && ix >= 0 && ix < inW ? x[xo + (c * inH + iy) * inW + ix]! : 0;
            }
          }
        }
      }
    }
  }
  forward(x: Float32Array, n: number, train: boolean): { y: Float32Array; n: number } {
    this.prepare();
    const K = this.K;
    const P = this.P;
    const O = this.shape.outC;
    const cols = new Float32Array(n * P * K);
    const y = new Float32Array(n * this.outSize);
    const acc = new Float32Array(O);
    const wbT = this.wbT;
    for (let r = 0; r < n; r++) {
      const co = r * P * K;
      this.im2col(x, r, cols, co);
      const yo = r * this.outSize;
      for (let p = 0; p < P; p++) {
        acc.fill(0);
        const cb = co + p * K;
        for (let kk = 0; kk < K; kk++) {
          const v = cols[cb + kk]!;
          if (v === 0) continue;
          const wo = kk * O;
          for (let o = 0; o < O; o++) acc[o]! += v * wbT[wo + o]!;
        }
        for (let o = 0; o < O; o++) y[yo + o * P + p] = acc[o]!;
      }
    }
    if (train) {
      this.cols = cols;
      this.n = n;
    }
    return { y, n };
  }
  backward(dy: Float32Array): Float32Array | null {
    const K = this.K;
    const P = this.P;
    const O = this.shape.outC;
    const n = this.n;
    const cols = this.cols;
    const gT = new Float32Array(K * O);
    const dpm = new Float32Array(P * O);
    const dx = this.needInputGrad ? new Float32Array(n * this.inSize) : null;
    const wbT = this.wbT;
    const { inC, inH, inW, k, stride, pad } = this.shape;
    for (let r = 0; r < n; r++) {
      const yo = r * this.outSize;
      for (let o = 0; o < O; o++) for (let p = 0; p < P; p++) dpm[p * O + o] = dy[yo + o * P + p]!;
      const co = r * P * K;
      for (let p = 0; p < P; p++) {
        const cb = co + p * K;
        const db = p * O;
        for (let kk = 0; kk < K; kk++) {
          const v = cols[cb + kk]!;
          if (v === 0) continue;
          const go = kk * O;
          for (let o = 0; o < O; o++) gT[go + o]! += v * dpm[db + o]!;
        }
      }
      if (dx) {
        const xo = r * this.inSize;
        let p = 0;
        for (let oy = 0; oy < this.outH; oy++) {
          for (let ox = 0; ox < this.outW; ox++, p++) {
            const db = p * O;
            let kk = 0;
            for (let c = 0; c < inC; c++) {
              for (let i = 0; i < k; i++) {
                const iy = oy * stride - pad + i;
                for (let j = 0; j < k; j++, kk++) {
                  const ix = ox * stride - pad + j;
                  if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                  const wo = kk * O;
                  let s = 0;
                  for (let o = 0; o < O; o++) s += dpm[db + o]! * wbT[wo + o]!;
                  dx[xo + (c * inH + iy) * inW + ix]! += s;
                }
              }
            }
          }
        }
      }
    }
    addWeightGrad(gT, O, K, this.binary, this.w, this.alpha);
    return dx;
  }
}

/**
 * BatchNorm over channels: rows are [C][S] (S = spatial size, 1 for dense layers). Training uses
 * the batch statistics over all rows (all T*B sample-steps) and positions, and updates running
 * statistics (momentum 0.1, unbiased variance, as PyTorch); eval uses the running statistics.
 */
export class BatchNorm implements Layer {
  readonly gamma: Param;
  readonly beta: Param;
  readonly runMean: Float64Array;
  readonly runVar: Float64Array;
  readonly eps = 1e-5;
  momentum = 0.1;
  readonly inSize: number;
  readonly outSize: number;
  private xhat: Float32Array = new Float32Array(0);
  private invStd: Float64Array;
  private n = 0;
  constructor(
    name: string,
    readonly C: number,
    readonly S: number,
  ) {
    this.gamma = newParam(`${name}.gamma`, C);
    this.gamma.data.fill(1);
    this.beta = newParam(`${name}.beta`, C);
    this.runMean = new Float64Array(C);
    this.runVar = new Float64Array(C).fill(1);
    this.invStd = new Float64Array(C);
    this.inSize = C * S;
    this.outSize = C * S;
  }
  params(): Param[] {
    return [this.gamma, this.beta];
  }
  forward(x: Float32Array, n: number, train: boolean): { y: Float32Array; n: number } {
    const { C, S } = this;
    const y = new Float32Array(n * C * S);
    const cnt = n * S;
    if (!train) {
      for (let c = 0; c < C; c++) {
        const inv = 1 / Math.sqrt(this.runVar[c]! + this.eps);
        const g = this.gamma.data[c]!;
        const b = this.beta.data[c]!;
        const m = this.runMean[c]!;
        for (let r = 0; r < n; r++) {
          const o = (r * C + c) * S;
          for (let s = 0; s < S; s++) y[o + s] = g * (x[o + s]! - m) * inv + b;
        }
      }
      return { y, n };
    }
    const xhat = new Float32Array(n * C * S);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let r = 0; r < n; r++) {
        const o = (r * C + c) * S;
        for (let s = 0; s < S; s++) sum += x[o + s]!;
      }
      const mean = sum / cnt;
      let sq = 0;
      for (let r = 0; r < n; r++) {
        const o = (r * C + c) * S;
        for (let s = 0; s < S; s++) {
          const d = x[o + s]! - mean;
          sq += d * d;
        }
      }
      const v = sq / cnt;
      const inv = 1 / Math.sqrt(v + this.eps);
      this.invStd[c] = inv;
      const g = this.gamma.data[c]!;
      const b = this.beta.data[c]!;
      for (let r = 0; r < n; r++) {
        const o = (r * C + c) * S;
        for (let s = 0; s < S; s++) {
          const h = (x[o + s]! - mean) * inv;
          xhat[o + s] = h;
          y[o + s] = g * h + b;
        }
      }
      const mom = this.momentum;
      this.runMean[c] = (1 - mom) * this.runMean[c]! + mom * mean;
      this.runVar[c] = (1 - mom) * this.runVar[c]! + mom * (cnt > 1 ? (v * cnt) / (cnt - 1) : v);
    }
    this.xhat = xhat;
    this.n = n;
    return { y, n };
  }
  backward(dy: Float32Array): Float32Array {
    const { C, S } = this;
    const n = this.n;
    const cnt = n * S;
    const xhat = this.xhat;
    const dx = new Float32Array(n * C * S);
    for (let c = 0; c < C; c++) {
      let sdy = 0;
      let sdyx = 0;
      for (let r = 0; r < n; r++) {
        const o = (r * C + c) * S;
        for (let s = 0; s < S; s++) {
          sdy += dy[o + s]!;
          sdyx += dy[o + s]! * xhat[o + s]!;
        }
      }
      this.gamma.grad[c]! += sdyx;
      this.beta.grad[c]! += sdy;
      const k = (this.gamma.data[c]! * this.invStd[c]!) / cnt;
      for (let r = 0; r < n; r++) {
        const o = (r * C + c) * S;
        for (let s = 0; s < S; s++) dx[o + s] = k * (cnt * dy[o + s]! - sdy - xhat[o + s]! * sdyx);
      }
    }
    return dx;
  }
}

/** Logistic function. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Integrate-and-fire neurons over T steps (t-major rows), soft reset:
 *   u_t = v_{t-1} + x_t;  s_t = H(u_t - theta) (fire on u >= theta);  v_t = u_t - theta * s_t.
 * Surrogate gradient: ds/du = k * sig(k(u-theta)) * (1 - sig(k(u-theta))) (sigmoid derivative,
 * slope k). BPTT goes through the reset term too. If the input has B rows (a static input, the
 * same current every step) the output still has T*B rows and the gradient is summed over t.
 * `smooth` (tests only) replaces H by the sigmoid itself, so that the surrogate is the exact
 * derivative and finite differences can check the whole recurrence.
 */
export class IF implements Layer {
  readonly outSize: number;
  private u: Float32Array = new Float32Array(0);
  private s: Float32Array = new Float32Array(0);
  private B = 0;
  private staticIn = false;
  smooth = false;
  constructor(
    readonly inSize: number,
    readonly T: number,
    readonly theta = 1,
    readonly slope = 4,
  ) {
    this.outSize = inSize;
  }
  params(): Param[] {
    return [];
  }
  forward(x: Float32Array, n: number, train: boolean, staticInput = false): { y: Float32Array; n: number } {
    const T = this.T;
    const N = this.inSize;
    const B = staticInput ? n : n / T;
    const rows = B * N;
    const out = new Float32Array(T * rows);
    const u = new Float32Array(T * rows);
    const v = new Float32Array(rows);
    const th = this.theta;
    for (let t = 0; t < T; t++) {
      const xo = staticInput ? 0 : t * rows;
      const to = t * rows;
      for (let j = 0; j < rows; j++) {
        const uu = v[j]! + x[xo + j]!;
        u[to + j] = uu;
        const s = this.smooth ? sigmoid(this.slope * (uu - th)) : uu >= th ? 1 : 0;
        out[to + j] = s;
        v[j] = uu - th * s;
      }
    }
    if (train) {
      this.u = u;
      this.s = out;
      this.B = B;
      this.staticIn = staticInput;
    }
    return { y: out, n: T * B };
  }
  backward(dy: Float32Array): Float32Array {
    const T = this.T;
    const rows = this.B * this.inSize;
    const dx = new Float32Array(this.staticIn ? rows : T * rows);
    const dv = new Float32Array(rows);
    const th = this.theta;
    const k = this.slope;
    for (let t = T - 1; t >= 0; t--) {
      const to = t * rows;
      const xo = this.staticIn ? 0 : to;
      for (let j = 0; j < rows; j++) {
        const sg = sigmoid(k * (this.u[to + j]! - th));
        const ds = k * sg * (1 - sg);
        // v_t = u_t - th * s_t ; out_t = s_t
        const du = dv[j]! * (1 - th * ds) + dy[to + j]! * ds;
        dx[xo + j]! += du;
        dv[j] = du;
      }
    }
    return dx;
  }
  /** Spikes of the last training forward (T*B rows). */
  spikes(): Float32Array {
    return this.s;
  }
}

/** ReLU (the ANN teacher's activation). */
export class ReLU implements Layer {
  private x: Float32Array = new Float32Array(0);
  readonly outSize: number;
  constructor(readonly inSize: number) {
    this.outSize = inSize;
  }
  params(): Param[] {
    return [];
  }
  forward(x: Float32Array, n: number, train: boolean): { y: Float32Array; n: number } {
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i]! > 0 ? x[i]! : 0;
    if (train) this.x = x;
    return { y, n };
  }
  backward(dy: Float32Array): Float32Array {
    const dx = new Float32Array(dy.length);
    for (let i = 0; i < dy.length; i++) dx[i] = this.x[i]! > 0 ? dy[i]! : 0;
    return dx;
  }
}

/** Average pooling (mean of each window, zero padding counted), [C][H][W] rows. */
export class AvgPool implements Layer {
  readonly inSize: number;
  readonly outSize: number;
  readonly outH: number;
  readonly outW: number;
  private n = 0;
  constructor(
    readonly C: number,
    readonly H: number,
    readonly W: number,
    readonly k: number,
    readonly stride: number,
    readonly pad = 0,
  ) {
    this.outH = Math.floor((H + 2 * pad - k) / stride) + 1;
    this.outW = Math.floor((W + 2 * pad - k) / stride) + 1;
    this.inSize = C * H * W;
    this.outSize = C * this.outH * this.outW;
  }
  params(): Param[] {
    return [];
  }
  forward(x: Float32Array, n: number, train: boolean): { y: Float32Array; n: number } {
    const { C, H, W, k, stride, pad, outH, outW } = this;
    const y = new Float32Array(n * this.outSize);
    const inv = 1 / (k * k);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < C; c++) {
        const xo = r * this.inSize + c * H * W;
        const yo = r * this.outSize + c * outH * outW;
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            let s = 0;
            for (let i = 0; i < k; i++) {
              const iy = oy * stride - pad + i;
              if (iy < 0 || iy >= H) continue;
              for (let j = 0; j < k; j++) {
                const ix = ox * stride - pad + j;
                if (ix >= 0 && ix < W) s += x[xo + iy * W + ix]!;
              }
            }
            y[yo + oy * outW + ox] = s * inv;
          }
        }
      }
    }
    if (train) this.n = n;
    return { y, n };
  }
  backward(dy: Float32Array): Float32Array {
    const { C, H, W, k, stride, pad, outH, outW } = this;
    const n = this.n;
    const dx = new Float32Array(n * this.inSize);
    const inv = 1 / (k * k);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < C; c++) {
        const xo = r * this.inSize + c * H * W;
        const yo = r * this.outSize + c * outH * outW;
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            const g = dy[yo + oy * outW + ox]! * inv;
            for (let i = 0; i < k; i++) {
              const iy = oy * stride - pad + i;
              if (iy < 0 || iy >= H) continue;
              for (let j = 0; j < k; j++) {
                const ix = ox * stride - pad + j;
                if (ix >= 0 && ix < W) dx[xo + iy * W + ix]! += g;
              }
            }
          }
        }
      }
    }
    return dx;
  }
}
