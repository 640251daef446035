/**
 * State of one core in the reference semantics (simulator/ref): plain arrays, no caches, no
 * scratch buffers, no timing. Each instruction class's file states what an instruction does to it.
 */
import type { ChipConfig } from '../../isa/chip.js';
import type { CoreImage } from '../../isa/container-types.js';

export interface RefCore {
  img: CoreImage;
  chip: ChipConfig;
  regs: Int32Array;
  v: Float64Array;
  acc: [Float64Array, Float64Array];
  out: Uint8Array;
  /** Axon banks, two 32-bit halves per 64-bit word (low first). */
  cur: Uint32Array;
  next: Uint32Array;
  pc: number;
  halted: boolean;
  /** At a SYNC: wait for the phase barrier. */
  atBarrier: boolean;
  /** The CFGW window geometry. */
  cfg: Record<string, number>;
}

/** A flit in flight: a spike word ORed into an axon word, or two partial sums added to accumulators. */
export type RefFlit =
  | { kind: 'spike'; core: number; word: number; next: boolean; lo: number; hi: number }
  | { kind: 'psum'; core: number; neuron: number; bank: number; a: number; b: number };

/** One instruction's semantics: reads and writes the core's state, appends the flits it sends. */
export type RefSemantic = (st: RefCore, a: Readonly<Record<string, number>>, send: RefFlit[]) => void;

/** Bits set in a 32-bit word. */
export function pc32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Saturate to the chip's signed membraneBits. */
export function sat(chip: ChipConfig, v: number): number {
  const lo = -(2 ** (chip.membraneBits - 1));
  const hi = 2 ** (chip.membraneBits - 1) - 1;
  return v < lo ? lo : v > hi ? hi : v;
}
