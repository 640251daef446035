/**
 * FIRE of neurons without leak or flags (soft reset, membrane memory) in WebAssembly,
 * hand-assembled like popcount-wasm.ts. Exactly the JS fast path's arithmetic, in f64:
 *   vv = clamp(((v + acc0*g0) + acc1*g1) + bias), s = vv >= theta, if s: vv = clamp(vv - theta),
 * v = trunc(vv) (vv is integer-valued within [vmin, vmax], so trunc equals JS ToInt32), out = s.
 * The clamp is f64.min/f64.max (no NaN occurs; vmin <= vmax; their branches go one way unless the
 * membrane saturates), the spike a select (a conditional move). Measured: about 5 ns per neuron
 * against 10-15 ns for the JS loop (docs/timing.md).
 * The neuron state lives in the kernel's memory (makeFireState): no copies per call.
 */
import { WASM, leb, section, str } from './popcount-wasm.js';

const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const LGET = 0x20, LSET = 0x21, LTEE = 0x22, I32C = 0x41, SELECT = 0x1b;
const I32LOAD = 0x28, F64LOAD = 0x2b, I32STORE = 0x36, I32STORE8 = 0x3a;
const I32GEU = 0x4f, I32ADD = 0x6a, I32SHL = 0x74;
const F64GE = 0x66, F64ADD = 0xa0, F64SUB = 0xa1, F64MUL = 0xa2, F64MIN = 0xa4, F64MAX = 0xa5;
const F64_FROM_I32 = 0xb7, TRUNC_SAT = [0xfc, 0x02]; // i32.trunc_sat_f64_s

// Params: from end (i32), vmin vmax (f64), byte addresses pv pa0 pa1 pg0 pg1 pb pth pout (i32);
// locals: i s spikes (i32), vv th (f64).
const from = 0, end = 1, vmin = 2, vmax = 3, pv = 4, pa0 = 5, pa1 = 6, pg0 = 7, pg1 = 8, pb = 9, pth = 10, pout = 11;
const i = 12, s = 13, sp = 14, vv = 15, th = 16;
const at = (base: number, shift: number): number[] => [LGET, base, LGET, i, ...(shift ? [I32C, shift, I32SHL] : []), I32ADD];
const clamp = [LGET, vmin, F64MAX, LGET, vmax, F64MIN];

const body: number[] = [
  0x02, 0x03, 0x7f, 0x02, 0x7c, // locals: 3 x i32, 2 x f64
  LGET, from, LSET, i,
  BLOCK, VOID,
  LOOP, VOID,
  LGET, i, LGET, end, I32GEU, BR_IF, 1,
  // vv = clamp(((v + acc0*g0) + acc1*g1) + bias)
  ...at(pv, 2), I32LOAD, 2, 0, F64_FROM_I32,
  ...at(pa0, 3), F64LOAD, 3, 0, ...at(pg0, 2), I32LOAD, 2, 0, F64_FROM_I32, F64MUL, F64ADD,
  ...at(pa1, 3), F64LOAD, 3, 0, ...at(pg1, 2), I32LOAD, 2, 0, F64_FROM_I32, F64MUL, F64ADD,
  ...at(pb, 2), I32LOAD, 2, 0, F64_FROM_I32, F64ADD,
  ...clamp, LSET, vv,
  // th = theta; s = vv >= th
  ...at(pth, 2), I32LOAD, 2, 0, F64_FROM_I32, LSET, th,
  // v = trunc(s ? clamp(vv - th) : vv)
  ...at(pv, 2),
  LGET, vv, LGET, th, F64SUB, ...clamp,
  LGET, vv,
  LGET, vv, LGET, th, F64GE, LTEE, s,
  SELECT, ...TRUNC_SAT, I32STORE, 2, 0,
  // out = s; spikes += s
  ...at(pout, 0), LGET, s, I32STORE8, 0, 0,
  LGET, sp, LGET, s, I32ADD, LSET, sp,
  LGET, i, I32C, 1, I32ADD, LSET, i,
  BR, 0,
  END,
  END,
  LGET, sp,
  END,
];

const BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 12, 0x7f, 0x7f, 0x7c, 0x7c, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f]),
  ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x01]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...str('f'), 0x00, 0]),
  ...section(10, [1, ...leb(body.length), ...body]),
]);

