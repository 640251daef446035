/**
 * Gradient checks of the trainer: the analytic backward of every layer against central finite
 * differences on small random cases, plus hand-computed values for the STE binarization.
 */
import { describe, expect, it } from 'vitest';
import { ARCHS, type ArchSpec } from '../../models/train/archs.js';
import { AvgPool, BatchNorm, Conv2d, IF, Linear, binarize, binarizeBackward } from '../../models/train/layers.js';
import { kdLoss } from '../../models/train/loss.js';
import { Net } from '../../models/train/net.js';
import { Rng } from '../../models/train/rng.js';

function randArr(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-scale, scale);
  return a;
}

/** Weighted sum of the output: L = sum c_i y_i (so dL/dy = c). */
function dot(y: Float32Array, c: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]! * c[i]!;
  return s;
}

/** Compare analytic[i] with (f(x+eps) - f(x-eps)) / 2eps for every index of `x`. */
function fdCheck(f: () => number, x: Float32Array, analytic: Float32Array, eps = 1e-2, tol = 2e-3): number {
  let maxErr = 0;
  for (let i = 0; i < x.length; i++) {
    const old = x[i]!;
    x[i] = old + eps;
    const lp = f();
    x[i] = old - eps;
    const lm = f();
    x[i] = old;
    const num = (lp - lm) / (2 * eps);
    const err = Math.abs(num - analytic[i]!) / Math.max(1, Math.abs(num));
    maxErr = Math.max(maxErr, err);
    expect(err, `index ${i}: numeric ${num} analytic ${analytic[i]}`).toBeLessThan(tol);
  }
  return maxErr;
}

