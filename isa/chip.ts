/**
 * The BW-Core chip configuration: the one place where a hardware number lives.
 *
 * Every field is declared once in CHIP_FIELDS with its type, range, default and description
 * (gem5-style). The compiler reads its limits from a ChipConfig and the simulator its timing;
 * nothing else may hard-code these numbers. `docs/chip.md` is generated from CHIP_FIELDS.
 */
import { BwsnnError } from '../base/errors.js';
import { parseProvenance, type Provenance } from './provenance.js';
import { excerpt } from './excerpt.js';

export interface ChipConfig {
  /** Human-readable preset name. */
  name: string;
  /** Mesh columns (X). */
  meshX: number;
  /** Mesh rows (Y). */
  meshY: number;
  /** Neurons per core (neuron state memory entries). */
  neuronsPerCore: number;
  /** Width of the signed membrane potential register, bits (saturating). */
  membraneBits: number;
  /** Width of the signed threshold, reset value and gains, bits. */
  thresholdBits: number;
  /** Width of the signed per-neuron bias, bits. */
  biasBits: number;
  /** Synapse SRAM per core, bytes (multiple of 8: it holds 64-bit words). */
  synapseSramBytes: number;
  /** Axon (input spike) buffer lines per bank; one line is one 64-bit spike word. */
  axonLines: number;
  /** Instruction memory per core, 64-bit instruction words. */
  instrMemWords: number;
  /** Routing table entries (destination records) per core. */
  routeEntries: number;
  /** Popcount lanes per core. */
  lanes: number;
  /** Bits each popcount lane processes per cycle. */
  laneBits: number;
  /** Neuron update units per core (neurons updated per cycle). */
  neuronUnits: number;
  /** Datapath pipeline depth: fill cycles paid once by every vector instruction. */
  pipelineDepth: number;
  /** Extra cycles of a taken branch. */
  branchPenalty: number;
  /** Core clock, Hz. */
  clockHz: number;
  /** Cycles a flit spends in a router (route compute + switch). */
  routerLatency: number;
  /** Cycles a flit spends on a link between two routers. */
  linkLatency: number;
  /** Cycles from the last core reaching a barrier (and the network draining) to release. */
  barrierLatency: number;
  /**
   * How the synapse, neuron and axon memories are split into banks (energy per access follows
   * from a bank's size: simulator/energy/sram.ts). Optional; default: one synapse bank per
   * popcount lane, one neuron bank, one axon bank per buffer. Stored in a .bwc (chip section,
   * container version 3), so a binary is priced with the banks it was compiled for.
   */
  banks?: MemoryBankCounts;
}

export interface MemoryBankCounts {
  synapse?: number;
  neuron?: number;
  axon?: number;
}

export const BANKED_MEMORIES = ['synapse', 'neuron', 'axon', 'accumulator', 'instruction'] as const;
export type BankedMemory = (typeof BANKED_MEMORIES)[number];

export interface MemoryBank {
  /** Banks the memory is split into. */
  banks: number;
  /** Bytes per bank. */
  bankBytes: number;
  /** Bits of one access (a row the hardware reads at once). */
  widthBits: number;
  /** How the bank follows from the chip config. */
  derivation: string;
}

/**
 * The banks of each memory of a core: synapse SRAM / banks.synapse (default: lanes) with 64-bit
 * words; neuron state neuronsPerCore x 128-bit rows / banks.neuron (default 1); each axon buffer
 * axonLines x 64 bits / banks.axon (default 1); accumulators acc0 and acc1, one bank each of
 * neuronsPerCore x 32 bits; instruction memory instrMemWords x 64 bits, one bank.
 */
export function memoryBanks(c: ChipConfig): Record<BankedMemory, MemoryBank> {
  const s = c.banks?.synapse ?? c.lanes;
  const n = c.banks?.neuron ?? 1;
  const a = c.banks?.axon ?? 1;
  return {
    synapse: { banks: s, bankBytes: c.synapseSramBytes / s, widthBits: 64, derivation: `synapseSramBytes ${c.synapseSramBytes} / ${s} bank(s)${c.banks?.synapse === undefined ? ' (default: one per popcount lane)' : ''}` },
    neuron: { banks: n, bankBytes: (c.neuronsPerCore * 16) / n, widthBits: 128, derivation: `neuronsPerCore ${c.neuronsPerCore} x 16 B (128-bit row) / ${n} bank(s)` },
    axon: { banks: a, bankBytes: (c.axonLines * 8) / a, widthBits: 64, derivation: `axonLines ${c.axonLines} x 8 B per buffer / ${a} bank(s)` },
    accumulator: { banks: 2, bankBytes: c.neuronsPerCore * 4, widthBits: 32, derivation: `acc0 and acc1: neuronsPerCore ${c.neuronsPerCore} x 32 bits each` },
    instruction: { banks: 1, bankBytes: c.instrMemWords * 8, widthBits: 64, derivation: `instrMemWords ${c.instrMemWords} x 8 B` },
  };
}

