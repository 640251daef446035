/**
 * A seeded generator of small random valid (and foldable) graphs for differential tests: MLPs,
 * conv nets with sum/max pooling, SEI shortcuts (a binary conv branch plus the identity), and
 * recurrent layers; binary weights, BatchNorm with possibly negative gamma, random thresholds,
 * IF/LIF neurons with soft/hard reset, T in 1..4. The same seed always gives the same graph.
 * Test support (tests and benches import it; no library index exports it).
 */
import type {
  BatchNormNode,
  BiasNode,
  BinaryConv2dNode,
  BinaryLinearNode,
  Graph,
  GraphNode,
  IFNode,
  InputEncoding,
  IntConv2dNode,
  IntLinearNode,
  LIFNode,
} from '../models/graph.js';
import { seededRandom } from '../base/random.js';

export type RandomGraphKind = 'mlp' | 'conv' | 'shortcut' | 'recurrent';

export interface RandomGraphOptions {
  /** Structure; picked from the seed when omitted. */
  kind?: RandomGraphKind;
  /** Time steps; 1..4 from the seed when omitted. */
  timesteps?: number;
  /** Input encoding; binary (threshold 0.5) or multibit:2 from the seed when omitted. */
  encoding?: InputEncoding;
  /**
   * Dyadic parameters: scales are powers of two and thresholds, biases and resets multiples of 1/8,
   * neurons are IF with 'ge' (or hard reset), so that folding rounds nothing and the float and
   * integer executors must agree exactly (given enough membrane bits).
   */
  dyadic?: boolean;
}


