/**
 * Float vs integer agreement: run the float executor (framework semantics) and the integer
 * reference (after folding) on the same samples, and count correct predictions of each, identical
 * predictions, and identical spikes. Measured, never assumed.
 */
import type { ModelInputs } from './data/inputs.js';
import { runFloat } from './float-exec.js';
import type { Graph } from './graph.js';
import { runReference } from './int-exec.js';
import type { IntModel } from './intmodel.js';

export interface AgreementReport {
  count: number;
  /** Correct predictions (only with labels). */
  floatCorrect?: number;
  intCorrect?: number;
  floatAccuracy?: number;
  intAccuracy?: number;
  /** Samples where both predict the same class. */
  agree: number;
  agreement: number;
  /** Fraction of spike bits (every layer, every step) that are equal. */
  spikeAgreement: number;
  layers: { name: string; fracBits: number }[];
  /**
   * Where float and integer first differ: in the first sample with a different spike (or
   * prediction), the earliest time step and, at that step, the first layer in execution order (and
   * its first differing neuron). Absent when they never differ.
   */
  firstDifference?: { sample: number; step: number; layer: string; neuron: number };
}

/** Called after every sample with its index and both executors' results (per-input output, progress). */
export type AgreementSampleHook = (index: number, float: ReturnType<typeof runFloat>, int: ReturnType<typeof runReference>, count: number) => void;

export function measureAgreement(g: Graph, m: IntModel, inputs: ModelInputs, labels?: Uint8Array, limit?: number, onSample?: AgreementSampleHook): AgreementReport {
  const n = Math.min(inputs.count, limit ?? inputs.count);
  let agree = 0;
  let fc = 0;
  let ic = 0;
  let bits = 0;
  let same = 0;
  let first: AgreementReport['firstDifference'];
  const L = inputs.sampleLength;
  for (let k = 0; k < n; k++) {
    const x = inputs.data.subarray(k * L, (k + 1) * L);
    const a = runFloat(g, x);
    const b = runReference(m, x);
    if (a.prediction === b.prediction) agree++;
    onSample?.(k, a, b, n);
    if (labels) {
      if (a.prediction === labels[k]) fc++;
      if (b.prediction === labels[k]) ic++;
    }
    let here: { step: number; order: number; layer: string; neuron: number } | undefined;
    for (const [name, s] of Object.entries(b.spikes)) {
      const f = a.spikes[name];
      if (!f) continue;
      bits += s.length;
      const size = s.length / m.timesteps;
      const order = m.layers.findIndex((l) => l.name === name);
      for (let i = 0; i < s.length; i++) {
        if (s[i] === f[i]) same++;
        else {
          const step = Math.floor(i / size);
          if (!here || step < here.step || (step === here.step && order < here.order)) here = { step, order, layer: name, neuron: i % size };
        }
      }
    }
    if (!first && !here && a.prediction !== b.prediction) here = { step: m.timesteps - 1, order: m.layers.length, layer: m.readout, neuron: b.prediction };
    if (!first && here) first = { sample: k, step: here.step, layer: here.layer, neuron: here.neuron };
  }
  const r: AgreementReport = {
    count: n,
    agree,
    agreement: n ? agree / n : 0,
    spikeAgreement: bits ? same / bits : 1,
    layers: m.layers.map((l) => ({ name: l.name, fracBits: l.fracBits })),
  };
  if (first) r.firstDifference = first;
  if (labels) {
    r.floatCorrect = fc;
    r.intCorrect = ic;
    r.floatAccuracy = n ? fc / n : 0;
    r.intAccuracy = n ? ic / n : 0;
  }
  return r;
}
