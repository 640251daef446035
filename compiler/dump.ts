/**
 * `--dump-ir STAGE`: each pass's output as readable JSON (the model and chip are not repeated;
 * long typed arrays are summarized) or, for `codegen`, one assembly-like listing per core.
 */
import type { ChipConfig } from '../isa/chip.js';
import { chipDisplayName } from '../isa/presets.js';
import type { Instr } from '../isa/container-types.js';
import type { CompileStages, Stage } from './index.js';

/** One instruction as text: `ACC acc=0 rn=r1 ...` (register fields printed as rN). */
export function formatInstr(i: Instr, regFields: ReadonlySet<string> = REG_FIELDS): string {
  const args = Object.entries(i.args).map(([k, v]) => `${k}=${regFields.has(k) ? `r${v}` : v}`);
  return args.length ? `${i.op} ${args.join(' ')}` : i.op;
}

const REG_FIELDS: ReadonlySet<string> = new Set(['rd', 'rs', 'rt', 'rn', 'rw', 'ra', 'ry']);

/** A core program as a listing, one instruction per line with its address. */
export function formatProgram(prog: readonly Instr[]): string {
  return prog.map((i, a) => `${String(a).padStart(4)}: ${formatInstr(i)}`).join('\n');
}

function replacer(key: string, v: unknown): unknown {
  if (key === 'model' || key === 'chip' || key === 'checked' || key === 'lowered' || key === 'partitioned' || key === 'placed' || key === 'routed') {
    if (key === 'chip' && typeof v === 'object' && v !== null && 'meshX' in v) return `<chip ${chipDisplayName(v as ChipConfig)}>`;
    return typeof v === 'object' && v !== null && 'name' in v ? `<${key} ${(v as { name: string }).name}>` : `<${key}>`;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = v as unknown as ArrayLike<number>;
    const arr = Array.from({ length: Math.min(a.length, 16) }, (_, i) => a[i]!);
    return a.length > 16 ? { length: a.length, first: arr } : arr;
  }
  return v;
}

/** Text of one stage. */
export function dumpStage(st: CompileStages, stage: Stage): string {
  if (stage === 'codegen') {
    const s = st.codegen;
    const out = [`phases: ${s.phases.map((p, i) => `${i}=depth${p.depth}${p.stage === 'all' ? '' : `.${p.stage}`}`).join(' ')}`];
    for (const [core, prog] of Object.entries(s.programs)) out.push(`core ${core}:`, formatProgram(prog));
    return out.join('\n') + '\n';
  }
  const v =
    stage === 'validate'
      ? { sources: st.validate.sources, depth: st.validate.depth }
      : stage === 'lower'
        ? { layers: st.lower.layers }
        : stage === 'partition'
          ? { tasks: st.partition.tasks }
          : stage === 'place'
            ? { cores: st.place.cores, placed: st.place.placed }
            : stage === 'route'
              ? { routes: st.route.routes, sends: st.route.sends, psums: st.route.psums }
              : { ...st.emit, cores: st.emit.cores.map((c) => ({ ...c, program: c.program.map((i) => formatInstr(i)) })) };
  return JSON.stringify(v, replacer, 2) + '\n';
}
