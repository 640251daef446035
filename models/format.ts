/**
 * The .bwsnn model file (docs/model-format.md): magic "BWSNNMDL", u32 format version, u32 header
 * length, a UTF-8 JSON header (graph structure, shapes, scalar parameters, and for every array its
 * dtype, offset and length into the blob), zero padding to a multiple of 8, then a little-endian
 * blob of the arrays (f64 exact, i32, and binary weights bit-packed as in the Graph IR).
 * Reading checks the header against a per-op schema (unknown, missing or mistyped fields are
 * refused with their field path), then validates the graph.
 */
import { readInput, writeAtomic } from '../isa/io.js';
import { BwsnnError } from '../isa/errors.js';
import { detectFileKind, wrongKindMessage } from '../isa/filetype.js';
import type { Graph, GraphNode, NodeOp } from './graph.js';
import { NODE_OPS, validateGraph } from './validate.js';
import { excerpt, oneLine, parseJsonBounded } from '../isa/excerpt.js';

export const BWSNN_MAGIC = 'BWSNNMDL';
export const BWSNN_VERSION = 1;

type FieldType = 'str' | 'int' | 'num' | 'strs' | 'shape' | 'pair' | 'encoding' | 'f64' | 'i32' | 'bits' | `enum:${string}`;

const CONV = { input: 'str', inChannels: 'int', outChannels: 'int', kernel: 'pair', stride: 'pair', padding: 'pair' } as const;
const POOL = { input: 'str', kernel: 'pair', stride: 'pair', padding: 'pair' } as const;
const NEURON = { input: 'str', threshold: 'f64', vReset: 'f64', reset: 'enum:soft|hard', fireOn: 'enum:gt|ge' } as const;

/** Fields of every op (besides op and name) and their types. */
export const NODE_SCHEMA: Record<NodeOp, Record<string, FieldType>> = {
  input: { shape: 'shape', encoding: 'encoding' },
  binary_linear: { input: 'str', inFeatures: 'int', outFeatures: 'int', weightBits: 'bits', alpha: 'f64' },
  binary_conv2d: { ...CONV, weightBits: 'bits', alpha: 'f64' },
  linear: { input: 'str', inFeatures: 'int', outFeatures: 'int', bits: 'int', weight: 'i32', scale: 'f64' },
  conv2d: { ...CONV, bits: 'int', weight: 'i32', scale: 'f64' },
  batchnorm: { input: 'str', gamma: 'f64', beta: 'f64', mean: 'f64', var: 'f64', eps: 'num' },
  bias: { input: 'str', bias: 'f64' },
  add: { inputs: 'strs' },
  if: { ...NEURON },
  lif: { ...NEURON, leak: 'int' },
  threshold: { input: 'str', threshold: 'f64', fireOn: 'enum:gt|ge' },
  sumpool: { ...POOL },
  avgpool: { ...POOL },
  maxpool: { ...POOL },
  flatten: { input: 'str' },
  readout: { input: 'str', leak: 'int' },
};

