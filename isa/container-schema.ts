/**
 * The .bwc sections as declarative schemas: one field list per section kind, in byte order. Each
 * schema drives the section's size, the byte offset of any item in it (error locations), the
 * writer, the bounds-checked measurer run before decoding, the binary-parser decoder and the
 * section's table in docs/container.md (tested verbatim). isa/container.ts maps containers to and
 * from the records these schemas describe; docs/container.md's prose around the tables holds the
 * semantic checks (isa/validate.ts).
 *
 * A record is a plain object keyed by field name. Length fields (`lengthOf`) are written from the
 * length of the field they count (string bytes, array elements / `per`, list items); a record may
 * instead give them as numbers and leave the counted array out (sizes and offsets only).
 */
import { Parser } from 'binary-parser';
import { ContainerError } from '../base/errors.js';
import { CHIP_FIELDS } from './chip.js';
import { BWC_VERSION } from './container-types.js';
import { neuronFieldsOf } from './neuron-record.js';
import type { SectionKind } from './validate.js';

type Scalar = 'u8' | 'u16' | 'u32' | 'i32' | 'f64';
type Elem = 'u8' | 'u32' | 'i32' | 'f64';

export type Field =
  /** A number; `lengthOf` names the later field it counts (`per` elements per unit), `sym` its symbol in the docs; `values`: the allowed codes 0..n-1 and their meaning. */
  | { name: string; t: Scalar; doc: string; lengthOf?: string; per?: number; sym?: string; values?: readonly string[]; what?: string }
  /** UTF-8 bytes, as many as the earlier field `length`. */
  | { name: string; t: 'utf8'; length: string; doc: string; what?: string }
  /** Numbers, as many as a fixed count or the earlier field `length` (times `per`). */
  | { name: string; t: 'array'; of: Elem; length: string | number; per?: number; doc: string; docSize?: string; what?: string }
  /** Records, as many as the earlier field `length`; `item` names one in docs and errors. */
  | { name: string; t: 'list'; length: string; item: string; of: readonly Field[]; what?: string };

export type Rec = Record<string, unknown>;

const BYTES: Record<Scalar | Elem, number> = { u8: 1, u16: 2, u32: 4, i32: 4, f64: 8 };
const utf8 = new TextEncoder();
const CHIP_KEYS = Object.keys(CHIP_FIELDS);

const u32 = (name: string, doc: string, what?: string): Field => ({ name, t: 'u32', doc, ...(what ? { what } : {}) });

/** The chip section of a container of format `version` (version 3 appended the memory bank counts). */
function chipSchema(version: number): readonly Field[] {
  const v1: Field[] = [
    { name: 'nameLen', t: 'u8', lengthOf: 'name', sym: 'L', doc: 'name length L (1..255)', what: 'name length' },
    { name: 'name', t: 'utf8', length: 'nameLen', doc: 'chip name (UTF-8)', what: 'chip name' },
    { name: 'fields', t: 'array', of: 'f64', length: CHIP_KEYS.length, doc: `the chip fields in \`CHIP_FIELDS\` order: ${CHIP_KEYS.join(', ')}`, what: 'chip fields' },
  ];
  const banks: Field = { name: 'banks', t: 'array', of: 'u32', length: 3, doc: 'memory banks of the synapse, neuron and axon memories (0 = the default: one per lane, 1, 1; version 3)', what: 'memory banks' };
  return version >= 3 ? [...v1, banks] : v1;
}

/** The meta section of a container of format `version` (version 3 appended the input range and data set). */
function metaSchema(version: number): readonly Field[] {
  const v1: Field[] = [
    { name: 'nameLen', t: 'u16', lengthOf: 'name', sym: 'L', doc: 'name length L (0..255)', what: 'name length' },
    { name: 'name', t: 'utf8', length: 'nameLen', doc: 'model name (UTF-8)', what: 'model name' },
    { name: 'timesteps', t: 'u16', doc: 'timesteps T (1..255)' },
    { name: 'encKind', t: 'u8', values: ['binary', 'multibit'], doc: 'encoding kind: 0 = binary, 1 = multibit', what: 'input encoding kind' },
    { name: 'encValue', t: 'f64', doc: 'binary: threshold (finite); multibit: bits K (integer 1..8)', what: 'encoding value' },
    u32('classes', "classes (1..65535; must equal the readout probe's size)"),
    { name: 'rank', t: 'u8', lengthOf: 'shape', sym: 'R', doc: 'input rank R (1..8)', what: 'input rank' },
    { name: 'shape', t: 'array', of: 'u32', length: 'rank', doc: 'input shape (each 1..2^24-1)', what: 'input shape' },
  ];
  return version >= 3 ? [...v1, ...META_V3] : v1;
}

