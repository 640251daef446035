/**
 * Test-local functional interpreter of a BwcContainer (a stand-in until simulator/ lands; not
 * cycle-accurate). It follows docs/architecture.md and isa/table.ts, and is deliberately strict
 * about phases: flits and partial sums sent in a phase are delivered only when every core has
 * reached the next SYNC (or halted), so a program that reads data of the same phase sees zeros.
 */
import {
  NEURON_HARD_RESET,
  NEURON_NO_MEMORY,
  ROUTE_NEXT_STEP,
  ROUTE_PSUM_ACC1,
  type BwcContainer,
  type CoreImage,
} from '../../../isa/container-types.js';

export interface FuncResult {
  spikes: Record<string, Uint8Array>;
  readout: Int32Array;
  prediction: number;
  /** Flits sent (spike words + partial sums) over the inference. */
  flits: number;
}

function pc32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

interface CoreState {
  img: CoreImage;
  regs: Int32Array;
  v: Float64Array;
  acc: [Float64Array, Float64Array];
  out: Uint8Array;
  cur: Uint32Array;
  next: Uint32Array;
  pc: number;
  halted: boolean;
  cfg: Record<string, number>;
}

type Flit =
  | { kind: 'spike'; core: number; word: number; next: boolean; lo: number; hi: number }
  | { kind: 'psum'; core: number; neuron: number; bank: number; a: number; b: number };

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function funcSim(c: BwcContainer, input: Float32Array): FuncResult {
  const T = c.meta.timesteps;
  const chip = c.chip;
  const lo = -(2 ** (chip.membraneBits - 1));
  const hi = 2 ** (chip.membraneBits - 1) - 1;
  const sat = (v: number): number => (v < lo ? lo : v > hi ? hi : v);
  const axonWords = 2 * chip.axonLines;
  const cores = new Map<number, CoreState>();
  for (const img of c.cores) {
    const n = chip.neuronsPerCore;
    cores.set(img.core, {
      img,
      regs: new Int32Array(16),
      v: new Float64Array(n),
      acc: [new Float64Array(n), new Float64Array(n)],
      out: new Uint8Array(n),
      cur: new Uint32Array(axonWords),
      next: new Uint32Array(axonWords),
      pc: 0,
      halted: false,
      cfg: {},
    });
  }
  const inSize = prod(c.meta.inputShape);
  const spikes: Record<string, Uint8Array> = {};
  for (const p of c.outputMap.probes) if (p.kind === 'spikes') spikes[p.layer] = new Uint8Array(T * prod(p.shape));
  let flitCount = 0;

  for (let t = 0; t < T; t++) {
    // Input injection into the current banks.
    for (const b of c.inputMap) {
      const st = cores.get(b.core)!;
      for (let k = 0; k < b.elements.length; k++) {
        const e = b.elements[k]!;
        const x = input.length === inSize ? input[e]! : input[t * inSize + e]!;
        const enc = c.meta.encoding;
        const planes = enc.kind === 'multibit' ? enc.bits : 1;
        const val = enc.kind === 'binary' ? (x >= enc.threshold ? 1 : 0) : Math.max(0, Math.min(2 ** enc.bits - 1, Math.round(x)));
        for (let p = 0; p < planes; p++) {
          if (!((val >> p) & 1)) continue;
          const bit = b.bits[k]!;
          const w = b.axonBase + p * b.planeStride + (bit >> 6);
          st.cur[2 * w + ((bit >> 5) & 1)] |= 1 << (bit & 31);
        }
      }
    }
    for (const st of cores.values()) {
      st.pc = 0;
      st.halted = false;
    }
    // Phases.
    for (;;) {
      const pending: Flit[] = [];
      for (const st of cores.values()) if (!st.halted) runUntilBarrier(st, pending);
      for (const f of pending) {
        flitCount++;
        const d = cores.get(f.core);
        if (!d) throw new Error(`flit to idle core ${f.core}`);
        if (f.kind === 'spike') {
          const bank = f.next ? d.next : d.cur;
          if (f.word < 0 || f.word >= chip.axonLines) throw new Error(`flit to axon word ${f.word} of core ${f.core}`);
          bank[2 * f.word] |= f.lo;
          bank[2 * f.word + 1] |= f.hi;
        } else {
          d.acc[f.bank]![f.neuron] += f.a;
          d.acc[f.bank]![f.neuron + 1] += f.b;
        }
      }
      if ([...cores.values()].every((s) => s.halted)) break;
    }
    // Probes (spikes at the step barrier), then bank swap.
    for (const p of c.outputMap.probes) {
      if (p.kind !== 'spikes') continue;
      const size = prod(p.shape);
      for (const e of p.entries) {
        const st = cores.get(e.core)!;
        for (let i = 0; i < e.count; i++) spikes[p.layer]![t * size + e.index[i]!] = st.out[e.neuronBase + i]!;
      }
    }
    for (const st of cores.values()) {
      const old = st.cur;
      st.cur = st.next;
      st.next = old;
      st.next.fill(0);
    }
  }
  const rp = c.outputMap.probes[c.outputMap.readout]!;
  const readout = new Int32Array(prod(rp.shape));
  for (const e of rp.entries) {
    const st = cores.get(e.core)!;
    for (let i = 0; i < e.count; i++) readout[e.index[i]!] = st.v[e.neuronBase + i]!;
  }
  let best = 0;
  for (let i = 1; i < readout.length; i++) if (readout[i]! > readout[best]!) best = i;
  return { spikes, readout, prediction: best, flits: flitCount };

  function runUntilBarrier(st: CoreState, pending: Flit[]): void {
    const prog = st.img.program;
    const R = st.regs;
    for (;;) {
      const ins = prog[st.pc++];
      if (!ins) throw new Error(`core ${st.img.core}: ran off the program`);
      const a = ins.args;
      switch (ins.op) {
        case 'HALT':
          st.halted = true;
          return;
        case 'SYNC':
          return;
        case 'NOP':
        case 'INPUT':
          break;
        case 'LI':
          if (a.rd) R[a.rd] = a.imm!;
          break;
        case 'ADDI':
          if (a.rd) R[a.rd] = R[a.rs!]! + a.imm!;
          break;
        case 'ADD':
          if (a.rd) R[a.rd] = R[a.rs!]! + R[a.rt!]!;
          break;
        case 'BNZD':
          R[a.rs!] = R[a.rs!]! - 1;
          if (R[a.rs!] !== 0) st.pc = a.target!;
          break;
        case 'JMP':
          st.pc = a.target!;
          break;
        case 'CFGW':
          st.cfg = { ...a };
          break;
        case 'ACC': {
          const rn = R[a.rn!]!, rw = R[a.rw!]!, ra = R[a.ra!]!;
          const { n, len, wmode, wq, ap } = a as Record<string, number>;
          const acc = st.acc[a.acc!]!;
          for (let i = 0; i < n!; i++) {
            let sum = 0;
            for (let p = 0; p < ap!; p++)
              for (let j = 0; j < len!; j++) sum += 2 ** p * wordDot(st, ra + p * len! + j, (q) => rw + (i * wq! + q) * len! + j, wmode!, wq!);
            acc[rn + i] += sum;
          }
          break;
        }
        case 'ACCW': {
          const g = st.cfg;
          const rn = R[a.rn!]!, rw = R[a.rw!]!, ra = R[a.ra!]!, ry = R[a.ry!]!;
          const { oh, cout, wmode, wq, ap } = a as Record<string, number>;
          const { inh, inw, cw, kh, kw, sh, sw, ph, pw } = g as Record<string, number>;
          const outw = Math.floor((inw! + 2 * pw! - kw!) / sw!) + 1;
          const acc = st.acc[a.acc!]!;
          for (let y = ry; y < ry + oh!; y++)
            for (let x = 0; x < outw; x++)
              for (let ch = 0; ch < cout!; ch++) {
                let sum = 0;
                for (let ky = 0; ky < kh!; ky++)
                  for (let kx = 0; kx < kw!; kx++) {
                    const iy = y * sh! + ky - ph!;
                    const ix = x * sw! + kx - pw!;
                    if (iy < 0 || iy >= inh! || ix < 0 || ix >= inw!) continue;
                    for (let p = 0; p < ap!; p++)
                      for (let j = 0; j < cw!; j++) {
                        const aw = ra + p * inh! * inw! * cw! + (iy * inw! + ix) * cw! + j;
                        sum += 2 ** p * wordDot(st, aw, (q) => rw + (ch * wq! + q) * kh! * kw! * cw! + (ky * kw! + kx) * cw! + j, wmode!, wq!);
                      }
                  }
                acc[rn + ((y - ry) * outw + x) * cout! + ch] += sum;
              }
          break;
        }
        case 'ACCS': {
          const rn = R[a.rn!]!, ra = R[a.ra!]!;
          const { n, g, cw } = a as Record<string, number>;
          const acc = st.acc[a.acc!]!;
          for (let i = 0; i < n!; i++) {
            const bit = i % g!;
            const w = ra + Math.floor(i / g!) * cw! + (bit >> 6);
            acc[rn + i] += (st.cur[2 * w + ((bit >> 5) & 1)]! >>> (bit & 31)) & 1;
          }
          break;
        }
        case 'FIRE':
        case 'INTEG': {
          const rn = R[a.rn!]!;
          const np = st.img.neurons;
          for (let i = 0; i < a.n!; i++) {
            const k = rn + i;
            let v = st.v[k]!;
            if (np.flags[k]! & NEURON_NO_MEMORY) v = 0;
            if (np.leak[k]! > 0) v = v - Math.floor(v / 2 ** np.leak[k]!);
            v = sat(v + st.acc[0][k]! * np.g0[k]! + st.acc[1][k]! * np.g1[k]! + a.b! * np.bias[k]!);
            st.acc[0][k] = 0;
            st.acc[1][k] = 0;
            let s = 0;
            if (ins.op === 'FIRE' && v >= np.theta[k]!) {
              s = 1;
              v = np.flags[k]! & NEURON_HARD_RESET ? np.vreset[k]! : sat(v - np.theta[k]!);
            }
            st.v[k] = v;
            st.out[k] = s;
          }
          break;
        }
        case 'SEND': {
          const rn = R[a.rn!]!;
          const { n, g, cw } = a as Record<string, number>;
          for (const d of st.img.routes[a.route!]!) {
            const words = new Map<number, [number, number]>();
            for (let i = 0; i < n!; i++) {
              if (!st.out[rn + i]) continue;
              const bit = Math.floor(i / g!) * cw! * 64 + d.bitOffset + (i % g!);
              const w = d.base + Math.floor(bit / 64);
              const b = bit % 64;
              const e = words.get(w) ?? [0, 0];
              e[b >> 5] |= 1 << (b & 31);
              words.set(w, e);
            }
            for (const [w, [l, h]] of words) pending.push({ kind: 'spike', core: d.core, word: w, next: (d.flags & ROUTE_NEXT_STEP) !== 0, lo: l, hi: h });
          }
          break;
        }
        case 'PSUM': {
          const rn = R[a.rn!]!;
          const acc = st.acc[a.acc!]!;
          for (const d of st.img.routes[a.route!]!) {
            for (let k = 0; 2 * k < a.n!; k++) {
              const x = acc[rn + 2 * k]!;
              const y = acc[rn + 2 * k + 1]!;
              if (x !== 0 || y !== 0) pending.push({ kind: 'psum', core: d.core, neuron: d.base + 2 * k, bank: d.flags & ROUTE_PSUM_ACC1 ? 1 : 0, a: x, b: y });
            }
          }
          for (let k = 0; 2 * k < a.n!; k++) {
            acc[rn + 2 * k] = 0;
            acc[rn + 2 * k + 1] = 0;
          }
          break;
        }
        default:
          throw new Error(`unknown op ${ins.op}`);
      }
    }
  }
}

/** Popcount dot product of axon word `aw` (current bank) with the synapse planes at wordOf(q). */
function wordDot(st: CoreState, aw: number, wordOf: (q: number) => number, wmode: number, wq: number): number {
  const alo = st.cur[2 * aw]!;
  const ahi = st.cur[2 * aw + 1]!;
  if (alo === 0 && ahi === 0) return 0;
  const syn = st.img.synapses;
  const pa = pc32(alo) + pc32(ahi);
  if (wmode === 0) {
    const w = wordOf(0);
    return 2 * (pc32(alo & syn[2 * w]!) + pc32(ahi & syn[2 * w + 1]!)) - pa;
  }
  let s = 0;
  for (let q = 0; q < wq; q++) {
    const w = wordOf(q);
    const c = pc32(alo & syn[2 * w]!) + pc32(ahi & syn[2 * w + 1]!);
    s += (wmode === 2 && q === wq - 1 ? -1 : 1) * 2 ** q * c;
  }
  return s;
}
