/**
 * `bwsnn sweep MODEL --set lanes=1,2,4,8 --set mesh=2x2,4x4 ... (--data ... | --input ...)
 *  [--chip BASE.json] [--shard I/N] -o OUT.csv [--html OUT.html]`:
 * compiles and simulates the model on every chip config of the cartesian product and writes one
 * CSV row per point (cores used, accuracy, cycles, latency, energy and its components) plus the
 * Pareto front of energy per inference vs latency. `--shard I/N` runs every N-th point (any batch
 * scheduler can run the shards); `bwsnn merge` joins the shards' CSVs.
 *
 * `bwsnn merge A.csv B.csv ... -o OUT.csv [--html OUT.html]`: checks that the shards add up
 * (same sweep, shards 1..N exactly once, every point exactly once), recomputes the Pareto front.
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { progressBar, progressWanted } from '../progress.js';
import { num6 } from '../results.js';
import { sniffInput } from '../sniff.js';
import { compileModel } from '../../compiler/index.js';
import { BwsnnError } from '../../isa/errors.js';
import { foldForChip } from '../../compiler/fold-for-chip.js';
import { COMPONENTS } from '../../simulator/energy/breakdown.js';
import { defaultEnergyTable, energyTableFromText } from '../../simulator/energy/table.js';
import { checkOutputPath, readInput, readText, writeAtomic } from '../io.js';
import { DEFAULT_WORKERS, simulateWithProgress, dataOptions, intOption, loadGraphAny, loadSimInputs, nirOptions, type DataCliOptions, type NirCliOptions } from '../pipeline.js';
import { renderHtmlReport, si } from '../report/html.js';
import { ENERGY_METRIC, LATENCY_METRIC, formatSweepCsv, metaPathOf, sweepMeta, markPareto, mergeSweeps, parseSweepCsv, type SweepRow, type SweepTable } from '../sweep/csv.js';
import { expandSweep, parseSetOptions, parseShard, shardPoints } from '../sweep/plan.js';
import { loadChip } from './compile.js';
import { dataflowOptions, resolveDataflow, type DataflowCliOptions } from '../dataflow-options.js';
import type { Strategy } from '../../compiler/index.js';
import { boundsFrom, MAX_CYCLES_HELP, MAX_MEMORY_HELP, type BoundCliOptions } from '../bounds.js';

interface SweepOptions extends DataCliOptions, NirCliOptions, DataflowCliOptions {
  set: string[];
  chip?: string;
  energy?: string;
  shard?: string;
  workers: string;
  output: string;
  html?: string;
  json?: boolean;
}

/** `sweep --json`: the side-file fields and every point (docs/schemas/sweep.schema.json). */
export function sweepJson(t: SweepTable, csv: string, model: string): object {
  return {
    ...sweepMeta(t, basename(csv)),
    model,
    points: t.rows.map((r) => ({ index: r.index, params: r.params, metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, Number.isNaN(v) ? null : v])), pareto: r.pareto })),
  };
}

const METRICS = [
  ENERGY_METRIC,
  LATENCY_METRIC,
  'fits',
  'cores_used',
  'accuracy',
  'cycles_per_inference',
  'synaptic_ops_per_inference',
  'flits_per_inference',
  ...COMPONENTS.map((c) => `energy_${c.replace(/ /g, '_')}_j`),
];

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function sweepHtml(t: SweepTable, title: string): string {
  const ok = t.rows.filter((r) => r.metrics.fits === 1);
  return renderHtmlReport({
    title,
    subtitle: [`${t.rows.length} chip configurations (${ok.length} fit), parameters: ${t.paramNames.join(', ')}`, `sweep key ${t.key}`],
    sweep: ok.map((r) => ({
      label: t.paramNames.map((p) => `${p}=${r.params[p]}`).join(','),
      energyJ: r.metrics[ENERGY_METRIC] as number,
      latencyS: r.metrics[LATENCY_METRIC] as number,
      pareto: r.pareto,
    })),
    tables: [
      {
        title: 'Points',
        header: ['index', ...t.paramNames, 'fits', 'cores', 'accuracy', 'energy/inference', 'latency/inference', 'Pareto'],
        rows: t.rows.map((r) => [
          r.index,
          ...t.paramNames.map((p) => r.params[p] ?? ''),
          r.metrics.fits === 1 ? 'yes' : 'no',
          r.metrics.cores_used ?? '',
          Number.isNaN(r.metrics.accuracy) ? '-' : `${((r.metrics.accuracy as number) * 100).toFixed(2)}%`,
          r.metrics.fits === 1 ? si(r.metrics[ENERGY_METRIC] as number, 'J', 4) : '-',
          r.metrics.fits === 1 ? si(r.metrics[LATENCY_METRIC] as number, 's', 4) : '-',
          r.pareto ? 'yes' : '',
        ]),
      },
    ],
  });
}

