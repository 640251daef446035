/**
 * `bwsnn run FILE.bwc (--input X.npy [--labels Y.npy] | --data mnist|fashion-mnist [--split test])
 *  [--limit N] [--workers N] [--energy TABLE.json] [--vcd OUT.vcd --vcd-neurons core:from-to,...]
 *  [--trace OUT.json] [--trace-sample I] [--json]`:
 * simulates the binary cycle by cycle and prints accuracy, cycles and latency per inference and
 * the energy per inference with its breakdown (counts x table, so a reader can recompute it).
 */
import { comparison, comparisonTables, formatActivity, formatComparison, type Comparison } from '../energy/compare.js';
import { presetNames } from '../../simulator/energy/presets.js';
import { Option, type Command } from '@commander-js/extra-typings';
import { CHIP_PRESETS } from '../../isa/presets.js';
import { readContainer } from '../../isa/container.js';
import { ENERGY_EVENTS } from '../../isa/table.js';
import { DATASETS } from '../../models/data/index.js';
import { COMPONENTS } from '../../simulator/energy/breakdown.js';
import { defaultEnergyTable, energyTableFromText } from '../../simulator/energy/table.js';
import { prestartWorkers, type SimResult } from '../../simulator/simulate.js';
import { parseNeuronRanges, toChromeTrace, toVcd, type NeuronNames, type NeuronRange } from '../../simulator/trace.js';
import type { BwcContainer } from '../../isa/container-types.js';
import { BwsnnError } from '../../isa/errors.js';
import { checkOutputPath, readInput, readText, writeAtomic } from '../io.js';
import { runReportData } from '../energy/analysis.js';
import { renderHtmlReport } from '../report/html.js';
import { DEFAULT_WORKERS, INPUT_CHECK_HELP, loadSimInputs, simulateWithProgress } from '../pipeline.js';
import { progressBar, progressWanted } from '../progress.js';
import { sniffInput } from '../sniff.js';
import { checkSamplesPath, flatResult, sampleResults, schemaHeader, writeSamples, type SampleResult } from '../results.js';
import { formatLayers, formatPredictions, formatSamples } from '../text.js';
import { loadChip } from './compile.js';
import { boundsFrom, MAX_CYCLES_HELP, MAX_MEMORY_HELP } from '../bounds.js';

function eng(j: number): string {
  const a = Math.abs(j);
  if (a === 0) return '0 J';
  const units: [number, string][] = [[1, 'J'], [1e-3, 'mJ'], [1e-6, 'uJ'], [1e-9, 'nJ'], [1e-12, 'pJ'], [1e-15, 'fJ']];
  for (const [s, u] of units) if (a >= s) return `${(j / s).toPrecision(4)} ${u}`;
  return `${(j / 1e-15).toPrecision(4)} fJ`;
}

function secs(s: number): string {
  if (s >= 1) return `${s.toPrecision(4)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toPrecision(4)} ms`;
  if (s >= 1e-6) return `${(s * 1e6).toPrecision(4)} us`;
  return `${(s * 1e9).toPrecision(4)} ns`;
}

