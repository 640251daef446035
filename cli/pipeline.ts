/**
 * What the product commands (demo, energy, sweep) share: loading a model of any supported kind
 * (.bwsnn, .nir, or an already compiled .bwc), folding and compiling it for a chip, choosing the
 * input data (a built-in data set or .npy files), and simulating in chunks with a progress bar.
 */
import { datasetMismatch, rangeViolation } from '../models/input-check.js';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '@commander-js/extra-typings';
import { compileModel, type CompileOptions, type CompileReport } from '../compiler/index.js';
import type { ChipConfig } from '../isa/chip.js';
import { readContainer } from '../isa/container.js';
import type { BwcContainer, ModelMeta } from '../isa/container-types.js';
import { BwsnnError } from '../base/errors.js';
import { ENERGY_EVENTS, type EnergyEvent } from '../isa/table.js';
import { DATASETS, loadDataset, type DatasetName, type Split } from '../models/data/index.js';
import { encodePixels } from '../models/data/inputs.js';
import { readNpy, type NpyArray } from '../models/data/npy.js';
import { foldForChipWithReport } from '../compiler/fold-for-chip.js';
import { formatFoldReport, loweredLayers } from '../models/fold.js';
import { loadModel } from '../models/format.js';
import type { Graph } from '../models/graph.js';
import type { IntModel } from '../models/intmodel.js';
import { COMPONENTS, type Component } from '../simulator/energy/breakdown.js';
import type { EnergyTable } from '../simulator/energy/table.js';
import { simulate, type SimInputs, type SimResult } from '../simulator/simulate.js';
import type { NeuronRange } from '../simulator/trace.js';
import { readInput } from '../base/io.js';
import { applyNirExtras, parseNirOptions, type NirCliOptions } from './nir-options.js';
import { sniffInput } from './sniff.js';

/** The bundled zoo folder (works from sources and from dist/). */
export function zooDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', join('..', '..')]) {
    const d = resolve(here, up, 'models', 'zoo');
    if (existsSync(d)) return d;
  }
  return resolve(here, '..', 'models', 'zoo');
}

/** A zoo model name (e.g. mnist-mlp) or a path. */
export function resolveModelPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const zoo = join(zooDir(), `${arg}.bwsnn`);
  if (/^[a-z0-9-]+$/.test(arg) && existsSync(zoo)) return zoo;
  throw new BwsnnError(`${arg}: no such file (nor a model of the zoo in ${zooDir()})`);
}

export { nirOptions, parseNirOptions, type NirCliOptions } from './nir-options.js';

/** A model graph from a .bwsnn or .nir file (a .nir with the shared NIR import options). */
export async function loadGraphAny(file: string, nir?: Partial<NirCliOptions>): Promise<Graph> {
  if (sniffInput(file, ['bwsnn', 'nir'], 'a model (.bwsnn or .nir)') === 'nir') {
    const m = await import('../models/nir/index.js');
    return applyNirExtras(await m.loadNirAsGraphAsync(file, parseNirOptions(nir)), file, nir);
  }
  return loadModel(file);
}

export interface Compiled {
  file: string;
  graph?: Graph;
  model?: IntModel;
  container: BwcContainer;
  report?: CompileReport;
}

/** A binary ready to simulate: read a .bwc, or fold and compile a model for `chip`. */
export async function compiledFrom(file: string, chip: ChipConfig, nir?: Partial<NirCliOptions>, options?: (m: IntModel, g: Graph) => CompileOptions): Promise<Compiled> {
  if (sniffInput(file, ['bwc', 'bwsnn', 'nir'], 'a binary (.bwc) or a model (.bwsnn, .nir)') === 'bwc') return { file, container: readContainer(readInput(file), file) };
  const graph = await loadGraphAny(file, nir);
  const { model, report: fold } = foldForChipWithReport(graph, chip, file);
  // Weights lowered to fit the chip are always said (stderr).
  const lines = formatFoldReport(fold);
  for (const l of loweredLayers(fold)) process.stderr.write(`${file}: ${lines.find((x) => x.startsWith(`layer ${l.name}:`))}\n`);
  const { container, report } = compileModel(model, chip, { ...options?.(model, graph), file });
  return { file, graph, model, container, report };
}

export interface DataCliOptions {
  data?: string;
  split: string;
  input?: string;
  labels?: string;
  limit?: string;
  /** false (--no-input-check): warn instead of refusing inputs the model's recorded range or data set rules out. */
  inputCheck?: boolean;
}

