/**
 * NIR (Neuromorphic Intermediate Representation) import and export. See docs/nir.md.
 *
 * Importing this module loads the HDF5 wasm module (top-level await, ~150 ms): CLI commands
 * should import it lazily.
 *
 * The synchronous readers (`importNir`, `importNirWithSummary`, `loadNirAsGraph`) read the HDF5
 * tree in the calling thread and are unprotected: a file with deliberately corrupted HDF5 metadata
 * can make them loop forever. The `...Async` ones read it in a worker thread with a timeout
 * (default 20 s, `timeoutMs` or $BWSNN_NIR_TIMEOUT_MS) and are what the CLI uses for any file.
 */
import type { Graph } from '../graph.js';
import { readFileSync, statSync } from 'node:fs';
import { BwsnnError } from '../../isa/errors.js';
import { readHdf5Tree } from './hdf5.js';
import { readHdf5TreeAsync, type Hdf5ReadOptions } from './hdf5-async.js';
import { lowerNir, type NirImportOptions, type NirImportSummary } from './lower.js';
import { parseNirTree } from './parse.js';

export { exportNir, exportNirWithReport, type NirExportReport, NIR_EXPORT_VERSION } from './export.js';
export { formatImportSummary } from './summary.js';
export { NIR_IMPORT_DEFAULTS, type NirImportOptions, type NirImportSummary } from './lower.js';
export { HDF5_READ_TIMEOUT_MS, HDF5_TIMEOUT_ENV, readHdf5TreeAsync, type Hdf5ReadOptions } from './hdf5-async.js';
export { NIR_NODE_TYPES, parseNirTree, type NirFile, type NirNode } from './parse.js';

/** Import options plus the HDF5 read timeout of the async importers. */
export type NirAsyncImportOptions = NirImportOptions & Hdf5ReadOptions;

/** Import a NIR file's bytes as a validated Graph and the import summary (unprotected: see above). */
export function importNirWithSummary(bytes: Uint8Array, file: string, opts: NirImportOptions = {}): { graph: Graph; summary: NirImportSummary } {
  const tree = readHdf5Tree(bytes, file);
  return lowerNir(parseNirTree(tree, file), opts);
}

/** Import a NIR file's bytes as a validated Graph (unprotected: see above). */
export function importNir(bytes: Uint8Array, file: string, opts: NirImportOptions = {}): Graph {
  return importNirWithSummary(bytes, file, opts).graph;
}

/** Read `path` (a .nir file) and import it (unprotected: see above; the CLI uses loadNirAsGraphAsync). */
export function loadNirAsGraph(path: string, opts: NirImportOptions = {}): Graph {
  return importNir(readNirFile(path), path, opts);
}

/** `importNirWithSummary` with the HDF5 tree read in a worker thread under a timeout. */
export async function importNirWithSummaryAsync(bytes: Uint8Array, file: string, opts: NirAsyncImportOptions = {}): Promise<{ graph: Graph; summary: NirImportSummary }> {
  const { timeoutMs, ...importOpts } = opts;
  const tree = await readHdf5TreeAsync(bytes, file, timeoutMs !== undefined ? { timeoutMs } : {});
  return lowerNir(parseNirTree(tree, file), importOpts);
}

/** `importNir` with the HDF5 tree read in a worker thread under a timeout. */
export async function importNirAsync(bytes: Uint8Array, file: string, opts: NirAsyncImportOptions = {}): Promise<Graph> {
  return (await importNirWithSummaryAsync(bytes, file, opts)).graph;
}

/** `loadNirAsGraph` with the HDF5 tree read in a worker thread under a timeout: what the CLI uses. */
export async function loadNirAsGraphAsync(path: string, opts: NirAsyncImportOptions = {}): Promise<Graph> {
  return importNirAsync(readNirFile(path), path, opts);
}

function readNirFile(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    if (statSync(path).isDirectory()) throw new BwsnnError(`${path}: is a directory, expected a .nir file`);
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    if (e instanceof BwsnnError) throw e;
    throw new BwsnnError(`${path}: cannot read (${(e as Error).message})`);
  }
  return bytes;
}
