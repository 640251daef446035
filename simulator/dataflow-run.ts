/**
 * What the engine does differently for a time-batched binary (one whose programs use ACCT,
 * FIRET, INTEGT or SENDT): its layers run at time step 0 over all T steps of the input, which is
 * therefore the same at every step (checked here), and the probed spike trains are read from the
 * neurons' spike histories (outT) instead of `out` at every step barrier.
 */
import { BwsnnError } from '../isa/errors.js';
import type { Activity } from '../isa/table.js';
import type { LoadedBinary } from './load.js';
import type { StepFlits } from './input.js';
import type { CoreState } from './state.js';

/** Mnemonics whose presence makes a program time-batched (its spike trains live in outT). */
export const TIME_BATCHED: ReadonlySet<string> = new Set(['ACCT', 'ACCST', 'FIRET', 'INTEGT', 'SENDT']);

/** Refuse per-step inputs that differ between steps (a time-batched binary reads step 0's input for every step). */
export function checkBatchedInput(file: string, input: StepFlits[]): void {
  const a = input[0];
  if (!a) return;
  for (let t = 1; t < input.length; t++) {
    const b = input[t]!;
    let same = a.count === b.count;
    for (let k = 0; same && k < a.count; k++) {
      same = a.dst[k] === b.dst[k] && a.word[k] === b.word[k] && a.lo[k] === b.lo[k] && a.hi[k] === b.hi[k];
    }
    if (!same) {
      throw new BwsnnError(
        `${file}: the input of time step ${t} differs from step 0; this binary is time-batched (compiled with --schedule time) and needs the same input at every step: recompile with --schedule step`,
      );
    }
  }
}

/** Spike trains of the probed layers from the spike histories of time-batched neurons. */
export function recordBatchedSpikes(bin: LoadedBinary, byCore: readonly (CoreState | undefined)[], spikes: Record<string, Uint8Array>): void {
  const T = bin.meta.timesteps;
  for (const p of bin.outputMap.probes) {
    if (p.kind !== 'spikes') continue;
    const arr = spikes[p.layer]!;
    const size = arr.length / T;
    for (const e of p.entries) {
      const ts = byCore[e.core]?.slots;
      if (!ts) continue;
      for (let k = 0; k < e.count; k++) {
        const nrn = e.neuronBase + k;
        if (ts.batched[nrn] !== 1) continue;
        const idx = e.index[k]!;
        for (let t = 0; t < T; t++) arr[t * size + idx] = ts.outT[t * ts.N + nrn]!;
      }
    }
  }
}

/**
 * An upper bound on the activity of a dataflow instruction (simulator/bounds.ts's static cycle
 * bound): every axon word non-zero in every plane and time slot, every source bit spiking.
 * `words` = min(axonLines, len x ap), `sendWords` = the packed words of a SEND of the same operands.
 */
export function dataflowActivityBound(op: string, args: Readonly<Record<string, number>>, act: Activity, T: number, words: number, sendWords: number): void {
  const n = act.n;
  const wq = args.wq ?? 1;
  const rowWords = Math.ceil(n / 64);
  if (op === 'ACCT') Object.assign(act, { scan: words * T, ops: n * words * wq, uses: n * words * wq * T, updates: n * T });
  else if (op === 'ACCE') Object.assign(act, { scan: words * T, ops: 64 * words * wq * rowWords, uses: 64 * words * T * wq * rowWords, updates: n * T });
  else if (op === 'ACCST') Object.assign(act, { scan: words * T, updates: n * T });
  else if (op === 'FIRET' || op === 'INTEGT' || op === 'SENDT') act.uses = n * T;
  if (op === 'SENDT') act.flits = sendWords * T;
}