function report(r: SimResult, source: string, wall: number): string {
  const L: string[] = [];
  L.push(`${r.binary}: model ${r.model} (T=${r.timesteps}) on chip ${r.chip}; ${r.count} inferences of ${source} in ${wall.toFixed(2)} s`);
  if (r.accuracy !== undefined) L.push(`accuracy        ${(100 * r.accuracy).toFixed(2)}% (${r.correct}/${r.count})`);
  L.push(`cycles          mean ${r.cycles.mean.toFixed(1)}, min ${r.cycles.min}, max ${r.cycles.max} per inference; per step ${r.stepCycles.map((c) => c.toFixed(1)).join(' ')}`);
  L.push(`latency         mean ${secs(r.latency.mean)}, min ${secs(r.latency.min)}, max ${secs(r.latency.max)} per inference`);
  L.push(`energy          mean ${eng(r.energy.total)} (band ${eng(r.energy.band.low)} .. ${eng(r.energy.band.high)}), min ${eng(r.energyStat.min)}, max ${eng(r.energyStat.max)} per inference (table ${r.energyTable})`);
  L.push(`counts          ${r.counts.sops.toFixed(1)} synaptic ops, ${r.counts.spikes.toFixed(1)} spikes, ${r.counts.flits.toFixed(1)} flits, ${r.counts.hops.toFixed(1)} hops per inference`);
  L.push('energy by component (mean per inference):');
  for (const c of COMPONENTS) {
    const e = r.energy.byComponent[c];
    L.push(`  ${c.padEnd(16)} ${eng(e).padStart(12)}  ${r.energy.total > 0 ? ((100 * e) / r.energy.total).toFixed(1).padStart(5) : '    -'}%`);
  }
  L.push('energy by event (mean count per inference x energy per event):');
  for (const ev of ENERGY_EVENTS) {
    const n = r.eventsPerInference[ev];
    if (n === 0) continue;
    const per = r.energy.byEvent[ev] / n;
    L.push(`  ${ev.padEnd(18)} ${n.toFixed(2).padStart(14)} x ${eng(per).padStart(10)} = ${eng(r.energy.byEvent[ev]).padStart(11)}`);
  }
  L.push(...formatLayers(r));
  L.push('cores (mean cycles per inference):');
  for (const c of r.cores) {
    L.push(`  core ${String(c.core).padStart(3)}  busy ${c.busy.toFixed(1).padStart(10)}  stall ${c.stall.toFixed(1).padStart(10)}  utilisation ${(100 * c.utilisation).toFixed(1).padStart(5)}%  energy ${eng(c.energy)}`);
  }
  return `${L.join('\n')}\n`;
}

/** Each watched range must name a core of the mesh that holds a program, and neurons that core has. */
function checkNeuronRanges(ranges: NeuronRange[], c: BwcContainer, file: string): void {
  const meshCores = c.chip.meshX * c.chip.meshY;
  for (const r of ranges) {
    if (r.core >= meshCores) throw new BwsnnError(`--vcd-neurons ${r.core}:${r.from}-${r.to}: core ${r.core} is outside the ${c.chip.meshX}x${c.chip.meshY} mesh of ${file} (cores 0..${meshCores - 1})`, 2);
    const img = c.cores.find((k) => k.core === r.core);
    if (!img) throw new BwsnnError(`--vcd-neurons ${r.core}:${r.from}-${r.to}: core ${r.core} runs no program in ${file} (cores used: ${c.cores.map((k) => k.core).join(', ')})`, 2);
    const n = img.neurons.count;
    if (r.to >= n) throw new BwsnnError(`--vcd-neurons ${r.core}:${r.from}-${r.to}: core ${r.core} of ${file} has ${n} neurons (0..${n - 1})`, 2);
  }
}

/** (core, neuron) -> (layer, index in the layer), from the binary's probes. */
export function neuronNames(c: BwcContainer): NeuronNames {
  const m: NeuronNames = new Map();
  for (const p of c.outputMap.probes) for (const e of p.entries) for (let k = 0; k < e.count; k++) m.set(`${e.core}:${e.neuronBase + k}`, { layer: p.layer, index: e.index[k] as number });
  return m;
}

