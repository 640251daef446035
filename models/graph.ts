/**
 * The Graph IR: a trained BWSNN as typed nodes with T time steps, before folding.
 *
 * Values that flow along edges are one of: spikes (0/1 from a neuron node), currents (real values
 * from synapse, BatchNorm, Bias and Add nodes), or the encoded input. Nodes are listed in
 * execution order; an input that names the node itself or a node listed later is a recurrent
 * edge and reads that node's output of the previous time step (zero at step 0). A recurrent edge
 * must come from a spiking neuron node (so the loop has a neuron on it).
 *
 * Tensor layouts follow PyTorch: activations C-order over their shape ([C, H, W] or [N]); linear
 * weights [out][in]; conv weights [out][in][kh][kw]. Binary weights are bit-packed: bit k of the
 * flattened weight array is bit (k & 7) of byte (k >> 3); bit 1 means +1, bit 0 means -1.
 */
import type { InputEncoding } from '../isa/container-types.js';

export type { InputEncoding };

export interface NodeBase {
  /** Unique node name ([A-Za-z0-9_.:/-]+). */
  name: string;
}

export interface InputNode extends NodeBase {
  op: 'input';
  shape: number[];
  encoding: InputEncoding;
}

/** y = alpha[o] * sum_i sign(W[o][i]) * x[i] (sign stored as bits). */
export interface BinaryLinearNode extends NodeBase {
  op: 'binary_linear';
  input: string;
  inFeatures: number;
  outFeatures: number;
  weightBits: Uint8Array;
  /** Per-output scale, length outFeatures. */
  alpha: Float64Array;
}

export interface Conv2dGeometry {
  inChannels: number;
  outChannels: number;
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}

export interface BinaryConv2dNode extends NodeBase, Conv2dGeometry {
  op: 'binary_conv2d';
  input: string;
  weightBits: Uint8Array;
  /** Per-output-channel scale, length outChannels. */
  alpha: Float64Array;
}

/** Multi-bit integer weights: y[o] = scale[o] * sum_i W[o][i] * x[i], W in [-2^(bits-1), 2^(bits-1)-1]. */
export interface IntLinearNode extends NodeBase {
  op: 'linear';
  input: string;
  inFeatures: number;
  outFeatures: number;
  bits: number;
  weight: Int32Array;
  /** Per-output scale, length outFeatures. */
  scale: Float64Array;
}

export interface IntConv2dNode extends NodeBase, Conv2dGeometry {
  op: 'conv2d';
  input: string;
  bits: number;
  weight: Int32Array;
  /** Per-output-channel scale, length outChannels. */
  scale: Float64Array;
}

/** y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel (dim 0 of the shape). */
export interface BatchNormNode extends NodeBase {
  op: 'batchnorm';
  input: string;
  gamma: Float64Array;
  beta: Float64Array;
  mean: Float64Array;
  var: Float64Array;
  eps: number;
}

/** y = x + bias[c], per channel (dim 0), or per element when bias has the full size. */
export interface BiasNode extends NodeBase {
  op: 'bias';
  input: string;
  bias: Float64Array;
}

/** Sum of the inputs (all of the same shape): how SEI shortcuts and NIR multi-edge inputs arrive. */
export interface AddNode extends NodeBase {
  op: 'add';
  inputs: string[];
}

/** Neuron parameters; arrays have length 1 (shared) or the neuron count. */
export interface NeuronParamsIR {
  threshold: Float64Array;
  /** Value after a hard reset (ignored for soft reset). */
  vReset: Float64Array;
  reset: 'soft' | 'hard';
  /** 'gt': fire when v > threshold (NIR); 'ge': when v >= threshold. */
  fireOn: 'gt' | 'ge';
}

/** Integrate-and-fire: v += x; fire; reset. */
export interface IFNode extends NodeBase, NeuronParamsIR {
  op: 'if';
  input: string;
}

/** Leaky integrate-and-fire with a shift leak: v -= v * 2^-leak; v += x; fire; reset. */
export interface LIFNode extends NodeBase, NeuronParamsIR {
  op: 'lif';
  input: string;
  /** Leak shift k >= 1 (decay factor 1 - 2^-k). */
  leak: number;
}

/** Stateless threshold (NIR Threshold): spike = x > threshold (fireOn 'gt') or x >= threshold. */
export interface ThresholdNode extends NodeBase {
  op: 'threshold';
  input: string;
  threshold: Float64Array;
  fireOn: 'gt' | 'ge';
}

export interface Pool2dGeometry {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}

/** Sum of each window (of spikes or currents). */
export interface SumPoolNode extends NodeBase, Pool2dGeometry {
  op: 'sumpool';
  input: string;
}

/** Mean of each window (sum / (kh*kw), padding counted as zeros). */
export interface AvgPoolNode extends NodeBase, Pool2dGeometry {
  op: 'avgpool';
  input: string;
}

/** Max of each window; on spikes this is OR. Input must be spikes. Output is spikes. */
export interface MaxPoolNode extends NodeBase, Pool2dGeometry {
  op: 'maxpool';
  input: string;
}

/** Reshape [C, H, W] -> [C*H*W] (C-order). */
export interface FlattenNode extends NodeBase {
  op: 'flatten';
  input: string;
}

/** Accumulates its input current every step and never fires; prediction = argmax after T steps. */
export interface ReadoutNode extends NodeBase {
  op: 'readout';
  input: string;
  /** Optional leak shift (NIR LI); 0 = pure integrator. */
  leak: number;
}

export type GraphNode =
  | InputNode
  | BinaryLinearNode
  | BinaryConv2dNode
  | IntLinearNode
  | IntConv2dNode
  | BatchNormNode
  | BiasNode
  | AddNode
  | IFNode
  | LIFNode
  | ThresholdNode
  | SumPoolNode
  | AvgPoolNode
  | MaxPoolNode
  | FlattenNode
  | ReadoutNode;

export type NodeOp = GraphNode['op'];

export interface Graph {
  name: string;
  /** Time steps per inference (1..255). */
  timesteps: number;
  /** Execution order; exactly one input node and exactly one readout node. */
  nodes: GraphNode[];
  /** Optional class names for the readout. */
  classNames?: string[];
  /** Free-form provenance (training recipe, import source, ...). */
  meta?: Record<string, string | number | boolean>;
  /**
   * The values a sample may hold, as given to run/eval before the input encoding ([0, 1] for
   * pixels scaled by 1/255, [0, 255] for raw 8-bit pixels). Recorded by training and by import
   * (--input-range); eval refuses inputs outside it. Absent in models that did not record it.
   */
  inputRange?: [number, number];
  /** The built-in data set the model was trained on (by `bwsnn train`); eval warns on another. */
  dataset?: string;
}

/** Names of a node's inputs (in order). */
export function nodeInputs(n: GraphNode): string[] {
  if (n.op === 'input') return [];
  if (n.op === 'add') return n.inputs;
  return [n.input];
}
