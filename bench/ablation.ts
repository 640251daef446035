/**
 * The SEI ablation (run by hand, not in the test suite): for each zoo architecture, train on the
 * same budget (epochs, training samples, seed) four variants: baseline (no shortcuts, no KD),
 * + multiple shortcuts, + KD, + both; report the float and the integer-reference test accuracy.
 *
 *   npm run build && node dist/bench/ablation.js [--arch mnist-mlp,fashion-conv] [--epochs N]
 *       [--teacher-epochs N] [--train-limit N] [--test-limit N] [--seed S] [--out results.json]
 */
import { loadDataset } from '../models/data/index.js';
import { integerAccuracy } from '../models/train/evaluate.js';
import { DEFAULT_OPTIONS, trainModel, type TrainData, type TrainOptions } from '../models/train/trainer.js';
import { writeAtomic } from '../base/io.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}

function subset(d: TrainData, n: number): TrainData {
  if (n <= 0 || n >= d.count) return d;
  const size = d.inputs.length / d.count;
  return { name: `${d.name}[0:${n}]`, count: n, inputs: d.inputs.subarray(0, n * size), labels: d.labels.subarray(0, n) };
}

const archs = arg('arch', 'mnist-mlp,fashion-conv').split(',');
const epochs = Number(arg('epochs', '3'));
const teacherEpochs = Number(arg('teacher-epochs', '2'));
const trainLimit = Number(arg('train-limit', '0'));
const testLimit = Number(arg('test-limit', '0'));
const seed = Number(arg('seed', '1'));
const outPath = arg('out', '');

const variants: { name: string; shortcuts: boolean; kd: boolean }[] = [
  { name: 'baseline', shortcuts: false, kd: false },
  { name: '+ multiple shortcuts', shortcuts: true, kd: false },
  { name: '+ KD', shortcuts: false, kd: true },
  { name: '+ shortcuts + KD (SEI)', shortcuts: true, kd: true },
];

interface Row {
  arch: string;
  variant: string;
  floatAcc: number;
  intAcc: number;
  teacherAcc: number | null;
  seconds: number;
  trainSamples: number;
  testSamples: number;
}
const rows: Row[] = [];
for (const arch of archs) {
  const ds = arch === 'mnist-mlp' ? 'mnist' : 'fashion-mnist';
  const train = loadDataset(ds, 'train');
  const test = subset(loadDataset(ds, 'test'), testLimit);
  for (const v of variants) {
    const o: TrainOptions = {
      ...DEFAULT_OPTIONS,
      arch,
      epochs,
      teacherEpochs,
      seed,
      trainLimit,
      shortcuts: v.shortcuts,
      kdAlpha: v.kd ? DEFAULT_OPTIONS.kdAlpha : 0,
    };
    const r = trainModel(o, train, test, (l) =>
      process.stderr.write(`${arch} ${v.name}: ${l.phase} epoch ${l.epoch} loss ${l.loss.toFixed(4)} test ${(100 * l.testAcc).toFixed(2)}% ${l.seconds.toFixed(0)} s\n`),
    );
    const ie = integerAccuracy(r.graph, r.net, test);
    const row: Row = {
      arch,
      variant: v.name,
      floatAcc: r.floatTestAcc,
      intAcc: ie.accuracy,
      teacherAcc: r.teacherTestAcc,
      seconds: r.seconds,
      trainSamples: Number(r.graph.meta?.trainSamples ?? train.count),
      testSamples: test.count,
    };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
}
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const lines = [
  `Budget: ${epochs} student epochs, ${teacherEpochs} teacher epochs (KD variants), seed ${seed}, train limit ${trainLimit || 'all'}, test limit ${testLimit || 'all'}`,
  '',
  '| architecture | variant | float test acc | integer reference test acc | teacher (ANN) | train samples | test samples | time (s) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.arch} | ${r.variant} | ${pct(r.floatAcc)} | ${pct(r.intAcc)} | ${r.teacherAcc === null ? '-' : pct(r.teacherAcc)} | ${r.trainSamples} | ${r.testSamples} | ${r.seconds.toFixed(0)} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (outPath) writeAtomic(outPath, `${JSON.stringify(rows, null, 2)}\n`);
