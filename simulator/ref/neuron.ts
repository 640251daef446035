/** Reference semantics of the neuron and readout classes: FIRE and INTEG. */
import { NEURON_CURRENT, NEURON_HARD_RESET, NEURON_NO_MEMORY } from '../../isa/container-types.js';
import { decayed } from '../../isa/neuron-record.js';
import { sat, type RefCore, type RefSemantic } from './state.js';

/**
 * One neuron's update from its accumulated inputs (a0, a1; bias when b is 1): writes st.v[k] and
 * the CubaLIF current st.i[k]; returns the spike. FIRE/INTEG and the time-batched FIRET/INTEGT
 * (ref/dataflow.ts) both step neurons with it.
 */
export function stepNeuron(st: RefCore, k: number, a0: number, a1: number, b: number, fire: boolean): number {
  const np = st.img.neurons;
  let v = st.v[k]!;
  if (np.flags[k]! & NEURON_NO_MEMORY) v = 0;
  if (np.leak[k]! > 0) v = v - Math.floor(v / 2 ** np.leak[k]!);
  v = decayed(v, np.decay[k]!);
  const drive = a0 * np.g0[k]! + a1 * np.g1[k]! + b * np.bias[k]!;
  if (np.flags[k]! & NEURON_CURRENT) {
    // CubaLIF: the drive goes into the synaptic current, which decays by sdecay and feeds v.
    st.i[k] = sat(st.chip, decayed(st.i[k]!, np.sdecay[k]!) + drive);
    v = sat(st.chip, v + st.i[k]!);
  } else v = sat(st.chip, v + drive);
  let s = 0;
  if (fire && v >= np.theta[k]!) {
    s = 1;
    v = np.flags[k]! & NEURON_HARD_RESET ? np.vreset[k]! : sat(st.chip, v - np.theta[k]!);
  }
  st.v[k] = v;
  return s;
}

function update(st: RefCore, a: Readonly<Record<string, number>>, fire: boolean): void {
  const rn = st.regs[a.rn!]!;
  for (let i = 0; i < a.n!; i++) {
    const k = rn + i;
    st.out[k] = stepNeuron(st, k, st.acc[0][k]!, st.acc[1][k]!, a.b!, fire);
    st.acc[0][k] = 0;
    st.acc[1][k] = 0;
  }
}

export const FIRE: RefSemantic = (st, a) => update(st, a, true);
export const INTEG: RefSemantic = (st, a) => update(st, a, false);
