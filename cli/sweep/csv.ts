/**
 * Sweep results as CSV, and the merge of sharded sweeps.
 *
 * A sweep CSV is plain (pandas.read_csv reads it as is): a header and one row per point,
 *   index,<param columns...>,<metric columns...>,pareto
 * numbers with 6 significant digits. What identifies the sweep lives in a side JSON file beside it
 * (OUT.meta.json for OUT.csv; docs/schemas/sweep.schema.json): shard I/N, total points P, the
 * sweep key (model, base chip, data, axes) and the unit of every column. `mergeSweeps` checks that
 * the key is identical in every shard, that the shards are 1..N exactly once and that the rows are
 * points 0..P-1 exactly once, then recomputes the Pareto front over all points. CSVs of the older
 * layout (a first line "# bwsnn-sweep v1 shard=I/N total=P key=...") are still read.
 */
import { BwsnnError } from '../../base/errors.js';
import { paretoFront } from './plan.js';
import { num6, schemaHeader } from '../results.js';

export interface SweepRow {
  index: number;
  params: Record<string, string>;
  metrics: Record<string, number>;
  pareto: boolean;
}

export interface SweepTable {
  shard: { index: number; count: number };
  total: number;
  key: string;
  paramNames: string[];
  metricNames: string[];
  rows: SweepRow[];
}

