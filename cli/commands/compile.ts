/**
 * `bwsnn compile MODEL.(bwsnn|nir) [--chip CHIP.json] -o OUT.bwc [--report] [--json] [--dump-ir STAGE]`:
 * fold the model for the chip's widths, compile it (compiler/) and write the .bwc atomically.
 * `bwsnn compile --from-ir DUMP.json -o OUT.bwc`: continue from a `--dump-ir` form (its chip and strategy).
 */
import { existsSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_CHIP, parseChipConfig, type ChipConfig } from '../../isa/chip.js';
import { CHIP_PRESETS } from '../../isa/presets.js';
import { writeContainer } from '../../isa/container.js';
import type { BwcContainer } from '../../isa/container-types.js';
import { BwsnnError } from '../../isa/errors.js';
import { buildReport, formatReport, type CompileReport } from '../../compiler/report.js';
import { compileFrom, compileStages, fallbackNote, STAGES, STRATEGIES, type ResumedStages, type Stage, type Strategy } from '../../compiler/index.js';
import { dumpStage, loadIr } from '../../compiler/dump.js';
import { foldForChipWithReport } from '../../compiler/fold-for-chip.js';
import { formatFoldReport, loweredLayers, type FoldLayerReport } from '../../models/fold.js';
import { writeBwsnn } from '../../models/format.js';
import { PROFILE_META_KEY } from '../../compiler/profile.js';
import type { Profile } from '../../compiler/dataflow.js';
import type { Graph } from '../../models/graph.js';
import { checkInputs } from '../../models/data/inputs.js';
import { readNpy } from '../../models/data/npy.js';
import { checkOutputPath, readInput, readText, writeAtomic } from '../io.js';
import { loadGraphAny } from '../pipeline.js';
import { schemaHeader } from '../results.js';
import { nirOptions, type NirCliOptions } from '../nir-options.js';
import { dataflowOptions, resolveDataflow, type DataflowCliOptions } from '../dataflow-options.js';
import { parseJsonBounded } from '../../isa/excerpt.js';

/** A chip config from a JSON file, or a preset name. */
export function loadChip(arg: string | undefined): ChipConfig {
  if (arg === undefined) return { ...DEFAULT_CHIP };
  const preset = CHIP_PRESETS[arg];
  if (preset) return { ...preset };
  if (!/[./\\]/.test(arg) && !existsSync(arg)) {
    throw new BwsnnError(`--chip: no preset named ${JSON.stringify(arg)} and no such file (presets: ${Object.keys(CHIP_PRESETS).join(', ')}; \`bwsnn chips\` lists them)`);
  }
  const text = readText(arg);
  return parseChipConfig(parseJsonBounded(text, arg), arg);
}

/**
 * The `compile --json` document (docs/schemas/compile.schema.json): the compile report with the
 * schema header; the axon capacity is named in words like every per-core count (`axonWords`;
 * the chip field is `axonLines`, one line = one word).
 */
