/**
 * `bwsnn demo [MODEL] [--limit N] [--workers N] [--chip CHIP] [--html OUT.html]`: the main job in
 * one command. Compiles a zoo model (default mnist-mlp) for the chip, simulates it cycle by cycle
 * over its test split with a progress bar, checks every readout against the integer reference
 * executor, and prints accuracy, agreement, cycles and latency per inference, and energy per
 * inference with its breakdown.
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compileModel } from '../../compiler/index.js';
import { BwsnnError } from '../../isa/errors.js';
import { DATASETS, type DatasetName } from '../../models/data/index.js';
import { foldForChip } from '../../compiler/fold-for-chip.js';
import { runReference } from '../../models/int-exec.js';
import { COMPONENTS } from '../../simulator/energy/breakdown.js';
import { defaultEnergyTable } from '../../simulator/energy/table.js';
import { checkOutputPath, writeAtomic } from '../io.js';
import { runReportData } from '../energy/analysis.js';
import { DEFAULT_WORKERS, intOption, nirOptions, type NirCliOptions, loadGraphAny, loadSimInputs, resolveModelPath, simulateWithProgress } from '../pipeline.js';
import { renderHtmlReport, si } from '../report/html.js';
import { loadChip } from './compile.js';
import { progressBar } from '../progress.js';
import { chipDisplayName } from '../../isa/presets.js';
import { checkSamplesPath, flatResult, sampleResults, schemaHeader, writeSamples } from '../results.js';
import { formatLayers, formatSamples } from '../text.js';
import { boundsFrom, MAX_CYCLES_HELP, MAX_MEMORY_HELP } from '../bounds.js';

/** The data set of a model: from its card beside it, else from its metadata, else by input encoding. */
function datasetOf(modelPath: string, meta: Record<string, unknown> | undefined): DatasetName {
  const card = modelPath.replace(/\.bwsnn$/, '.json');
  if (existsSync(card)) {
    try {
      const c = JSON.parse(readFileSync(card, 'utf8')) as { dataset?: string };
      if (c.dataset && (DATASETS as readonly string[]).includes(c.dataset)) return c.dataset as DatasetName;
    } catch {
      /* fall through */
    }
  }
  const d = meta?.dataset;
  if (typeof d === 'string' && (DATASETS as readonly string[]).includes(d)) return d as DatasetName;
  return /fashion/i.test(basename(modelPath)) ? 'fashion-mnist' : 'mnist';
}

