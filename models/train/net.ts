/**
 * A trainable network built from an ArchSpec: the BWSNN student (binary weights, BatchNorm, IF
 * neurons over T steps, optional identity shortcuts) or its full-precision ANN teacher (float
 * weights, BatchNorm, ReLU, one step, the same shortcuts), and its export to the Graph IR.
 */
import type { Graph, GraphNode } from '../graph.js';
import type { ArchSpec } from './archs.js';
import { AvgPool, BatchNorm, Conv2d, IF, Linear, ReLU, type Param } from './layers.js';
import { Rng } from './rng.js';

export type NetMode = 'snn' | 'ann';

export interface NetOptions {
  mode: NetMode;
  timesteps: number;
  shortcuts: boolean;
  seed: number;
  /** Surrogate slope k of the IF neurons. */
  slope?: number;
  /** IF threshold (1 by default; BatchNorm learns the scale). */
  theta?: number;
  /** Override: binary weights (default: true for 'snn', false for 'ann'). Tests use false. */
  binary?: boolean;
  /** Tests only: IF neurons emit sigmoid(k(u - theta)) instead of a step (see IF.smooth). */
  smooth?: boolean;
}

interface BlockStage {
  kind: 'block';
  name: string;
  syn: Linear | Conv2d;
  bn: BatchNorm;
  act: IF | ReLU;
  shortcut: boolean;
  outShape: number[];
  // training state
  staticIn: boolean;
}
interface PassStage {
  kind: 'flatten';
  name: string;
  outShape: number[];
}
interface PoolStage {
  kind: 'avgpool';
  name: string;
  pool: AvgPool;
  outShape: number[];
}
interface ReadoutStage {
  kind: 'readout';
  name: string;
  syn: Linear;
  bn: BatchNorm;
  outShape: number[];
  rowsIn: number;
  B: number;
}
type Stage = BlockStage | PassStage | PoolStage | ReadoutStage;

export class Net {
  readonly stages: Stage[] = [];
  readonly T: number;
  readonly inSize: number;
  readonly classes: number;
  constructor(
    readonly arch: ArchSpec,
    readonly opts: NetOptions,
  ) {
    const rng = new Rng(opts.seed);
    this.T = opts.mode === 'snn' ? opts.timesteps : 1;
    let shape = arch.inputShape.slice();
    this.inSize = shape.reduce((a, b) => a * b, 1);
    let fromNeurons = false;
    let spikesIn = false;
    const specs = arch.stages;
    for (let si = 0; si < specs.length; si++) {
      const s = specs[si]!;
      const last = si === specs.length - 1;
      const binary = opts.binary ?? opts.mode === 'snn';
      if (s.kind === 'flatten') {
        shape = [shape.reduce((a, b) => a * b, 1)];
        this.stages.push({ kind: 'flatten', name: s.name, outShape: shape });
        continue;
      }
      if (s.kind === 'avgpool') {
        if (shape.length !== 3) throw new Error(`${arch.name}: stage ${s.name}: pooling needs a [C,H,W] input`);
        const pool = new AvgPool(shape[0]!, shape[1]!, shape[2]!, s.k, s.stride);
        shape = [shape[0]!, pool.outH, pool.outW];
        this.stages.push({ kind: 'avgpool', name: s.name, pool, outShape: shape });
        spikesIn = false; // pooled values are no longer spikes: no identity shortcut from them
        continue;
      }
      const inSize = shape.reduce((a, b) => a * b, 1);
      let syn: Linear | Conv2d;
      let outShape: number[];
      let C: number;
      let S: number;
      if (s.kind === 'linear') {
        syn = new Linear(s.name, inSize, s.out, binary, rng);
        outShape = [s.out];
        C = s.out;
        S = 1;
      } else {
        if (shape.length !== 3) throw new Error(`${arch.name}: stage ${s.name}: convolution needs a [C,H,W] input`);
        const conv = new Conv2d(
          s.name,
          { inC: shape[0]!, inH: shape[1]!, inW: shape[2]!, outC: s.out, k: s.k, stride: s.stride, pad: s.pad },
          binary,
          rng,
        );
        syn = conv;
        outShape = [s.out, conv.outH, conv.outW];
        C = s.out;
        S = conv.outH * conv.outW;
      }
      if (!fromNeurons) syn.needInputGrad = false;
      const bn = new BatchNorm(`${s.name}.bn`, C, S);
      if (last) {
        if (s.kind !== 'linear') throw new Error(`${arch.name}: the last stage must be linear (the readout)`);
        this.stages.push({ kind: 'readout', name: s.name, syn: syn as Linear, bn, outShape, rowsIn: 0, B: 0 });
        shape = outShape;
        continue;
      }
      const size = outShape.reduce((a, b) => a * b, 1);
      const sameShape = outShape.length === shape.length && outShape.every((d, i) => d === shape[i]);
      const act = opts.mode === 'snn' ? new IF(size, this.T, opts.theta ?? 1, opts.slope ?? 4) : new ReLU(size);
      if (act instanceof IF && opts.smooth) act.smooth = true;
      this.stages.push({
        kind: 'block',
        name: s.name,
        syn,
        bn,
        act,
        shortcut: opts.shortcuts && spikesIn && sameShape,
        outShape,
        staticIn: false,
      });
      fromNeurons = true;
      spikesIn = true;
      shape = outShape;
    }
    this.classes = shape[0]!;
  }