describe('layer gradients match finite differences', () => {
  it('linear (float weights): dx and dW', () => {
    const rng = new Rng(1);
    const lin = new Linear('l', 5, 4, false, rng);
    const n = 3;
    const x = randArr(rng, n * 5);
    const c = randArr(rng, n * 4);
    const f = () => dot(lin.forward(x, n, true).y, c);
    f();
    lin.w.grad.fill(0);
    const dx = lin.backward(c)!;
    const gw = lin.w.grad.slice();
    fdCheck(f, x, dx);
    fdCheck(f, lin.w.data, gw);
  });

  it('conv2d (float weights, stride 2, padding 1): dx and dW', () => {
    const rng = new Rng(2);
    const conv = new Conv2d('c', { inC: 2, inH: 5, inW: 5, outC: 3, k: 3, stride: 2, pad: 1 }, false, rng);
    expect([conv.outH, conv.outW]).toEqual([3, 3]);
    const n = 2;
    const x = randArr(rng, n * conv.inSize);
    const c = randArr(rng, n * conv.outSize);
    const f = () => dot(conv.forward(x, n, true).y, c);
    f();
    conv.w.grad.fill(0);
    const dx = conv.backward(c)!;
    const gw = conv.w.grad.slice();
    fdCheck(f, x, dx);
    fdCheck(f, conv.w.data, gw);
  });

  it('conv2d forward equals a direct hand loop', () => {
    const rng = new Rng(3);
    const conv = new Conv2d('c', { inC: 2, inH: 4, inW: 5, outC: 2, k: 3, stride: 1, pad: 1 }, false, rng);
    const x = randArr(rng, conv.inSize);
    const y = conv.forward(x, 1, false).y;
    const w = conv.w.data;
    for (let o = 0; o < 2; o++)
      for (let oy = 0; oy < 4; oy++)
        for (let ox = 0; ox < 5; ox++) {
          let s = 0;
          for (let ci = 0; ci < 2; ci++)
            for (let i = 0; i < 3; i++)
              for (let j = 0; j < 3; j++) {
                const iy = oy - 1 + i;
                const ix = ox - 1 + j;
                if (iy >= 0 && iy < 4 && ix >= 0 && ix < 5) s += w[((o * 2 + ci) * 3 + i) * 3 + j]! * x[(ci * 4 + iy) * 5 + ix]!;
              }
          expect(y[(o * 4 + oy) * 5 + ox]).toBeCloseTo(s, 5);
        }
  });

  it('batchnorm (batch statistics): dx, dgamma, dbeta', () => {
    const rng = new Rng(4);
    const bn = new BatchNorm('bn', 3, 4);
    for (let i = 0; i < 3; i++) {
      bn.gamma.data[i] = rng.uniform(0.5, 1.5);
      bn.beta.data[i] = rng.uniform(-0.5, 0.5);
    }
    const n = 5;
    const x = randArr(rng, n * 12, 2);
    const c = randArr(rng, n * 12);
    const f = () => dot(bn.forward(x, n, true).y, c);
    f();
    bn.gamma.grad.fill(0);
    bn.beta.grad.fill(0);
    const dx = bn.backward(c);
    const gg = bn.gamma.grad.slice();
    const gb = bn.beta.grad.slice();
    fdCheck(f, x, dx, 1e-2, 5e-3);
    fdCheck(f, bn.gamma.data, gg);
    fdCheck(f, bn.beta.data, gb);
  });

  it('batchnorm eval uses the running statistics', () => {
    const bn = new BatchNorm('bn', 1, 1);
    bn.runMean[0] = 2;
    bn.runVar[0] = 4 - bn.eps;
    bn.gamma.data[0] = 3;
    bn.beta.data[0] = 1;
    expect(Array.from(bn.forward(Float32Array.of(6, 0), 2, false).y)).toEqual([7, -2]);
  });

  for (const staticIn of [false, true]) {
    it(`IF through T=3 steps with the surrogate (smooth spike), soft reset, ${staticIn ? 'static' : 'per-step'} input`, () => {
      const rng = new Rng(5);
      const T = 3;
      const B = 2;
      const N = 4;
      const lif = new IF(N, T, 1, 4);
      lif.smooth = true;
      const rows = staticIn ? B : T * B;
      const x = randArr(rng, rows * N, 1.5);
      const c = randArr(rng, T * B * N);
      const f = () => dot(lif.forward(x, rows, true, staticIn).y, c);
      f();
      const dx = lif.backward(c);
      fdCheck(f, x, dx, 1e-3, 2e-3);
    });
  }

  it('IF hard step: hand-computed spike train with soft reset and fire on >=', () => {
    const lif = new IF(1, 4, 1, 4);
    // inputs 0.6 per step: v = 0.6, 1.2 -> spike (v 0.2), 0.8, 1.4 -> spike
    const y = lif.forward(Float32Array.of(0.6, 0.6, 0.6, 0.6), 4, false).y;
    expect(Array.from(y)).toEqual([0, 1, 0, 1]);
    // exactly theta fires ('ge'): 1 per step fires every step; 0.5 static fires every second step
    expect(Array.from(lif.forward(Float32Array.of(1), 1, false, true).y)).toEqual([1, 1, 1, 1]);
    expect(Array.from(lif.forward(Float32Array.of(0.5), 1, false, true).y)).toEqual([0, 1, 0, 1]);
  });

  it('average pooling: dx', () => {
    const rng = new Rng(6);
    const pool = new AvgPool(2, 4, 4, 2, 2);
    const n = 2;
    const x = randArr(rng, n * pool.inSize);
    const c = randArr(rng, n * pool.outSize);
    const f = () => dot(pool.forward(x, n, true).y, c);
    f();
    fdCheck(f, x, pool.backward(c));
    expect(pool.forward(Float32Array.from({ length: 32 }, (_, i) => i), 1, false).y[0]).toBeCloseTo((0 + 1 + 4 + 5) / 4, 6);
  });

  it('KD loss: gradient, and hand values', () => {
    const rng = new Rng(7);
    const B = 3;
    const K = 4;
    const z = randArr(rng, B * K, 2);
    const t = randArr(rng, B * K, 2);
    const labels = [0, 3, 1];
    for (const [lambda, tau] of [
      [0, 1],
      [0.5, 4],
      [1, 2],
    ] as const) {
      const r = kdLoss(z, labels, B, K, t, lambda, tau);
      fdCheck(() => kdLoss(z, labels, B, K, t, lambda, tau).loss, z, r.grad, 1e-3);
    }
    // CE of uniform logits is log K
    expect(kdLoss(new Float32Array(K), [2], 1, K, null, 0, 1).loss).toBeCloseTo(Math.log(K), 10);
    // teacher == student, lambda = 1: zero loss, zero gradient
    const same = kdLoss(z, labels, B, K, z, 1, 3);
    expect(same.loss).toBeCloseTo(0, 10);
    for (const g of same.grad) expect(Math.abs(g)).toBeLessThan(1e-7);
  });
});

