/**
 * Reading the NIR file structure (HDF5 tree -> flat list of typed NIR nodes and edges), for the
 * layouts written by NIR 0.1 to 1.0.x: `/version` (absent in the oldest files), `/node/type` =
 * "NIRGraph", `/node/edges` (E, 2) strings, `/node/nodes/<name>/type` plus one dataset per
 * parameter. Shapes of Input/Output nodes are in a `shape` dataset (every released writer); an
 * `input_type`/`output_type` group with an `input`/`output` dataset is read as well.
 * Nested NIRGraph nodes are flattened: their nodes get the prefix `<graph name>/`, and their
 * Input/Output nodes become pass-through nodes.
 */
import { BwsnnError } from '../../isa/errors.js';
import type { H5Dataset, H5Entry, H5Group } from './hdf5.js';

/** Every node type NIR defines (nir/ir, 1.0.x), including the ones the importer refuses. */
export const NIR_NODE_TYPES = [
  'Affine',
  'AvgPool2d',
  'Conv1d',
  'Conv2d',
  'CubaLI',
  'CubaLIF',
  'Delay',
  'Flatten',
  'I',
  'IF',
  'Identity',
  'Input',
  'LI',
  'LIF',
  'Linear',
  'NIRGraph',
  'Output',
  'Scale',
  'SumPool2d',
  'Threshold',
] as const;
export type NirNodeType = (typeof NIR_NODE_TYPES)[number];

export interface NirArray {
  shape: number[];
  data: Float64Array;
  dtype: string;
}

export interface NirNode {
  /** Flattened name: nested graphs contribute `<graph>/` prefixes. */
  name: string;
  type: string;
  /** HDF5 path of the node group (for messages). */
  path: string;
  /** Numeric parameters by dataset name; datasets inside sub-groups as `group/name`. */
  params: Map<string, NirArray>;
  /** String parameters (e.g. padding 'same'). */
  strings: Map<string, string>;
  /** Input/Output of a nested graph: a pass-through node. */
  passThrough: boolean;
  /** Set by the importer when an I/LI -> Threshold -> Scale loop was fused into a soft-reset IF/LIF. */
  softReset?: { fireOn: 'gt' | 'ge'; from: string[] };
}

export interface NirFile {
  file: string;
  /** `/version` string or null when the file has none. */
  version: string | null;
  nodes: NirNode[];
  edges: [string, string][];
}

function child(g: H5Group, key: string): H5Entry | undefined {
  return g.children.get(key);
}

function str(e: H5Entry | undefined): string | null {
  if (e && e.kind === 'strings' && e.data.length === 1) return e.data[0]!;
  return null;
}

/** Parse a NIR HDF5 tree. */
export function parseNirTree(root: H5Group, file: string): NirFile {
  const node = child(root, 'node');
  if (!node || node.kind !== 'group') {
    throw new BwsnnError(`${file}: not a NIR file: HDF5 group /node is missing (found ${[...root.children.keys()].join(', ') || 'nothing'})`);
  }
  const type = str(child(node, 'type'));
  if (type !== 'NIRGraph') {
    throw new BwsnnError(`${file}: not a NIR file: /node/type is ${type === null ? 'missing' : JSON.stringify(type)}, expected "NIRGraph"`);
  }
  const vEntry = child(root, 'version');
  const version = vEntry ? str(vEntry) : null;
  const out: NirFile = { file, version, nodes: [], edges: [] };
  out.edges = flattenGraph(node, '/node', '', file, out).edges;
  return out;
}

interface Flat {
  edges: [string, string][];
  inputs: string[];
  outputs: string[];
}

