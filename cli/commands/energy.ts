/**
 * `bwsnn energy FILE.(bwc|bwsnn|nir) (--data ... | --input X.npy) [--energy TABLE.json] [--json] [--html OUT.html]`:
 * energy per inference (mean and spread over the inputs) by component, by event (count x table
 * entry, with the entry's source), per core and per layer, and beside it the estimates people
 * quote in papers for the same network (synaptic operations x E_AC; MACs of an equal ANN x
 * E_MAC) and the energy per synaptic operation beside Loihi's and TrueNorth's published figures.
 */
import { defaultWorkers } from '../../simulator/simulate.js';
import type { Command } from '@commander-js/extra-typings';
import type { ChipConfig } from '../../isa/chip.js';
import { ENERGY_EVENTS } from '../../isa/table.js';
import { COMPONENTS } from '../../simulator/energy/breakdown.js';
import { defaultEnergyTable, energyTableFromText, resolveEnergyTable, type EnergyTable } from '../../simulator/energy/table.js';
import type { SimResult } from '../../simulator/simulate.js';
import { compiledFrom, dataOptions, intOption, loadSimInputs, nirOptions, simulateWithProgress, type DataCliOptions, type NirCliOptions } from '../pipeline.js';
import { checkOutputPath, readText, writeAtomic } from '../io.js';
import { renderHtmlReport, si } from '../report/html.js';
import { binaryMacs, energyReportData, layerEnergy, modelMacs, paperEstimates, type LayerEnergy, type PaperEstimates } from '../energy/analysis.js';
import { loadChip } from './compile.js';

interface EnergyOptions extends DataCliOptions, NirCliOptions {
  chip?: string;
  energy?: string;
  workers: string;
  json?: boolean;
  html?: string;
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
  byEvent: { event: string; countPerInference: number; unitEnergyJ: number; energyJ: number; source: string; derivation: string }[];
  leakage: { powerPerCoreW: number; cores: number; latencyS: number; energyJ: number; source: string };
  perCore: { core: number; busyCycles: number; energyJ: number }[];
  perLayer: LayerEnergy[];
  counts: SimResult['counts'];
  paper: PaperEstimates;
}

export function summarise(r: SimResult, table: EnergyTable, chip: ChipConfig, binary: string, data: string, macs: { macs: number; exact: boolean }, layers: LayerEnergy[]): EnergySummary {
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
    perInference: { mean: r.energy.total, std, min: Math.min(...e), max: Math.max(...e) },
    byComponent: Object.fromEntries(COMPONENTS.map((c) => [c, r.energy.byComponent[c]])),
    byEvent: ENERGY_EVENTS.map((ev) => ({
      event: ev,
      countPerInference: r.eventsPerInference[ev],
      unitEnergyJ: table.events[ev].energy,
      energyJ: r.energy.byEvent[ev],
      source: table.events[ev].source,
      derivation: table.events[ev].derivation,
    })),
    leakage: {
      powerPerCoreW: table.leakage.power,
      cores: chip.meshX * chip.meshY,
      latencyS: r.latency.mean,
      energyJ: r.energy.byComponent.leakage,
      source: `${table.leakage.source}; ${table.leakage.derivation}`,
    },
    perCore: r.cores.map((c) => ({ core: c.core, busyCycles: c.busy, energyJ: c.energy })),
    perLayer: layers,
    counts: r.counts,
    paper: paperEstimates(r, macs),
  };
}

