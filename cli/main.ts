#!/usr/bin/env node
/**
 * The `bwsnn` command line. Exit codes: 0 ok, 1 bad input (one line on stderr naming the file and
 * the place), 2 usage error, 70 internal error ("internal error, please report" with the input's
 * name: any exception that is not a BwsnnError is a bug). A stack trace is printed only with --debug.
 */
import { Command, CommanderError } from '@commander-js/extra-typings';
import { existsSync, statSync } from 'node:fs';
import { AssemblyError, BwsnnError } from '../base/errors.js';
import { oneLine } from '../isa/excerpt.js';
import { COMMANDS } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('bwsnn')
    .description('Compile, simulate and estimate the energy of binary-weight spiking neural networks on the BW-Core chip')
    .version('0.1.0')
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program as unknown as Command);
  return program;
}

/** The command-line arguments naming existing files (the inputs an internal error report names). */
function inputNames(argv: string[]): string[] {
  return argv.slice(2).filter((a) => {
    if (a.startsWith('-')) return false;
    try {
      return existsSync(a) && statSync(a).isFile();
    } catch {
      return false;
    }
  });
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof BwsnnError) {
      // One line per message (an assembler error lists one diagnostic per line), each bounded.
      const lines = e instanceof AssemblyError ? e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`) : [e.message];
      for (const l of lines.slice(0, 100)) process.stderr.write(`bwsnn: ${oneLine(l)}\n`);
      if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    const inputs = inputNames(argv);
    process.stderr.write(
      `bwsnn: internal error, please report${inputs.length ? ` (input: ${inputs.map((a) => oneLine(a, 200)).join(', ')})` : ''}: ${oneLine(String(err?.message ?? e), 500)}\n`,
    );
    if (debug && err?.stack) process.stderr.write(`${err.stack}\n`);
    return 70;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry || process.argv[1]?.endsWith('/bwsnn') || process.argv[1]?.endsWith('cli/main.js')) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