/** Metrics every sweep row carries (others may follow); an empty cell is a missing value (NaN). */
export const ENERGY_METRIC = 'energy_per_inference_j';
export const LATENCY_METRIC = 'latency_per_inference_s';

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatSweepCsv(t: SweepTable): string {
  const lines = [['index', ...t.paramNames, ...t.metricNames, 'pareto'].map(csvCell).join(',')];
  for (const r of t.rows) {
    lines.push(
      [
        String(r.index),
        ...t.paramNames.map((p) => csvCell(r.params[p] ?? '')),
        ...t.metricNames.map((m) => {
          const v = r.metrics[m];
          return v === undefined || Number.isNaN(v) ? '' : num6(v);
        }),
        r.pareto ? '1' : '0',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The unit of a sweep column (documented in the side JSON). */
export function columnUnit(name: string): string {
  if (name === 'index' || name === 'pareto' || name === 'fits') return '';
  if (/_j$/.test(name)) return 'J';
  if (/_s$/.test(name)) return 's';
  if (name === 'accuracy') return 'fraction';
  if (name.startsWith('cycles')) return 'cycles';
  return 'count';
}

/** The side JSON of a sweep CSV: what identifies the sweep and the unit of every column. */
export interface SweepMeta {
  schema: string;
  schemaVersion: number;
  format: 'bwsnn-sweep v1';
  csv: string;
  shard: { index: number; count: number };
  total: number;
  key: string;
  paramNames: string[];
  metricNames: string[];
  units: Record<string, string>;
}

export function sweepMeta(t: SweepTable, csv: string): SweepMeta {
  return {
    ...schemaHeader('sweep'),
    format: 'bwsnn-sweep v1',
    csv,
    shard: t.shard,
    total: t.total,
    key: t.key,
    paramNames: t.paramNames,
    metricNames: t.metricNames,
    units: Object.fromEntries(t.metricNames.map((m) => [m, columnUnit(m)])),
  };
}

/** Where the side JSON of a sweep CSV lives: OUT.csv -> OUT.meta.json. */
export function metaPathOf(csvPath: string): string {
  return /\.csv$/i.test(csvPath) ? csvPath.replace(/\.csv$/i, '.meta.json') : `${csvPath}.meta.json`;
}

function splitCsvLine(line: string, where: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (q) throw new BwsnnError(`${where}: unterminated quote`);
  out.push(cur);
  return out;
}

/**
 * Parse a sweep CSV with its side JSON (`metaText`, the content of OUT.meta.json), or a CSV of the
 * older layout whose first line carries the same facts.
 */
export function parseSweepCsv(text: string, file: string, metaText?: string, metaFile = metaPathOf(file)): SweepTable {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  let head: { shard: { index: number; count: number }; total: number; key: string };
  const legacy = /^# bwsnn-sweep v1 shard=(\d+)\/(\d+) total=(\d+) key=(.*)$/.exec(lines[0] ?? '');
  if (legacy) {
    head = { shard: { index: Number(legacy[1]), count: Number(legacy[2]) }, total: Number(legacy[3]), key: legacy[4] as string };
    lines.shift();
  } else {
    if (!/^index,/.test(lines[0] ?? '')) throw new BwsnnError(`${file}:1: not a bwsnn sweep CSV (expected a header starting with "index,")`);
    if (metaText === undefined) throw new BwsnnError(`${file}: its side file ${metaFile} is missing (bwsnn sweep writes both; copy them together)`);
    let m: Partial<SweepMeta>;
    try {
      m = JSON.parse(metaText) as Partial<SweepMeta>;
    } catch (e) {
      throw new BwsnnError(`${metaFile}: not valid JSON (${(e as Error).message})`);
    }
    if (m.format !== 'bwsnn-sweep v1' || !m.shard || typeof m.total !== 'number' || typeof m.key !== 'string') {
      throw new BwsnnError(`${metaFile}: not a bwsnn sweep side file (expected format "bwsnn-sweep v1", shard, total, key)`);
    }
    head = { shard: { index: Number(m.shard.index), count: Number(m.shard.count) }, total: m.total, key: m.key };
  }
  const off = legacy ? 1 : 0; // line numbers in messages count the old comment line
  const shard = head.shard;
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) throw new BwsnnError(`${legacy ? `${file}:1` : metaFile}: bad shard ${shard.index}/${shard.count}`);
  const header = splitCsvLine(lines[0] ?? '', `${file}:${1 + off}`);
  if (header[0] !== 'index' || header[header.length - 1] !== 'pareto') throw new BwsnnError(`${file}:${1 + off}: header must start with "index" and end with "pareto"`);
  const energyCol = header.indexOf(ENERGY_METRIC);
  if (energyCol < 0 || header.indexOf(LATENCY_METRIC) < 0) {
    throw new BwsnnError(`${file}:${1 + off}: header lacks ${ENERGY_METRIC} or ${LATENCY_METRIC}`);
  }
  // Parameters are the columns between index and the first metric (energy comes first of the metrics).
  const paramNames = header.slice(1, energyCol);
  const metricNames = header.slice(energyCol, header.length - 1);
  const rows: SweepRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const where = `${file}:${i + 1 + off}`;
    const cells = splitCsvLine(lines[i] as string, where);
    if (cells.length !== header.length) throw new BwsnnError(`${where}: ${cells.length} columns, header has ${header.length}`);
    const index = Number(cells[0]);
    if (!Number.isInteger(index) || index < 0) throw new BwsnnError(`${where}: bad index "${cells[0]}"`);
    const params: Record<string, string> = {};
    paramNames.forEach((p, k) => (params[p] = cells[1 + k] as string));
    const metrics: Record<string, number> = {};
    metricNames.forEach((m, k) => {
      const cell = cells[1 + paramNames.length + k] as string;
      const v = cell === '' ? Number.NaN : Number(cell);
      if (cell !== '' && !Number.isFinite(v)) throw new BwsnnError(`${where}: column ${m} is not a number: "${cells[1 + paramNames.length + k]}"`);
      metrics[m] = v;
    });
    rows.push({ index, params, metrics, pareto: cells[cells.length - 1] === '1' });
  }
  return { shard, total: head.total, key: head.key, paramNames, metricNames, rows };
}

/** Recompute the Pareto flags of a table's rows (energy vs latency); rows without both numbers (points that did not fit) are never optimal. */
export function markPareto(rows: SweepRow[]): void {
  const ok = rows.filter((r) => Number.isFinite(r.metrics[ENERGY_METRIC]) && Number.isFinite(r.metrics[LATENCY_METRIC]));
  const flags = paretoFront(ok.map((r) => ({ energyJ: r.metrics[ENERGY_METRIC] as number, latencyS: r.metrics[LATENCY_METRIC] as number })));
  for (const r of rows) r.pareto = false;
  ok.forEach((r, i) => (r.pareto = flags[i] as boolean));
}

/** Join the shards of one sweep; refuses shards that do not add up. */
export function mergeSweeps(tables: { table: SweepTable; file: string }[]): SweepTable {
  if (tables.length === 0) throw new BwsnnError('merge: no input files');
  const first = tables[0] as { table: SweepTable; file: string };
  const n = first.table.shard.count;
  const seenShard = new Map<number, string>();
  for (const { table, file } of tables) {
    if (table.key !== first.table.key) throw new BwsnnError(`${file}: belongs to another sweep (key differs from ${first.file})`);
    if (table.shard.count !== n) throw new BwsnnError(`${file}: shard ${table.shard.index}/${table.shard.count}, but ${first.file} says N = ${n}`);
    if (table.total !== first.table.total) throw new BwsnnError(`${file}: total ${table.total} points, ${first.file} says ${first.table.total}`);
    if (table.paramNames.join() !== first.table.paramNames.join() || table.metricNames.join() !== first.table.metricNames.join()) {
      throw new BwsnnError(`${file}: columns differ from ${first.file}`);
    }
    const dup = seenShard.get(table.shard.index);
    if (dup) throw new BwsnnError(`${file}: shard ${table.shard.index}/${n} given twice (also ${dup})`);
    seenShard.set(table.shard.index, file);
  }
  const missing = [];
  for (let i = 1; i <= n; i++) if (!seenShard.has(i)) missing.push(`${i}/${n}`);
  if (missing.length > 0) throw new BwsnnError(`merge: missing shard(s) ${missing.join(', ')}`);
  const rows: SweepRow[] = [];
  const seenIndex = new Map<number, string>();
  for (const { table, file } of tables) {
    for (const r of table.rows) {
      if (r.index >= table.total) throw new BwsnnError(`${file}: point ${r.index} is outside the sweep's ${table.total} points`);
      if (r.index % n !== table.shard.index - 1) throw new BwsnnError(`${file}: point ${r.index} does not belong to shard ${table.shard.index}/${n}`);
      const dup = seenIndex.get(r.index);
      if (dup) throw new BwsnnError(`${file}: point ${r.index} also in ${dup}`);
      seenIndex.set(r.index, file);
      rows.push({ ...r, params: { ...r.params }, metrics: { ...r.metrics } });
    }
  }
  if (rows.length !== first.table.total) {
    const absent = [];
    for (let i = 0; i < first.table.total && absent.length < 5; i++) if (!seenIndex.has(i)) absent.push(i);
    throw new BwsnnError(`merge: ${rows.length} of ${first.table.total} points present; missing e.g. ${absent.join(', ')}`);
  }
  rows.sort((a, b) => a.index - b.index);
  markPareto(rows);
  return { ...first.table, shard: { index: 1, count: 1 }, rows };
}
