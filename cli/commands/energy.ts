/**
 * `bwsnn energy FILE.(bwc|bwsnn|nir) (--data ... | --input X.npy) [--energy TABLE.json] [--json] [--html OUT.html]`:
 * energy per inference (mean and spread over the inputs) by component, by event (count x table
 * entry, with the entry's source), per core and per layer, and beside it the estimates people
 * quote in papers for the same network (synaptic operations x E_AC; MACs of an equal ANN x
 * E_MAC) and the energy per synaptic operation beside Loihi's and TrueNorth's published figures.
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { TIMING_FIELDS, TIMING_PROVENANCE, type ChipConfig } from '../../isa/chip.js';
import { ENERGY_EVENTS } from '../../isa/table.js';
import { COMPONENTS } from '../../simulator/energy/breakdown.js';
import { defaultEnergyTable, energyTableFromText, resolveEnergyTable, type EnergyTable } from '../../simulator/energy/table.js';
import type { SimResult } from '../../simulator/simulate.js';
import { DEFAULT_WORKERS, compiledFrom, dataOptions, intOption, loadSimInputs, nirOptions, simulateWithProgress, type DataCliOptions, type NirCliOptions } from '../pipeline.js';
import { checkOutputPath, readText, writeAtomic } from '../io.js';
import { progressBar, progressWanted } from '../progress.js';
import { checkSamplesPath, flatResult, sampleResults, schemaHeader, writeSamples, type SampleResult } from '../results.js';
import { formatPredictions, formatSamples } from '../text.js';
import { renderHtmlReport, si } from '../report/html.js';
import { binaryMacs, energyReportData, layerEnergy, modelMacs, paperEstimates, type LayerEnergy, type PaperEstimates } from '../energy/analysis.js';
import { loadChip } from './compile.js';
import { comparison, comparisonTables, formatActivity, formatComparison, type Comparison } from '../energy/compare.js';
import { presetNames } from '../../simulator/energy/presets.js';
import type { ActivityCounts } from '../../simulator/energy/activity.js';
import { BwsnnError } from '../../isa/errors.js';
import { provenanceLabel, type ProvenanceKind } from '../../simulator/energy/provenance.js';
import { dataflowOptions, resolveDataflow, type DataflowCliOptions } from '../dataflow-options.js';
import { STRATEGIES, type Strategy } from '../../compiler/index.js';
import type { DataflowPlan } from '../../compiler/dataflow.js';
import { boundsFrom, MAX_CYCLES_HELP, MAX_MEMORY_HELP, type BoundCliOptions } from '../bounds.js';

interface EnergyOptions extends DataCliOptions, NirCliOptions, DataflowCliOptions {
  chip?: string;
  strategy: string;
  energy?: string;
  workers: string;
  json?: boolean;
  html?: string;
  compare?: string;
  perInference?: boolean;
  out?: string;
}

/** The `energy --json` document (docs/schemas/energy.schema.json): the summary plus the flat result fields. */
export function energyJson(s: EnergySummary, r: SimResult, samples: SampleResult[] | undefined): object {
  return { ...schemaHeader('energy'), ...s, ...flatResult(r), ...(samples ? { samples } : {}) };
}

export interface EnergySummary {
  binary: string;
  model: string;
  chip: string;
  data: string;
  inferences: number;
  table: { name: string; description: string };
  perInference: { mean: number; std: number; min: number; max: number };
  byComponent: Record<string, number>;
  byEvent: { event: string; countPerInference: number; unitEnergyJ: number; energyJ: number; source: string; derivation: string; kind: ProvenanceKind; unitLowJ: number; unitHighJ: number }[];
  leakage: { powerPerCoreW: number; cores: number; latencyS: number; energyJ: number; source: string; kind: ProvenanceKind };
  /** Energy per inference with every table entry at the low / central / high end of its band. */
  band: { low: number; central: number; high: number };
  perCore: { core: number; busyCycles: number; energyJ: number }[];
  perLayer: LayerEnergy[];
  counts: SimResult['counts'];
  paper: PaperEstimates;
  /** The chip's timing fields with kind, source and rationale (isa/chip.ts TIMING_PROVENANCE). */
  timing: { field: string; value: number; kind: ProvenanceKind; source: string; derivation: string }[];
  /** Activity counted the way event-driven chips count (simulator/energy/activity.ts). */
  activity: ActivityCounts;
  /** Other chips' per-event energies on this activity (--compare), yardsticks, energy and bits per SOP. */
  comparison: Comparison;
}

