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
import { compileStages, STAGES, type Stage } from '../../compiler/index.js';
import { dumpStage } from '../../compiler/dump.js';
import { foldGraph } from '../../models/fold.js';
import { loadModel } from '../../models/format.js';
import type { Graph } from '../../models/graph.js';
import { parseInputEncoding, parseNumberOption } from '../../models/nir/options.js';
import { checkOutputPath, readText, writeAtomic } from '../io.js';

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

/** Measure cycles with the simulator on an all-zero and an all-maximum sample (a note when it cannot run). */
async function measure(report: CompileReport, container: BwcContainer, file: string): Promise<void> {
  try {
    const sim = await import('../../simulator/index.js');
    const size = container.meta.inputShape.reduce((a, b) => a * b, 1);
    const enc = container.meta.encoding;
    const max = enc.kind === 'binary' ? Math.max(1, enc.threshold) : 2 ** enc.bits - 1;
    for (const [label, v] of [
      ['one all-zero sample', 0],
      [`one sample with every element = ${max}`, max],
    ] as const) {
      const r = sim.simulateSync(container, { count: 1, data: new Float32Array(size).fill(v) }, { file });
      const cycles = Number(r.inferences[0]!.cycles);
      report.measured.push({ cyclesPerInference: cycles, cyclesPerStep: cycles / container.meta.timesteps, input: label });
    }
  } catch (e) {
    report.notes.push(`simulator not run: ${(e as Error).message}`);
  }
}

export function register(program: Command): void {
  program
    .command('compile')
    .description('compile a model (.bwsnn or .nir) into a BW-Core binary (.bwc), with a resource and cycle report')
    .argument('<model>', 'model file (.bwsnn, or .nir imported on the fly)')
    .requiredOption('-o, --output <file>', 'output binary (.bwc)')
    .option('--chip <file>', `chip config JSON (fields of isa/chip.ts; missing ones default) or a preset name (${Object.keys(CHIP_PRESETS).join(', ')})`)
    .option('--report', 'print the compile report (utilization per core, synapses, F per layer, cycle bound and measured cycles)')
    .option('--json', 'print the compile report as JSON')
    .option('--dump-ir <stage>', `print one pass's output (${STAGES.join(', ')})`)
    .option('--no-measure', 'do not run the simulator for the measured cycles of the report')
    .option('--timesteps <T>', 'NIR input: time steps per inference', '4')
    .option('--input-encoding <enc>', 'NIR input: binary:THRESHOLD or multibit:K', 'binary:0.5')
    .option('--weight-bits <k>', 'NIR input: bits of non-binary weights', '8')
    .option('--dt <seconds>', 'NIR input: time step for tau -> shift leak', '1e-4')
    .action(async (file, opts) => {
      const stage = opts.dumpIr as Stage | undefined;
      if (stage !== undefined && !(STAGES as readonly string[]).includes(stage)) {
        throw new BwsnnError(`--dump-ir: unknown stage ${JSON.stringify(stage)} (one of ${STAGES.join(', ')})`, 2);
      }
      const chip = loadChip(opts.chip);
      checkOutputPath(opts.output);
      let g: Graph;
      if (/\.nir$/i.test(file)) {
        const nir = await import('../../models/nir/index.js');
        g = nir.loadNirAsGraph(file, {
          timesteps: parseNumberOption('--timesteps', opts.timesteps),
          inputEncoding: parseInputEncoding(opts.inputEncoding),
          weightBits: parseNumberOption('--weight-bits', opts.weightBits),
          dt: parseNumberOption('--dt', opts.dt),
        });
      } else {
        g = loadModel(file);
      }
      const m = foldGraph(g, { membraneBits: chip.membraneBits, thresholdBits: chip.thresholdBits, biasBits: chip.biasBits }, file);
      const st = compileStages(m, chip, { file });
      validateContainer(st.emit, opts.output);
      const bytes = writeContainer(st.emit, opts.output);
      writeAtomic(opts.output, bytes);
      if (stage !== undefined) process.stdout.write(dumpStage(st, stage));
      if (opts.report || opts.json) {
        const report = buildReport(st.codegen);
        if (opts.measure) await measure(report, st.emit, opts.output);
        else report.notes.push('simulator not run (--no-measure)');
        if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else process.stdout.write(formatReport(report));
      }
    });
}
