/**
 * `bwsnn run FILE.bwc (--input X.npy [--labels Y.npy] | --data mnist|fashion-mnist [--split test])
 *  [--limit N] [--workers N] [--energy TABLE.json] [--vcd OUT.vcd --vcd-neurons core:from-to,...]
 *  [--trace OUT.json] [--trace-sample I] [--json]`:
 * simulates the binary cycle by cycle and prints accuracy, cycles and latency per inference and
 * the energy per inference with its breakdown (counts x table, so a reader can recompute it).
 */
import type { Command } from '@commander-js/extra-typings';
import { CHIP_PRESETS, parseChipConfig, type ChipConfig } from '../../isa/chip.js';
import { readContainer } from '../../isa/container.js';
import type { ModelMeta } from '../../isa/container-types.js';
import { BwsnnError } from '../../isa/errors.js';
import { ENERGY_EVENTS } from '../../isa/table.js';
import { type DatasetName, DATASETS, loadDataset, type Split } from '../../models/data/index.js';
import { readNpy, type NpyArray } from '../../models/data/npy.js';
import { COMPONENTS } from '../../simulator/energy/breakdown.js';
import { defaultEnergyTable, energyTableFromText } from '../../simulator/energy/table.js';
import { simulate, type SimInputs, type SimResult } from '../../simulator/simulate.js';
import { parseNeuronRanges, toChromeTrace, toVcd } from '../../simulator/trace.js';
import { checkOutputPath, readInput, readText, writeAtomic } from '../io.js';
import { runReportData } from '../energy/analysis.js';
import { renderHtmlReport } from '../report/html.js';

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

function labelsFromNpy(arr: NpyArray, count: number, classes: number, file: string): Uint8Array {
  if (arr.shape.length !== 1 || arr.shape[0] !== count) throw new BwsnnError(`${file}: shape ${fmtShape(arr.shape)}, expected (${count}) labels`);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = Number(arr.data[i]);
    if (!Number.isInteger(v) || v < 0 || v >= classes || v > 255) throw new BwsnnError(`${file}: label ${i} is ${v}, expected an integer 0..${classes - 1}`);
    out[i] = v;
  }
  return out;
}

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
  L.push(`energy          mean ${eng(r.energy.total)}, min ${eng(r.energyStat.min)}, max ${eng(r.energyStat.max)} per inference (table ${r.energyTable})`);
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
  L.push('cores (mean cycles per inference):');
  for (const c of r.cores) {
    L.push(`  core ${String(c.core).padStart(3)}  busy ${c.busy.toFixed(1).padStart(10)}  stall ${c.stall.toFixed(1).padStart(10)}  utilisation ${(100 * c.utilisation).toFixed(1).padStart(5)}%  energy ${eng(c.energy)}`);
  }
  return `${L.join('\n')}\n`;
}

