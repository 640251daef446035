/**
 * `bwsnn compile --profile DATA`: spike statistics of every source of a model (the input and
 * each spiking layer), measured with the integer reference executor over sample inputs; the
 * dataflow cost model (compiler/dataflow.ts) is fed with them.
 */
import type { IntModel } from '../models/intmodel.js';
import { runReference } from '../models/int-exec.js';
import { spikeStats, type Profile, type SourceStats } from './dataflow.js';

/** Samples: `count` rows of `size` values (or `steps * size` per-step values), as the simulator takes them. */
export interface ProfileInputs {
  count: number;
  data: Float32Array | Float64Array | Uint8Array;
  steps?: number;
}

export function profileModel(m: IntModel, inputs: ProfileInputs, label: string): Profile {
  const T = m.timesteps;
  const size = m.input.shape.reduce((a, b) => a * b, 1);
  const enc = m.input.encoding;
  const P = enc.kind === 'multibit' ? enc.bits : 1;
  const per = size * (inputs.steps ?? 1);
  const sum = new Map<string, SourceStats>();
  const add = (name: string, s: SourceStats): void => {
    const a = sum.get(name) ?? { bits: 0, words: 0, stepBits: 0, anyBits: 0, anyWords: 0 };
    a.bits += s.bits;
    a.words += s.words;
    a.stepBits += s.stepBits;
    a.anyBits += s.anyBits;
    a.anyWords += s.anyWords;
    sum.set(name, a);
  };
  const inSpk = new Uint8Array(T * P * size);
  for (let i = 0; i < inputs.count; i++) {
    const x = Float32Array.from(inputs.data.subarray(i * per, (i + 1) * per));
    for (let t = 0; t < T; t++) {
      const o = inputs.steps ? t * size : 0;
      for (let p = 0; p < P; p++) {
        for (let k = 0; k < size; k++) {
          const v = x[o + k]!;
          inSpk[(t * P + p) * size + k] = enc.kind === 'binary' ? (inputs.steps ? v : v >= enc.threshold ? 1 : 0) : (v >> p) & 1;
        }
      }
    }
    add(m.input.name, spikeStats(inSpk, T, P, size));
    const r = runReference(m, x);
    for (const [name, spk] of Object.entries(r.spikes)) add(name, spikeStats(spk, T, 1, spk.length / T));
  }
  const sources: Record<string, SourceStats> = {};
  const n = Math.max(1, inputs.count);
  for (const [k, a] of sum) sources[k] = { bits: a.bits / n, words: a.words / n, stepBits: a.stepBits / n, anyBits: a.anyBits / n, anyWords: a.anyWords / n };
  return { samples: inputs.count, data: label, sources };
}
