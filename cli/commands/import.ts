/** `bwsnn import MODEL.nir -o MODEL.bwsnn`: lower a NIR graph onto the Graph IR (docs/nir.md). */
import type { Command } from '@commander-js/extra-typings';
import { BwsnnError } from '../../isa/errors.js';
import { writeBwsnn } from '../../models/format.js';
import { binaryEncodingWarning } from '../../models/input-check.js';
import { parseInputEncoding, parseNumberOption } from '../../models/nir/options.js';
import { checkOutputPath, readInput, writeAtomic } from '../io.js';

export function register(program: Command): void {
  program
    .command('import')
    .description('import a NIR graph (HDF5, NIR 0.1 to 1.0 layouts) as a .bwsnn model, printing how every node was lowered')
    .argument('<file>', 'NIR file (.nir)')
    .requiredOption('-o, --output <file>', 'output model (.bwsnn)')
    .option('--timesteps <T>', 'time steps per inference (NIR carries none)', '4')
    .option('--dt <seconds>', 'time step for the continuous-time constants (tau -> decay 1 - dt/tau)', '1e-4')
    .option('--input-encoding <enc>', 'binary:THRESHOLD or multibit:K', 'binary:0.5')
    .option('--weight-bits <k>', 'bits of non-binary weights (quantized with a per-row scale)', '8')
    .option('--weight-scale <granularity>', 'scale of quantized weights: row or layer', 'row')
    .option('--leak-tolerance <r>', 'largest relative error of dt/tau vs the shift leak 2^-k', '0.1')
    .option('--if-reset <mode>', "IF/LIF reset: nir (v = v_reset, NIR's semantics) or subtract (v -= v_threshold, Sinabs/snnTorch default)", 'nir')
    .option('--input-range <lo:hi>', 'record the values a sample holds (e.g. 0:1 or 0:255); eval refuses inputs outside it')
    .option('--name <name>', 'model name (default: the file name)')
    .option('-q, --quiet', 'do not print the import summary')
    .action(async (file, opts) => {
      const timesteps = parseNumberOption('--timesteps', opts.timesteps);
      const dt = parseNumberOption('--dt', opts.dt);
      const weightBits = parseNumberOption('--weight-bits', opts.weightBits);
      const leakTolerance = parseNumberOption('--leak-tolerance', opts.leakTolerance);
      const inputEncoding = parseInputEncoding(opts.inputEncoding);
      const weightScale = opts.weightScale as 'row' | 'layer';
      const ifReset = opts.ifReset as 'nir' | 'subtract';
      let inputRange: [number, number] | undefined;
      if (opts.inputRange !== undefined) {
        const m = /^(-?[0-9.eE+-]+):(-?[0-9.eE+-]+)$/.exec(opts.inputRange);
        const lo = m ? Number(m[1]) : NaN;
        const hi = m ? Number(m[2]) : NaN;
        if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new BwsnnError(`--input-range: expected LO:HI with LO <= HI, got ${JSON.stringify(opts.inputRange)}`, 2);
        inputRange = [lo, hi];
      }
      checkOutputPath(opts.output);
      const bytes = readInput(file);
      const nir = await import('../../models/nir/index.js');
      const { graph, summary } = await nir.importNirWithSummaryAsync(bytes, file, {
        timesteps,
        dt,
        weightBits,
        weightScale,
        leakTolerance,
        inputEncoding,
        ifReset,
        ...(opts.name !== undefined ? { name: opts.name } : {}),
      });
      if (inputRange) graph.inputRange = inputRange;
      const warning = binaryEncodingWarning(graph);
      if (warning) process.stderr.write(`warning: ${file}: ${warning}\n`);
      const out = writeBwsnn(graph);
      writeAtomic(opts.output, out);
      if (!opts.quiet) process.stdout.write(`${nir.formatImportSummary(summary)}\nwrote ${opts.output} (${graph.nodes.length} Graph IR nodes)\n`);
    });
}
