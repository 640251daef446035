/**
 * Energy tables: an energy per event of ENERGY_EVENTS (isa/table.ts) and a leakage power per
 * core, each with its source. Tables are JSON data files; `parseEnergyTable` validates one
 * (unknown, missing or negative entries are refused with the file and the field path).
 *
 * An entry is either a fixed `value` or a size-dependent rule `bySize` (docs/energy.md): points
 * (size, value) over a chip field times `scale`, interpolated linearly or log-linearly in size.
 * `resolveEnergyTable(table, chip)` evaluates every rule for the chip of the binary being
 * simulated (simulate() does it); a parsed table holds the values for the default chip.
 */
import { BANKED_MEMORIES, CHIP_FIELDS, DEFAULT_CHIP, memoryBanks, type BankedMemory, type ChipConfig, type ChipField } from '../../isa/chip.js';
import { parseProvenance, type ProvenanceKind } from './provenance.js';
import { sramAccessEnergy, type SramRows } from './sram.js';
import { BwsnnError } from '../../isa/errors.js';
import { parseJsonBounded } from '../../isa/excerpt.js';
import { ENERGY_EVENTS, type EnergyEvent } from '../../isa/table.js';
import { joules, watts, type Joules, type Watts } from '../units.js';
import preset45 from './default-45nm.json' with { type: 'json' };

/** A size-dependent value: points (size, value), size = chip[of] x scale. */
export interface SizeRule {
  of: ChipField;
  scale: number;
  /** Strictly increasing sizes (> 0), values >= 0, in the entry's unit. */
  points: [number, number][];
  /** Between two points: linear in size, or linear in log2(size). Outside: the end segment, extended. */
  interpolation: 'linear' | 'log-linear';
}

/**
 * An SRAM access energy from the bank the chip config declares (isa/chip.ts memoryBanks) by the
 * scaling rule of simulator/energy/sram.ts: accesses x E(bank bytes, widthBits) + plus.
 */
export interface BankRule {
  memory: BankedMemory;
  /** Accesses per event (default 1; 2 for a read-modify-write). */
  accesses: number;
  /** Bits per access (default: the memory's row width). */
  widthBits?: number;
  /** A fixed addition in the entry's unit (e.g. the adder of a read-modify-write), default 0. */
  plus: number;
}

export interface EnergyEntry {
  /** Energy of one event. */
  energy: Joules;
  /** The value and unit (the value evaluated for the chip if the entry is a rule). */
  value: number;
  unit: string;
  source: string;
  derivation: string;
  kind: ProvenanceKind;
  bySize?: SizeRule;
  byBank?: BankRule;
  /** Low and high ends of the band (= energy for entries without a bank rule). */
  low: Joules;
  high: Joules;
}

export interface EnergyTable {
  name: string;
  description: string;
  events: Record<EnergyEvent, EnergyEntry>;
  leakage: { power: Watts; value: number; unit: string; source: string; derivation: string; kind: ProvenanceKind; bySize?: SizeRule };
  /** The SRAM read rows its bank rules scale from (required when an entry has `byBank`). */
  sram?: SramSection;
  /** The chip whose sizes the rules were evaluated for. */
  chip: string;
}

/** A table's `sram` section: 64-bit read energies of SRAM banks by size, with their provenance. */
export interface SramSection {
  /** [bank bytes, pJ per 64-bit read], sizes strictly increasing. */
  rows: SramRows;
  unit: string;
  source: string;
  derivation: string;
  kind: ProvenanceKind;
}

const ENERGY_UNITS: Record<string, number> = { J: 1, mJ: 1e-3, uJ: 1e-6, nJ: 1e-9, pJ: 1e-12, fJ: 1e-15 };
const POWER_UNITS: Record<string, number> = { W: 1, mW: 1e-3, uW: 1e-6, nW: 1e-9 };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SIZE_FIELDS = (Object.keys(CHIP_FIELDS) as ChipField[]).filter((k) => k !== 'clockHz');

