/**
 * Work and memory bounds of one simulation (docs/timing.md, "Bounds"): the memory a loaded binary
 * needs is estimated from the container's declared sizes and checked against a budget
 * (--max-memory) before anything is allocated; the flits one instruction may stage and the
 * network may hold are bounded by what is left of that budget; an inference stops past
 * --max-cycles cycles.
 */
import { coreCount, type ChipConfig } from '../isa/chip.js';
import type { BwcContainer, RouteDest } from '../isa/container-types.js';
import { BwsnnError } from '../isa/errors.js';
import { sendLastWord } from '../isa/validate.js';
import { ENERGY_EVENTS, INSTRUCTIONS, type Activity, type InstrDef } from '../isa/table.js';

/** Default memory budget of one simulation thread (bytes): 2 GiB. */
export const DEFAULT_MAX_MEMORY = 2 ** 31;
/** Default cycle budget per inference of a program with branches (JMP, BNZD): 2^24 cycles. */
export const DEFAULT_MAX_CYCLES = 2 ** 24;
/** Default cycle budget of a loop-free program (what the compiler emits): this many times its static bound. */
export const LOOP_FREE_FACTOR = 4;
/** Bytes a flit costs while staged and in flight (network records, heap entry, growth slack). */
export const FLIT_BYTES = 200;
/** Fewest flits the budget always allows in flight. */
const MIN_FLITS = 4096;

/** Bytes per neuron of a loaded core: parameters (26), state (21), FIRE kernel copies (26), slack. */
const NEURON_BYTES = 80;
/** Bytes per axon word of a loaded core: two banks (16), dirty lists (8), marks (2), popcount kernel lists, slack. */
const AXON_LINE_BYTES = 64;
/** Bytes per mesh core: router ports, hop counters, event counters (x2), queues. */
const MESH_CORE_BYTES = 64 + 16 * ENERGY_EVENTS.length;
/** Bytes per decoded instruction (op stream) and its memo bookkeeping. */
const INSTR_BYTES = 128;

const DEF = new Map<string, InstrDef>(INSTRUCTIONS.map((d) => [d.mnemonic, d]));


/**
 * Bytes the simulator allocates for `c` (one Machine): neuron and axon memories of every
 * programmed core sized by the chip, synapse copies, op streams, ACC memos, mesh-wide counters.
 * Computed from declared sizes only (no allocation).
 */
export function estimateMemory(c: BwcContainer): number {
  const chip = c.chip;
  const npc = chip.neuronsPerCore;
  const lines = chip.axonLines;
  let bytes = coreCount(chip) * MESH_CORE_BYTES;
  for (const img of c.cores) {
    bytes += npc * NEURON_BYTES + lines * AXON_LINE_BYTES + 8 * img.synapses.length + img.program.length * INSTR_BYTES;
    for (const ins of img.program) {
      // ACC / ACCW memos: up to one axon word list and one sum per neuron each.
      if (ins.op === 'ACC' || ins.op === 'ACCW' || ins.op === 'ACCS') bytes += 12 * lines + 8 * npc + 8 * 2 * lines;
    }
  }
  return bytes;
}

/** Refuse `c` when its estimated memory exceeds `budget` bytes (names the file and the sizes). */
export function checkMemory(c: BwcContainer, file: string, budget: number): number {
  const need = estimateMemory(c);
  if (need > budget) {
    const chip = c.chip;
    throw new BwsnnError(
      `${file}: simulating needs about ${need} bytes (${c.cores.length} programmed cores of ${chip.neuronsPerCore} neurons and ${chip.axonLines} axon words on a ${chip.meshX}x${chip.meshY} mesh), more than the memory budget of ${budget} bytes (--max-memory)`,
    );
  }
  return need;
}

/** Flits that may be staged and in flight at once, from the budget left after the static memory. */
export function flitLimit(budget: number, staticBytes: number): number {
  return Math.max(MIN_FLITS, Math.floor((budget - staticBytes) / FLIT_BYTES));
}

/** True when no core's program branches (no JMP, no BNZD): every instruction runs at most once per step. */
export function loopFree(c: BwcContainer): boolean {
  return c.cores.every((img) => img.program.every((ins) => ins.op !== 'JMP' && ins.op !== 'BNZD'));
}

function routeWords(list: RouteDest[] | undefined, n: number, g: number, cw: number): number {
  let w = 0;
  for (const d of list ?? []) w += sendLastWord(d.bitOffset % 64, n, g, cw) + 1;
  return w;
}

/**
 * Static cycle bound of one inference of a loop-free program: per step, every instruction once
 * with its operands' worst-case activity (the ISA table's own cycle formulas), every core in
 * sequence, plus the network draining every flit across the mesh and the barrier; times T.
 */
export function staticCycleBound(c: BwcContainer): number {
  const chip: ChipConfig = c.chip;
  const npc = chip.neuronsPerCore;
  const lines = chip.axonLines;
  const hop = chip.routerLatency + chip.linkLatency;
  const diameter = chip.meshX + chip.meshY;
  let step = 0;
  let flits = 0;
  for (const img of c.cores) {
    for (const ins of img.program) {
      const def = DEF.get(ins.op);
      if (!def) continue;
      const a = ins.args;
      const n = a.n ?? npc;
      const words = Math.min(lines, (a.len ?? lines) * (a.ap ?? 1));
      const act: Activity = { n, scan: words, ops: 0, flits: 0, spikes: n, taken: 1 };
      if (ins.op === 'ACC') act.ops = n * words * (a.wq ?? 1);
      else if (ins.op === 'ACCW') act.ops = npc * lines * (a.wq ?? 1);
      else if (ins.op === 'SEND') act.flits = routeWords(img.routes[a.route ?? -1], n, a.g ?? 1, a.cw ?? 1);
      else if (ins.op === 'PSUM') act.flits = (img.routes[a.route ?? -1]?.length ?? 0) * Math.ceil(n / 2);
      flits += act.flits;
      step += def.cycles(act, chip);
    }
  }
  step += flits + diameter * hop + chip.barrierLatency + 1;
  return c.meta.timesteps * step;
}

/** The default --max-cycles of `c`: LOOP_FREE_FACTOR x its static bound if loop-free (at least DEFAULT_MAX_CYCLES), else DEFAULT_MAX_CYCLES. */
export function defaultMaxCycles(c: BwcContainer): number {
  return loopFree(c) ? Math.max(DEFAULT_MAX_CYCLES, LOOP_FREE_FACTOR * staticCycleBound(c)) : DEFAULT_MAX_CYCLES;
}
