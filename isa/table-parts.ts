/**
 * Operand fields and cost helpers shared by the base instructions (isa/table.ts) and the dataflow
 * instructions (isa/dataflow-table.ts): one definition of each field that both tables use.
 */
import type { ChipConfig } from './chip.js';
import type { FieldDef } from './table.js';

export const reg = (name: string, doc: string): FieldDef => ({ name, bits: 4, kind: 'reg', doc });
export const accSel: FieldDef = { name: 'acc', bits: 1, kind: 'uint', doc: 'accumulator bank: 0 = acc0 (gain g0), 1 = acc1 (gain g1)' };
/** The weight codings of the wmode field of the accumulate instructions (names are models/intmodel.ts's WeightMode). */
export const WMODE = { binary: 0, uint: 1, sint: 2 } as const;
export type WmodeName = keyof typeof WMODE;
export const wmode: FieldDef = {
  name: 'wmode',
  bits: 2,
  kind: 'uint',
  values: WMODE,
  doc: 'weight coding: 0 = binary +-1 (bit 1 = +1), 1 = unsigned planes, 2 = two\'s-complement planes',
};
export const wq: FieldDef = { name: 'wq', bits: 4, kind: 'uint', min: 1, max: 8, doc: 'weight planes (1 for binary)' };
export const ap: FieldDef = { name: 'ap', bits: 4, kind: 'uint', min: 1, max: 8, doc: 'axon planes (1 for spikes; K for a K-bit multibit input)' };

/** Bits the popcount datapath handles per cycle. */
export const width = (c: ChipConfig): number => c.lanes * c.laneBits;
/** Cycles to stream `words` 64-bit words through lanes x laneBits bits per cycle. */
export const stream = (words: number, c: ChipConfig): number => Math.ceil((words * 64) / width(c));
