/**
 * Provenance of a table entry (energy tables, comparison presets, yardsticks, chip timing
 * fields): what kind of number it is, where it comes from and how it was derived.
 *
 * - silicon: measured on a chip;
 * - SPICE: pre-silicon circuit simulation;
 * - calibrated: fitted by a simulator to silicon measurements;
 * - derived: arithmetic on published figures (the derivation says which);
 * - assumption: a number chosen here, with no published figure behind it.
 *
 * An assumption never prints under a citation: `provenanceLabel` prints it as "assumption: ..."
 * with its derivation, never with a source that reads like a reference.
 */
import { BwsnnError } from '../base/errors.js';

export const PROVENANCE_KINDS = ['silicon', 'SPICE', 'calibrated', 'derived', 'assumption'] as const;
export type ProvenanceKind = (typeof PROVENANCE_KINDS)[number];

export interface Provenance {
  kind: ProvenanceKind;
  source: string;
  derivation: string;
}

/** Validate the kind/source/derivation fields of `raw` (an entry named `where`). */
export function parseProvenance(raw: Record<string, unknown>, where: string): Provenance {
  const { kind, source, derivation } = raw;
  if (kind === undefined) throw new BwsnnError(`${where}: missing "kind" (one of ${PROVENANCE_KINDS.join(', ')}): every entry must say what kind of number it is`);
  if (typeof kind !== 'string' || !(PROVENANCE_KINDS as readonly string[]).includes(kind)) {
    throw new BwsnnError(`${where}.kind: must be one of ${PROVENANCE_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  if (source === undefined) throw new BwsnnError(`${where}: missing "source": every number needs a source (for an assumption, say so)`);
  if (typeof source !== 'string' || source.trim() === '') throw new BwsnnError(`${where}.source: every number needs a source (a non-empty string)`);
  if (derivation !== undefined && typeof derivation !== 'string') throw new BwsnnError(`${where}.derivation: must be a string`);
  const d = derivation ?? '';
  if (kind === 'assumption' && d.trim() === '') throw new BwsnnError(`${where}.derivation: an assumption must state what is assumed`);
  return { kind: kind as ProvenanceKind, source, derivation: d };
}

/**
 * One line of provenance for text and HTML: "[kind] source", or for an assumption
 * "[assumption] derivation (basis: source)" so it never reads as a citation.
 */
export function provenanceLabel(p: Provenance): string {
  if (p.kind === 'assumption') return `[assumption] ${p.derivation}${p.source && !/^assumption/i.test(p.source) ? ` (numbers it builds on: ${p.source})` : ''}`;
  return `[${p.kind}] ${p.source}`;
}
