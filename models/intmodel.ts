/**
 * The integer model: the exact semantics of a BWSNN after folding (BN, alpha, bias, pooling and
 * shortcut scales folded into integer weights, gains, biases and thresholds). The integer
 * reference executor runs it; the compiler lowers it onto cores. It is the contract: the
 * simulator running the compiled binary must reproduce the reference executor's spikes of every
 * layer and its readout bit for bit.
 *
 * Semantics of one time step t (layers in order):
 *   for each layer L:
 *     acc0 = acc1 = 0 (per neuron, exact integers)
 *     for each synapse S of L: x = S.source's value (at step t, or t-1 if S.recurrent; 0 at t=0):
 *         the input: spikes 0/1 (binary encoding) or integers 0..2^K-1 (multibit:K);
 *         a layer: its spikes 0/1 (readout layers are never sources).
 *       acc[S.acc][j] += sum_i W[j][i] * x[i]  (dense: W is [out][in] over the flat source;
 *         conv: the window sum with zero padding; identity: x[j])
 *     each neuron j:
 *       if flags & NO_MEMORY: v = 0
 *       if leak[j] > 0: v = v - (v >> leak[j])        (arithmetic shift, floor)
 *       v = v - ((v * decay[j]) >> 12)                  (multiplicative leak, floor; 0 = none)
 *       drive = acc0*g0[j] + acc1*g1[j] + bias[j]       (exact)
 *       if flags & CURRENT (CubaLIF):
 *         i = sat(i - ((i * sdecay[j]) >> 12) + drive)  (the synaptic current, a second state)
 *         v = sat(v + i)
 *       else v = sat(v + drive)                         (computed exactly, then saturated to
 *                                                        membraneBits, never wrapping)
 *       if kind == 'if' and v >= theta[j]:
 *         spike = 1; v = (flags & HARD_RESET) ? vreset[j] : sat(v - theta[j])
 *       else spike = 0
 *   prediction = argmax of the readout layer's v after T steps (ties to the lowest index).
 *
 * The decays are fixed-point images of the float executor's (models/float-exec.ts): a decay
 * constant d stands for the real factor d / 2^12 exactly, in both executors; what differs is the
 * product: the float executor computes v * d / 2^12 exactly, the integer one floors it to the
 * layer's grid (an error below one unit 2^-F of the membrane per step). The result is exact when
 * v * d is a multiple of 2^12 (e.g. v a multiple of 2^(12 - tz(d)), tz = trailing zero bits of d);
 * a shift leak k is the decay d = 2^(12-k) (k <= 12) with the same floor. The fold therefore
 * never claims a leaky layer exact.
 */
import type { InputEncoding } from '../isa/container-types.js';
import type { NeuronArrays } from '../isa/neuron-record.js';
import { unpackSigns } from './window.js';

export type WeightMode = 'binary' | 'uint' | 'sint';

/**
 * Weights as integers. 'binary': every value is -1 or +1 (wq = 1). 'uint': 0..2^wq-1.
 * 'sint': two's complement -2^(wq-1)..2^(wq-1)-1.
 */
export interface IntWeights {
  mode: WeightMode;
  /** Weight planes (bits); 1 for binary. */
  wq: number;
  values: Int32Array;
  /**
   * Binary weights only, optional: the same weights as sign bits (bit i, LSB first, is values[i] > 0),
   * present (non-enumerable) while `values` has not been read: the fold gives binary synapses
   * whose values are unpacked on first read (binaryWeights), and readers that only need the bits
   * (validate, the weight planes) use these instead. Reading `values` drops it.
   */
  readonly signs?: { bits: Uint8Array; count: number };
}

/**
 * Binary weights from sign bits (bit i of `bits`, LSB first: +1 when set, -1 when clear), `count`
 * of them: `values` is unpacked on its first read; until then `signs` holds the bits (bits past
 * `count` cleared). Enumerable keys and their order are those of { mode, wq, values }.
 */
export function binaryWeights(bits: Uint8Array, count: number): IntWeights {
  const bytes = Math.ceil(count / 8);
  const signs = new Uint8Array(bytes);
  signs.set(bits.subarray(0, bytes));
  if (count % 8 !== 0 && bytes > 0) signs[bytes - 1] = signs[bytes - 1]! & ((1 << (count % 8)) - 1);
  let values: Int32Array | undefined;
  const w = { mode: 'binary', wq: 1 } as IntWeights;
  Object.defineProperty(w, 'values', {
    enumerable: true,
    configurable: true,
    get(): Int32Array {
      if (values === undefined) {
        values = unpackSigns(signs, count);
        Object.defineProperty(w, 'signs', { value: undefined, enumerable: false, configurable: true });
      }
      return values;
    },
    set(v: Int32Array) {
      values = v;
      Object.defineProperty(w, 'signs', { value: undefined, enumerable: false, configurable: true });
    },
  });
  Object.defineProperty(w, 'signs', { value: { bits: signs, count }, enumerable: false, configurable: true });
  return w;
}

export interface DenseSynapse {
  kind: 'dense';
  inFeatures: number;
  outFeatures: number;
  /** [out][in] over the flat (C-order) source. */
  weights: IntWeights;
}

export interface ConvSynapse {
  kind: 'conv';
  /** Source shape [C, H, W]. */
  inShape: [number, number, number];
  outChannels: number;
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  /** [out][in][kh][kw]. */
  weights: IntWeights;
}

/** x[j] added to neuron j (source and layer have the same size). */
export interface IdentitySynapse {
  kind: 'identity';
}

export interface IntSynapse {
  /** 'input' name of the model, or a layer name. */
  source: string;
  /** Reads the source's value of the previous time step. */
  recurrent: boolean;
  /** Accumulator bank 0 or 1. */
  acc: 0 | 1;
  op: DenseSynapse | ConvSynapse | IdentitySynapse;
}

/** The integer model's neuron flags are the chip's (isa/neuron-record.ts). */
export { NEURON_CURRENT as INT_CURRENT, NEURON_HARD_RESET as INT_HARD_RESET, NEURON_NO_MEMORY as INT_NO_MEMORY } from '../isa/neuron-record.js';

/** Per neuron (length = product of shape): the arrays of the neuron record (isa/neuron-record.ts: theta, bias, vreset, g0, g1, leak, flags, decay, sdecay). */
export interface IntLayer extends NeuronArrays {
  /** Name of the graph node whose output this layer is (a neuron node or the readout). */
  name: string;
  kind: 'if' | 'readout';
  /** Output shape, C-order ([C, H, W] or [N]). */
  shape: number[];
  /** Fixed-point fractional bits chosen for this layer (informative: already in the values). */
  fracBits: number;
  synapses: IntSynapse[];
}

export interface IntModel {
  name: string;
  timesteps: number;
  input: { name: string; shape: number[]; encoding: InputEncoding };
  /** Membrane width the values were folded for (saturation bound of the reference). */
  membraneBits: number;
  /** Execution order. */
  layers: IntLayer[];
  /** Name of the readout layer. */
  readout: string;
  classNames?: string[];
  /** The input value range the model records (Graph.inputRange): carried into the binary's meta. */
  inputRange?: [number, number];
  /** The data set the model records (Graph.dataset): carried into the binary's meta. */
  dataset?: string;
}
