/**
 * Losses on logits [B][K]: cross-entropy, and the knowledge-distillation loss of the SEI recipe
 *   L = (1 - lambda) * CE(z, y) + lambda * tau^2 * KL(softmax(t/tau) || softmax(z/tau)),
 * averaged over the batch. Returns the loss and dL/dz.
 */
function softmaxRow(z: Float32Array, off: number, K: number, tau: number, out: Float64Array): void {
  let m = -Infinity;
  for (let k = 0; k < K; k++) m = Math.max(m, z[off + k]! / tau);
  let s = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(z[off + k]! / tau - m);
    out[k] = e;
    s += e;
  }
  for (let k = 0; k < K; k++) out[k]! /= s;
}

export interface LossResult {
  loss: number;
  grad: Float32Array;
  correct: number;
}

export function argmaxRow(z: Float32Array | Float64Array, off: number, K: number): number {
  let best = 0;
  for (let k = 1; k < K; k++) if (z[off + k]! > z[off + best]!) best = k;
  return best;
}

export function kdLoss(
  z: Float32Array,
  labels: ArrayLike<number>,
  B: number,
  K: number,
  teacher: Float32Array | null,
  lambda: number,
  tau: number,
): LossResult {
  const grad = new Float32Array(B * K);
  const p = new Float64Array(K);
  const ps = new Float64Array(K);
  const pt = new Float64Array(K);
  let loss = 0;
  let correct = 0;
  const wCe = teacher ? 1 - lambda : 1;
  for (let b = 0; b < B; b++) {
    const off = b * K;
    const y = labels[b]!;
    if (argmaxRow(z, off, K) === y) correct++;
    softmaxRow(z, off, K, 1, p);
    loss += -wCe * Math.log(Math.max(p[y]!, 1e-30));
    for (let k = 0; k < K; k++) grad[off + k] = (wCe * (p[k]! - (k === y ? 1 : 0))) / B;
    if (teacher && lambda > 0) {
      softmaxRow(z, off, K, tau, ps);
      softmaxRow(teacher, off, K, tau, pt);
      let kl = 0;
      for (let k = 0; k < K; k++) if (pt[k]! > 0) kl += pt[k]! * (Math.log(pt[k]!) - Math.log(Math.max(ps[k]!, 1e-30)));
      loss += lambda * tau * tau * kl;
      for (let k = 0; k < K; k++) grad[off + k]! += (lambda * tau * (ps[k]! - pt[k]!)) / B;
    }
  }
  return { loss: loss / B, grad, correct };
}
