/** Reference semantics of the control and barrier classes: NOP, HALT, SYNC, INPUT, BNZD, JMP. */
import type { RefSemantic } from './state.js';

export const NOP: RefSemantic = () => {};
export const HALT: RefSemantic = (st) => {
  st.halted = true;
};
export const SYNC: RefSemantic = (st) => {
  st.atBarrier = true;
};
/** The reference delivers the step's input before any program runs: nothing to wait for. */
export const INPUT: RefSemantic = () => {};
export const BNZD: RefSemantic = (st, a) => {
  const v = (st.regs[a.rs!]! - 1) | 0;
  if (a.rs) st.regs[a.rs] = v;
  if (v !== 0) st.pc = a.target!;
};
export const JMP: RefSemantic = (st, a) => {
  st.pc = a.target!;
};
