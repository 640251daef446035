/**
 * Per-layer attribution of energy events (SimOptions.perLayer): every neuron of a core that a
 * probe names belongs to that probe's layer; neurons that only hold partial sums (fan-in splits)
 * belong to the layer of the neurons their PSUM sends to (found by following each program's
 * straight-line register values). At run time an instruction with a first-neuron operand `rn` is
 * charged to the layer of neuron rn; others (LI, ADDI, SYNC, HALT, INPUT, CFGW, ...) and barrier
 * events to "control/other"; network events to the layer of the instruction that injected the flit;
 * host input flits to "input".
 */
import { DEF_INDEX, INSTRUCTIONS, REGISTER_COUNT } from '../isa/table.js';
import type { Attribution } from './engine.js';
import { STRIDE, slot, type LoadedBinary } from './load.js';

export const INPUT_BUCKET = 'input';
export const OTHER_BUCKET = 'control/other';

export interface LayerAttribution {
  /** Bucket names: the probed layers in probe order, then INPUT_BUCKET, then OTHER_BUCKET. */
  names: string[];
  attribution: Attribution;
}

const di = (m: string): number => DEF_INDEX.get(m) as number;

export function layerAttribution(bin: LoadedBinary): LayerAttribution {
  const names: string[] = [];
  for (const p of bin.outputMap.probes) if (!names.includes(p.layer)) names.push(p.layer);
  const meshCores = bin.chip.meshX * bin.chip.meshY;
  const npc = bin.chip.neuronsPerCore;
  const neuronBucket: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(meshCores);
  const map = (core: number): Int32Array => {
    let m = neuronBucket[core];
    if (!m) {
      m = new Int32Array(npc).fill(-1);
      neuronBucket[core] = m;
    }
    return m;
  };
  for (const p of bin.outputMap.probes) {
    const b = names.indexOf(p.layer);
    for (const e of p.entries) map(e.core).fill(b, Math.max(0, e.neuronBase), Math.min(npc, e.neuronBase + e.count));
  }
  // PSUM sources take the layer of their destination neurons; repeat for chains of partial sums.
  const psums = staticPsums(bin);
  for (let changed = true, round = 0; changed && round <= bin.cores.length; round++) {
    changed = false;
    for (const ps of psums) {
      const from = map(ps.core);
      for (const d of ps.dests) {
        const dm = neuronBucket[d.core];
        const b = dm && d.base >= 0 && d.base < npc ? (dm[d.base] as number) : -1;
        if (b < 0) continue;
        for (let k = ps.rn; k < ps.rn + ps.n && k < npc; k++) {
          if (k >= 0 && from[k] === -1) {
            from[k] = b;
            changed = true;
          }
        }
      }
    }
  }
  const host = names.length;
  const other = names.length + 1;
  return { names: [...names, INPUT_BUCKET, OTHER_BUCKET], attribution: { buckets: names.length + 2, host, other, neuronBucket } };
}

interface StaticPsum {
  core: number;
  rn: number;
  n: number;
  dests: { core: number; base: number }[];
}

/**
 * PSUM instructions whose rn register value is known statically: straight-line register writes from
 * the step's zeroed registers, interpreted from the ISA table's `regWrite` declarations (values at
 * a branch target are unknown).
 */
function staticPsums(bin: LoadedBinary): StaticPsum[] {
  const out: StaticPsum[] = [];
  const PSUM = di('PSUM');
  const pRn = slot('PSUM', 'rn'), pN = slot('PSUM', 'n'), pRoute = slot('PSUM', 'route');
  /** Per definition index: the op-stream slot of each field by name. */
  const slots = INSTRUCTIONS.map((d) => new Map(d.fields.map((f, k) => [f.name, 1 + k])));
  for (const img of bin.cores) {
    const code = img.code;
    const targets = new Set<number>();
    for (let pc = 0; pc < img.length; pc++) {
      const d = code[pc * STRIDE] as number;
      const t = INSTRUCTIONS[d]!.branchTarget;
      if (t !== undefined) targets.add(code[pc * STRIDE + slots[d]!.get(t)!] as number);
    }
    const regs = new Array<number | undefined>(REGISTER_COUNT).fill(0);
    for (let pc = 0; pc < img.length; pc++) {
      if (targets.has(pc)) regs.fill(undefined, 1);
      const b = pc * STRIDE;
      const d = code[b] as number;
      const def = INSTRUCTIONS[d]!;
      const at = slots[d]!;
      if (def.regWrite) {
        const w = def.regWrite;
        const args: Record<string, number> = {};
        for (const [name, k] of at) args[name] = code[b + k] as number;
        const v = w.value?.(args, (field) => regs[args[field]!]);
        const rd = args[w.dest]!;
        if (rd !== 0) regs[rd] = v;
      } else if (d === PSUM) {
        const rn = regs[code[b + pRn] as number];
        const list = img.routes[code[b + pRoute] as number];
        if (rn !== undefined && list) out.push({ core: img.core, rn, n: code[b + pN] as number, dests: list.map((x) => ({ core: x.core, base: x.base })) });
      }
    }
  }
  return out;
}
