/**
 * The one definition of the NIR import options, shared by every command that reads a .nir file
 * (import, compile, run-less product commands energy/sweep/demo, eval): the same flags, the same
 * defaults (models/nir/lower.ts NIR_IMPORT_DEFAULTS), the same parsing, so one .nir file gives the
 * same model whichever command reads it.
 */
import type { Command } from '@commander-js/extra-typings';
import { BwsnnError } from '../isa/errors.js';
import type { NirImportOptions } from '../models/nir/lower.js';
import { parseInputEncoding, parseNumberOption } from '../models/nir/options.js';
import type { Graph } from '../models/graph.js';
import { binaryEncodingWarning } from '../models/input-check.js';

/** The raw option values as commander gives them. */
export interface NirCliOptions {
  timesteps: string;
  inputEncoding: string;
  weightBits: string;
  dt: string;
  weightScale: string;
  leakTolerance: string;
  ifReset: string;
  name?: string;
  /** LO:HI, the values a sample holds (recorded in the model; eval refuses inputs outside it). */
  inputRange?: string;
}

/** The defaults, as option strings (equal to NIR_IMPORT_DEFAULTS; a test checks it). */
export const NIR_CLI_DEFAULTS: NirCliOptions = {
  timesteps: '4',
  inputEncoding: 'binary:0.5',
  weightBits: '8',
  dt: '1e-4',
  weightScale: 'row',
  leakTolerance: '0.1',
  ifReset: 'nir',
};

/** Add the NIR import options to a command. `prefix` starts each help line (e.g. "NIR input: "). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function nirOptions<C extends Command<any, any, any>>(cmd: C, prefix = 'NIR input: '): C {
  const d = NIR_CLI_DEFAULTS;
  cmd
    .option('--timesteps <T>', `${prefix}time steps per inference (NIR carries none)`, d.timesteps)
    .option('--input-encoding <enc>', `${prefix}binary:THRESHOLD or multibit:K`, d.inputEncoding)
    .option('--weight-bits <k>', `${prefix}bits of non-binary weights (quantized with a per-row or per-layer scale)`, d.weightBits)
    .option('--dt <seconds>', `${prefix}time step for the continuous-time constants (tau -> shift leak)`, d.dt)
    .option('--weight-scale <granularity>', `${prefix}scale of quantized weights: row or layer`, d.weightScale)
    .option('--leak-tolerance <r>', `${prefix}largest relative error of dt/tau vs the shift leak 2^-k`, d.leakTolerance)
    .option('--if-reset <mode>', `${prefix}IF/LIF reset: nir (v = v_reset, NIR's semantics) or subtract (v -= v_threshold, Sinabs/snnTorch default)`, d.ifReset)
    .option('--name <name>', `${prefix}model name (default: the file name)`)
    .option('--input-range <lo:hi>', `${prefix}record the values a sample holds (e.g. 0:1 or 0:255); eval refuses inputs outside it`);
  return cmd;
}

/** Parse the option strings into the importer's options; usage errors (exit 2) name the flag. */
export function parseNirOptions(o: Partial<NirCliOptions> = {}): NirImportOptions {
  const v = { ...NIR_CLI_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) } as NirCliOptions;
  if (v.weightScale !== 'row' && v.weightScale !== 'layer') throw new BwsnnError(`--weight-scale: expected row or layer, got ${JSON.stringify(v.weightScale)}`, 2);
  if (v.ifReset !== 'nir' && v.ifReset !== 'subtract') throw new BwsnnError(`--if-reset: expected nir or subtract, got ${JSON.stringify(v.ifReset)}`, 2);
  return {
    timesteps: parseNumberOption('--timesteps', v.timesteps),
    inputEncoding: parseInputEncoding(v.inputEncoding),
    weightBits: parseNumberOption('--weight-bits', v.weightBits),
    dt: parseNumberOption('--dt', v.dt),
    weightScale: v.weightScale,
    leakTolerance: parseNumberOption('--leak-tolerance', v.leakTolerance),
    ifReset: v.ifReset,
    ...(v.name !== undefined ? { name: v.name } : {}),
  };
}

/** Parse `--input-range LO:HI` (undefined when not given); a usage error (exit 2) otherwise. */
export function parseInputRange(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const m = /^(-?[0-9.eE+-]+):(-?[0-9.eE+-]+)$/.exec(v);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new BwsnnError(`--input-range: expected LO:HI with LO <= HI, got ${JSON.stringify(v)}`, 2);
  return [lo, hi];
}

/**
 * What every command does to a graph it imported from NIR beyond the importer's options: record
 * `--input-range`, and warn (stderr) when a full-precision first layer gets a binary encoding.
 */
export function applyNirExtras(g: Graph, file: string, o: Partial<NirCliOptions> = {}): Graph {
  const range = parseInputRange(o.inputRange);
  if (range) g.inputRange = range;
  const warning = binaryEncodingWarning(g);
  if (warning) process.stderr.write(`warning: ${file}: ${warning}\n`);
  return g;
}
