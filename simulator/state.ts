/** Per-core machine state, all in typed arrays (allocated once per Machine, reset per inference). */
import type { ChipConfig } from '../isa/chip.js';
import { REGISTER_COUNT } from '../isa/table.js';
import type { LoadedCore } from './load.js';
import { makeFireState, type FireState } from './fire-wasm.js';
import type { TimeSlots } from './dataflow-semantics.js';

/** The distinct destination cores of a routing list in first-appearance order, and their X and Y hops from the list's core summed. */
export interface SendDests {
  cores: Int32Array;
  hx: number;
  hy: number;
}

export const RUN = 0;
export const WAIT_SYNC = 1;
export const WAIT_INPUT = 2;
export const HALTED = 3;

/** The last result of one ACC instruction (see CoreState.memo). */
export interface AccMemo {
  rw: number;
  len: number;
  n: number;
  nz: number;
  lo: Int32Array;
  hi: Int32Array;
  off: Int32Array;
  sums: Float64Array;
  valid: boolean;
}

/** The kept result of one ACCW execution (simulator/semantics.ts windowMemo). */
export interface WindowMemo {
  key: number[];
  snap: Uint32Array;
  sums: Float64Array;
  scan: number;
  ops: number;
  sops: number;
  valid: boolean;
}

export class CoreState {
  /** Per ACC address (pc). */
  private readonly memos: (AccMemo | undefined)[] = [];
  readonly img: LoadedCore;
  readonly core: number;
  readonly regs = new Int32Array(REGISTER_COUNT);
  pc = 0;
  /** Address of the instruction being executed (for errors). */
  issuePc = 0;
  /** Step-relative cycle at which the next instruction issues (or the core reached its wait). */
  time = 0;
  state = RUN;
  /** SYNCs passed this step. */
  syncs = 0;
  readonly v: Int32Array;
  /** Synaptic current of current-based (CubaLIF) neurons (JS path only). */
  readonly isyn: Int32Array;
  readonly acc0: Float64Array;
  readonly acc1: Float64Array;
  readonly out: Uint8Array;
  /** The WebAssembly FIRE kernel over v, acc0, acc1, out (undefined: the JS loop). */
  readonly fire: FireState | undefined;
  /** Neurons [0, touched) may be non-zero. */
  touched = 0;
  /** Two axon banks of axonLines 64-bit words, (lo, hi) halves; bank b starts at b * 2 * axonLines. */
  readonly axon: Uint32Array;
  readonly lines: number;
  cur = 0;
  private readonly dirty: Int32Array[];
  private readonly dirtyN = [0, 0];
  private readonly mark: Uint8Array[];
  /** CFGW geometry: inh, inw, cw, kh, kw, sh, sw, ph, pw (inh = 0: not configured). */
  readonly geom = new Int32Array(9);
  /** Cycles issuing instructions / waiting, this inference. */
  busy = 0;
  stall = 0;
  /** Synaptic operations this inference: (input spike bit, synapse) pairs accumulated. */
  sops = 0;
  /** Time slots of the time-batched instructions (simulator/dataflow-semantics.ts), made on first use. */
  slots: TimeSlots | undefined;
  /** Cached per core (simulator/semantics.ts): prefix counts of zero biases, and SEND's destinations per route list. */
  zeroBias: Int32Array | undefined = undefined;
  readonly dests: (SendDests | undefined)[] = [];
  /** The kept ACCW results per instruction address (simulator/semantics.ts windowMemo). */
  readonly windowKept: (WindowMemo[] | undefined)[] = [];

  constructor(img: LoadedCore, chip: ChipConfig) {
    this.img = img;
    this.core = img.core;
    const n = chip.neuronsPerCore;
    // Neuron arrays in a FIRE kernel's WebAssembly memory when available (fire-wasm.ts).
    const fs = img.params.theta.length >= n ? makeFireState(n, img.params) : undefined;
    this.fire = fs;
    this.v = fs ? fs.v : new Int32Array(n);
    this.isyn = new Int32Array(n);
    this.acc0 = fs ? fs.acc0 : new Float64Array(n);
    this.acc1 = fs ? fs.acc1 : new Float64Array(n);
    this.out = fs ? fs.out : new Uint8Array(n);
    this.lines = chip.axonLines;
    this.axon = new Uint32Array(4 * chip.axonLines);
    this.dirty = [new Int32Array(chip.axonLines), new Int32Array(chip.axonLines)];
    this.mark = [new Uint8Array(chip.axonLines), new Uint8Array(chip.axonLines)];
  }

