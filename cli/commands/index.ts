/**
 * Every CLI command registers itself here: one import and one call per command module.
 * Each module exports `register(program)`; keep this list in the order commands appear in --help.
 */
import type { Command } from '@commander-js/extra-typings';

import { register as asm } from './asm.js';
import { register as disasm } from './disasm.js';
import { register as inspect } from './inspect.js';
import { register as chips } from './chips.js';
import { register as evalCmd } from './eval.js';
import { register as importCmd } from './import.js';
import { register as exportCmd } from './export.js';
import { register as run } from './run.js';
import { register as compile } from './compile.js';
import { register as train } from './train.js';

import { register as demo } from './demo.js';
import { register as energy } from './energy.js';
import { register as sweep } from './sweep.js';

type Register = (program: Command) => void;

export const COMMANDS: Register[] = [demo, compile, run, energy, sweep, importCmd, exportCmd, evalCmd, train, asm, disasm, inspect, chips];