const ELEM: Record<'f64' | 'i32' | 'bits', number> = { f64: 8, i32: 4, bits: 1 };
const TOP_FIELDS = new Set(['format', 'version', 'name', 'timesteps', 'nodes', 'classNames', 'meta', 'inputRange', 'dataset', 'blobBytes']);

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Serialize a (valid) graph. Throws BwsnnError if the graph does not validate. */
export function writeBwsnn(g: Graph): Uint8Array {
  validateGraph(g, `model ${g.name}`);
  const chunks: { offset: number; bytes: Uint8Array }[] = [];
  let blobBytes = 0;
  const addArray = (dtype: 'f64' | 'i32' | 'bits', a: Float64Array | Int32Array | Uint8Array): { dtype: string; offset: number; length: number } => {
    blobBytes = align8(blobBytes);
    const bytes = new Uint8Array(a.length * ELEM[dtype]);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < a.length; i++) {
      if (dtype === 'f64') dv.setFloat64(i * 8, a[i]!, true);
      else if (dtype === 'i32') dv.setInt32(i * 4, a[i]!, true);
      else bytes[i] = a[i]!;
    }
    const ref = { dtype, offset: blobBytes, length: a.length };
    chunks.push({ offset: blobBytes, bytes });
    blobBytes += bytes.length;
    return ref;
  };
  const nodes = g.nodes.map((n) => {
    const out: Record<string, unknown> = { op: n.op, name: n.name };
    const rec = n as unknown as Record<string, unknown>;
    for (const [field, type] of Object.entries(NODE_SCHEMA[n.op])) {
      const v = rec[field];
      if (type === 'f64' || type === 'i32' || type === 'bits') out[field] = addArray(type, v as Float64Array);
      else out[field] = v;
    }
    return out;
  });
  blobBytes = align8(blobBytes);
  const header: Record<string, unknown> = { format: 'bwsnn', version: BWSNN_VERSION, name: g.name, timesteps: g.timesteps };
  if (g.classNames) header.classNames = g.classNames;
  if (g.meta) header.meta = g.meta;
  if (g.inputRange) header.inputRange = [...g.inputRange];
  if (g.dataset !== undefined) header.dataset = g.dataset;
  header.blobBytes = blobBytes;
  header.nodes = nodes;
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headStart = 16;
  const blobStart = align8(headStart + json.length);
  const out = new Uint8Array(blobStart + blobBytes);
  out.set(new TextEncoder().encode(BWSNN_MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, BWSNN_VERSION, true);
  dv.setUint32(12, json.length, true);
  out.set(json, headStart);
  for (const c of chunks) out.set(c.bytes, blobStart + c.offset);
  return out;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parse and validate a .bwsnn file; every refusal names `file` and the field path. */
export function readBwsnn(bytes: Uint8Array, file: string): Graph {
  const fail = (path: string, msg: string): never => {
    throw new BwsnnError(oneLine(`${file}: ${path}: ${msg}`));
  };
  const other = detectFileKind(bytes) === 'bwsnn' ? undefined : wrongKindMessage(file, bytes, 'a .bwsnn model');
  if (other !== undefined) throw new BwsnnError(other);
  if (bytes.length < 16) fail('header', `file too short (${bytes.length} bytes) for a .bwsnn model`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== BWSNN_MAGIC) fail('magic', `expected "${BWSNN_MAGIC}", got ${excerpt(magic)} (not a .bwsnn model)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== BWSNN_VERSION) fail('version', `unsupported format version ${version} (this reader knows version ${BWSNN_VERSION})`);
  const hlen = dv.getUint32(12, true);
  if (16 + hlen > bytes.length) fail('header', `header length ${hlen} runs past the end of the file (${bytes.length} bytes)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + hlen));
  } catch (e) {
    return fail('header', `invalid UTF-8 (${oneLine((e as Error).message, 200)})`);
  }
  const header = parseJsonBounded(text, `${file}: header`);
  if (!isObj(header)) return fail('header', 'expected a JSON object');
  for (const k of Object.keys(header)) if (!TOP_FIELDS.has(k)) fail(k, 'unknown field');
  if (header.format !== 'bwsnn') fail('format', `expected "bwsnn", got ${excerpt(header.format)}`);
  if (header.version !== version) fail('version', `header says ${excerpt(header.version)}, file header says ${version}`);
  if (typeof header.name !== 'string') fail('name', 'expected a string');
  if (!Number.isInteger(header.timesteps)) fail('timesteps', 'expected an integer');
  const blobStart = align8(16 + hlen);
  const blobBytes = header.blobBytes;
  if (!Number.isInteger(blobBytes) || (blobBytes as number) < 0) fail('blobBytes', 'expected a non-negative integer');
  if (blobStart + (blobBytes as number) !== bytes.length) {
    fail('blobBytes', `declares ${blobBytes} bytes of arrays but the file holds ${bytes.length - blobStart} after the header`);
  }
  const blob = new DataView(bytes.buffer, bytes.byteOffset + blobStart, blobBytes as number);
  if (header.classNames !== undefined && (!Array.isArray(header.classNames) || !header.classNames.every((c) => typeof c === 'string'))) {
    fail('classNames', 'expected a list of strings');
  }
  if (header.meta !== undefined) {
    if (!isObj(header.meta)) fail('meta', 'expected an object');
    for (const [k, v] of Object.entries(header.meta as Record<string, unknown>)) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) fail(`meta.${k}`, 'expected a string, number or boolean');
    }
  }
  const range = header.inputRange;
  if (range !== undefined) {
    if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => typeof x === 'number' && Number.isFinite(x)) || range[0] > range[1]) {
      fail('inputRange', `expected [low, high] with low <= high, got ${JSON.stringify(range)}`);
    }
  }
  if (header.dataset !== undefined && (typeof header.dataset !== 'string' || header.dataset.length === 0)) fail('dataset', 'expected a non-empty string');
  if (!Array.isArray(header.nodes)) return fail('nodes', 'expected a list');
  const nodes: GraphNode[] = header.nodes.map((raw: unknown, i: number) => {
    const at = `nodes[${i}]`;
    if (!isObj(raw)) return fail(at, 'expected an object');
    if (typeof raw.op !== 'string') return fail(`${at}.op`, 'expected a string');
    if (!(NODE_OPS as readonly string[]).includes(raw.op)) return fail(`${at}.op`, `unknown node type ${JSON.stringify(raw.op)}`);
    if (typeof raw.name !== 'string') return fail(`${at}.name`, 'expected a string');
    const schema = NODE_SCHEMA[raw.op as NodeOp];
    for (const k of Object.keys(raw)) if (k !== 'op' && k !== 'name' && !(k in schema)) fail(`${at}.${k}`, `unknown field for a ${raw.op} node`);
    const node: Record<string, unknown> = { op: raw.op, name: raw.name };
    for (const [field, type] of Object.entries(schema)) {
      const p = `${at}.${field}`;
      if (!(field in raw)) fail(p, 'missing');
      node[field] = readField(raw[field], type, p, blob, fail);
    }
    return node as unknown as GraphNode;
  });
  const g: Graph = { name: header.name as string, timesteps: header.timesteps as number, nodes };
  if (header.classNames) g.classNames = header.classNames as string[];
  if (header.meta) g.meta = header.meta as Record<string, string | number | boolean>;
  if (range !== undefined) g.inputRange = [(range as number[])[0]!, (range as number[])[1]!];
  if (header.dataset !== undefined) g.dataset = header.dataset as string;
  validateGraph(g, file);
  return g;
}

