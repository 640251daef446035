/** Adam with a cosine learning-rate schedule (no warm-up, decays from lr to 0 over the run). */
import type { Param } from './layers.js';

export class Adam {
  private m: Float32Array[];
  private v: Float32Array[];
  private t = 0;
  constructor(
    readonly params: Param[],
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    this.m = params.map((p) => new Float32Array(p.data.length));
    this.v = params.map((p) => new Float32Array(p.data.length));
  }
  step(lr: number): void {
    this.t++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (let pi = 0; pi < this.params.length; pi++) {
      const p = this.params[pi]!;
      const m = this.m[pi]!;
      const v = this.v[pi]!;
      const d = p.data;
      const g = p.grad;
      const clamp = p.clamp;
      for (let i = 0; i < d.length; i++) {
        const gi = g[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        let x = d[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + this.eps);
        if (clamp !== undefined) x = x > clamp ? clamp : x < -clamp ? -clamp : x;
        d[i] = x;
      }
    }
  }
}

/** Cosine schedule: lr * (1 + cos(pi * step / total)) / 2. */
export function cosineLr(lr: number, step: number, total: number): number {
  return (lr * (1 + Math.cos((Math.PI * Math.min(step, total)) / Math.max(1, total)))) / 2;
}
