/**
 * Pass 6, schedule and generate code. One layer depth per phase, SYNC between phases; a depth
 * whose layers use partial sums gets two phases (accumulate + PSUM, then FIRE + SEND) so that every
 * partial sum has arrived before its owner fires. Each core's program is:
 *
 *   [INPUT]                       if the core holds a region of the host input
 *   phase 0 ; SYNC ; phase 1 ; SYNC ; ... ; phase k   (k = the core's last busy phase)
 *   HALT
 *
 * where a phase holds, per task of that depth: CFGW + ACCW / ACC / ACCS per synapse part, then
 * PSUM (helpers) or FIRE/INTEG (b = 1) and one SEND per routing list (owners). Register operands
 * are loaded with LI through a small cache of r1..r15 (r0 = 0).
 */
import type { ChipConfig } from '../isa/chip.js';
import type { Instr } from '../isa/container-types.js';
import { fieldMax, REGISTER_COUNT } from '../isa/table.js';
import type { Routed, Scheduled } from './ir.js';
import { taskNeurons } from './partition.js';
import { instr } from '../isa/instr.js';
import { FitError } from './fit-error.js';

/** LRU cache of constant values in r1..r15 (also used by the time-batched codegen, schedule-time.ts). */
export class RegCache {
  private vals = new Map<number, number>(); // reg -> value
  private age = new Map<number, number>();
  private clock = 0;
  constructor(private readonly out: Instr[]) {}
  /** Registers holding `values` (loading them with LI as needed). */
  get(...values: number[]): number[] {
    const locked = new Set<number>();
    return values.map((v) => {
      if (v === 0) return 0;
      for (const [r, x] of this.vals) {
        if (x === v) {
          this.age.set(r, ++this.clock);
          locked.add(r);
          return r;
        }
      }
      let pick = -1;
      let oldest = Infinity;
      for (let r = 1; r < REGISTER_COUNT; r++) {
        if (locked.has(r)) continue;
        if (!this.vals.has(r)) {
          pick = r;
          break;
        }
        const a = this.age.get(r)!;
        if (a < oldest) {
          oldest = a;
          pick = r;
        }
      }
      this.out.push(instr('LI', { rd: pick, imm: v }));
      this.vals.set(pick, v);
      this.age.set(pick, ++this.clock);
      locked.add(pick);
      return pick;
    });
  }
}

/**
 * Refuse an operand that does not fit its field of the ISA table: a FitError by default (another
 * mapping may fit), or the error class given.
 */
export function checkOperand(file: string, what: string, v: number, mnemonic: string, field: string, E: new (message: string) => Error = FitError): void {
  const max = fieldMax(mnemonic, field);
  if (v > max) throw new E(`${file}: ${what}: ${mnemonic} ${field} = ${v} exceeds the instruction field's maximum ${max}`);
}

