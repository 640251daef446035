/**
 * Pass 4, place: put tasks on cores. Cores are visited in snake order (row 0 left to right, row 1
 * right to left, ...) so that consecutive cores are mesh neighbours; tasks are taken in layer order
 * and packed greedily: a task goes to the current core if its neurons, synapse words and new axon
 * regions fit (regions of the same source units are shared by the tasks of a core), otherwise to
 * the next core. Consecutive layers therefore sit on the same or neighbouring cores. When every
 * core is open, a task that does not fit the current core goes to the first open core where it
 * fits (first fit, in snake order), so a model that fits in total is not refused for locality. A helper
 * task (partial sums) never shares its owner's core. Then neurons, synapse words and axon regions
 * are allocated from address 0 up, in task order.
 */
import { coreCount, synapseWords, type ChipConfig } from '../isa/chip.js';
import { PRESET_LIST } from '../isa/presets.js';
import type { CoreAlloc, Part, Partitioned, Placed, PlacedTask, Region, SourceInfo, Task } from './ir.js';
import { partSramWords, planeWords, taskNeurons } from './partition.js';
import { FitError } from './fit-error.js';

/** Cores in snake order. */
export function snakeOrder(chip: ChipConfig): number[] {
  const out: number[] = [];
  for (let y = 0; y < chip.meshY; y++) {
    for (let i = 0; i < chip.meshX; i++) out.push(y * chip.meshX + (y % 2 === 0 ? i : chip.meshX - 1 - i));
  }
  return out;
}

const regionKey = (source: string, recurrent: boolean, lo: number, hi: number, ch?: [number, number]): string =>
  `${source}|${recurrent ? 1 : 0}|${lo}|${hi}${ch ? `|${ch[0]}-${ch[1]}` : ''}`;

