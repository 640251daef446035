/**
 * Pass 2, lower: turn each IntLayer into a LoweredLayer, the unit of work of the core: a neuron
 * group (flat, or position-major rows for [C, H, W] layers) with its synapses expressed as chip
 * operations (ACC dense rows, ACCW shared conv kernels, ACCS identity), their weight coding
 * (wmode, wq planes and the weight bit planes themselves) and the source's axon planes (ap). The
 * LoweredModel owns everything later passes need of the model (neuron records, weight planes, meta).
 */
import { BwsnnError } from '../base/errors.js';
import { NEURON_FIELDS, neuronArrays, type NeuronArrays } from '../isa/neuron-record.js';
import { WMODE } from '../isa/table.js';
import type { IntLayer, IntWeights, WeightMode } from '../models/intmodel.js';
import type { CheckedModel, LoweredLayer, LoweredModel, LoweredSynapse } from './ir.js';

/** Bit q of weight v in the coding of `mode` (binary: v > 0; uint: bit q of v; sint: bit q of v's wq-bit two's complement). */
function planeBit(v: number, q: number, mode: WeightMode, wq: number): number {
  if (mode === 'binary') return v > 0 ? 1 : 0;
  if (mode === 'uint') return (v >> q) & 1;
  return ((v & ((1 << wq) - 1)) >> q) & 1;
}

/** The wq bit planes of the weights (see LoweredSynapse.weightPlanes). */
export function weightPlanes(w: IntWeights): Uint8Array {
  // Binary weights still as sign bits: the plane is those bits (bit i = v_i > 0; bits past the count clear).
  if (w.mode === 'binary' && w.wq === 1 && w.signs !== undefined) return w.signs.bits.slice();
  const n = w.values.length;
  const out = new Uint8Array(Math.ceil((n * w.wq) / 8));
  if (w.mode === 'binary' && w.wq === 1) {
    // One plane: eight weights per byte (bit i & 7 of byte i >> 3 is v_i > 0, as planeBit).
    const v = w.values;
    const whole = n >> 3;
    for (let k = 0, i = 0; k < whole; k++, i += 8) {
      out[k] =
        (v[i]! > 0 ? 1 : 0) | (v[i + 1]! > 0 ? 2 : 0) | (v[i + 2]! > 0 ? 4 : 0) | (v[i + 3]! > 0 ? 8 : 0) |
        (v[i + 4]! > 0 ? 16 : 0) | (v[i + 5]! > 0 ? 32 : 0) | (v[i + 6]! > 0 ? 64 : 0) | (v[i + 7]! > 0 ? 128 : 0);
    }
    for (let i = whole << 3; i < n; i++) if (v[i]! > 0) out[i >> 3] = out[i >> 3]! | (1 << (i & 7));
    return out;
  }
  for (let q = 0; q < w.wq; q++) {
    for (let i = 0; i < n; i++) {
      const b = q * n + i;
      if (planeBit(w.values[i]!, q, w.mode, w.wq)) out[b >> 3] = out[b >> 3]! | (1 << (b & 7));
    }
  }
  return out;
}

/**
 * The layer's neuron fields as the lowered form holds them: the IntLayer's own arrays when they
 * already have the field's type (nothing writes them after the fold), copies otherwise.
 */
function layerParams(l: IntLayer): NeuronArrays {
  const own = NEURON_FIELDS.every((f) => (f.type === 'i32' ? l[f.name] instanceof Int32Array : l[f.name] instanceof Uint8Array));
  return own ? (Object.fromEntries(NEURON_FIELDS.map((f) => [f.name, l[f.name]])) as unknown as NeuronArrays) : neuronArrays((f) => l[f.name]);
}

export function lowerModel(c: CheckedModel, file = c.model.name): LoweredModel {
  const layers: LoweredLayer[] = c.model.layers.map((l) => {
    const n = l.shape.reduce((a, b) => a * b, 1);
    const rows = l.shape.length === 3;
    const [C, H, W] = rows ? (l.shape as [number, number, number]) : [1, n, 1];
    const synapses: LoweredSynapse[] = l.synapses.map((s, index) => {
      const src = c.sources[s.source]!;
      const where = `${file}: layer ${l.name}: synapse ${index} (from ${s.source})`;
      const op = s.op;
      const base = { index, source: s.source, recurrent: s.recurrent, acc: s.acc, ap: src.planes };
      if (op.kind === 'identity') {
        if ((src.layout === 'pos') !== rows) {
          throw new BwsnnError(`${where}: identity shortcut between a ${src.layout === 'pos' ? 'position-major' : 'flat'} source and a ${rows ? '[C, H, W]' : 'flat'} layer is not supported`);
        }
        return { ...base, op: { kind: 'identity' }, mode: 'binary', wmode: WMODE.binary, wq: 1, weightPlanes: new Uint8Array(0) };
      }
      const mode = op.weights.mode;
      const wq = op.weights.wq;
      if (op.kind === 'dense') {
        return { ...base, op: { kind: 'dense', inFeatures: op.inFeatures }, mode, wmode: WMODE[mode], wq, weightPlanes: weightPlanes(op.weights) };
      }
      if (src.layout !== 'pos') throw new BwsnnError(`${where}: a convolution needs a [C, H, W] source`);
      const kernelWords = op.kernel[0] * op.kernel[1] * src.cw;
      return {
        ...base,
        op: { kind: 'conv', inShape: op.inShape, kernel: op.kernel, stride: op.stride, padding: op.padding, kernelWords },
        mode,
        wmode: WMODE[mode],
        wq,
        weightPlanes: weightPlanes(op.weights),
      };
    });
    return {
      name: l.name,
      kind: l.kind,
      depth: c.depth[l.name]!,
      shape: l.shape,
      neurons: n,
      geometry: rows ? 'rows' : 'flat',
      C,
      H,
      W,
      units: rows ? H : n,
      neuronsPerUnit: rows ? W * C : 1,
      synapses,
      fracBits: l.fracBits,
      params: layerParams(l),
    };
  });
  const m = c.model;
  const meta: LoweredModel['meta'] = { name: m.name, timesteps: m.timesteps, inputShape: [...m.input.shape], encoding: { ...m.input.encoding }, readout: m.readout };
  if (m.inputRange) meta.inputRange = [m.inputRange[0], m.inputRange[1]];
  if (m.dataset !== undefined) meta.dataset = m.dataset;
  return { meta, sources: c.sources, layers };
}