/** Bank counts from JSON: an object of integers 1..4096 keyed synapse, neuron, axon. */
export function parseBanks(v: unknown, where: string): MemoryBankCounts {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BwsnnError(`${where}: field "banks" must be an object { synapse?, neuron?, axon? }`);
  const out: MemoryBankCounts = {};
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) {
    if (k !== 'synapse' && k !== 'neuron' && k !== 'axon') throw new BwsnnError(`${where}: unknown field "banks.${k}" (known: synapse, neuron, axon)`);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4096) throw new BwsnnError(`${where}: field "banks.${k}" must be an integer 1..4096, got ${JSON.stringify(n)}`);
    out[k] = n;
  }
  return out;
}

/** Throws when a bank count does not divide its memory (also used by the container validator). */
export function checkBanks(c: ChipConfig, where: string): void {
  const b = c.banks;
  if (!b) return;
  if (b.synapse !== undefined && c.synapseSramBytes % (8 * b.synapse) !== 0) {
    throw new BwsnnError(`${where}: banks.synapse = ${b.synapse} does not divide synapseSramBytes = ${c.synapseSramBytes} into whole 64-bit words`);
  }
  if (b.neuron !== undefined && c.neuronsPerCore % b.neuron !== 0) {
    throw new BwsnnError(`${where}: banks.neuron = ${b.neuron} does not divide neuronsPerCore = ${c.neuronsPerCore}`);
  }
  if (b.axon !== undefined && c.axonLines % b.axon !== 0) {
    throw new BwsnnError(`${where}: banks.axon = ${b.axon} does not divide axonLines = ${c.axonLines}`);
  }
}

export type ChipField = Exclude<keyof ChipConfig, 'name' | 'banks'>;

export interface ChipFieldSpec {
  min: number;
  max: number;
  /** Must be a power of two. */
  pow2?: boolean;
  /** Must be a multiple of this. */
  multipleOf?: number;
  integer: boolean;
  unit: string;
  description: string;
}

/** Declared once: range, unit and meaning of every chip parameter. */
export const CHIP_FIELDS: Record<ChipField, ChipFieldSpec> = {
  meshX: { min: 1, max: 64, integer: true, unit: 'cores', description: 'Mesh columns (X dimension).' },
  meshY: { min: 1, max: 64, integer: true, unit: 'cores', description: 'Mesh rows (Y dimension).' },
  neuronsPerCore: { min: 1, max: 65535, integer: true, unit: 'neurons', description: 'Neuron state entries per core.' },
  membraneBits: { min: 4, max: 32, integer: true, unit: 'bits', description: 'Signed saturating membrane potential width.' },
  thresholdBits: { min: 4, max: 32, integer: true, unit: 'bits', description: 'Signed width of threshold, reset value and branch gains.' },
  biasBits: { min: 4, max: 32, integer: true, unit: 'bits', description: 'Signed width of the per-neuron bias.' },
  synapseSramBytes: { min: 8, max: 1 << 30, multipleOf: 8, integer: true, unit: 'bytes', description: 'Synapse SRAM per core (64-bit words).' },
  axonLines: { min: 1, max: 1 << 20, integer: true, unit: '64-bit lines', description: 'Axon buffer lines per bank (double-buffered).' },
  instrMemWords: { min: 1, max: 1 << 16, integer: true, unit: 'instructions', description: 'Instruction memory per core (64-bit words).' },
  routeEntries: { min: 1, max: 4096, integer: true, unit: 'entries', description: 'Routing-table destination records per core.' },
  lanes: { min: 1, max: 64, integer: true, unit: 'lanes', description: 'Popcount lanes per core.' },
  laneBits: { min: 16, max: 512, pow2: true, integer: true, unit: 'bits/cycle', description: 'Bits each popcount lane processes per cycle.' },
  neuronUnits: { min: 1, max: 64, integer: true, unit: 'neurons/cycle', description: 'Neuron update units per core.' },
  pipelineDepth: { min: 0, max: 64, integer: true, unit: 'cycles', description: 'Fill cycles paid once by each vector instruction.' },
  branchPenalty: { min: 0, max: 64, integer: true, unit: 'cycles', description: 'Extra cycles of a taken branch.' },
  clockHz: { min: 1e3, max: 1e10, integer: false, unit: 'Hz', description: 'Core and network clock.' },
  routerLatency: { min: 0, max: 64, integer: true, unit: 'cycles', description: 'Cycles a flit spends in each router it crosses.' },
  linkLatency: { min: 1, max: 64, integer: true, unit: 'cycles', description: 'Cycles a flit spends on each link.' },
  barrierLatency: { min: 0, max: 1 << 20, integer: true, unit: 'cycles', description: 'Fixed part of a barrier: the release comes barrierLatency + 2 x ((meshX - 1) + (meshY - 1)) x (routerLatency + linkLatency) cycles after all cores reached it and the network is empty (docs/timing.md).' },
};