export function generateCode(r: Routed, chip: ChipConfig, file = r.meta.name): Scheduled {
  const srcs = r.sources;
  const tasks = r.tasks;
  const layers = new Map(r.layers.map((l) => [l.name, l]));
  const maxDepth = Math.max(...r.layers.map((l) => l.depth));
  const split = new Set(tasks.filter((t) => t.role === 'helper').map((t) => layers.get(t.layer)!.depth));
  const phases: Scheduled['phases'] = [];
  const accPhase = new Map<number, number>();
  const firePhase = new Map<number, number>();
  for (let d = 1; d <= maxDepth; d++) {
    if (split.has(d)) {
      accPhase.set(d, phases.length);
      phases.push({ depth: d, stage: 'acc' });
      firePhase.set(d, phases.length);
      phases.push({ depth: d, stage: 'fire' });
    } else {
      accPhase.set(d, phases.length);
      firePhase.set(d, phases.length);
      phases.push({ depth: d, stage: 'all' });
    }
  }

  const programs: Record<number, Instr[]> = {};
  for (const c of r.cores) {
    const prog: Instr[] = [];
    const regs = new RegCache(prog);
    if (c.regions.some((x) => srcs[x.source]!.isInput)) prog.push(instr('INPUT'));
    let last = 0;
    for (const tid of c.tasks) {
      const d = layers.get(tasks[tid]!.layer)!.depth;
      last = Math.max(last, tasks[tid]!.role === 'helper' ? accPhase.get(d)! : firePhase.get(d)!);
    }
    for (let ph = 0; ph <= last; ph++) {
      if (ph > 0) prog.push(instr('SYNC'));
      for (const tid of c.tasks) {
        const t = tasks[tid]!;
        const l = layers.get(t.layer)!;
        const p = r.placed[tid]!;
        const where = `layer ${l.name} (units ${t.u0}..${t.u1 - 1})`;
        const n = taskNeurons(l, t);
        const cout = t.c1 - t.c0;
        if (accPhase.get(l.depth) === ph) {
          t.parts.forEach((part, k) => {
            const s = l.synapses[part.synapse]!;
            const reg = c.regions[p.partRegion[k]!]!;
            const src = srcs[s.source]!;
            if (s.op.kind === 'dense' && s.event) {
              checkOperand(file, where, n, 'ACCE', 'n');
              checkOperand(file, where, reg.planeWords, 'ACCE', 'len');
              const [rn, rw, ra] = regs.get(p.neuronBase, p.partSram[k]!, reg.base);
              prog.push(instr('ACCE', { acc: s.acc, rn: rn!, rw: rw!, ra: ra!, rs: 0, n, len: reg.planeWords, wmode: s.wmode, wq: s.wq, ap: reg.planes, tb: 0 }));
            } else if (s.op.kind === 'dense') {
              checkOperand(file, where, n, 'ACC', 'n');
              checkOperand(file, where, reg.planeWords, 'ACC', 'len');
              const [rn, rw, ra] = regs.get(p.neuronBase, p.partSram[k]!, reg.base);
              prog.push(instr('ACC', { acc: s.acc, rn: rn!, rw: rw!, ra: ra!, n, len: reg.planeWords, wmode: s.wmode, wq: s.wq, ap: reg.planes }));
            } else if (s.op.kind === 'conv') {
              const [khFull, kw] = s.op.kernel;
              const [sh, sw] = s.op.stride;
              const [phFull, pwd] = s.op.padding;
              const inh = reg.hi - reg.lo;
              // A kernel-row slice [k0, k1) reads rows y*sh + k - ph held exactly from reg.lo: kernel
              // height k1 - k0, no vertical padding, first output row 0.
              const sliced = part.k0 !== undefined;
              const kh = sliced ? part.k1! - part.k0! : khFull;
              const phd = sliced ? 0 : phFull;
              checkOperand(file, where, inh, 'CFGW', 'inh');
              checkOperand(file, where, src.W, 'CFGW', 'inw');
              checkOperand(file, where, t.u1 - t.u0, 'ACCW', 'oh');
              checkOperand(file, where, cout, 'ACCW', 'cout');
              prog.push(instr('CFGW', { inh, inw: src.W, cw: src.cw, kh, kw, sh, sw, ph: phd, pw: pwd }));
              const ry = sliced ? 0 : t.u0 - reg.lo / sh;
              const [rn, rw, ra, rry] = regs.get(p.neuronBase, p.partSram[k]!, reg.base, ry);
              prog.push(instr('ACCW', { acc: s.acc, rn: rn!, rw: rw!, ra: ra!, ry: rry!, oh: t.u1 - t.u0, cout, wmode: s.wmode, wq: s.wq, ap: reg.planes }));
            } else {
              checkOperand(file, where, n, 'ACCS', 'n');
              // A channel group [c0, c1) (c0 a multiple of 64) reads its channels from word c0/64 of each position.
              // A channel-shifted region holds exactly the group's channels from bit 0.
              const [rn, ra] = regs.get(p.neuronBase, reg.base + (src.layout === 'pos' && !reg.ch ? t.c0 / 64 : 0));
              const g = src.layout === 'pos' ? cout : 64;
              const cw = src.layout === 'pos' ? (reg.cw ?? src.cw) : 1;
              prog.push(instr('ACCS', { acc: s.acc, rn: rn!, ra: ra!, n, g, cw }));
            }
          });
          if (t.role === 'helper') {
            for (const ps of r.psums[tid] ?? []) {
              const [rn] = regs.get(ps.rn);
              prog.push(instr('PSUM', { acc: ps.acc, rn: rn!, n: ps.n, route: ps.route }));
            }
          }
        }
        if (t.role === 'owner' && firePhase.get(l.depth) === ph) {
          const [rn] = regs.get(p.neuronBase);
          prog.push(instr(l.kind === 'readout' ? 'INTEG' : 'FIRE', { rn: rn!, n, b: 1 }));
          for (const sd of r.sends[tid] ?? []) {
            const [rs] = regs.get(sd.rn);
            prog.push(instr('SEND', { rn: rs!, n: sd.n, route: sd.route, g: sd.g, cw: sd.cw }));
          }
        }
      }
    }
    prog.push(instr('HALT'));
    if (prog.length > chip.instrMemWords) {
      throw new FitError(`${file}: core ${c.core} needs ${prog.length} instruction words, chip has instrMemWords = ${chip.instrMemWords} (raise instrMemWords)`);
    }
    programs[c.core] = prog;
  }
  return { ...r, phases, programs };
}
