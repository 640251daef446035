/**
 * `bwsnn compile MODEL.(bwsnn|nir) [--chip CHIP.json] -o OUT.bwc [--report] [--json] [--dump-ir STAGE]`:
 * fold the model for the chip's widths, compile it (compiler/) and write the .bwc atomically.
 */
import type { Command } from '@commander-js/extra-typings';
import { CHIP_PRESETS, DEFAULT_CHIP, parseChipConfig, type ChipConfig } from '../../isa/chip.js';
import { writeContainer, validateContainer } from '../../isa/container.js';
import type { BwcContainer } from '../../isa/container-types.js';
import { BwsnnError } from '../../isa/errors.js';
import { buildReport, formatReport, type CompileReport } from '../../compiler/report.js';
import { compileStages, STAGES, STRATEGIES, type Stage, type Strategy } from '../../compiler/index.js';
import { dumpStage } from '../../compiler/dump.js';
import { foldGraph } from '../../models/fold.js';
import { loadModel, writeBwsnn } from '../../models/format.js';
import { PROFILE_META_KEY } from '../../compiler/profile.js';
import type { Graph } from '../../models/graph.js';
import { parseInputEncoding, parseNumberOption } from '../../models/nir/options.js';
import { checkInputs } from '../../models/data/inputs.js';
import { readNpy } from '../../models/data/npy.js';
import { checkOutputPath, readInput, readText, writeAtomic } from '../io.js';
import { dataflowOptions, resolveDataflow, type DataflowCliOptions } from '../dataflow-options.js';

/** A chip config from a JSON file, or a preset name. */
export function loadChip(arg: string | undefined): ChipConfig {
  if (arg === undefined) return { ...DEFAULT_CHIP };
  const preset = CHIP_PRESETS[arg];
  if (preset) return { ...preset };
  const text = readText(arg);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BwsnnError(`${arg}: not valid JSON (${(e as Error).message})`);
  }
  return parseChipConfig(raw, arg);
}

/** One sample for the measured cycles: values per sample and whether they are per-step. */
interface Sample {
  label: string;
  data: Float32Array;
  perStep: boolean;
}

/** Measure cycles with the simulator on each sample (a note when it cannot run). */
async function measure(report: CompileReport, container: BwcContainer, file: string, samples: Sample[]): Promise<void> {
  try {
    const sim = await import('../../simulator/index.js');
    for (const s of samples) {
      const inputs = s.perStep ? { count: 1, steps: container.meta.timesteps, data: s.data } : { count: 1, data: s.data };
      const r = sim.simulateSync(container, inputs, { file });
      const cycles = Number(r.inferences[0]!.cycles);
      report.measured.push({ cyclesPerInference: cycles, cyclesPerStep: cycles / container.meta.timesteps, input: s.label });
    }
  } catch (e) {
    report.notes.push(`simulator not run: ${(e as Error).message}`);
  }
}

/** The default samples: all zeros, and every element at its largest value. */
function defaultSamples(container: BwcContainer): Sample[] {
  const size = container.meta.inputShape.reduce((a, b) => a * b, 1);
  const enc = container.meta.encoding;
  const max = enc.kind === 'binary' ? Math.max(1, enc.threshold) : 2 ** enc.bits - 1;
  return [
    { label: 'one all-zero sample', data: new Float32Array(size), perStep: false },
    { label: `one sample with every element = ${max}`, data: new Float32Array(size).fill(max), perStep: false },
  ];
}

/** The first sample of an .npy file checked against the model (`--sample`). */
function npySample(path: string, g: Graph): Sample {
  const arr = readNpy(readInput(path), path);
  const inp = checkInputs(arr, g, path);
  if (inp.count < 1) throw new BwsnnError(`${path}: holds no sample`);
  return { label: `sample 0 of ${path}`, data: inp.data.slice(0, inp.sampleLength), perStep: inp.perStep };
}

function badScale(v: string): never {
  throw new BwsnnError(`--weight-scale: expected row or layer, got ${JSON.stringify(v)}`, 2);
}

