/**
 * The compiler's intermediate forms, one per pass (see docs/compiler.md):
 *
 *   IntModel --validate--> CheckedModel --lower--> LoweredModel --partition--> Partitioned
 *            --place--> Placed --route--> Routed --codegen--> Scheduled --emit--> BwcContainer
 *
 * Every form is plain data and can be dumped as JSON (compiler/dump.ts, `--dump-ir STAGE`).
 */
import type { ChipConfig } from '../isa/chip.js';
import type { Instr, RouteDest } from '../isa/container-types.js';
import type { IntModel, WeightMode } from '../models/intmodel.js';

/**
 * How a source (the model input or a spiking layer) is laid out in an axon region.
 * 'flat': bit k of the region = flat element (lo + k); units are flat elements.
 * 'pos': position-major [rows][W][cw words], channel c = bit c of its position's words;
 *        units are rows (dim 1 of [C, H, W]).
 */
export interface SourceInfo {
  name: string;
  isInput: boolean;
  shape: number[];
  layout: 'flat' | 'pos';
  /** Elements. */
  size: number;
  /** pos layout: channels, rows, columns and words per position. flat: C = 1, H = size, W = 1, cw = 0. */
  C: number;
  H: number;
  W: number;
  cw: number;
  /** Axon planes (K for a multibit:K input, else 1). */
  planes: number;
  /** Units of the source (flat: elements; pos: rows). */
  units: number;
}

export interface CheckedModel {
  model: IntModel;
  chip: ChipConfig;
  sources: Record<string, SourceInfo>;
  /** Layer depth: 1 + the deepest same-step layer source (the input is depth 0). */
  depth: Record<string, number>;
}

export type LoweredSynapseOp =
  | { kind: 'dense'; inFeatures: number }
  | {
      kind: 'conv';
      inShape: [number, number, number];
      kernel: [number, number];
      stride: [number, number];
      padding: [number, number];
      /** 64-bit words of one kernel plane (kh*kw*cw). */
      kernelWords: number;
    }
  | { kind: 'identity' };

export interface LoweredSynapse {
  /** Index into the IntLayer's synapses. */
  index: number;
  source: string;
  recurrent: boolean;
  acc: 0 | 1;
  op: LoweredSynapseOp;
  mode: WeightMode;
  /** ISA wmode (isa/table.ts WMODE): 0 binary, 1 unsigned planes, 2 two's-complement planes. */
  wmode: number;
  wq: number;
  /** Axon planes of the source. */
  ap: number;
}

export interface LoweredLayer {
  name: string;
  kind: 'if' | 'readout';
  depth: number;
  shape: number[];
  neurons: number;
  /** 'flat': unit = one neuron; 'rows': unit = one output row of W*C neurons, position-major. */
  geometry: 'flat' | 'rows';
  /** rows geometry: channels, rows, columns. flat: C = 1, H = neurons, W = 1. */
  C: number;
  H: number;
  W: number;
  units: number;
  neuronsPerUnit: number;
  synapses: LoweredSynapse[];
  fracBits: number;
}

export interface LoweredModel {
  checked: CheckedModel;
  layers: LoweredLayer[];
}

/** A piece of a synapse a task computes: all of it, or a slice [lo, hi) of the source's units (dense fan-in split). */
export interface Part {
  synapse: number;
  /** Source units [lo, hi) this part reads (dense: the fan-in slice; conv: input rows; identity: the task's own units). */
  lo: number;
  hi: number;
  /**
   * Conv fan-in slice: kernel rows [k0, k1) only (then lo may be negative or hi > H: the region
   * holds rows y*sh + k - ph exactly, rows outside the source stay zero as padding).
   */
  k0?: number;
  k1?: number;
  /**
   * Identity part of a channel group whose first channel is not a multiple of 64: the region holds
   * only channels [ch0, ch1) of each position (channel c at bit c - ch0 of ceil((ch1-ch0)/64) words).
   */
  ch?: [number, number];
}

/** One neuron group on one core: a chunk [u0, u1) of a layer's units, with the synapse parts it computes. */
export interface Task {
  id: number;
  layer: string;
  /** owner: holds the neurons, fires and sends; helper: computes partial sums for its owner (PSUM). */
  role: 'owner' | 'helper';
  owner: number;
  u0: number;
  u1: number;
  /** Output channels [c0, c1) of a [C, H, W] layer this task holds (a channel group); 0..1 for flat layers. */
  c0: number;
  c1: number;
  /** Neuron slots used (helpers round up to an even count for PSUM pairs). */
  neurons: number;
  parts: Part[];
  /** Synapse SRAM words (kernels + rows). */
  sramWords: number;
}

export interface Partitioned {
  lowered: LoweredModel;
  tasks: Task[];
}

/** An axon region on a core: source units [lo, hi) of one source, in the current bank (or the recurrent one). */
export interface Region {
  source: string;
  recurrent: boolean;
  lo: number;
  hi: number;
  /** First axon word. */
  base: number;
  /** Words per plane. */
  planeWords: number;
  planes: number;
  /** Channel-shifted region (see Part.ch): channels [ch0, ch1), cw words per position. */
  ch?: [number, number];
  cw?: number;
}

export interface PlacedTask {
  task: number;
  core: number;
  neuronBase: number;
  /** First synapse word of each part (same order as task.parts). */
  partSram: number[];
  /** Index into the core's regions of each part. */
  partRegion: number[];
}

export interface CoreAlloc {
  core: number;
  tasks: number[];
  neurons: number;
  sramWords: number;
  axonWords: number;
  regions: Region[];
}

export interface Placed {
  partitioned: Partitioned;
  /** Cores in use, in placement (snake) order. */
  cores: CoreAlloc[];
  /** By task id. */
  placed: PlacedTask[];
}

export interface SendSpec {
  /** Local first neuron (core-relative) and count. */
  rn: number;
  n: number;
  g: number;
  cw: number;
  route: number;
}

export interface PsumSpec {
  acc: 0 | 1;
  rn: number;
  n: number;
  route: number;
}

export interface Routed {
  placed: Placed;
  /** Routing lists per core (by core index). */
  routes: Record<number, RouteDest[][]>;
  /** SENDs per owner task id. */
  sends: Record<number, SendSpec[]>;
  /** PSUMs per helper task id. */
  psums: Record<number, PsumSpec[]>;
}

export interface Scheduled {
  routed: Routed;
  /** Phases: each names the layer depth and whether it is the accumulate or fire half (split when partial sums flow). */
  phases: { depth: number; stage: 'all' | 'acc' | 'fire' }[];
  programs: Record<number, Instr[]>;
}