export function summarise(r: SimResult, table: EnergyTable, chip: ChipConfig, binary: string, data: string, macs: { macs: number; exact: boolean }, layers: LayerEnergy[], compare: string[] = []): EnergySummary {
  const e = r.inferences.map((i) => Number(i.energy));
  const mean = e.reduce((a, b) => a + b, 0) / e.length;
  const std = Math.sqrt(e.reduce((a, b) => a + (b - mean) ** 2, 0) / e.length);
  return {
    binary,
    model: r.model,
    chip: r.chip,
    data,
    inferences: r.count,
    table: { name: table.name, description: table.description },
    // The mean and the per-inference energies are summed in different orders: keep min <= mean <= max despite rounding.
    perInference: { mean: r.energy.total, std, min: Math.min(r.energy.total, ...e), max: Math.max(r.energy.total, ...e) },
    byComponent: Object.fromEntries(COMPONENTS.map((c) => [c, r.energy.byComponent[c]])),
    byEvent: ENERGY_EVENTS.map((ev) => ({
      event: ev,
      countPerInference: r.eventsPerInference[ev],
      unitEnergyJ: table.events[ev].energy,
      energyJ: r.energy.byEvent[ev],
      source: table.events[ev].source,
      derivation: table.events[ev].derivation,
      kind: table.events[ev].kind,
      unitLowJ: table.events[ev].low,
      unitHighJ: table.events[ev].high,
    })),
    leakage: {
      powerPerCoreW: table.leakage.power,
      cores: chip.meshX * chip.meshY,
      latencyS: r.latency.mean,
      energyJ: r.energy.byComponent.leakage,
      source: `${table.leakage.source}; ${table.leakage.derivation}`,
      kind: table.leakage.kind,
    },
    band: { low: r.energy.band.low, central: r.energy.band.central, high: r.energy.band.high },
    perCore: r.cores.map((c) => ({ core: c.core, busyCycles: c.busy, energyJ: c.energy })),
    perLayer: layers,
    counts: r.counts,
    paper: paperEstimates(r, macs),
    timing: TIMING_FIELDS.map((f) => ({ field: f, value: chip[f], ...TIMING_PROVENANCE[f] })),
    activity: r.activity,
    comparison: comparison(compare, r, r.activity, data),
  };
}