function sizeRule(raw: unknown, where: string): SizeRule {
  if (!isObj(raw)) throw new BwsnnError(`${where}: expected an object { of, scale?, points, interpolation }`);
  for (const k of Object.keys(raw)) {
    if (!['of', 'scale', 'points', 'interpolation'].includes(k)) throw new BwsnnError(`${where}.${k}: unknown field (known: of, scale, points, interpolation)`);
  }
  const { of, scale, points, interpolation } = raw;
  if (typeof of !== 'string' || !(SIZE_FIELDS as string[]).includes(of)) {
    throw new BwsnnError(`${where}.of: must name a chip field (${SIZE_FIELDS.join(', ')}), got ${JSON.stringify(of)}`);
  }
  if (scale !== undefined && (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0)) {
    throw new BwsnnError(`${where}.scale: must be a positive number (bytes per unit of ${of}), got ${JSON.stringify(scale)}`);
  }
  if (interpolation !== 'linear' && interpolation !== 'log-linear') {
    throw new BwsnnError(`${where}.interpolation: must be "linear" or "log-linear", got ${JSON.stringify(interpolation)}`);
  }
  if (!Array.isArray(points) || points.length < 2) throw new BwsnnError(`${where}.points: must be an array of at least two [size, value] pairs`);
  const pts: [number, number][] = points.map((p: unknown, i) => {
    const at = `${where}.points[${i}]`;
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      throw new BwsnnError(`${at}: must be a pair [size, value] of finite numbers, got ${JSON.stringify(p)}`);
    }
    if (p[0] <= 0) throw new BwsnnError(`${at}: size must be positive, got ${p[0]}`);
    if (p[1] < 0) throw new BwsnnError(`${at}: value must not be negative, got ${p[1]}`);
    return [p[0], p[1]];
  });
  for (let i = 1; i < pts.length; i++) {
    if (pts[i]![0] <= pts[i - 1]![0]) throw new BwsnnError(`${where}.points[${i}]: sizes must increase strictly (${pts[i]![0]} after ${pts[i - 1]![0]})`);
  }
  return { of: of as ChipField, scale: scale ?? 1, points: pts, interpolation };
}

/** The rule's value for a chip: size = chip[of] x scale, interpolated between the bracketing points. */
export function evalSizeRule(r: SizeRule, chip: ChipConfig): { size: number; value: number; extrapolated: boolean } {
  const size = chip[r.of] * r.scale;
  const p = r.points;
  let i = 0;
  while (i < p.length - 2 && size > p[i + 1]![0]) i++;
  const [x1, y1] = p[i]!;
  const [x2, y2] = p[i + 1]!;
  // (y2 - y1) * num / den keeps exact values exact (e.g. 80 x 2 / 5 = 32).
  const num = r.interpolation === 'log-linear' ? Math.log2(size) - Math.log2(x1) : size - x1;
  const den = r.interpolation === 'log-linear' ? Math.log2(x2) - Math.log2(x1) : x2 - x1;
  const value = size === x1 ? y1 : size === x2 ? y2 : y1 + ((y2 - y1) * num) / den;
  return { size, value: Math.max(0, value), extrapolated: size < p[0]![0] || size > p[p.length - 1]![0] };
}

interface RawEntry {
  value: number;
  unit: string;
  source: string;
  derivation: string;
  kind: ProvenanceKind;
  bySize?: SizeRule;
  byBank?: BankRule;
}

function bankRule(raw: unknown, where: string): BankRule {
  if (!isObj(raw)) throw new BwsnnError(`${where}: expected an object { memory, accesses?, widthBits?, plus? }`);
  for (const k of Object.keys(raw)) {
    if (!['memory', 'accesses', 'widthBits', 'plus'].includes(k)) throw new BwsnnError(`${where}.${k}: unknown field (known: memory, accesses, widthBits, plus)`);
  }
  const { memory, accesses, widthBits, plus } = raw;
  if (typeof memory !== 'string' || !(BANKED_MEMORIES as readonly string[]).includes(memory)) {
    throw new BwsnnError(`${where}.memory: must be one of ${BANKED_MEMORIES.join(', ')}, got ${JSON.stringify(memory)}`);
  }
  const num = (v: unknown, f: string, d: number | undefined): number | undefined => {
    if (v === undefined) return d;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new BwsnnError(`${where}.${f}: must be a number >= 0, got ${JSON.stringify(v)}`);
    return v;
  };
  return { memory: memory as BankedMemory, accesses: num(accesses, 'accesses', 1) as number, widthBits: num(widthBits, 'widthBits', undefined), plus: num(plus, 'plus', 0) as number };
}

/** The rule's band for a chip, in pJ. */
export function evalBankRule(r: BankRule, chip: ChipConfig, rows: SramRows): { low: number; central: number; high: number; note: string } {
  const b = memoryBanks(chip)[r.memory];
  const w = r.widthBits ?? b.widthBits;
  const e = sramAccessEnergy(b.bankBytes, w, rows);
  const f = (x: number): number => r.accesses * x + r.plus;
  const note = `${r.memory} bank = ${b.derivation} = ${b.bankBytes} B, ${w}-bit access: E = ${+e.central.toPrecision(4)} pJ (band ${+e.low.toPrecision(4)}..${+e.high.toPrecision(4)})${r.accesses !== 1 ? ` x ${r.accesses} accesses` : ''}${r.plus ? ` + ${r.plus}` : ''}`;
  return { low: f(e.low), central: f(e.central), high: f(e.high), note };
}

