/** `bwsnn disasm FILE.bwc [-o FILE.s]`: disassemble a container (stdout without -o). */
import type { Command } from '@commander-js/extra-typings';
import { readContainer } from '../../isa/container.js';
import { disassemble } from '../../isa/disasm.js';
import { readInput, writeAtomic } from '../io.js';

export function register(program: Command): void {
  program
    .command('disasm')
    .description('disassemble a .bwc container into assembly that re-assembles to the same bytes')
    .argument('<file>', 'container (.bwc)')
    .option('-o, --output <file>', 'write the assembly here instead of stdout')
    .action((file, opts) => {
      const text = disassemble(readContainer(readInput(file), file));
      if (opts.output) writeAtomic(opts.output, text);
      else process.stdout.write(text);
    });
}
