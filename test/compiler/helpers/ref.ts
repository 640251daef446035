/**
 * Test-local stand-in of the integer reference executor (models/int-exec.ts is the real one; the
 * differential tests also run that when it is present). Straight from the semantics stated in
 * models/intmodel.ts, written for clarity, not speed.
 */
import { INT_HARD_RESET, INT_NO_MEMORY, type IntModel, type IntWeights } from '../../../models/intmodel.js';

export interface Ref {
  spikes: Record<string, Uint8Array>;
  readout: Int32Array;
  prediction: number;
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Encoded input value of element k at step t (spike 0/1 or the multibit integer). */
export function encodeInput(m: IntModel, input: Float32Array, t: number, k: number): number {
  const size = prod(m.input.shape);
  const x = input.length === size ? input[k]! : input[t * size + k]!;
  const e = m.input.encoding;
  if (e.kind === 'binary') return x >= e.threshold ? 1 : 0;
  return Math.max(0, Math.min(2 ** e.bits - 1, Math.round(x)));
}

export function wval(w: IntWeights, i: number): number {
  return w.values[i]!;
}

export function reference(m: IntModel, input: Float32Array): Ref {
  const T = m.timesteps;
  const lo = -(2 ** (m.membraneBits - 1));
  const hi = 2 ** (m.membraneBits - 1) - 1;
  const sat = (v: number): number => (v < lo ? lo : v > hi ? hi : v);
  const inSize = prod(m.input.shape);
  const state = new Map<string, { v: Float64Array; out: Float64Array; prev: Float64Array }>();
  for (const l of m.layers) {
    const n = prod(l.shape);
    state.set(l.name, { v: new Float64Array(n), out: new Float64Array(n), prev: new Float64Array(n) });
  }
  const spikes: Record<string, Uint8Array> = {};
  for (const l of m.layers) if (l.kind === 'if') spikes[l.name] = new Uint8Array(T * prod(l.shape));
  for (let t = 0; t < T; t++) {
    const x = new Float64Array(inSize);
    for (let k = 0; k < inSize; k++) x[k] = encodeInput(m, input, t, k);
    for (const l of m.layers) {
      const n = prod(l.shape);
      const acc = [new Float64Array(n), new Float64Array(n)];
      for (const s of l.synapses) {
        const src = s.source === m.input.name ? x : s.recurrent ? state.get(s.source)!.prev : state.get(s.source)!.out;
        const a = acc[s.acc]!;
        const op = s.op;
        if (op.kind === 'identity') for (let j = 0; j < n; j++) a[j] += src[j]!;
        else if (op.kind === 'dense') {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let i = 0; i < op.inFeatures; i++) if (src[i]) sum += op.weights.values[j * op.inFeatures + i]! * src[i]!;
            a[j] += sum;
          }
        } else {
          const [C, H, W] = op.inShape;
          const [kh, kw] = op.kernel;
          const [sh, sw] = op.stride;
          const [ph, pw] = op.padding;
          const [, OH, OW] = l.shape as [number, number, number];
          for (let o = 0; o < op.outChannels; o++)
            for (let y = 0; y < OH; y++)
              for (let xx = 0; xx < OW; xx++) {
                let sum = 0;
                for (let c = 0; c < C; c++)
                  for (let ky = 0; ky < kh; ky++)
                    for (let kx = 0; kx < kw; kx++) {
                      const iy = y * sh + ky - ph;
                      const ix = xx * sw + kx - pw;
                      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                      sum += op.weights.values[((o * C + c) * kh + ky) * kw + kx]! * src[c * H * W + iy * W + ix]!;
                    }
                a[o * OH * OW + y * OW + xx] += sum;
              }
        }
      }
      const st = state.get(l.name)!;
      for (let j = 0; j < n; j++) {
        let v = st.v[j]!;
        if (l.flags[j]! & INT_NO_MEMORY) v = 0;
        if (l.leak[j]! > 0) v = v - Math.floor(v / 2 ** l.leak[j]!);
        v = sat(v + acc[0]![j]! * l.g0[j]! + acc[1]![j]! * l.g1[j]! + l.bias[j]!);
        let s = 0;
        if (l.kind === 'if' && v >= l.theta[j]!) {
          s = 1;
          v = l.flags[j]! & INT_HARD_RESET ? l.vreset[j]! : sat(v - l.theta[j]!);
        }
        st.v[j] = v;
        st.out[j] = s;
        if (l.kind === 'if') spikes[l.name]![t * n + j] = s;
      }
    }
    for (const st of state.values()) st.prev.set(st.out);
  }
  const rv = state.get(m.readout)!.v;
  const readout = Int32Array.from(rv);
  let best = 0;
  for (let i = 1; i < readout.length; i++) if (readout[i]! > readout[best]!) best = i;
  return { spikes, readout, prediction: best };
}
