/**
 * The float executor: the Graph IR run with framework (PyTorch-style) semantics in Float64, before
 * any folding. Per time step every node is evaluated in order; a recurrent input reads its source's
 * output of the previous step (zero at step 0).
 *
 *   input:     binary: x >= threshold ? 1 : 0; multibit: x as given; explicit per-step input as given
 *   if:        v += x; spike = v > theta ('gt') or v >= theta ('ge'); soft: v -= theta, hard: v = vReset
 *   lif:       v -= v * 2^-leak; then as if
 *   threshold: spike = x > theta ('gt') or x >= theta ('ge'), no state
 *   readout:   v -= v * 2^-leak (leak > 0); v += x; never fires; prediction = argmax v (ties: lowest)
 */
import { BwsnnError } from '../base/errors.js';
import type { Graph, GraphNode, InputNode } from './graph.js';
import { nodeInputs } from './graph.js';
import { type GraphInfo, SPIKING_OPS, sizeOf, validateGraph } from './validate.js';
import { convAccumulate, convPlan, denseAccumulate, transpose, unpackSigns, windowTable } from './window.js';

export interface ExecResult {
  /** Per neuron node (if, lif, threshold, maxpool): T * size spikes, step-major. */
  spikes: Record<string, Uint8Array>;
  /** Readout membrane after T steps. */
  readout: Float64Array;
  prediction: number;
}

type Step = (t: number) => void;

interface Plan {
  graph: Graph;
  info: GraphInfo;
  input: InputNode;
  inputSize: number;
  /** Output buffers per node. */
  out: Map<string, Float64Array>;
  /** Previous-step copies of nodes read through recurrent edges. */
  prev: Map<string, Float64Array>;
  /** Per-node step functions in order, each given the input-of-step accessor. */
  steps: Step[];
  /** Reset all state to zero. */
  resets: (() => void)[];
  spikeNodes: string[];
  readout: string;
  setInput: (x: Float32Array, t: number) => void;
}

const plans = new WeakMap<Graph, Plan>();

