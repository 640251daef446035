/**
 * `bwsnn train`: train a BWSNN with the SEI recipe on an installed data set and save it as .bwsnn
 * (atomically, only at the end), with an optional JSON card measured through the integer reference.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { basename } from 'node:path';
import { cpus } from 'node:os';
import { BwsnnError } from '../../isa/errors.js';
import { loadDataset, type Dataset } from '../../models/data/index.js';
import { saveModel } from '../../models/format.js';
import { ARCHS } from '../../models/train/archs.js';
import { cardRecipe, type ModelCard } from '../../models/train/card.js';
import { integerAccuracy } from '../../models/train/evaluate.js';
import { DEFAULT_OPTIONS, trainModel, validateOptions, type EpochLog, type TrainOptions } from '../../models/train/trainer.js';
import { checkOutputPath, writeAtomic } from '../io.js';
import { progressBar, progressWanted } from '../progress.js';

function num(name: string): (v: string) => number {
  return (v: string) => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new BwsnnError(`train: --${name} expects a number, got '${v}'`);
    return x;
  };
}

function subset(d: Dataset, n: number): Dataset {
  if (n <= 0 || n >= d.count) return d;
  const size = d.inputs.length / d.count;
  return { ...d, count: n, inputs: d.inputs.subarray(0, n * size), labels: d.labels.subarray(0, n) };
}

export function register(program: Command): void {
  const d = DEFAULT_OPTIONS;
  program
    .command('train')
    .description('train a binary-weight SNN with the SEI recipe (BPTT, shortcuts, knowledge distillation) and save it as .bwsnn')
    .addOption(new Option('--arch <name>', `architecture: ${Object.keys(ARCHS).join(', ')}`).makeOptionMandatory())
    .option('-o, --output <file>', 'output model (.bwsnn), written atomically at the end (required)')
    .addOption(new Option('--out <file>', 'old spelling of --output').hideHelp())
    .option('--card <file>', 'also write a JSON model card (accuracy of the float model and of the integer reference)')
    .option('--epochs <n>', 'student epochs', num('epochs'), d.epochs)
    .option('--teacher-epochs <n>', 'ANN teacher epochs (with --kd-alpha > 0)', num('teacher-epochs'), d.teacherEpochs)
    .option('--batch <n>', 'batch size', num('batch'), d.batch)
    .option('--lr <x>', 'Adam learning rate (cosine decay to 0)', num('lr'), d.lr)
    .option('-T, --timesteps <n>', 'time steps (0 = the architecture default)', num('timesteps'), d.timesteps)
    .option('--no-shortcuts', 'no shortcut around the binary layers (ablation baseline)')
    .option('--kd-alpha <x>', 'knowledge-distillation weight lambda in [0,1] (0 = no teacher)', num('kd-alpha'), d.kdAlpha)
    .option('--kd-temp <x>', 'distillation temperature tau', num('kd-temp'), d.kdTemp)
    .option('--slope <x>', 'surrogate-gradient slope k (sigmoid derivative)', num('slope'), d.slope)
    .option('--seed <n>', 'PRNG seed (identical runs give identical models)', num('seed'), d.seed)
    .option('--train-limit <n>', 'train on the first N samples of a seeded shuffle (0 = all)', num('train-limit'), d.trainLimit)
    .option('--test-limit <n>', 'evaluate on the first N test samples (0 = all)', num('test-limit'), 0)
    .option('--quiet', 'no per-epoch lines')
    .action((raw) => {
      const out = raw.output ?? raw.out;
      if (out === undefined) throw new BwsnnError("train: required option '-o, --output <file>' not specified", 2);
      if (raw.output !== undefined && raw.out !== undefined && raw.output !== raw.out) throw new BwsnnError('train: give --output once (--out is its old spelling)', 2);
      const o = { ...raw, out };
      const opts: TrainOptions = {
        arch: o.arch,
        epochs: o.epochs,
        teacherEpochs: o.teacherEpochs,
        batch: o.batch,
        lr: o.lr,
        timesteps: o.timesteps,
        shortcuts: o.shortcuts,
        kdAlpha: o.kdAlpha,
        kdTemp: o.kdTemp,
        slope: o.slope,
        seed: o.seed,
        trainLimit: o.trainLimit,
      };
      const arch = validateOptions(opts);
      checkOutputPath(o.out);
      if (o.card) checkOutputPath(o.card);
      const load = (split: 'train' | 'test') => {
        try {
          return loadDataset(arch.dataset, split);
        } catch (e) {
          if (e instanceof BwsnnError) throw e;
          throw new BwsnnError(`train: data set ${arch.dataset} (${split}) is not available: ${(e as Error).message}`);
        }
      };
      if (!Number.isInteger(o.testLimit) || o.testLimit < 0) throw new BwsnnError(`train: --test-limit must be an integer >= 0, got ${o.testLimit}`);
      const train = load('train');
      const test = subset(load('test'), o.testLimit);
      const show = progressWanted({});
      const bars = { teacher: progressBar('training teacher', show, 'batches'), student: progressBar('training student', show, 'batches') };
      let lastDraw = 0;
      const onStep = (phase: 'teacher' | 'student', step: number, total: number): void => {
        if (!show) return;
        const now = performance.now();
        if (step === total || now - lastDraw > 250) {
          bars[phase].update(step, total);
          lastDraw = now;
        }
        if (step === total) bars[phase].stop();
      };
      const log = (l: EpochLog) => {
        if (o.quiet) return;
        if (show) process.stderr.write('\r\x1b[K');
        process.stderr.write(
          `${l.phase} epoch ${l.epoch}: loss ${l.loss.toFixed(4)} train acc ${(100 * l.trainAcc).toFixed(2)}% test acc ${(100 * l.testAcc).toFixed(2)}% (${l.seconds.toFixed(1)} s)\n`,
        );
      };
      const r = trainModel(opts, train, test, log, undefined, onStep);
      bars.teacher.stop();
      bars.student.stop();
      let intAcc: number | null = null;
      let disagree: number | null = null;
      if (o.card) {
        const m = integerAccuracy(r.graph, r.net, test);
        intAcc = m.accuracy;
        disagree = m.disagreements;
        r.graph.meta = { ...r.graph.meta, integerReferenceTestAccuracy: intAcc };
      }
      saveModel(o.out, r.graph);
      process.stdout.write(
        `${o.out}: ${arch.name}, T=${r.options.timesteps}, float test accuracy ${(100 * r.floatTestAcc).toFixed(2)}%` +
          (intAcc === null ? '' : `, integer reference ${(100 * intAcc).toFixed(2)}%`) +
          ` (${opts.trainLimit ? Math.min(opts.trainLimit, train.count) : train.count} train / ${test.count} test, ${r.seconds.toFixed(0)} s)\n`,
      );
      if (o.card) {
        const card: ModelCard = {
          name: arch.name,
          dataset: arch.dataset,
          split: {
            train: `loadDataset('${arch.dataset}', 'train'): ${train.count} samples${opts.trainLimit ? ` (first ${r.graph.meta?.trainSamples} of a seeded shuffle)` : ''}`,
            test: `loadDataset('${arch.dataset}', 'test'): ${o.testLimit ? `the first ${test.count}` : test.count} samples`,
          },
          architecture: arch.description,
          stages: arch.stages,
          timesteps: r.options.timesteps,
          inputEncoding: arch.encoding,
          recipe: cardRecipe(r.options),
          accuracy: { floatTest: r.floatTestAcc, integerReferenceTest: intAcc, floatIntDisagreements: disagree, teacherTest: r.teacherTestAcc },
          trainingCommand:
            `bwsnn train --arch ${opts.arch} --epochs ${opts.epochs} --teacher-epochs ${opts.teacherEpochs} --batch ${opts.batch}` +
            ` --lr ${opts.lr} -T ${r.options.timesteps}${opts.shortcuts ? '' : ' --no-shortcuts'} --kd-alpha ${opts.kdAlpha}` +
            ` --kd-temp ${opts.kdTemp} --slope ${opts.slope} --seed ${opts.seed} --train-limit ${opts.trainLimit}` +
            `${o.testLimit ? ` --test-limit ${o.testLimit}` : ''} --output ${o.out} --card ${o.card}`,
          trainingSeconds: Math.round(r.seconds),
          machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, shared with other jobs`,
          history: r.history,
        };
        writeAtomic(o.card, `${JSON.stringify(card, null, 2)}\n`);
        process.stdout.write(`${o.card}: card written (${basename(o.out)})\n`);
      }
    });
}
