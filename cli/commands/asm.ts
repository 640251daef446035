/** `bwsnn asm FILE.s -o OUT.bwc`: assemble a text program into a .bwc container. */
import type { Command } from '@commander-js/extra-typings';
import { writeContainer } from '../../isa/container.js';
import { readText, writeAtomic } from '../io.js';

export function register(program: Command): void {
  program
    .command('asm')
    .description('assemble a BW-Core assembly file into a .bwc container (all errors reported as file:line:column)')
    .argument('<file>', 'assembly source (.s)')
    .requiredOption('-o, --output <file>', 'output container (.bwc)')
    .action(async (file, opts) => {
      // The assembler's parser (chevrotain) takes most of the CLI's start-up: load it only here.
      const { assemble } = await import('../../isa/asm/index.js');
      const c = assemble(readText(file), file);
      writeAtomic(opts.output, writeContainer(c, opts.output));
    });
}
