/**
 * What every instruction does: a map from mnemonic to a small function that changes the core's
 * state and fills in the Activity. Cycles and energy events are never computed here: the engine
 * hands the Activity to the table's `cycles` and `events` (isa/table.ts).
 *
 * Control effects: a function sets `cs.pc` to the next instruction (the engine presets pc + 1)
 * and may put the core into a wait state (SYNC, INPUT, HALT).
 */
import type { ChipConfig } from '../isa/chip.js';
import { ROUTE_NEXT_STEP, ROUTE_PSUM_ACC1, NEURON_CURRENT, NEURON_HARD_RESET, NEURON_NO_MEMORY } from '../isa/container-types.js';
import { decayed } from '../isa/neuron-record.js';
import { INSTRUCTIONS, WMODE, windowOutWidth, type Activity } from '../isa/table.js';
import { slot, type LoadedCore } from './load.js';
import { popcount32 } from './popcount.js';
import { HALTED, WAIT_INPUT, WAIT_SYNC, type CoreState, type WindowMemo } from './state.js';
import { FLIT_AXON, FLIT_PSUM } from './network.js';
import { DATAFLOW_SEMANTICS } from './dataflow-semantics.js';
import { ACT, ACTIVITY_COUNT } from './energy/activity.js';

/** What a semantic function may ask of the engine. */
export interface Exec {
  readonly chip: ChipConfig;
  readonly vmin: number;
  readonly vmax: number;
  /** Index of the current time step, and the steps of the inference (STEP, time slots). */
  readonly stepNo: number;
  readonly timesteps: number;
  /** Queue one flit of the current instruction (injected one per cycle after the instruction's datapath work). */
  stage(dst: number, kind: number, flags: number, addr: number, p0: number, p1: number): void;
  /** Throw a BwsnnError naming the binary, core, step and instruction. */
  fail(cs: CoreState, what: string): never;
  /** Called after FIRE/INTEG updated neurons [from, from+n) (traces). */
  fired?(cs: CoreState, from: number, n: number): void;
  /** Activity counts of this inference, core-major (simulator/energy/activity.ts). */
  readonly activity: Float64Array;
}

export type Semantic = (x: Exec, cs: CoreState, code: Int32Array, b: number, a: Activity) => void;

const S = (m: string, f: string): number => slot(m, f);

// Operand slots, resolved from the table once.
const LI = { rd: S('LI', 'rd'), imm: S('LI', 'imm') };
const ADDI = { rd: S('ADDI', 'rd'), rs: S('ADDI', 'rs'), imm: S('ADDI', 'imm') };
const ADD = { rd: S('ADD', 'rd'), rs: S('ADD', 'rs'), rt: S('ADD', 'rt') };
const BNZD = { rs: S('BNZD', 'rs'), target: S('BNZD', 'target') };
const JMP = { target: S('JMP', 'target') };
const ACC = {
  acc: S('ACC', 'acc'), rn: S('ACC', 'rn'), rw: S('ACC', 'rw'), ra: S('ACC', 'ra'), n: S('ACC', 'n'),
  len: S('ACC', 'len'), wmode: S('ACC', 'wmode'), wq: S('ACC', 'wq'), ap: S('ACC', 'ap'),
};
const CFGW = ['inh', 'inw', 'cw', 'kh', 'kw', 'sh', 'sw', 'ph', 'pw'].map((f) => S('CFGW', f));
const ACCW = {
  acc: S('ACCW', 'acc'), rn: S('ACCW', 'rn'), rw: S('ACCW', 'rw'), ra: S('ACCW', 'ra'), ry: S('ACCW', 'ry'),
  oh: S('ACCW', 'oh'), cout: S('ACCW', 'cout'), wmode: S('ACCW', 'wmode'), wq: S('ACCW', 'wq'), ap: S('ACCW', 'ap'),
};
const ACCS = { acc: S('ACCS', 'acc'), rn: S('ACCS', 'rn'), ra: S('ACCS', 'ra'), n: S('ACCS', 'n'), g: S('ACCS', 'g'), cw: S('ACCS', 'cw') };
const FIRE = { rn: S('FIRE', 'rn'), n: S('FIRE', 'n'), b: S('FIRE', 'b') };
const INTEG = { rn: S('INTEG', 'rn'), n: S('INTEG', 'n'), b: S('INTEG', 'b') };
const SEND = { rn: S('SEND', 'rn'), n: S('SEND', 'n'), route: S('SEND', 'route'), g: S('SEND', 'g'), cw: S('SEND', 'cw') };
const PSUM = { acc: S('PSUM', 'acc'), rn: S('PSUM', 'rn'), n: S('PSUM', 'n'), route: S('PSUM', 'route') };

/** The value of the register named by the operand at `at` of the op stream. */
export function reg(cs: CoreState, code: Int32Array, at: number): number {
  return cs.regs[code[at] as number] as number;
}

function setReg(cs: CoreState, r: number, v: number): void {
  if (r !== 0) cs.regs[r] = v | 0;
}

export function checkNeurons(x: Exec, cs: CoreState, rn: number, n: number, what: string): void {
  if (rn < 0 || rn + n > cs.v.length) x.fail(cs, `${what} neurons ${rn}..${rn + n - 1} are outside neuronsPerCore = ${cs.v.length}`);
  cs.touch(rn + n);
}

export function checkAxon(x: Exec, cs: CoreState, first: number, last: number, what: string): void {
  if (first < 0 || last >= cs.lines) x.fail(cs, `${what} axon words ${first}..${last} are outside axonLines = ${cs.lines}`);
}

export function checkSyn(x: Exec, cs: CoreState, first: number, words: number, what: string): void {
  const have = cs.img.syn.length >> 1;
  if (first < 0 || first + words > have) x.fail(cs, `${what} synapse words ${first}..${first + words - 1} are outside the synapse image (${have} words)`);
}

/** Popcount of every 16-bit value (hot loops: two lookups per 32-bit half). */
const PC16 = new Uint8Array(65536);
for (let i = 1; i < 65536; i++) PC16[i] = PC16[i >> 1]! + (i & 1);

// Scratch for the non-zero axon words of one accumulate (grown on demand).
let nzLo = new Int32Array(1024);
let nzHi = new Int32Array(1024);
let nzPc = new Int32Array(1024);
let nzOff = new Int32Array(1024);
let nzW = new Float64Array(1024);
// Scratch for SEND's packed bit stream, (lo, hi) halves per word.
let sendBuf = new Int32Array(256);
function ensureNz(n: number): void {
  if (nzLo.length >= n) return;
  const k = Math.max(n, 2 * nzLo.length);
  nzLo = new Int32Array(k);
  nzHi = new Int32Array(k);
  nzPc = new Int32Array(k);
  nzOff = new Int32Array(k);
  nzW = new Float64Array(k);
}

