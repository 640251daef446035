/**
 * The SEI trainer: BPTT over T steps, binary weights with a clipped STE, BatchNorm, IF neurons
 * with a sigmoid-derivative surrogate, identity shortcuts around every same-shape binary layer,
 * knowledge distillation from a full-precision ANN teacher of the same shape, Adam with a cosine
 * schedule, and a seeded PRNG (identical options give identical models).
 */
import { BwsnnError } from '../../base/errors.js';
import type { Graph } from '../graph.js';
import { ARCHS, type ArchSpec } from './archs.js';
import { argmaxRow, kdLoss } from './loss.js';
import { Net } from './net.js';
import { Adam, cosineLr } from './optim.js';
import { Rng } from './rng.js';

/** The part of models/data's Dataset that training reads. */
export interface TrainData {
  name: string;
  count: number;
  inputs: Float32Array;
  labels: Uint8Array;
}

export interface TrainOptions {
  arch: string;
  epochs: number;
  batch: number;
  lr: number;
  timesteps: number;
  shortcuts: boolean;
  /** KD weight lambda in [0, 1]; 0 disables the teacher. */
  kdAlpha: number;
  kdTemp: number;
  teacherEpochs: number;
  seed: number;
  /** Use only the first N training samples (after a seeded shuffle); 0 = all. */
  trainLimit: number;
  slope: number;
}

export const DEFAULT_OPTIONS: Omit<TrainOptions, 'arch'> = {
  epochs: 10,
  batch: 64,
  lr: 2e-3,
  timesteps: 0,
  shortcuts: true,
  kdAlpha: 0.5,
  kdTemp: 4,
  teacherEpochs: 5,
  seed: 1,
  trainLimit: 0,
  slope: 4,
};

export interface EpochLog {
  epoch: number;
  phase: 'teacher' | 'student';
  loss: number;
  trainAcc: number;
  testAcc: number;
  seconds: number;
}

export interface TrainResult {
  graph: Graph;
  net: Net;
  history: EpochLog[];
  floatTestAcc: number;
  teacherTestAcc: number | null;
  seconds: number;
  options: TrainOptions;
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new BwsnnError(`train: ${what}`);
}

