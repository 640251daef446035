/**
 * The instruction builder for code generators: `instr('ACC', { acc, rn, ... })` checks the mnemonic
 * and the operand names against the ISA table when the instruction is built (a missing, misspelled
 * or extra operand is a bug in the generator, reported at once with the table's field list).
 * Operand ranges are checked later, with the binary's place in the message, by the encoder and
 * isa/validate.ts.
 */
import type { Instr } from './container-types.js';
import { BY_MNEMONIC } from './table.js';

export function instr(op: string, args: Readonly<Record<string, number>> = {}): Instr {
  const def = BY_MNEMONIC.get(op);
  if (!def) throw new Error(`instr: the ISA table has no instruction ${op}`);
  const names = def.fields.map((f) => f.name);
  for (const f of names) {
    if (!Number.isInteger(args[f])) throw new Error(`instr: ${op} needs an integer operand ${f} (operands: ${names.join(', ') || 'none'}), got ${String(args[f])}`);
  }
  for (const k of Object.keys(args)) {
    if (!names.includes(k)) throw new Error(`instr: ${op} has no operand ${k} (operands: ${names.join(', ') || 'none'})`);
  }
  return { op, args: { ...args } };
}