describe('binary weights with the straight-through estimator', () => {
  it('forward: sign(W) * mean|W| per output', () => {
    const w = Float32Array.of(0.5, -1.5, 0, -0.25);
    const wb = new Float32Array(4);
    const alpha = new Float32Array(2);
    binarize(w, 2, 2, wb, alpha);
    expect(Array.from(alpha)).toEqual([1, 0.125]);
    expect(Array.from(wb)).toEqual([1, -1, 0.125, -0.125]);
  });

  it('backward: hand-computed clipped STE plus the alpha path', () => {
    // W = [0.5, -1.5], alpha = 1, g = [1, 2]: c = (1*1 + 2*(-1)) / 2 = -0.5
    // dW0 = 1*1*1 + (+1)(-0.5) = 0.5 ; dW1 = 0 (|w| > 1 clipped) + (-1)(-0.5) = 0.5
    const w = Float32Array.of(0.5, -1.5);
    const alpha = Float32Array.of(1);
    const gW = new Float32Array(2);
    binarizeBackward(w, 1, 2, alpha, Float32Array.of(1, 2), gW);
    expect(Array.from(gW)).toEqual([0.5, 0.5]);
  });

  it('backward: the alpha path matches finite differences (signs fixed), the rest is the STE term', () => {
    const rng = new Rng(8);
    const rows = 3;
    const cols = 5;
    const w = randArr(rng, rows * cols, 1.4);
    for (let i = 0; i < w.length; i++) if (Math.abs(w[i]!) < 0.05) w[i] = 0.3; // away from sign flips
    const g = randArr(rng, rows * cols);
    const wb = new Float32Array(rows * cols);
    const alpha = new Float32Array(rows);
    const f = () => {
      binarize(w, rows, cols, wb, alpha);
      return dot(wb, g);
    };
    f();
    const gW = new Float32Array(rows * cols);
    binarizeBackward(w, rows, cols, alpha, g, gW);
    const alphaPath = new Float32Array(rows * cols);
    for (let o = 0; o < rows; o++)
      for (let k = 0; k < cols; k++) {
        const i = o * cols + k;
        alphaPath[i] = gW[i]! - (Math.abs(w[i]!) <= 1 ? g[i]! * alpha[o]! : 0);
      }
    fdCheck(f, w, alphaPath, 1e-3);
  });
});

describe('whole networks: BPTT with shortcuts, BN, readout mean over T, KD', () => {
  const tiny: ArchSpec = {
    name: 'tiny',
    dataset: 'mnist',
    encoding: { kind: 'multibit', bits: 4 },
    inputShape: [1, 4, 4],
    timesteps: 3,
    classes: 3,
    description: 'test',
    stages: [
      { kind: 'conv', name: 'c1', out: 2, k: 3, stride: 1, pad: 1 },
      { kind: 'conv', name: 'c2', out: 2, k: 3, stride: 1, pad: 1 },
      { kind: 'avgpool', name: 'p', k: 2, stride: 2 },
      { kind: 'flatten', name: 'f' },
      { kind: 'linear', name: 'h', out: 8 },
      { kind: 'linear', name: 'h2', out: 8 },
      { kind: 'linear', name: 'out', out: 3 },
    ],
  };
  for (const mode of ['snn', 'ann'] as const) {
    it(`${mode}: every parameter gradient matches finite differences`, () => {
      const net = new Net(tiny, { mode, timesteps: 3, shortcuts: true, seed: 3, binary: false, smooth: true, slope: 2 });
      const shortcuts = net.stages.filter((s) => s.kind === 'block' && s.shortcut).map((s) => s.name);
      expect(shortcuts).toEqual(['c2', 'h2']);
      const rng = new Rng(9);
      const B = 4;
      const x = randArr(rng, B * 16, 1).map(Math.abs);
      const labels = [0, 1, 2, 1];
      const teacher = randArr(rng, B * 3, 2);
      const f = () => kdLoss(net.forward(x, B, true), labels, B, 3, teacher, 0.5, 2).loss;
      net.zeroGrad();
      const r = kdLoss(net.forward(x, B, true), labels, B, 3, teacher, 0.5, 2);
      net.backward(r.grad);
      for (const p of net.params()) fdCheck(f, p.data, p.grad.slice(), 1e-3, 5e-3);
    });
  }

  it('the zoo architectures build with the documented shortcuts', () => {
    const mlp = new Net(ARCHS['mnist-mlp']!, { mode: 'snn', timesteps: 2, shortcuts: true, seed: 1 });
    expect(mlp.stages.filter((s) => s.kind === 'block' && s.shortcut).map((s) => s.name)).toEqual(['fc2', 'fc3']);
    const conv = new Net(ARCHS['fashion-conv']!, { mode: 'snn', timesteps: 2, shortcuts: true, seed: 1 });
    expect(conv.stages.filter((s) => s.kind === 'block' && s.shortcut).map((s) => s.name)).toEqual(['conv3']);
    const none = new Net(ARCHS['fashion-conv']!, { mode: 'snn', timesteps: 2, shortcuts: false, seed: 1 });
    expect(none.stages.some((s) => s.kind === 'block' && s.shortcut)).toBe(false);
  });
});