export function formatEnergy(s: EnergySummary): string {
  const L: string[] = [];
  const pct = (x: number): string => (s.perInference.mean > 0 ? `${((100 * x) / s.perInference.mean).toFixed(1).padStart(5)}%` : '    -');
  L.push(`${s.binary}: model ${s.model} on chip ${s.chip}; ${s.inferences} inferences of ${s.data}; energy table "${s.table.name}"`);
  L.push(`energy per inference   mean ${si(s.perInference.mean, 'J', 4)} (band ${si(s.band.low, 'J', 4)} .. ${si(s.band.high, 'J', 4)}: memory energy by bank, low / high scaling rule), std ${si(s.perInference.std, 'J', 3)}, min ${si(s.perInference.min, 'J', 4)}, max ${si(s.perInference.max, 'J', 4)}`);
  L.push(`counts per inference   ${s.counts.sops.toFixed(1)} synaptic operations, ${s.counts.spikes.toFixed(1)} spikes, ${s.counts.flits.toFixed(1)} flits, ${s.counts.hops.toFixed(1)} flit hops`);
  L.push('');
  L.push('by component (mean per inference)');
  for (const [c, v] of Object.entries(s.byComponent)) L.push(`  ${c.padEnd(16)} ${si(v, 'J', 4).padStart(12)} ${pct(v)}`);
  L.push('');
  L.push('by event: count per inference x energy per event = energy   [kind] source (an assumption prints as [assumption] with what is assumed)');
  for (const ev of s.byEvent) {
    if (ev.countPerInference === 0) continue;
    const band = ev.unitLowJ !== ev.unitHighJ ? ` (${si(ev.unitLowJ, 'J', 3)}..${si(ev.unitHighJ, 'J', 3)})` : '';
    L.push(`  ${ev.event.padEnd(18)} ${ev.countPerInference.toFixed(2).padStart(12)} x ${si(ev.unitEnergyJ, 'J', 3).padStart(9)}${band} = ${si(ev.energyJ, 'J', 4).padStart(11)} ${pct(ev.energyJ)}   ${provenanceLabel(ev)}`);
  }
  L.push(`  ${'leakage'.padEnd(18)} ${si(s.leakage.powerPerCoreW, 'W', 3)} x ${s.leakage.cores} cores x ${si(s.leakage.latencyS, 's', 4)} = ${si(s.leakage.energyJ, 'J', 4)} ${pct(s.leakage.energyJ)}   ${provenanceLabel({ kind: s.leakage.kind, source: s.leakage.source, derivation: s.leakage.source })}`);
  L.push('');
  L.push('per layer (dynamic energy of the instructions that work on the layer\'s neurons, mean per inference)');
  for (const l of s.perLayer) {
    const pr = l.predicted ? `  predicted ${si(l.predicted.energyJ, 'J', 4)} (${l.predicted.dataflow}, ${l.predicted.schedule === 'time' ? 'time-batched' : 'step-major'}, ${l.predicted.cycles.toFixed(0)} busy cycles)` : '';
    L.push(`  ${l.layer.padEnd(24)} ${si(l.energyJ, 'J', 4).padStart(12)} ${pct(l.energyJ)}  cores ${l.cores.join(',')}${pr}`);
  }
  L.push('');
  L.push('per core (mean per inference, dynamic + the core\'s leakage)');
  for (const c of s.perCore) L.push(`  core ${String(c.core).padStart(3)}  busy ${c.busyCycles.toFixed(1).padStart(10)} cycles  ${si(c.energyJ, 'J', 4).padStart(12)}`);
  L.push('');
  const p = s.paper;
  L.push('beside it: the estimates people quote in papers for the same network');
  L.push(`  SNN estimate  synaptic operations x E_AC = ${p.sops.toFixed(1)} x ${si(p.eAC, 'J', 2)} = ${si(p.snnEstimateJ, 'J', 4)}   [${p.eACSource}]`);
  L.push(`  ANN estimate  MACs of an equal ANN x E_MAC = ${p.macs.toLocaleString('en-US')} x ${si(p.eMAC, 'J', 2)} = ${si(p.annEstimateJ, 'J', 4)}${p.macsExact ? '' : ' (MACs counted from the binary\'s accumulate instructions, incl. word padding)'}   [${p.eMACSource}]`);
  L.push('');
  L.push('timing fields of the chip (cycle counts above follow from them)');
  for (const t of s.timing) L.push(`  ${t.field.padEnd(15)} ${String(t.value).padStart(10)}   ${provenanceLabel(t)}`);
  L.push('');
  L.push(...formatActivity(s.activity));
  L.push('');
  L.push(...formatComparison(s.comparison));
  return `${L.join('\n')}\n`;
}

