/**
 * NIR (Neuromorphic Intermediate Representation) import and export. See docs/nir.md.
 *
 * Importing this module loads the HDF5 wasm module (top-level await, ~150 ms): CLI commands
 * should import it lazily.
 */
import type { Graph } from '../graph.js';
import { readFileSync, statSync } from 'node:fs';
import { BwsnnError } from '../../isa/errors.js';
import { readHdf5Tree } from './hdf5.js';
import { lowerNir, type NirImportOptions, type NirImportSummary } from './lower.js';
import { parseNirTree } from './parse.js';

export { exportNir, exportNirWithReport, type NirExportReport, NIR_EXPORT_VERSION } from './export.js';
export { formatImportSummary } from './summary.js';
export { NIR_IMPORT_DEFAULTS, type NirImportOptions, type NirImportSummary } from './lower.js';
export { NIR_NODE_TYPES, parseNirTree, type NirFile, type NirNode } from './parse.js';

/** Import a NIR file's bytes as a validated Graph and the import summary. */
export function importNirWithSummary(bytes: Uint8Array, file: string, opts: NirImportOptions = {}): { graph: Graph; summary: NirImportSummary } {
  const tree = readHdf5Tree(bytes, file);
  return lowerNir(parseNirTree(tree, file), opts);
}

/** Import a NIR file's bytes as a validated Graph. */
export function importNir(bytes: Uint8Array, file: string, opts: NirImportOptions = {}): Graph {
  return importNirWithSummary(bytes, file, opts).graph;
}

/** Read `path` (a .nir file) and import it: what `bwsnn compile` uses for .nir inputs. */
export function loadNirAsGraph(path: string, opts: NirImportOptions = {}): Graph {
  let bytes: Uint8Array;
  try {
    if (statSync(path).isDirectory()) throw new BwsnnError(`${path}: is a directory, expected a .nir file`);
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    if (e instanceof BwsnnError) throw e;
    throw new BwsnnError(`${path}: cannot read (${(e as Error).message})`);
  }
  return importNir(bytes, path, opts);
}
