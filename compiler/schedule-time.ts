/**
 * Code generation for the time-batched (layer-major) schedule (issue 13). Every layer runs once
 * per inference, at time step 0, over all T steps: its accumulate instructions read each weight
 * word (ACCT) or event row (ACCE tb=1) once and apply it to the T time slots of their source,
 * FIRET/INTEGT update each neuron's T steps with the state read and written once, and SENDT
 * sends the T-step spike trains into the time slots of the next layers' regions. At the later
 * steps every program halts at once. Each core's program is:
 *
 *   [INPUT]
 *   STEP r1 ; ADDI r1, r1, 1 ; BNZD r1, end     (steps 1 .. T-1 jump to the HALT)
 *   phase 0 ; SYNC ; phase 1 ; ... ; phase k
 *   end: HALT
 *
 * Axon memory: slot t of every region of a core lives at `base + t * S`, S = the largest number
 * of axon words any core uses per step (so T*S must fit axonLines). The host input, the same at
 * every step, is read from slot 0 for every step (stride r0).
 */
import { BwsnnError } from '../isa/errors.js';
import type { ChipConfig } from '../isa/chip.js';
import type { Instr } from '../isa/container-types.js';
import { instr } from '../isa/instr.js';
import { checkOperand, RegCache } from './codegen.js';
import type { Routed, Scheduled } from './ir.js';
import { taskNeurons } from './partition.js';

/** Axon words between time slots for a placement, or a reason it cannot hold T slots. */
export function timeSlotStride(r: Routed, chip: ChipConfig): { stride: number } | { blocker: string } {
  const T = r.meta.timesteps;
  const helper = r.tasks.find((t) => t.role === 'helper');
  if (helper) return { blocker: `layer ${helper.layer} is split into partial sums (PSUM) on this chip` };
  const S = Math.max(1, ...r.cores.map((c) => c.axonWords));
  if (T * S > chip.axonLines) return { blocker: `${T} time slots of ${S} axon words exceed axonLines = ${chip.axonLines}` };
  return { stride: S };
}

export function generateTimeCode(r: Routed, chip: ChipConfig, stride: number, file = r.meta.name): Scheduled {
  const srcs = r.sources;
  const tasks = r.tasks;
  const layers = new Map(r.layers.map((l) => [l.name, l]));
  const maxDepth = Math.max(...r.layers.map((l) => l.depth));
  const phases: Scheduled['phases'] = [];
  for (let d = 1; d <= maxDepth; d++) phases.push({ depth: d, stage: 'all' });
  const programs: Record<number, Instr[]> = {};
  for (const c of r.cores) {
    const prog: Instr[] = [];
    if (c.regions.some((x) => srcs[x.source]!.isInput)) prog.push(instr('INPUT', {}));
    prog.push(instr('STEP', { rd: 1 }));
    prog.push(instr('ADDI', { rd: 1, rs: 1, imm: 1 }));
    const branch: Instr = instr('BNZD', { rs: 1, target: 0 });
    prog.push(branch);
    const regs = new RegCache(prog);
    let last = 0;
    for (const tid of c.tasks) last = Math.max(last, layers.get(tasks[tid]!.layer)!.depth - 1);
    for (let ph = 0; ph <= last; ph++) {
      if (ph > 0) prog.push(instr('SYNC', {}));
      for (const tid of c.tasks) {
        const t = tasks[tid]!;
        const l = layers.get(t.layer)!;
        if (l.depth - 1 !== ph) continue;
        const p = r.placed[tid]!;
        const where = `layer ${l.name} (units ${t.u0}..${t.u1 - 1})`;
        const n = taskNeurons(l, t);
        t.parts.forEach((_part, k) => {
          const s = l.synapses[_part.synapse]!;
          const reg = c.regions[p.partRegion[k]!]!;
          const src = srcs[s.source]!;
          if (s.op.kind === 'identity') {
            checkOperand(file, where, n, 'ACCST', 'n', BwsnnError);
            const [rn, ra, rs] = regs.get(p.neuronBase, reg.base + (src.layout === 'pos' && !reg.ch ? t.c0 / 64 : 0), src.isInput ? 0 : stride);
            const g = src.layout === 'pos' ? t.c1 - t.c0 : 64;
            const cw = src.layout === 'pos' ? (reg.cw ?? src.cw) : 1;
            prog.push(instr('ACCST', { acc: s.acc, rn: rn!, ra: ra!, rs: rs!, n, g, cw }));
            return;
          }
          const op = s.event ? 'ACCE' : 'ACCT';
          checkOperand(file, where, n, op, 'n', BwsnnError);
          checkOperand(file, where, reg.planeWords, op, 'len', BwsnnError);
          const [rn, rw, ra, rs] = regs.get(p.neuronBase, p.partSram[k]!, reg.base, src.isInput ? 0 : stride);
          const args: Record<string, number> = { acc: s.acc, rn: rn!, rw: rw!, ra: ra!, rs: rs!, n, len: reg.planeWords, wmode: s.wmode, wq: s.wq, ap: reg.planes };
          if (s.event) args.tb = 1;
          prog.push(instr(op, args));
        });
        const [rn] = regs.get(p.neuronBase);
        prog.push(instr(l.kind === 'readout' ? 'INTEGT' : 'FIRET', { rn: rn!, n, b: 1 }));
        for (const sd of r.sends[tid] ?? []) {
          const [rsn, rs] = regs.get(sd.rn, stride);
          prog.push(instr('SENDT', { rn: rsn!, n: sd.n, route: sd.route, g: sd.g, cw: sd.cw, rs: rs! }));
        }
      }
    }
    branch.args.target = prog.length;
    prog.push(instr('HALT', {}));
    if (prog.length > chip.instrMemWords) {
      throw new BwsnnError(`${file}: core ${c.core} needs ${prog.length} instruction words, chip has instrMemWords = ${chip.instrMemWords} (raise instrMemWords)`);
    }
    programs[c.core] = prog;
  }
  return { ...r, phases, programs };
}