function mib(words: number): string {
  const b = words * 8;
  return b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`;
}

/**
 * snake: pack greedily along the snake; stripe: chunk i of each layer on core i (snake order);
 * spread: the tasks of each phase (layer depth) round-robin over all cores in snake order, so that
 * every phase's work is shared by every core (layers of the same depth share cores).
 */
export type PlaceStrategy = 'snake' | 'stripe' | 'spread';

export function placeModel(p: Partitioned, file = p.lowered.checked.model.name, strategy: PlaceStrategy = 'snake'): Placed {
  const chip = p.lowered.checked.chip;
  const srcs = p.lowered.checked.sources;
  const layers = new Map(p.lowered.layers.map((l) => [l.name, l]));
  const order = snakeOrder(chip);
  const n = order.length;
  // Every core, in snake order; the unused ones are dropped at the end.
  const cores: CoreAlloc[] = order.map((core) => ({ core, tasks: [], neurons: 0, sramWords: 0, axonWords: 0, regions: [] }));
  const keys: Set<string>[] = order.map(() => new Set());
  const placed: PlacedTask[] = new Array(p.tasks.length);
  let ci = -1; // snake: the last opened core
  const seq = new Map<string, number>(); // stripe: chunks of each layer placed so far
  const phaseSeq = new Map<number, number>(); // spread: next core (index) of each depth
  let placedSoFar = 0;

  const regionsOf = (t: Task): { key: string; part: Part; src: SourceInfo; recurrent: boolean; words: number }[] => {
    const l = layers.get(t.layer)!;
    return t.parts.map((part) => {
      const s = l.synapses[part.synapse]!;
      const src = srcs[s.source]!;
      return { key: regionKey(s.source, s.recurrent, part.lo, part.hi, part.ch), part, src, recurrent: s.recurrent, words: src.planes * planeWords(src, part.lo, part.hi, part.ch) };
    });
  };

  const noCore = (t: Task): never => {
    let sram = 0;
    let neurons = 0;
    for (const x of p.tasks) {
      sram += x.sramWords;
      neurons += x.neurons;
    }
    throw new FitError(
      `${file}: layer ${t.layer}: no core left for units ${t.u0}..${t.u1 - 1} (${t.role}: ${t.neurons} neurons, ${mib(t.sramWords)} of synapses); the model needs ${mib(sram)} of synapses and ${neurons} neurons in all, ` +
        `chip "${chip.name}" has ${mib(n * synapseWords(chip))} and ${n * chip.neuronsPerCore} neurons in ${n} cores (meshX x meshY = ${chip.meshX} x ${chip.meshY}); raise meshX/meshY, neuronsPerCore, synapseSramBytes or axonLines` +
        presetHint(chip, neurons, sram),
    );
  };

  for (const t of p.tasks) {
    const regs = regionsOf(t);
    const fitsOn = (k: number): boolean => {
      const c = cores[k]!;
      if (t.role === 'helper' && c.tasks.includes(t.owner)) return false;
      let axon = c.axonWords;
      const seen = new Set(keys[k]);
      for (const r of regs) {
        if (!seen.has(r.key)) {
          axon += r.words;
          seen.add(r.key);
        }
      }
      return c.neurons + t.neurons <= chip.neuronsPerCore && c.sramWords + t.sramWords <= synapseWords(chip) && axon <= chip.axonLines;
    };
    let target = -1;
    if (strategy === 'snake') {
      if (ci >= 0 && fitsOn(ci)) target = ci;
      else if (ci + 1 < n) {
        ci++;
        if (!fitsOn(ci)) throw new Error(`internal: task ${t.id} of layer ${t.layer} does not fit an empty core`);
        target = ci;
      } else {
        // Every core is open: first fit (locality gives way to fitting at all).
        for (let k = 0; k < n && target < 0; k++) if (fitsOn(k)) target = k;
      }
    } else if (strategy === 'spread') {
      const d = layers.get(t.layer)!.depth;
      // Each depth starts where the previous tasks ended: phases are spread over every core, and
      // successive layers also fill different cores when a layer has fewer parts than the chip cores.
      const i = phaseSeq.get(d) ?? placedSoFar;
      phaseSeq.set(d, i + 1);
      for (let k = 0; k < n && target < 0; k++) if (fitsOn((i + k) % n)) target = (i + k) % n;
    } else {
      const i = seq.get(t.layer) ?? 0;
      seq.set(t.layer, i + 1);
      for (let d = 0; d < n && target < 0; d++) if (fitsOn((i + d) % n)) target = (i + d) % n;
    }
    if (target < 0) noCore(t);
    const c = cores[target]!;
    const l = layers.get(t.layer)!;
    const pt: PlacedTask = { task: t.id, core: c.core, neuronBase: c.neurons, partSram: [], partRegion: [] };
    for (const r of regs) {
      let idx = c.regions.findIndex((x) => regionKey(x.source, x.recurrent, x.lo, x.hi, x.ch) === r.key);
      if (idx < 0) {
        const reg: Region = {
          source: r.src.name,
          recurrent: r.recurrent,
          lo: r.part.lo,
          hi: r.part.hi,
          base: c.axonWords,
          planeWords: planeWords(r.src, r.part.lo, r.part.hi, r.part.ch),
          planes: r.src.planes,
          ...(r.part.ch ? { ch: r.part.ch, cw: Math.ceil((r.part.ch[1] - r.part.ch[0]) / 64) } : {}),
        };
        c.regions.push(reg);
        keys[target]!.add(r.key);
        c.axonWords += r.words;
        idx = c.regions.length - 1;
      }
      pt.partRegion.push(idx);
      pt.partSram.push(c.sramWords);
      const s = l.synapses[r.part.synapse]!;
      c.sramWords += partSramWords(s, r.src, r.part, taskNeurons(l, t), t.c1 - t.c0);
    }
    c.neurons += t.neurons;
    c.tasks.push(t.id);
    placed[t.id] = pt;
    placedSoFar++;
  }
  return { partitioned: p, cores: cores.filter((c) => c.tasks.length > 0), placed };
}

/** Shipped presets with at least the chip's widths and room in total for the model (a necessary condition). */
function presetHint(chip: ChipConfig, neurons: number, sramWords: number): string {
  const fit = PRESET_LIST.map((p) => p.chip).filter(
    (c) =>
      coreCount(c) > coreCount(chip) && c.membraneBits >= chip.membraneBits && c.thresholdBits >= chip.thresholdBits && c.biasBits >= chip.biasBits &&
      coreCount(c) * c.neuronsPerCore >= neurons && coreCount(c) * synapseWords(c) >= sramWords,
  );
  return fit.length ? ` (shipped preset with room enough in total: ${fit[0]!.name}, --chip ${fit[0]!.name})` : '';
}
