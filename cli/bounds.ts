/**
 * The simulation budgets on the command line (docs/timing.md, "Bounds"): --max-cycles N per
 * inference and --max-memory BYTES (suffixes K, M, G = 2^10, 2^20, 2^30) per simulation thread.
 */
import { BwsnnError } from '../isa/errors.js';
import { excerpt } from '../isa/excerpt.js';
import { DEFAULT_MAX_CYCLES, DEFAULT_MAX_MEMORY, LOOP_FREE_FACTOR } from '../simulator/bounds.js';

export const MAX_CYCLES_HELP = `stop an inference past N cycles (default: ${LOOP_FREE_FACTOR} x the static bound of a loop-free binary such as every compiled one, at least ${DEFAULT_MAX_CYCLES}; ${DEFAULT_MAX_CYCLES} for a program with branches)`;
export const MAX_MEMORY_HELP = `memory budget of a simulation thread in bytes, suffix K, M or G allowed (default ${DEFAULT_MAX_MEMORY / 2 ** 30}G): refuse a binary whose declared sizes need more, stop staging flits past it`;

export interface BoundCliOptions {
  maxCycles?: string;
  maxMemory?: string;
}

/** The budgets of --max-cycles / --max-memory (undefined: the defaults); a bad value is a usage error (exit 2). */
export function boundsFrom(o: BoundCliOptions): { maxCycles?: number; maxMemory?: number } {
  const out: { maxCycles?: number; maxMemory?: number } = {};
  if (o.maxCycles !== undefined) {
    if (!/^\d{1,16}$/.test(o.maxCycles) || Number(o.maxCycles) < 1) throw new BwsnnError(`--max-cycles must be a positive integer, got ${excerpt(o.maxCycles)}`, 2);
    out.maxCycles = Number(o.maxCycles);
  }
  if (o.maxMemory !== undefined) {
    const m = /^(\d{1,16})([KMG]?)$/i.exec(o.maxMemory);
    const v = m ? Number(m[1]) * 2 ** ({ '': 0, K: 10, M: 20, G: 30 }[(m[2] as string).toUpperCase()] as number) : NaN;
    if (!(v >= 1)) throw new BwsnnError(`--max-memory must be a positive number of bytes (suffix K, M or G allowed), got ${excerpt(o.maxMemory)}`, 2);
    out.maxMemory = v;
  }
  return out;
}