function readField(v: unknown, type: FieldType, p: string, blob: DataView, fail: (path: string, msg: string) => never): unknown {
  const isInt = (x: unknown): x is number => Number.isInteger(x);
  switch (type) {
    case 'str':
      return typeof v === 'string' ? v : fail(p, `expected a string, got ${excerpt(v)}`);
    case 'int':
      return isInt(v) ? v : fail(p, `expected an integer, got ${excerpt(v)}`);
    case 'num':
      return typeof v === 'number' ? v : fail(p, `expected a number, got ${excerpt(v)}`);
    case 'strs':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v] : fail(p, 'expected a list of strings');
    case 'shape':
      return Array.isArray(v) && v.every(isInt) ? [...v] : fail(p, 'expected a list of integers');
    case 'pair':
      return Array.isArray(v) && v.length === 2 && v.every(isInt) ? [v[0], v[1]] : fail(p, `expected two integers, got ${excerpt(v)}`);
    case 'encoding': {
      if (!isObj(v)) return fail(p, 'expected an object');
      if (v.kind === 'binary') {
        for (const k of Object.keys(v)) if (k !== 'kind' && k !== 'threshold') fail(`${p}.${k}`, 'unknown field');
        if (typeof v.threshold !== 'number') fail(`${p}.threshold`, 'expected a number');
        return { kind: 'binary', threshold: v.threshold };
      }
      if (v.kind === 'multibit') {
        for (const k of Object.keys(v)) if (k !== 'kind' && k !== 'bits') fail(`${p}.${k}`, 'unknown field');
        if (!isInt(v.bits)) fail(`${p}.bits`, 'expected an integer');
        return { kind: 'multibit', bits: v.bits };
      }
      return fail(`${p}.kind`, `expected "binary" or "multibit", got ${excerpt(v.kind)}`);
    }
    case 'f64':
    case 'i32':
    case 'bits': {
      if (!isObj(v)) return fail(p, 'expected an array reference {dtype, offset, length}');
      for (const k of Object.keys(v)) if (k !== 'dtype' && k !== 'offset' && k !== 'length') fail(`${p}.${k}`, 'unknown field');
      if (v.dtype !== type) fail(`${p}.dtype`, `expected "${type}", got ${excerpt(v.dtype)}`);
      const size = ELEM[type];
      if (!isInt(v.offset) || v.offset < 0 || v.offset % size !== 0) fail(`${p}.offset`, `expected a non-negative multiple of ${size}, got ${excerpt(v.offset)}`);
      if (!isInt(v.length) || v.length < 0) fail(`${p}.length`, `expected a non-negative integer, got ${excerpt(v.length)}`);
      const off = v.offset as number;
      const len = v.length as number;
      if (off + len * size > blob.byteLength) fail(p, `array of ${len} ${type} at blob offset ${off} runs past the end of the blob (${blob.byteLength} bytes)`);
      if (type === 'f64') {
        const a = new Float64Array(len);
        for (let i = 0; i < len; i++) a[i] = blob.getFloat64(off + i * 8, true);
        return a;
      }
      if (type === 'i32') {
        const a = new Int32Array(len);
        for (let i = 0; i < len; i++) a[i] = blob.getInt32(off + i * 4, true);
        return a;
      }
      return new Uint8Array(blob.buffer.slice(blob.byteOffset + off, blob.byteOffset + off + len));
    }
    default: {
      const allowed = type.slice(5).split('|');
      return typeof v === 'string' && allowed.includes(v) ? v : fail(p, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${excerpt(v)}`);
    }
  }
}

/** Load a .bwsnn model from disk. */
export function loadModel(path: string): Graph {
  return readBwsnn(readInput(path), path);
}

/** Save a model atomically. */
export function saveModel(path: string, g: Graph): void {
  writeAtomic(path, writeBwsnn(g));
}