class Gen {
  readonly rnd: () => number;
  readonly nodes: GraphNode[] = [];
  private counter = 0;
  constructor(
    seed: number,
    readonly dyadic = false,
  ) {
    this.rnd = seededRandom(seed);
  }
  /** A positive scale: uniform in [lo, hi], or a power of two 2^-k (k 0..3) when dyadic. */
  scales(n: number, lo: number, hi: number): Float64Array {
    if (!this.dyadic) return this.reals(n, lo, hi);
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = 2 ** -this.int(0, 3);
    return a;
  }
  /** Reals in [lo, hi], multiples of 1/8 when dyadic. */
  levels(n: number, lo: number, hi: number): Float64Array {
    const a = this.reals(n, lo, hi);
    if (this.dyadic) for (let i = 0; i < n; i++) a[i] = Math.round(a[i]! * 8) / 8;
    return a;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }
  real(lo: number, hi: number): number {
    return lo + this.rnd() * (hi - lo);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  name(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }
  bits(count: number): Uint8Array {
    const b = new Uint8Array(Math.ceil(count / 8));
    for (let i = 0; i < b.length; i++) b[i] = this.int(0, 255);
    const extra = b.length * 8 - count;
    if (extra > 0) b[b.length - 1]! &= 0xff >> extra;
    return b;
  }
  reals(n: number, lo: number, hi: number): Float64Array {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = this.real(lo, hi);
    return a;
  }
  push<N extends GraphNode>(n: N): string {
    this.nodes.push(n);
    return n.name;
  }
  linear(input: string, inF: number, outF: number): string {
    const n: BinaryLinearNode = {
      op: 'binary_linear', name: this.name('fc'), input, inFeatures: inF, outFeatures: outF,
      weightBits: this.bits(inF * outF), alpha: this.scales(outF, 0.05, 1),
    };
    return this.push(n);
  }
  conv(input: string, cin: number, cout: number, k: number, s: number, p: number): string {
    const n: BinaryConv2dNode = {
      op: 'binary_conv2d', name: this.name('conv'), input, inChannels: cin, outChannels: cout,
      kernel: [k, k], stride: [s, s], padding: [p, p], weightBits: this.bits(cout * cin * k * k), alpha: this.scales(cout, 0.05, 1),
    };
    return this.push(n);
  }
  bn(input: string, c: number): string {
    const gamma = this.scales(c, 0.3, 1.5);
    for (let i = 0; i < c; i++) if (this.rnd() < 0.25) gamma[i] = -gamma[i]!;
    const n: BatchNormNode = {
      op: 'batchnorm', name: this.name('bn'), input, gamma, beta: this.levels(c, -0.5, 0.5),
      mean: this.levels(c, -1, 1), var: this.dyadic ? new Float64Array(c).fill(1) : this.reals(c, 0.2, 2), eps: this.dyadic ? 0 : 1e-5,
    };
    return this.push(n);
  }
  neuron(input: string, size: number): string {
    const shared = this.rnd() < 0.5;
    const threshold = this.levels(shared ? 1 : size, 0.3, 2);
    const hard = this.rnd() < 0.3;
    const fireOn = this.pick(['gt', 'ge'] as const);
    const base = {
      input, threshold, vReset: hard ? this.levels(1, -0.2, 0.2) : new Float64Array([0]),
      reset: hard ? ('hard' as const) : ('soft' as const), fireOn: this.dyadic && !hard ? ('ge' as const) : fireOn,
    };
    if (this.rnd() < 0.3 && !this.dyadic) {
      const n: LIFNode = { op: 'lif', name: this.name('lif'), leak: this.int(1, 4), ...base };
      return this.push(n);
    }
    const n: IFNode = { op: 'if', name: this.name('if'), ...base };
    return this.push(n);
  }
}

/** A random valid graph; deterministic in `seed`. */
export function randomGraph(seed: number, opts: RandomGraphOptions = {}): Graph {
  const g = new Gen(seed, opts.dyadic ?? false);
  const kind = opts.kind ?? g.pick(['mlp', 'conv', 'shortcut', 'recurrent'] as const);
  const timesteps = opts.timesteps ?? g.int(1, 4);
  const encoding: InputEncoding = opts.encoding ?? (g.rnd() < 0.75 ? { kind: 'binary', threshold: 0.5 } : { kind: 'multibit', bits: 2 });
  const classes = g.int(2, 5);
  let cur: string;
  let shape: number[];
  if (kind === 'mlp' || kind === 'recurrent') {
    const inF = g.int(3, 24);
    const useImage = g.rnd() < 0.3;
    shape = useImage ? [1, 2, Math.max(2, Math.round(inF / 2))] : [inF];
    cur = g.push({ op: 'input', name: 'in', shape, encoding });
    if (useImage) cur = g.push({ op: 'flatten', name: g.name('flat'), input: cur });
    let width = shape.reduce((a, b) => a * b, 1);
    const layers = g.int(1, 2);
    for (let l = 0; l < layers; l++) {
      const h = g.int(2, 16);
      let x = g.linear(cur, width, h);
      if (g.rnd() < 0.8) x = g.bn(x, h);
      if (kind === 'recurrent' && l === 0) {
        // add(bn(fc(x)), fc_rec(self)) -> neuron; fc_rec reads the neuron's previous spikes.
        const neuronName = `rec${l}`;
        const rec = g.push<BinaryLinearNode>({
          op: 'binary_linear', name: g.name('fcrec'), input: neuronName, inFeatures: h, outFeatures: h,
          weightBits: g.bits(h * h), alpha: g.scales(h, 0.05, 0.5),
        });
        const sum = g.push({ op: 'add', name: g.name('add'), inputs: [x, rec] });
        cur = g.push<IFNode>({
          op: 'if', name: neuronName, input: sum, threshold: g.levels(1, 0.5, 2), vReset: new Float64Array([0]),
          reset: 'soft', fireOn: g.dyadic ? 'ge' : g.pick(['gt', 'ge'] as const),
        });
      } else {
        cur = g.neuron(x, h);
      }
      width = h;
    }
    const out = g.linear(cur, width, classes);
    g.push({ op: 'readout', name: 'out', input: out, leak: g.rnd() < 0.2 && !g.dyadic ? g.int(1, 3) : 0 });
  } else {
    let C = g.int(1, 2);
    let H = g.int(4, 7);
    let W = g.int(4, 7);
    shape = [C, H, W];
    cur = g.push({ op: 'input', name: 'in', shape, encoding });
    // First conv: 3x3, padding 1 or 0.
    const cout = g.int(2, 4);
    const p = g.int(0, 1);
    let x = g.conv(cur, C, cout, 3, 1, p);
    H = H + 2 * p - 2;
    W = W + 2 * p - 2;
    C = cout;
    x = g.bn(x, C);
    cur = g.neuron(x, C * H * W);
    if (kind === 'shortcut') {
      // SEI block: neuron(add(bn(conv(s)), s)) with a same-shape 3x3 conv (padding 1).
      let y = g.conv(cur, C, C, 3, 1, 1);
      y = g.bn(y, C);
      const sum = g.push({ op: 'add', name: g.name('add'), inputs: [y, cur] });
      cur = g.neuron(sum, C * H * W);
    }
    const pool = g.pick(['none', 'sumpool', 'maxpool'] as const);
    if (pool !== 'none' && H >= 2 && W >= 2) {
      cur = g.push({ op: pool, name: g.name(pool), input: cur, kernel: [2, 2], stride: [2, 2], padding: [0, 0] });
      H = Math.floor((H - 2) / 2) + 1;
      W = Math.floor((W - 2) / 2) + 1;
    }
    const flat = g.push({ op: 'flatten', name: g.name('flat'), input: cur });
    const out = g.linear(flat, C * H * W, classes);
    g.push({ op: 'readout', name: 'out', input: out, leak: 0 });
  }
  return { name: `random-${kind}-${seed}`, timesteps, nodes: g.nodes };
}

/** A random input sample for `g` (flat, C-order): pixels in [0,1] for binary, integers for multibit. */
export function randomInput(g: Graph, seed: number): Float32Array {
  const inp = g.nodes.find((n) => n.op === 'input');
  if (!inp || inp.op !== 'input') throw new Error('graph has no input node');
  const rnd = seededRandom(seed ^ 0x9e3779b9);
  const size = inp.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(size);
  const enc = inp.encoding;
  for (let i = 0; i < size; i++) x[i] = enc.kind === 'binary' ? rnd() : Math.floor(rnd() * 2 ** enc.bits);
  return x;
}

export interface DeepDyadicOptions {
  /** Residual blocks after the first layer (each adds one neuron layer); default 10..12 from the seed. */
  blocks?: number;
  /** Time steps; 2..4 from the seed when omitted. */
  timesteps?: number;
  /** Input pixel bits (multibit encoding); default 8. */
  inputBits?: number;
}

/**
 * A deep residual BWSNN whose every parameter is dyadic, as a framework would train it: a float
 * first conv (7-bit integer weights q with a per-row scale 2^-e) on integer pixels (multibit), then
 * blocks of binary 3x3 convs (per-row scales +-2^-k, negative ones included) with either the
 * identity shortcut or a binary 1x1 stride-2 convolution with its own per-row scale into the same
 * neuron, biases on a 2^-8 grid, IF neurons with NIR's strict `v > threshold` (soft or hard reset)
 * or `>=`, a 4x4 sum pool and a float classifier (7-bit q * 2^-e) with a bias into the readout.
 * Every value the float executor computes is exact, so a fold that rounds nothing must reproduce it
 * bit for bit.
 */
export function deepDyadicGraph(seed: number, opts: DeepDyadicOptions = {}): Graph {
  const g = new Gen(seed, true);
  const T = opts.timesteps ?? g.int(2, 4);
  const bits = opts.inputBits ?? 8;
  const blocks = opts.blocks ?? g.int(10, 12);
  const grid = (n: number, lo: number, hi: number, step: number): Float64Array => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.round(g.real(lo, hi) / step) * step;
    return a;
  };
  const pow2 = (n: number, kmin: number, kmax: number, negative: number): Float64Array => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = (g.rnd() < negative ? -1 : 1) * 2 ** -g.int(kmin, kmax);
    return a;
  };
  const q7 = (n: number): Int32Array => {
    const w = new Int32Array(n);
    for (let i = 0; i < n; i++) w[i] = g.int(-64, 63);
    return w;
  };
  const neuron = (input: string, size: number, gain: number): string => {
    const hard = g.rnd() < 0.3;
    const shared = g.rnd() < 0.5;
    const n: IFNode = {
      op: 'if', name: g.name('if'), input,
      threshold: grid(shared ? 1 : size, 0.25 * gain, 2 * gain, 2 ** -8),
      vReset: hard ? grid(1, -0.25, 0.25, 2 ** -8) : new Float64Array([0]),
      reset: hard ? 'hard' : 'soft', fireOn: g.rnd() < 0.75 ? 'gt' : 'ge',
    };
    return g.push(n);
  };
  const H0 = 16;
  let C = g.int(2, 4);
  let H = H0;
  const inC = g.int(1, 2);
  let cur = g.push({ op: 'input', name: 'in', shape: [inC, H0, H0], encoding: { kind: 'multibit', bits } });
  // Float first layer: q * 2^-e with e chosen so that a 3x3 window of full-scale pixels is O(1..10).
  const first: IntConv2dNode = {
    op: 'conv2d', name: g.name('conv'), input: cur, inChannels: inC, outChannels: C, kernel: [3, 3], stride: [1, 1], padding: [1, 1],
    bits: 7, weight: q7(C * inC * 9), scale: pow2(C, bits + 3, bits + 5, 0),
  };
  cur = g.push(first);
  cur = g.push<BiasNode>({ op: 'bias', name: g.name('bias'), input: cur, bias: grid(C, -0.5, 0.5, 2 ** -8) });
  cur = neuron(cur, C * H * H, 1);
  let downs = 0;
  for (let b = 0; b < blocks; b++) {
    const down = H > 4 && downs < 2 && (b === Math.floor(blocks / 3) || b === Math.floor((2 * blocks) / 3));
    const cout = down ? C + g.int(1, 2) : C;
    const s = down ? 2 : 1;
    const main = g.push<BinaryConv2dNode>({
      op: 'binary_conv2d', name: g.name('conv'), input: cur, inChannels: C, outChannels: cout,
      kernel: [3, 3], stride: [s, s], padding: [1, 1], weightBits: g.bits(cout * C * 9), alpha: pow2(cout, 2, 5, 0.25),
    });
    let short: string;
    if (down) {
      short = g.push<BinaryConv2dNode>({
        op: 'binary_conv2d', name: g.name('conv'), input: cur, inChannels: C, outChannels: cout,
        kernel: [1, 1], stride: [2, 2], padding: [0, 0], weightBits: g.bits(cout * C), alpha: pow2(cout, 1, 4, 0.25),
      });
      H = Math.floor((H - 1) / 2) + 1;
      downs++;
    } else {
      short = cur;
    }
    const sum = g.push({ op: 'add', name: g.name('add'), inputs: [main, short] });
    const biased = g.push<BiasNode>({ op: 'bias', name: g.name('bias'), input: sum, bias: grid(cout, -0.25, 0.25, 2 ** -8) });
    C = cout;
    cur = neuron(biased, C * H * H, 1);
  }
  const P = Math.min(4, H);
  cur = g.push({ op: 'sumpool', name: g.name('sumpool'), input: cur, kernel: [P, P], stride: [P, P], padding: [0, 0] });
  const Hp = Math.floor((H - P) / P) + 1;
  cur = g.push({ op: 'flatten', name: g.name('flat'), input: cur });
  const classes = g.int(3, 6);
  const inF = C * Hp * Hp;
  const fc: IntLinearNode = {
    op: 'linear', name: g.name('fc'), input: cur, inFeatures: inF, outFeatures: classes, bits: 7, weight: q7(classes * inF), scale: pow2(classes, 6, 9, 0),
  };
  cur = g.push(fc);
  cur = g.push<BiasNode>({ op: 'bias', name: g.name('bias'), input: cur, bias: grid(classes, -0.5, 0.5, 2 ** -8) });
  g.push({ op: 'readout', name: 'out', input: cur, leak: 0 });
  return { name: `deep-dyadic-${seed}`, timesteps: T, nodes: g.nodes };
}