export function formatEnergy(s: EnergySummary): string {
  const L: string[] = [];
  const pct = (x: number): string => (s.perInference.mean > 0 ? `${((100 * x) / s.perInference.mean).toFixed(1).padStart(5)}%` : '    -');
  L.push(`${s.binary}: model ${s.model} on chip ${s.chip}; ${s.inferences} inferences of ${s.data}; energy table "${s.table.name}"`);
  L.push(`energy per inference   mean ${si(s.perInference.mean, 'J', 4)}, std ${si(s.perInference.std, 'J', 3)}, min ${si(s.perInference.min, 'J', 4)}, max ${si(s.perInference.max, 'J', 4)}`);
  L.push(`counts per inference   ${s.counts.sops.toFixed(1)} synaptic operations, ${s.counts.spikes.toFixed(1)} spikes, ${s.counts.flits.toFixed(1)} flits, ${s.counts.hops.toFixed(1)} hops`);
  L.push('');
  L.push('by component (mean per inference)');
  for (const [c, v] of Object.entries(s.byComponent)) L.push(`  ${c.padEnd(16)} ${si(v, 'J', 4).padStart(12)} ${pct(v)}`);
  L.push('');
  L.push('by event: count per inference x energy per event = energy   [source of the energy per event]');
  for (const ev of s.byEvent) {
    if (ev.countPerInference === 0) continue;
    L.push(`  ${ev.event.padEnd(18)} ${ev.countPerInference.toFixed(2).padStart(12)} x ${si(ev.unitEnergyJ, 'J', 3).padStart(9)} = ${si(ev.energyJ, 'J', 4).padStart(11)} ${pct(ev.energyJ)}   [${ev.source}]`);
  }
  L.push(`  ${'leakage'.padEnd(18)} ${si(s.leakage.powerPerCoreW, 'W', 3)} x ${s.leakage.cores} cores x ${si(s.leakage.latencyS, 's', 4)} = ${si(s.leakage.energyJ, 'J', 4)} ${pct(s.leakage.energyJ)}   [${s.leakage.source}]`);
  L.push('');
  L.push('per layer (dynamic energy of the instructions that work on the layer\'s neurons, mean per inference)');
  for (const l of s.perLayer) L.push(`  ${l.layer.padEnd(24)} ${si(l.energyJ, 'J', 4).padStart(12)} ${pct(l.energyJ)}  cores ${l.cores.join(',')}`);
  L.push('');
  L.push('per core (mean per inference, dynamic + the core\'s leakage)');
  for (const c of s.perCore) L.push(`  core ${String(c.core).padStart(3)}  busy ${c.busyCycles.toFixed(1).padStart(10)} cycles  ${si(c.energyJ, 'J', 4).padStart(12)}`);
  L.push('');
  const p = s.paper;
  L.push('beside it: the estimates people quote in papers for the same network');
  L.push(`  SNN estimate  synaptic operations x E_AC = ${p.sops.toFixed(1)} x ${si(p.eAC, 'J', 2)} = ${si(p.snnEstimateJ, 'J', 4)}   [${p.eACSource}]`);
  L.push(`  ANN estimate  MACs of an equal ANN x E_MAC = ${p.macs.toLocaleString('en-US')} x ${si(p.eMAC, 'J', 2)} = ${si(p.annEstimateJ, 'J', 4)}${p.macsExact ? '' : ' (MACs counted from the binary\'s accumulate instructions, incl. word padding)'}   [${p.eMACSource}]`);
  L.push(`  BW-Core energy per synaptic operation: ${si(p.bwcorePerSop, 'J', 3)} (total / SOPs, leakage included); Loihi ${si(p.loihiPerSop, 'J', 3)} [${p.loihiSource}]; TrueNorth ${si(p.trueNorthPerSop, 'J', 3)} [${p.trueNorthSource}]`);
  return `${L.join('\n')}\n`;
}

export function register(program: Command): void {
  const cmd = program
    .command('energy')
    .description('energy per inference by component, event, core and layer, beside paper-style estimates and published chip figures')
    .argument('<file>', 'a core binary (.bwc) or a model (.bwsnn, .nir) compiled on the fly');
  dataOptions(cmd, '1000');
  nirOptions(cmd);
  cmd
    .option('--chip <file>', 'chip config for a model given as .bwsnn/.nir (JSON or preset name)')
    .option('--energy <table>', 'energy table (.json); default: the 45 nm preset')
    .option('--workers <n>', 'worker threads (default: the available parallelism)', String(defaultWorkers()))
    .option('--json', 'print JSON instead of text')
    .option('--html <file>', 'write a self-contained HTML report');
  cmd.action(async (file, rawOpts) => {
    const opts = rawOpts as unknown as EnergyOptions;
    const workers = intOption('workers', opts.workers, 1, 256) as number;
    if (opts.html) checkOutputPath(opts.html);
    const table = opts.energy === undefined ? defaultEnergyTable() : energyTableFromText(readText(opts.energy), opts.energy);
    const compiled = await compiledFrom(file, loadChip(opts.chip), opts);
    const { inputs, source } = loadSimInputs(opts, compiled.container.meta, file);
    const r = await simulateWithProgress(compiled.container, inputs, { workers, energy: table, file, perLayer: true });
    const macs = paperMacs(compiled);
    const layers = layerEnergy(compiled.container, r, table);
    const s = summarise(r, resolveEnergyTable(table, compiled.container.chip), compiled.container.chip, file, source, macs, layers);
    if (opts.html) writeAtomic(opts.html, renderHtmlReport(energyReportData(s, r, compiled.container)));
    process.stdout.write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : formatEnergy(s));
  });
}

function paperMacs(c: Awaited<ReturnType<typeof compiledFrom>>): { macs: number; exact: boolean } {
  return c.model ? { macs: modelMacs(c.model), exact: true } : { macs: binaryMacs(c.container), exact: false };
}