/** Help of every --no-input-check option. */
export const INPUT_CHECK_HELP = "warn instead of refusing inputs outside the model's recorded input range, or a data set other than its recorded one";

/** Add the data options (a built-in data set or .npy files) to a command. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dataOptions<C extends Command<any, any, any>>(cmd: C): C {
  cmd
    .option('--data <name>', `built-in data set (${DATASETS.join(', ')})`)
    .option('--split <split>', 'data set split: train or test', 'test')
    .option('--input <file>', 'inputs (.npy): [N, ...inputShape] or [N, T, ...inputShape]')
    .option('--labels <file>', 'labels (.npy): [N] integers (with --input)');
  cmd.option('--limit <n>', 'use at most the first N samples (default: all)');
  cmd.option('--no-input-check', INPUT_CHECK_HELP);
  return cmd;
}

/** The default of every --workers option: the threads this machine offers (os.availableParallelism). */
export const DEFAULT_WORKERS = String(Math.max(1, Math.min(256, availableParallelism())));

/** Parse a positive integer option or throw a usage error (exit 2). */
export function intOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new BwsnnError(`--${name} must be an integer ${min}..${max}, got ${JSON.stringify(v)}`, 2);
  return Number(v);
}

const fmtShape = (s: readonly number[]): string => `(${s.join(', ')})`;

/** Inputs from an .npy array: [N, ...inputShape] or [N, T, ...inputShape] (any size-matching shape after N, T). */
export function inputsFromNpy(arr: NpyArray, meta: ModelMeta, file: string): SimInputs {
  const size = meta.inputShape.reduce((a, b) => a * b, 1);
  if (arr.dtype === 'i8') throw new BwsnnError(`${file}: dtype int64 is not supported for inputs; use float32, float64, uint8 or int32`);
  const sh = arr.shape;
  const tail = (k: number): number => sh.slice(k).reduce((a, b) => a * b, 1);
  if (sh.length < 1) throw new BwsnnError(`${file}: a 0-d array; expected [N, ${meta.inputShape.join(', ')}]`);
  const n = sh[0] as number;
  const data = arr.data instanceof Float32Array || arr.data instanceof Float64Array || arr.data instanceof Uint8Array ? arr.data : Float64Array.from(arr.data);
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  if (same(sh.slice(1), meta.inputShape) || (sh.length === 2 && tail(1) === size && meta.inputShape.length > 1)) return { count: n, data };
  if (sh.length >= 2 && sh[1] === meta.timesteps && same(sh.slice(2), meta.inputShape)) return { count: n, steps: meta.timesteps, data };
  throw new BwsnnError(
    `${file}: shape ${fmtShape(sh)} does not fit the model ${meta.name}: expected (N, ${meta.inputShape.join(', ')}) or (N, ${meta.timesteps}, ${meta.inputShape.join(', ')})`,
  );
}

export function labelsFromNpy(arr: NpyArray, count: number, classes: number, file: string): Uint8Array {
  if (arr.shape.length !== 1 || arr.shape[0] !== count) throw new BwsnnError(`${file}: shape ${fmtShape(arr.shape)}, expected (${count}) labels`);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = Number(arr.data[i]);
    if (!Number.isInteger(v) || v < 0 || v >= classes || v > 255) throw new BwsnnError(`${file}: label ${i} is ${v}, expected an integer 0..${classes - 1}`);
    out[i] = v;
  }
  return out;
}

