/** Reference semantics of the neuron and readout classes: FIRE and INTEG. */
import { NEURON_HARD_RESET, NEURON_NO_MEMORY } from '../../isa/container-types.js';
import { sat, type RefCore, type RefSemantic } from './state.js';

function update(st: RefCore, a: Readonly<Record<string, number>>, fire: boolean): void {
  const rn = st.regs[a.rn!]!;
  const np = st.img.neurons;
  for (let i = 0; i < a.n!; i++) {
    const k = rn + i;
    let v = st.v[k]!;
    if (np.flags[k]! & NEURON_NO_MEMORY) v = 0;
    if (np.leak[k]! > 0) v = v - Math.floor(v / 2 ** np.leak[k]!);
    v = sat(st.chip, v + st.acc[0][k]! * np.g0[k]! + st.acc[1][k]! * np.g1[k]! + a.b! * np.bias[k]!);
    st.acc[0][k] = 0;
    st.acc[1][k] = 0;
    let s = 0;
    if (fire && v >= np.theta[k]!) {
      s = 1;
      v = np.flags[k]! & NEURON_HARD_RESET ? np.vreset[k]! : sat(st.chip, v - np.theta[k]!);
    }
    st.v[k] = v;
    st.out[k] = s;
  }
}

export const FIRE: RefSemantic = (st, a) => update(st, a, true);
export const INTEG: RefSemantic = (st, a) => update(st, a, false);