/** Timing fields: every one carries its kind, source and rationale (docs/chip.md, docs/timing.md). */
export const TIMING_FIELDS = ['clockHz', 'pipelineDepth', 'branchPenalty', 'routerLatency', 'linkLatency', 'barrierLatency'] as const satisfies readonly ChipField[];

const DESIGN = '../shared/DESIGN.md, "The chip": the project\'s design defaults';
const LOIHI = 'M. Davies et al., Loihi, IEEE Micro 38(1), 2018, energy/performance table [SPICE, 14 nm]';
const RAW_TIMING_PROVENANCE: Record<(typeof TIMING_FIELDS)[number], Record<string, unknown>> = {
  clockHz: {
    kind: 'assumption',
    source: DESIGN,
    derivation: 'ASSUMPTION: 200 MHz, the design default (no silicon); a 45 nm SRAM-bound datapath whose cycle holds one synapse SRAM read. Loihi is asynchronous (no clock to compare with)',
  },
  pipelineDepth: {
    kind: 'assumption',
    source: DESIGN,
    derivation: 'ASSUMPTION: three stages filled once per vector instruction: decode/address, synapse SRAM read, popcount + accumulate',
  },
  branchPenalty: {
    kind: 'assumption',
    source: DESIGN,
    derivation: 'ASSUMPTION: one fetch bubble for a taken branch resolved at decode',
  },
  routerLatency: {
    kind: 'assumption',
    source: LOIHI,
    derivation: 'ASSUMPTION: a two-stage router (route compute, switch traversal), one cycle each. For scale: Loihi\'s hop takes 4.1 ns east-west, 6.5 ns north-south (0.8 and 1.3 cycles at 200 MHz), router and link together',
  },
  linkLatency: {
    kind: 'assumption',
    source: LOIHI,
    derivation: 'ASSUMPTION: one cycle on the wire between adjacent cores (see routerLatency for Loihi\'s hop times)',
  },
  barrierLatency: {
    kind: 'assumption',
    source: LOIHI,
    derivation: 'ASSUMPTION: 32 cycles (160 ns at 200 MHz), the fixed part of the barrier (detecting that every core halted and the network is empty, then the release); Loihi\'s mesh barrier takes 113-465 ns per time step from 1 to 32 tiles, i.e. it grows with the mesh',
  },
};

/** Parsed once at load: a timing field without kind or source is refused here, naming it. */
export const TIMING_PROVENANCE: Readonly<Record<(typeof TIMING_FIELDS)[number], Provenance>> = Object.fromEntries(
  TIMING_FIELDS.map((k) => [k, parseProvenance(RAW_TIMING_PROVENANCE[k], `isa/chip.ts: timing field ${k}`)]),
) as Record<(typeof TIMING_FIELDS)[number], Provenance>;

/** The defaults of DESIGN.md: a 4x4 mesh of 1024-neuron cores at 200 MHz. */
export const DEFAULT_CHIP: Readonly<ChipConfig> = Object.freeze({
  name: 'bw-core-4x4',
  meshX: 4,
  meshY: 4,
  neuronsPerCore: 1024,
  membraneBits: 16,
  thresholdBits: 16,
  biasBits: 16,
  synapseSramBytes: 128 * 1024,
  axonLines: 8192,
  instrMemWords: 4096,
  routeEntries: 256,
  lanes: 4,
  laneBits: 64,
  neuronUnits: 4,
  pipelineDepth: 3,
  branchPenalty: 1,
  clockHz: 200e6,
  routerLatency: 2,
  linkLatency: 1,
  barrierLatency: 32,
});

// The named presets (CHIP_PRESETS) live in isa/presets.ts.

/**
 * Cycles from the last core reaching a barrier (network empty) to its release: the fixed
 * `barrierLatency` plus a gather and a broadcast across the mesh diameter, each hop a router and
 * a link: barrierLatency + 2 x ((meshX - 1) + (meshY - 1)) x (routerLatency + linkLatency).
 * (A diameter model: the barrier grows with the mesh, as Loihi's does, 113-465 ns from 1 to 32
 * tiles, Davies et al. 2018.) Default 4x4 chip: 32 + 2 x 6 x 3 = 68 cycles.
 */