/** The `run --json` document (docs/schemas/run.schema.json). */
export function runJson(r: SimResult, source: string, samples: SampleResult[] | undefined, cmp?: Comparison): object {
  return {
    ...schemaHeader('run'),
    binary: r.binary,
    model: r.model,
    chip: r.chip,
    timesteps: r.timesteps,
    data: source,
    energyTable: r.energyTable,
    ...flatResult(r),
    correct: r.correct ?? null,
    stats: {
      cycles: { mean: r.cycles.mean, min: r.cycles.min, max: r.cycles.max },
      latencySeconds: { mean: r.latency.mean, min: r.latency.min, max: r.latency.max },
      energyJoules: { mean: r.energyStat.mean, min: r.energyStat.min, max: r.energyStat.max },
    },
    cyclesPerStep: r.stepCycles,
    countsPerInference: r.counts,
    energyByEventJoules: Object.fromEntries(ENERGY_EVENTS.map((e) => [e, r.energy.byEvent[e]])),
    perCore: r.cores.map((c) => ({ core: c.core, busyCycles: c.busy, stallCycles: c.stall, utilisation: c.utilisation, energyJoules: c.energy })),
    ...(cmp ? { comparison: cmp } : {}),
    ...(samples ? { samples } : {}),
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('simulate a .bwc binary cycle by cycle: accuracy, cycles, latency and energy per inference')
    .argument('<binary>', 'core binary (.bwc)')
    .option('--input <file>', 'inputs (.npy): [N, ...inputShape] or [N, T, ...inputShape] explicit per-step values')
    .option('--labels <file>', 'labels (.npy): [N] integers (with --input)')
    .option('--data <name>', `built-in data set (${DATASETS.join(', ')})`)
    .option('--split <split>', 'data set split: train or test', 'test')
    .option('--limit <n>', 'simulate at most the first N samples')
    .option('--no-input-check', INPUT_CHECK_HELP)
    .addOption(new Option('--workers <n>', 'worker threads').default(DEFAULT_WORKERS, 'the available parallelism'))
    .option('--chip <file>', `refuse a binary not built for this chip: a chip config JSON or a preset name (${Object.keys(CHIP_PRESETS).join(', ')})`)
    .option('--energy <table>', 'energy table (.json); default: the 45 nm preset')
    .option('--vcd <file>', 'write a VCD trace of one inference')
    .option('--vcd-neurons <list>', 'spike lines for the VCD: core:from-to,... (e.g. 0:0-15,1:3)')
    .option('--trace <file>', 'write a Chrome/Perfetto trace (JSON) of one inference')
    .option('--trace-sample <i>', 'which inference to trace (with --vcd or --trace; default 0)')
    .option('--json', 'print JSON instead of text (docs/schemas/run.schema.json)')
    .option('--per-inference', 'per-input results (index, prediction, label, correct, readout, cycles, energy): a "samples" array in --json, a table in text')
    .option('--out <file>', 'write the per-input results for other tools: .csv, .jsonl or .npy')
    .option('--compare <presets>', 'price the activity with other chips\' per-event energies: a comma-separated list of loihi, loihi-spice, truenorth')
    .option('--max-cycles <n>', MAX_CYCLES_HELP)
    .option('--max-memory <bytes>', MAX_MEMORY_HELP)
    .option('--html <file>', 'write a self-contained HTML report (energy breakdown, mesh heat maps, spikes per layer per step, cycles per step)');
  cmd.action(async (binPath, opts) => {
    const usage = (msg: string): never => cmd.error(`error: ${msg}`, { exitCode: 2 });
    if ((opts.data === undefined) === (opts.input === undefined)) usage('give exactly one of --data or --input');
    if (opts.labels !== undefined && opts.input === undefined) usage('--labels goes with --input');
    if (opts.vcdNeurons !== undefined && opts.vcd === undefined) usage('--vcd-neurons goes with --vcd');
    if (opts.traceSample !== undefined && opts.vcd === undefined && opts.trace === undefined) usage('--trace-sample goes with --vcd or --trace');
    const intOpt = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) usage(`--${name} must be an integer ${min}..${max}, got ${JSON.stringify(v)}`);
      return Number(v);
    };
    intOpt('limit', opts.limit, 1, 1e9); // a usage error before anything is read; loadSimInputs applies it
    const workers = intOpt('workers', opts.workers, 1, 256)!;
    const traceSample = intOpt('trace-sample', opts.traceSample ?? '0', 0, 1e9)!;
    let compare: string[] | undefined;
    try {
      if (opts.compare !== undefined) compare = presetNames(opts.compare);
    } catch (e) {
      usage((e as Error).message);
    }
    const bounds = boundsFrom(opts);
    if (opts.data !== undefined && !(DATASETS as readonly string[]).includes(opts.data)) usage(`--data must be one of ${DATASETS.join(', ')}, got ${JSON.stringify(opts.data)}`);
    if (opts.split !== 'train' && opts.split !== 'test') usage(`--split must be train or test, got ${JSON.stringify(opts.split)}`);
    let neurons;
    try {
      neurons = opts.vcdNeurons === undefined ? [] : parseNeuronRanges(opts.vcdNeurons);
    } catch (e) {
      usage((e as Error).message);
    }
    // Check outputs before the (long) run.
    if (opts.vcd) checkOutputPath(opts.vcd);
    if (opts.trace) checkOutputPath(opts.trace);
    if (opts.html) checkOutputPath(opts.html);
    if (opts.out) {
      checkSamplesPath(opts.out);
      checkOutputPath(opts.out);
    }

    sniffInput(binPath, ['bwc'], 'a .bwc binary');
    // Worker threads load their modules while this thread reads the binary and the inputs.
    prestartWorkers(workers - 1);
    const container = readContainer(readInput(binPath), binPath);
    checkNeuronRanges(neurons ?? [], container, binPath);
    const chip = opts.chip === undefined ? undefined : loadChip(opts.chip);
    const meta = container.meta;
    const table = opts.energy === undefined ? defaultEnergyTable() : energyTableFromText(readText(opts.energy), opts.energy);
    const { inputs, source } = loadSimInputs({ data: opts.data, split: opts.split, input: opts.input, labels: opts.labels, limit: opts.limit, inputCheck: opts.inputCheck }, meta, binPath);
    const wantTrace = opts.vcd !== undefined || opts.trace !== undefined;
    if (wantTrace && traceSample >= inputs.count) usage(`--trace-sample ${traceSample} is outside 0..${inputs.count - 1}`);
    const t0 = performance.now();
    const bar = progressBar('simulating', progressWanted(opts));
    const r = await simulateWithProgress(
      container,
      inputs,
      {
        file: binPath,
        inputName: source,
        chip,
        workers,
        ...bounds,
        energy: table,
        trace: wantTrace ? { sample: traceSample, neurons } : undefined,
        // The HTML report charts spikes per layer per step: record the probes for it.
        probes: opts.html !== undefined,
        perLayer: true,
      },
      progressWanted(opts) ? (d, n) => bar.update(d, n) : undefined,
    );
    bar.stop();
    const wall = (performance.now() - t0) / 1000;
    const cmp = compare ? comparison(compare, r, r.activity, source) : undefined;
    if (opts.vcd && r.trace) writeAtomic(opts.vcd, toVcd(r.trace, container.chip, 'bwsnn simulation', neuronNames(container)));
    if (opts.trace && r.trace) writeAtomic(opts.trace, toChromeTrace(r.trace, container.chip));
    if (opts.html) {
      const summary = [
        ...(r.accuracy !== undefined ? [{ label: 'accuracy', value: `${(100 * r.accuracy).toFixed(2)}% (${r.correct}/${r.count})` }] : []),
        { label: 'cycles per inference (mean)', value: r.cycles.mean.toFixed(1) },
        { label: 'latency per inference (mean)', value: secs(r.latency.mean) },
        { label: 'energy per inference (mean)', value: eng(r.energy.total) },
        { label: 'energy per inference: band (memory scaling rule low .. high)', value: `${eng(r.energy.band.low)} .. ${eng(r.energy.band.high)}` },
        { label: 'synaptic operations per inference', value: r.counts.sops.toFixed(1) },
      ];
      const data = runReportData(`bwsnn run: ${r.model}`, [`${binPath} on chip ${r.chip}`, `${r.count} inferences of ${source}`], summary, r, container);
      if (cmp) data.tables = [...(data.tables ?? []), ...comparisonTables(cmp, r.activity)];
      writeAtomic(opts.html, renderHtmlReport(data));
    }
    const samples = opts.perInference || opts.out ? sampleResults(r, inputs.labels) : undefined;
    if (opts.out && samples) writeSamples(opts.out, samples);
    const extra = cmp ? `\n${[...formatActivity(r.activity), '', ...formatComparison(cmp)].join('\n')}\n` : '';
    if (opts.json) process.stdout.write(`${JSON.stringify(runJson(r, source, opts.perInference ? samples : undefined, cmp), null, 2)}\n`);
    else process.stdout.write(report(r, source, wall) + extra + formatPredictions(r, inputs.labels !== undefined) + (opts.perInference && samples ? formatSamples(samples) : ''));
  });
}