export function register(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('compile and simulate a model on every chip config of a parameter sweep; CSV + Pareto front of energy vs latency')
    .argument('<model>', 'model (.bwsnn or .nir)')
    .requiredOption('--set <KEY=V1,V2,...>', 'a swept parameter (repeatable): any field of the chip config, mesh=WxH, or the compiler choices dataflow=auto,dense,event, schedule=auto,step,time, strategy=spread,pack', collect, [] as string[])
    .requiredOption('-o, --output <file>', 'output CSV');
  dataOptions(cmd);
  nirOptions(cmd);
  cmd
    .option('--chip <file>', 'base chip config (JSON or preset name)')
    .option('--energy <table>', 'energy table (.json); default: the 45 nm preset')
    .option('--shard <I/N>', 'run only shard I of N (points with index mod N == I-1)')
    .addOption(new Option('--workers <n>', 'worker threads per simulation').default(DEFAULT_WORKERS, 'the available parallelism'))
    .option('--max-cycles <n>', MAX_CYCLES_HELP)
    .option('--max-memory <bytes>', MAX_MEMORY_HELP)
    .option('--html <file>', 'write a self-contained HTML report with the Pareto plot')
    .option('--json', 'print the sweep (side-file fields and every point) as JSON (docs/schemas/sweep.schema.json)');
  dataflowOptions(cmd);
  cmd.action(async (file, raw) => {
    const o = raw as unknown as SweepOptions;
    const workers = intOption('workers', o.workers, 1, 256) as number;
    const bounds = boundsFrom(raw as BoundCliOptions);
    const axes = parseSetOptions(o.set);
    if (axes.length === 0) throw new BwsnnError('give at least one --set KEY=V1,V2,...', 2);
    const shard = o.shard === undefined ? { index: 1, count: 1 } : parseShard(o.shard);
    checkOutputPath(o.output);
    checkOutputPath(metaPathOf(o.output));
    if (o.html) checkOutputPath(o.html);
    const base = loadChip(o.chip);
    const table = o.energy === undefined ? defaultEnergyTable() : energyTableFromText(readText(o.energy), o.energy);
    const graph = await loadGraphAny(file, o);
    const points = expandSweep(base, axes);
    const mine = shardPoints(points, shard);
    // The key identifies the sweep: same model bytes, base chip, axes, data and table in every shard.
    const key = createHash('sha256')
      .update(readInput(file))
      .update(JSON.stringify({ graph: graph.name, base, axes, data: [o.data, o.split, o.input, o.labels, o.limit], table: table.name, dataflow: [o.dataflow, o.schedule, o.profile, o.profileLimit] }))
      .digest('hex')
      .slice(0, 16);
    const rows: SweepRow[] = [];
    let inputsCache: ReturnType<typeof loadSimInputs> | undefined;
    let profile: ReturnType<typeof resolveDataflow>['profile'];
    // One bar over all inferences of all points (a point's simulation moves it too).
    const show = progressWanted(o);
    const bar = progressBar('sweep', show, 'inferences');
    let pointsDone = 0;
    for (const p of mine) {
      const label = Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(',');
      const metrics: Record<string, number> = Object.fromEntries(METRICS.map((m) => [m, Number.NaN]));
      try {
        const model = foldForChip(graph, p.chip, file);
        // The profile (if any) is measured once, on the first point's model.
        const df = resolveDataflow({ ...o, profile: profile ? undefined : o.profile, dataflow: p.compile.dataflow ?? o.dataflow, schedule: p.compile.schedule ?? o.schedule }, model, p.chip, table, graph, file);
        profile ??= df.profile;
        df.profile = profile;
        const { container } = compileModel(model, p.chip, { file, ...df, strategy: p.compile.strategy as Strategy | undefined });
        inputsCache ??= loadSimInputs(o, container.meta, file);
        const per = inputsCache.inputs.count;
        const r = await simulateWithProgress(container, inputsCache.inputs, { workers, energy: table, file, ...bounds }, show ? (d) => bar.update(pointsDone * per + d, mine.length * per) : undefined);
        metrics.fits = 1;
        metrics.cores_used = container.cores.length;
        metrics.accuracy = r.accuracy ?? Number.NaN;
        metrics.cycles_per_inference = r.cycles.mean;
        metrics[LATENCY_METRIC] = r.latency.mean;
        metrics[ENERGY_METRIC] = r.energy.total;
        metrics.synaptic_ops_per_inference = r.counts.sops;
        metrics.flits_per_inference = r.counts.flits;
        for (const c of COMPONENTS) metrics[`energy_${c.replace(/ /g, '_')}_j`] = r.energy.byComponent[c];
        // The CSV holds 6 significant digits: the Pareto front is computed on exactly those numbers.
        for (const m of METRICS) metrics[m] = Number.isFinite(metrics[m]) ? Number(num6(metrics[m] as number)) : (metrics[m] as number);
        if (!o.json) process.stderr.write(`${show ? "\r\x1b[K" : ""}point ${p.index} (${label}): ${container.cores.length} cores, ${si(r.energy.total, 'J', 4)}, ${si(r.latency.mean, 's', 4)} per inference\n`);
      } catch (e) {
        // A chip that cannot hold the model, or a forced dataflow / schedule the model cannot take.
        if (!(e instanceof BwsnnError) || (e.exitCode !== 1 && !/--dataflow event|--schedule time/.test(e.message))) throw e;
        metrics.fits = 0;
        if (!o.json) process.stderr.write(`${show ? "\r\x1b[K" : ""}point ${p.index} (${label}): does not fit: ${e.message}\n`);
      }
      rows.push({ index: p.index, params: p.params, metrics, pareto: false });
      pointsDone++;
    }
    bar.stop();
    markPareto(rows);
    const t: SweepTable = { shard, total: points.length, key, paramNames: axes.map((a) => a.key), metricNames: METRICS, rows };
    writeAtomic(o.output, formatSweepCsv(t));
    writeAtomic(metaPathOf(o.output), `${JSON.stringify({ ...sweepMeta(t, basename(o.output)), model: graph.name }, null, 2)}\n`);
    if (o.html) writeAtomic(o.html, sweepHtml(t, `bwsnn sweep: ${graph.name}`));
    const front = rows.filter((r) => r.pareto);
    if (o.json) {
      process.stdout.write(`${JSON.stringify(sweepJson(t, o.output, graph.name), null, 2)}\n`);
      return;
    }
    process.stdout.write(
      `${rows.length} of ${points.length} points (shard ${shard.index}/${shard.count}) -> ${o.output}; ${rows.filter((r) => r.metrics.fits === 1).length} fit; Pareto front: ${front.map((r) => Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(',')).join('; ') || 'none'}\n`,
    );
  });

  program
    .command('merge')
    .description('join the CSVs of a sharded sweep (checks that the shards add up) and recompute the Pareto front')
    .argument('<csv...>', 'the shards\' CSV files')
    .requiredOption('-o, --output <file>', 'merged CSV')
    .option('--html <file>', 'write a self-contained HTML report with the Pareto plot')
    .action((files, o) => {
      checkOutputPath(o.output);
      checkOutputPath(metaPathOf(o.output));
      if (o.html) checkOutputPath(o.html);
      const merged = mergeSweeps(
        files.map((f) => {
          sniffInput(f, ['sweep-csv'], 'a sweep CSV');
          const meta = metaPathOf(f);
          return { table: parseSweepCsv(readText(f), f, existsSync(meta) ? readText(meta) : undefined, meta), file: f };
        }),
      );
      writeAtomic(o.output, formatSweepCsv(merged));
      writeAtomic(metaPathOf(o.output), `${JSON.stringify(sweepMeta(merged, basename(o.output)), null, 2)}\n`);
      if (o.html) writeAtomic(o.html, sweepHtml(merged, 'bwsnn sweep (merged)'));
      process.stdout.write(`${merged.rows.length} points from ${files.length} shards -> ${o.output}; Pareto front: ${merged.rows.filter((r) => r.pareto).length} points\n`);
    });
}
