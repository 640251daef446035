/**
 * The reference semantics of the BW-Core: one small readable function per instruction (one file per
 * instruction class: control.ts, register.ts, accumulate.ts, neuron.ts, send.ts) and a functional
 * interpreter of a whole BwcContainer over them (not cycle-accurate). It is deliberately strict about
 * phases: flits and partial sums sent in a phase are delivered only when every core has reached the
 * next SYNC (or halted), so a program that reads data of the same phase sees zeros.
 *
 * The simulator's kernels (simulator/semantics.ts: the JS general and fast paths, the WebAssembly
 * FIRE and popcount kernels) are differential-tested against it on random operands
 * (test/simulator/reference.test.ts) and the compiler against it on random models
 * (test/compiler/differential.test.ts).
 */
import type { BwcContainer } from '../../isa/container-types.js';
import { INSTRUCTIONS } from '../../isa/table.js';
import { ACC, ACCS, ACCW, CFGW } from './accumulate.js';
import { BNZD, HALT, INPUT, JMP, NOP, SYNC } from './control.js';
import { FIRE, INTEG } from './neuron.js';
import { ADD, ADDI, LI } from './register.js';
import { PSUM, SEND } from './send.js';
import type { RefCore, RefFlit, RefSemantic } from './state.js';

export type { RefCore, RefFlit, RefSemantic } from './state.js';

/** Mnemonic -> reference semantics; every instruction of the ISA table has one. */
export const REFERENCE: Readonly<Record<string, RefSemantic>> = { NOP, HALT, SYNC, INPUT, LI, ADDI, ADD, BNZD, JMP, ACC, CFGW, ACCW, ACCS, FIRE, INTEG, SEND, PSUM };
for (const d of INSTRUCTIONS) if (!REFERENCE[d.mnemonic]) throw new Error(`simulator/ref: no reference semantics for ${d.mnemonic}`);

export interface RefResult {
  spikes: Record<string, Uint8Array>;
  readout: Int32Array;
  prediction: number;
  /** Flits sent (spike words + partial sums) over the inference. */
  flits: number;
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Run one inference of `c` on `input` (one step's input, or T steps concatenated). */
export function referenceRun(c: BwcContainer, input: Float32Array): RefResult {
  const T = c.meta.timesteps;
  const chip = c.chip;
  const axonWords = 2 * chip.axonLines;
  const cores = new Map<number, RefCore>();
  for (const img of c.cores) {
    const n = chip.neuronsPerCore;
    cores.set(img.core, {
      img,
      chip,
      regs: new Int32Array(16),
      v: new Float64Array(n),
      acc: [new Float64Array(n), new Float64Array(n)],
      out: new Uint8Array(n),
      cur: new Uint32Array(axonWords),
      next: new Uint32Array(axonWords),
      pc: 0,
      halted: false,
      atBarrier: false,
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
      const pending: RefFlit[] = [];
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
}

/** Run a core's program up to its next SYNC or HALT. */
function runUntilBarrier(st: RefCore, pending: RefFlit[]): void {
  const prog = st.img.program;
  st.atBarrier = false;
  while (!st.halted && !st.atBarrier) {
    const ins = prog[st.pc++];
    if (!ins) throw new Error(`core ${st.img.core}: ran off the program`);
    const sem = REFERENCE[ins.op];
    if (!sem) throw new Error(`unknown op ${ins.op}`);
    sem(st, ins.args, pending);
  }
}
