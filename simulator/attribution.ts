/**
 * Per-layer attribution of energy events (SimOptions.perLayer): every neuron of a core that a
 * probe names belongs to that probe's layer; neurons that only hold partial sums (fan-in splits)
 * belong to the layer of the neurons their PSUM sends to (found by following each program's
 * straight-line register values). At run time an instruction with a first-neuron operand `rn` is
 * charged to the layer of neuron rn; others (LI, ADDI, SYNC, HALT, INPUT, CFGW, ...) and barrier
 * events to "control/other"; network events to the layer of the instruction that injected the flit;
 * host input flits to "input".
 */
import { INSTRUCTIONS } from '../isa/table.js';
import type { Attribution } from './engine.js';
import { STRIDE, slot, type LoadedBinary } from './load.js';

export const INPUT_BUCKET = 'input';
export const OTHER_BUCKET = 'control/other';

export interface LayerAttribution {
  /** Bucket names: the probed layers in probe order, then INPUT_BUCKET, then OTHER_BUCKET. */
  names: string[];
  attribution: Attribution;
}

const DEF = new Map(INSTRUCTIONS.map((d, i) => [d.mnemonic, i]));
const di = (m: string): number => DEF.get(m) as number;

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

/** PSUM instructions whose rn register value is known statically (straight-line LI/ADDI/ADD from the step's zeroed registers). */
function staticPsums(bin: LoadedBinary): StaticPsum[] {
  const out: StaticPsum[] = [];
  const LI = di('LI'), ADDI = di('ADDI'), ADD = di('ADD'), BNZD = di('BNZD'), JMP = di('JMP'), PSUM = di('PSUM');
  const s = (m: string, f: string): number => slot(m, f);
  const liRd = s('LI', 'rd'), liImm = s('LI', 'imm');
  const adRd = s('ADDI', 'rd'), adRs = s('ADDI', 'rs'), adImm = s('ADDI', 'imm');
  const aRd = s('ADD', 'rd'), aRs = s('ADD', 'rs'), aRt = s('ADD', 'rt');
  const bTarget = s('BNZD', 'target'), bRs = s('BNZD', 'rs'), jTarget = s('JMP', 'target');
  const pRn = s('PSUM', 'rn'), pN = s('PSUM', 'n'), pRoute = s('PSUM', 'route');
  for (const img of bin.cores) {
    const code = img.code;
    const targets = new Set<number>();
    for (let pc = 0; pc < img.length; pc++) {
      const d = code[pc * STRIDE] as number;
      if (d === BNZD) targets.add(code[pc * STRIDE + bTarget] as number);
      if (d === JMP) targets.add(code[pc * STRIDE + jTarget] as number);
    }
    const regs = new Array<number | undefined>(16).fill(0);
    const set = (r: number, v: number | undefined): void => {
      if (r !== 0) regs[r] = v === undefined ? undefined : v | 0;
    };
    for (let pc = 0; pc < img.length; pc++) {
      if (targets.has(pc)) regs.fill(undefined, 1);
      const b = pc * STRIDE;
      const d = code[b] as number;
      const get = (k: number): number | undefined => regs[code[b + k] as number];
      if (d === LI) set(code[b + liRd] as number, code[b + liImm] as number);
      else if (d === ADDI) {
        const v = get(adRs);
        set(code[b + adRd] as number, v === undefined ? undefined : v + (code[b + adImm] as number));
      } else if (d === ADD) {
        const x = get(aRs), y = get(aRt);
        set(code[b + aRd] as number, x === undefined || y === undefined ? undefined : x + y);
      } else if (d === BNZD) set(code[b + bRs] as number, undefined);
      else if (d === PSUM) {
        const rn = get(pRn);
        const list = img.routes[code[b + pRoute] as number];
        if (rn !== undefined && list) out.push({ core: img.core, rn, n: code[b + pN] as number, dests: list.map((x) => ({ core: x.core, base: x.base })) });
      }
    }
  }
  return out;
}