export function register(program: Command): void {
  nirOptions(program.command('demo'))
    .description('the main job: compile a zoo model, simulate it over its test split, print accuracy, agreement with the reference, cycles, latency and energy')
    .argument('[model]', 'a zoo model name (mnist-mlp, fashion-conv) or a .bwsnn file', 'mnist-mlp')
    .option('--limit <n>', 'simulate at most the first N test samples')
    .addOption(new Option('--workers <n>', 'worker threads').default(DEFAULT_WORKERS, 'the available parallelism'))
    .option('--chip <file>', 'chip config (JSON or preset name)')
    .option('--data <name>', `data set (default: the model's own, from its card: ${DATASETS.join(' or ')})`)
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--no-progress', 'no progress bars')
    .option('--json', 'print JSON instead of text (docs/schemas/demo.schema.json)')
    .option('--per-inference', 'per-input results (index, prediction, label, correct, readout, cycles, energy): a "samples" array in --json, a table in text')
    .option('--out <file>', 'write the per-input results for other tools: .csv, .jsonl or .npy')
    .option('--max-cycles <n>', MAX_CYCLES_HELP)
    .option('--max-memory <bytes>', MAX_MEMORY_HELP)
    .action(async (modelArg, o) => {
      const workers = intOption('workers', o.workers, 1, 256) as number;
      const bounds = boundsFrom(o);
      if (o.html) checkOutputPath(o.html);
      if (o.out) {
        checkSamplesPath(o.out);
        checkOutputPath(o.out);
      }
      const file = resolveModelPath(modelArg);
      const chip = loadChip(o.chip);
      const graph = await loadGraphAny(file, o as unknown as NirCliOptions);
      const data = (o.data as DatasetName | undefined) ?? datasetOf(file, graph.meta);
      const t0 = performance.now();
      const model = foldForChip(graph, chip, file);
      const { container, report } = compileModel(model, chip, { file });
      const compileMs = performance.now() - t0;
      const { inputs, source } = loadSimInputs({ data, split: 'test', limit: o.limit, inputCheck: false }, container.meta, file);
      const show = o.progress && !o.json && process.stderr.isTTY === true;
      if (!o.json) process.stderr.write(`compiled ${file} onto ${chipDisplayName(chip)} in ${compileMs.toFixed(0)} ms: ${container.cores.length} cores; simulating ${inputs.count} inferences of ${source} on ${workers} worker(s)\n`);
      const simBar = progressBar('simulating', show);
      const t1 = performance.now();
      const r = await simulateWithProgress(container, inputs, { workers, energy: defaultEnergyTable(), file, perLayer: true, ...bounds }, show ? (d, n) => simBar.update(d, n) : undefined);
      simBar.stop();
      const simSeconds = (performance.now() - t1) / 1000;
      // Every readout against the integer reference executor (the golden model), bit for bit.
      const refBar = progressBar('reference executor', show);
      let lastRef = performance.now();
      const size = container.meta.inputShape.reduce((a, b) => a * b, 1);
      let samePred = 0;
      let sameReadout = 0;
      for (let i = 0; i < inputs.count; i++) {
        const ref = runReference(model, Float32Array.from(inputs.data.subarray(i * size, (i + 1) * size)));
        const sim = r.inferences[i]!;
        if (ref.prediction === sim.prediction) samePred++;
        if (ref.readout.length === sim.readout.length && ref.readout.every((v, k) => v === sim.readout[k])) sameReadout++;
        if (show && (performance.now() - lastRef > 250 || i === inputs.count - 1)) {
          refBar.update(i + 1, inputs.count);
          lastRef = performance.now();
        }
      }
      refBar.stop();
      const L: string[] = [];
      L.push(`${graph.name} (${basename(file)}), T = ${graph.timesteps}, on ${chipDisplayName(chip)} (${chip.meshX}x${chip.meshY} cores, ${chip.lanes} lanes x ${chip.laneBits} bits, ${si(chip.clockHz, 'Hz')}), ${container.cores.length} cores used`);
      L.push(`data               ${source}, ${r.count} inferences (simulated in ${simSeconds.toFixed(1)} s, ${(r.count / simSeconds).toFixed(0)} inferences/s)`);
      if (r.accuracy !== undefined) L.push(`accuracy           ${(100 * r.accuracy).toFixed(2)}% (${r.correct}/${r.count})`);
      L.push(`reference          ${samePred}/${r.count} predictions and ${sameReadout}/${r.count} readouts bit-identical to the integer reference executor`);
      L.push(`cycles             ${r.cycles.mean.toFixed(1)} per inference (min ${r.cycles.min}, max ${r.cycles.max}); per time step ${r.stepCycles.map((c) => c.toFixed(0)).join(', ')}`);
      L.push(`latency            ${si(r.latency.mean, 's', 4)} per inference at ${si(chip.clockHz, 'Hz')}`);
      L.push(`energy             ${si(r.energy.total, 'J', 4)} per inference (min ${si(r.energyStat.min, 'J', 4)}, max ${si(r.energyStat.max, 'J', 4)}), table ${r.energyTable}`);
      for (const c of COMPONENTS) {
        const e = r.energy.byComponent[c];
        L.push(`  ${c.padEnd(17)}${si(e, 'J', 4).padStart(12)}  ${((100 * e) / r.energy.total).toFixed(1).padStart(5)}%`);
      }
      L.push(`counts             ${r.counts.sops.toFixed(0)} synaptic ops, ${r.counts.spikes.toFixed(0)} spikes, ${r.counts.flits.toFixed(0)} flits, ${r.counts.hops.toFixed(0)} hops per inference`);
      L.push(`compile            ${report.coresUsed} of ${report.coresTotal} cores, ${report.phases} phases per time step, ideal bound ${report.idealCyclesPerStep.toFixed(1)} cycles per step (bwsnn compile --report; energy details: bwsnn energy)`);
      L.push(...formatLayers(r));
      const samples = o.perInference || o.out ? sampleResults(r, inputs.labels) : undefined;
      if (o.out && samples) writeSamples(o.out, samples);
      if (o.json) {
        const doc = {
          ...schemaHeader('demo'),
          model: graph.name,
          file,
          chip: chipDisplayName(chip),
          data: source,
          ...flatResult(r),
          correct: r.correct ?? null,
          reference: { samePredictions: samePred, sameReadouts: sameReadout },
          compile: { coresUsed: report.coresUsed, coresTotal: report.coresTotal, phasesPerStep: report.phases, idealCyclesPerStep: report.idealCyclesPerStep, compileSeconds: compileMs / 1000 },
          simulationSeconds: simSeconds,
          ...(o.perInference && samples ? { samples } : {}),
        };
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      } else process.stdout.write(`${L.join('\n')}\n${o.perInference && samples ? formatSamples(samples) : ''}`);
      if (o.html) {
        const d = runReportData(`bwsnn demo: ${graph.name}`, [`${basename(file)} on ${chip.name}`, `${r.count} inferences of ${source}`], [
          { label: 'accuracy', value: r.accuracy === undefined ? '-' : `${(100 * r.accuracy).toFixed(2)}%` },
          { label: 'readouts bit-identical to the reference', value: `${sameReadout}/${r.count}` },
          { label: 'cycles per inference', value: r.cycles.mean.toFixed(1) },
          { label: 'latency per inference', value: si(r.latency.mean, 's', 4) },
          { label: 'energy per inference', value: si(r.energy.total, 'J', 4) },
        ], r, container);
        writeAtomic(o.html, renderHtmlReport(d));
      }
      if (sameReadout !== r.count) process.exitCode = 3;
    });
}
