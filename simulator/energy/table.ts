/**
 * Energy tables: an energy per event of ENERGY_EVENTS (isa/table.ts) and a leakage power per
 * core, each with its source. Tables are JSON data files; `parseEnergyTable` validates one
 * (unknown, missing or negative entries are refused with the file and the field path).
 */
import { BwsnnError } from '../../isa/errors.js';
import { ENERGY_EVENTS, type EnergyEvent } from '../../isa/table.js';
import { joules, watts, type Joules, type Watts } from '../units.js';
import preset45 from './default-45nm.json' with { type: 'json' };

export interface EnergyEntry {
  /** Energy of one event. */
  energy: Joules;
  /** The value and unit as written in the file. */
  value: number;
  unit: string;
  source: string;
  derivation: string;
}

export interface EnergyTable {
  name: string;
  description: string;
  events: Record<EnergyEvent, EnergyEntry>;
  leakage: { power: Watts; value: number; unit: string; source: string; derivation: string };
}

const ENERGY_UNITS: Record<string, number> = { J: 1, mJ: 1e-3, uJ: 1e-6, nJ: 1e-9, pJ: 1e-12, fJ: 1e-15 };
const POWER_UNITS: Record<string, number> = { W: 1, mW: 1e-3, uW: 1e-6, nW: 1e-9 };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entry(raw: unknown, where: string, units: Record<string, number>): { si: number; value: number; unit: string; source: string; derivation: string } {
  if (!isObj(raw)) throw new BwsnnError(`${where}: expected an object { value, unit, source, derivation }`);
  for (const k of Object.keys(raw)) {
    if (!['value', 'unit', 'source', 'derivation'].includes(k)) throw new BwsnnError(`${where}.${k}: unknown field (known: value, unit, source, derivation)`);
  }
  const { value, unit, source, derivation } = raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BwsnnError(`${where}.value: must be a finite number, got ${JSON.stringify(value)}`);
  if (value < 0) throw new BwsnnError(`${where}.value: must not be negative, got ${value}`);
  if (typeof unit !== 'string' || !(unit in units)) {
    throw new BwsnnError(`${where}.unit: must be one of ${Object.keys(units).join(', ')}, got ${JSON.stringify(unit)}`);
  }
  if (typeof source !== 'string' || source.trim() === '') throw new BwsnnError(`${where}.source: every number needs a source (a non-empty string)`);
  if (derivation !== undefined && typeof derivation !== 'string') throw new BwsnnError(`${where}.derivation: must be a string`);
  return { si: value * (units[unit] as number), value, unit, source, derivation: derivation ?? '' };
}

/** Validate an untrusted JSON value as an energy table; `file` names it in errors. */
export function parseEnergyTable(raw: unknown, file: string): EnergyTable {
  if (!isObj(raw)) throw new BwsnnError(`${file}: expected a JSON object with "events" and "leakage"`);
  for (const k of Object.keys(raw)) {
    if (!['name', 'description', 'events', 'leakage', '$schema'].includes(k)) {
      throw new BwsnnError(`${file}: unknown field "${k}" (known: name, description, events, leakage)`);
    }
  }
  const name = raw.name === undefined ? file : raw.name;
  if (typeof name !== 'string') throw new BwsnnError(`${file}: field "name" must be a string`);
  if (raw.description !== undefined && typeof raw.description !== 'string') throw new BwsnnError(`${file}: field "description" must be a string`);
  const ev = raw.events;
  if (!isObj(ev)) throw new BwsnnError(`${file}: field "events" must be an object mapping each event to { value, unit, source }`);
  const known = new Set<string>(ENERGY_EVENTS);
  for (const k of Object.keys(ev)) {
    if (!known.has(k)) throw new BwsnnError(`${file}: events.${k}: unknown event (known: ${ENERGY_EVENTS.join(', ')})`);
  }
  const events = {} as Record<EnergyEvent, EnergyEntry>;
  for (const e of ENERGY_EVENTS) {
    if (!(e in ev)) throw new BwsnnError(`${file}: events.${e}: missing (every event needs an energy; use 0 with a source to ignore one)`);
    const x = entry(ev[e], `${file}: events.${e}`, ENERGY_UNITS);
    events[e] = { energy: joules(x.si), value: x.value, unit: x.unit, source: x.source, derivation: x.derivation };
  }
  if (raw.leakage === undefined) throw new BwsnnError(`${file}: leakage: missing (leakage power per core { value, unit, source })`);
  const l = entry(raw.leakage, `${file}: leakage`, POWER_UNITS);
  return {
    name,
    description: typeof raw.description === 'string' ? raw.description : '',
    events,
    leakage: { power: watts(l.si), value: l.value, unit: l.unit, source: l.source, derivation: l.derivation },
  };
}

/** The default 45 nm preset (simulator/energy/default-45nm.json). */
export function defaultEnergyTable(): EnergyTable {
  return parseEnergyTable(preset45, 'simulator/energy/default-45nm.json');
}

/** Parse the JSON text of a user's table. */
export function energyTableFromText(text: string, file: string): EnergyTable {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BwsnnError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseEnergyTable(raw, file);
}