/**
 * Sum over the listed non-zero axon words (count nz) of weight * W(row, word) for the weight row
 * whose plane q word for list entry k is syn[2*(rowBase + q*planeWords + nzOff[k])]; the plane
 * weight of entry k is nzW[k] (2^p), or 1 for every entry when `unit`. The general path where no
 * decoded weight table applies (see `decodedWeights`).
 */
function dot(syn: Uint32Array, rowBase: number, planeWords: number, nz: number, wmode: number, wq: number, unit: boolean): number {
  const lo = nzLo, hi = nzHi, off = nzOff, pa = nzPc, wt = nzW;
  let sum = 0;
  for (let q = 0; q < wq; q++) {
    const pb = 2 * (rowBase + q * planeWords);
    let s = 0;
    if (unit) {
      for (let k = 0; k < nz; k++) {
        const o = pb + 2 * off[k]!;
        const x = lo[k]! & syn[o]!;
        const y = hi[k]! & syn[o + 1]!;
        s += PC16[x & 0xffff]! + PC16[x >>> 16]! + PC16[y & 0xffff]! + PC16[y >>> 16]!;
      }
      if (wmode === WMODE.binary) {
        let p = 0;
        for (let k = 0; k < nz; k++) p += pa[k]!;
        s = 2 * s - p;
      }
    } else {
      for (let k = 0; k < nz; k++) {
        const o = pb + 2 * off[k]!;
        const x = lo[k]! & syn[o]!;
        const y = hi[k]! & syn[o + 1]!;
        const c = PC16[x & 0xffff]! + PC16[x >>> 16]! + PC16[y & 0xffff]! + PC16[y >>> 16]!;
        s += wt[k]! * (wmode === WMODE.binary ? 2 * c - pa[k]! : c);
      }
    }
    const scale = 2 ** q;
    sum += wmode === WMODE.sint && q === wq - 1 ? -scale * s : scale * s;
  }
  return sum;
}

/**
 * Decoded weight tables: the W of `dot` is linear in the axon bits, so a row's planes fold into
 * one integer weight per (word, bit): binary sum_q 2^q (2b_q - 1), unsigned sum_q 2^q b_q, two's
 * complement the same with plane wq-1 negative. Stored bit-major, rows innermost:
 * t[(word*64 + bit)*n + i] for rows i < n of `len` words whose plane q of row i starts at synapse
 * word rw + (i*wq + q)*len. Every sum of integer products below 2^53 is exact in any order, so the
 * multi-plane dot product becomes one multiply-add per set axon bit and row: the same numbers.
 * Built once per (image, rw, len, n, wq, wmode) and kept with the image (synapse memory is read-only).
 */
const DECODED = new WeakMap<Uint32Array, Map<string, Float64Array>>();

let decodedOn = true;
/**
 * Tests only: false runs the per-position popcount paths (`dot`, `accBin`) without the decoded
 * tables and without the kept ACCW results, for differential tests of whole results.
 */
export function setDecodedAccumulate(on: boolean): void {
  decodedOn = on;
}
/** Largest decoded table (entries) per block, and all of an image's tables together (8 MiB); beyond, `dot`. */
const DECODED_MAX = 1 << 18;
const DECODED_IMAGE_MAX = 1 << 20;
const decodedEntries = new WeakMap<Uint32Array, number>();

function decodedWeights(syn: Uint32Array, rw: number, len: number, n: number, wq: number, wmode: number): Float64Array | undefined {
  if (!decodedOn || len * 64 * n > DECODED_MAX) return undefined;
  let m = DECODED.get(syn);
  if (m === undefined) {
    m = new Map();
    DECODED.set(syn, m);
  }
  const key = `${rw},${len},${n},${wq},${wmode}`;
  let t = m.get(key);
  if (t !== undefined) return t;
  const total = (decodedEntries.get(syn) ?? 0) + len * 64 * n;
  if (total > DECODED_IMAGE_MAX) return undefined;
  decodedEntries.set(syn, total);
  t = new Float64Array(len * 64 * n);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < wq; q++) {
      const sc = wmode === WMODE.sint && q === wq - 1 ? -(2 ** q) : 2 ** q;
      const pb = 2 * (rw + (i * wq + q) * len);
      for (let j = 0; j < len; j++) {
        const lo = syn[pb + 2 * j]!;
        const hi = syn[pb + 2 * j + 1]!;
        for (let bit = 0; bit < 64; bit++) {
          const b = bit < 32 ? (lo >>> bit) & 1 : (hi >>> (bit - 32)) & 1;
          const at = (j * 64 + bit) * n + i;
          t[at] = t[at]! + (wmode === WMODE.binary ? sc * (2 * b - 1) : sc * b);
        }
      }
    }
  }
  m.set(key, t);
  return t;
}

/**
 * The listed non-zero axon words (count nz, plane weights nzW) against a decoded table of n rows:
 * out[base + i] += sum over the set bits of the words of nzW[k] * t[(nzOff[k]*64 + bit)*n + i].
 */
function accDecoded(out: Float64Array, base: number, n: number, t: Float64Array, nz: number): void {
  for (let k = 0; k < nz; k++) {
    const w = nzW[k]!;
    const tb = nzOff[k]! * 64;
    for (let h = 0; h < 2; h++) {
      let x = h === 0 ? nzLo[k]! : nzHi[k]!;
      while (x !== 0) {
        const lowest = x & -x;
        x ^= lowest;
        const r = (tb + 32 * h + 31 - Math.clz32(lowest)) * n;
        for (let i = 0; i < n; i++) out[base + i] = out[base + i]! + w * t[r + i]!;
      }
    }
  }
}

/** Room for n rows of sums (ACC's decoded path). */
let rowSums = new Float64Array(256);

/**
 * Dense binary single-plane fast path: for i < n, out[base + i] (+)= sum over the nz listed axon
 * words of 2*popcount(a & b) - popcount(a), row i at synapse word rw + i*len (added when `add`).
 * Runs the WebAssembly kernel when the core's image lives in its memory, else the JS popcount.
 */
