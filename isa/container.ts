/**
 * The .bwc container: writer (DataView), reader (bounds checks by hand, then binary-parser) and
 * validation against the embedded chip config. docs/container.md gives the byte layout.
 *
 * Layout: a 16-byte header, a directory of 16-byte entries (kind, core, offset, length, CRC-32),
 * then the sections back to back in directory order. All integers little-endian.
 */
import { Parser } from 'binary-parser';
import { CHIP_FIELDS, type ChipConfig, type ChipField } from './chip.js';
import {
  BWC_VERSION,
  type BwcContainer,
  type CoreImage,
  type InputBlock,
  type InputEncoding,
  type Instr,
  type ModelMeta,
  type NeuronParams,
  type OutputMap,
  type Probe,
  type RouteDest,
} from './container-types.js';
import { crc32 } from './crc32.js';
import { NEURON_FIELDS, NEURON_RECORD_BYTES, neuronArrays } from './neuron-record.js';
import { decodeInstr, encodeInstr } from './encode.js';
import { ContainerError } from '../base/errors.js';
import { wrongKindHint } from './filetype.js';
import { containerIssues, PER_CORE_KINDS, SECTION_KINDS, sectionLabel, type Issue, type SectionKind } from './validate.js';

/** "BWC1" */
export const BWC_MAGIC = Uint8Array.of(0x42, 0x57, 0x43, 0x31);
export const HEADER_BYTES = 16;
export const DIR_ENTRY_BYTES = 16;
/** Directory `core` value of the global (not per-core) sections. */
export const NO_CORE = 0xffff;

const CHIP_KEYS = Object.keys(CHIP_FIELDS) as ChipField[];
const KIND_BY_CODE = new Map<number, SectionKind>(Object.entries(SECTION_KINDS).map(([k, v]) => [v, k as SectionKind]));
const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Section sizes and offsets (shared by the writer and by error locations of in-memory checks)

const strBytes = (s: string): number => utf8.encode(s).length;

function probeSize(p: Probe): number {
  let n = 2 + strBytes(p.layer) + 1 + 1 + 4 * p.shape.length + 4;
  for (const e of p.entries) n += 16 + 4 * e.index.length;
  return n;
}

/** Bytes of one section of `c` (`ci` = index into c.cores for per-core sections). */
export function sectionSize(c: BwcContainer, kind: SectionKind, ci = 0): number {
  const img = c.cores[ci] as CoreImage;
  switch (kind) {
    case 'chip':
      return 1 + strBytes(c.chip.name) + 8 * CHIP_KEYS.length;
    case 'meta':
      return 2 + strBytes(c.meta.name) + 2 + 1 + 8 + 4 + 1 + 4 * c.meta.inputShape.length;
    case 'program':
      return 4 + 8 * img.program.length;
    case 'synapses':
      return 4 + 4 * img.synapses.length;
    case 'neurons':
      return 4 + NEURON_RECORD_BYTES * img.neurons.count;
    case 'routes':
      return 4 + img.routes.reduce((s, l) => s + 4 + 16 * l.length, 0);
    case 'input':
      return 4 + c.inputMap.reduce((s, b) => s + 16 + 8 * b.elements.length, 0);
    case 'output':
      return 8 + c.outputMap.probes.reduce((s, p) => s + probeSize(p), 0);
  }
}

/** Byte offset of an issue's item within its section (0 when it concerns the whole section). */
function itemOffset(c: BwcContainer, is: Issue): number {
  const k = is.item;
  if (k === undefined) return 0;
  const img = is.coreIdx === undefined ? undefined : c.cores[is.coreIdx];
  switch (is.section) {
    case 'program':
      return 4 + 8 * k;
    case 'neurons':
      return 4 + 4 * k;
    case 'routes': {
      let off = 4;
      for (let r = 0; r < k; r++) off += 4 + 16 * (img?.routes[r]?.length ?? 0);
      return off + 4 + 16 * (is.sub ?? 0);
    }
    case 'input': {
      let off = 4;
      for (let b = 0; b < k; b++) off += 16 + 8 * (c.inputMap[b]?.elements.length ?? 0);
      return off;
    }
    case 'output': {
      let off = 8;
      for (let p = 0; p < k; p++) off += probeSize(c.outputMap.probes[p] as Probe);
      return off;
    }
    default:
      return 0;
  }
}

interface PlannedSection {
  kind: SectionKind;
  coreIdx?: number;
  size: number;
}

