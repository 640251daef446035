/**
 * Input checks of a model against what it records (Graph.inputRange, Graph.dataset, the input
 * encoding): a float first layer fed a binary encoding, inputs outside the recorded range, a
 * built-in data set other than the one the model was trained on. Each check returns a one-line
 * message (or undefined); the caller decides to warn or refuse.
 */
import type { Graph, InputNode } from './graph.js';

function inputNode(g: Graph): InputNode {
  return g.nodes.find((n) => n.op === 'input') as InputNode;
}

/** The data set the model records (Graph.dataset, or meta.dataset of models written before it existed). */
export function recordedDataset(g: Graph): string | undefined {
  if (g.dataset !== undefined) return g.dataset;
  const m = g.meta?.dataset;
  return typeof m === 'string' ? m : undefined;
}

/**
 * A first synapse with full-precision (multi-bit) weights reading a binary-encoded input: models
 * trained with direct encoding (raw pixels into a float first layer, as in snnTorch, SpikingJelly,
 * Sinabs) lose almost everything when their pixels are thresholded to 0/1.
 */
export function binaryEncodingWarning(g: Graph): string | undefined {
  const inp = inputNode(g);
  if (inp.encoding.kind !== 'binary') return undefined;
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const floatReaders: string[] = [];
  for (const n of g.nodes) {
    if (n.op !== 'linear' && n.op !== 'conv2d') continue;
    // follow flatten/pools back to see whether it reads the input
    let src = byName.get(n.input);
    while (src && (src.op === 'flatten' || src.op === 'sumpool' || src.op === 'avgpool' || src.op === 'maxpool')) src = byName.get(src.input);
    if (src?.op === 'input') floatReaders.push(n.name);
  }
  if (floatReaders.length === 0) return undefined;
  return `the first layer ${floatReaders.map((x) => JSON.stringify(x)).join(', ')} has full-precision weights but the input encoding is binary:${inp.encoding.threshold} (pixels thresholded to 0/1); a model trained on direct (analog) input needs --input-encoding multibit:K (multibit:8 for 8-bit pixels)`;
}

/** What a model records of its inputs: a Graph's fields, or a binary's meta (isa/container-types.ts ModelMeta). */
export interface RecordedInput {
  name: string;
  inputRange?: readonly [number, number];
  dataset?: string;
}

function recordOf(g: Graph | RecordedInput): RecordedInput {
  return 'nodes' in g ? { name: g.name, inputRange: g.inputRange, dataset: recordedDataset(g) } : g;
}

/** Inputs (sample values as given to run/eval) outside the model's recorded range, or undefined. */
export function rangeViolation(model: Graph | RecordedInput, data: ArrayLike<number>, perStep: boolean, file: string): string | undefined {
  const g = recordOf(model);
  const r = g.inputRange;
  if (!r || perStep) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= r[0] && hi <= r[1]) return undefined;
  const hint = r[1] <= 1 && hi > 1 ? ' (raw 0..255 pixels for a model trained on 0..1? divide them by 255)' : '';
  return `${file}: values span ${lo}..${hi} but model ${g.name} records its input range as [${r[0]}, ${r[1]}]${hint}`;
}

/** A built-in data set other than the one the model records, or undefined. */
export function datasetMismatch(model: Graph | RecordedInput, dataset: string): string | undefined {
  const g = recordOf(model);
  const rec = g.dataset;
  if (rec === undefined || rec === dataset) return undefined;
  return `model ${g.name} was trained on ${rec}, not ${dataset}: its predictions on ${dataset} are not meaningful`;
}