function accBin(out: Float64Array, base: number, add: boolean, n: number, img: LoadedCore, rw: number, len: number, nz: number, lo: Int32Array, hi: Int32Array, pa: Int32Array, off: Int32Array): void {
  let paSum = 0;
  for (let k = 0; k < nz; k++) paSum += pa[k]!;
  const K = img.kernel;
  if (K !== undefined && nz <= K.listCap && n <= K.rowCap) {
    const u = K.u32;
    const ki = K.i32;
    const a = K.aAt;
    const o = K.offAt;
    for (let k = 0; k < nz; k++) {
      u[a + 2 * k] = lo[k]!;
      u[a + 2 * k + 1] = hi[k]!;
      ki[o + k] = 8 * off[k]!;
    }
    K.run(n, img.synByte + 8 * rw, 8 * len, nz, 4 * a, 4 * o, 4 * K.outAt);
    const r = K.outAt;
    if (add) for (let i = 0; i < n; i++) out[base + i] = out[base + i]! + (2 * ki[r + i]! - paSum);
    else for (let i = 0; i < n; i++) out[base + i] = 2 * ki[r + i]! - paSum;
    return;
  }
  const syn = img.syn;
  for (let i = 0; i < n; i++) {
    const rb = 2 * (rw + i * len);
    let c = 0;
    for (let k = 0; k < nz; k++) {
      const o = rb + 2 * off[k]!;
      const x = lo[k]! & syn[o]!;
      const y = hi[k]! & syn[o + 1]!;
      c += PC16[x & 0xffff]! + PC16[x >>> 16]! + PC16[y & 0xffff]! + PC16[y >>> 16]!;
    }
    out[base + i] = add ? out[base + i]! + (2 * c - paSum) : 2 * c - paSum;
  }
}

/** FIRE of neurons without leak or flags (soft reset); returns the spikes. */
function fireSimple(v: Int32Array, acc0: Float64Array, acc1: Float64Array, out: Uint8Array, g0: Int32Array, g1: Int32Array, bias: Int32Array | undefined, theta: Int32Array, rn: number, n: number, vmin: number, vmax: number): number {
  let spikes = 0;
  const end = rn + n;
  for (let k = rn; k < end; k++) {
    let vv = v[k]! + acc0[k]! * g0[k]! + acc1[k]! * g1[k]!;
    if (bias !== undefined) vv += bias[k]!;
    if (vv > vmax) vv = vmax;
    else if (vv < vmin) vv = vmin;
    acc0[k] = 0;
    acc1[k] = 0;
    const th = theta[k]!;
    if (vv >= th) {
      spikes++;
      vv -= th;
      if (vv > vmax) vv = vmax;
      else if (vv < vmin) vv = vmin;
      out[k] = 1;
    } else out[k] = 0;
    v[k] = vv;
  }
  return spikes;
}

/**
 * One neuron's update from its accumulated inputs (a0, a1): leak, decay, drive (through the
 * synaptic current for CubaLIF neurons), saturation, threshold and reset. Writes cs.v[k] (and
 * cs.isyn[k]); returns the spike (0 when `fire` is false). The general FIRE/INTEG and the
 * time-batched FIRET/INTEGT (dataflow-semantics.ts) both step neurons with it.
 */
export function neuronStep(cs: CoreState, k: number, a0: number, a1: number, useBias: number, fire: boolean, vmin: number, vmax: number): number {
  const p = cs.img.params;
  const fl = p.flags[k]!;
  let vv = fl & NEURON_NO_MEMORY ? 0 : cs.v[k]!;
  const lk = p.leak[k]!;
  if (lk > 0) vv -= Math.floor(vv / 2 ** lk);
  vv = decayed(vv, p.decay[k]!);
  let drive = a0 * p.g0[k]! + a1 * p.g1[k]!;
  if (useBias) drive += p.bias[k]!;
  if (fl & NEURON_CURRENT) {
    // CubaLIF: the drive feeds the synaptic current (its own decay), the current feeds v.
    let ii = decayed(cs.isyn[k]!, p.sdecay[k]!) + drive;
    ii = ii < vmin ? vmin : ii > vmax ? vmax : ii;
    cs.isyn[k] = ii;
    vv += ii;
  } else vv += drive;
  vv = vv < vmin ? vmin : vv > vmax ? vmax : vv;
  let o = 0;
  if (fire && vv >= p.theta[k]!) {
    o = 1;
    if (fl & NEURON_HARD_RESET) vv = p.vreset[k]!;
    else {
      vv -= p.theta[k]!;
      vv = vv < vmin ? vmin : vv > vmax ? vmax : vv;
    }
  }
  cs.v[k] = vv;
  return o;
}

/** Prefix counts of zero biases (z[k] = zero biases among 0..k-1) of a core (its biases are read-only). */
function zeroBiases(cs: CoreState): Int32Array {
  let z = cs.zeroBias;
  if (z === undefined) {
    const bias = cs.img.params.bias;
    z = new Int32Array(bias.length + 1);
    for (let k = 0; k < bias.length; k++) z[k + 1] = z[k]! + (bias[k] === 0 ? 1 : 0);
    cs.zeroBias = z;
  }
  return z;
}

function neuronUpdate(x: Exec, cs: CoreState, rn: number, n: number, useBias: number, fire: boolean, a: Activity): void {
  checkNeurons(x, cs, rn, n, fire ? 'FIRE' : 'INTEG');
  const p = cs.img.params;
  const { v, acc0, acc1, out, isyn } = cs;
  const flags = p.flags, g0 = p.g0, g1 = p.g1, bias = p.bias, theta = p.theta;
  const vmin = x.vmin;
  const vmax = x.vmax;
  let spikes = 0;
  // Activity: every neuron is updated; active if its input, membrane or bias is non-zero.
  let active = 0;
  const zb = useBias ? zeroBiases(cs) : undefined;
  if (zb !== undefined && zb[rn + n] === zb[rn]) active = n; // every bias non-zero
  else {
    for (let k = rn; k < rn + n; k++) {
      if (acc0[k] !== 0 || acc1[k] !== 0 || (v[k] !== 0 && !(flags[k]! & NEURON_NO_MEMORY)) || isyn[k] !== 0 || (useBias && bias[k] !== 0)) active++;
    }
  }
  const ab = cs.core * ACTIVITY_COUNT;
  const av = x.activity;
  av[ab + ACT.neuronUpdates]! += n;
  av[ab + ACT.neuronUpdatesActive]! += active;
  if (fire && p.complex[rn + n] === p.complex[rn]) {
    // No leak, no flags: soft reset, membrane memory.
    a.n = n;
    const fs = cs.fire;
    if (fs !== undefined && vmin >= -2147483648 && vmax <= 2147483647) {
      // The WebAssembly kernel over the state's own memory (fire-wasm.ts): the same f64 arithmetic.
      a.spikes = fs.fire(rn, n, useBias !== 0, vmin, vmax);
      acc0.fill(0, rn, rn + n);
      acc1.fill(0, rn, rn + n);
    } else a.spikes = fireSimple(v, acc0, acc1, out, g0, g1, useBias ? bias : undefined, theta, rn, n, vmin, vmax);
    av[ab + ACT.spikesOut]! += a.spikes;
    x.fired?.(cs, rn, n);
    return;
  }
  for (let k = rn; k < rn + n; k++) {
    const o = neuronStep(cs, k, acc0[k]!, acc1[k]!, useBias, fire, vmin, vmax);
    acc0[k] = 0;
    acc1[k] = 0;
    spikes += o;
    out[k] = o;
  }
  a.n = n;
  a.spikes = spikes;
  av[ab + ACT.spikesOut]! += spikes;
  x.fired?.(cs, rn, n);
}