function jsonOf(r: SimResult, source: string): string {
  const plain = (x: unknown): unknown => {
    if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
    if (Array.isArray(x)) return x.map(plain);
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
    return x;
  };
  const { trace: _t, inferences, ...rest } = r;
  const inf = inferences.map((i) => ({ prediction: i.prediction, readout: Array.from(i.readout), cycles: i.cycles, stepCycles: Array.from(i.stepCycles), latency: i.latency, energy: i.energy, sops: i.sops, events: i.events }));
  return `${JSON.stringify({ data: source, ...(plain(rest) as object), inferences: inf }, null, 2)}\n`;
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
    .option('--workers <n>', 'worker threads', '1')
    .option('--chip <file>', `refuse a binary not built for this chip: a chip config JSON or a preset name (${Object.keys(CHIP_PRESETS).join(', ')})`)
    .option('--energy <table>', 'energy table (.json); default: the 45 nm preset')
    .option('--vcd <file>', 'write a VCD trace of one inference')
    .option('--vcd-neurons <list>', 'spike lines for the VCD: core:from-to,... (e.g. 0:0-15,1:3)')
    .option('--trace <file>', 'write a Chrome/Perfetto trace (JSON) of one inference')
    .option('--trace-sample <i>', 'which inference to trace', '0')
    .option('--json', 'print JSON instead of text')
    .option('--html <file>', 'write a self-contained HTML report (energy breakdown, mesh heat maps, spikes per layer per step, cycles per step)');
  cmd.action(async (binPath, opts) => {
    const usage = (msg: string): never => cmd.error(`error: ${msg}`, { exitCode: 2 });
    if ((opts.data === undefined) === (opts.input === undefined)) usage('give exactly one of --data or --input');
    if (opts.labels !== undefined && opts.input === undefined) usage('--labels goes with --input');
    if (opts.vcdNeurons !== undefined && opts.vcd === undefined) usage('--vcd-neurons goes with --vcd');
    const intOpt = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) usage(`--${name} must be an integer ${min}..${max}, got ${JSON.stringify(v)}`);
      return Number(v);
    };
    const limit = intOpt('limit', opts.limit, 1, 1e9);
    const workers = intOpt('workers', opts.workers, 1, 256)!;
    const traceSample = intOpt('trace-sample', opts.traceSample, 0, 1e9)!;
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

    const container = readContainer(readInput(binPath), binPath);
    let chip: ChipConfig | undefined;
    if (opts.chip !== undefined) {
      const preset = CHIP_PRESETS[opts.chip];
      if (preset) chip = { ...preset };
      else {
        let raw: unknown;
        try {
          raw = JSON.parse(readText(opts.chip));
        } catch (e) {
          if (e instanceof BwsnnError) throw e;
          throw new BwsnnError(`${opts.chip}: not valid JSON (${(e as Error).message})`);
        }
        chip = parseChipConfig(raw, opts.chip);
      }
    }
    const meta = container.meta;
    const table = opts.energy === undefined ? defaultEnergyTable() : energyTableFromText(readText(opts.energy), opts.energy);
    let inputs: SimInputs;
    let source: string;
    if (opts.data !== undefined) {
      const ds = loadDataset(opts.data as DatasetName, opts.split as Split);
      const size = meta.inputShape.reduce((a, b) => a * b, 1);
      const dsSize = ds.shape.reduce((a, b) => a * b, 1);
      if (dsSize !== size) {
        throw new BwsnnError(`${binPath}: the model ${meta.name} takes inputs of shape ${fmtShape(meta.inputShape)}, ${ds.name} samples have shape ${fmtShape(ds.shape)}`);
      }
      let data: Float32Array = ds.inputs;
      if (meta.encoding.kind === 'multibit') {
        const top = 2 ** meta.encoding.bits - 1;
        data = ds.inputs.map((p) => Math.round(p * top));
      }
      inputs = { count: ds.count, data, labels: ds.labels };
      source = `${ds.name} ${opts.split}`;
    } else {
      const file = opts.input!;
      inputs = inputsFromNpy(readNpy(readInput(file), file), meta, file);
      if (opts.labels !== undefined) inputs.labels = labelsFromNpy(readNpy(readInput(opts.labels), opts.labels), inputs.count, meta.classes, opts.labels);
      source = file;
    }
    if (limit !== undefined && limit < inputs.count) {
      const per = meta.inputShape.reduce((a, b) => a * b, 1) * ('steps' in inputs ? inputs.steps : 1);
      const data = inputs.data.subarray(0, limit * per);
      const labels = inputs.labels?.subarray(0, limit);
      inputs = 'steps' in inputs ? { count: limit, steps: inputs.steps, data, labels } : { count: limit, data, labels };
    }
    if (inputs.count === 0) throw new BwsnnError(`${source}: no samples`);
    const wantTrace = opts.vcd !== undefined || opts.trace !== undefined;
    if (wantTrace && traceSample >= inputs.count) usage(`--trace-sample ${traceSample} is outside 0..${inputs.count - 1}`);
    const t0 = performance.now();
    const r = await simulate(container, inputs, {
      file: binPath,
      inputName: source,
      chip,
      workers,
      energy: table,
      trace: wantTrace ? { sample: traceSample, neurons } : undefined,
      // The HTML report charts spikes per layer per step: record the probes for it.
      probes: opts.html !== undefined,
    });
    const wall = (performance.now() - t0) / 1000;
    if (opts.vcd && r.trace) writeAtomic(opts.vcd, toVcd(r.trace, container.chip));
    if (opts.trace && r.trace) writeAtomic(opts.trace, toChromeTrace(r.trace, container.chip));
    if (opts.html) {
      const summary = [
        ...(r.accuracy !== undefined ? [{ label: 'accuracy', value: `${(100 * r.accuracy).toFixed(2)}% (${r.correct}/${r.count})` }] : []),
        { label: 'cycles per inference (mean)', value: r.cycles.mean.toFixed(1) },
        { label: 'latency per inference (mean)', value: secs(r.latency.mean) },
        { label: 'energy per inference (mean)', value: eng(r.energy.total) },
        { label: 'synaptic operations per inference', value: r.counts.sops.toFixed(1) },
      ];
      writeAtomic(opts.html, renderHtmlReport(runReportData(`bwsnn run: ${r.model}`, [`${binPath} on chip ${r.chip}`, `${r.count} inferences of ${source}`], summary, r, container)));
    }
    process.stdout.write(opts.json ? jsonOf(r, source) : report(r, source, wall));
  });
}
