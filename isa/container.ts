/**
 * The .bwc container: writer (DataView), reader (bounds checks by hand, then binary-parser) and
 * validation against the embedded chip config. docs/container.md gives the byte layout.
 *
 * Layout: a 16-byte header, a directory of 16-byte entries (kind, core, offset, length, CRC-32),
 * then the sections back to back in directory order. All integers little-endian.
 */
import { CHIP_FIELDS, type ChipConfig, type ChipField } from './chip.js';
import { ByteWriter, Measure, measureRecord, recordOffset, recordParser, recordSize, sectionSchema, writeRecord, type Rec } from './container-schema.js';
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
import { NEURON_FIELDS, neuronArrays, neuronFieldsOf, neuronVersion } from './neuron-record.js';
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

// ---------------------------------------------------------------------------------------------
// Section records (isa/container-schema.ts describes their bytes)

/**
 * The record of one section of `c` (`ci` = index into c.cores for per-core sections). With
 * `encode` false the program's words are left out (its count stands for them): enough for sizes
 * and offsets without encoding the instructions.
 */
function sectionRecord(c: BwcContainer, kind: SectionKind, ci = 0, encode = true, version = BWC_VERSION): Rec {
  const img = c.cores[ci] as CoreImage;
  switch (kind) {
    case 'chip': {
      const v1 = { name: c.chip.name, fields: CHIP_KEYS.map((k) => c.chip[k]) };
      const b = c.chip.banks;
      return version < 3 ? v1 : { ...v1, banks: [b?.synapse ?? 0, b?.neuron ?? 0, b?.axon ?? 0] };
    }
    case 'meta': {
      const m = c.meta;
      const v1 = { name: m.name, timesteps: m.timesteps, encKind: m.encoding.kind, encValue: m.encoding.kind === 'binary' ? m.encoding.threshold : m.encoding.bits, classes: m.classes, shape: m.inputShape };
      if (version < 3) return v1;
      const r = m.inputRange;
      return { ...v1, rangeKind: r ? 'given' : 'none', rangeLo: r ? r[0] : 0, rangeHi: r ? r[1] : 0, dataset: m.dataset ?? '' };
    }
    case 'program': {
      if (!encode) return { count: img.program.length };
      const words = new Uint32Array(2 * img.program.length);
      img.program.forEach((ins, k) => words.set(encodeInstr(ins), 2 * k));
      return { words };
    }
    case 'synapses':
      return { halves: img.synapses };
    case 'neurons': {
      const n = img.neurons;
      return { count: n.count, ...Object.fromEntries(neuronFieldsOf(version).map((f) => [f.name, n[f.name]])) };
    }
    case 'routes':
      return { routes: img.routes.map((l) => ({ dests: l })) };
    case 'input':
      return { blocks: c.inputMap };
    case 'output':
      return { readout: c.outputMap.readout, probes: c.outputMap.probes };
  }
}

/**
 * The format version a container is written in: the oldest that holds its content (a container
 * without CubaLIF neurons, multiplicative decays, a recorded input range or data set, or memory
 * bank counts is version 1,
 * byte for byte as before).
 */
export function containerVersion(c: Pick<BwcContainer, 'cores'> & { meta?: Pick<ModelMeta, 'inputRange' | 'dataset'>; chip?: Pick<ChipConfig, 'banks'> }): number {
  const v = c.cores.reduce((v, img) => Math.max(v, neuronVersion(img.neurons)), 1);
  const v3 = (c.meta && (c.meta.inputRange !== undefined || c.meta.dataset !== undefined)) || (c.chip?.banks !== undefined && Object.keys(c.chip.banks).length > 0);
  return v3 ? Math.max(v, 3) : v;
}

/** The version the writer uses: the container's own, raised to what its content needs. */
export function writtenVersion(c: BwcContainer): number {
  return Math.max(Number.isInteger(c.version) && c.version >= 1 && c.version <= BWC_VERSION ? c.version : BWC_VERSION, containerVersion(c));
}

/** Bytes of one section of `c` (`ci` = index into c.cores for per-core sections) in format `version`. */
export function sectionSize(c: BwcContainer, kind: SectionKind, ci = 0, version = kind === 'neurons' || kind === 'meta' || kind === 'chip' ? writtenVersion(c) : BWC_VERSION): number {
  return recordSize(sectionSchema(kind, version), sectionRecord(c, kind, ci, false, version));
}

/** The path (container-schema recordOffset) of an issue's item within its section. */
function itemPath(is: Issue): (string | number)[] | undefined {
  const k = is.item;
  if (k === undefined) return undefined;
  switch (is.section) {
    case 'program':
      return ['words', 2 * k];
    case 'neurons':
      return [NEURON_FIELDS[0].name, k];
    case 'routes':
      return ['routes', k, 'dests', is.sub ?? 0];
    case 'input':
      return ['blocks', k];
    case 'output':
      return ['probes', k];
    default:
      return undefined;
  }
}

