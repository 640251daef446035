/**
 * NIR fixtures written with h5wasm directly (independently of models/nir's writer), in the exact
 * HDF5 layout of nir.write: datasets only, vlen UTF-8 strings for `type`/`version`/`edges`,
 * float32 (PyTorch exporters) or float64 arrays, int64 integers, nested NIRGraph groups.
 */
import h5wasm from 'h5wasm/node';

const { FS } = await h5wasm.ready;

export type Arr = { dtype: '<f' | '<d' | '<q'; shape: number[]; data: number[] };
export const f32 = (shape: number[], data: number[]): Arr => ({ dtype: '<f', shape, data });
export const f64 = (shape: number[], data: number[]): Arr => ({ dtype: '<d', shape, data });
export const i64 = (shape: number[], data: number[]): Arr => ({ dtype: '<q', shape, data });
/** A 1-D float32 vector. */
export const vec = (...data: number[]): Arr => f32([data.length], data);

export interface FixGraph {
  type: 'NIRGraph';
  nodes: Record<string, FixNode>;
  edges: [string, string][];
}
export type FixNode = FixGraph | ({ type: string } & Record<string, Arr | string | Record<string, Arr>>);

export interface FixFile {
  /** null: no /version dataset (the oldest files). */
  version?: string | null;
  graph: FixGraph;
}

let n = 0;
export function nirBytes(f: FixFile): Uint8Array {
  n += 1;
  const path = `/fixture-${process.pid}-${n}.nir`;
  const file = new h5wasm.File(path, 'w');
  try {
    if (f.version !== null) file.create_dataset({ name: 'version', data: f.version ?? '1.0.0' });
    writeNode(file.create_group('node'), f.graph);
  } finally {
    file.close();
  }
  const bytes = new Uint8Array(FS.readFile(path));
  FS.unlink(path);
  return bytes;
}

type G = InstanceType<typeof h5wasm.Group>;

function writeArr(g: G, key: string, a: Arr): void {
  if (a.dtype === '<q') g.create_dataset({ name: key, data: BigInt64Array.from(a.data.map((x) => BigInt(x))), shape: a.shape, dtype: '<q' });
  else if (a.dtype === '<f') g.create_dataset({ name: key, data: Float32Array.from(a.data), shape: a.shape, dtype: '<f' });
  else g.create_dataset({ name: key, data: Float64Array.from(a.data), shape: a.shape, dtype: '<d' });
}

function writeNode(g: G, node: FixNode): void {
  if (node.type === 'NIRGraph') {
    const gr = node as FixGraph;
    g.create_dataset({ name: 'type', data: 'NIRGraph' });
    const ns = g.create_group('nodes');
    for (const [k, v] of Object.entries(gr.nodes)) writeNode(ns.create_group(k), v);
    g.create_dataset({ name: 'edges', data: gr.edges.flat(), shape: [gr.edges.length, 2] });
    return;
  }
  for (const [k, v] of Object.entries(node)) {
    if (typeof v === 'string') g.create_dataset({ name: k, data: v });
    else if ('dtype' in v && 'shape' in v) writeArr(g, k, v as Arr);
    else {
      const sub = g.create_group(k);
      for (const [k2, v2] of Object.entries(v as Record<string, Arr>)) writeArr(sub, k2, v2);
    }
  }
}

/** A linear chain graph: names in order, edges between consecutive ones. */
export function chain(nodes: [string, FixNode][]): FixGraph {
  const edges: [string, string][] = [];
  for (let i = 1; i < nodes.length; i++) edges.push([nodes[i - 1]![0], nodes[i]![0]]);
  return { type: 'NIRGraph', nodes: Object.fromEntries(nodes), edges };
}

export const input = (...shape: number[]): FixNode => ({ type: 'Input', shape: i64([shape.length], shape) });
export const output = (...shape: number[]): FixNode => ({ type: 'Output', shape: i64([shape.length], shape) });
