/**
 * A tiny HDF5 tree reader/writer on top of h5wasm, enough for NIR files: groups and datasets only
 * (NIR writes no attributes). h5wasm works on its own in-memory file system, so bytes are written
 * there first and the file is always closed and unlinked afterwards.
 *
 * The wasm module is loaded once, at module load (top-level await, ~150 ms): import this module
 * (or models/nir/index.ts) lazily from CLI commands that do not need it.
 */
import h5wasm from 'h5wasm/node';
import { BwsnnError } from '../../isa/errors.js';

const h5module = await h5wasm.ready;
const FS = h5module.FS;

/** Numeric dataset values as plain doubles (int64 converted, must be safe integers). */
export interface H5Numeric {
  kind: 'numeric';
  /** Dataset shape ([] for a scalar). */
  shape: number[];
  /** h5wasm dtype string, e.g. '<f', '<d', '<q'. */
  dtype: string;
  data: Float64Array;
}

export interface H5Strings {
  kind: 'strings';
  shape: number[];
  data: string[];
}

export type H5Dataset = H5Numeric | H5Strings;

export interface H5Group {
  kind: 'group';
  /** Children in the order HDF5 lists them (alphabetical for files without tracked order). */
  children: Map<string, H5Entry>;
}

export type H5Entry = H5Group | H5Dataset;

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `bytes` carries the HDF5 signature at offset 0, 512, 1024, 2048, ... */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let off = 0; off + 8 <= bytes.length; off = off === 0 ? 512 : off * 2) {
    let ok = true;
    for (let i = 0; i < 8; i++) if (bytes[off + i] !== SIGNATURE[i]) ok = false;
    if (ok) return true;
  }
  return false;
}

/** Set once the wasm module itself failed (a trap or abort, not an HDF5 error): it may be unusable. */
let faulted = false;

/** True when the HDF5 wasm module trapped or aborted in a read (its state may be inconsistent). */
export function hdf5Faulted(): boolean {
  return faulted;
}

let counter = 0;
function tmpName(): string {
  counter += 1;
  return `/bwsnn-nir-${process.pid}-${counter}.h5`;
}

/**
 * Read a whole HDF5 file into a tree. Throws BwsnnError naming `file` for anything unreadable.
 * Unprotected: a file with deliberately corrupted metadata can make the HDF5 library loop forever
 * here, which cannot be interrupted in-process; `readHdf5TreeAsync` (hdf5-async.ts) runs this in a
 * worker thread with a timeout and is what the CLI uses.
 */
export function readHdf5Tree(bytes: Uint8Array, file: string): H5Group {
  if (!isHdf5(bytes)) throw new BwsnnError(`${file}: not an HDF5 file (no HDF5 signature), expected a NIR graph`);
  const name = tmpName();
  FS.writeFile(name, bytes);
  let f: InstanceType<typeof h5wasm.File> | null = null;
  // HDF5 errors become exceptions instead of HDF5-DIAG dumps on stderr.
  h5module.activate_throwing_error_handler();
  try {
    f = new h5wasm.File(name, 'r');
    if (f.file_id < 0n) {
      f = null;
      throw new BwsnnError(`${file}: not a readable HDF5 file (truncated or corrupt: the HDF5 library cannot open it)`);
    }
    return readGroup(f, '/', file);
  } catch (e) {
    if (e instanceof BwsnnError) throw e;
    if ((e as Error)?.name === 'RuntimeError' || /abort/i.test(String((e as Error)?.message ?? e))) faulted = true;
    throw new BwsnnError(`${file}: not a readable HDF5 file (truncated or corrupt: ${hdf5Reason(String((e as Error)?.message ?? e))})`);
  } finally {
    h5module.deactivate_throwing_error_handler();
    try {
      f?.close();
    } catch {
      /* already closed */
    }
    try {
      FS.unlink(name);
    } catch {
      /* nothing to clean */
    }
  }
}