/** Fields version 3 appended to the meta section: the model's recorded input range and data set. */
const META_V3: readonly Field[] = [
  { name: 'rangeKind', t: 'u8', values: ['none', 'given'], doc: 'input range: 0 = none recorded, 1 = [lo, hi] below (version 3)', what: 'input range kind' },
  { name: 'rangeLo', t: 'f64', doc: 'input range lo (finite, <= hi; 0 when none; version 3)', what: 'input range lo' },
  { name: 'rangeHi', t: 'f64', doc: 'input range hi (finite; 0 when none; version 3)', what: 'input range hi' },
  { name: 'datasetLen', t: 'u16', lengthOf: 'dataset', sym: 'D', doc: 'data set name length D (0..255; 0 = none recorded; version 3)', what: 'data set name length' },
  { name: 'dataset', t: 'utf8', length: 'datasetLen', doc: 'data set name (UTF-8; version 3)', what: 'data set name' },
];

/** The neurons section of a container of format `version`: the neuron-record fields that version stores. */
function neuronSchema(version: number): readonly Field[] {
  return [
    { name: 'count', t: 'u32', sym: 'N', doc: 'neuron count N (<= neuronsPerCore)', what: 'neuron count' },
    ...neuronFieldsOf(version).map((f): Field => ({ name: f.name, t: 'array', of: f.type, length: 'count', doc: f.doc, what: `neuron ${f.name}` })),
  ];
}

/** The schema of every section kind. */
export const SECTION_SCHEMAS: Record<SectionKind, readonly Field[]> = {
  chip: chipSchema(BWC_VERSION),
  meta: metaSchema(BWC_VERSION),
  program: [
    { name: 'count', t: 'u32', lengthOf: 'words', per: 2, sym: 'N', doc: 'instruction count N (<= instrMemWords)', what: 'instruction count' },
    { name: 'words', t: 'array', of: 'u32', length: 'count', per: 2, docSize: 'N x 8', doc: 'instruction words, each as u32 low half then u32 high half (i.e. a u64 LE)', what: 'instructions' },
  ],
  synapses: [
    { name: 'count', t: 'u32', lengthOf: 'halves', per: 2, sym: 'W', doc: 'word count W (<= synapseSramBytes / 8)', what: 'synapse word count' },
    { name: 'halves', t: 'array', of: 'u32', length: 'count', per: 2, docSize: 'W x 8', doc: 'synapse words (u64 LE each: low u32, high u32)', what: 'synapse words' },
  ],
  neurons: neuronSchema(BWC_VERSION),
  routes: [
    { name: 'nLists', t: 'u32', lengthOf: 'routes', sym: 'M', doc: 'number of routing lists M', what: 'routing list count' },
    {
      name: 'routes', t: 'list', length: 'nLists', item: 'list',
      of: [
        { name: 'n', t: 'u32', lengthOf: 'dests', sym: 'D', doc: 'destination count D', what: 'length' },
        {
          name: 'dests', t: 'list', length: 'n', item: 'destination', what: 'destinations',
          of: [u32('core', 'core (< meshX*meshY)'), u32('base', 'base'), u32('flags', 'flags'), u32('bitOffset', 'bitOffset')],
        },
      ],
    },
  ],
  input: [
    { name: 'nBlocks', t: 'u32', lengthOf: 'blocks', sym: 'B', doc: 'block count B', what: 'input block count' },
    {
      name: 'blocks', t: 'list', length: 'nBlocks', item: 'block',
      of: [
        u32('core', 'core'),
        u32('axonBase', 'axonBase'),
        u32('planeStride', 'planeStride'),
        { name: 'n', t: 'u32', lengthOf: 'elements', sym: 'E', doc: 'entry count E', what: 'element count' },
        { name: 'elements', t: 'array', of: 'i32', length: 'n', doc: 'elements (flat C-order input indexes, 0..size-1)', what: 'elements' },
        { name: 'bits', t: 'array', of: 'i32', length: 'n', doc: 'bits (bit positions from bit 0 of word axonBase, >= 0)', what: 'bits' },
      ],
    },
  ],
  output: [
    u32('readout', 'readout probe index', 'readout index'),
    { name: 'nProbes', t: 'u32', lengthOf: 'probes', sym: 'P', doc: 'probe count P', what: 'probe count' },
    {
      name: 'probes', t: 'list', length: 'nProbes', item: 'probe',
      of: [
        { name: 'nameLen', t: 'u16', lengthOf: 'layer', sym: 'L', doc: 'name length L', what: 'name length' },
        { name: 'layer', t: 'utf8', length: 'nameLen', doc: 'layer name (UTF-8)', what: 'name' },
        { name: 'kind', t: 'u8', values: ['spikes', 'membrane'], doc: 'kind: 0 = spikes, 1 = membrane' },
        { name: 'rank', t: 'u8', lengthOf: 'shape', sym: 'R', doc: 'rank R', what: 'rank' },
        { name: 'shape', t: 'array', of: 'u32', length: 'rank', doc: 'shape', what: 'shape' },
        { name: 'nEntries', t: 'u32', lengthOf: 'entries', sym: 'Q', doc: 'entry count Q', what: 'entry count' },
        {
          name: 'entries', t: 'list', length: 'nEntries', item: 'entry',
          of: [
            u32('core', 'core'),
            u32('neuronBase', 'neuronBase'),
            u32('count', 'count'),
            { name: 'indexLen', t: 'u32', lengthOf: 'index', sym: 'I', doc: 'index length I (must equal count)', what: 'index length' },
            { name: 'index', t: 'array', of: 'i32', length: 'indexLen', doc: 'index (flat indexes into the probe shape)', what: 'index' },
          ],
        },
      ],
    },
  ],
};