  params(): Param[] {
    const ps: Param[] = [];
    for (const s of this.stages) {
      if (s.kind === 'block' || s.kind === 'readout') ps.push(...s.syn.params(), ...s.bn.params());
    }
    return ps;
  }

  /** Forward B samples (rows of the encoded input); returns logits [B][classes]. */
  forward(x: Float32Array, B: number, train: boolean): Float32Array {
    let cur = x;
    let n = B;
    for (const s of this.stages) {
      if (s.kind === 'flatten') continue;
      if (s.kind === 'avgpool') {
        ({ y: cur, n } = s.pool.forward(cur, n, train));
        continue;
      }
      let { y: z } = s.syn.forward(cur, n, train);
      ({ y: z } = s.bn.forward(z, n, train));
      if (s.kind === 'readout') {
        const K = s.syn.outSize;
        const T = n / B;
        const logits = new Float32Array(B * K);
        for (let t = 0; t < T; t++) for (let i = 0; i < B * K; i++) logits[i]! += z[t * B * K + i]!;
        for (let i = 0; i < B * K; i++) logits[i]! /= T;
        if (train) {
          s.rowsIn = n;
          s.B = B;
        }
        return logits;
      }
      if (s.shortcut) for (let i = 0; i < z.length; i++) z[i]! += cur[i]!;
      if (s.act instanceof IF) {
        const staticIn = n === B && this.T > 1;
        if (train) s.staticIn = staticIn;
        ({ y: cur, n } = s.act.forward(z, n, train, staticIn));
      } else {
        ({ y: cur, n } = s.act.forward(z, n, train));
      }
    }
    throw new Error('network has no readout');
  }

  /** Backward from dL/dlogits (after a training forward). */
  backward(dlogits: Float32Array): void {
    let d: Float32Array | null = null;
    for (let i = this.stages.length - 1; i >= 0; i--) {
      const s = this.stages[i]!;
      if (s.kind === 'flatten') continue;
      if (s.kind === 'avgpool') {
        d = s.pool.backward(d!);
        continue;
      }
      if (s.kind === 'readout') {
        const K = s.syn.outSize;
        const T = s.rowsIn / s.B;
        const dz = new Float32Array(s.rowsIn * K);
        for (let t = 0; t < T; t++) for (let j = 0; j < s.B * K; j++) dz[t * s.B * K + j] = dlogits[j]! / T;
        d = s.syn.backward(s.bn.backward(dz));
        continue;
      }
      const dz = s.act.backward(d!);
      const dx = s.syn.backward(s.bn.backward(dz));
      if (s.shortcut) {
        if (!dx) throw new Error('internal: shortcut without an input gradient');
        for (let j = 0; j < dx.length; j++) dx[j]! += dz[j]!;
      }
      d = dx;
    }
  }

