/**
 * Pass 3, partition: split every lowered layer into tasks that each fit one core.
 *
 * - By output: a layer's units (flat neurons, or output rows of a [C, H, W] layer) are cut into
 *   the fewest equal chunks whose neurons, synapse words (dense rows of the chunk + conv kernels,
 *   stored once) and axon regions (the source units the chunk reads) fit one core.
 * - By fan-in: when even one unit does not fit and every synapse of the layer is dense, each dense
 *   synapse is cut into slices of its source (word ranges of a flat source, row ranges of a
 *   position-major one). The owner task computes slice 0 of synapse 0, fires and sends; one
 *   helper task per other (synapse, slice) accumulates its partial sums and PSUMs them to the owner.
 */
import { synapseWords, wordsPerCycle, type ChipConfig } from '../isa/chip.js';
import { WORD_BITS } from '../isa/table.js';
import type { LoweredLayer, LoweredModel, LoweredSynapse, Part, Partitioned, SourceInfo, Task } from './ir.js';
import { FitError } from './fit-error.js';

/** Bits of an axon / spike word (the ISA's word). */
const WORD = WORD_BITS;

/** Words per plane of source units [lo, hi) (of channels [ch0, ch1) only for a channel-shifted region). */
export function planeWords(src: SourceInfo, lo: number, hi: number, ch?: [number, number]): number {
  if (src.layout !== 'pos') return Math.ceil((hi - lo) / WORD);
  return (hi - lo) * src.W * (ch ? Math.ceil((ch[1] - ch[0]) / WORD) : src.cw);
}

/** Source rows a conv chunk of output rows [y0, y1) reads: [r0, r1) with r0 a multiple of the stride. */
export function convRows(s: LoweredSynapse, y0: number, y1: number): [number, number] {
  if (s.op.kind !== 'conv') throw new Error('convRows on a non-conv synapse');
  const H = s.op.inShape[1];
  const [kh] = s.op.kernel;
  const [sh] = s.op.stride;
  const [ph] = s.op.padding;
  const need0 = Math.max(0, y0 * sh - ph);
  const r0 = Math.floor(need0 / sh) * sh;
  const r1 = Math.max(r0 + 1, Math.min(H, (y1 - 1) * sh - ph + kh));
  return [r0, r1];
}

/** The part of synapse `s` a chunk [u0, u1) needs when the synapse is not sliced. */
export function fullPart(s: LoweredSynapse, src: SourceInfo, u0: number, u1: number, c0 = 0, c1 = src.C): Part {
  if (s.op.kind === 'dense') return { synapse: s.index, lo: 0, hi: src.units };
  if (s.op.kind === 'identity') {
    // A channel group not starting at a word boundary reads a channel-shifted region.
    if (src.layout === 'pos' && c0 % WORD !== 0) return { synapse: s.index, lo: u0, hi: u1, ch: [c0, c1] };
    return { synapse: s.index, lo: u0, hi: u1 };
  }
  const [lo, hi] = convRows(s, u0, u1);
  return { synapse: s.index, lo, hi };
}

/** Synapse words of one part for a chunk of `neurons` neurons of a layer with `cout` channels (conv kernels are stored once). */
export function partSramWords(s: LoweredSynapse, src: SourceInfo, p: Part, neurons: number, cout: number): number {
  if (s.op.kind === 'dense') return neurons * s.wq * planeWords(src, p.lo, p.hi);
  if (s.op.kind === 'conv') return p.k0 === undefined ? cout * s.wq * s.op.kernelWords : cout * s.wq * (p.k1! - p.k0) * s.op.kernel[1] * src.cw;
  return 0;
}

/** Axon words of one part's region. */
export function partAxonWords(src: SourceInfo, p: Part): number {
  return src.planes * planeWords(src, p.lo, p.hi, p.ch);
}

/** Neurons of a task (chunk [u0, u1) of units, channels [c0, c1) of a [C, H, W] layer). */
export function taskNeurons(l: LoweredLayer, t: { u0: number; u1: number; c0: number; c1: number }): number {
  return l.geometry === 'rows' ? (t.u1 - t.u0) * l.W * (t.c1 - t.c0) : t.u1 - t.u0;
}

interface Need {
  neurons: number;
  sram: number;
  axon: number;
}