  /** Word offset (index of the lo half) of axon word `w` in bank `bank`. */
  wordAt(bank: number, w: number): number {
    return 2 * (bank * this.lines + w);
  }

  /** OR a 64-bit word into axon word `w` of `bank`. */
  orWord(bank: number, w: number, lo: number, hi: number): void {
    const o = 2 * (bank * this.lines + w);
    this.axon[o] = (this.axon[o] as number) | lo;
    this.axon[o + 1] = (this.axon[o + 1] as number) | hi;
    const m = this.mark[bank] as Uint8Array;
    if (m[w] === 0) {
      m[w] = 1;
      (this.dirty[bank] as Int32Array)[this.dirtyN[bank] as number] = w;
      this.dirtyN[bank] = (this.dirtyN[bank] as number) + 1;
    }
  }

  /** Zero every written word of `bank`. */
  clearBank(bank: number): void {
    const d = this.dirty[bank] as Int32Array;
    const m = this.mark[bank] as Uint8Array;
    const n = this.dirtyN[bank] as number;
    for (let k = 0; k < n; k++) {
      const w = d[k] as number;
      const o = 2 * (bank * this.lines + w);
      this.axon[o] = 0;
      this.axon[o + 1] = 0;
      m[w] = 0;
    }
    this.dirtyN[bank] = 0;
  }

  /**
   * The memo of the ACC at `pc`: valid (its sums reusable) iff the operands and the non-zero
   * axon words are identical to its previous execution in this inference; otherwise it is
   * re-keyed and marked invalid for the caller to fill.
   */
  memo(pc: number, rw: number, len: number, n: number, nz: number, lo: Int32Array, hi: Int32Array, off: Int32Array): AccMemo {
    let m = this.memos[pc];
    if (!m || m.lo.length < nz || m.sums.length < n) {
      const cap = Math.max(nz, m?.lo.length ?? 0);
      m = { rw: -1, len: 0, n: 0, nz: 0, lo: new Int32Array(cap), hi: new Int32Array(cap), off: new Int32Array(cap), sums: new Float64Array(Math.max(n, m?.sums.length ?? 0)), valid: false };
      this.memos[pc] = m;
    }
    let same = m.valid && m.rw === rw && m.len === len && m.n === n && m.nz === nz;
    for (let k = 0; same && k < nz; k++) same = m.lo[k] === lo[k] && m.hi[k] === hi[k] && m.off[k] === off[k];
    if (same) return m;
    m.rw = rw;
    m.len = len;
    m.n = n;
    m.nz = nz;
    // Plain loops: no subarray views to allocate on this hot path.
    const ml = m.lo;
    const mh = m.hi;
    const mo = m.off;
    for (let k = 0; k < nz; k++) {
      ml[k] = lo[k] as number;
      mh[k] = hi[k] as number;
      mo[k] = off[k] as number;
    }
    m.valid = false;
    return m;
  }

  touch(hi: number): void {
    if (hi > this.touched) this.touched = hi;
  }

  /** All state zero: the start of an inference. */
  resetInference(): void {
    const n = this.touched;
    this.v.fill(0, 0, n);
    this.isyn.fill(0, 0, n);
    this.acc0.fill(0, 0, n);
    this.acc1.fill(0, 0, n);
    this.out.fill(0, 0, n);
    this.touched = 0;
    this.clearBank(0);
    this.clearBank(1);
    this.cur = 0;
    this.busy = 0;
    this.stall = 0;
    this.sops = 0;
    this.slots?.reset();
    for (const m of this.memos) if (m) m.valid = false;
  }

  /** Program restart at the start of a time step: pc 0, registers and CFGW geometry zero. */
  resetStep(): void {
    this.pc = 0;
    this.time = 0;
    this.state = this.img.length > 0 ? RUN : HALTED;
    this.syncs = 0;
    this.regs.fill(0);
    this.geom.fill(0);
  }

  /** Step barrier: the next bank becomes current, the new next bank is cleared. */
  swapBanks(): void {
    this.cur ^= 1;
    this.clearBank(this.cur ^ 1);
  }
}