/** The parameters the kernel reads (load.ts LoadedParams, padded to the core's neurons). */
export interface FireParams {
  readonly g0: Int32Array;
  readonly g1: Int32Array;
  readonly bias: Int32Array;
  readonly theta: Int32Array;
}

/**
 * One core's neuron state in a kernel's memory: v, acc0, acc1 and out are views of it (CoreState
 * uses them as its arrays), the parameters are copied in once.
 */
export interface FireState {
  readonly v: Int32Array;
  readonly acc0: Float64Array;
  readonly acc1: Float64Array;
  readonly out: Uint8Array;
  /** Fire neurons [rn, rn + n) (no flags, no leak); returns the spike count. Does not clear acc. */
  fire(rn: number, n: number, useBias: boolean, vmin: number, vmax: number): number;
}

let mod: object | undefined | null;

type FireRun = (from: number, end: number, vmin: number, vmax: number, pv: number, pa0: number, pa1: number, pg0: number, pg1: number, pb: number, pth: number, pout: number) => number;

/** Bytes of one arena (more when one core needs more). */
const ARENA_BYTES = 16 * 65536;
let current: { buf: ArrayBuffer; run: FireRun; used: number } | undefined;

/** `size` zeroed bytes at an 8-aligned offset of an arena's memory, with the arena's kernel. */
function arena(size: number): { buf: ArrayBuffer; run: FireRun; at: number } | undefined {
  if (!mod || !WASM) return undefined;
  if (current === undefined || current.used + size > current.buf.byteLength) {
    const pages = Math.ceil(Math.max(ARENA_BYTES, size) / 65536);
    const memory = new WASM.Memory({ initial: pages, maximum: pages });
    const inst = new WASM.Instance(mod, { e: { m: memory } });
    current = { buf: memory.buffer, run: inst.exports.f as FireRun, used: 0 };
  }
  const at = current.used;
  current.used = 8 * Math.ceil((at + size) / 8);
  return { buf: current.buf, run: current.run, at };
}

/** The state of `npc` neurons with `params`, or undefined where WebAssembly is unavailable. */
export function makeFireState(npc: number, params: FireParams): FireState | undefined {
  if (mod === undefined) {
    try {
      mod = WASM ? new WASM.Module(BYTES) : null;
    } catch {
      mod = null;
    }
  }
  if (!mod || !WASM || params.g0.length < npc || params.g1.length < npc || params.bias.length < npc || params.theta.length < npc) return undefined;
  // Layout (bytes): acc0, acc1 (f64), v, g0, g1, bias, zeros, theta (i32), out (u8), all 8-aligned.
  // Each region starts 128 bytes further past an 8-byte boundary than the last: regions of a power
  // of two size would otherwise share address bits 0-11 (4K aliasing between the loads and stores).
  const r8 = 8 * Math.ceil(npc / 2);
  const size = 8 * npc + 128 + 8 * npc + 128 + 6 * (r8 + 128) + npc;
  // Cores share arenas (one memory and one instance per arena): a Machine of many cores, built
  // for every piece of a run with per-layer events, no longer instantiates a module per core.
  const ar = arena(size);
  if (ar === undefined) return undefined;
  const a0 = ar.at, a1 = a0 + 8 * npc + 128, pv = a1 + 8 * npc + 128, g0 = pv + r8 + 128, g1 = g0 + r8 + 128, b = g1 + r8 + 128, z = b + r8 + 128, th = z + r8 + 128, po = th + r8 + 128;
  const run = ar.run;
  const buf = ar.buf;
  new Int32Array(buf, g0, npc).set(params.g0.subarray(0, npc));
  new Int32Array(buf, g1, npc).set(params.g1.subarray(0, npc));
  new Int32Array(buf, b, npc).set(params.bias.subarray(0, npc));
  new Int32Array(buf, th, npc).set(params.theta.subarray(0, npc));
  return {
    v: new Int32Array(buf, pv, npc),
    acc0: new Float64Array(buf, a0, npc),
    acc1: new Float64Array(buf, a1, npc),
    out: new Uint8Array(buf, po, npc),
    fire: (rn, n, useBias, lo, hi) => run(rn, rn + n, lo, hi, pv, a0, a1, g0, g1, useBias ? b : z, th, po),
  };
}
