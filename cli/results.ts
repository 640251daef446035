/**
 * The result fields every simulating command (run, energy, demo) prints the same way in --json,
 * and the per-input results of --per-inference / --out. docs/json.md documents them; the JSON
 * Schema files in docs/schemas/ are their contract (a test validates real output against them).
 *
 * Unit convention: a field that holds a physical quantity ends in its SI unit spelled out
 * (`...Joules`, `...Seconds`) or abbreviated (`...J`, `...S`, `...W`, `...Hz`); counts and
 * clock cycles carry no suffix (cycles are named `cycles...`). Energy and counts are per
 * inference (the mean over the inputs) unless the name says otherwise.
 */
import type { ActivityCounts } from '../simulator/energy/activity.js';
import { extname } from 'node:path';
import { BwsnnError } from '../isa/errors.js';
import { ENERGY_EVENTS, type EnergyEvent } from '../isa/table.js';
import { writeNpy } from '../models/data/npy.js';
import { COMPONENTS, type Component } from '../simulator/energy/breakdown.js';
import type { SimResult } from '../simulator/simulate.js';
import { writeAtomic } from './io.js';

/** Version of every --json output's schema (docs/schemas/*.schema.json); bumped on a breaking change. */
export const SCHEMA_VERSION = 1;

/** The header fields of every --json output. */
export function schemaHeader(command: string): { schema: string; schemaVersion: number } {
  return { schema: `bwsnn-${command}`, schemaVersion: SCHEMA_VERSION };
}

/** A component's JSON key: "synapse memory" -> "synapse_memory" (no spaces in keys). */
export function componentKey(c: Component): string {
  return c.replace(/ /g, '_');
}

export interface LayerSummary {
  /** A probed layer, "input" (host input flits) or "control/other". */
  layer: string;
  /** Spikes fired by the layer's neurons per inference (mean). */
  spikesPerInference: number;
  /** Dynamic energy of the events charged to the layer, joules per inference (mean). */
  energyJoulesPerInference: number;
}

/** The flat fields at the top level of `run --json`, `energy --json` and `demo --json`. */
export interface FlatResult {
  /** Number of inferences simulated. */
  inferences: number;
  /** Fraction correct (0..1), null without labels. */
  accuracy: number | null;
  /** Predicted class of every inference, in input order. */
  predictions: number[];
  cyclesPerInference: number;
  latencySeconds: number;
  energyJoulesPerInference: number;
  /** Component -> joules per inference; the values sum to energyJoulesPerInference. */
  energyBreakdown: Record<string, number>;
  /** Energy event -> count per inference. */
  events: Record<EnergyEvent, number>;
  /** Per layer (with per-layer attribution): spikes and energy per inference. */
  layers: LayerSummary[];
  /** The total with every memory access at the low / central / high end of its band (docs/energy.md). */
  energyBandJoulesPerInference: { low: number; central: number; high: number };
  /** Activity counted the way other chips count it (docs/energy.md), per inference. */
  activity: ActivityCounts;
}

export function flatResult(r: SimResult): FlatResult {
  return {
    inferences: r.count,
    accuracy: r.accuracy ?? null,
    predictions: r.inferences.map((i) => i.prediction),
    cyclesPerInference: r.cycles.mean,
    latencySeconds: r.latency.mean,
    energyJoulesPerInference: r.energy.total,
    energyBreakdown: Object.fromEntries(COMPONENTS.map((c) => [componentKey(c), r.energy.byComponent[c]])),
    events: Object.fromEntries(ENERGY_EVENTS.map((e) => [e, r.eventsPerInference[e]])) as Record<EnergyEvent, number>,
    layers: (r.perLayer ?? []).map((l) => ({ layer: l.layer, spikesPerInference: l.events.spike, energyJoulesPerInference: l.energy })),
    energyBandJoulesPerInference: { low: r.energy.band.low, central: r.energy.band.central, high: r.energy.band.high },
    activity: r.activity,
  };
}

/** One input's result (--per-inference, --out). */
export interface SampleResult {
  index: number;
  prediction: number;
  label: number | null;
  correct: boolean | null;
  readout: number[];
  cycles: number;
  latencySeconds: number;
  energyJoules: number;
}

export function sampleResults(r: SimResult, labels: ArrayLike<number> | undefined): SampleResult[] {
  return r.inferences.map((inf, index) => {
    const label = labels === undefined ? null : (labels[index] as number);
    return {
      index,
      prediction: inf.prediction,
      label,
      correct: label === null ? null : label === inf.prediction,
      readout: Array.from(inf.readout),
      cycles: Number(inf.cycles),
      latencySeconds: Number(inf.latency),
      energyJoules: Number(inf.energy),
    };
  });
}

/** Columns of the CSV and .npy forms (readout_0..readout_{C-1} follow). */
export const SAMPLE_COLUMNS = ['index', 'prediction', 'label', 'correct', 'cycles', 'latency_s', 'energy_j'] as const;

/** Format a number with 6 significant digits and no float noise (integers as they are). */
export function num6(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return '';
  return String(Number(v.toPrecision(6)));
}

/**
 * Write per-input results for other tools, by extension: .csv (header + one row per input; label
 * and correct empty without labels), .jsonl (one SampleResult object per line), .npy (float64
 * [N, 7 + C] in SAMPLE_COLUMNS then readout order; label and correct are -1 without labels).
 */
export function writeSamples(path: string, rows: SampleResult[]): void {
  const ext = extname(path).toLowerCase();
  const classes = rows[0]?.readout.length ?? 0;
  const readoutCols = Array.from({ length: classes }, (_, k) => `readout_${k}`);
  if (ext === '.jsonl') {
    writeAtomic(path, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
  } else if (ext === '.csv') {
    const lines = [[...SAMPLE_COLUMNS, ...readoutCols].join(',')];
    for (const r of rows) {
      lines.push(
        [r.index, r.prediction, r.label ?? '', r.correct === null ? '' : r.correct ? 1 : 0, r.cycles, num6(r.latencySeconds), num6(r.energyJoules), ...r.readout].join(','),
      );
    }
    writeAtomic(path, `${lines.join('\n')}\n`);
  } else if (ext === '.npy') {
    const w = SAMPLE_COLUMNS.length + classes;
    const data = new Float64Array(rows.length * w);
    rows.forEach((r, i) => {
      const row = [r.index, r.prediction, r.label ?? -1, r.correct === null ? -1 : r.correct ? 1 : 0, r.cycles, r.latencySeconds, r.energyJoules, ...r.readout];
      data.set(row, i * w);
    });
    writeAtomic(path, writeNpy({ dtype: 'f8', shape: [rows.length, w], data }));
  } else {
    throw new BwsnnError(`--out ${path}: expected a .csv, .jsonl or .npy file name`, 2);
  }
}

/** Check an --out path's extension before a long run. */
export function checkSamplesPath(path: string): void {
  if (!['.csv', '.jsonl', '.npy'].includes(extname(path).toLowerCase())) throw new BwsnnError(`--out ${path}: expected a .csv, .jsonl or .npy file name`, 2);
}