/** Sections in the order the writer emits them. */
function plan(c: BwcContainer): PlannedSection[] {
  const out: PlannedSection[] = [
    { kind: 'chip', size: sectionSize(c, 'chip') },
    { kind: 'meta', size: sectionSize(c, 'meta') },
  ];
  c.cores.forEach((_img, ci) => {
    for (const kind of PER_CORE_KINDS) out.push({ kind, coreIdx: ci, size: sectionSize(c, kind, ci) });
  });
  out.push({ kind: 'input', size: sectionSize(c, 'input') }, { kind: 'output', size: sectionSize(c, 'output') });
  return out;
}

type SectionStart = (kind: SectionKind, coreIdx?: number) => number;

function layoutStarts(c: BwcContainer): SectionStart {
  const p = plan(c);
  let off = HEADER_BYTES + DIR_ENTRY_BYTES * p.length;
  const starts = new Map<string, number>();
  for (const s of p) {
    starts.set(`${s.kind}/${s.coreIdx ?? ''}`, off);
    off += s.size;
  }
  return (kind, coreIdx) => starts.get(`${kind}/${coreIdx ?? ''}`) ?? 0;
}

function issueError(c: BwcContainer, file: string, is: Issue, start: SectionStart): ContainerError {
  const offset = start(is.section, is.coreIdx) + itemOffset(c, is);
  return new ContainerError(file, sectionLabel(c, is.section, is.coreIdx), offset, is.message);
}

/**
 * Check an in-memory container against its embedded chip config; throws the first problem as a
 * ContainerError whose offset is where that item would be in the written file.
 */
export function validateContainer(c: BwcContainer, file: string): void {
  const issues = containerIssues(c, 1);
  if (issues.length) throw issueError(c, file, issues[0] as Issue, layoutStarts(c));
}

// ---------------------------------------------------------------------------------------------
// Writer