export function register(program: Command): void {
  const cmd = program
    .command('compile')
    .description('compile a model (.bwsnn or .nir) into a BW-Core binary (.bwc), with a resource and cycle report')
    .argument('<model>', 'model file (.bwsnn, or .nir imported on the fly)')
    .requiredOption('-o, --output <file>', 'output binary (.bwc)')
    .option('--chip <file>', `chip config JSON (fields of isa/chip.ts; missing ones default) or a preset name (${Object.keys(CHIP_PRESETS).join(', ')})`)
    .option('--strategy <s>', `mapping: spread (every layer over all cores, lowest latency) or pack (fewest cores)`, 'spread')
    .option('--report', 'print the compile report (utilization per core, synapses, F per layer, cycle bound and measured cycles)')
    .option('--json', 'print the compile report as JSON')
    .option('--dump-ir <stage>', `print one pass's output (${STAGES.join(', ')})`)
    .option('--no-measure', 'do not run the simulator for the measured cycles of the report')
    .option('--sample <file.npy>', 'measure the cycles on sample 0 of this input array ([N, ...shape] or [N, T, ...shape]) instead of all-zero and all-max samples')
    .option('--timesteps <T>', 'NIR input: time steps per inference', '4')
    .option('--input-encoding <enc>', 'NIR input: binary:THRESHOLD or multibit:K', 'binary:0.5')
    .option('--weight-bits <k>', 'NIR input: bits of non-binary weights', '8')
    .option('--dt <seconds>', 'NIR input: time step for tau -> shift leak', '1e-4')
    .option('--weight-scale <granularity>', 'NIR input: scale of quantized weights: row or layer', 'row')
    .option('--leak-tolerance <r>', 'NIR input: largest relative error of dt/tau vs the shift leak 2^-k', '0.1');
  dataflowOptions(cmd, '--limit')
    .option('--save-profile <out.bwsnn>', 'also write the model with the --profile statistics stored in it (used by later compiles without --profile)')
    .action(async (file, opts) => {
      const stage = opts.dumpIr as Stage | undefined;
      if (stage !== undefined && !(STAGES as readonly string[]).includes(stage)) {
        throw new BwsnnError(`--dump-ir: unknown stage ${JSON.stringify(stage)} (one of ${STAGES.join(', ')})`, 2);
      }
      if (stage !== undefined && opts.json) throw new BwsnnError('--dump-ir and --json both print to stdout: use one of them', 2);
      if (!(STRATEGIES as readonly string[]).includes(opts.strategy)) {
        throw new BwsnnError(`--strategy: expected one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(opts.strategy)}`, 2);
      }
      const strategy = opts.strategy as Strategy;
      const chip = loadChip(opts.chip);
      checkOutputPath(opts.output);
      let g: Graph;
      if (/\.nir$/i.test(file)) {
        const nir = await import('../../models/nir/index.js');
        g = await nir.loadNirAsGraphAsync(file, {
          timesteps: parseNumberOption('--timesteps', opts.timesteps),
          inputEncoding: parseInputEncoding(opts.inputEncoding),
          weightBits: parseNumberOption('--weight-bits', opts.weightBits),
          dt: parseNumberOption('--dt', opts.dt),
          leakTolerance: parseNumberOption('--leak-tolerance', opts.leakTolerance),
          weightScale: opts.weightScale === 'layer' ? 'layer' : opts.weightScale === 'row' ? 'row' : badScale(opts.weightScale),
        });
      } else {
        g = loadModel(file);
      }
      const sample = opts.sample !== undefined ? npySample(opts.sample, g) : undefined;
      const m = foldGraph(g, { membraneBits: chip.membraneBits, thresholdBits: chip.thresholdBits, biasBits: chip.biasBits }, file);
      const dfo = opts as DataflowCliOptions & { limit?: string; saveProfile?: string };
      if (dfo.saveProfile !== undefined) {
        if (dfo.profile === undefined) throw new BwsnnError('--save-profile needs --profile DATA (the statistics to store)', 2);
        if (!/\.bwsnn$/i.test(dfo.saveProfile)) throw new BwsnnError(`--save-profile ${dfo.saveProfile}: expected a .bwsnn output file`, 2);
        checkOutputPath(dfo.saveProfile);
      }
      const df = resolveDataflow({ dataflow: dfo.dataflow, schedule: dfo.schedule, profile: dfo.profile, profileLimit: dfo.limit }, m, chip, undefined, g, file);
      const st = compileStages(m, chip, { file, strategy, ...df });
      validateContainer(st.emit, opts.output);
      const bytes = writeContainer(st.emit, opts.output);
      writeAtomic(opts.output, bytes);
      if (dfo.saveProfile !== undefined && df.profile) {
        // The model with the measured profile in its meta: later compiles use it without --profile.
        const { [PROFILE_META_KEY]: _old, ...meta } = g.meta ?? {};
        void _old;
        writeAtomic(dfo.saveProfile, writeBwsnn({ ...g, meta: { ...meta, [PROFILE_META_KEY]: JSON.stringify(df.profile) } }));
      }
      if (stage !== undefined) process.stdout.write(dumpStage(st, stage));
      if (opts.report || opts.json) {
        const report = buildReport(st.codegen);
        report.strategy = st.strategy;
        report.dataflow = st.plan;
        if (strategy === 'spread' && st.strategy !== 'spread') report.notes.push('strategy spread did not fit this chip: packed instead');
        if (opts.measure) await measure(report, st.emit, opts.output, sample ? [sample] : defaultSamples(st.emit));
        else report.notes.push('simulator not run (--no-measure)');
        if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else process.stdout.write(formatReport(report));
      }
    });
}