/**
 * Send the spikes spikes[from .. from+n) to axon words from `base` of core `dest`: neuron i at bit
 * floor(i/g)*cw*64 + bitOffset + (i mod g); one flit per non-zero word, in word order. Returns the
 * flits staged (SEND's general path and SENDT's slots, dataflow-semantics.ts).
 */
export function packSpikes(x: Exec, dest: number, flags: number, base: number, spikes: Uint8Array, from: number, n: number, g: number, cw: number, bitOffset: number): number {
  let flits = 0;
  let curW = -1;
  let lo = 0;
  let hi = 0;
  let i = 0;
  for (let gbase = bitOffset; i < n; gbase += cw * 64) {
    const end = i + g < n ? i + g : n;
    for (let bit = gbase; i < end; i++, bit++) {
      if (spikes[from + i] === 0) continue;
      const w = bit >>> 6;
      if (w !== curW) {
        if (curW >= 0) {
          x.stage(dest, FLIT_AXON, flags, base + curW, lo >>> 0, hi >>> 0);
          flits++;
        }
        curW = w;
        lo = 0;
        hi = 0;
      }
      const bb = bit & 63;
      if (bb < 32) lo |= 1 << bb;
      else hi |= 1 << (bb - 32);
    }
  }
  if (curW >= 0) {
    x.stage(dest, FLIT_AXON, flags, base + curW, lo >>> 0, hi >>> 0);
    flits++;
  }
  return flits;
}

/**
 * Activity of a SEND: each spike of neurons [rn, rn+n) is one message per distinct destination
 * core of the route list, crossing |dx| + |dy| links of the mesh (XY routing).
 */
function sendActivity(x: Exec, cs: CoreState, route: number, list: readonly { core: number }[], rn: number, n: number): void {
  let spikes = 0;
  const out = cs.out;
  for (let k = rn; k < rn + n; k++) spikes += out[k]!;
  if (spikes === 0) return;
  const av = x.activity;
  const ab = cs.core * ACTIVITY_COUNT;
  av[ab + ACT.spikesSent]! += spikes;
  let dests = cs.dests[route];
  if (dests === undefined) {
    // The list's distinct destination cores and their X and Y hops from this core, summed.
    const mx = x.chip.meshX;
    const sx = cs.core % mx;
    const sy = Math.floor(cs.core / mx);
    const cores: number[] = [];
    for (let i = 0; i < list.length; i++) {
      const d = list[i]!.core;
      if (!cores.includes(d)) cores.push(d);
    }
    let hx = 0;
    let hy = 0;
    for (const d of cores) {
      hx += Math.abs((d % mx) - sx);
      hy += Math.abs(Math.floor(d / mx) - sy);
    }
    dests = { cores: Int32Array.from(cores), hx, hy };
    cs.dests[route] = dests;
  }
  // Integer-valued sums far below 2^53: one add of spikes x (destinations, hops) is exact.
  const cores = dests.cores;
  av[ab + ACT.messages]! += spikes * cores.length;
  for (let i = 0; i < cores.length; i++) av[cores[i]! * ACTIVITY_COUNT + ACT.messagesIn]! += spikes;
  av[ab + ACT.hopsX]! += spikes * dests.hx;
  av[ab + ACT.hopsY]! += spikes * dests.hy;
}

/**
 * The results of ACCW executions, per core and per (instruction address, operands, geometry):
 * valid iff the axon words it reads are those of that previous execution (synapse memory is
 * read-only), so the same sums, scan and ops. It keeps every (address, operands) of a core
 * (up to WINDOW_MEMO_MAX), so a loop over output rows reuses each row's result in the next
 * time step (direct-encoded inputs repeat every step). Results are pure functions of the key and
 * the words: reuse across inferences is exact as well. They live in CoreState.windowKept, by
 * instruction address; WINDOW_MEMO_MAX entries per address (beyond it, new keys are computed
 * without being kept).
 */
const WINDOW_MEMO_MAX = 256;
/** The operands and geometry of an ACCW (see windowKey), its memo. */
interface KeptWindow extends WindowMemo {
  ops17: Int32Array;
  /** Executions that found the words changed, and that reused the result. */
  misses: number;
  hits: number;
}
/** A key whose words changed this many times without ever repeating is no longer kept (spikes). */
const WINDOW_MEMO_GIVE_UP = 16;
const KEY_LEN = 17;
const windowKey = new Int32Array(KEY_LEN);
const spare: KeptWindow = { key: [], ops17: new Int32Array(KEY_LEN), misses: 0, hits: 0, snap: new Uint32Array(0), sums: new Float64Array(0), scan: 0, ops: 0, sops: 0, valid: false };

/** The kept result of the ACCW at `pc` whose operands and geometry are windowKey (see above). */
function windowMemo(cs: CoreState, pc: number, ax: Uint32Array, from: number, halves: number, n: number): WindowMemo {
  if (!decodedOn) {
    if (spare.sums.length < n) spare.sums = new Float64Array(n);
    spare.valid = false;
    return spare;
  }
  let list = cs.windowKept[pc] as KeptWindow[] | undefined;
  if (list === undefined) {
    list = [];
    cs.windowKept[pc] = list;
  }
  let m: KeptWindow | undefined;
  for (let e = 0; e < list.length && m === undefined; e++) {
    const k = list[e]!.ops17;
    let i = 0;
    while (i < KEY_LEN && k[i] === windowKey[i]) i++;
    if (i === KEY_LEN) m = list[e];
  }
  if (m === undefined) {
    if (list.length >= WINDOW_MEMO_MAX) {
      if (spare.sums.length < n) spare.sums = new Float64Array(n);
      spare.valid = false;
      return spare;
    }
    m = { key: [], ops17: windowKey.slice(), misses: 0, hits: 0, snap: new Uint32Array(halves), sums: new Float64Array(n), scan: 0, ops: 0, sops: 0, valid: false };
    list.push(m);
  } else if (m.hits === 0 && m.misses >= WINDOW_MEMO_GIVE_UP) {
    m.valid = false;
    return m;
  } else if (m.valid) {
    const snap = m.snap;
    let k = 0;
    while (k < halves && snap[k] === ax[from + k]) k++;
    if (k === halves) {
      m.hits++;
      return m;
    }
    m.misses++;
  }
  m.snap.set(ax.subarray(from, from + halves));
  m.valid = false;
  return m;
}

