/** `bwsnn export MODEL.bwsnn -o MODEL.nir`: write a model as a NIR graph (NIR 1.0 layout, docs/nir.md). */
import type { Command } from '@commander-js/extra-typings';
import { readBwsnn } from '../../models/format.js';
import { parseNumberOption } from '../../models/nir/options.js';
import { checkOutputPath, readInput, writeAtomic } from '../io.js';

export function register(program: Command): void {
  program
    .command('export')
    .description('export a .bwsnn model as a NIR graph (HDF5 in the layout nir.write produces)')
    .argument('<file>', 'model (.bwsnn)')
    .requiredOption('-o, --output <file>', 'output NIR file (.nir)')
    .option('--dt <seconds>', "time step for leaks (tau = dt * 2^k or dt * 4096/d); default the model's meta.dt, else 1e-4")
    .option('--lossy', 'export soft (subtractive) resets as NIR IF/LIF hard resets to 0 instead of the exact integrator-threshold loop')
    .option('-q, --quiet', 'do not print the export notes')
    .action(async (file, opts) => {
      const dt = opts.dt !== undefined ? parseNumberOption('--dt', opts.dt) : undefined;
      checkOutputPath(opts.output);
      const g = readBwsnn(readInput(file), file);
      const nir = await import('../../models/nir/index.js');
      const { bytes, report } = nir.exportNirWithReport(g, { ...(dt !== undefined ? { dt } : {}), lossy: opts.lossy === true });
      writeAtomic(opts.output, bytes);
      if (!opts.quiet) {
        const lines = [`wrote ${opts.output}: ${report.nodes} NIR nodes, ${report.edges} edges (NIR ${nir.NIR_EXPORT_VERSION} layout), dt = ${report.dt} s`];
        for (const n of report.notes) lines.push(`note: ${n}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
    });
}
