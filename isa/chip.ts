/**
 * The BW-Core chip configuration: the one place where a hardware number lives.
 *
 * Every field is declared once in CHIP_FIELDS with its type, range, default and description
 * (gem5-style). The compiler reads its limits from a ChipConfig and the simulator its timing;
 * nothing else may hard-code these numbers. `docs/chip.md` is generated from CHIP_FIELDS.
 */
import { BwsnnError } from './errors.js';
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
}

export type ChipField = Exclude<keyof ChipConfig, 'name'>;

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
  barrierLatency: { min: 0, max: 1 << 20, integer: true, unit: 'cycles', description: 'Cycles from all cores at the barrier and an empty network to release.' },
};

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

export const CHIP_PRESETS: Readonly<Record<string, Readonly<ChipConfig>>> = Object.freeze({
  [DEFAULT_CHIP.name]: DEFAULT_CHIP,
});

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
    if (!(k in CHIP_FIELDS)) {
      throw new BwsnnError(`${where}: unknown field ${excerpt(k)} (known: name, ${Object.keys(CHIP_FIELDS).join(', ')})`);
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
