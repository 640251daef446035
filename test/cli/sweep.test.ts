import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { BwsnnError } from '../../base/errors.js';
import { expandSweep, paretoFront, parseSetOptions, parseShard, shardPoints } from '../../cli/sweep/plan.js';
import { ENERGY_METRIC, LATENCY_METRIC, formatSweepCsv, mergeSweeps, parseSweepCsv, sweepMeta, type SweepTable } from '../../cli/sweep/csv.js';

describe('sweep planning', () => {
  it('expands the cartesian product, last axis fastest', () => {
    const axes = parseSetOptions(['lanes=1,2', 'mesh=2x2,4x4']);
    const pts = expandSweep(DEFAULT_CHIP, axes);
    expect(pts.map((p) => `${p.chip.lanes}/${p.chip.meshX}x${p.chip.meshY}`)).toEqual(['1/2x2', '1/4x4', '2/2x2', '2/4x4']);
    expect(pts[3]?.params).toEqual({ lanes: '2', mesh: '4x4' });
  });

  it('refuses unknown parameters and out-of-range values with their names', () => {
    expect(() => parseSetOptions(['lanez=1'])).toThrow(/unknown sweep parameter "lanez"/);
    expect(() => parseSetOptions(['lanes=0'])).toThrow(/"lanes" = 0 is out of range/);
    expect(() => parseSetOptions(['laneBits=48'])).toThrow(BwsnnError);
    expect(() => parseSetOptions(['mesh=4by4'])).toThrow(/must look like 4x4/);
    expect(() => parseSetOptions(['lanes=1', 'lanes=2'])).toThrow(/given twice/);
    expect(() => parseSetOptions(['lanes'])).toThrow(/KEY=V1,V2/);
    // a mesh value is range-checked when parsed, like every other field (not first at "sweep point 0")
    expect(() => parseSetOptions(['mesh=0x0'])).toThrow(/^--set mesh=0x0: field "meshX" = 0 is out of range/);
    expect(() => parseSetOptions(['mesh=4x65'])).toThrow(/^--set mesh=4x65: field "meshY" = 65 is out of range/);
  });

  it('parses shards', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('5/4')).toThrow(BwsnnError);
    expect(() => parseShard('0/4')).toThrow(BwsnnError);
  });

  it('shards partition the points exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 9 }), (total, n) => {
        const pts = Array.from({ length: total }, (_, index) => ({ index }));
        const all = [];
        for (let i = 1; i <= n; i++) all.push(...shardPoints(pts, { index: i, count: n }).map((p) => p.index));
        all.sort((a, b) => a - b);
        expect(all).toEqual(pts.map((p) => p.index));
      }),
    );
  });

  it('finds the Pareto front', () => {
    const f = paretoFront([
      { energyJ: 1, latencyS: 5 },
      { energyJ: 2, latencyS: 2 },
      { energyJ: 3, latencyS: 3 }, // dominated by (2,2)
      { energyJ: 5, latencyS: 1 },
      { energyJ: 2, latencyS: 2 }, // equal points are both optimal
    ]);
    expect(f).toEqual([true, true, false, true, true]);
  });
});

function table(shard: number, n: number, total: number): SweepTable {
  const rows = [];
  for (let i = 0; i < total; i++) {
    if (i % n !== shard - 1) continue;
    rows.push({ index: i, params: { lanes: String(i + 1) }, metrics: { [ENERGY_METRIC]: 10 - i, [LATENCY_METRIC]: i * 0.5, cycles: i }, pareto: false });
  }
  return { shard: { index: shard, count: n }, total, key: 'model=m;axes=lanes', paramNames: ['lanes'], metricNames: [ENERGY_METRIC, LATENCY_METRIC, 'cycles'], rows };
}

describe('sweep CSV and merge', () => {
  it('round-trips a table through CSV', () => {
    const t = table(1, 1, 4);
    const csv = formatSweepCsv(t);
    expect(csv.startsWith('index,lanes,')).toBe(true); // no comment line: pandas.read_csv reads it as is
    const back = parseSweepCsv(csv, 'x.csv', JSON.stringify(sweepMeta(t, 'x.csv')));
    expect(back).toEqual(t);
    // the older layout (a first "# bwsnn-sweep" line) is still read
    const old = `# bwsnn-sweep v1 shard=1/1 total=4 key=${t.key}\n${csv}`;
    expect(parseSweepCsv(old, 'old.csv')).toEqual(t);
  });

  it('prints numbers with 6 significant digits, without float noise', () => {
    const t = table(1, 1, 1);
    t.rows[0]!.metrics[ENERGY_METRIC] = 0.0000030804263124400005;
    t.rows[0]!.metrics.cycles = 2785.123456789;
    const line = formatSweepCsv(t).split('\n')[1]!;
    expect(line).toBe('0,1,0.00000308043,0,2785.12,0');
  });

  it('refuses a new-layout CSV without its side file, naming the file', () => {
    expect(() => parseSweepCsv(formatSweepCsv(table(1, 1, 2)), 'a.csv')).toThrow(/a.csv: its side file a.meta.json is missing/);
  });

  it('merges shards and recomputes the Pareto front', () => {
    const parts = [2, 1, 3].map((i) => ({ table: parseSweepCsv(formatSweepCsv(table(i, 3, 7)), `s${i}.csv`, JSON.stringify(sweepMeta(table(i, 3, 7), `s${i}.csv`))), file: `s${i}.csv` }));
    const m = mergeSweeps(parts);
    expect(m.rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // energy decreases and latency increases with the index: every point is Pareto-optimal
    expect(m.rows.every((r) => r.pareto)).toBe(true);
  });

  it('refuses shards that do not add up', () => {
    const p = (i: number, n = 3, total = 7) => ({ table: table(i, n, total), file: `s${i}.csv` });
    expect(() => mergeSweeps([p(1), p(2)])).toThrow(/missing shard\(s\) 3\/3/);
    expect(() => mergeSweeps([p(1), p(2), p(2)])).toThrow(/given twice/);
    expect(() => mergeSweeps([p(1), p(2), p(3, 4)])).toThrow(/N = 3/);
    expect(() => mergeSweeps([p(1), p(2), p(3, 3, 8)])).toThrow(/total/);
    const other = p(3);
    other.table.key = 'model=other';
    expect(() => mergeSweeps([p(1), p(2), other])).toThrow(/another sweep/);
    const lost = p(3);
    lost.table.rows.pop();
    expect(() => mergeSweeps([p(1), p(2), lost])).toThrow(/6 of 7 points/);
  });

  it('refuses a file that is not a sweep CSV, naming the line', () => {
    expect(() => parseSweepCsv('a,b\n1,2\n', 'bad.csv')).toThrow(/bad.csv:1/);
    const t = formatSweepCsv(table(1, 1, 2)).replace(/\n1,2,/, '\n1,2,x,');
    expect(() => parseSweepCsv(t, 'bad.csv', JSON.stringify(sweepMeta(table(1, 1, 2), 'bad.csv')))).toThrow(/bad.csv:3/);
  });
});