// Scratch of windowDecoded: per axon word r of the window's input rows, its non-zero planes, its
// set bits over all planes, and its distinct set bits (spBit) with their plane-weighted value
// sum_p 2^p b_p (spVal), entries rStart[r] .. rStart[r+1].
let rNz = new Int32Array(1024);
let rPc = new Int32Array(1024);
let rStart = new Int32Array(1025);
let spBit = new Int32Array(4096);
let spVal = new Float64Array(4096);
// Scan and ops of the last windowDecoded.
let wScan = 0;
let wOps = 0;

/** Input words [wR0, wR1) of the rows an ACCW of output rows ry .. ry+oh-1 reads (set by windowRows). */
let wR0 = 0;
let wR1 = 0;

/**
 * The input rows that output rows ry .. ry+oh-1 of CFGW geometry g read, as word indexes
 * [wR0, wR1) of the input region (empty when they all fall in the padding), with the per-word
 * scratch (rNz, rPc, rStart) grown to the region; returns the region's size in words.
 */
function windowRows(g: Int32Array, ry: number, oh: number): number {
  const inh = g[0]!, inw = g[1]!, cw = g[2]!, kh = g[3]!, sh = g[5]!, ph = g[7]!;
  const region = inh * inw * cw;
  const iy0 = Math.max(0, ry * sh - ph);
  const iy1 = Math.min(inh - 1, (ry + oh - 1) * sh + kh - 1 - ph);
  wR0 = iy0 * inw * cw;
  wR1 = iy1 >= iy0 ? (iy1 + 1) * inw * cw : wR0;
  if (rNz.length < region) {
    rNz = new Int32Array(region);
    rPc = new Int32Array(region);
    rStart = new Int32Array(region + 1);
  }
  return region;
}

/**
 * ACCW over a decoded weight table (every weight coding; see decodedWeights): each axon word of
 * the rows the window reads is decoded once (planes combined into a value per set bit), then
 * every output position adds value * weight over the set bits of its in-range window words.
 * Counts exactly what the per-position gather counts: scan (in-range words x ap), ops
 * (cout * wq * non-zero words), SOPs (cout * set bits).
 */
function windowDecoded(cs: CoreState, out: Float64Array, t: Float64Array, base: number, ry: number, oh: number, outw: number, cout: number, wq: number, ap: number, g: Int32Array): void {
  const inh = g[0]!, inw = g[1]!, cw = g[2]!, kh = g[3]!, kw = g[4]!, sh = g[5]!, sw = g[6]!, ph = g[7]!, pw = g[8]!;
  const region = windowRows(g, ry, oh);
  const r0 = wR0;
  const r1 = wR1;
  const ax = cs.axon;
  let ns = 0;
  for (let r = r0; r < r1; r++) {
    rStart[r] = ns;
    let nzc = 0;
    let pcs = 0;
    let ulo = 0;
    let uhi = 0;
    for (let p = 0; p < ap; p++) {
      const o = base + 2 * (p * region + r);
      const lo = ax[o]!;
      const hi = ax[o + 1]!;
      if ((lo | hi) !== 0) {
        nzc++;
        pcs += popcount32(lo) + popcount32(hi);
        ulo |= lo;
        uhi |= hi;
      }
    }
    rNz[r] = nzc;
    rPc[r] = pcs;
    if (nzc === 0) continue;
    if (spBit.length < ns + 64) {
      const k = Math.max(ns + 64, 2 * spBit.length);
      const b2 = new Int32Array(k);
      b2.set(spBit.subarray(0, ns));
      spBit = b2;
      const v2 = new Float64Array(k);
      v2.set(spVal.subarray(0, ns));
      spVal = v2;
    }
    for (let h = 0; h < 2; h++) {
      let u = h === 0 ? ulo : uhi;
      while (u !== 0) {
        const lowest = u & -u;
        u ^= lowest;
        const sh32 = 31 - Math.clz32(lowest);
        let v = 0;
        for (let p = 0; p < ap; p++) v += ((ax[base + 2 * (p * region + r) + h]! >>> sh32) & 1) << p;
        spBit[ns] = 32 * h + sh32;
        spVal[ns] = v;
        ns++;
      }
    }
  }
  rStart[r1] = ns;
  let scan = 0;
  let ops = 0;
  let sops = 0;
  for (let y = ry; y < ry + oh; y++) {
    for (let xx = 0; xx < outw; xx++) {
      const nb = ((y - ry) * outw + xx) * cout;
      let nz = 0;
      let bits = 0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = y * sh + ky - ph;
        if (iy < 0 || iy >= inh) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = xx * sw + kx - pw;
          if (ix < 0 || ix >= inw) continue;
          scan += ap * cw;
          for (let j = 0; j < cw; j++) {
            const r = (iy * inw + ix) * cw + j;
            const c = rNz[r]!;
            if (c === 0) continue;
            nz += c;
            bits += rPc[r]!;
            const tw = ((ky * kw + kx) * cw + j) * 64;
            const e = rStart[r + 1]!;
            for (let s = rStart[r]!; s < e; s++) {
              const tb = (tw + spBit[s]!) * cout;
              const v = spVal[s]!;
              for (let i = 0; i < cout; i++) out[nb + i] = out[nb + i]! + v * t[tb + i]!;
            }
          }
        }
      }
      ops += cout * wq * nz;
      if (nz !== 0) sops += cout * bits;
    }
  }
  cs.sops += sops;
  wScan = scan;
  wOps = ops;
}

/**
 * Binary single-plane ACCW on the WebAssembly popcount kernel: each axon word of the rows the
 * window reads is looked at once (non-zero, popcount), each output position's non-zero window
 * words are listed straight into the kernel's memory and its cout rows counted in one call:
 * out[pos*cout + c] += 2*popcount(a & w) - popcount(a) summed over them, as accBin. Counts scan,
 * ops and SOPs as the per-position gather does. False (nothing done) without the kernel.
 */
