/** `bwsnn import MODEL.nir -o MODEL.bwsnn`: lower a NIR graph onto the Graph IR (docs/nir.md). */
import type { Command } from '@commander-js/extra-typings';
import { BwsnnError } from '../../isa/errors.js';
import { writeBwsnn } from '../../models/format.js';
import { binaryEncodingWarning } from '../../models/input-check.js';
import { nirOptions, parseInputRange, parseNirOptions, type NirCliOptions } from '../nir-options.js';
import { sniffInput } from '../sniff.js';
import { checkOutputPath, readInput, writeAtomic } from '../io.js';

export function register(program: Command): void {
  const cmd = program
    .command('import')
    .description('import a NIR graph (HDF5, NIR 0.1 to 1.0 layouts) as a .bwsnn model, printing how every node was lowered')
    .argument('<file>', 'NIR file (.nir)')
    .requiredOption('-o, --output <file>', 'output model (.bwsnn)')
    .option('-q, --quiet', 'do not print the import summary');
  nirOptions(cmd, '');
  cmd.action(async (file, raw) => {
      const opts = raw as typeof raw & NirCliOptions;
      const nirOpts = parseNirOptions(opts);
      const inputRange = parseInputRange(opts.inputRange);
      checkOutputPath(opts.output);
      sniffInput(file, ['nir'], 'a NIR graph (HDF5)');
      const bytes = readInput(file);
      const nir = await import('../../models/nir/index.js');
      const { graph, summary } = await nir.importNirWithSummaryAsync(bytes, file, nirOpts);
      if (inputRange) graph.inputRange = inputRange;
      const warning = binaryEncodingWarning(graph);
      if (warning) process.stderr.write(`warning: ${file}: ${warning}\n`);
      const out = writeBwsnn(graph);
      writeAtomic(opts.output, out);
      if (!opts.quiet) process.stdout.write(`${nir.formatImportSummary(summary)}\nwrote ${opts.output} (${graph.nodes.length} Graph IR nodes)\n`);
    });
}
