/**
 * The in-memory form of a .bwc container: what the assembler and the compiler produce, what the
 * encoder writes, what the decoder returns, and what the simulator runs. docs/container.md gives
 * the byte layout; docs/architecture.md the meaning of each part.
 */
import type { NeuronArrays } from './neuron-record.js';
import type { ChipConfig } from './chip.js';

/**
 * Newest version of the container format (read: 1..BWC_VERSION; written: the oldest version that
 * holds the content, see containerVersion in isa/container.ts). 2 added the neuron fields decay
 * and sdecay and the current-based flag (isa/neuron-record.ts); 3 added the model's recorded input
 * range and data set to the meta section (ModelMeta.inputRange, ModelMeta.dataset).
 */
export const BWC_VERSION = 3;

/** How the host turns an input sample into spikes (part of the model). */
export type InputEncoding =
  /** spike = (x >= threshold), the same spikes every time step. */
  | { kind: 'binary'; threshold: number }
  /** x is an unsigned `bits`-bit integer fed bit-serially: plane p holds bit p of x. */
  | { kind: 'multibit'; bits: number };

export interface ModelMeta {
  /** Model name. */
  name: string;
  /** Time steps per inference (1..255). */
  timesteps: number;
  /** Input shape without batch, e.g. [1, 28, 28] or [784]. */
  inputShape: number[];
  encoding: InputEncoding;
  /** Number of classes (readout size). */
  classes: number;
  /** The range of input values the model was trained on (run/energy check inputs against it; version 3). */
  inputRange?: [number, number];
  /** The built-in data set the model was trained on (run/energy refuse another one; version 3). */
  dataset?: string;
}

/** One decoded instruction: the mnemonic and its operand values by field name. */
export interface Instr {
  op: string;
  args: Record<string, number>;
}

/** Routing destination flags. */
export const ROUTE_NEXT_STEP = 1; // deliver into the next step's axon bank (recurrent edges)
export const ROUTE_PSUM_ACC1 = 2; // PSUM flits add into acc1 instead of acc0 at the destination

/** One destination of a routing list. */
export interface RouteDest {
  /** Destination core index (y * meshX + x). */
  core: number;
  /** SEND: first axon word at the destination; PSUM: first destination neuron. */
  base: number;
  /** ROUTE_* bits. */
  flags: number;
  /** SEND: bit offset added to every packed neuron bit (0 for PSUM). */
  bitOffset: number;
}

/**
 * Per-neuron parameters of a core, one entry per neuron 0..count-1 (neurons beyond `count` are
 * unused and hold zeros). Integer values, range-checked against the chip config's widths. The
 * fields, their types and bounds are the rows of isa/neuron-record.ts.
 */
export type NeuronParams = { count: number } & NeuronArrays;

export { NEURON_CURRENT, NEURON_HARD_RESET, NEURON_NO_MEMORY } from './neuron-record.js';

export interface CoreImage {
  /** Core index (y * meshX + x). */
  core: number;
  program: Instr[];
  /** Synapse SRAM image: 64-bit words as (lo, hi) pairs of 32-bit little-endian halves. */
  synapses: Uint32Array;
  neurons: NeuronParams;
  /** Routing lists: SEND/PSUM's `route` indexes this array. */
  routes: RouteDest[][];
}

/**
 * One block of the input map: input elements delivered to one core's axon region.
 * Element `elements[k]` (flat index into the input, C-order over inputShape) sets bit `bits[k]`
 * counted from bit 0 of axon word `axonBase`; for a multibit input, plane p of the element goes
 * to the same bit of the region `axonBase + p * planeStride`.
 */
export interface InputBlock {
  core: number;
  axonBase: number;
  planeStride: number;
  elements: Int32Array;
  bits: Int32Array;
}

/**
 * A probe: where one layer of the model lives on the chip. Entry neurons
 * `neuronBase .. neuronBase+count-1` of `core` hold the layer's flat outputs `index[0..count-1]`
 * (C-order over `shape`). Spikes are read from the neurons' out bits, membranes from v.
 */
export interface Probe {
  layer: string;
  kind: 'spikes' | 'membrane';
  shape: number[];
  entries: { core: number; neuronBase: number; count: number; index: Int32Array }[];
}

export interface OutputMap {
  /** Index into `probes` of the readout (kind 'membrane'); the prediction is its argmax. */
  readout: number;
  probes: Probe[];
}

export interface BwcContainer {
  version: number;
  chip: ChipConfig;
  meta: ModelMeta;
  /** Cores with a program; cores not listed are idle (they take part in barriers trivially). */
  cores: CoreImage[];
  inputMap: InputBlock[];
  outputMap: OutputMap;
}
