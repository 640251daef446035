/**
 * The neuron record as one declarative table: every per-neuron parameter a core holds, in record
 * order, with its storage type and the chip width that bounds it. The types (NeuronParams), the
 * .bwc section schema (isa/container-schema.ts: writer, measurer, parser), the reader (isa/container.ts), the assembler's `.neurons` rows and
 * the disassembler, the compiler's emit and model checks, the simulator's loader and docs all
 * iterate this table. Adding a neuron field is: one row here, its meaning in the executors
 * (models/int-exec.ts, simulator/ref/neuron.ts, the simulator's FIRE kernels) and in the folding
 * that produces it (models/fold.ts), and a new BWC_VERSION: the row's `since` is that version. A
 * container is written in the oldest version that holds its content (fields of later versions all
 * zero: the old version), so binaries without the new fields keep their bytes; readers accept
 * every version and read a missing field as zeros.
 */
export const NEURON_FIELDS = [
  { name: 'theta', type: 'i32', bound: 'thresholdBits', doc: 'theta (thresholdBits signed range)', since: 1 },
  { name: 'bias', type: 'i32', bound: 'biasBits', doc: 'bias (biasBits signed range)', since: 1 },
  { name: 'vreset', type: 'i32', bound: 'thresholdBits', doc: 'vreset (thresholdBits)', since: 1 },
  { name: 'g0', type: 'i32', bound: 'thresholdBits', doc: 'g0 (thresholdBits)', since: 1 },
  { name: 'g1', type: 'i32', bound: 'thresholdBits', doc: 'g1 (thresholdBits)', since: 1 },
  { name: 'leak', type: 'u8', bound: 'membraneBits', doc: 'leak shift (0..membraneBits)', since: 1 },
  { name: 'flags', type: 'u8', bound: 'flags', doc: 'flags: bit 0 hard reset, bit 1 no memory, bit 2 current-based (CubaLIF; version 2); other bits must be 0', since: 1 },
  { name: 'decay', type: 'i32', bound: 'decay', doc: 'multiplicative membrane decay d: v -= (v * d) >> 12 (0..4096; 0 = none; version 2)', since: 2 },
  { name: 'sdecay', type: 'i32', bound: 'decay', doc: 'synaptic current decay d: i -= (i * d) >> 12 (0..4096; flag bit 2 only; version 2)', since: 2 },
] as const;

export type NeuronFieldDef = (typeof NEURON_FIELDS)[number];
export type NeuronField = NeuronFieldDef['name'];
type ArrayOf<T extends 'i32' | 'u8'> = T extends 'i32' ? Int32Array : Uint8Array;

/** The per-neuron arrays, one per field of NEURON_FIELDS, typed by its storage type. */
export type NeuronArrays = { [F in NeuronFieldDef as F['name']]: ArrayOf<F['type']> };

/** Field names in record order (the columns of an assembler `.neurons` row). */
export const NEURON_COLUMNS: readonly NeuronField[] = NEURON_FIELDS.map((f) => f.name);

/** Bytes of one neuron's record in the .bwc neurons section (the newest version). */
export const NEURON_RECORD_BYTES: number = NEURON_FIELDS.reduce((s, f) => s + (f.type === 'i32' ? 4 : 1), 0);

/** The fields a container of format `version` stores, in record order. */
export function neuronFieldsOf(version: number): readonly NeuronFieldDef[] {
  return NEURON_FIELDS.filter((f) => f.since <= version);
}

/** Bytes of one neuron's record in a container of format `version`. */
export function neuronRecordBytes(version: number): number {
  return neuronFieldsOf(version).reduce((s, f) => s + (f.type === 'i32' ? 4 : 1), 0);
}

/** The oldest format version that holds these neurons: every field of a later version is zero. */
export function neuronVersion(n: Partial<NeuronArrays>): number {
  let v = 1;
  for (const f of NEURON_FIELDS) {
    const a = n[f.name];
    if (!a) continue;
    if (f.since > v && a.some((x) => x !== 0)) v = f.since;
    if (f.name === 'flags' && a.some((x) => (x & ~(NEURON_HARD_RESET | NEURON_NO_MEMORY)) !== 0)) v = Math.max(v, 2);
  }
  return v;
}

/** Neuron flag: hard reset (v = vreset) instead of soft reset (v -= theta). */
export const NEURON_HARD_RESET = 1;
/** Neuron flag: no membrane memory (v = 0 at the start of every update, before leak). */
export const NEURON_NO_MEMORY = 2;
/**
 * Neuron flag: current-based (CubaLIF): the accumulated input goes into a second state, the
 * synaptic current i (i -= (i * sdecay) >> 12; i += acc0*g0 + acc1*g1 + bias), and v += i.
 */
export const NEURON_CURRENT = 4;
/** Every neuron flag. */
export const NEURON_FLAG_BITS = NEURON_HARD_RESET | NEURON_NO_MEMORY | NEURON_CURRENT;
/** Fraction bits of the multiplicative decays (decay, sdecay): d / 2^12, as Loihi's 12-bit decays. */
export const DECAY_BITS = 12;
/** Largest decay constant: 2^DECAY_BITS (the state is cleared every step). */
export const DECAY_MAX = 2 ** DECAY_BITS;

/** The multiplicative decay of one state value (an integer): x - floor(x * d / 2^12), exact in f64. */
export function decayed(x: number, d: number): number {
  return d === 0 ? x : x - Math.floor((x * d) / DECAY_MAX);
}

/** The neurons section's table in docs/container.md (tested to be there verbatim). */
export function neuronSectionDoc(): string {
  return [
    '| size | field |',
    '|---|---|',
    '| u32 | neuron count N (<= neuronsPerCore) |',
    ...NEURON_FIELDS.map((f) => `| N x ${f.type} | ${f.doc} |`),
    '',
    `Section length = 4 + ${NEURON_RECORD_BYTES}N (version 1 containers: 4 + ${neuronRecordBytes(1)}N, without the version 2 fields). Neuron j's ${NEURON_FIELDS[0].name} is at section offset 4 + 4j.`,
  ].join('\n');
}

/** A typed array for field `f` holding `values` (a count: zeros). */
export function neuronArray<F extends NeuronFieldDef>(f: F, values: number | ArrayLike<number>): ArrayOf<F['type']> {
  // The constructors copy (and convert) an array or typed array like `from`, typed arrays at once.
  const a = f.type === 'i32' ? (typeof values === 'number' ? new Int32Array(values) : new Int32Array(values as ArrayLike<number>)) : typeof values === 'number' ? new Uint8Array(values) : new Uint8Array(values as ArrayLike<number>);
  return a as ArrayOf<F['type']>;
}

/** Arrays for every field, each from `values(field)` (a count: zeros). */
export function neuronArrays(values: (f: NeuronFieldDef) => number | ArrayLike<number>): NeuronArrays {
  return Object.fromEntries(NEURON_FIELDS.map((f) => [f.name, neuronArray(f, values(f))])) as unknown as NeuronArrays;
}