const NEURON_SCHEMAS = Array.from({ length: BWC_VERSION }, (_, i) => neuronSchema(i + 1));
const META_SCHEMAS = Array.from({ length: BWC_VERSION }, (_, i) => metaSchema(i + 1));
const CHIP_SCHEMAS = Array.from({ length: BWC_VERSION }, (_, i) => chipSchema(i + 1));

/**
 * The schema of a section kind in a container of format `version` (1..BWC_VERSION): only the
 * neurons section (version 2 added the neuron fields decay and sdecay), the meta section (version 3
 * added the input range and data set) and the chip section (version 3 added the bank counts) depend
 * on the version.
 */
export function sectionSchema(kind: SectionKind, version: number = BWC_VERSION): readonly Field[] {
  if (kind === 'neurons') return NEURON_SCHEMAS[version - 1] ?? SECTION_SCHEMAS.neurons;
  if (kind === 'meta') return META_SCHEMAS[version - 1] ?? SECTION_SCHEMAS.meta;
  if (kind === 'chip') return CHIP_SCHEMAS[version - 1] ?? SECTION_SCHEMAS.chip;
  return SECTION_SCHEMAS[kind];
}

// ---------------------------------------------------------------------------------------------
// Sizes and offsets

const lengthOfValue = (v: unknown): number => (typeof v === 'string' ? utf8.encode(v).length : (v as ArrayLike<unknown>).length);

/** The value of scalar field f in rec: given, or the length of the field it counts. */
function scalarValue(f: Field & { t: Scalar }, rec: Rec): number {
  const v = rec[f.name];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && f.values?.includes(v)) return f.values.indexOf(v);
  if (f.lengthOf !== undefined) return lengthOfValue(rec[f.lengthOf]) / (f.per ?? 1);
  throw new Error(`internal: section record lacks field ${f.name}`);
}

/** Elements of array field f in rec (from the array, or from its length field). */
function arrayCount(f: Field & { t: 'array' }, rec: Rec, fields: readonly Field[]): number {
  const a = rec[f.name] as ArrayLike<number> | undefined;
  if (a !== undefined) return a.length;
  if (typeof f.length === 'number') return f.length;
  const lf = fields.find((x) => x.name === f.length) as Field & { t: Scalar };
  return scalarValue(lf, rec) * (f.per ?? 1);
}