function chunkNeed(l: LoweredLayer, srcs: Record<string, SourceInfo>, u0: number, u1: number, c0 = 0, c1 = l.C): Need {
  const neurons = taskNeurons(l, { u0, u1, c0, c1 });
  let sram = 0;
  let axon = 0;
  for (const s of l.synapses) {
    const src = srcs[s.source]!;
    const p = fullPart(s, src, u0, u1, c0, c1);
    sram += partSramWords(s, src, p, neurons, c1 - c0);
    axon += partAxonWords(src, p);
  }
  return { neurons, sram, axon };
}

function fits(n: Need, chip: ChipConfig): boolean {
  return n.neurons <= chip.neuronsPerCore && n.sram <= synapseWords(chip) && n.axon <= chip.axonLines;
}

function fitError(file: string, l: LoweredLayer, n: Need, chip: ChipConfig, what: string): never {
  const parts: string[] = [];
  if (n.neurons > chip.neuronsPerCore) parts.push(`${n.neurons} neurons, a core has neuronsPerCore = ${chip.neuronsPerCore}`);
  if (n.sram > synapseWords(chip)) {
    parts.push(`${n.sram * 8} bytes of synapses (${n.sram} words), a core has synapseSramBytes = ${chip.synapseSramBytes}`);
  }
  if (n.axon > chip.axonLines) parts.push(`${n.axon} axon words, a core has axonLines = ${chip.axonLines}`);
  throw new FitError(`${file}: layer ${l.name}: ${what} needs ${parts.join('; ')} (raise those chip config fields)`);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Split [0, U) into k nearly equal chunks. */
function chunks(U: number, k: number): [number, number][] {
  const out: [number, number][] = [];
  const base = Math.floor(U / k);
  const rem = U % k;
  let u = 0;
  for (let i = 0; i < k; i++) {
    const len = base + (i < rem ? 1 : 0);
    out.push([u, u + len]);
    u += len;
  }
  return out;
}

export interface PartitionOptions {
  /**
   * Cut every layer that needs more than an eighth of a core (neurons or synapse words) into at least
   * min(units, minChunks) chunks (used to spread big layers over all cores).
   */
  minChunks?: number;
  /**
   * Spread strategy: cut every layer into about this many parts (the chip's cores), flat layers by
   * word-aligned neuron ranges, [C, H, W] layers by output rows and, when there are fewer rows than
   * parts, by output channel groups. A layer whose parts do not fit this way (or that needs partial
   * sums) falls back to the fewest chunks that fit, cut into at least `spread` chunks.
   */
  spread?: number;
}

/** Spread: a flat part holds at least this many neurons (16 measured 2% slower on both zoo models than 1: their 10-neuron readouts gain from 10 parts). */
export const SPREAD_MIN_FLAT = 1;

/**
 * Spread: a part should do at least this many cycles of popcount work (every axon word non-zero);
 * a smaller part costs more in SEND flits and barrier waits than it saves. See docs/compiler.md.
 */
export const SPREAD_MIN_CYCLES = 32;

/** Popcount words per step of a whole layer with every axon word non-zero (conv windows counted with padding). */
export function layerOps(l: LoweredLayer, srcs: Record<string, SourceInfo>): number {
  let ops = 0;
  for (const s of l.synapses) {
    const src = srcs[s.source]!;
    if (s.op.kind === 'dense') ops += l.neurons * s.wq * s.ap * planeWords(src, 0, src.units);
    else if (s.op.kind === 'conv') ops += l.H * l.W * s.op.kernelWords * s.ap * l.C * s.wq;
  }
  return ops;
}

/** Spread chunk size of a flat layer: a multiple of 64, or a power of two below 64, so chunks never straddle a word more than needed. */
export function alignedChunk(units: number, parts: number): number {
  const s = Math.max(Math.ceil(units / Math.max(1, parts)), Math.min(units, SPREAD_MIN_FLAT));
  if (s >= WORD) return Math.ceil(s / WORD) * WORD;
  let p = 1;
  while (p < s) p *= 2;
  return p;
}

export function partitionModel(lm: LoweredModel, file = lm.checked.model.name, opts: PartitionOptions = {}): Partitioned {
  const spreadMax = opts.spread ?? 0;
  const minChunksAll = Math.max(opts.minChunks ?? 1, spreadMax);
  const chip = lm.checked.chip;
  const srcs = lm.checked.sources;
  const tasks: Task[] = [];
  const add = (t: Omit<Task, 'id'>): Task => {
    const task = { ...t, id: tasks.length };
    tasks.push(task);
    return task;
  };

  // Channel group size of every layer placed so far (C when not cut by channels).
  const groupSize = new Map<string, number>();
  const groupsOf = (C: number, G: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let c = 0; c < C; c += G) out.push([c, Math.min(C, c + G)]);
    return out;
  };
  /**
   * Group size at most Gmax for layer l. Without identity shortcuts: balanced over the groups. With
   * them: a multiple of 64 (ACCS reads the full-channel region from word c0/64), else a multiple of
   * the shortcut sources' own group size, so that every source group falls inside one of ours and
   * can send into a channel-shifted region; undefined when neither exists.
   */
  const chooseGroupSize = (l: LoweredLayer, Gmax: number): number | undefined => {
    const ids = l.synapses.filter((s) => s.op.kind === 'identity' && srcs[s.source]!.layout === 'pos');
    if (ids.length === 0) return Math.ceil(l.C / Math.ceil(l.C / Gmax));
    if (Gmax >= WORD) return Math.floor(Gmax / WORD) * WORD;
    let Gs = 1;
    for (const s of ids) {
      const g = srcs[s.source]!.isInput ? 1 : groupSize.get(s.source) ?? srcs[s.source]!.C;
      Gs = (Gs * g) / gcd(Gs, g);
    }
    const G = Math.floor(Gmax / Gs) * Gs;
    return G >= 1 ? G : undefined;
  };

  /** Spread layer l over about `spread` parts; false (nothing added) when its parts do not fit. */
  const spreadLayer = (l: LoweredLayer): boolean => {
    const spread = Math.min(spreadMax, Math.max(1, Math.floor(layerOps(l, srcs) / (wordsPerCycle(chip) * SPREAD_MIN_CYCLES))));
    const all = (cs: [number, number][], c0: number, c1: number): boolean => cs.every(([a, b]) => fits(chunkNeed(l, srcs, a, b, c0, c1), chip));
    const plan: { c0: number; c1: number; cs: [number, number][] }[] = [];
    if (l.geometry === 'flat') {
      const s = alignedChunk(l.units, spread);
      const cs: [number, number][] = [];
      for (let u = 0; u < l.units; u += s) cs.push([u, Math.min(l.units, u + s)]);
      if (!all(cs, 0, 1)) return false;
      plan.push({ c0: 0, c1: 1, cs });
    } else {
      // Rows first; channel groups only when there are fewer rows than parts.
      let groups: [number, number][] = [[0, l.C]];
      // Channel groups of whole words (64 channels) when the layer has that many, so that every
      // position of a part still sends whole spike words.
      const ng = l.H >= spread ? 1 : Math.min(l.C >= WORD ? Math.floor(l.C / WORD) : l.C, Math.floor(spread / l.H));
      if (ng > 1) {
        const G = chooseGroupSize(l, Math.ceil(l.C / ng));
        if (G !== undefined && G < l.C) groups = groupsOf(l.C, G);
      }
      const k = Math.min(l.H, Math.max(1, Math.round(spread / groups.length)));
      for (const [c0, c1] of groups) {
        const cs = chunks(l.H, k);
        if (!all(cs, c0, c1)) return false;
        plan.push({ c0, c1, cs });
      }
    }
    groupSize.set(l.name, plan[0]!.c1 - plan[0]!.c0);
    for (const { c0, c1, cs } of plan) {
      for (const [u0, u1] of cs) {
        const need = chunkNeed(l, srcs, u0, u1, c0, c1);
        const parts = l.synapses.map((s) => fullPart(s, srcs[s.source]!, u0, u1, c0, c1));
        add({ layer: l.name, role: 'owner', owner: tasks.length, u0, u1, c0, c1, neurons: need.neurons, parts, sramWords: need.sram });
      }
    }
    return true;
  };

  for (const l of lm.layers) {
    if (spreadMax > 1 && spreadLayer(l)) continue;
    const whole = chunkNeed(l, srcs, 0, l.units);
    const big = 8 * whole.neurons > chip.neuronsPerCore || 8 * whole.sram > synapseWords(chip);
    const minChunks = big ? minChunksAll : 1;
    // Channel groups of a [C, H, W] layer whose single output row does not fit: the largest group
    // size (a multiple of 64 when an identity shortcut reads the group's channels by word) for which
    // every single row fits.
    const oneRowFits = (c0: number, c1: number): boolean => {
      for (let u = 0; u < l.units; u++) if (!fits(chunkNeed(l, srcs, u, u + 1, c0, c1), chip)) return false;
      return true;
    };
    let groups: [number, number][] = [[0, l.C]];
    if (l.geometry === 'rows' && !oneRowFits(0, l.C)) {
      // Largest group size whose one-row chunks fit (monotone in the size).
      let lo = 0;
      let hi = l.C - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (oneRowFits(0, mid)) lo = mid;
        else hi = mid - 1;
      }
      const G = lo >= 1 ? chooseGroupSize(l, lo) : undefined;
      if (G !== undefined) groups = groupsOf(l.C, G);
    }
    groupSize.set(l.name, groups[0]![1] - groups[0]![0]);
    // The most demanding single unit (conv windows differ at the borders).
    let one = chunkNeed(l, srcs, 0, 1, groups[0]![0], groups[0]![1]);
    for (const [c0, c1] of groups) {
      for (let u = 0; u < l.units && fits(one, chip); u++) {
        const nu = chunkNeed(l, srcs, u, u + 1, c0, c1);
        if (!fits(nu, chip)) one = nu;
      }
    }
    if (fits(one, chip)) {
      for (const [c0, c1] of groups) {
        // Largest chunk that fits (needs grow with the chunk).
        let lo = 1;
        let hi = l.units;
        while (lo < hi) {
          const mid = Math.ceil((lo + hi) / 2);
          if (fits(chunkNeed(l, srcs, 0, mid, c0, c1), chip)) lo = mid;
          else hi = mid - 1;
        }
        // Conv row windows differ with the chunk position: shrink until every chunk fits.
        let k = Math.max(Math.ceil(l.units / lo), Math.min(l.units, Math.ceil(minChunks / groups.length)));
        let cs = chunks(l.units, k);
        while (k < l.units && !cs.every(([a, b]) => fits(chunkNeed(l, srcs, a, b, c0, c1), chip))) {
          k++;
          cs = chunks(l.units, k);
        }
        for (const [u0, u1] of cs) {
          const need = chunkNeed(l, srcs, u0, u1, c0, c1);
          const parts = l.synapses.map((s) => fullPart(s, srcs[s.source]!, u0, u1, c0, c1));
          add({ layer: l.name, role: 'owner', owner: tasks.length, u0, u1, c0, c1, neurons: need.neurons, parts, sramWords: need.sram });
        }
      }
      continue;
    }
    fanIn(l, one);
  }
  return { lowered: lm, tasks };

  /**
   * Fan-in split with partial sums: dense synapses are cut into source slices, conv synapses into
   * kernel-row slices; identity shortcuts stay with the owner. A [C, H, W] layer is first cut into
   * output-channel groups small enough for one row of neurons.
   */
  function fanIn(l: LoweredLayer, one: Need): void {
    const npc = chip.neuronsPerCore;
    const synW = synapseWords(chip);
    let groups: [number, number][] = [[0, l.C]];
    if (l.geometry === 'rows') {
      // Channels per group: one output row of neurons, and one kernel row of every conv in half a core.
      let Gmax = Math.floor(npc / l.W);
      let oneChannelSram = 0;
      for (const s of l.synapses) {
        if (s.op.kind !== 'conv') continue;
        const per = s.wq * s.op.kernel[1] * srcs[s.source]!.cw;
        oneChannelSram = Math.max(oneChannelSram, per);
        Gmax = Math.min(Gmax, Math.floor(synW / 2 / per));
      }
      if (Gmax < l.C) {
        const G = Gmax >= 1 ? chooseGroupSize(l, Gmax) : undefined;
        if (G === undefined) {
          fitError(file, l, { neurons: l.W, sram: 2 * oneChannelSram, axon: 0 }, chip, `one output row of one channel with partial sums (half a core per kernel row)`);
        }
        groups = groupsOf(l.C, G);
      }
    }
    groupSize.set(l.name, groups[0]![1] - groups[0]![0]);
    const G = groups[0]![1] - groups[0]![0];
    // Slices of at most half a core's axon buffer and synapse memory each.
    type Slice = { s: LoweredSynapse; lo: number; hi: number; k0?: number; k1?: number };
    const slices: Slice[] = [];
    const ids: LoweredSynapse[] = [];
    for (const s of l.synapses) {
      const src = srcs[s.source]!;
      if (s.op.kind === 'identity') {
        ids.push(s);
        continue;
      }
      if (s.op.kind === 'conv') {
        const [kh, kw] = s.op.kernel;
        const rowWords = src.W * src.cw;
        let R = kh;
        while (R >= 1 && (s.ap * R * rowWords > chip.axonLines / 2 || G * s.wq * R * kw * src.cw > synW / 2)) R--;
        if (R < 1) {
          fitError(file, l, { neurons: l.W * G, sram: G * s.wq * kw * src.cw, axon: s.ap * rowWords * 2 }, chip, `one kernel row of ${s.source} (conv partial sums need half a core per slice)`);
        }
        for (let k = 0; k < kh; k += R) slices.push({ s, lo: 0, hi: 0, k0: k, k1: Math.min(kh, k + R) });
        continue;
      }
      const S = Math.max(1, Math.floor(Math.min(chip.axonLines / s.ap, synW / s.wq) / 2));
      const perUnit = src.layout === 'pos' ? src.W * src.cw : 1 / WORD;
      const sliceUnits = src.layout === 'pos' ? Math.floor(S / perUnit) : S * WORD;
      if (sliceUnits < 1) {
        fitError(file, l, { neurons: 1, sram: s.wq * perUnit, axon: s.ap * perUnit }, chip, `one source row of ${s.source} (per neuron)`);
      }
      for (let a = 0; a < src.units; a += sliceUnits) slices.push({ s, lo: a, hi: Math.min(src.units, a + sliceUnits) });
    }
    if (slices.length === 0) fitError(file, l, one, chip, 'the identity shortcuts alone');
    const partOf = (x: Slice, u0: number, u1: number): Part => {
      if (x.k0 === undefined || x.s.op.kind !== 'conv') return { synapse: x.s.index, lo: x.lo, hi: x.hi };
      const [sh] = x.s.op.stride;
      const [ph] = x.s.op.padding;
      return { synapse: x.s.index, lo: u0 * sh + x.k0 - ph, hi: (u1 - 1) * sh + x.k1! - ph, k0: x.k0, k1: x.k1! };
    };
    const partNeed = (parts: Part[], neurons: number, cout: number): Need => {
      let sram = 0;
      let axon = 0;
      for (const p of parts) {
        const s = l.synapses[p.synapse]!;
        const src = srcs[s.source]!;
        sram += partSramWords(s, src, p, neurons, cout);
        axon += partAxonWords(src, p);
      }
      return { neurons, sram, axon };
    };
    const taskParts = (u0: number, u1: number, groupOf: { c0: number; c1: number }): Part[][] =>
      slices.map((x, i) => (i === 0 ? [partOf(x, u0, u1), ...ids.map((s) => fullPart(s, srcs[s.source]!, u0, u1, groupOf.c0, groupOf.c1))] : [partOf(x, u0, u1)]));
    const chunkFits = (u0: number, u1: number, c0: number, c1: number): boolean => {
      const cout = c1 - c0;
      const neurons = (l.geometry === 'rows' ? l.W * cout : 1) * (u1 - u0);
      const even = neurons + (neurons & 1) <= npc ? neurons + (neurons & 1) : neurons;
      return taskParts(u0, u1, { c0, c1 }).every((ps) => fits({ ...partNeed(ps, neurons, cout), neurons: even }, chip));
    };
    for (const [c0, c1] of groups) {
      let k = Math.max(1, Math.min(l.units, minChunksAll > 1 && 8 * one.neurons > npc ? Math.ceil(minChunksAll / groups.length) : 1));
      let cs = chunks(l.units, k);
      while (!cs.every(([a, b]) => chunkFits(a, b, c0, c1))) {
        if (k >= l.units) fitError(file, l, one, chip, 'one output unit of a fan-in slice');
        k++;
        cs = chunks(l.units, k);
      }
      for (const [u0, u1] of cs) {
        const neurons = taskNeurons(l, { u0, u1, c0, c1 });
        const even = neurons + (neurons & 1) <= npc ? neurons + (neurons & 1) : neurons;
        const owner = tasks.length;
        // Owners of partial sums also reserve an even number of neuron slots: a PSUM pair may
        // address the slot after the last neuron (it adds 0 there).
        taskParts(u0, u1, { c0, c1 }).forEach((parts, i) => {
          const sram = partNeed(parts, neurons, c1 - c0).sram;
          add({ layer: l.name, role: i === 0 ? 'owner' : 'helper', owner, u0, u1, c0, c1, neurons: even, parts, sramWords: sram });
        });
      }
    }
  }
}
