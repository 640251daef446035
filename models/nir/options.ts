/** Parsing of the NIR command-line option values (shared by `bwsnn import` and `bwsnn compile`). */
import { BwsnnError } from '../../isa/errors.js';
import type { InputEncoding } from '../graph.js';

/** `binary:THRESHOLD` or `multibit:K`; usage error (exit 2) otherwise. */
export function parseInputEncoding(text: string): InputEncoding {
  const m = /^(binary|multibit):(.+)$/.exec(text.trim());
  if (m && m[1] === 'binary') {
    const t = Number(m[2]);
    if (m[2]!.trim() !== '' && Number.isFinite(t)) return { kind: 'binary', threshold: t };
  }
  if (m && m[1] === 'multibit') {
    const k = Number(m[2]);
    if (Number.isInteger(k) && k >= 1 && k <= 16) return { kind: 'multibit', bits: k };
  }
  throw new BwsnnError(`--input-encoding: expected binary:THRESHOLD (a number) or multibit:K (K in 1..16), got ${JSON.stringify(text)}`, 2);
}

/** A number option; usage error (exit 2) when it is not one. */
export function parseNumberOption(name: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new BwsnnError(`${name}: expected a number, got ${JSON.stringify(text)}`, 2);
  return v;
}