export function compileJson(report: CompileReport): object {
  const { axonLines, ...capacity } = report.capacity;
  return { ...schemaHeader('compile'), ...report, capacity: { ...capacity, axonWords: axonLines } };
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

export function register(program: Command): void {
  const cmd = program
    .command('compile')
    .description('compile a model (.bwsnn or .nir) into a BW-Core binary (.bwc), with a resource and cycle report')
    .argument('[model]', 'model file (.bwsnn, or .nir imported on the fly); omitted with --from-ir')
    .option('-o, --output <file>', 'output binary (.bwc); required unless --dump-ir alone is asked for')
    .option('--chip <file>', `chip config JSON (fields of isa/chip.ts; missing ones default) or a preset name (${Object.keys(CHIP_PRESETS).join(', ')})`)
    .option('--strategy <s>', `mapping: spread (every layer over all cores, lowest latency) or pack (fewest cores)`, 'spread')
    .option('--report', 'print the compile report (utilization per core, synapses, F per layer, cycle bound and measured cycles)')
    .option('--json', 'print the compile report as JSON')
    .option('--dump-ir <stage>', `print one pass's output form, complete, as JSON (${STAGES.join(', ')})`)
    .option('--from-ir <file>', 'continue from a --dump-ir form (chip and strategy come from the dump) instead of a model')
    .option('--no-measure', 'do not run the simulator for the measured cycles of the report')
    .option('--sample <file.npy>', 'measure the cycles on sample 0 of this input array ([N, ...shape] or [N, T, ...shape]) instead of all-zero and all-max samples')
  nirOptions(cmd);
  dataflowOptions(cmd, '--limit').option('--save-profile <out.bwsnn>', 'also write the model with the --profile statistics stored in it (used by later compiles without --profile)');
  cmd.action(async (modelFile, raw) => {
      const opts = raw as typeof raw & NirCliOptions;
      const stage = opts.dumpIr as Stage | undefined;
      if (stage !== undefined && !(STAGES as readonly string[]).includes(stage)) {
        throw new BwsnnError(`--dump-ir: unknown stage ${JSON.stringify(stage)} (one of ${STAGES.join(', ')})`, 2);
      }
      if (stage !== undefined && opts.json) throw new BwsnnError('--dump-ir and --json both print to stdout: use one of them', 2);
      if (!(STRATEGIES as readonly string[]).includes(opts.strategy)) {
        throw new BwsnnError(`--strategy: expected one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(opts.strategy)}`, 2);
      }
      const fromIr = opts.fromIr;
      if ((modelFile === undefined) === (fromIr === undefined)) throw new BwsnnError('compile: give a model file or --from-ir DUMP (one of them)', 2);
      if (fromIr !== undefined) {
        for (const [o, flag] of [['chip', 'chip'], ['strategy', 'strategy'], ['sample', 'sample'], ['dataflow', 'dataflow'], ['schedule', 'schedule'], ['profile', 'profile'], ['saveProfile', 'save-profile']] as const) {
          if (cmd.getOptionValueSource(o) === 'cli') throw new BwsnnError(`--from-ir: --${flag} does not apply (the dump holds the compile's chip, strategy and dataflow plan)`, 2);
        }
      }
      if (opts.output === undefined && stage === undefined) throw new BwsnnError('-o, --output <file> is required (only --dump-ir may go without it)', 2);
      if (opts.output === undefined && (opts.report || opts.json)) throw new BwsnnError('--report and --json need -o, --output <file> (the cycles are measured on the written binary)', 2);
      if (opts.output !== undefined) checkOutputPath(opts.output);
      let st: ResumedStages;
      let chip: ChipConfig;
      let strategy = opts.strategy as Strategy;
      let sample: Sample | undefined;
      let fold: FoldLayerReport[] | undefined;
      let foldLines: string[] = [];
      const file = fromIr ?? modelFile!;
      const dfo = opts as typeof opts & DataflowCliOptions & { limit?: string; saveProfile?: string };
      let g: Graph | undefined;
      let profile: Profile | undefined;
      if (fromIr !== undefined) {
        const d = loadIr(readText(fromIr), fromIr);
        if ((opts.report || opts.json) && d.stage === 'emit') throw new BwsnnError('--from-ir: an emit dump has no codegen form to report on (dump an earlier stage)', 2);
        chip = d.chip;
        strategy = d.strategy;
        try {
          st = compileFrom(d.stage, d.form, chip, fromIr, d);
        } catch (e) {
          if (e instanceof BwsnnError) throw e;
          throw new BwsnnError(`${fromIr}: field form: not a valid ${d.stage} form (${(e as Error).message})`);
        }
      } else {
        chip = loadChip(opts.chip);
        g = await loadGraphAny(file, opts);
        sample = opts.sample !== undefined ? npySample(opts.sample, g) : undefined;
        const folded = foldForChipWithReport(g, chip, file);
        fold = folded.report;
        foldLines = formatFoldReport(fold);
        // Weights lowered to fit are always said (stderr, so --json and --dump-ir stay clean).
        for (const l of loweredLayers(fold)) process.stderr.write(`bwsnn compile: ${foldLines.find((x) => x.startsWith(`layer ${l.name}:`))}; measure the agreement with \`bwsnn eval --chip ${chip.name}\`\n`);
        if (dfo.saveProfile !== undefined) {
          if (dfo.profile === undefined) throw new BwsnnError('--save-profile needs --profile DATA (the statistics to store)', 2);
          if (!/\.bwsnn$/i.test(dfo.saveProfile)) throw new BwsnnError(`--save-profile ${dfo.saveProfile}: expected a .bwsnn output file`, 2);
          checkOutputPath(dfo.saveProfile);
        }
        const df = resolveDataflow({ dataflow: dfo.dataflow, schedule: dfo.schedule, profile: dfo.profile, profileLimit: dfo.limit }, folded.model, chip, undefined, g, file);
        profile = df.profile;
        st = compileStages(folded.model, chip, { file, strategy, ...df });
      }
      const out = opts.output ?? file;
      // writeContainer validates first (the same ContainerError validateContainer would throw).
      const bytes = writeContainer(st.emit, out);
      const dump = stage !== undefined ? dumpStage(st, stage, chip, strategy) : undefined;
      if (opts.output !== undefined) writeAtomic(opts.output, bytes);
      if (g !== undefined && dfo.saveProfile !== undefined && profile) {
        // The model with the measured profile in its meta: later compiles use it without --profile.
        const { [PROFILE_META_KEY]: _old, ...meta } = g.meta ?? {};
        void _old;
        writeAtomic(dfo.saveProfile, writeBwsnn({ ...g, meta: { ...meta, [PROFILE_META_KEY]: JSON.stringify(profile) } }));
      }
      if (dump !== undefined) process.stdout.write(dump);
      if (opts.report || opts.json) {
        const report = buildReport(st.codegen!, chip);
        report.strategy = st.strategy;
        report.dataflow = st.plan;
        const note = fallbackNote(st, strategy);
        if (note) report.notes.push(note);
        if (opts.measure) await measure(report, st.emit, out, sample ? [sample] : defaultSamples(st.emit));
        else report.notes.push('simulator not run (--no-measure)');
        if (opts.json) process.stdout.write(JSON.stringify({ ...compileJson(report), fold }, null, 2) + '\n');
        else process.stdout.write(formatReport(report) + foldLines.map((x) => `fold: ${x.replace(/^fold: /, '')}\n`).join(''));
      }
    });
}