function windowBinary(cs: CoreState, out: Float64Array, base: number, ry: number, oh: number, outw: number, cout: number, rw: number, kwords: number, g: Int32Array): boolean {
  const img = cs.img;
  const K = img.kernel;
  if (K === undefined || !decodedOn || kwords > K.listCap || cout > K.rowCap) return false;
  const inh = g[0]!, inw = g[1]!, cw = g[2]!, kh = g[3]!, kw = g[4]!, sh = g[5]!, sw = g[6]!, ph = g[7]!, pw = g[8]!;
  windowRows(g, ry, oh);
  const r0 = wR0;
  const r1 = wR1;
  const ax = cs.axon;
  for (let r = r0; r < r1; r++) {
    const lo = ax[base + 2 * r]!;
    const hi = ax[base + 2 * r + 1]!;
    rNz[r] = (lo | hi) !== 0 ? 1 : 0;
    rPc[r] = popcount32(lo) + popcount32(hi);
  }
  const u = K.u32;
  const ki = K.i32;
  const la = K.aAt;
  const lo8 = K.offAt;
  const res = K.outAt;
  const row = img.synByte + 8 * rw;
  const stride = 8 * kwords;
  let scan = 0;
  let ops = 0;
  let sops = 0;
  for (let y = ry; y < ry + oh; y++) {
    for (let xx = 0; xx < outw; xx++) {
      let nz = 0;
      let bits = 0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = y * sh + ky - ph;
        if (iy < 0 || iy >= inh) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = xx * sw + kx - pw;
          if (ix < 0 || ix >= inw) continue;
          scan += cw;
          const rb = (iy * inw + ix) * cw;
          const tb = (ky * kw + kx) * cw;
          for (let j = 0; j < cw; j++) {
            const r = rb + j;
            if (rNz[r] === 0) continue;
            const o = base + 2 * r;
            u[la + 2 * nz] = ax[o]!;
            u[la + 2 * nz + 1] = ax[o + 1]!;
            ki[lo8 + nz] = 8 * (tb + j);
            bits += rPc[r]!;
            nz++;
          }
        }
      }
      ops += cout * nz;
      if (nz === 0) continue;
      sops += cout * bits;
      K.run(cout, row, stride, nz, 4 * la, 4 * lo8, 4 * res);
      const nb = ((y - ry) * outw + xx) * cout;
      for (let i = 0; i < cout; i++) out[nb + i] = out[nb + i]! + (2 * ki[res + i]! - bits);
    }
  }
  cs.sops += sops;
  wScan = scan;
  wOps = ops;
  return true;
}