function entry(raw: unknown, where: string, units: Record<string, number>): RawEntry {
  if (!isObj(raw)) throw new BwsnnError(`${where}: expected an object { value | bySize | byBank, unit, kind, source, derivation }`);
  for (const k of Object.keys(raw)) {
    if (!['value', 'bySize', 'byBank', 'unit', 'kind', 'source', 'derivation'].includes(k)) throw new BwsnnError(`${where}.${k}: unknown field (known: value, bySize, byBank, unit, kind, source, derivation)`);
  }
  const { value, bySize, byBank, unit } = raw;
  if ([value, bySize, byBank].filter((x) => x !== undefined).length > 1) throw new BwsnnError(`${where}: give either "value" or "bySize", not both (or "byBank")`);
  let rule: SizeRule | undefined;
  let bank: BankRule | undefined;
  if (bySize !== undefined) rule = sizeRule(bySize, `${where}.bySize`);
  else if (byBank !== undefined) bank = bankRule(byBank, `${where}.byBank`);
  else {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new BwsnnError(`${where}.value: must be a finite number, got ${JSON.stringify(value)}`);
    if (value < 0) throw new BwsnnError(`${where}.value: must not be negative, got ${value}`);
  }
  if (typeof unit !== 'string' || !(unit in units)) {
    throw new BwsnnError(`${where}.unit: must be one of ${Object.keys(units).join(', ')}, got ${JSON.stringify(unit)}`);
  }
  const prov = parseProvenance(raw, where);
  return { value: rule || bank ? NaN : (value as number), unit, source: prov.source, derivation: prov.derivation, kind: prov.kind, bySize: rule, byBank: bank };
}

/** Value of an entry for a chip (rules evaluated), with the derivation noting the evaluation. */
function valueFor(e: RawEntry, chip: ChipConfig, sram: SramSection | undefined): { value: number; low: number; high: number; derivation: string } {
  if (e.byBank) {
    // parseEnergyTable refuses a byBank entry in a table without rows.
    const b = evalBankRule(e.byBank, chip, (sram as SramSection).rows);
    const note = `evaluated for chip ${chip.name}: ${b.note} -> ${+b.central.toPrecision(6)} ${e.unit}`;
    return { value: b.central, low: b.low, high: b.high, derivation: e.derivation ? `${e.derivation}; ${note}` : note };
  }
  if (!e.bySize) return { value: e.value, low: e.value, high: e.value, derivation: e.derivation };
  const r = e.bySize;
  const v = evalSizeRule(r, chip);
  const note = `evaluated for chip ${chip.name}: ${r.of}${r.scale !== 1 ? ` x ${r.scale}` : ''} = ${v.size}, ${r.interpolation}${v.extrapolated ? ' (extrapolated beyond the points)' : ''} -> ${+v.value.toPrecision(6)} ${e.unit}`;
  return { value: v.value, low: v.value, high: v.value, derivation: e.derivation ? `${e.derivation}; ${note}` : note };
}

