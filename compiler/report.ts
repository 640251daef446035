/**
 * The compile report: cores used, per-core utilization (neurons, synapse SRAM, axon buffer,
 * instruction memory, routing entries), synapse counts, the fixed-point format per layer and an
 * ideal lower bound on cycles per time step. Cycles measured by the simulator are filled in by the
 * caller (cli/commands/compile.ts) when it can run one; otherwise they stay null ("not measured").
 */
import { synapseWords, wordsPerCycle } from '../isa/chip.js';
import { chipDisplayName } from '../isa/presets.js';
import type { Scheduled } from './ir.js';
import { taskNeurons } from './partition.js';

export interface CoreUsage {
  core: number;
  x: number;
  y: number;
  layers: string[];
  neurons: number;
  synapseWords: number;
  axonWords: number;
  instructions: number;
  routeEntries: number;
}

export interface LayerReport {
  name: string;
  kind: 'if' | 'readout';
  shape: number[];
  depth: number;
  fracBits: number;
  tasks: number;
  helpers: number;
  cores: number[];
  /** Synapses (connections, counting shared conv weights once per use). */
  synapses: number;
  /** Weight bits stored in synapse SRAM (planes included, word padding excluded). */
  weightBits: number;
  /** 64-bit synapse words stored (with padding to words). */
  synapseWords: number;
  /** Worst-case popcount word operations per time step (every axon word non-zero). */
  popcountWords: number;
}

export interface CompileReport {
  model: string;
  chip: string;
  timesteps: number;
  coresUsed: number;
  coresTotal: number;
  phases: number;
  /** Mapping strategy that produced the binary (compiler/index.ts), when known. */
  strategy?: string;
  capacity: { neurons: number; synapseWords: number; axonLines: number; instrMemWords: number; routeEntries: number };
  cores: CoreUsage[];
  layers: LayerReport[];
  /** Routing-list destinations and their mesh distances (XY hops from the sending core): placement locality. */
  routes: { destinations: number; totalHops: number; maxHops: number; meanHops: number };
  totalSynapses: number;
  totalWeightBits: number;
  totalPopcountWords: number;
  /** total popcount words / (cores used x lanes x laneBits/64). */
  idealCyclesPerStep: number;
  /** Cycles per step (and per inference) measured by the simulator on given inputs; empty if not measured. */
  measured: { cyclesPerInference: number; cyclesPerStep: number; input: string }[];
  notes: string[];
}

export function buildReport(s: Scheduled): CompileReport {
  const pl = s.routed.placed;
  const lm = pl.partitioned.lowered;
  const chip = lm.checked.chip;
  const srcs = lm.checked.sources;
  const tasks = pl.partitioned.tasks;
  const m = lm.checked.model;
  const cores: CoreUsage[] = pl.cores.map((c) => ({
    core: c.core,
    x: c.core % chip.meshX,
    y: Math.floor(c.core / chip.meshX),
    layers: [...new Set(c.tasks.map((t) => tasks[t]!.layer))],
    neurons: c.neurons,
    synapseWords: c.sramWords,
    axonWords: c.axonWords,
    instructions: s.programs[c.core]!.length,
    routeEntries: (s.routed.routes[c.core] ?? []).reduce((a, l) => a + l.length, 0),
  }));
  const layers: LayerReport[] = lm.layers.map((l) => {
    const mine = tasks.filter((t) => t.layer === l.name);
    let synapses = 0;
    let weightBits = 0;
    let pop = 0;
    for (const syn of l.synapses) {
      const src = srcs[syn.source]!;
      if (syn.op.kind === 'dense') {
        synapses += l.neurons * syn.op.inFeatures;
        weightBits += l.neurons * syn.op.inFeatures * syn.wq;
      } else if (syn.op.kind === 'conv') {
        const [C, H, W] = syn.op.inShape;
        const [kh, kw] = syn.op.kernel;
        const [sh, sw] = syn.op.stride;
        const [ph, pw] = syn.op.padding;
        weightBits += l.C * C * kh * kw * syn.wq;
        // Count in-range window positions over all output positions.
        let inRange = 0;
        for (let y = 0; y < l.H; y++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = y * sh + ky - ph;
            if (iy < 0 || iy >= H) continue;
            for (let x = 0; x < l.W; x++) {
              for (let kx = 0; kx < kw; kx++) {
                const ix = x * sw + kx - pw;
                if (ix >= 0 && ix < W) inRange++;
              }
            }
          }
        }
        synapses += inRange * C * l.C;
        pop += inRange * src.cw * syn.ap * l.C * syn.wq;
      } else {
        synapses += l.neurons;
      }
    }
    for (const t of mine) {
      for (const part of t.parts) {
        const syn = l.synapses[part.synapse]!;
        if (syn.op.kind !== 'dense') continue;
        const src = srcs[syn.source]!;
        const words = src.layout === 'pos' ? (part.hi - part.lo) * src.W * src.cw : Math.ceil((part.hi - part.lo) / 64);
        pop += taskNeurons(l, t) * syn.wq * words * syn.ap;
      }
    }
    const sramW = mine.reduce((a, t) => a + t.sramWords, 0);
    return {
      name: l.name,
      kind: l.kind,
      shape: l.shape,
      depth: l.depth,
      fracBits: l.fracBits,
      tasks: mine.length,
      helpers: mine.filter((t) => t.role === 'helper').length,
      cores: [...new Set(mine.map((t) => pl.placed[t.id]!.core))],
      synapses,
      weightBits,
      synapseWords: sramW,
      popcountWords: pop,
    };
  });
  const totalPop = layers.reduce((a, l) => a + l.popcountWords, 0);
  let destinations = 0;
  let totalHops = 0;
  let maxHops = 0;
  for (const [core, lists] of Object.entries(s.routed.routes)) {
    const c = Number(core);
    for (const d of lists.flat()) {
      const h = Math.abs((c % chip.meshX) - (d.core % chip.meshX)) + Math.abs(Math.floor(c / chip.meshX) - Math.floor(d.core / chip.meshX));
      destinations++;
      totalHops += h;
      maxHops = Math.max(maxHops, h);
    }
  }
  return {
    model: m.name,
    chip: chipDisplayName(chip),
    timesteps: m.timesteps,
    coresUsed: pl.cores.length,
    coresTotal: chip.meshX * chip.meshY,
    phases: s.phases.length,
    capacity: {
      neurons: chip.neuronsPerCore,
      synapseWords: synapseWords(chip),
      axonLines: chip.axonLines,
      instrMemWords: chip.instrMemWords,
      routeEntries: chip.routeEntries,
    },
    cores,
    layers,
    routes: { destinations, totalHops, maxHops, meanHops: destinations ? totalHops / destinations : 0 },
    totalSynapses: layers.reduce((a, l) => a + l.synapses, 0),
    totalWeightBits: layers.reduce((a, l) => a + l.weightBits, 0),
    totalPopcountWords: totalPop,
    idealCyclesPerStep: totalPop / (pl.cores.length * wordsPerCycle(chip)),
    measured: [],
    notes: [],
  };
}

