/**
 * Test-local random IntModel generator (hand-built integer models: MLPs, convolutions with stride
 * and padding, identity and 1x1 shortcuts, recurrent edges, multibit input, multi-bit weights).
 */
import type { InputEncoding } from '../../../isa/container-types.js';
import type { IntLayer, IntModel, IntSynapse, IntWeights, WeightMode } from '../../../models/intmodel.js';
import { seededRandom } from '../../../base/random.js';

export type Rng = () => number;

/** The project's seeded PRNG (base/random.ts); seed 0 is taken as 1. */
export const rng = (seed: number): Rng => seededRandom(seed >>> 0 || 1);

export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function weights(r: Rng, count: number, mode: WeightMode, wq: number): IntWeights {
  const values = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    values[i] = mode === 'binary' ? (r() < 0.5 ? -1 : 1) : mode === 'uint' ? int(r, 0, 2 ** wq - 1) : int(r, -(2 ** (wq - 1)), 2 ** (wq - 1) - 1);
  }
  return { mode, wq, values };
}

function randomWeights(r: Rng, count: number, multibit: boolean): IntWeights {
  if (!multibit || r() < 0.6) return weights(r, count, 'binary', 1);
  const mode = pick(r, ['uint', 'sint'] as const);
  return weights(r, count, mode, int(r, 2, 3));
}

export function layer(r: Rng, name: string, kind: 'if' | 'readout', shape: number[], synapses: IntSynapse[], opts: { fancy?: boolean } = {}): IntLayer {
  const n = prod(shape);
  const theta = new Int32Array(n);
  const bias = new Int32Array(n);
  const vreset = new Int32Array(n);
  const g0 = new Int32Array(n);
  const g1 = new Int32Array(n);
  const leak = new Uint8Array(n);
  const flags = new Uint8Array(n);
  const g0v = pick(r, [1, 2, 4]);
  for (let j = 0; j < n; j++) {
    theta[j] = int(r, 1, 12) * g0v;
    bias[j] = int(r, -2, 3);
    g0[j] = g0v;
    g1[j] = int(r, 1, 3);
    if (opts.fancy) {
      vreset[j] = int(r, -3, 2);
      leak[j] = r() < 0.3 ? int(r, 1, 3) : 0;
      flags[j] = (r() < 0.3 ? 1 : 0) | (r() < 0.15 ? 2 : 0);
    }
  }
  return { name, kind, shape, theta, bias, vreset, g0, g1, leak, flags, fracBits: Math.log2(g0v), synapses };
}

export const dense = (r: Rng, source: string, inF: number, outF: number, mb: boolean, acc: 0 | 1 = 0, recurrent = false): IntSynapse => ({
  source,
  recurrent,
  acc,
  op: { kind: 'dense', inFeatures: inF, outFeatures: outF, weights: randomWeights(r, inF * outF, mb) },
});

export function conv(r: Rng, source: string, inShape: [number, number, number], cout: number, k: number, s: number, p: number, mb: boolean, acc: 0 | 1 = 0): IntSynapse {
  return {
    source,
    recurrent: false,
    acc,
    op: { kind: 'conv', inShape, outChannels: cout, kernel: [k, k], stride: [s, s], padding: [p, p], weights: randomWeights(r, cout * inShape[0] * k * k, mb) },
  };
}

const outDim = (n: number, k: number, s: number, p: number): number => Math.floor((n + 2 * p - k) / s) + 1;

export interface GenOpts {
  kind?: 'mlp' | 'conv';
  membraneBits?: number;
}