function fieldSize(f: Field, rec: Rec, fields: readonly Field[]): number {
  switch (f.t) {
    case 'utf8':
      return lengthOfValue(rec[f.name]);
    case 'array':
      return arrayCount(f, rec, fields) * BYTES[f.of];
    case 'list':
      return (rec[f.name] as Rec[]).reduce((s, r) => s + recordSize(f.of, r), 0);
    default:
      return BYTES[f.t];
  }
}

/** Bytes of a record of `fields`. */
export function recordSize(fields: readonly Field[], rec: Rec): number {
  return fields.reduce((s, f) => s + fieldSize(f, rec, fields), 0);
}

/**
 * Byte offset within a record of the item at `path`: a field name, then for an array an element
 * index, for a list an item index and optionally a path inside that item.
 */
export function recordOffset(fields: readonly Field[], rec: Rec, path: readonly (string | number)[]): number {
  let off = 0;
  for (const f of fields) {
    if (f.name !== path[0]) {
      off += fieldSize(f, rec, fields);
      continue;
    }
    const k = path[1];
    if (k === undefined) return off;
    if (f.t === 'array') return off + (k as number) * BYTES[f.of];
    if (f.t !== 'list') return off;
    const items = rec[f.name] as Rec[];
    for (let i = 0; i < (k as number); i++) off += recordSize(f.of, items[i] ?? {});
    return path.length > 2 ? off + recordOffset(f.of, items[k as number] ?? {}, path.slice(2)) : off;
  }
  throw new Error(`internal: no field ${String(path[0])}`);
}

// ---------------------------------------------------------------------------------------------
// Writer

/** Typed arrays of this host hold their elements little-endian (the container's byte order). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A little-endian byte writer over a fixed buffer. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  pos = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
  num(t: Scalar | Elem, v: number): void {
    if (t === 'u8') this.dv.setUint8(this.pos, v);
    else if (t === 'u16') this.dv.setUint16(this.pos, v, true);
    else if (t === 'u32') this.dv.setUint32(this.pos, v >>> 0, true);
    else if (t === 'i32') this.dv.setInt32(this.pos, v, true);
    else this.dv.setFloat64(this.pos, v, true);
    this.pos += BYTES[t];
  }
  raw(b: Uint8Array): void {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }
}

/** Write a record of `fields`. */
export function writeRecord(w: ByteWriter, fields: readonly Field[], rec: Rec): void {
  for (const f of fields) {
    if (f.t === 'utf8') w.raw(utf8.encode(rec[f.name] as string));
    else if (f.t === 'array') {
      const a = rec[f.name] as ArrayLike<number>;
      if (f.of === 'u8' && a instanceof Uint8Array) w.raw(a);
      else if (LITTLE_ENDIAN && ((f.of === 'u32' && a instanceof Uint32Array) || (f.of === 'i32' && a instanceof Int32Array))) {
        // The array's own bytes are its little-endian encoding: copy them at once.
        w.raw(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      } else for (let i = 0; i < a.length; i++) w.num(f.of, a[i]!);
    } else if (f.t === 'list') for (const r of rec[f.name] as Rec[]) writeRecord(w, f.of, r);
    else w.num(f.t, scalarValue(f, rec));
  }
}

// ---------------------------------------------------------------------------------------------
// Measurer: walk a section's lengths with bounds checks before decoding

/** A bounds-checked cursor over one section. */
export class Measure {
  private readonly dv: DataView;
  pos: number;
  constructor(
    bytes: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly file: string,
    private readonly section: string,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }
  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ContainerError(this.file, this.section, this.pos, `truncated: ${what} needs ${n} bytes, ${this.end - this.pos} left in the section`);
    }
  }
  /** Read an unsigned length or code. */
  uint(t: 'u8' | 'u16' | 'u32', what: string): number {
    this.need(BYTES[t], what);
    const v = t === 'u8' ? this.dv.getUint8(this.pos) : t === 'u16' ? this.dv.getUint16(this.pos, true) : this.dv.getUint32(this.pos, true);
    this.pos += BYTES[t];
    return v;
  }
  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }
  fail(offset: number, what: string): never {
    throw new ContainerError(this.file, this.section, offset, what);
  }
  done(): void {
    if (this.pos !== this.end) {
      throw new ContainerError(this.file, this.section, this.pos, `${this.end - this.pos} unexpected bytes after the section's content`);
    }
  }
}

