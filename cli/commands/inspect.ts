/** `bwsnn inspect FILE.bwc [--json]`: sections, cores and model metadata of a container. */
import type { Command } from '@commander-js/extra-typings';
import { readContainer, readDirectory } from '../../isa/container.js';
import { inspectContainer, formatInspect } from '../../isa/inspect.js';
import { readInput } from '../io.js';
import { schemaHeader } from '../results.js';

export function register(program: Command): void {
  program
    .command('inspect')
    .description('show the sections (offsets, sizes, CRCs), cores and model metadata of a .bwc container')
    .argument('<file>', 'container (.bwc)')
    .option('--json', 'print JSON instead of text (docs/schemas/inspect.schema.json)')
    .action((file, opts) => {
      const bytes = readInput(file);
      const c = readContainer(bytes, file);
      const info = inspectContainer(c, readDirectory(bytes), bytes.length);
      process.stdout.write(opts.json ? `${JSON.stringify({ ...schemaHeader('inspect'), ...info }, null, 2)}\n` : formatInspect(info));
    });
}