/** The simulator inputs chosen by the data options, checked against the model's metadata. */
export function loadSimInputs(o: DataCliOptions, meta: ModelMeta, binName: string): { inputs: SimInputs; source: string } {
  if ((o.data === undefined) === (o.input === undefined)) throw new BwsnnError('give exactly one of --data or --input', 2);
  if (o.labels !== undefined && o.input === undefined) throw new BwsnnError('--labels goes with --input', 2);
  if (o.split !== 'train' && o.split !== 'test') throw new BwsnnError(`--split must be train or test, got ${JSON.stringify(o.split)}`, 2);
  const limit = intOption('limit', o.limit, 1, 1e9);
  const size = meta.inputShape.reduce((a, b) => a * b, 1);
  let inputs: SimInputs;
  let source: string;
  if (o.data !== undefined) {
    if (!(DATASETS as readonly string[]).includes(o.data)) throw new BwsnnError(`--data must be one of ${DATASETS.join(', ')}, got ${JSON.stringify(o.data)}`, 2);
    const ds = loadDataset(o.data as DatasetName, o.split as Split);
    if (ds.shape.reduce((a, b) => a * b, 1) !== size) {
      throw new BwsnnError(`${binName}: the model ${meta.name} takes inputs of shape (${meta.inputShape.join(', ')}), ${ds.name} samples have shape (${ds.shape.join(', ')})`);
    }
    checkInput(datasetMismatch(meta, o.data), o, binName);
    inputs = { count: ds.count, data: encodePixels(ds.inputs, meta.encoding), labels: ds.labels };
    source = `${ds.name} ${o.split}`;
  } else {
    const file = o.input as string;
    inputs = inputsFromNpy(readNpy(readInput(file), file), meta, file);
    checkInput(rangeViolation(meta, inputs.data, 'steps' in inputs && inputs.steps !== undefined, file), o, binName);
    if (o.labels !== undefined) inputs.labels = labelsFromNpy(readNpy(readInput(o.labels), o.labels), inputs.count, meta.classes, o.labels);
    source = file;
  }
  if (limit !== undefined && limit < inputs.count) inputs = sliceInputs(inputs, meta, 0, limit);
  if (inputs.count === 0) throw new BwsnnError(`${source}: no samples`);
  return { inputs, source };
}

/** Refuse (exit 1) or, with --no-input-check, warn about what the binary's recorded input range or data set rules out. */
function checkInput(msg: string | undefined, o: DataCliOptions, binName: string): void {
  if (msg === undefined) return;
  const text = msg.startsWith(binName) ? msg : `${binName}: ${msg}`;
  if (o.inputCheck === false) process.stderr.write(`warning: ${text}\n`);
  else throw new BwsnnError(`${text} (--no-input-check runs anyway)`);
}

function sliceInputs(inputs: SimInputs, meta: ModelMeta, from: number, to: number): SimInputs {
  const per = meta.inputShape.reduce((a, b) => a * b, 1) * ('steps' in inputs ? inputs.steps : 1);
  const data = inputs.data.subarray(from * per, to * per);
  const labels = inputs.labels?.subarray(from, to);
  return 'steps' in inputs ? { count: to - from, steps: inputs.steps, data, labels } : { count: to - from, data, labels };
}