export function barrierCycles(c: ChipConfig): number {
  return c.barrierLatency + 2 * (c.meshX - 1 + (c.meshY - 1)) * (c.routerLatency + c.linkLatency);
}

/** Cores on the chip. */
export function coreCount(c: ChipConfig): number {
  return c.meshX * c.meshY;
}

/** Synapse SRAM per core in 64-bit words. */
export function synapseWords(c: ChipConfig): number {
  return c.synapseSramBytes / 8;
}

/** 64-bit words the popcount datapath consumes per cycle (may be fractional for narrow lanes). */
export function wordsPerCycle(c: ChipConfig): number {
  return (c.lanes * c.laneBits) / 64;
}

/** Smallest and largest value of a signed field of `bits` bits. */
export function signedRange(bits: number): [number, number] {
  return [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

/** Core index <-> mesh coordinate: core = y * meshX + x. */
export function coreXY(c: ChipConfig, core: number): [number, number] {
  return [core % c.meshX, Math.floor(core / c.meshX)];
}

/**
 * Validate an untrusted value as a ChipConfig. Missing fields take the default preset's values
 * (so a JSON file may override only what it changes); unknown fields, wrong types and values out
 * of range are refused with the field name. `where` names the file in the error.
 */
export function parseChipConfig(raw: unknown, where = 'chip config'): ChipConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BwsnnError(`${where}: expected a JSON object`);
  }
  const obj = raw as Record<string, unknown>;
  const out: Record<string, unknown> = { ...DEFAULT_CHIP };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'name') {
      if (typeof v !== 'string' || v.length === 0 || v.length > 64) {
        throw new BwsnnError(`${where}: field "name" must be a non-empty string of at most 64 characters`);
      }
      out.name = v;
      continue;
    }
    if (k === '$schema' || k === 'description') continue;
    if (k === 'banks') {
      out.banks = parseBanks(v, where);
      continue;
    }
    if (!(k in CHIP_FIELDS)) {
      throw new BwsnnError(`${where}: unknown field ${excerpt(k)} (known: name, ${Object.keys(CHIP_FIELDS).join(', ')}, banks)`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new BwsnnError(`${where}: field "${k}" must be a finite number, got ${excerpt(v)}`);
    }
    checkField(k as ChipField, v, where);
    out[k] = v;
  }
  const cfg = out as unknown as ChipConfig;
  checkConsistency(cfg, where);
  return cfg;
}

/** Check one field's value against its declared type and range (throws BwsnnError naming it). */
export function checkField(k: ChipField, v: number, where: string): void {
  const spec = CHIP_FIELDS[k];
  if (spec.integer && !Number.isInteger(v)) throw new BwsnnError(`${where}: field "${k}" must be an integer, got ${v}`);
  if (v < spec.min || v > spec.max) {
    throw new BwsnnError(`${where}: field "${k}" = ${v} is out of range [${spec.min}, ${spec.max}] ${spec.unit}`);
  }
  if (spec.pow2 && (v & (v - 1)) !== 0) throw new BwsnnError(`${where}: field "${k}" = ${v} must be a power of two`);
  if (spec.multipleOf && v % spec.multipleOf !== 0) {
    throw new BwsnnError(`${where}: field "${k}" = ${v} must be a multiple of ${spec.multipleOf}`);
  }
}

/** Cross-field rules a config must obey. */
function checkConsistency(c: ChipConfig, where: string): void {
  for (const k of Object.keys(CHIP_FIELDS) as ChipField[]) checkField(k, c[k], where);
  checkBanks(c, where);
  if (coreCount(c) > 4096) throw new BwsnnError(`${where}: meshX*meshY = ${coreCount(c)} cores exceeds 4096`);
  if (c.thresholdBits > c.membraneBits) {
    throw new BwsnnError(`${where}: thresholdBits (${c.thresholdBits}) must not exceed membraneBits (${c.membraneBits})`);
  }
  if (c.biasBits > c.membraneBits) {
    throw new BwsnnError(`${where}: biasBits (${c.biasBits}) must not exceed membraneBits (${c.membraneBits})`);
  }
}

/** Field-by-field equality (used to check a binary's embedded config against a requested one). */
export function chipConfigEquals(a: ChipConfig, b: ChipConfig): boolean {
  if (a.name !== b.name) return false;
  return (Object.keys(CHIP_FIELDS) as ChipField[]).every((k) => a[k] === b[k]);
}