/** Bytes of a record of plain numbers (no lengths, no codes), else undefined. */
function fixedSize(fields: readonly Field[]): number | undefined {
  let n = 0;
  for (const f of fields) {
    if (f.t === 'utf8' || f.t === 'array' || f.t === 'list' || f.lengthOf !== undefined || f.values !== undefined) return undefined;
    n += BYTES[f.t];
  }
  return n;
}

/** Measure one record of `fields` (`ctx` prefixes error texts, e.g. "probe 2 "). */
export function measureRecord(m: Measure, fields: readonly Field[], ctx = ''): void {
  const vals = new Map<string, number>();
  for (const f of fields) {
    const what = `${ctx}${f.what ?? f.name}`;
    if (f.t === 'utf8') m.skip(vals.get(f.length)!, what);
    else if (f.t === 'array') m.skip((typeof f.length === 'number' ? f.length : vals.get(f.length)! * (f.per ?? 1)) * BYTES[f.of], what);
    else if (f.t === 'list') {
      const n = vals.get(f.length)!;
      const fixed = fixedSize(f.of);
      if (fixed !== undefined) m.skip(n * fixed, what);
      else for (let i = 0; i < n; i++) measureRecord(m, f.of, `${ctx}${f.item} ${i} `);
    } else if (f.t === 'i32' || f.t === 'f64') m.skip(BYTES[f.t], what);
    else {
      const v = m.uint(f.t, what);
      if (f.values && v >= f.values.length) m.fail(m.pos - BYTES[f.t], `${what} ${v} must be ${f.values.map((x, i) => `${i} (${x})`).join(' or ')}`);
      vals.set(f.name, v);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// binary-parser decoders (run only on a section whose lengths were measured)

const PARSER_TYPE: Record<Scalar | Elem, string> = { u8: 'uint8', u16: 'uint16le', u32: 'uint32le', i32: 'int32le', f64: 'doublele' };

/** The binary-parser decoder of a record of `fields` (field names as in the schema). */
export function recordParser(fields: readonly Field[]): Parser {
  let p = Parser.start().endianness('little');
  for (const f of fields) {
    if (f.t === 'utf8') p = p.string(f.name, { length: f.length, encoding: 'utf8' });
    else if (f.t === 'array') {
      const per = f.per ?? 1;
      const len = f.length;
      const length = typeof len === 'number' || per === 1 ? len : function (this: Rec) { return (this[len] as number) * per; };
      p = p.array(f.name, { type: PARSER_TYPE[f.of], length });
    } else if (f.t === 'list') p = p.array(f.name, { type: recordParser(f.of), length: f.length });
    else p = (p as unknown as Record<string, (name: string) => Parser>)[PARSER_TYPE[f.t]]!.call(p, f.name);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Docs

function docRows(fields: readonly Field[], prefix: string, out: string[]): void {
  const symOf = (name: string): string => {
    const lf = fields.find((x) => x.name === name);
    return lf && lf.t !== 'utf8' && lf.t !== 'array' && lf.t !== 'list' && lf.sym ? lf.sym : name;
  };
  for (const f of fields) {
    if (f.t === 'list') docRows(f.of, `${prefix ? `${prefix.slice(0, -2)}, ` : ''}per ${f.item}: `, out);
    else if (f.t === 'utf8') out.push(`| ${prefix}${symOf(f.length)} | ${f.doc} |`);
    else if (f.t === 'array') {
      const n = typeof f.length === 'number' ? String(f.length) : `${f.per && f.per !== 1 ? f.per : ''}${symOf(f.length)}`;
      out.push(`| ${prefix}${f.docSize ?? `${n} x ${f.of}`} | ${f.doc} |`);
    } else out.push(`| ${prefix}${f.t} | ${f.doc} |`);
  }
}

/** The table of a section in docs/container.md (tested to be there verbatim). */
export function sectionTable(kind: SectionKind): string {
  const out = ['| size | field |', '|---|---|'];
  docRows(SECTION_SCHEMAS[kind], '', out);
  return out.join('\n');
}