/** Join the results of consecutive chunks of one simulation (means weighted by chunk size). */
export function mergeResults(parts: SimResult[]): SimResult {
  if (parts.length === 1) return parts[0] as SimResult;
  const first = parts[0] as SimResult;
  const count = parts.reduce((n, p) => n + p.count, 0);
  const w = (p: SimResult): number => p.count / count;
  const wmean = (f: (p: SimResult) => number): number => parts.reduce((s, p) => s + f(p) * w(p), 0);
  const inferences = parts.flatMap((p) => p.inferences);
  const hasLabels = parts.every((p) => p.correct !== undefined);
  const correct = hasLabels ? parts.reduce((n, p) => n + (p.correct as number), 0) : undefined;
  const eventsTotal = Object.fromEntries(ENERGY_EVENTS.map((e) => [e, parts.reduce((s, p) => s + p.eventsTotal[e], 0)])) as Record<EnergyEvent, number>;
  const eventsPerInference = Object.fromEntries(ENERGY_EVENTS.map((e) => [e, eventsTotal[e] / count])) as Record<EnergyEvent, number>;
  const byComponent = Object.fromEntries(COMPONENTS.map((c) => [c, wmean((p) => p.energy.byComponent[c])])) as Record<Component, number>;
  const byEvent = Object.fromEntries(ENERGY_EVENTS.map((e) => [e, wmean((p) => p.energy.byEvent[e])])) as Record<EnergyEvent, number>;
  const stat = <U extends number>(f: (p: SimResult) => { mean: U; min: U; max: U }) => ({
    mean: wmean((p) => f(p).mean) as U,
    min: Math.min(...parts.map((p) => f(p).min)) as U,
    max: Math.max(...parts.map((p) => f(p).max)) as U,
  });
  return {
    ...first,
    count,
    correct,
    accuracy: correct === undefined ? undefined : correct / count,
    inferences,
    cycles: stat((p) => p.cycles),
    latency: stat((p) => p.latency),
    stepCycles: first.stepCycles.map((_, t) => wmean((p) => p.stepCycles[t] as number)),
    cores: first.cores.map((c, k) => ({
      ...c,
      busy: wmean((p) => (p.cores[k] as typeof c).busy),
      stall: wmean((p) => (p.cores[k] as typeof c).stall),
      utilisation: wmean((p) => (p.cores[k] as typeof c).utilisation),
      energy: wmean((p) => (p.cores[k] as typeof c).energy) as typeof c.energy,
      events: Object.fromEntries(ENERGY_EVENTS.map((e) => [e, wmean((p) => (p.cores[k] as typeof c).events[e])])) as Record<EnergyEvent, number>,
    })),
    eventsTotal,
    eventsPerInference,
    counts: {
      sops: wmean((p) => p.counts.sops),
      spikes: wmean((p) => p.counts.spikes),
      flits: wmean((p) => p.counts.flits),
      hops: wmean((p) => p.counts.hops),
    },
    energy: {
      total: wmean((p) => p.energy.total) as typeof first.energy.total,
      byComponent: byComponent as typeof first.energy.byComponent,
      byEvent: byEvent as typeof first.energy.byEvent,
      perCore: first.energy.perCore.map((_, k) => wmean((p) => p.energy.perCore[k] as number)) as typeof first.energy.perCore,
      band: {
        low: wmean((p) => p.energy.band.low) as typeof first.energy.total,
        central: wmean((p) => p.energy.band.central) as typeof first.energy.total,
        high: wmean((p) => p.energy.band.high) as typeof first.energy.total,
      },
    },
    activity: {
      perInference: Object.fromEntries(Object.keys(first.activity.perInference).map((k) => [k, wmean((p) => p.activity.perInference[k as keyof typeof first.activity.perInference])])) as typeof first.activity.perInference,
      messagesByDestCore: first.activity.messagesByDestCore.map((_, k) => wmean((p) => p.activity.messagesByDestCore[k] as number)),
      neuronUpdatesIdle: wmean((p) => p.activity.neuronUpdatesIdle),
      messagesTotal: wmean((p) => p.activity.messagesTotal),
      spikeMessages: wmean((p) => p.activity.spikeMessages),
      hops: wmean((p) => p.activity.hops),
    },
    energyStat: stat((p) => p.energyStat),
    perLayer: parts.every((p) => p.perLayer)
      ? first.perLayer!.map((l, k) => ({
          layer: l.layer,
          events: Object.fromEntries(ENERGY_EVENTS.map((e) => [e, wmean((p) => p.perLayer![k]!.events[e])])) as Record<EnergyEvent, number>,
          energy: wmean((p) => p.perLayer![k]!.energy) as typeof l.energy,
        }))
      : undefined,
  };
}

/**
 * Simulate in chunks so that a progress callback can follow a long run; the merged result equals
 * one run over all inputs (every inference is independent and the statistics are weighted means).
 * Chunks are sized from the measured rate to last about half a second, so a bar moves at least
 * once a second. A traced sample is traced in the chunk that holds it.
 */
export async function simulateWithProgress(
  container: BwcContainer,
  inputs: SimInputs,
  opts: { workers: number; energy?: EnergyTable; probes?: boolean; file: string; perLayer?: boolean; inputName?: string; chip?: ChipConfig; trace?: { sample: number; neurons?: NeuronRange[] }; maxCycles?: number; maxMemory?: number },
  onProgress?: (done: number, total: number) => void,
): Promise<SimResult> {
  const parts: SimResult[] = [];
  let trace: SimResult['trace'];
  onProgress?.(0, inputs.count);
  let chunk = Math.min(inputs.count, Math.max(8, opts.workers * 8));
  const t0 = performance.now();
  for (let from = 0; from < inputs.count; ) {
    const to = onProgress ? Math.min(inputs.count, from + chunk) : inputs.count;
    const tr = opts.trace && opts.trace.sample >= from && opts.trace.sample < to ? { sample: opts.trace.sample - from, neurons: opts.trace.neurons } : undefined;
    const part = await simulate(container, sliceInputs(inputs, container.meta, from, to), {
      workers: opts.workers,
      energy: opts.energy,
      probes: opts.probes,
      file: opts.file,
      perLayer: opts.perLayer,
      inputName: opts.inputName,
      chip: opts.chip,
      trace: tr,
      maxCycles: opts.maxCycles,
      maxMemory: opts.maxMemory,
    });
    if (tr) trace = part.trace;
    parts.push(part);
    from = to;
    onProgress?.(to, inputs.count);
    const rate = to / Math.max(1e-3, (performance.now() - t0) / 1000);
    chunk = Math.max(opts.workers * 8, Math.round(rate * 0.5));
  }
  const merged = mergeResults(parts);
  return trace ? { ...merged, trace } : merged;
}
