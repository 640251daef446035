/**
 * The integer reference executor: runs an IntModel with exactly the semantics stated in
 * models/intmodel.ts. It is the golden model: the simulator running the compiled binary must
 * reproduce its spikes of every layer and its readout bit for bit.
 *
 * Values are exact integers held in Float64 (accumulators and products stay far below 2^53 for
 * every model the chip can hold; the membrane is saturated to membraneBits after each update).
 */
import { BwsnnError } from '../base/errors.js';
import { argmax, checkSampleLength } from './float-exec.js';
import { INT_HARD_RESET, INT_NO_MEMORY, type IntLayer, type IntModel } from './intmodel.js';
import { sizeOf } from './validate.js';
import { convAccumulate, convPlan, denseAccumulate, transpose, windowTable } from './window.js';

export interface RefResult {
  /** Per 'if' layer: T * size spikes, step-major. */
  spikes: Record<string, Uint8Array>;
  /** Readout membrane after T steps. */
  readout: Int32Array;
  prediction: number;
}

type Acc = (x: Float64Array, acc: Float64Array) => void;

interface LayerPlan {
  layer: IntLayer;
  size: number;
  v: Float64Array;
  out: Float64Array;
  acc: [Float64Array, Float64Array];
  syn: { read: () => Float64Array; bank: 0 | 1; run: Acc }[];
}

interface RefPlan {
  model: IntModel;
  inputSize: number;
  inBuf: Float64Array;
  layers: LayerPlan[];
  prev: Map<string, { from: Float64Array; copy: Float64Array }>;
}

const plans = new WeakMap<IntModel, RefPlan>();

function compileRef(m: IntModel): RefPlan {
  const inputSize = sizeOf(m.input.shape);
  const inBuf = new Float64Array(inputSize);
  const outs = new Map<string, Float64Array>([[m.input.name, inBuf]]);
  const order = new Map<string, number>([[m.input.name, -1]]);
  const layers: LayerPlan[] = m.layers.map((layer, i) => {
    const size = sizeOf(layer.shape);
    const out = new Float64Array(size);
    outs.set(layer.name, out);
    order.set(layer.name, i);
    return { layer, size, v: new Float64Array(size), out, acc: [new Float64Array(size), new Float64Array(size)], syn: [] };
  });
  const prev = new Map<string, { from: Float64Array; copy: Float64Array }>();
  layers.forEach((lp, i) => {
    const where = `model ${m.name}: layer ${lp.layer.name}`;
    for (const [k, s] of lp.layer.synapses.entries()) {
      const from = outs.get(s.source);
      if (!from) throw new BwsnnError(`${where}: synapses[${k}].source ${s.source} does not exist`);
      const isLater = order.get(s.source)! >= i;
      if (isLater && !s.recurrent) throw new BwsnnError(`${where}: synapses[${k}] reads ${s.source} (not yet computed) without being recurrent`);
      let read: () => Float64Array;
      if (s.recurrent) {
        let p = prev.get(s.source);
        if (!p) {
          p = { from, copy: new Float64Array(from.length) };
          prev.set(s.source, p);
        }
        const copy = p.copy;
        read = () => copy;
      } else {
        read = () => from;
      }
      const op = s.op;
      let run: Acc;
      if (op.kind === 'dense') {
        if (op.inFeatures !== from.length || op.outFeatures !== lp.size || op.weights.values.length !== op.inFeatures * op.outFeatures) {
          throw new BwsnnError(`${where}: synapses[${k}] dense ${op.inFeatures}x${op.outFeatures} does not fit source ${from.length} / layer ${lp.size}`);
        }
        const wt = transpose(op.weights.values, op.outFeatures, op.inFeatures, (n) => new Int32Array(n));
        const { inFeatures, outFeatures } = op;
        run = (x, acc) => denseAccumulate(wt, inFeatures, outFeatures, x, acc);
      } else if (op.kind === 'conv') {
        const [C, H, W] = op.inShape;
        const tbl = windowTable(H, W, op.kernel, op.stride, op.padding);
        if (C * H * W !== from.length || op.outChannels * tbl.outH * tbl.outW !== lp.size) {
          throw new BwsnnError(`${where}: synapses[${k}] conv does not fit source ${from.length} / layer ${lp.size}`);
        }
        const cp = convPlan(tbl, C, op.outChannels, op.weights.values);
        run = (x, acc) => convAccumulate(cp, x, acc);
      } else {
        if (from.length !== lp.size) throw new BwsnnError(`${where}: synapses[${k}] identity from ${s.source} of size ${from.length} into ${lp.size} neurons`);
        run = (x, acc) => {
          for (let j = 0; j < acc.length; j++) acc[j]! += x[j]!;
        };
      }
      lp.syn.push({ read, bank: s.acc, run });
    }
  });
  return { model: m, inputSize, inBuf, layers, prev };
}