function compile(g: Graph): Plan {
  const info = validateGraph(g);
  const input = g.nodes.find((n) => n.op === 'input') as InputNode;
  const out = new Map<string, Float64Array>();
  for (const n of g.nodes) out.set(n.name, new Float64Array(sizeOf(info.shapes.get(n.name)!)));
  const prev = new Map<string, Float64Array>();
  g.nodes.forEach((n, i) => {
    for (const s of nodeInputs(n)) if (info.index.get(s)! >= i && !prev.has(s)) prev.set(s, new Float64Array(out.get(s)!.length));
  });
  const src = (n: GraphNode, s: string): Float64Array => {
    return info.index.get(s)! >= info.index.get(n.name)! ? prev.get(s)! : out.get(s)!;
  };
  const steps: Step[] = [];
  const resets: (() => void)[] = [];
  const inputSize = sizeOf(input.shape);
  const enc = input.encoding;
  const inBuf = out.get(input.name)!;
  const setInput = (x: Float32Array, t: number): void => {
    if (x.length === inputSize) {
      if (t > 0) return;
      for (let i = 0; i < inputSize; i++) inBuf[i] = enc.kind === 'binary' ? (x[i]! >= enc.threshold ? 1 : 0) : x[i]!;
    } else {
      for (let i = 0; i < inputSize; i++) inBuf[i] = x[t * inputSize + i]!;
    }
  };
  for (const n of g.nodes) {
    const y = out.get(n.name)!;
    const shape = info.shapes.get(n.name)!;
    switch (n.op) {
      case 'input':
        break;
      case 'binary_linear':
      case 'linear': {
        const w = n.op === 'binary_linear' ? unpackSigns(n.weightBits, n.inFeatures * n.outFeatures) : n.weight;
        const wt = transpose(w, n.outFeatures, n.inFeatures, (k) => new Int32Array(k));
        const scale = n.op === 'binary_linear' ? n.alpha : n.scale;
        const { inFeatures, outFeatures } = n;
        steps.push(() => {
          y.fill(0);
          denseAccumulate(wt, inFeatures, outFeatures, src(n, n.input), y);
          for (let o = 0; o < outFeatures; o++) y[o] = y[o]! * scale[o]!;
        });
        break;
      }
      case 'binary_conv2d':
      case 'conv2d': {
        const inShape = info.shapes.get(n.input)!;
        const tbl = windowTable(inShape[1]!, inShape[2]!, n.kernel, n.stride, n.padding);
        const count = n.outChannels * n.inChannels * n.kernel[0] * n.kernel[1];
        const w = n.op === 'binary_conv2d' ? unpackSigns(n.weightBits, count) : n.weight;
        const scale = n.op === 'binary_conv2d' ? n.alpha : n.scale;
        const P = tbl.outH * tbl.outW;
        const cp = convPlan(tbl, n.inChannels, n.outChannels, w);
        steps.push(() => {
          y.fill(0);
          convAccumulate(cp, src(n, n.input), y);
          for (let o = 0; o < n.outChannels; o++) for (let p = 0; p < P; p++) y[o * P + p] = y[o * P + p]! * scale[o]!;
        });
        break;
      }
      case 'batchnorm': {
        const C = shape[0]!;
        const per = y.length / C;
        const a = new Float64Array(C);
        const b = new Float64Array(C);
        for (let c = 0; c < C; c++) {
          a[c] = n.gamma[c]! / Math.sqrt(n.var[c]! + n.eps);
          b[c] = n.beta[c]! - n.mean[c]! * a[c]!;
        }
        steps.push(() => {
          const x = src(n, n.input);
          for (let c = 0; c < C; c++) for (let k = c * per; k < (c + 1) * per; k++) y[k] = x[k]! * a[c]! + b[c]!;
        });
        break;
      }
      case 'bias': {
        const full = n.bias.length === y.length;
        const per = full ? 1 : y.length / n.bias.length;
        steps.push(() => {
          const x = src(n, n.input);
          for (let k = 0; k < y.length; k++) y[k] = x[k]! + n.bias[full ? k : Math.floor(k / per)]!;
        });
        break;
      }
      case 'add':
        steps.push(() => {
          y.fill(0);
          for (const s of n.inputs) {
            const x = src(n, s);
            for (let k = 0; k < y.length; k++) y[k]! += x[k]!;
          }
        });
        break;
      case 'if':
      case 'lif': {
        const v = new Float64Array(y.length);
        resets.push(() => v.fill(0));
        const th = n.threshold;
        const vr = n.vReset;
        const thAt = th.length === 1;
        const vrAt = vr.length === 1;
        const gt = n.fireOn === 'gt';
        const hard = n.reset === 'hard';
        const decay = n.op === 'lif' ? 2 ** -n.leak : 0;
        steps.push(() => {
          const x = src(n, n.input);
          for (let k = 0; k < v.length; k++) {
            let vk = v[k]!;
            if (decay) vk -= vk * decay;
            vk += x[k]!;
            const theta = thAt ? th[0]! : th[k]!;
            const fire = gt ? vk > theta : vk >= theta;
            if (fire) vk = hard ? (vrAt ? vr[0]! : vr[k]!) : vk - theta;
            v[k] = vk;
            y[k] = fire ? 1 : 0;
          }
        });
        break;
      }
      case 'threshold': {
        const th = n.threshold;
        const gt = n.fireOn === 'gt';
        steps.push(() => {
          const x = src(n, n.input);
          for (let k = 0; k < y.length; k++) {
            const theta = th.length === 1 ? th[0]! : th[k]!;
            y[k] = (gt ? x[k]! > theta : x[k]! >= theta) ? 1 : 0;
          }
        });
        break;
      }
      case 'sumpool':
      case 'avgpool':
      case 'maxpool': {
        const inShape = info.shapes.get(n.input)!;
        const tbl = windowTable(inShape[1]!, inShape[2]!, n.kernel, n.stride, n.padding);
        const C = inShape[0]!;
        const HW = inShape[1]! * inShape[2]!;
        const P = tbl.outH * tbl.outW;
        const div = n.op === 'avgpool' ? n.kernel[0] * n.kernel[1] : 1;
        const isMax = n.op === 'maxpool';
        steps.push(() => {
          const x = src(n, n.input);
          for (let c = 0; c < C; c++) {
            for (let p = 0; p < P; p++) {
              let s = 0;
              for (let e = tbl.start[p]!; e < tbl.start[p + 1]!; e++) {
                const xv = x[c * HW + tbl.inPos[e]!]!;
                if (isMax) s = s > xv ? s : xv;
                else s += xv;
              }
              y[c * P + p] = isMax ? s : s / div;
            }
          }
        });
        break;
      }
      case 'flatten':
        steps.push(() => y.set(src(n, n.input)));
        break;
      case 'readout': {
        const decay = n.leak > 0 ? 2 ** -n.leak : 0;
        resets.push(() => y.fill(0));
        steps.push(() => {
          const x = src(n, n.input);
          for (let k = 0; k < y.length; k++) {
            let vk = y[k]!;
            if (decay) vk -= vk * decay;
            y[k] = vk + x[k]!;
          }
        });
        break;
      }
    }
  }
  const spikeNodes = g.nodes.filter((n) => SPIKING_OPS.has(n.op)).map((n) => n.name);
  const readout = g.nodes.find((n) => n.op === 'readout')!.name;
  return { graph: g, info, input, inputSize, out, prev, steps, resets, spikeNodes, readout, setInput };
}

/** Argmax with ties to the lowest index. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** Check an executor input: one sample (size) or explicit per-step input (T * size). */
export function checkSampleLength(len: number, size: number, T: number, who: string): void {
  if (len !== size && len !== T * size) {
    throw new BwsnnError(`${who}: input has ${len} values, expected ${size} (one sample) or ${T * size} (T=${T} steps)`);
  }
}

/** Run the graph on one sample (flat C-order, length size) or an explicit per-step input (T * size). */
export function runFloat(g: Graph, input: Float32Array): ExecResult {
  let plan = plans.get(g);
  if (!plan) {
    plan = compile(g);
    plans.set(g, plan);
  }
  const T = g.timesteps;
  checkSampleLength(input.length, plan.inputSize, T, `model ${g.name}`);
  for (const b of plan.out.values()) b.fill(0);
  for (const b of plan.prev.values()) b.fill(0);
  for (const r of plan.resets) r();
  const spikes: Record<string, Uint8Array> = {};
  for (const s of plan.spikeNodes) spikes[s] = new Uint8Array(T * plan.out.get(s)!.length);
  for (let t = 0; t < T; t++) {
    plan.setInput(input, t);
    for (const st of plan.steps) st(t);
    for (const s of plan.spikeNodes) spikes[s]!.set(plan.out.get(s)!, t * plan.out.get(s)!.length);
    for (const [s, b] of plan.prev) b.set(plan.out.get(s)!);
  }
  const readout = Float64Array.from(plan.out.get(plan.readout)!);
  return { spikes, readout, prediction: argmax(readout) };
}
