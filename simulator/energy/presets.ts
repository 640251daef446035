/**
 * Comparison presets (`bwsnn energy --compare loihi,loihi-spice,truenorth`): another chip's
 * published per-event energies applied to this network's own activity, counted the way that chip
 * counts (ActivityCounts, simulator/energy/activity.ts). Each term is count x energy per event
 * with its provenance, so a reader can recompute every total. Data: presets.json.
 */
import { BwsnnError } from '../../isa/errors.js';
import type { ActivityCounts } from './activity.js';
import { parseProvenance, type Provenance } from './provenance.js';
import raw from './presets.json' with { type: 'json' };

/** Counts a preset entry may price. */
export const PRESET_COUNTS = ['synapticEvents', 'neuronUpdates', 'neuronUpdatesActive', 'neuronUpdatesIdle', 'spikesOut', 'messagesTotal', 'spikeMessages', 'hopsX', 'hopsY', 'inputSpikes', 'inputMessages'] as const;
export type PresetCount = (typeof PRESET_COUNTS)[number];
export const PRESET_COMPONENTS = ['synapse', 'soma', 'network'] as const;
export type PresetComponent = (typeof PRESET_COMPONENTS)[number];

const UNITS: Record<string, number> = { J: 1, nJ: 1e-9, pJ: 1e-12, fJ: 1e-15 };

export interface PresetEntry extends Provenance {
  name: string;
  count: PresetCount;
  component: PresetComponent;
  value: number;
  unit: string;
  /** Joules per counted event. */
  energyJ: number;
}

export interface Preset {
  name: string;
  label: string;
  chip: string;
  note: string;
  entries: PresetEntry[];
}

export interface PresetTerm extends PresetEntry {
  countPerInference: number;
  totalJ: number;
}

export interface PresetEstimate {
  preset: string;
  label: string;
  chip: string;
  note: string;
  /** Energy per inference. */
  totalJ: number;
  byComponent: Record<PresetComponent, number>;
  terms: PresetTerm[];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate presets data (`file` names it in errors): every entry needs count, component, value, unit, kind, source. */
export function parsePresets(data: unknown, file: string): Map<string, Preset> {
  if (!isObj(data) || !isObj(data.presets)) throw new BwsnnError(`${file}: expected { presets: { NAME: { label, chip, note, entries } } }`);
  const out = new Map<string, Preset>();
  for (const [name, p] of Object.entries(data.presets)) {
    const at = `${file}: presets.${name}`;
    if (!isObj(p) || !isObj(p.entries)) throw new BwsnnError(`${at}: expected { label, chip, note, entries }`);
    for (const f of ['label', 'chip'] as const) if (typeof p[f] !== 'string') throw new BwsnnError(`${at}.${f}: must be a string`);
    const entries: PresetEntry[] = [];
    for (const [en, e] of Object.entries(p.entries)) {
      const w = `${at}.entries.${en}`;
      if (!isObj(e)) throw new BwsnnError(`${w}: expected an object`);
      const prov = parseProvenance(e, w);
      if (typeof e.count !== 'string' || !(PRESET_COUNTS as readonly string[]).includes(e.count)) throw new BwsnnError(`${w}.count: must be one of ${PRESET_COUNTS.join(', ')}, got ${JSON.stringify(e.count)}`);
      if (typeof e.component !== 'string' || !(PRESET_COMPONENTS as readonly string[]).includes(e.component)) throw new BwsnnError(`${w}.component: must be one of ${PRESET_COMPONENTS.join(', ')}`);
      if (typeof e.value !== 'number' || !Number.isFinite(e.value) || e.value < 0) throw new BwsnnError(`${w}.value: must be a finite number >= 0`);
      if (typeof e.unit !== 'string' || !(e.unit in UNITS)) throw new BwsnnError(`${w}.unit: must be one of ${Object.keys(UNITS).join(', ')}`);
      entries.push({ name: en, count: e.count as PresetCount, component: e.component as PresetComponent, value: e.value, unit: e.unit, energyJ: e.value * (UNITS[e.unit] as number), ...prov });
    }
    out.set(name, { name, label: p.label as string, chip: p.chip as string, note: typeof p.note === 'string' ? p.note : '', entries });
  }
  return out;
}

/** The built-in presets (simulator/energy/presets.json). */
export const PRESETS: ReadonlyMap<string, Preset> = parsePresets(raw, 'simulator/energy/presets.json');

/** Parse a --compare list; an unknown name is an error listing the valid ones. */
export function presetNames(list: string): string[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new BwsnnError(`--compare: give one or more of ${[...PRESETS.keys()].join(', ')}`);
  for (const n of names) {
    if (!PRESETS.has(n)) throw new BwsnnError(`--compare: unknown preset '${n}' (valid: ${[...PRESETS.keys()].join(', ')})`);
  }
  return names;
}

/** The count a preset entry prices, per inference. */
export function presetCount(a: ActivityCounts, c: PresetCount): number {
  switch (c) {
    case 'neuronUpdatesIdle':
      return a.neuronUpdatesIdle;
    case 'messagesTotal':
      return a.messagesTotal;
    case 'spikeMessages':
      return a.spikeMessages;
    default:
      return a.perInference[c];
  }
}

/** Price the activity with one preset. */
export function presetEstimate(p: Preset, a: ActivityCounts): PresetEstimate {
  const byComponent: Record<PresetComponent, number> = { synapse: 0, soma: 0, network: 0 };
  let total = 0;
  const terms = p.entries.map((e) => {
    const n = presetCount(a, e.count);
    const t = n * e.energyJ;
    byComponent[e.component] += t;
    total += t;
    return { ...e, countPerInference: n, totalJ: t };
  });
  return { preset: p.name, label: p.label, chip: p.chip, note: p.note, totalJ: total, byComponent, terms };
}

/** Price the activity with the named presets (names checked by presetNames). */
export function compareEstimates(names: string[], a: ActivityCounts): PresetEstimate[] {
  return names.map((n) => presetEstimate(PRESETS.get(n) as Preset, a));
}
