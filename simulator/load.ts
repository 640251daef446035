/**
 * Load a BwcContainer for simulation: validate it against its embedded chip config (refusing a
 * binary whose config or sections don't fit), then precompute everything the hot loop needs:
 * programs decoded into flat Int32Array op streams (definition index + operand values in table
 * field order), zero-padded neuron parameter arrays, and the mesh -> core-image map.
 */
import { coreCount, type ChipConfig } from '../isa/chip.js';
import { validateContainer } from '../isa/container.js';
import type { BwcContainer, InputBlock, ModelMeta, OutputMap, RouteDest } from '../isa/container-types.js';
import { BwsnnError } from '../isa/errors.js';
import { DEF_INDEX, INSTRUCTIONS, type InstrDef } from '../isa/table.js';
import { neuronArrays } from '../isa/neuron-record.js';
import { checkMemory, defaultMaxCycles, DEFAULT_MAX_MEMORY, flitLimit } from './bounds.js';
import { makeKernel, type PopcountKernel } from './popcount-wasm.js';

/** Words of one decoded instruction in an op stream: definition index, then up to 11 operands. */
export const STRIDE = 12;

/** Index of a field of a mnemonic in the op stream (1 + its position in the table's field list). */
export function slot(mnemonic: string, field: string): number {
  const def = INSTRUCTIONS[DEF_INDEX.get(mnemonic) ?? -1];
  if (!def) throw new Error(`ISA table has no ${mnemonic}`);
  const k = def.fields.findIndex((f) => f.name === field);
  if (k < 0) throw new Error(`ISA table: ${mnemonic} has no field ${field}`);
  return 1 + k;
}

/** Definition index of a mnemonic. */
export function defIndex(mnemonic: string): number {
  const i = DEF_INDEX.get(mnemonic);
  if (i === undefined) throw new Error(`ISA table has no ${mnemonic}`);
  return i;
}

export interface LoadedParams {
  theta: Int32Array;
  bias: Int32Array;
  vreset: Int32Array;
  g0: Int32Array;
  g1: Int32Array;
  leak: Uint8Array;
  flags: Uint8Array;
  /** Prefix counts of neurons with flags or leak (complex[k] = such neurons among 0..k-1). */
  complex: Int32Array;
}

export interface LoadedCore {
  /** Mesh index. */
  core: number;
  /** Op stream, STRIDE words per instruction. */
  code: Int32Array;
  /** Instructions. */
  length: number;
  /** Mnemonics of the program (for errors and traces). */
  defs: InstrDef[];
  /** Synapse SRAM, (lo, hi) halves per 64-bit word. */
  syn: Uint32Array;
  /** Neuron parameters, zero-padded to neuronsPerCore. */
  params: LoadedParams;
  routes: RouteDest[][];
  /** The WebAssembly popcount kernel whose memory holds `syn` (undefined: JS popcount). */
  kernel: PopcountKernel | undefined;
  /** Byte offset of `syn` in the kernel's memory. */
  synByte: number;
}

export interface LoadedBinary {
  file: string;
  chip: ChipConfig;
  meta: ModelMeta;
  cores: LoadedCore[];
  /** Mesh index -> index into `cores`, or -1 for an idle core. */
  slotOf: Int32Array;
  inputMap: InputBlock[];
  outputMap: OutputMap;
  /** Elements per input sample. */
  inputSize: number;
  /** Axon planes of the input (1 for binary, K for multibit:K). */
  planes: number;
  /** Cycle budget per inference (--max-cycles, or the binary's default; simulator/bounds.ts). */
  maxCycles: number;
  /** Flits one instruction may stage and the network may hold at once (from --max-memory). */
  maxFlits: number;
}

/** Budgets of a simulation (docs/timing.md, "Bounds"). */
export interface LoadOptions {
  /** Memory budget in bytes (default DEFAULT_MAX_MEMORY). */
  maxMemory?: number;
  /** Cycle budget per inference (default: defaultMaxCycles of the binary). */
  maxCycles?: number;
}

/** Validate and precompute; `file` names the binary in every error. */
export function loadBinary(c: BwcContainer, file: string, opts: LoadOptions = {}): LoadedBinary {
  validateContainer(c, file);
  const budget = opts.maxMemory ?? DEFAULT_MAX_MEMORY;
  const staticBytes = checkMemory(c, file, budget);
  const maxCycles = opts.maxCycles ?? defaultMaxCycles(c);
  const maxFlits = flitLimit(budget, staticBytes);
  const chip = c.chip;
  const npc = chip.neuronsPerCore;
  const slotOf = new Int32Array(coreCount(chip)).fill(-1);
  const cores: LoadedCore[] = c.cores.map((img, ci) => {
    slotOf[img.core] = ci;
    const code = new Int32Array(Math.max(1, img.program.length) * STRIDE);
    const defs: InstrDef[] = [];
    img.program.forEach((ins, k) => {
      const di = DEF_INDEX.get(ins.op);
      const def = di === undefined ? undefined : INSTRUCTIONS[di];
      if (di === undefined || !def) throw new BwsnnError(`${file}: core ${img.core} instruction ${k}: unknown instruction ${ins.op}`);
      if (def.fields.length > STRIDE - 1) throw new Error(`ISA table: ${def.mnemonic} has more than ${STRIDE - 1} fields`);
      code[k * STRIDE] = di;
      def.fields.forEach((f, j) => {
        code[k * STRIDE + 1 + j] = ins.args[f.name] ?? 0;
      });
      defs.push(def);
    });
    const np = img.neurons;
    const complex = new Int32Array(npc + 1);
    for (let k = 0; k < npc; k++) complex[k + 1] = complex[k]! + ((np.flags[k] ?? 0) !== 0 || (np.leak[k] ?? 0) !== 0 ? 1 : 0);
    return {
      core: img.core,
      code,
      length: img.program.length,
      defs,
      syn: img.synapses,
      params: {
        ...neuronArrays((f) => (np[f.name].length === npc ? np[f.name] : Array.from({ length: npc }, (_, k) => np[f.name][k] ?? 0))),
        complex,
      },
      routes: img.routes,
      kernel: undefined as PopcountKernel | undefined,
      synByte: 0,
    };
  });
  // Synapse images in the popcount kernel's memory (views; the container's arrays are not changed).
  const made = makeKernel(
    cores.map((k) => 4 * k.syn.length),
    chip.axonLines,
    npc,
  );
  if (made) {
    cores.forEach((k, i) => {
      const at = made.at[i] as number;
      const view = new Uint32Array(made.kernel.u32.buffer, at, k.syn.length);
      view.set(k.syn);
      k.syn = view;
      k.synByte = at;
      k.kernel = made.kernel;
    });
  }
  const inputSize = c.meta.inputShape.reduce((a, b) => a * b, 1);
  const planes = c.meta.encoding.kind === 'multibit' ? c.meta.encoding.bits : 1;
  return { file, chip, meta: c.meta, cores, slotOf, inputMap: c.inputMap, outputMap: c.outputMap, inputSize, planes, maxCycles, maxFlits };
}
