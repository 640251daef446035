/**
 * Instruction encoder and decoder, generic over INSTRUCTIONS (isa/table.ts).
 *
 * A word is 64 bits, little-endian, handed around as two uint32 halves [lo, hi]. Bits 0..7 hold
 * the opcode; the fields follow from bit 8 upward in table order, signed fields in two's
 * complement; every bit above the last field must be zero. BigInt is used for clarity: words are
 * encoded and decoded once (at assembly / load time), never in the simulator's hot loop.
 */
import { BwsnnError, ContainerError } from '../base/errors.js';
import type { Instr } from './container-types.js';
import { BY_MNEMONIC, BY_OPCODE, fieldRange, type FieldDef, type InstrDef } from './table.js';

/** Where a word came from, for error messages: a plain prefix, or a container section and byte. */
export type DecodeWhere = string | { file: string; section: string; offset: number };

const OPCODE_BITS = 8;

export interface FieldSlot {
  readonly field: FieldDef;
  /** Lowest bit. */
  readonly lo: number;
  /** Highest bit. */
  readonly hi: number;
}

const LAYOUTS = new Map<InstrDef, readonly FieldSlot[]>();

/** Bit position of each field of an instruction (from bit 8 upward in table order). */
export function fieldLayout(def: InstrDef): readonly FieldSlot[] {
  let lay = LAYOUTS.get(def);
  if (!lay) {
    lay = computeLayout(def);
    LAYOUTS.set(def, lay);
  }
  return lay;
}

function computeLayout(def: InstrDef): FieldSlot[] {
  const out: FieldSlot[] = [];
  let pos = OPCODE_BITS;
  for (const f of def.fields) {
    out.push({ field: f, lo: pos, hi: pos + f.bits - 1 });
    pos += f.bits;
  }
  if (pos > 64) throw new Error(`ISA table: ${def.mnemonic} needs ${pos} bits (> 64)`);
  return out;
}

/** Bits used by an instruction (opcode + fields). */
export function usedBits(def: InstrDef): number {
  return def.fields.reduce((s, f) => s + f.bits, OPCODE_BITS);
}

const RANGES = new Map<FieldDef, [number, number]>();

/**
 * Check one operand value against its field; returns an error text or undefined.
 * Used by the encoder, the container validator and the assembler.
 */
export function checkOperand(def: InstrDef, f: FieldDef, v: number): string | undefined {
  if (!Number.isInteger(v)) return `${def.mnemonic} operand ${f.name} must be an integer, got ${v}`;
  let range = RANGES.get(f);
  if (!range) {
    range = fieldRange(f);
    RANGES.set(f, range);
  }
  const [lo, hi] = range;
  if (v < lo || v > hi) return `${def.mnemonic} operand ${f.name} = ${v} is out of range [${lo}, ${hi}]`;
  return undefined;
}

/** Check an instruction's mnemonic and operand set; returns the definition or an error text. */
export function checkInstr(i: Instr): InstrDef | string {
  const def = BY_MNEMONIC.get(i.op);
  if (!def) return `unknown instruction ${JSON.stringify(i.op)}`;
  for (const k of Object.keys(i.args)) {
    if (!def.fields.some((f) => f.name === k)) return `${def.mnemonic} has no operand ${k}`;
  }
  for (const f of def.fields) {
    const v = i.args[f.name];
    if (v === undefined) return `${def.mnemonic} operand ${f.name} is missing`;
    const err = checkOperand(def, f, v);
    if (err) return err;
  }
  return def;
}

/** Encode one instruction as [lo, hi] uint32 halves. Throws BwsnnError on a bad instruction. */
export function encodeInstr(i: Instr): [lo: number, hi: number] {
  const def = checkInstr(i);
  if (typeof def === 'string') throw new BwsnnError(def);
  let word = BigInt(def.opcode);
  for (const { field, lo } of fieldLayout(def)) {
    let v = BigInt(i.args[field.name] as number);
    if (v < 0n) v += 1n << BigInt(field.bits);
    word |= v << BigInt(lo);
  }
  return [Number(word & 0xffffffffn), Number(word >> 32n)];
}

function fail(where: DecodeWhere, what: string): never {
  if (typeof where === 'string') throw new BwsnnError(`${where}: ${what}`);
  throw new ContainerError(where.file, where.section, where.offset, what);
}

/** Decode one instruction word; refuses unknown opcodes and non-zero unused bits. */
export function decodeInstr(lo: number, hi: number, where: DecodeWhere): Instr {
  const word = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const opcode = Number(word & 0xffn);
  const def = BY_OPCODE.get(opcode);
  if (!def) fail(where, `unknown opcode 0x${opcode.toString(16).padStart(2, '0')}`);
  const used = usedBits(def);
  if (used < 64 && word >> BigInt(used) !== 0n) {
    fail(where, `${def.mnemonic}: reserved bits ${used}..63 are not zero (word 0x${word.toString(16).padStart(16, '0')})`);
  }
  const args: Record<string, number> = {};
  for (const { field, lo: pos } of fieldLayout(def)) {
    const mask = (1n << BigInt(field.bits)) - 1n;
    let v = (word >> BigInt(pos)) & mask;
    if (field.kind === 'sint' && v >> BigInt(field.bits - 1) === 1n) v -= 1n << BigInt(field.bits);
    const n = Number(v);
    const err = checkOperand(def, field, n);
    if (err) fail(where, err);
    args[field.name] = n;
  }
  return { op: def.mnemonic, args };
}