/** Byte offset of an issue's item within its section (0 when it concerns the whole section). */
function itemOffset(c: BwcContainer, is: Issue, version: number): number {
  const path = itemPath(is);
  return path ? recordOffset(sectionSchema(is.section, version), sectionRecord(c, is.section, is.coreIdx ?? 0, false, version), path) : 0;
}

interface PlannedSection {
  kind: SectionKind;
  coreIdx?: number;
  size: number;
}

/** Sections in the order the writer emits them. */
function plan(c: BwcContainer, version = writtenVersion(c)): PlannedSection[] {
  const out: PlannedSection[] = [
    { kind: 'chip', size: sectionSize(c, 'chip', 0, version) },
    { kind: 'meta', size: sectionSize(c, 'meta', 0, version) },
  ];
  c.cores.forEach((_img, ci) => {
    for (const kind of PER_CORE_KINDS) out.push({ kind, coreIdx: ci, size: sectionSize(c, kind, ci, version) });
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

function issueError(c: BwcContainer, file: string, is: Issue, start: SectionStart, version = writtenVersion(c)): ContainerError {
  const offset = start(is.section, is.coreIdx) + itemOffset(c, is, version);
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
  // The format version once (it scans every neuron), not per section.
  const version = writtenVersion(c);
  const sections = plan(c, version);
  const dirEnd = HEADER_BYTES + DIR_ENTRY_BYTES * sections.length;
  const total = dirEnd + sections.reduce((s, x) => s + x.size, 0);
  const w = new ByteWriter(total);
  w.raw(BWC_MAGIC);
  w.num('u16', version);
  w.num('u16', sections.length);
  w.num('u32', total);
  w.num('u32', 0);
  // Sections first (directory needs their CRCs), then the directory.
  w.pos = dirEnd;
  const entries: { code: number; core: number; off: number; len: number }[] = [];
  for (const s of sections) {
    const off = w.pos;
    writeRecord(w, sectionSchema(s.kind, version), sectionRecord(c, s.kind, s.coreIdx ?? 0, true, version));
    if (w.pos - off !== s.size) throw new Error(`container writer: section ${s.kind} size ${w.pos - off} != planned ${s.size}`);
    entries.push({ code: SECTION_KINDS[s.kind], core: s.coreIdx === undefined ? NO_CORE : (c.cores[s.coreIdx] as CoreImage).core, off, len: s.size });
  }
  w.pos = HEADER_BYTES;
  for (const e of entries) {
    w.num('u16', e.code);
    w.num('u16', e.core);
    w.num('u32', e.off);
    w.num('u32', e.len);
    w.num('u32', crc32(w.bytes, e.off, e.off + e.len));
  }
  return w.bytes;
}

// ---------------------------------------------------------------------------------------------
// Reader

// binary-parser decoders, from the section schemas of every format version (run only on a section whose lengths were measured).
type RecordParser = ReturnType<typeof recordParser>;
const PARSERS = new Map<SectionKind, RecordParser[]>();
/** The decoder of section `kind` in format `version` (built on first use). */
function parserOf(kind: SectionKind, version: number): RecordParser {
  let byVersion = PARSERS.get(kind);
  if (!byVersion) PARSERS.set(kind, (byVersion = []));
  return (byVersion[version] ??= recordParser(sectionSchema(kind, version)));
}

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
  if (version < 1 || version > BWC_VERSION) err('header', 4, `unsupported format version ${version} (this reader supports 1..${BWC_VERSION})`);
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
    measureRecord(m, sectionSchema(e.kind, version));
    m.done();
    return parserOf(e.kind, version).parse(bytes.subarray(e.offset, e.offset + e.length));
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
  if (version >= 3) {
    const [synapse, neuron, axon] = nums(pc.banks);
    const banks = { ...(synapse ? { synapse } : {}), ...(neuron ? { neuron } : {}), ...(axon ? { axon } : {}) };
    if (Object.keys(banks).length) chip.banks = banks;
  }

  const pmeta = parse(find('meta'));
  const encKind = pmeta.encKind as number;
  const encValue = pmeta.encValue as number;
  const encoding: InputEncoding = encKind === 0 ? { kind: 'binary', threshold: encValue } : { kind: 'multibit', bits: encValue };
  const meta: ModelMeta = {
    name: pmeta.name as string,
    timesteps: pmeta.timesteps as number,
    inputShape: nums(pmeta.shape).slice(),
    encoding,
    classes: pmeta.classes as number,
  };
  if (version >= 3) {
    if (pmeta.rangeKind === 1) meta.inputRange = [pmeta.rangeLo as number, pmeta.rangeHi as number];
    if ((pmeta.dataset as string) !== '') meta.dataset = pmeta.dataset as string;
  }

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
    // A field the container's version lacks reads as zeros.
    const neurons: NeuronParams = { count: pn.count as number, ...neuronArrays((f) => (f.since <= version ? nums(pn[f.name]) : (pn.count as number))) };
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
    throw issueError(c, file, issues[0] as Issue, starts, version);
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