const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)}%`;

/** The human-readable report (`--report`). */
export function formatReport(r: CompileReport): string {
  const out: string[] = [];
  out.push(`model ${r.model} on chip ${r.chip}: ${r.coresUsed} of ${r.coresTotal} cores, ${r.phases} phases per time step, T = ${r.timesteps}${r.strategy ? `, strategy ${r.strategy}` : ''}`);
  out.push('');
  out.push('layers:');
  out.push('  name                 kind     shape            depth  F  tasks helpers synapses      weight bits  SRAM words  popcount words/step');
  for (const l of r.layers) {
    out.push(
      `  ${l.name.padEnd(20)} ${l.kind.padEnd(8)} ${`[${l.shape.join(',')}]`.padEnd(16)} ${String(l.depth).padStart(5)} ${String(l.fracBits).padStart(2)} ${String(l.tasks).padStart(6)} ${String(l.helpers).padStart(7)} ${String(l.synapses).padStart(12)} ${String(l.weightBits).padStart(12)} ${String(l.synapseWords).padStart(11)} ${String(l.popcountWords).padStart(20)}`,
    );
  }
  out.push('');
  out.push('cores (utilization of neurons, synapse SRAM, axon buffer, instruction memory, routing entries):');
  for (const c of r.cores) {
    out.push(
      `  core ${String(c.core).padStart(3)} (${c.x},${c.y})  neurons ${c.neurons}/${r.capacity.neurons} (${pct(c.neurons, r.capacity.neurons)})  ` +
        `SRAM ${c.synapseWords}/${r.capacity.synapseWords} words (${pct(c.synapseWords, r.capacity.synapseWords)})  ` +
        `axon ${c.axonWords}/${r.capacity.axonLines} (${pct(c.axonWords, r.capacity.axonLines)})  ` +
        `instr ${c.instructions}/${r.capacity.instrMemWords} (${pct(c.instructions, r.capacity.instrMemWords)})  ` +
        `routes ${c.routeEntries}/${r.capacity.routeEntries}  layers ${c.layers.join(',')}`,
    );
  }
  out.push('');
  out.push(
    `routing: ${r.routes.destinations} destinations, mesh distance mean ${r.routes.meanHops.toFixed(2)} hops, max ${r.routes.maxHops} (0 = same core)`,
  );
  out.push(`total synapses ${r.totalSynapses}, binary weight bits ${r.totalWeightBits}, popcount words per step (all axon words non-zero) ${r.totalPopcountWords}`);
  out.push(`ideal lower bound: ${r.idealCyclesPerStep.toFixed(1)} cycles per time step with every axon word non-zero (popcount words / (${r.coresUsed} cores x lanes x laneBits/64))`);
  for (const ms of r.measured) {
    out.push(`simulated: ${ms.cyclesPerStep.toFixed(1)} cycles per time step, ${ms.cyclesPerInference} per inference (input: ${ms.input})`);
  }
  if (r.measured.length === 0) out.push('simulated cycles: not measured');
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