/** The innermost reason of an HDF5 error stack, on one line. */
function hdf5Reason(msg: string): string {
  const lines = msg.split('\n').map((l) => l.trim());
  const frames = lines.filter((l) => /^#\d+:/.test(l));
  const last = frames[frames.length - 1];
  const m = last ? /\(\): (.*)$/.exec(last) : null;
  return (m ? m[1]! : lines.find((l) => l !== '') ?? 'unknown error').slice(0, 200);
}

function readGroup(g: InstanceType<typeof h5wasm.Group>, path: string, file: string): H5Group {
  const children = new Map<string, H5Entry>();
  for (const key of g.keys()) {
    const childPath = path === '/' ? `/${key}` : `${path}/${key}`;
    const e = g.get(key);
    if (e instanceof h5wasm.Group) children.set(key, readGroup(e, childPath, file));
    else if (e instanceof h5wasm.Dataset) children.set(key, readDataset(e, childPath, file));
    else throw new BwsnnError(`${file}: ${childPath}: unsupported HDF5 object (not a group or dataset)`);
  }
  return { kind: 'group', children };
}

function readDataset(d: InstanceType<typeof h5wasm.Dataset>, path: string, file: string): H5Dataset {
  const shape = (d.shape ?? []).map(Number);
  const meta = d.metadata;
  const v = d.value;
  if (meta.type === 3) {
    // string (fixed or variable length)
    const data = typeof v === 'string' ? [v] : Array.isArray(v) ? v.map((x) => String(x)) : null;
    if (data === null) throw new BwsnnError(`${file}: ${path}: unreadable string dataset`);
    return { kind: 'strings', shape, data };
  }
  if (meta.type !== 0 && meta.type !== 1) {
    throw new BwsnnError(`${file}: ${path}: unsupported HDF5 datatype class ${meta.type} (expected numbers or strings)`);
  }
  let data: Float64Array;
  if (typeof v === 'number') data = Float64Array.of(v);
  else if (typeof v === 'bigint') data = Float64Array.of(toSafe(v, path, file));
  else if (typeof v === 'boolean') data = Float64Array.of(v ? 1 : 0);
  else if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    data = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) data[i] = toSafe(v[i]!, path, file);
  } else if (ArrayBuffer.isView(v)) {
    data = Float64Array.from(v as unknown as ArrayLike<number>);
  } else {
    throw new BwsnnError(`${file}: ${path}: unreadable numeric dataset`);
  }
  return { kind: 'numeric', shape, dtype: String(d.dtype), data };
}

function toSafe(v: bigint, path: string, file: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new BwsnnError(`${file}: ${path}: integer ${v} out of range`);
  return n;
}

/** What the writer accepts: groups, strings (scalar or (E,2)-style arrays), float64 or int64 arrays. */
export type H5WriteEntry =
  | { kind: 'group'; children: [string, H5WriteEntry][] }
  | { kind: 'string'; value: string }
  | { kind: 'strings'; shape: number[]; data: string[] }
  | { kind: 'float64'; shape: number[]; data: Float64Array }
  | { kind: 'float32'; shape: number[]; data: Float32Array }
  | { kind: 'int64'; shape: number[]; data: number[] };

/** Write a tree (root group children) to HDF5 bytes. */
export function writeHdf5Tree(root: [string, H5WriteEntry][]): Uint8Array {
  const name = tmpName();
  const f = new h5wasm.File(name, 'w');
  try {
    writeChildren(f, root);
    f.flush();
  } finally {
    f.close();
  }
  try {
    return new Uint8Array(FS.readFile(name));
  } finally {
    FS.unlink(name);
  }
}

function writeChildren(g: InstanceType<typeof h5wasm.Group>, children: [string, H5WriteEntry][]): void {
  for (const [key, e] of children) {
    switch (e.kind) {
      case 'group':
        writeChildren(g.create_group(key), e.children);
        break;
      case 'string':
        g.create_dataset({ name: key, data: e.value });
        break;
      case 'strings':
        g.create_dataset({ name: key, data: e.data, shape: e.shape });
        break;
      case 'float64':
        g.create_dataset({ name: key, data: e.data, shape: e.shape, dtype: '<d' });
        break;
      case 'float32':
        g.create_dataset({ name: key, data: e.data, shape: e.shape, dtype: '<f' });
        break;
      case 'int64':
        g.create_dataset({ name: key, data: BigInt64Array.from(e.data.map((x) => BigInt(x))), shape: e.shape, dtype: '<q' });
        break;
    }
  }
}
