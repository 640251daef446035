/**
 * `bwsnn eval MODEL.bwsnn (--data mnist|fashion-mnist [--split test] | --input X.npy [--labels Y.npy])
 *  [--limit N] [--chip NAME|FILE] [--membrane-bits B] [--threshold-bits B] [--bias-bits B]
 *  [--no-input-check] [--json]`:
 * folds the model (for the chip's widths, or the given ones), runs the float executor and the
 * integer reference on every sample, and prints float accuracy, integer-reference accuracy, their
 * prediction agreement, spike agreement, where they first differ (sample, step, layer), the
 * fixed-point format (F) chosen per layer and what the fold lowered or rounded. Inputs outside the
 * model's recorded range and a data set other than its recorded one are refused (warned with
 * --no-input-check).
 */
import type { Command } from '@commander-js/extra-typings';
import { measureAgreement } from '../../models/agreement.js';
import { type DatasetName, DATASETS, loadDataset, type Split } from '../../models/data/index.js';
import { checkInputs, checkLabels, classCount, encodeDataset, type ModelInputs } from '../../models/data/inputs.js';
import { readNpy } from '../../models/data/npy.js';
import { foldGraphWithReport, formatFoldReport } from '../../models/fold.js';
import { datasetMismatch, rangeViolation } from '../../models/input-check.js';
import { BwsnnError } from '../../isa/errors.js';
import { CHIP_PRESETS } from '../../isa/presets.js';
import { loadChip } from './compile.js';
import { loadGraphAny, nirOptions, type NirCliOptions } from '../pipeline.js';
import { checkOutputPath, readInput, writeAtomic } from '../io.js';
import { progressBar, progressWanted } from '../progress.js';
import { checkSamplesPath, schemaHeader } from '../results.js';
import { writeNpy } from '../../models/data/npy.js';

/** One sample of `eval --per-inference`: the integer reference's prediction (what the chip computes) and the float model's. */
interface EvalSample {
  index: number;
  prediction: number;
  floatPrediction: number;
  label: number | null;
  correct: boolean | null;
  readout: number[];
}