class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  pos = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
  u8(v: number): void {
    this.dv.setUint8(this.pos, v);
    this.pos += 1;
  }
  u16(v: number): void {
    this.dv.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  u32(v: number): void {
    this.dv.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }
  i32(v: number): void {
    this.dv.setInt32(this.pos, v, true);
    this.pos += 4;
  }
  f64(v: number): void {
    this.dv.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  raw(b: Uint8Array): void {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }
  i32s(a: Int32Array): void {
    for (let i = 0; i < a.length; i++) this.i32(a[i] as number);
  }
  u8s(a: Uint8Array): void {
    this.raw(a);
  }
}

function writeSection(w: ByteWriter, c: BwcContainer, kind: SectionKind, ci: number): void {
  const img = c.cores[ci] as CoreImage;
  switch (kind) {
    case 'chip': {
      const name = utf8.encode(c.chip.name);
      w.u8(name.length);
      w.raw(name);
      for (const k of CHIP_KEYS) w.f64(c.chip[k]);
      return;
    }
    case 'meta': {
      const m = c.meta;
      const name = utf8.encode(m.name);
      w.u16(name.length);
      w.raw(name);
      w.u16(m.timesteps);
      w.u8(m.encoding.kind === 'binary' ? 0 : 1);
      w.f64(m.encoding.kind === 'binary' ? m.encoding.threshold : m.encoding.bits);
      w.u32(m.classes);
      w.u8(m.inputShape.length);
      for (const d of m.inputShape) w.u32(d);
      return;
    }
    case 'program':
      w.u32(img.program.length);
      for (const ins of img.program) {
        const [lo, hi] = encodeInstr(ins);
        w.u32(lo);
        w.u32(hi);
      }
      return;
    case 'synapses':
      w.u32(img.synapses.length / 2);
      for (let i = 0; i < img.synapses.length; i++) w.u32(img.synapses[i] as number);
      return;
    case 'neurons': {
      const n = img.neurons;
      w.u32(n.count);
      for (const f of NEURON_FIELDS) {
        if (f.type === 'i32') w.i32s(n[f.name]);
        else w.u8s(n[f.name]);
      }
      return;
    }
    case 'routes':
      w.u32(img.routes.length);
      for (const list of img.routes) {
        w.u32(list.length);
        for (const d of list) {
          w.u32(d.core);
          w.u32(d.base);
          w.u32(d.flags);
          w.u32(d.bitOffset);
        }
      }
      return;
    case 'input':
      w.u32(c.inputMap.length);
      for (const b of c.inputMap) {
        w.u32(b.core);
        w.u32(b.axonBase);
        w.u32(b.planeStride);
        w.u32(b.elements.length);
        w.i32s(b.elements);
        w.i32s(b.bits);
      }
      return;
    case 'output':
      w.u32(c.outputMap.readout);
      w.u32(c.outputMap.probes.length);
      for (const p of c.outputMap.probes) {
        const name = utf8.encode(p.layer);
        w.u16(name.length);
        w.raw(name);
        w.u8(p.kind === 'spikes' ? 0 : 1);
        w.u8(p.shape.length);
        for (const d of p.shape) w.u32(d);
        w.u32(p.entries.length);
        for (const e of p.entries) {
          w.u32(e.core);
          w.u32(e.neuronBase);
          w.u32(e.count);
          w.u32(e.index.length);
          w.i32s(e.index);
        }
      }
      return;
  }
}

/**
 * Serialize a container. Validates it first (throws ContainerError naming the would-be byte
 * offset); deterministic: the same container gives the same bytes.
 */
export function writeContainer(c: BwcContainer, file = '<container>'): Uint8Array {
  validateContainer(c, file);
  return serializeContainer(c);
}

/**
 * Serialize without the semantic checks (instructions must still encode). Only for tests of the
 * reader's refusals; everything else uses writeContainer.
 */
export function serializeContainer(c: BwcContainer): Uint8Array {
  const sections = plan(c);
  const dirEnd = HEADER_BYTES + DIR_ENTRY_BYTES * sections.length;
  const total = dirEnd + sections.reduce((s, x) => s + x.size, 0);
  const w = new ByteWriter(total);
  w.raw(BWC_MAGIC);
  w.u16(BWC_VERSION);
  w.u16(sections.length);
  w.u32(total);
  w.u32(0);
  // Sections first (directory needs their CRCs), then the directory.
  w.pos = dirEnd;
  const entries: { code: number; core: number; off: number; len: number }[] = [];
  for (const s of sections) {
    const off = w.pos;
    writeSection(w, c, s.kind, s.coreIdx ?? 0);
    if (w.pos - off !== s.size) throw new Error(`container writer: section ${s.kind} size ${w.pos - off} != planned ${s.size}`);
    entries.push({ code: SECTION_KINDS[s.kind], core: s.coreIdx === undefined ? NO_CORE : (c.cores[s.coreIdx] as CoreImage).core, off, len: s.size });
  }
  w.pos = HEADER_BYTES;
  for (const e of entries) {
    w.u16(e.code);
    w.u16(e.core);
    w.u32(e.off);
    w.u32(e.len);
    w.u32(crc32(w.bytes, e.off, e.off + e.len));
  }
  return w.bytes;
}

// ---------------------------------------------------------------------------------------------
// Reader

/** A bounds-checked cursor used to measure a section before binary-parser decodes it. */
class Measure {
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
  u8(what: string): number {
    this.need(1, what);
    return this.dv.getUint8(this.pos++);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
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

/** Measurers: walk a section's lengths with bounds checks (they throw on any overrun). */
const MEASURE: Record<SectionKind, (m: Measure) => void> = {
  chip: (m) => {
    m.skip(m.u8('name length'), 'chip name');
    m.skip(8 * CHIP_KEYS.length, 'chip fields');
  },
  meta: (m) => {
    m.skip(m.u16('name length'), 'model name');
    m.skip(2 + 1 + 8 + 4, 'model fields');
    m.skip(4 * m.u8('input rank'), 'input shape');
  },
  program: (m) => m.skip(8 * m.u32('instruction count'), 'instructions'),
  synapses: (m) => m.skip(8 * m.u32('synapse word count'), 'synapse words'),
  neurons: (m) => m.skip(NEURON_RECORD_BYTES * m.u32('neuron count'), 'neuron parameters'),
  routes: (m) => {
    const lists = m.u32('routing list count');
    for (let r = 0; r < lists; r++) m.skip(16 * m.u32(`list ${r} length`), `list ${r} destinations`);
  },
  input: (m) => {
    const blocks = m.u32('input block count');
    for (let b = 0; b < blocks; b++) {
      m.skip(12, `block ${b} header`);
      m.skip(8 * m.u32(`block ${b} element count`), `block ${b} entries`);
    }
  },
  output: (m) => {
    m.skip(4, 'readout index');
    const probes = m.u32('probe count');
    for (let p = 0; p < probes; p++) {
      m.skip(m.u16(`probe ${p} name length`), `probe ${p} name`);
      const kind = m.u8(`probe ${p} kind`);
      if (kind > 1) m.fail(m.pos - 1, `probe ${p} kind ${kind} must be 0 (spikes) or 1 (membrane)`);
      m.skip(4 * m.u8(`probe ${p} rank`), `probe ${p} shape`);
      const entries = m.u32(`probe ${p} entry count`);
      for (let e = 0; e < entries; e++) {
        m.skip(12, `probe ${p} entry ${e}`);
        m.skip(4 * m.u32(`probe ${p} entry ${e} index length`), `probe ${p} entry ${e} index`);
      }
    }
  },
};

// binary-parser decoders (run only on a section whose lengths were measured above).
const le = (): Parser => Parser.start().endianness('little');
const PARSERS: Record<SectionKind, Parser> = {
  chip: le()
    .uint8('nameLen')
    .string('name', { length: 'nameLen', encoding: 'utf8' })
    .array('fields', { type: 'doublele', length: CHIP_KEYS.length }),
  meta: le()
    .uint16le('nameLen')
    .string('name', { length: 'nameLen', encoding: 'utf8' })
    .uint16le('timesteps')
    .uint8('encKind')
    .doublele('encValue')
    .uint32le('classes')
    .uint8('rank')
    .array('shape', { type: 'uint32le', length: 'rank' }),
  program: le().uint32le('count').array('words', { type: 'uint32le', length: function () { return 2 * (this.count as number); } }),
  synapses: le().uint32le('count').array('halves', { type: 'uint32le', length: function () { return 2 * (this.count as number); } }),
  neurons: NEURON_FIELDS.reduce((p, f) => p.array(f.name, { type: f.type === 'i32' ? 'int32le' : 'uint8', length: 'count' }), le().uint32le('count')),
  routes: le()
    .uint32le('nLists')
    .array('routes', {
      length: 'nLists',
      type: le()
        .uint32le('n')
        .array('dests', { length: 'n', type: le().uint32le('core').uint32le('base').uint32le('flags').uint32le('bitOffset') }),
    }),
  input: le()
    .uint32le('nBlocks')
    .array('blocks', {
      length: 'nBlocks',
      type: le()
        .uint32le('core')
        .uint32le('axonBase')
        .uint32le('planeStride')
        .uint32le('n')
        .array('elements', { type: 'int32le', length: 'n' })
        .array('bits', { type: 'int32le', length: 'n' }),
    }),
  output: le()
    .uint32le('readout')
    .uint32le('nProbes')
    .array('probes', {
      length: 'nProbes',
      type: le()
        .uint16le('nameLen')
        .string('layer', { length: 'nameLen', encoding: 'utf8' })
        .uint8('kind')
        .uint8('rank')
        .array('shape', { type: 'uint32le', length: 'rank' })
        .uint32le('nEntries')
        .array('entries', {
          length: 'nEntries',
          type: le().uint32le('core').uint32le('neuronBase').uint32le('count').uint32le('indexLen').array('index', { type: 'int32le', length: 'indexLen' }),
        }),
    }),
};

type Parsed = Record<string, unknown>;
const nums = (v: unknown): number[] => v as number[];

interface DirEntry {
  index: number;
  kind: SectionKind;
  core: number;
  offset: number;
  length: number;
}

/**
 * Decode and validate a .bwc file. Every malformation is refused with a ContainerError naming the
 * section and byte offset; nothing else escapes.
 */
export function readContainer(bytes: Uint8Array, file: string): BwcContainer {
  const err = (section: string, offset: number, what: string): never => {
    throw new ContainerError(file, section, offset, what);
  };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_BYTES) err('header', bytes.length, `truncated file: ${bytes.length} bytes, the header alone needs ${HEADER_BYTES}`);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== BWC_MAGIC[i]) {
      const other = wrongKindHint(bytes, 'a .bwc binary');
      if (other !== undefined) err('header', 0, `wrong magic: ${other}`);
      const head = String.fromCharCode(...bytes.subarray(0, 4));
      err('header', 0, `wrong magic${/^[\x20-\x7e]{4}$/.test(head) ? ` ${JSON.stringify(head)}` : ''} (expected "BWC1"): not a .bwc file`);
    }
  }
  const version = dv.getUint16(4, true);
  if (version !== BWC_VERSION) err('header', 4, `unsupported format version ${version} (this reader supports ${BWC_VERSION})`);
  const count = dv.getUint16(6, true);
  const total = dv.getUint32(8, true);
  if (total > bytes.length) err('header', 8, `truncated file: header declares ${total} bytes, file has ${bytes.length}`);
  if (total < bytes.length) err('header', 8, `${bytes.length - total} trailing bytes after the declared end ${total}`);
  if (dv.getUint32(12, true) !== 0) err('header', 12, 'reserved header word is not zero');
  const dirEnd = HEADER_BYTES + DIR_ENTRY_BYTES * count;
  if (dirEnd > bytes.length) err('directory', HEADER_BYTES, `truncated file: ${count} directory entries need ${dirEnd} bytes, file has ${bytes.length}`);

  // Directory.
  const dir: DirEntry[] = [];
  const keys = new Set<string>();
  for (let i = 0; i < count; i++) {
    const at = HEADER_BYTES + DIR_ENTRY_BYTES * i;
    const code = dv.getUint16(at, true);
    const kind = KIND_BY_CODE.get(code);
    if (!kind) return err('directory', at, `entry ${i}: unknown section kind ${code}`);
    const core = dv.getUint16(at + 2, true);
    const offset = dv.getUint32(at + 4, true);
    const length = dv.getUint32(at + 8, true);
    const crc = dv.getUint32(at + 12, true);
    const perCore = PER_CORE_KINDS.includes(kind);
    if (perCore && core === NO_CORE) err('directory', at + 2, `entry ${i}: ${kind} section without a core`);
    if (!perCore && core !== NO_CORE) err('directory', at + 2, `entry ${i}: global ${kind} section names core ${core}`);
    const label = perCore ? `${kind}[core ${core}]` : kind;
    if (offset < dirEnd || offset + length > bytes.length) {
      err(label, at + 4, `section at ${offset}..${offset + length} is out of bounds (sections lie in ${dirEnd}..${bytes.length})`);
    }
    const key = `${kind}/${perCore ? core : ''}`;
    if (keys.has(key)) err(label, offset, perCore ? `duplicate core ${core}: a second ${kind} section` : `duplicate ${kind} section`);
    keys.add(key);
    if (crc32(bytes, offset, offset + length) !== crc) err(label, offset, `CRC mismatch (stored 0x${crc.toString(16).padStart(8, '0')})`);
    dir.push({ index: i, kind, core, offset, length });
  }
  const sorted = [...dir].sort((a, b) => a.offset - b.offset || a.length - b.length);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as DirEntry;
    const b = sorted[i] as DirEntry;
    if (b.offset < a.offset + a.length) {
      err(`${b.kind}`, b.offset, `overlaps section ${a.kind} at ${a.offset}..${a.offset + a.length}`);
    }
  }
  for (const kind of ['chip', 'meta', 'input', 'output'] as const) {
    if (!keys.has(`${kind}/`)) err('directory', HEADER_BYTES, `missing ${kind} section`);
  }
  const coreIds: number[] = [];
  for (const e of dir) if (e.kind === 'program') coreIds.push(e.core);
  for (const e of dir) {
    if (PER_CORE_KINDS.includes(e.kind)) {
      for (const k of PER_CORE_KINDS) {
        if (!keys.has(`${k}/${e.core}`)) err('directory', HEADER_BYTES, `core ${e.core} has a ${e.kind} section but no ${k} section`);
      }
    }
  }

  const parse = (e: DirEntry): Parsed => {
    const label = PER_CORE_KINDS.includes(e.kind) ? `${e.kind}[core ${e.core}]` : e.kind;
    const m = new Measure(bytes, e.offset, e.offset + e.length, file, label);
    MEASURE[e.kind](m);
    m.done();
    return PARSERS[e.kind].parse(bytes.subarray(e.offset, e.offset + e.length));
  };
  // Directory entries by kind and core (a map: a container of thousands of cores reads in linear time).
  const byKind = new Map<string, DirEntry>();
  for (const d of dir) {
    if (!byKind.has(`${d.kind}/${d.core}`)) byKind.set(`${d.kind}/${d.core}`, d);
    if (!byKind.has(d.kind)) byKind.set(d.kind, d);
  }
  const find = (kind: SectionKind, core = NO_CORE): DirEntry => (core === NO_CORE ? byKind.get(kind) : byKind.get(`${kind}/${core}`)) as DirEntry;

  // Chip config and metadata.
  const pc = parse(find('chip'));
  const chip = { name: pc.name as string } as ChipConfig;
  nums(pc.fields).forEach((v, k) => {
    chip[CHIP_KEYS[k] as ChipField] = v;
  });
  const mEntry = find('meta');
  const pmeta = parse(mEntry);
  const encKind = pmeta.encKind as number;
  const encValue = pmeta.encValue as number;
  if (encKind > 1) err('meta', mEntry.offset + 2 + (pmeta.nameLen as number) + 2, `unknown input encoding kind ${encKind}`);
  const encoding: InputEncoding = encKind === 0 ? { kind: 'binary', threshold: encValue } : { kind: 'multibit', bits: encValue };
  const meta: ModelMeta = {
    name: pmeta.name as string,
    timesteps: pmeta.timesteps as number,
    inputShape: nums(pmeta.shape).slice(),
    encoding,
    classes: pmeta.classes as number,
  };

  // Cores.
  const cores: CoreImage[] = coreIds.map((core) => {
    const pe = find('program', core);
    const pp = parse(pe);
    const words = nums(pp.words);
    const program: Instr[] = [];
    for (let k = 0; k < words.length / 2; k++) {
      program.push(decodeInstr(words[2 * k] as number, words[2 * k + 1] as number, { file, section: `program[core ${core}]`, offset: pe.offset + 4 + 8 * k }));
    }
    const synapses = Uint32Array.from(nums(parse(find('synapses', core)).halves));
    const pn = parse(find('neurons', core));
    const neurons: NeuronParams = { count: pn.count as number, ...neuronArrays((f) => nums(pn[f.name])) };
    const pr = parse(find('routes', core));
    const routes: RouteDest[][] = (pr.routes as Parsed[]).map((l) =>
      (l.dests as Parsed[]).map((d) => ({ core: d.core as number, base: d.base as number, flags: d.flags as number, bitOffset: d.bitOffset as number })),
    );
    return { core, program, synapses, neurons, routes };
  });

  const pi = parse(find('input'));
  const inputMap: InputBlock[] = (pi.blocks as Parsed[]).map((b) => ({
    core: b.core as number,
    axonBase: b.axonBase as number,
    planeStride: b.planeStride as number,
    elements: Int32Array.from(nums(b.elements)),
    bits: Int32Array.from(nums(b.bits)),
  }));
  const po = parse(find('output'));
  const outputMap: OutputMap = {
    readout: po.readout as number,
    probes: (po.probes as Parsed[]).map((p) => ({
      layer: p.layer as string,
      kind: (p.kind as number) === 0 ? 'spikes' : 'membrane',
      shape: nums(p.shape).slice(),
      entries: (p.entries as Parsed[]).map((e) => ({
        core: e.core as number,
        neuronBase: e.neuronBase as number,
        count: e.count as number,
        index: Int32Array.from(nums(e.index)),
      })),
    })),
  };

  const c: BwcContainer = { version, chip, meta, cores, inputMap, outputMap };
  const issues = containerIssues(c, 1);
  if (issues.length) {
    const starts: SectionStart = (kind, ci) => {
      const core = ci === undefined ? NO_CORE : (c.cores[ci] as CoreImage).core;
      return find(kind, core).offset;
    };
    throw issueError(c, file, issues[0] as Issue, starts);
  }
  return c;
}

/** One directory entry as stored (for `bwsnn inspect`). */
export interface SectionInfo {
  kind: SectionKind;
  /** Core of a per-core section, undefined for global sections. */
  core?: number;
  offset: number;
  length: number;
  crc32: number;
}

/** The directory of a container that readContainer has accepted. */
export function readDirectory(bytes: Uint8Array): SectionInfo[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint16(6, true);
  const out: SectionInfo[] = [];
  for (let i = 0; i < n; i++) {
    const at = HEADER_BYTES + DIR_ENTRY_BYTES * i;
    const core = dv.getUint16(at + 2, true);
    out.push({
      kind: KIND_BY_CODE.get(dv.getUint16(at, true)) as SectionKind,
      core: core === NO_CORE ? undefined : core,
      offset: dv.getUint32(at + 4, true),
      length: dv.getUint32(at + 8, true),
      crc32: dv.getUint32(at + 12, true),
    });
  }
  return out;
}
