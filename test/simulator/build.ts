/** Small hand-built containers for the simulator tests. */
import { DEFAULT_CHIP, type ChipConfig } from '../../isa/chip.js';
import { BWC_VERSION, type BwcContainer, type CoreImage, type InputBlock, type InputEncoding, type Instr, type NeuronParams, type Probe, type RouteDest } from '../../isa/container-types.js';

export const I = (op: string, args: Record<string, number> = {}): Instr => ({ op, args });

export function neurons(n: number, over: Partial<Record<'theta' | 'bias' | 'vreset' | 'g0' | 'g1' | 'leak' | 'flags' | 'decay' | 'sdecay', number[]>> = {}): NeuronParams {
  const i32 = (k: keyof typeof over, d: number): Int32Array => (over[k] ? Int32Array.from(over[k]!) : new Int32Array(n).fill(d));
  return {
    count: n,
    theta: i32('theta', 1),
    bias: i32('bias', 0),
    vreset: i32('vreset', 0),
    g0: i32('g0', 1),
    g1: i32('g1', 0),
    leak: over.leak ? Uint8Array.from(over.leak) : new Uint8Array(n),
    flags: over.flags ? Uint8Array.from(over.flags) : new Uint8Array(n),
    decay: i32('decay', 0),
    sdecay: i32('sdecay', 0),
  };
}

export interface CoreSpec {
  core: number;
  program: Instr[];
  synapses?: number[];
  neurons: NeuronParams;
  routes?: RouteDest[][];
}

export function container(o: {
  chip?: Partial<ChipConfig>;
  timesteps: number;
  inputShape: number[];
  encoding?: InputEncoding;
  cores: CoreSpec[];
  inputMap: InputBlock[];
  probes: Probe[];
  readout: number;
}): BwcContainer {
  const cores: CoreImage[] = o.cores.map((c) => ({
    core: c.core,
    program: c.program,
    synapses: Uint32Array.from(c.synapses ?? []),
    neurons: c.neurons,
    routes: c.routes ?? [],
  }));
  const ro = o.probes[o.readout]!;
  return {
    version: BWC_VERSION,
    chip: { ...DEFAULT_CHIP, ...o.chip },
    meta: { name: 'test', timesteps: o.timesteps, inputShape: o.inputShape, encoding: o.encoding ?? { kind: 'binary', threshold: 0.5 }, classes: ro.shape.reduce((a, b) => a * b, 1) },
    cores,
    inputMap: o.inputMap,
    outputMap: { readout: o.readout, probes: o.probes },
  };
}

export function block(core: number, elements: number[], bits: number[], axonBase = 0, planeStride = 0): InputBlock {
  return { core, axonBase, planeStride, elements: Int32Array.from(elements), bits: Int32Array.from(bits) };
}

export function probe(layer: string, kind: 'spikes' | 'membrane', core: number, count: number, neuronBase = 0): Probe {
  return { layer, kind, shape: [count], entries: [{ core, neuronBase, count, index: Int32Array.from({ length: count }, (_, i) => i) }] };
}

/** Typed arrays to plain arrays, recursively (for deep equality across runs). */
export function plain(x: unknown): unknown {
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  return x;
}