/** .csv / .jsonl / .npy (float64 [N, 5 + C]: index, prediction, float_prediction, label, correct, readout...; -1 = no label). */
function writeEvalSamples(path: string, rows: EvalSample[]): void {
  const C = rows[0]?.readout.length ?? 0;
  const cols = ['index', 'prediction', 'float_prediction', 'label', 'correct', ...Array.from({ length: C }, (_, k) => `readout_${k}`)];
  const vals = (r: EvalSample): (number | string)[] => [r.index, r.prediction, r.floatPrediction, r.label ?? '', r.correct === null ? '' : r.correct ? 1 : 0, ...r.readout];
  if (/\.jsonl$/i.test(path)) writeAtomic(path, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
  else if (/\.csv$/i.test(path)) writeAtomic(path, `${[cols.join(','), ...rows.map((r) => vals(r).join(','))].join('\n')}\n`);
  else {
    const data = new Float64Array(rows.length * cols.length);
    rows.forEach((r, i) => data.set(vals(r).map((v) => (v === '' ? -1 : Number(v))), i * cols.length));
    writeAtomic(path, writeNpy({ dtype: 'f8', shape: [rows.length, cols.length], data }));
  }
}

function pct(x: number | undefined): string {
  return x === undefined ? '-' : `${(100 * x).toFixed(2)}%`;
}

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .description('float vs integer-reference accuracy and prediction agreement of a model over a data set or .npy inputs')
    .argument('<model>', 'model (.bwsnn, or .nir imported with the NIR options)')
    .option('--data <name>', `built-in data set (${DATASETS.join(', ')})`)
    .option('--split <split>', 'data set split: train or test', 'test')
    .option('--input <file>', 'inputs (.npy): [N, ...inputShape] or [N, T, ...inputShape]')
    .option('--labels <file>', 'labels (.npy): [N] integers')
    .option('--limit <n>', 'evaluate at most the first N samples')
    .option('--chip <name>', `fold for this chip's widths: a preset (${Object.keys(CHIP_PRESETS).join(', ')}) or a chip config JSON`)
    .option('--membrane-bits <bits>', 'membrane width to fold for (default: the chip\'s, 16)')
    .option('--threshold-bits <bits>', 'threshold/gain width to fold for (default: the chip\'s, 16)')
    .option('--bias-bits <bits>', 'bias width to fold for (default: the chip\'s, 16)')
    .option('--no-input-check', 'warn instead of refusing inputs outside the model\'s recorded range or a data set other than its recorded one')
    .option('--headroom <mode>', 'layers whose F keeps worst-case membrane headroom: readout, all, none', 'readout')
    .option('--json', 'print JSON instead of text (docs/schemas/eval.schema.json)')
    .option('--per-inference', 'per-input results (index, prediction of the integer reference and of the float model, label, correct, readout): a "samples" array in --json, a table in text')
    .option('--out <file>', 'write the per-input results for other tools: .csv, .jsonl or .npy');
  nirOptions(cmd);
  cmd.action(async (modelPath, opts) => {
    const usage = (msg: string): never => cmd.error(`error: ${msg}`, { exitCode: 2 });
    if ((opts.data === undefined) === (opts.input === undefined)) usage('give exactly one of --data or --input');
    if (opts.labels !== undefined && opts.input === undefined) usage('--labels goes with --input');
    const intOpt = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) usage(`--${name} must be an integer ${min}..${max}, got ${JSON.stringify(v)}`);
      return Number(v);
    };
    const limit = intOpt('limit', opts.limit, 1, 1e9);
    const chip = loadChip(opts.chip);
    const widths = {
      membraneBits: intOpt('membrane-bits', opts.membraneBits, 4, 32) ?? chip.membraneBits,
      thresholdBits: intOpt('threshold-bits', opts.thresholdBits, 4, 32) ?? chip.thresholdBits,
      biasBits: intOpt('bias-bits', opts.biasBits, 4, 32) ?? chip.biasBits,
      headroom: opts.headroom as 'readout' | 'all' | 'none',
    };
    if (!['readout', 'all', 'none'].includes(opts.headroom)) usage(`--headroom must be readout, all or none, got ${JSON.stringify(opts.headroom)}`);
    if (opts.data !== undefined && !(DATASETS as readonly string[]).includes(opts.data)) usage(`--data must be one of ${DATASETS.join(', ')}, got ${JSON.stringify(opts.data)}`);
    if (opts.split !== 'train' && opts.split !== 'test') usage(`--split must be train or test, got ${JSON.stringify(opts.split)}`);
    if (opts.out) {
      checkSamplesPath(opts.out);
      checkOutputPath(opts.out);
    }
    const g = await loadGraphAny(modelPath, opts as unknown as NirCliOptions);
    const { model: m, report: fold } = foldGraphWithReport(g, widths, modelPath);
    const check = (msg: string | undefined): void => {
      if (msg === undefined) return;
      if (opts.inputCheck) throw new BwsnnError(`${msg} (--no-input-check evaluates anyway)`);
      process.stderr.write(`warning: ${msg}\n`);
    };
    let inputs: ModelInputs;
    let labels: Uint8Array | undefined;
    let source: string;
    if (opts.data !== undefined) {
      check(datasetMismatch(g, opts.data));
      const ds = loadDataset(opts.data as DatasetName, opts.split as Split);
      inputs = encodeDataset(ds, g);
      labels = ds.labels;
      source = `${ds.name} ${opts.split}`;
    } else {
      const file = opts.input!;
      inputs = checkInputs(readNpy(readInput(file), file), g, file);
      check(rangeViolation(g, inputs.data, inputs.perStep, file));
      if (opts.labels !== undefined) labels = checkLabels(readNpy(readInput(opts.labels), opts.labels), inputs.count, classCount(g), opts.labels);
      source = file;
    }
    const t0 = performance.now();
    const want = opts.perInference || opts.out !== undefined;
    const rows: EvalSample[] = [];
    const show = progressWanted(opts);
    const bar = progressBar('evaluating', show, 'samples');
    let last = 0;
    const r = measureAgreement(g, m, inputs, labels, limit, (k, f, i, n) => {
      if (want) {
        const label = labels === undefined ? null : (labels[k] as number);
        rows.push({ index: k, prediction: i.prediction, floatPrediction: f.prediction, label, correct: label === null ? null : label === i.prediction, readout: Array.from(i.readout) });
      }
      if (show && (performance.now() - last > 250 || k === n - 1)) {
        bar.update(k + 1, n);
        last = performance.now();
      }
    });
    bar.stop();
    const seconds = (performance.now() - t0) / 1000;
    if (opts.out) writeEvalSamples(opts.out, rows);
    if (opts.json) {
      const doc = { ...schemaHeader('eval'), model: modelPath, data: source, inferences: r.count, accuracy: r.intAccuracy ?? null, predictionsAgreement: r.agreement, widths: { membraneBits: widths.membraneBits, thresholdBits: widths.thresholdBits, biasBits: widths.biasBits }, ...r, fold, seconds, ...(opts.perInference ? { samples: rows } : {}) };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      return;
    }
    const lines = [
      `model ${g.name} (${modelPath}), T=${g.timesteps}, on ${source}: ${r.count} samples in ${seconds.toFixed(2)} s`,
      `float accuracy          ${pct(r.floatAccuracy)}${r.floatCorrect !== undefined ? ` (${r.floatCorrect}/${r.count})` : ''}`,
      `integer accuracy        ${pct(r.intAccuracy)}${r.intCorrect !== undefined ? ` (${r.intCorrect}/${r.count})` : ''}`,
      `prediction agreement    ${pct(r.agreement)} (${r.agree}/${r.count})`,
      `spike agreement         ${(100 * r.spikeAgreement).toFixed(4)}%`,
      `first difference        ${r.firstDifference ? `sample ${r.firstDifference.sample}, step ${r.firstDifference.step}, layer ${r.firstDifference.layer} (neuron ${r.firstDifference.neuron})` : 'none: float and integer agree on every spike'}`,
      `fixed point per layer   ${r.layers.map((l) => `${l.name}:F=${l.fracBits}`).join(' ')} (widths ${widths.membraneBits}/${widths.thresholdBits}/${widths.biasBits})`,
      ...formatFoldReport(fold),
    ];
    if (opts.perInference) {
      lines.push('index  prediction  float  label  correct  readout');
      for (const s of rows) lines.push(`${String(s.index).padStart(5)}  ${String(s.prediction).padStart(10)}  ${String(s.floatPrediction).padStart(5)}  ${String(s.label ?? '-').padStart(5)}  ${(s.correct === null ? '-' : s.correct ? 'yes' : 'no').padStart(7)}  ${s.readout.join(' ')}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