export function register(program: Command): void {
  const cmd = program
    .command('energy')
    .description('energy per inference by component, event, core and layer, beside paper-style estimates and published chip figures')
    .argument('<file>', 'a core binary (.bwc) or a model (.bwsnn, .nir) compiled on the fly');
  dataOptions(cmd);
  nirOptions(cmd);
  cmd
    .option('--chip <file>', 'chip config for a model given as .bwsnn/.nir (JSON or preset name)')
    .option('--strategy <s>', `mapping of a model given as .bwsnn/.nir: ${STRATEGIES.join(' or ')}`, 'spread');
  dataflowOptions(cmd);
  cmd
    .option('--energy <table>', 'energy table (.json); default: the 45 nm preset')
    .addOption(new Option('--workers <n>', 'worker threads').default(DEFAULT_WORKERS, 'the available parallelism'))
    .option('--max-cycles <n>', MAX_CYCLES_HELP)
    .option('--max-memory <bytes>', MAX_MEMORY_HELP)
    .option('--json', 'print JSON instead of text (docs/schemas/energy.schema.json)')
    .option('--per-inference', 'per-input results (index, prediction, label, correct, readout, cycles, energy): a "samples" array in --json, a table in text')
    .option('--out <file>', 'write the per-input results for other tools: .csv, .jsonl or .npy')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--compare <presets>', 'price this network\'s activity with other chips\' per-event energies: a comma-separated list of loihi, loihi-spice, truenorth');
  cmd.action(async (file, rawOpts) => {
    const opts = rawOpts as unknown as EnergyOptions;
    const workers = intOption('workers', opts.workers, 1, 256) as number;
    const bounds = boundsFrom(rawOpts as BoundCliOptions);
    let compare: string[] = [];
    try {
      if (opts.compare !== undefined) compare = presetNames(opts.compare);
    } catch (e) {
      if (e instanceof BwsnnError) cmd.error(`error: ${e.message}`, { exitCode: 2 });
      throw e;
    }
    if (opts.html) checkOutputPath(opts.html);
    if (opts.out) {
      checkSamplesPath(opts.out);
      checkOutputPath(opts.out);
    }
    const table = opts.energy === undefined ? defaultEnergyTable() : energyTableFromText(readText(opts.energy), opts.energy);
    if (!(STRATEGIES as readonly string[]).includes(opts.strategy)) throw new BwsnnError(`--strategy: expected one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(opts.strategy)}`, 2);
    const chip = loadChip(opts.chip);
    const compiled = await compiledFrom(file, chip, opts, (m, g) => ({ strategy: opts.strategy as Strategy, ...resolveDataflow(opts, m, chip, table, g, file) }));
    const { inputs, source } = loadSimInputs(opts, compiled.container.meta, file);
    const show = progressWanted(opts);
    const bar = progressBar('simulating', show);
    const r = await simulateWithProgress(compiled.container, inputs, { workers, energy: table, file, perLayer: true, ...bounds }, show ? (d, n) => bar.update(d, n) : undefined);
    bar.stop();
    const macs = paperMacs(compiled);
    const layers = layerEnergy(compiled.container, r, table);
    attachPredictions(layers, compiled.report?.dataflow);
    const s = summarise(r, resolveEnergyTable(table, compiled.container.chip), compiled.container.chip, file, source, macs, layers, compare);
    if (opts.html) writeAtomic(opts.html, renderHtmlReport(energyReportData(s, r, compiled.container)));
    const samples = opts.perInference || opts.out ? sampleResults(r, inputs.labels) : undefined;
    if (opts.out && samples) writeSamples(opts.out, samples);
    if (opts.json) process.stdout.write(`${JSON.stringify(energyJson(s, r, opts.perInference ? samples : undefined), null, 2)}\n`);
    else process.stdout.write(formatEnergy(s) + formatPredictions(r, inputs.labels !== undefined) + (opts.perInference && samples ? formatSamples(samples) : ''));
  });
}

/** The compiler's predicted energy and cycles of each layer's chosen alternative, beside the simulated energy. */
function attachPredictions(layers: LayerEnergy[], plan: DataflowPlan | undefined): void {
  if (!plan) return;
  for (const l of layers) {
    const c = plan.layers.find((x) => x.layer === l.layer);
    const a = c?.alternatives.find((x) => x.dataflow === c.dataflow && x.schedule === plan.schedule);
    if (a) l.predicted = { dataflow: a.dataflow, schedule: a.schedule, energyJ: a.energyPJ * 1e-12, cycles: a.cycles };
  }
}

function paperMacs(c: Awaited<ReturnType<typeof compiledFrom>>): { macs: number; exact: boolean } {
  return c.model ? { macs: modelMacs(c.model), exact: true } : { macs: binaryMacs(c.container), exact: false };
}