  zeroGrad(): void {
    for (const p of this.params()) p.grad.fill(0);
  }

  /** The trained BWSNN as a Graph IR (eval semantics: BN running statistics). */
  toGraph(name: string, meta: Record<string, string | number | boolean>): Graph {
    if (this.opts.mode !== 'snn') throw new Error('only the spiking student exports to the Graph IR');
    const arch = this.arch;
    const nodes: GraphNode[] = [{ op: 'input', name: 'input', shape: arch.inputShape.slice(), encoding: { ...arch.encoding } }];
    let prev = 'input';
    let shape = arch.inputShape.slice();
    const inScale = arch.encoding.kind === 'multibit' ? 1 / (2 ** arch.encoding.bits - 1) : 1;
    let first = true;
    for (const s of this.stages) {
      if (s.kind === 'flatten') {
        nodes.push({ op: 'flatten', name: s.name, input: prev });
        prev = s.name;
        shape = s.outShape;
        continue;
      }
      if (s.kind === 'avgpool') {
        const p = s.pool;
        nodes.push({ op: 'avgpool', name: s.name, input: prev, kernel: [p.k, p.k], stride: [p.stride, p.stride], padding: [p.pad, p.pad] });
        prev = s.name;
        shape = s.outShape;
        continue;
      }
      const syn = s.syn;
      syn.effective(); // refresh alpha
      const w = syn.w.data;
      const bits = new Uint8Array(Math.ceil(w.length / 8));
      for (let k = 0; k < w.length; k++) if (w[k]! >= 0) bits[k >> 3]! |= 1 << (k & 7);
      const alpha = Float64Array.from(syn.alpha, (a) => (first ? a * inScale : a));
      first = false;
      if (syn instanceof Linear) {
        if (shape.length !== 1) {
          const fl = `${s.name}.flatten`;
          nodes.push({ op: 'flatten', name: fl, input: prev });
          prev = fl;
        }
        nodes.push({ op: 'binary_linear', name: s.name, input: prev, inFeatures: syn.inSize, outFeatures: syn.outSize, weightBits: bits, alpha });
      } else {
        const g = syn.shape;
        nodes.push({
          op: 'binary_conv2d',
          name: s.name,
          input: prev,
          inChannels: g.inC,
          outChannels: g.outC,
          kernel: [g.k, g.k],
          stride: [g.stride, g.stride],
          padding: [g.pad, g.pad],
          weightBits: bits,
          alpha,
        });
      }
      const bn = s.bn;
      nodes.push({
        op: 'batchnorm',
        name: `${s.name}.bn`,
        input: s.name,
        gamma: Float64Array.from(bn.gamma.data),
        beta: Float64Array.from(bn.beta.data),
        mean: Float64Array.from(bn.runMean),
        var: Float64Array.from(bn.runVar),
        eps: bn.eps,
      });
      let cur = `${s.name}.bn`;
      if (s.kind === 'readout') {
        nodes.push({ op: 'readout', name: 'readout', input: cur, leak: 0 });
        break;
      }
      if (s.shortcut) {
        nodes.push({ op: 'add', name: `${s.name}.add`, inputs: [cur, prev] });
        cur = `${s.name}.add`;
      }
      const act = s.act as IF;
      nodes.push({
        op: 'if',
        name: `${s.name}.if`,
        input: cur,
        threshold: Float64Array.of(act.theta),
        vReset: Float64Array.of(0),
        reset: 'soft',
        fireOn: 'ge',
      });
      prev = `${s.name}.if`;
      shape = s.outShape;
    }
    return { name, timesteps: this.T, nodes, classNames: Array.from({ length: this.classes }, (_, i) => String(i)), meta };
  }
}
