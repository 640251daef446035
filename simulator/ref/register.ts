/** Reference semantics of the register class: LI, ADDI, ADD (32-bit wrap-around; r0 stays 0). */
import type { RefSemantic } from './state.js';

export const LI: RefSemantic = (st, a) => {
  if (a.rd) st.regs[a.rd] = a.imm!;
};
export const ADDI: RefSemantic = (st, a) => {
  if (a.rd) st.regs[a.rd] = st.regs[a.rs!]! + a.imm!;
};
export const ADD: RefSemantic = (st, a) => {
  if (a.rd) st.regs[a.rd] = st.regs[a.rs!]! + st.regs[a.rt!]!;
};