/** A random IntModel. */
export function randomIntModel(seed: number, o: GenOpts = {}): IntModel {
  const r = rng(seed);
  const kind = o.kind ?? (r() < 0.5 ? 'mlp' : 'conv');
  const T = r() < 0.2 ? int(r, 5, 8) : int(r, 1, 4);
  const enc: InputEncoding = r() < 0.7 ? { kind: 'binary', threshold: 0.5 } : { kind: 'multibit', bits: int(r, 2, 3) };
  const mbIn = enc.kind === 'multibit';
  const fancy = r() < 0.5;
  const mbW = r() < 0.4;
  const layers: IntLayer[] = [];
  let prev = 'in';
  let prevShape: number[];
  let inputShape: number[];
  if (kind === 'mlp') {
    inputShape = [int(r, 1, 140)];
    prevShape = inputShape;
    const depth = int(r, 1, 3);
    for (let d = 0; d < depth; d++) {
      const n = r() < 0.3 ? prevShape[0]! : int(r, 1, 130);
      const syn: IntSynapse[] = [dense(r, prev, prevShape[0]!, n, mbW)];
      if (n === prevShape[0] && prev !== 'in' && r() < 0.7) syn.push({ source: prev, recurrent: false, acc: 1, op: { kind: 'identity' } });
      if (r() < 0.3) syn.push(dense(r, `h${d}`, n, n, mbW, r() < 0.5 ? 0 : 1, true));
      if (d > 0 && r() < 0.3) syn.push(dense(r, 'in', inputShape[0]!, n, mbW, 1));
      layers.push(layer(r, `h${d}`, 'if', [n], syn, { fancy }));
      prev = `h${d}`;
      prevShape = [n];
    }
    if (layers.length > 1 && r() < 0.3) {
      // Feedback from the last hidden layer to the first one (next step).
      const fb = dense(r, prev, prevShape[0]!, layers[0]!.shape[0]!, mbW, 1, true);
      layers[0]!.synapses.push(fb);
    }
  } else {
    const C = pick(r, [1, 2, 3, 65]);
    const H = int(r, 3, 9);
    const W = int(r, 3, 9);
    inputShape = [C, H, W];
    prevShape = inputShape;
    const depth = int(r, 1, 3);
    for (let d = 0; d < depth; d++) {
      const [c0, h0, w0] = prevShape as [number, number, number];
      const k = int(r, 1, Math.min(3, h0, w0));
      const s = h0 > 4 && r() < 0.4 ? 2 : 1;
      const p = int(r, 0, k - 1);
      const cout = pick(r, [1, 2, 4, 8, 66]);
      const oh = outDim(h0, k, s, p);
      const ow = outDim(w0, k, s, p);
      const syn: IntSynapse[] = [conv(r, prev, [c0, h0, w0], cout, k, s, p, mbW || (prev === 'in' && mbIn))];
      if (prev !== 'in' && cout === c0 && oh === h0 && ow === w0 && r() < 0.7) syn.push({ source: prev, recurrent: false, acc: 1, op: { kind: 'identity' } });
      else if (prev !== 'in' && r() < 0.5 && outDim(h0, 1, s, 0) === oh && outDim(w0, 1, s, 0) === ow) syn.push(conv(r, prev, [c0, h0, w0], cout, 1, s, 0, false, 1));
      if (r() < 0.25) {
        // Recurrent convolution of the layer onto itself (3x3, same shape), delivered next step.
        const rc = conv(r, `c${d}`, [cout, oh, ow], cout, Math.min(3, oh, ow) >= 3 ? 3 : 1, 1, Math.min(3, oh, ow) >= 3 ? 1 : 0, mbW, r() < 0.5 ? 0 : 1);
        rc.recurrent = true;
        syn.push(rc);
      }
      layers.push(layer(r, `c${d}`, 'if', [cout, oh, ow], syn, { fancy }));
      prev = `c${d}`;
      prevShape = [cout, oh, ow];
    }
    if (r() < 0.4) {
      const n = int(r, 2, 40);
      layers.push(layer(r, 'fc', 'if', [n], [dense(r, prev, prod(prevShape), n, mbW)], { fancy }));
      prev = 'fc';
      prevShape = [n];
    }
  }
  const classes = int(r, 2, 10);
  const ro = layer(r, 'out', 'readout', [classes], [dense(r, prev, prod(prevShape), classes, mbW)]);
  ro.flags.fill(0);
  layers.push(ro);
  return {
    name: `rand${seed}`,
    timesteps: T,
    input: { name: 'in', shape: inputShape, encoding: enc },
    membraneBits: o.membraneBits ?? 16,
    layers,
    readout: 'out',
  };
}

/** A random input sample (pixels in [0, 1] or multibit integers), or explicit per-step values (spikes 0/1 or integers) when perStep. */
export function randomSample(m: IntModel, seed: number, perStep = false): Float32Array {
  const r = rng(seed ^ 0x9e3779b9);
  const n = prod(m.input.shape) * (perStep ? m.timesteps : 1);
  const x = new Float32Array(n);
  const e = m.input.encoding;
  for (let i = 0; i < n; i++) x[i] = e.kind === 'binary' ? (perStep ? (r() < 0.5 ? 1 : 0) : r()) : int(r, 0, 2 ** e.bits - 1);
  return x;
}
