/**
 * The dense binary popcount kernel in WebAssembly (scalar i64.popcnt, hand-assembled below: no
 * toolchain, no network). For rows i < n of `stride` bytes starting at byte `row`, and a list of
 * nz (axon word, byte offset) pairs, it writes c_i = sum_k popcount(a_k & syn64[row + i*stride
 * + off_k]) as an i32 at out + 4i. The synapse images live in the module's memory (see
 * load.ts), so the JS side keeps plain Uint32Array views of them.
 *
 * Measured on the target MLP (docs/timing.md): several times faster than the 16-bit table or the
 * 32-bit SWAR popcount in JS, and exact (integer popcounts).
 */

/** Unsigned LEB128. */
export function leb(x: number): number[] {
  const out: number[] = [];
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
  return out;
}

export const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

// Opcodes.
const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const LGET = 0x20, LSET = 0x21, I32C = 0x41, I64C = 0x42;
const I32LOAD = 0x28, I64LOAD = 0x29, I32STORE = 0x36;
const I32GEU = 0x4f, I32ADD = 0x6a, I32SHL = 0x74, I64AND = 0x83, I64POPCNT = 0x7b, I64ADD = 0x7c, WRAP = 0xa7;
// Params: n row stride nz a off out; locals: i k (i32), c (i64).
const n = 0, row = 1, stride = 2, nz = 3, a = 4, off = 5, out = 6, i = 7, k = 8, c = 9;

const body: number[] = [
  0x02, 0x02, 0x7f, 0x01, 0x7e, // locals: 2 x i32, 1 x i64
  BLOCK, VOID,
  LOOP, VOID,
  LGET, i, LGET, n, I32GEU, BR_IF, 1,
  I64C, 0, LSET, c,
  I32C, 0, LSET, k,
  BLOCK, VOID,
  LOOP, VOID,
  LGET, k, LGET, nz, I32GEU, BR_IF, 1,
  LGET, c,
  LGET, a, LGET, k, I32C, 3, I32SHL, I32ADD, I64LOAD, 3, 0,
  LGET, row, LGET, off, LGET, k, I32C, 2, I32SHL, I32ADD, I32LOAD, 2, 0, I32ADD, I64LOAD, 3, 0,
  I64AND, I64POPCNT, I64ADD, LSET, c,
  LGET, k, I32C, 1, I32ADD, LSET, k,
  BR, 0,
  END,
  END,
  LGET, out, LGET, i, I32C, 2, I32SHL, I32ADD, LGET, c, WRAP, I32STORE, 2, 0,
  LGET, row, LGET, stride, I32ADD, LSET, row,
  LGET, i, I32C, 1, I32ADD, LSET, i,
  BR, 0,
  END,
  END,
  END,
];

export const str = (s: string): number[] => [...leb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

const BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
  ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x00]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...str('f'), 0x00, 0]),
  ...section(10, [1, ...leb(body.length), ...body]),
]);

/** The part of the WebAssembly JS API used here (the project's TS libs do not declare it). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
export const WASM = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let mod: object | undefined | null;

/** The compiled module, or null where WebAssembly is unavailable. */
function wasmModule(): object | null {
  if (mod === undefined) {
    try {
      mod = WASM ? new WASM.Module(BYTES) : null;
    } catch {
      mod = null;
    }
  }
  return mod ?? null;
}

/** A kernel instance over one memory holding every core's synapse image and the scratch lists. */
export interface PopcountKernel {
  /** The whole memory as 32-bit words. */
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  /** Word (u32) index of the axon-word list (lo, hi per entry), of the offsets, of the output counts. */
  readonly aAt: number;
  readonly offAt: number;
  readonly outAt: number;
  /** Entries the lists hold, rows the output holds. */
  readonly listCap: number;
  readonly rowCap: number;
  /** Run: rows n from byte `row`, `strideBytes` apart, nz listed words. */
  readonly run: (n: number, row: number, strideBytes: number, nz: number, a: number, off: number, out: number) => void;
}

/** Largest memory the kernel may take (bigger binaries run the JS popcount). */
export const KERNEL_MAX_BYTES = 256 * 2 ** 20;

/**
 * Lay out `synBytes` (each a multiple of 8) followed by scratch lists of `listCap` entries and
 * `rowCap` rows; returns the kernel and the byte offset of every image, or undefined (no wasm, or
 * too big).
 */
export function makeKernel(synBytes: number[], listCap: number, rowCap: number): { kernel: PopcountKernel; at: number[] } | undefined {
  const m = wasmModule();
  if (!m || !WASM) return undefined;
  const at: number[] = [];
  let p = 0;
  for (const b of synBytes) {
    at.push(p);
    p += b;
  }
  const aByte = p;
  const offByte = aByte + 8 * listCap;
  const outByte = offByte + 4 * listCap;
  const total = outByte + 4 * rowCap;
  if (total > KERNEL_MAX_BYTES) return undefined;
  const pages = Math.max(1, Math.ceil(total / 65536));
  const memory = new WASM.Memory({ initial: pages, maximum: pages });
  const inst = new WASM.Instance(m, { e: { m: memory } });
  const run = inst.exports.f as PopcountKernel['run'];
  const u32 = new Uint32Array(memory.buffer);
  return {
    kernel: { u32, i32: new Int32Array(memory.buffer), aAt: aByte >> 2, offAt: offByte >> 2, outAt: outByte >> 2, listCap, rowCap, run },
    at,
  };
}