/** Validate an untrusted JSON value as an energy table; `file` names it in errors. */
export function parseEnergyTable(raw: unknown, file: string): EnergyTable {
  if (!isObj(raw)) throw new BwsnnError(`${file}: expected a JSON object with "events" and "leakage"`);
  for (const k of Object.keys(raw)) {
    if (!['name', 'description', 'sram', 'events', 'leakage', '$schema'].includes(k)) {
      throw new BwsnnError(`${file}: unknown field "${k}" (known: name, description, sram, events, leakage)`);
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
  const events = {} as Record<EnergyEvent, RawEntry>;
  for (const e of ENERGY_EVENTS) {
    if (!(e in ev)) throw new BwsnnError(`${file}: events.${e}: missing (every event needs an energy; use 0 with a source to ignore one)`);
    events[e] = entry(ev[e], `${file}: events.${e}`, ENERGY_UNITS);
  }
  if (raw.leakage === undefined) throw new BwsnnError(`${file}: leakage: missing (leakage power per core { value, unit, source })`);
  const leakage = entry(raw.leakage, `${file}: leakage`, POWER_UNITS);
  const sram = raw.sram === undefined ? undefined : sramSection(raw.sram, `${file}: sram`);
  const banked = ENERGY_EVENTS.find((e) => events[e].byBank !== undefined);
  if (banked !== undefined && sram === undefined) {
    throw new BwsnnError(`${file}: events.${banked}.byBank: a bank rule needs the table's "sram" section (rows of [bank bytes, energy of one 64-bit read] it scales from)`);
  }
  return build(name, typeof raw.description === 'string' ? raw.description : '', events, leakage, sram, DEFAULT_CHIP);
}

/** Validate a table's `sram` section (rows in its unit, stored in pJ). */
function sramSection(raw: unknown, where: string): SramSection {
  if (!isObj(raw)) throw new BwsnnError(`${where}: expected an object { rows, unit, kind, source, derivation }`);
  for (const k of Object.keys(raw)) {
    if (!['rows', 'unit', 'kind', 'source', 'derivation'].includes(k)) throw new BwsnnError(`${where}.${k}: unknown field (known: rows, unit, kind, source, derivation)`);
  }
  const { rows, unit } = raw;
  if (typeof unit !== 'string' || !(unit in ENERGY_UNITS)) throw new BwsnnError(`${where}.unit: must be one of ${Object.keys(ENERGY_UNITS).join(', ')}, got ${JSON.stringify(unit)}`);
  if (!Array.isArray(rows) || rows.length < 2) throw new BwsnnError(`${where}.rows: expected at least two [bank bytes, energy] rows`);
  const toPj = (ENERGY_UNITS[unit] as number) / 1e-12;
  const out: [number, number][] = [];
  rows.forEach((r: unknown, i) => {
    const at = `${where}.rows[${i}]`;
    if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)) throw new BwsnnError(`${at}: expected [bank bytes, energy], both numbers > 0`);
    if (i > 0 && (r[0] as number) <= out[i - 1]![0]) throw new BwsnnError(`${at}: bank sizes must increase strictly`);
    out.push([r[0] as number, (r[1] as number) * toPj]);
  });
  const prov = parseProvenance(raw, where);
  return { rows: out, unit, source: prov.source, derivation: prov.derivation, kind: prov.kind };
}

function build(name: string, description: string, events: Record<EnergyEvent, RawEntry>, leakage: RawEntry, sram: SramSection | undefined, chip: ChipConfig): EnergyTable {
  const out = {} as Record<EnergyEvent, EnergyEntry>;
  for (const e of ENERGY_EVENTS) {
    const x = events[e];
    const v = valueFor(x, chip, sram);
    const u = ENERGY_UNITS[x.unit] as number;
    out[e] = { energy: joules(v.value * u), value: v.value, unit: x.unit, source: x.source, derivation: v.derivation, kind: x.kind, bySize: x.bySize, byBank: x.byBank, low: joules(v.low * u), high: joules(v.high * u) };
  }
  const l = valueFor(leakage, chip, sram);
  return {
    name,
    description,
    events: out,
    leakage: { power: watts(l.value * (POWER_UNITS[leakage.unit] as number)), value: l.value, unit: leakage.unit, source: leakage.source, derivation: l.derivation, kind: leakage.kind, bySize: leakage.bySize },
    ...(sram ? { sram } : {}),
    chip: chip.name,
  };
}

/** Strip a previous evaluation note off a derivation. */
const baseDerivation = (d: string): string => d.replace(/(; )?evaluated for chip .*$/, '');

/**
 * The table with every size rule evaluated for `chip` (fixed entries unchanged). A table without
 * rules is returned as is.
 */
export function resolveEnergyTable(t: EnergyTable, chip: ChipConfig): EnergyTable {
  const hasRule = ENERGY_EVENTS.some((e) => t.events[e].bySize || t.events[e].byBank) || t.leakage.bySize !== undefined;
  if (!hasRule) return t;
  const raw = (x: { value: number; unit: string; source: string; derivation: string; kind: ProvenanceKind; bySize?: SizeRule; byBank?: BankRule }): RawEntry => ({
    value: x.value,
    unit: x.unit,
    source: x.source,
    derivation: x.bySize || x.byBank ? baseDerivation(x.derivation) : x.derivation,
    kind: x.kind,
    bySize: x.bySize,
    byBank: x.byBank,
  });
  const events = Object.fromEntries(ENERGY_EVENTS.map((e) => [e, raw(t.events[e])])) as Record<EnergyEvent, RawEntry>;
  return build(t.name, t.description, events, raw(t.leakage), t.sram, chip);
}

/** The default 45 nm preset (simulator/energy/default-45nm.json). */
export function defaultEnergyTable(): EnergyTable {
  return parseEnergyTable(preset45, 'simulator/energy/default-45nm.json');
}

/** Parse the JSON text of a user's table. */
export function energyTableFromText(text: string, file: string): EnergyTable {
  // Bounded like every JSON reader (nesting depth, one-line message): docs/timing.md "Bounds".
  return parseEnergyTable(parseJsonBounded(text, file), file);
}