/** Run the integer model on one sample (length size) or an explicit per-step input (length T * size). */
export function runReference(m: IntModel, input: Float32Array): RefResult {
  let plan = plans.get(m);
  if (!plan) {
    plan = compileRef(m);
    plans.set(m, plan);
  }
  const T = m.timesteps;
  const size = plan.inputSize;
  checkSampleLength(input.length, size, T, `model ${m.name}`);
  const enc = m.input.encoding;
  const perStep = input.length !== size;
  if (enc.kind === 'multibit' || perStep) {
    const hi = enc.kind === 'multibit' ? 2 ** enc.bits - 1 : 1;
    for (let i = 0; i < input.length; i++) {
      const x = input[i]!;
      if (!Number.isInteger(x) || x < 0 || x > hi) {
        throw new BwsnnError(`model ${m.name}: input[${i}] = ${x}, expected an integer 0..${hi}`);
      }
    }
  }
  const lo = -(2 ** (m.membraneBits - 1));
  const hiV = 2 ** (m.membraneBits - 1) - 1;
  for (const lp of plan.layers) {
    lp.v.fill(0);
    lp.out.fill(0);
  }
  for (const p of plan.prev.values()) p.copy.fill(0);
  const spikes: Record<string, Uint8Array> = {};
  for (const lp of plan.layers) if (lp.layer.kind === 'if') spikes[lp.layer.name] = new Uint8Array(T * lp.size);
  const inBuf = plan.inBuf;
  for (let t = 0; t < T; t++) {
    if (perStep) {
      for (let i = 0; i < size; i++) inBuf[i] = input[t * size + i]!;
    } else if (t === 0) {
      for (let i = 0; i < size; i++) inBuf[i] = enc.kind === 'binary' ? (input[i]! >= enc.threshold ? 1 : 0) : input[i]!;
    }
    for (const lp of plan.layers) {
      const [a0, a1] = lp.acc;
      a0.fill(0);
      a1.fill(0);
      for (const s of lp.syn) s.run(s.read(), s.bank === 0 ? a0 : a1);
      const L = lp.layer;
      const { theta, bias, vreset, g0, g1, leak, flags } = L;
      const v = lp.v;
      const out = lp.out;
      const fires = L.kind === 'if';
      for (let j = 0; j < lp.size; j++) {
        let vj = flags[j]! & INT_NO_MEMORY ? 0 : v[j]!;
        const k = leak[j]!;
        if (k > 0) vj -= Math.floor(vj / 2 ** k);
        vj = vj + a0[j]! * g0[j]! + a1[j]! * g1[j]! + bias[j]!;
        vj = vj < lo ? lo : vj > hiV ? hiV : vj;
        if (fires && vj >= theta[j]!) {
          out[j] = 1;
          if (flags[j]! & INT_HARD_RESET) vj = vreset[j]!;
          else {
            vj -= theta[j]!;
            vj = vj < lo ? lo : vj > hiV ? hiV : vj;
          }
        } else if (fires) {
          out[j] = 0;
        }
        v[j] = vj;
      }
      if (fires) spikes[L.name]!.set(out, t * lp.size);
      else out.set(v);
    }
    for (const p of plan.prev.values()) p.copy.set(p.from);
  }
  const ro = plan.layers.find((lp) => lp.layer.name === m.readout);
  if (!ro) throw new BwsnnError(`model ${m.name}: readout layer ${m.readout} does not exist`);
  const readout = Int32Array.from(ro.v);
  return { spikes, readout, prediction: argmax(readout) };
}