/** Check every option; throws BwsnnError naming the option. Returns the arch. */
export function validateOptions(o: TrainOptions, custom?: ArchSpec): ArchSpec {
  const arch = custom ?? ARCHS[o.arch];
  if (!arch) throw new BwsnnError(`train: unknown architecture '${o.arch}' (known: ${Object.keys(ARCHS).join(', ')})`);
  const int = (v: number, lo: number, hi: number, name: string) =>
    check(Number.isInteger(v) && v >= lo && v <= hi, `--${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  int(o.epochs, 1, 1000, 'epochs');
  int(o.batch, 1, 4096, 'batch');
  int(o.timesteps, 0, 16, 'timesteps');
  int(o.teacherEpochs, 0, 1000, 'teacher-epochs');
  int(o.seed, 0, 2 ** 32 - 1, 'seed');
  int(o.trainLimit, 0, 10_000_000, 'train-limit');
  check(Number.isFinite(o.lr) && o.lr > 0 && o.lr <= 1, `--lr must be in (0, 1], got ${o.lr}`);
  check(Number.isFinite(o.kdAlpha) && o.kdAlpha >= 0 && o.kdAlpha <= 1, `--kd-alpha must be in [0, 1], got ${o.kdAlpha}`);
  check(Number.isFinite(o.kdTemp) && o.kdTemp > 0 && o.kdTemp <= 100, `--kd-temp must be in (0, 100], got ${o.kdTemp}`);
  check(Number.isFinite(o.slope) && o.slope > 0 && o.slope <= 100, `--slope must be in (0, 100], got ${o.slope}`);
  check(o.kdAlpha === 0 || o.teacherEpochs > 0, '--kd-alpha > 0 needs --teacher-epochs >= 1');
  return arch;
}

/** Multibit level of a pixel in [0, 1]: round(p * (2^bits - 1)), clamped. */
export function multibitLevel(p: number, bits: number): number {
  const max = 2 ** bits - 1;
  const q = Math.round(p * max);
  return q < 0 ? 0 : q > max ? max : q;
}

/**
 * Encode samples for training: binary -> 0/1 spikes (pixel >= threshold); multibit:K -> the
 * integer level divided by 2^K - 1 (the export multiplies the first layer's alpha back by it).
 */
export function encodeBatch(arch: ArchSpec, data: TrainData, idx: ArrayLike<number>, from: number, count: number): Float32Array {
  const size = arch.inputShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count * size);
  const enc = arch.encoding;
  for (let b = 0; b < count; b++) {
    const s = idx[from + b]!;
    const src = s * size;
    const dst = b * size;
    if (enc.kind === 'binary') {
      for (let i = 0; i < size; i++) out[dst + i] = data.inputs[src + i]! >= enc.threshold ? 1 : 0;
    } else {
      const max = 2 ** enc.bits - 1;
      for (let i = 0; i < size; i++) out[dst + i] = multibitLevel(data.inputs[src + i]!, enc.bits) / max;
    }
  }
  return out;
}

/** Logits (eval mode) of the samples `which` (default: all), stored at each sample's index. */
export function predictAll(net: Net, data: TrainData, batch = 250, which?: Uint32Array): Float32Array {
  const K = net.classes;
  const out = new Float32Array(data.count * K);
  let idx = which;
  if (!idx) {
    idx = new Uint32Array(data.count);
    for (let i = 0; i < data.count; i++) idx[i] = i;
  }
  for (let s = 0; s < idx.length; s += batch) {
    const n = Math.min(batch, idx.length - s);
    const x = encodeBatch(net.arch, data, idx, s, n);
    const z = net.forward(x, n, false);
    for (let b = 0; b < n; b++) out.set(z.subarray(b * K, b * K + K), idx[s + b]! * K);
  }
  return out;
}

export function accuracy(logits: Float32Array, labels: Uint8Array, K: number): number {
  let c = 0;
  for (let i = 0; i < labels.length; i++) if (argmaxRow(logits, i * K, K) === labels[i]) c++;
  return c / labels.length;
}

/** Called after every optimizer step: the phase, steps done and steps in the phase (progress bars). */
export type TrainStepHook = (phase: 'teacher' | 'student', step: number, total: number) => void;

function runEpochs(
  net: Net,
  phase: 'teacher' | 'student',
  train: TrainData,
  test: TrainData,
  order: Uint32Array,
  o: TrainOptions,
  epochs: number,
  teacherLogits: Float32Array | null,
  rng: Rng,
  log: (l: EpochLog) => void,
  history: EpochLog[],
  onStep?: TrainStepHook,
): number {
  const opt = new Adam(net.params());
  const K = net.classes;
  const steps = Math.ceil(order.length / o.batch);
  const total = steps * epochs;
  let step = 0;
  let lastAcc = 0;
  for (let e = 1; e <= epochs; e++) {
    const t0 = performance.now();
    const perm = order.slice();
    rng.shuffle(perm);
    let lossSum = 0;
    let correct = 0;
    for (let s = 0; s < perm.length; s += o.batch) {
      const B = Math.min(o.batch, perm.length - s);
      const x = encodeBatch(net.arch, train, perm, s, B);
      const labels = new Uint8Array(B);
      for (let b = 0; b < B; b++) labels[b] = train.labels[perm[s + b]!]!;
      let tl: Float32Array | null = null;
      if (teacherLogits) {
        tl = new Float32Array(B * K);
        for (let b = 0; b < B; b++) tl.set(teacherLogits.subarray(perm[s + b]! * K, perm[s + b]! * K + K), b * K);
      }
      net.zeroGrad();
      const z = net.forward(x, B, true);
      const r = kdLoss(z, labels, B, K, tl, o.kdAlpha, o.kdTemp);
      net.backward(r.grad);
      opt.step(cosineLr(o.lr, step++, total));
      onStep?.(phase, step, total);
      lossSum += r.loss * B;
      correct += r.correct;
    }
    const testAcc = accuracy(predictAll(net, test), test.labels, K);
    lastAcc = testAcc;
    const entry: EpochLog = {
      epoch: e,
      phase,
      loss: lossSum / perm.length,
      trainAcc: correct / perm.length,
      testAcc,
      seconds: (performance.now() - t0) / 1000,
    };
    history.push(entry);
    log(entry);
  }
  return lastAcc;
}

/** Train a BWSNN (and its teacher when kdAlpha > 0) and return it as a Graph IR. */
export function trainModel(
  o: TrainOptions,
  train: TrainData,
  test: TrainData,
  log: (l: EpochLog) => void = () => {},
  custom?: ArchSpec,
  onStep?: TrainStepHook,
): TrainResult {
  const arch = validateOptions(o, custom);
  const size = arch.inputShape.reduce((a, b) => a * b, 1);
  for (const [d, what] of [
    [train, 'training'],
    [test, 'test'],
  ] as const) {
    check(d.count > 0 && d.inputs.length === d.count * size, `${what} data set ${d.name}: expected ${size} values per sample`);
    for (let i = 0; i < d.count; i++)
      check(d.labels[i]! < arch.classes, `${what} data set ${d.name}: sample ${i} has label ${d.labels[i]} >= ${arch.classes}`);
  }
  const T = o.timesteps === 0 ? arch.timesteps : o.timesteps;
  const opts: TrainOptions = { ...o, timesteps: T };
  const t0 = performance.now();
  const rng = new Rng(o.seed);
  let order = new Uint32Array(train.count);
  for (let i = 0; i < train.count; i++) order[i] = i;
  if (o.trainLimit > 0 && o.trainLimit < train.count) {
    rng.shuffle(order);
    order = order.slice(0, o.trainLimit);
  }
  const history: EpochLog[] = [];
  let teacherLogits: Float32Array | null = null;
  let teacherTestAcc: number | null = null;
  if (o.kdAlpha > 0) {
    const teacher = new Net(arch, { mode: 'ann', timesteps: 1, shortcuts: o.shortcuts, seed: o.seed + 1 });
    const tOpts = { ...opts, kdAlpha: 0 };
    teacherTestAcc = runEpochs(teacher, 'teacher', train, test, order, tOpts, o.teacherEpochs, null, rng, log, history, onStep);
    teacherLogits = predictAll(teacher, train, 250, order);
  }
  const net = new Net(arch, { mode: 'snn', timesteps: T, shortcuts: o.shortcuts, seed: o.seed, slope: o.slope });
  const floatTestAcc = runEpochs(net, 'student', train, test, order, opts, o.epochs, teacherLogits, rng, log, history, onStep);
  const seconds = (performance.now() - t0) / 1000;
  const graph = net.toGraph(arch.name, {
    recipe: `SEI: BPTT T=${T}, binary weights (clipped STE, alpha=mean|W| per output), BN, IF soft reset theta=1 fire>=, sigmoid surrogate k=${o.slope}, ${o.shortcuts ? 'identity shortcuts' : 'no shortcuts'}, ${o.kdAlpha > 0 ? `KD lambda=${o.kdAlpha} tau=${o.kdTemp}` : 'no KD'}, Adam lr=${o.lr} cosine, batch ${o.batch}, ${o.epochs} epochs, seed ${o.seed}`,
    dataset: train.name,
    trainSamples: order.length,
    floatTestAccuracy: floatTestAcc,
  });
  // What the model was trained on: eval checks inputs and data sets against these.
  graph.inputRange = [0, 1];
  graph.dataset = train.name;
  return { graph, net, history, floatTestAcc, teacherTestAcc, seconds, options: opts };
}
