/**
 * `bwsnn compile --profile DATA`: spike statistics of every source of a model (the input and
 * each spiking layer), measured with the integer reference executor over sample inputs; the
 * dataflow cost model (compiler/dataflow.ts) is fed with them.
 */
import { BwsnnError } from '../isa/errors.js';
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

/** Key of a profile stored in a model's `meta` (a JSON string), written by `compile --save-profile`. */
export const PROFILE_META_KEY = 'spikeProfile';

const STAT_KEYS = ['bits', 'words', 'stepBits', 'anyBits', 'anyWords'] as const;

/** The profile stored in a model's meta, checked field by field (errors name the file and field). */
export function parseStoredProfile(text: string, file: string): Profile {
  const where = `${file}: meta.${PROFILE_META_KEY}`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BwsnnError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const obj = (v: unknown, at: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BwsnnError(`${where}${at}: expected an object`);
    return v as Record<string, unknown>;
  };
  const r = obj(raw, '');
  const num = (v: unknown, at: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new BwsnnError(`${where}${at}: expected a non-negative number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (typeof r.data !== 'string') throw new BwsnnError(`${where}.data: expected a string`);
  const sources: Record<string, SourceStats> = {};
  for (const [k, v] of Object.entries(obj(r.sources, '.sources'))) {
    const s = obj(v, `.sources.${k}`);
    for (const f of Object.keys(s)) if (!(STAT_KEYS as readonly string[]).includes(f)) throw new BwsnnError(`${where}.sources.${k}.${f}: unknown field (known: ${STAT_KEYS.join(', ')})`);
    sources[k] = Object.fromEntries(STAT_KEYS.map((f) => [f, num(s[f], `.sources.${k}.${f}`)])) as unknown as SourceStats;
  }
  return { samples: num(r.samples, '.samples'), data: r.data, sources };
}