export const SEMANTICS: ReadonlyMap<string, Semantic> = new Map<string, Semantic>([
  ['NOP', () => {}],
  ['HALT', (_x, cs) => {
    cs.state = HALTED;
  }],
  ['SYNC', (_x, cs) => {
    cs.state = WAIT_SYNC;
  }],
  ['INPUT', (_x, cs) => {
    cs.state = WAIT_INPUT;
  }],
  ['LI', (_x, cs, code, b) => setReg(cs, code[b + LI.rd] as number, code[b + LI.imm] as number)],
  ['ADDI', (_x, cs, code, b) => setReg(cs, code[b + ADDI.rd] as number, reg(cs, code, b + ADDI.rs) + (code[b + ADDI.imm] as number))],
  ['ADD', (_x, cs, code, b) => setReg(cs, code[b + ADD.rd] as number, reg(cs, code, b + ADD.rs) + reg(cs, code, b + ADD.rt))],
  ['BNZD', (_x, cs, code, b, a) => {
    const r = code[b + BNZD.rs] as number;
    const v = ((cs.regs[r] as number) - 1) | 0;
    setReg(cs, r, v);
    if (v !== 0) {
      a.taken = 1;
      cs.pc = code[b + BNZD.target] as number;
    }
  }],
  ['JMP', (_x, cs, code, b, a) => {
    a.taken = 1;
    cs.pc = code[b + JMP.target] as number;
  }],
  ['ACC', (x, cs, code, b, a) => {
    const rn = reg(cs, code, b + ACC.rn);
    const rw = reg(cs, code, b + ACC.rw);
    const ra = reg(cs, code, b + ACC.ra);
    const n = code[b + ACC.n] as number;
    const len = code[b + ACC.len] as number;
    const wmode = code[b + ACC.wmode] as number;
    const wq = code[b + ACC.wq] as number;
    const ap = code[b + ACC.ap] as number;
    checkNeurons(x, cs, rn, n, 'ACC');
    checkAxon(x, cs, ra, ra + ap * len - 1, 'ACC');
    checkSyn(x, cs, rw, n * wq * len, 'ACC');
    ensureNz(ap * len);
    const ax = cs.axon;
    const base = cs.wordAt(cs.cur, ra);
    let nz = 0;
    for (let p = 0; p < ap; p++) {
      for (let j = 0; j < len; j++) {
        const o = base + 2 * (p * len + j);
        const lo = ax[o] as number;
        const hi = ax[o + 1] as number;
        if ((lo | hi) !== 0) {
          nzLo[nz] = lo;
          nzHi[nz] = hi;
          nzPc[nz] = popcount32(lo) + popcount32(hi);
          nzOff[nz] = j;
          nzW[nz] = 1 << p;
          nz++;
        }
      }
    }
    const acc = code[b + ACC.acc] ? cs.acc1 : cs.acc0;
    const syn = cs.img.syn;
    let bits = 0;
    for (let k = 0; k < nz; k++) bits += nzPc[k] as number;
    cs.sops += n * bits;
    if (nz > 0) {
      if (wmode === WMODE.binary && wq === 1 && ap === 1) {
        // Exact reuse: the same instruction over the same operands and the same axon words
        // (synapse memory is read-only) gives the same sums; only the datapath work is skipped,
        // its cycles and events are still counted from the activity below.
        const memo = cs.memo(cs.issuePc, rw, len, n, nz, nzLo, nzHi, nzOff);
        if (!memo.valid) accBin(memo.sums, 0, false, n, cs.img, rw, len, nz, nzLo, nzHi, nzPc, nzOff);
        memo.valid = true;
        const sums = memo.sums;
        for (let i = 0; i < n; i++) acc[rn + i] = acc[rn + i]! + sums[i]!;
      } else {
        const t = decodedWeights(syn, rw, len, n, wq, wmode);
        if (t !== undefined) {
          if (rowSums.length < n) rowSums = new Float64Array(n);
          rowSums.fill(0, 0, n);
          accDecoded(rowSums, 0, n, t, nz);
          for (let i = 0; i < n; i++) acc[rn + i] = acc[rn + i]! + rowSums[i]!;
        } else for (let i = 0; i < n; i++) acc[rn + i] = (acc[rn + i] as number) + dot(syn, rw + i * wq * len, len, nz, wmode, wq, ap === 1);
      }
    }
    a.n = n;
    a.scan = ap * len;
    a.ops = n * wq * nz;
  }],
  ['CFGW', (_x, cs, code, b) => {
    for (let k = 0; k < 9; k++) cs.geom[k] = code[b + (CFGW[k] as number)] as number;
  }],
  ['ACCW', (x, cs, code, b, a) => {
    const g = cs.geom;
    const inh = g[0] as number;
    if (inh === 0) x.fail(cs, 'ACCW before any CFGW in this time step');
    const inw = g[1] as number, cw = g[2] as number, kh = g[3] as number, kw = g[4] as number;
    const sh = g[5] as number, sw = g[6] as number, ph = g[7] as number, pw = g[8] as number;
    const rn = reg(cs, code, b + ACCW.rn);
    const rw = reg(cs, code, b + ACCW.rw);
    const ra = reg(cs, code, b + ACCW.ra);
    const ry = reg(cs, code, b + ACCW.ry);
    const oh = code[b + ACCW.oh] as number;
    const cout = code[b + ACCW.cout] as number;
    const wmode = code[b + ACCW.wmode] as number;
    const wq = code[b + ACCW.wq] as number;
    const ap = code[b + ACCW.ap] as number;
    const outw = windowOutWidth({ inw, kw, sw, pw });
    if (outw < 1) x.fail(cs, `ACCW output width ${outw} < 1 (CFGW inw ${inw}, kw ${kw}, pw ${pw}, sw ${sw})`);
    const region = inh * inw * cw;
    const kwords = kh * kw * cw;
    checkNeurons(x, cs, rn, oh * outw * cout, 'ACCW');
    checkAxon(x, cs, ra, ra + (ap - 1) * region + region - 1, 'ACCW');
    checkSyn(x, cs, rw, cout * wq * kwords, 'ACCW');
    ensureNz(ap * kwords);
    const acc = code[b + ACCW.acc] ? cs.acc1 : cs.acc0;
    const ax = cs.axon;
    const base = cs.wordAt(cs.cur, ra);
    const syn = cs.img.syn;
    const nOut = oh * outw * cout;
    // Exact reuse: same instruction, operands, geometry and axon region as its previous execution
    // in this inference (synapse memory is read-only) -> same sums, scan and ops.
    const wk = windowKey;
    wk[0] = rw; wk[1] = ra; wk[2] = ry; wk[3] = oh; wk[4] = cout; wk[5] = wmode; wk[6] = wq; wk[7] = ap;
    for (let k = 0; k < 9; k++) wk[8 + k] = g[k]!;
    const memo = windowMemo(cs, cs.issuePc, ax, base, 2 * ap * region, nOut);
    if (memo.valid) {
      const sums = memo.sums;
      for (let i = 0; i < nOut; i++) acc[rn + i] = acc[rn + i]! + sums[i]!;
      cs.sops += memo.sops;
      a.n = nOut;
      a.scan = memo.scan;
      a.ops = memo.ops;
      return;
    }
    const out = memo.sums;
    out.fill(0, 0, nOut);
    const sops0 = cs.sops;
    const fast = wmode === WMODE.binary && wq === 1 && ap === 1;
    const t = fast ? undefined : decodedWeights(syn, rw, kwords, cout, wq, wmode);
    if (t !== undefined) {
      windowDecoded(cs, out, t, base, ry, oh, outw, cout, wq, ap, g);
      for (let i = 0; i < nOut; i++) acc[rn + i] = acc[rn + i]! + out[i]!;
      memo.scan = wScan;
      memo.ops = wOps;
      memo.sops = cs.sops - sops0;
      memo.valid = true;
      a.n = nOut;
      a.scan = wScan;
      a.ops = wOps;
      return;
    }
    if (fast && windowBinary(cs, out, base, ry, oh, outw, cout, rw, kwords, g)) {
      for (let i = 0; i < nOut; i++) acc[rn + i] = acc[rn + i]! + out[i]!;
      memo.scan = wScan;
      memo.ops = wOps;
      memo.sops = cs.sops - sops0;
      memo.valid = true;
      a.n = nOut;
      a.scan = wScan;
      a.ops = wOps;
      return;
    }
    let scan = 0;
    let ops = 0;
    for (let y = ry; y < ry + oh; y++) {
      for (let xx = 0; xx < outw; xx++) {
        let nz = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y * sh + ky - ph;
          if (iy < 0 || iy >= inh) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = xx * sw + kx - pw;
            if (ix < 0 || ix >= inw) continue;
            for (let p = 0; p < ap; p++) {
              for (let j = 0; j < cw; j++) {
                scan++;
                const o = base + 2 * (p * region + (iy * inw + ix) * cw + j);
                const lo = ax[o] as number;
                const hi = ax[o + 1] as number;
                if ((lo | hi) !== 0) {
                  nzLo[nz] = lo;
                  nzHi[nz] = hi;
                  nzPc[nz] = popcount32(lo) + popcount32(hi);
                  nzOff[nz] = (ky * kw + kx) * cw + j;
                  nzW[nz] = 1 << p;
                  nz++;
                }
              }
            }
          }
        }
        ops += cout * wq * nz;
        if (nz === 0) continue;
        let bits = 0;
        for (let k = 0; k < nz; k++) bits += nzPc[k] as number;
        cs.sops += cout * bits;
        const nb = ((y - ry) * outw + xx) * cout;
        if (fast) accBin(out, nb, true, cout, cs.img, rw, kwords, nz, nzLo, nzHi, nzPc, nzOff);
        else for (let c = 0; c < cout; c++) out[nb + c] = out[nb + c]! + dot(syn, rw + c * wq * kwords, kwords, nz, wmode, wq, ap === 1);
      }
    }
    for (let i = 0; i < nOut; i++) acc[rn + i] = acc[rn + i]! + out[i]!;
    memo.scan = scan;
    memo.ops = ops;
    memo.sops = cs.sops - sops0;
    memo.valid = true;
    a.n = oh * outw * cout;
    a.scan = scan;
    a.ops = ops;
  }],
  ['ACCS', (x, cs, code, b, a) => {
    const rn = reg(cs, code, b + ACCS.rn);
    const ra = reg(cs, code, b + ACCS.ra);
    const n = code[b + ACCS.n] as number;
    const g = code[b + ACCS.g] as number;
    const cw = code[b + ACCS.cw] as number;
    checkNeurons(x, cs, rn, n, 'ACCS');
    const groups = Math.ceil(n / g);
    const lastBit = (n - 1) % g;
    checkAxon(x, cs, ra, ra + (groups - 1) * cw + ((Math.min(g, n) - 1) >> 6), 'ACCS');
    const acc = code[b + ACCS.acc] ? cs.acc1 : cs.acc0;
    const ax = cs.axon;
    const base = cs.wordAt(cs.cur, ra);
    // Over the set bits only: neuron i = grp*g + bit reads bit (bit & 31) of half (bit >> 5) of
    // word grp*cw + (bit >> 6); bits at or past the group's size belong to no neuron.
    let sops = 0;
    for (let grp = 0, i0 = 0; i0 < n; grp++, i0 += g) {
      const size = i0 + g <= n ? g : n - i0;
      const halves = (size + 31) >> 5;
      const o0 = base + 2 * grp * cw;
      for (let h = 0; h < halves; h++) {
        let x = ax[o0 + h]! | 0;
        const left = size - 32 * h;
        if (left < 32) x &= (1 << left) - 1;
        while (x !== 0) {
          const lowest = x & -x;
          x ^= lowest;
          const i = rn + i0 + 32 * h + 31 - Math.clz32(lowest);
          acc[i] = acc[i]! + 1;
          sops++;
        }
      }
    }
    cs.sops += sops;
    // Words read: every group reads the words its bits fall in.
    let scan = (groups - 1) * (((g - 1) >> 6) + 1);
    scan += (lastBit >> 6) + 1;
    a.n = n;
    a.scan = scan;
  }],
  ['FIRE', (x, cs, code, b, a) => neuronUpdate(x, cs, reg(cs, code, b + FIRE.rn), code[b + FIRE.n] as number, code[b + FIRE.b] as number, true, a)],
  ['INTEG', (x, cs, code, b, a) => neuronUpdate(x, cs, reg(cs, code, b + INTEG.rn), code[b + INTEG.n] as number, code[b + INTEG.b] as number, false, a)],
  ['SEND', (x, cs, code, b, a) => {
    const rn = reg(cs, code, b + SEND.rn);
    const n = code[b + SEND.n] as number;
    const g = code[b + SEND.g] as number;
    const cw = code[b + SEND.cw] as number;
    const list = cs.img.routes[code[b + SEND.route] as number];
    if (!list) x.fail(cs, `SEND route ${code[b + SEND.route]} does not exist`);
    checkNeurons(x, cs, rn, n, 'SEND');
    const out = cs.out;
    sendActivity(x, cs, code[b + SEND.route] as number, list, rn, n);
    let flits = 0;
    const stride = 64 * cw;
    const groups = Math.ceil(n / g);
    let packedOffset = -1;
    for (const d of list) {
      const flags = d.flags & ROUTE_NEXT_STEP;
      // Groups that do not overlap: the words are written in ascending order, so the flits are
      // the non-zero words of the packed bit stream, built branch-free.
      const first = Math.floor(d.bitOffset / 64);
      const lastBit = d.bitOffset + (groups - 1) * stride + (n - (groups - 1) * g) - 1;
      const words = Math.floor(lastBit / 64) - first + 1;
      // The words written must lie in one bank of the destination (never spill into the other bank).
      if (d.base + Math.floor(lastBit / 64) >= cs.lines) {
        x.fail(cs, `SEND to core ${d.core} writes axon words ${d.base + first}..${d.base + Math.floor(lastBit / 64)}, outside axonLines = ${cs.lines}`);
      }
      if (g <= stride && d.bitOffset >= 0 && words <= 65536) {
        if (d.bitOffset !== packedOffset) {
          // Pack once per distinct bit offset (multicast lists repeat it for every destination).
          if (sendBuf.length < 2 * words) sendBuf = new Int32Array(Math.max(2 * words, 2 * sendBuf.length));
          const sw = sendBuf;
          sw.fill(0, 0, 2 * words);
          let i = 0;
          for (let gbase = d.bitOffset - 64 * first; i < n; gbase += stride) {
            const end = i + g < n ? i + g : n;
            // A 32-bit half at a time, built in a register.
            for (let bit = gbase; i < end; ) {
              const s = bit & 31;
              const take = end - i < 32 - s ? end - i : 32 - s;
              let wv = 0;
              for (let t = 0; t < take; t++) wv |= out[rn + i + t]! << (s + t);
              sw[bit >>> 5] = sw[bit >>> 5]! | wv;
              i += take;
              bit += take;
            }
          }
          packedOffset = d.bitOffset;
        }
        const sw = sendBuf;
        for (let w = 0; w < words; w++) {
          const lo = sw[2 * w]!;
          const hi = sw[2 * w + 1]!;
          if ((lo | hi) !== 0) {
            x.stage(d.core, FLIT_AXON, flags, d.base + first + w, lo >>> 0, hi >>> 0);
            flits++;
          }
        }
        continue;
      }
      flits += packSpikes(x, d.core, flags, d.base, out, rn, n, g, cw, d.bitOffset);
    }
    a.n = n;
    a.flits = flits;
  }],
  ['PSUM', (x, cs, code, b, a) => {
    const rn = reg(cs, code, b + PSUM.rn);
    const n = code[b + PSUM.n] as number;
    const list = cs.img.routes[code[b + PSUM.route] as number];
    if (!list) x.fail(cs, `PSUM route ${code[b + PSUM.route]} does not exist`);
    checkNeurons(x, cs, rn, n, 'PSUM');
    const acc = code[b + PSUM.acc] ? cs.acc1 : cs.acc0;
    let flits = 0;
    for (const d of list) {
      for (let k = 0; 2 * k < n; k++) {
        const v0 = acc[rn + 2 * k] as number;
        const v1 = 2 * k + 1 < n ? (acc[rn + 2 * k + 1] as number) : 0;
        if (v0 === 0 && v1 === 0) continue;
        x.stage(d.core, FLIT_PSUM, d.flags & (ROUTE_NEXT_STEP | ROUTE_PSUM_ACC1), d.base + 2 * k, v0, 2 * k + 1 < n ? v1 : NaN);
        flits++;
      }
    }
    acc.fill(0, rn, rn + n);
    a.n = n;
    a.flits = flits;
  }],
  ...DATAFLOW_SEMANTICS,
]);

// Every instruction of the table has its semantics (checked once at load).
for (const d of INSTRUCTIONS) {
  if (!SEMANTICS.has(d.mnemonic)) throw new Error(`simulator: no semantics for ${d.mnemonic}`);
}
