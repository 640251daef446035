/**
 * The neuron record as one declarative table: every per-neuron parameter a core holds, in record
 * order, with its storage type and the chip width that bounds it. The types (NeuronParams), the
 * .bwc writer, reader, measurer and parser (isa/container.ts), the assembler's `.neurons` rows and
 * the disassembler, the compiler's emit and model checks, the simulator's loader and docs all
 * iterate this table. Adding a neuron field is: one row here, its meaning in the executors
 * (models/int-exec.ts, simulator/ref/neuron.ts, the simulator's FIRE kernels) and in the folding
 * that produces it (models/fold.ts), and a new BWC_VERSION.
 */
export const NEURON_FIELDS = [
  { name: 'theta', type: 'i32', bound: 'thresholdBits', doc: 'theta (thresholdBits signed range)' },
  { name: 'bias', type: 'i32', bound: 'biasBits', doc: 'bias (biasBits signed range)' },
  { name: 'vreset', type: 'i32', bound: 'thresholdBits', doc: 'vreset (thresholdBits)' },
  { name: 'g0', type: 'i32', bound: 'thresholdBits', doc: 'g0 (thresholdBits)' },
  { name: 'g1', type: 'i32', bound: 'thresholdBits', doc: 'g1 (thresholdBits)' },
  { name: 'leak', type: 'u8', bound: 'membraneBits', doc: 'leak shift (0..membraneBits)' },
  { name: 'flags', type: 'u8', bound: 'flags', doc: 'flags: bit 0 hard reset, bit 1 no memory; other bits must be 0' },
] as const;

export type NeuronFieldDef = (typeof NEURON_FIELDS)[number];
export type NeuronField = NeuronFieldDef['name'];
type ArrayOf<T extends 'i32' | 'u8'> = T extends 'i32' ? Int32Array : Uint8Array;

/** The per-neuron arrays, one per field of NEURON_FIELDS, typed by its storage type. */
export type NeuronArrays = { [F in NeuronFieldDef as F['name']]: ArrayOf<F['type']> };

/** Field names in record order (the columns of an assembler `.neurons` row). */
export const NEURON_COLUMNS: readonly NeuronField[] = NEURON_FIELDS.map((f) => f.name);

/** Bytes of one neuron's record in the .bwc neurons section. */
export const NEURON_RECORD_BYTES: number = NEURON_FIELDS.reduce((s, f) => s + (f.type === 'i32' ? 4 : 1), 0);

/** Neuron flag: hard reset (v = vreset) instead of soft reset (v -= theta). */
export const NEURON_HARD_RESET = 1;
/** Neuron flag: no membrane memory (v = 0 at the start of every update, before leak). */
export const NEURON_NO_MEMORY = 2;

/** The neurons section's table in docs/container.md (tested to be there verbatim). */
export function neuronSectionDoc(): string {
  return [
    '| size | field |',
    '|---|---|',
    '| u32 | neuron count N (<= neuronsPerCore) |',
    ...NEURON_FIELDS.map((f) => `| N x ${f.type} | ${f.doc} |`),
    '',
    `Section length = 4 + ${NEURON_RECORD_BYTES}N. Neuron j's ${NEURON_FIELDS[0].name} is at section offset 4 + 4j.`,
  ].join('\n');
}

/** A typed array for field `f` holding `values` (a count: zeros). */
export function neuronArray<F extends NeuronFieldDef>(f: F, values: number | ArrayLike<number>): ArrayOf<F['type']> {
  const a = f.type === 'i32' ? (typeof values === 'number' ? new Int32Array(values) : Int32Array.from(values)) : typeof values === 'number' ? new Uint8Array(values) : Uint8Array.from(values);
  return a as ArrayOf<F['type']>;
}

/** Arrays for every field, each from `values(field)` (a count: zeros). */
export function neuronArrays(values: (f: NeuronFieldDef) => number | ArrayLike<number>): NeuronArrays {
  return Object.fromEntries(NEURON_FIELDS.map((f) => [f.name, neuronArray(f, values(f))])) as unknown as NeuronArrays;
}
