/**
 * Accuracy of a trained model through the integer reference (foldGraph + runReference), the
 * semantics the compiler and the chip reproduce, and its agreement with the trainer's float model.
 */
import type { Graph } from '../graph.js';
import { foldGraph } from '../fold.js';
import { runReference } from '../int-exec.js';
import { argmaxRow } from './loss.js';
import type { Net } from './net.js';
import { multibitLevel, predictAll, type TrainData } from './trainer.js';

/** The model input of one sample as the executors take it (pixels; multibit: integer levels). */
export function modelInput(g: Graph, data: TrainData, i: number, size: number): Float32Array {
  const x = data.inputs.subarray(i * size, (i + 1) * size);
  const inp = g.nodes[0];
  if (inp && inp.op === 'input' && inp.encoding.kind === 'multibit') {
    const bits = inp.encoding.bits;
    return Float32Array.from(x, (p) => multibitLevel(p, bits));
  }
  return Float32Array.from(x);
}

export interface IntegerEval {
  accuracy: number;
  /** Samples whose integer prediction differs from the float model's. */
  disagreements: number;
  count: number;
}

export function integerAccuracy(g: Graph, net: Net | null, data: TrainData, limit = data.count): IntegerEval {
  const m = foldGraph(g);
  const size = m.input.shape.reduce((a, b) => a * b, 1);
  const n = Math.min(limit, data.count);
  const floatLogits = net ? predictAll(net, data) : null;
  let correct = 0;
  let disagree = 0;
  for (let i = 0; i < n; i++) {
    const r = runReference(m, modelInput(g, data, i, size));
    if (r.prediction === data.labels[i]) correct++;
    if (floatLogits && argmaxRow(floatLogits, i * net!.classes, net!.classes) !== r.prediction) disagree++;
  }
  return { accuracy: correct / n, disagreements: floatLogits ? disagree : 0, count: n };
}
