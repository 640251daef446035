/**
 * Design-sweep planning: parse `--set key=v1,v2,...` over the chip config's declared fields,
 * expand the cartesian product in a fixed order, split it into shards, and find the Pareto front.
 * Pure functions; running the points is cli/commands/sweep.ts.
 */
import { CHIP_FIELDS, checkField, parseChipConfig, type ChipConfig, type ChipField } from '../../isa/chip.js';
import { BwsnnError } from '../../base/errors.js';

/** One swept parameter and its values. `mesh` is a shorthand for meshX and meshY. */
export interface SweepAxis {
  key: string;
  values: string[];
}

export interface SweepPointSpec {
  /** Index in the full (unsharded) sweep. */
  index: number;
  /** Parameter assignments in axis order, e.g. { lanes: '4', mesh: '2x2' }. */
  params: Record<string, string>;
  chip: ChipConfig;
  /** Compiler choices swept (COMPILE_AXES), when given. */
  compile: Partial<Record<CompileAxis, string>>;
}

/** Sweep parameters that are compiler choices, not chip fields, and their values. */
export const COMPILE_AXES = {
  dataflow: ['auto', 'dense', 'event'],
  schedule: ['auto', 'step', 'time'],
  strategy: ['spread', 'pack'],
} as const;
export type CompileAxis = keyof typeof COMPILE_AXES;
const isCompileAxis = (k: string): k is CompileAxis => k in COMPILE_AXES;

/** A bad option value is a usage error (exit 2), like every other malformed option. */
function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof BwsnnError && e.exitCode === 1) throw new BwsnnError(e.message, 2);
    throw e;
  }
}

/** Parse the `--set` options (a malformed one: exit 2). */
export function parseSetOptions(sets: string[]): SweepAxis[] {
  return asUsage(() => parseSets(sets));
}

function parseSets(sets: string[]): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new BwsnnError(`--set ${s}: expected KEY=V1,V2,... (e.g. lanes=1,2,4)`);
    const key = s.slice(0, eq).trim();
    const values = s.slice(eq + 1).split(',').map((v) => v.trim());
    if (values.some((v) => v.length === 0)) throw new BwsnnError(`--set ${s}: empty value in the list`);
    if (key !== 'mesh' && !(key in CHIP_FIELDS) && !isCompileAxis(key)) {
      throw new BwsnnError(`--set ${s}: unknown sweep parameter "${key}" (known: mesh, ${Object.keys(COMPILE_AXES).join(', ')}, ${Object.keys(CHIP_FIELDS).join(', ')})`);
    }
    if (axes.some((a) => a.key === key)) throw new BwsnnError(`--set ${s}: parameter "${key}" given twice`);
    if (key === 'mesh' && axes.some((a) => a.key === 'meshX' || a.key === 'meshY')) {
      throw new BwsnnError(`--set ${s}: "mesh" cannot be combined with meshX/meshY`);
    }
    if ((key === 'meshX' || key === 'meshY') && axes.some((a) => a.key === 'mesh')) {
      throw new BwsnnError(`--set ${s}: "${key}" cannot be combined with mesh`);
    }
    for (const v of values) applyValue({}, key, v, `--set ${s}`);
    axes.push({ key, values });
  }
  return axes;
}

function applyValue(into: Record<string, number>, key: string, v: string, where: string): void {
  if (isCompileAxis(key)) {
    if (!(COMPILE_AXES[key] as readonly string[]).includes(v)) throw new BwsnnError(`${where}: ${key} value "${v}" must be one of ${COMPILE_AXES[key].join(', ')}`);
    return;
  }
  if (key === 'mesh') {
    const m = /^(\d+)x(\d+)$/.exec(v);
    if (!m) throw new BwsnnError(`${where}: mesh value "${v}" must look like 4x4`);
    into.meshX = Number(m[1]);
    into.meshY = Number(m[2]);
    checkField('meshX', into.meshX, where);
    checkField('meshY', into.meshY, where);
    return;
  }
  const num = Number(v);
  if (v === '' || !Number.isFinite(num)) throw new BwsnnError(`${where}: value "${v}" of ${key} is not a number`);
  checkField(key as ChipField, num, where);
  into[key] = num;
}

/** The cartesian product of the axes over a base chip, in row-major order (last axis fastest). */
export function expandSweep(base: ChipConfig, axes: SweepAxis[]): SweepPointSpec[] {
  const out: SweepPointSpec[] = [];
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > 100_000) throw new BwsnnError(`sweep has ${total} points; at most 100000 are allowed`);
  for (let index = 0; index < total; index++) {
    let rest = index;
    const params: Record<string, string> = {};
    const overrides: Record<string, number> = {};
    for (let k = axes.length - 1; k >= 0; k--) {
      const a = axes[k] as SweepAxis;
      const v = a.values[rest % a.values.length] as string;
      rest = Math.floor(rest / a.values.length);
      params[a.key] = v;
      applyValue(overrides, a.key, v, `sweep point ${index}`);
    }
    const ordered: Record<string, string> = {};
    for (const a of axes) ordered[a.key] = params[a.key] as string;
    const label = Object.entries(ordered).map(([k, v]) => `${k}=${v}`).join(',');
    const chip = parseChipConfig({ ...base, ...overrides, name: `${base.name}[${label || 'base'}]`.slice(0, 64) }, `sweep point ${index} (${label})`);
    const compile: Partial<Record<CompileAxis, string>> = {};
    for (const k of Object.keys(COMPILE_AXES) as CompileAxis[]) if (ordered[k] !== undefined) compile[k] = ordered[k];
    out.push({ index, params: ordered, chip, compile });
  }
  return out;
}

/** Parse `--shard i/n` (1-based i; malformed: exit 2). */
export function parseShard(s: string): { index: number; count: number } {
  return asUsage(() => shardOf(s));
}

function shardOf(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) throw new BwsnnError(`--shard ${s}: expected I/N with 1 <= I <= N (e.g. 2/4)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new BwsnnError(`--shard ${s}: expected 1 <= I <= N`);
  return { index, count };
}

/** The points of shard i of n: every point whose index mod n == i-1 (balanced, deterministic). */
export function shardPoints<T extends { index: number }>(points: T[], shard: { index: number; count: number }): T[] {
  return points.filter((p) => p.index % shard.count === shard.index - 1);
}

/** Mark the Pareto-optimal points (minimise both energy and latency). */
export function paretoFront<T extends { energyJ: number; latencyS: number }>(points: T[]): boolean[] {
  return points.map((p, i) =>
    !points.some(
      (q, j) => j !== i && q.energyJ <= p.energyJ && q.latencyS <= p.latencyS && (q.energyJ < p.energyJ || q.latencyS < p.latencyS),
    ),
  );
}