function flattenGraph(g: H5Group, path: string, prefix: string, file: string, out: NirFile): Flat {
  const nodesEntry = child(g, 'nodes');
  if (!nodesEntry || nodesEntry.kind !== 'group') throw new BwsnnError(`${file}: ${path}/nodes: missing group of nodes`);
  const local = new Map<string, { flat: string; type: string; sub?: Flat }>();
  const nested = prefix !== '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const subEdges: [string, string][] = [];
  for (const [name, e] of nodesEntry.children) {
    const npath = `${path}/nodes/${name}`;
    if (e.kind !== 'group') throw new BwsnnError(`${file}: ${npath}: expected a node group, found a dataset`);
    const type = str(child(e, 'type'));
    if (type === null) throw new BwsnnError(`${file}: node ${prefix}${name} (${npath}/type): missing or malformed type string`);
    const flat = `${prefix}${name}`;
    if (type === 'NIRGraph') {
      const sub = flattenGraph(e, npath, `${flat}/`, file, out);
      subEdges.push(...sub.edges);
      local.set(name, { flat, type, sub });
      continue;
    }
    const params = new Map<string, NirArray>();
    const strings = new Map<string, string>();
    const collect = (grp: H5Group, pre: string): void => {
      for (const [k, v] of grp.children) {
        if (k === 'type' && pre === '') continue;
        if (k === 'metadata' && pre === '') continue;
        if (v.kind === 'group') collect(v, `${pre}${k}/`);
        else addDataset(`${pre}${k}`, v, params, strings);
      }
    };
    collect(e, '');
    out.nodes.push({ name: flat, type, path: npath, params, strings, passThrough: nested && (type === 'Input' || type === 'Output') });
    local.set(name, { flat, type });
    if (type === 'Input') inputs.push(flat);
    if (type === 'Output') outputs.push(flat);
  }
  const edgesEntry = child(g, 'edges');
  const edges: [string, string][] = [];
  if (edgesEntry) {
    if (edgesEntry.kind !== 'strings') throw new BwsnnError(`${file}: ${path}/edges: expected an (E, 2) array of strings`);
    const d = edgesEntry.data;
    const okShape = (edgesEntry.shape.length === 2 && edgesEntry.shape[1] === 2) || (edgesEntry.shape.length === 1 && edgesEntry.shape[0] === 0) || d.length === 0;
    if (!okShape || d.length % 2 !== 0) throw new BwsnnError(`${file}: ${path}/edges: expected shape (E, 2), found (${edgesEntry.shape.join(', ')})`);
    const resolve = (ep: string, role: 'src' | 'dst', i: number): string => {
      const at = `${file}: ${path}/edges[${i}] (${d[2 * i]} -> ${d[2 * i + 1]})`;
      const l = local.get(ep);
      if (l) {
        if (!l.sub) return l.flat;
        const ports = role === 'dst' ? l.sub.inputs : l.sub.outputs;
        if (ports.length !== 1) {
          throw new BwsnnError(`${at}: subgraph ${l.flat} has ${ports.length} ${role === 'dst' ? 'Input' : 'Output'} nodes; name one as ${ep}.<node>`);
        }
        return ports[0]!;
      }
      const dot = ep.indexOf('.');
      if (dot > 0) {
        const head = local.get(ep.slice(0, dot));
        if (head?.sub) {
          const target = `${head.flat}/${ep.slice(dot + 1)}`;
          if (out.nodes.some((n) => n.name === target)) return target;
        }
      }
      throw new BwsnnError(`${at}: no node named ${JSON.stringify(ep)} in this graph`);
    };
    for (let i = 0; i < d.length / 2; i++) edges.push([resolve(d[2 * i]!, 'src', i), resolve(d[2 * i + 1]!, 'dst', i)]);
  }
  return { edges: [...subEdges, ...edges], inputs, outputs };
}

function addDataset(key: string, v: H5Dataset, params: Map<string, NirArray>, strings: Map<string, string>): void {
  if (v.kind === 'strings') {
    if (v.data.length === 1) strings.set(key, v.data[0]!);
    return;
  }
  params.set(key, { shape: v.shape, data: v.data, dtype: v.dtype });
}
