/**
 * Pass 7, emit: the BwcContainer. Synapse images (dense rows per neuron with the source's layout,
 * conv kernels once per output channel), neuron parameters, routing lists, programs, the input
 * map (host input elements -> axon bits of every core that reads the input) and the output map (a
 * spike probe for every firing layer, a membrane probe for the readout, with exact index arrays).
 */
import type { ChipConfig } from '../isa/chip.js';
import { containerVersion } from '../isa/container.js';
import { type BwcContainer, type CoreImage, type InputBlock, type NeuronParams, type Probe } from '../isa/container-types.js';
import { WORD_BITS } from '../isa/table.js';
import { NEURON_FIELDS, neuronArrays } from '../isa/neuron-record.js';
import type { LoweredLayer, LoweredSynapse, Region, Scheduled, SourceInfo, Task } from './ir.js';
import { taskNeurons } from './partition.js';

/** Bits of an axon / spike word (the ISA's word). */
const WORD = WORD_BITS;

/** Flat (C-order) layer index of each local neuron of a task. */
export function taskIndex(l: LoweredLayer, t: Task): Int32Array {
  const n = taskNeurons(l, t);
  const out = new Int32Array(n);
  if (l.geometry === 'flat') {
    for (let i = 0; i < n; i++) out[i] = t.u0 + i;
  } else {
    const { H, W } = l;
    let i = 0;
    for (let y = t.u0; y < t.u1; y++) for (let x = 0; x < W; x++) for (let c = t.c0; c < t.c1; c++) out[i++] = c * H * W + y * W + x;
  }
  return out;
}

/** For each element of the source (flat C-order), its bit in the region, or -1 when outside. */
export function regionBits(src: SourceInfo, lo: number, hi: number, ch?: [number, number]): Int32Array {
  const out = new Int32Array(src.size).fill(-1);
  if (src.layout === 'flat') {
    for (let k = lo; k < Math.min(hi, src.size); k++) out[k] = k - lo;
  } else {
    const { C, H, W } = src;
    const [c0, c1] = ch ?? [0, C];
    const cw = ch ? Math.ceil((c1 - c0) / WORD) : src.cw;
    for (let h = Math.max(lo, 0); h < Math.min(hi, H); h++) {
      for (let w = 0; w < W; w++) for (let c = c0; c < c1; c++) out[c * H * W + h * W + w] = ((h - lo) * W + w) * cw * WORD + (c - c0);
    }
  }
  return out;
}

/** to[base + i] = from[idx[i]] (one element type, so the loop stays monomorphic). */
function gatherI32(to: Int32Array, base: number, from: Int32Array, idx: Int32Array): void {
  for (let i = 0; i < idx.length; i++) to[base + i] = from[idx[i]!]!;
}

/** gatherI32 for the other field types. */
function gatherAny(to: Int32Array | Uint8Array, base: number, from: Int32Array | Uint8Array, idx: Int32Array): void {
  for (let i = 0; i < idx.length; i++) to[base + i] = from[idx[i]!]!;
}

/** Bit i of a bit-packed plane array (LSB first). */
function planeBit(planes: Uint8Array, i: number): number {
  return (planes[i >> 3]! >> (i & 7)) & 1;
}

function setBit(img: Uint32Array, word: number, bit: number): void {
  const i = 2 * word + (bit >> 5);
  img[i] = img[i]! | (1 << (bit & 31));
}

/**
 * Event-driven (transposed) rows: source bit b owns wq planes of ceil(n/64) words at
 * base + (b*wq + q)*ceil(n/64); bit i of its row is the weight of local neuron i.
 */
function emitEventRows(img: Uint32Array, base: number, bits: Int32Array, idx: Int32Array, inF: number, planes: Uint8Array, count: number, wq: number): void {
  const rowWords = Math.ceil(idx.length / WORD);
  for (let k = 0; k < inF; k++) {
    const b = bits[k]!;
    if (b < 0) continue;
    for (let q = 0; q < wq; q++) {
      const w0 = base + (b * wq + q) * rowWords;
      for (let i = 0; i < idx.length; i++) {
        if (planeBit(planes, q * count + idx[i]! * inF + k)) setBit(img, w0 + (i >> 6), i & 63);
      }
    }
  }
}

/**
 * A conv synapse's kernels in SRAM layout, all kernel rows: output channel o, plane q at
 * 64-bit word (o*wq + q)*kh*kw*cw, tap (ky, kx) at + (ky*kw + kx)*cw, input channel ci at word
 * + (ci >> 6), bit ci & 63 (two 32-bit halves per word, as the core images).
 */
function convKernelImage(syn: LoweredSynapse, outChannels: number, cw: number): Uint32Array {
  const op = syn.op;
  if (op.kind !== 'conv') throw new Error('unreachable: not a conv synapse');
  const C = op.inShape[0];
  const kh = op.kernel[0];
  const kw = op.kernel[1];
  const wq = syn.wq;
  const planes = syn.weightPlanes;
  const count = outChannels * C * kh * kw;
  const full = kh * kw * cw;
  const img = new Uint32Array(2 * outChannels * wq * full);
  for (let o = 0; o < outChannels; o++) {
    for (let q = 0; q < wq; q++) {
      const w0 = (o * wq + q) * full;
      // The plane bits of (o, q) are consecutive in (ci, ky, kx) order.
      let b = q * count + o * C * kh * kw;
      const taps = kh * kw;
      for (let ci = 0; ci < C; ci++, b += taps) {
        const half = 2 * w0 + 2 * (ci >> 6) + ((ci & 63) >> 5);
        const mask = 1 << (ci & 31);
        if (taps <= 24) {
          // The taps' bits from one 32-bit window, visited set bit by set bit.
          const i = b >> 3;
          let x = ((planes[i] ?? 0) | ((planes[i + 1] ?? 0) << 8) | ((planes[i + 2] ?? 0) << 16) | ((planes[i + 3] ?? 0) << 24)) >>> (b & 7);
          x &= (1 << taps) - 1;
          while (x !== 0) {
            const t = 31 - Math.clz32(x & -x);
            img[half + 2 * t * cw] = img[half + 2 * t * cw]! | mask;
            x &= x - 1;
          }
        } else {
          for (let t = 0; t < taps; t++) {
            const bt = b + t;
            if ((planes[bt >> 3]! >> (bt & 7)) & 1) img[half + 2 * t * cw] = img[half + 2 * t * cw]! | mask;
          }
        }
      }
    }
  }
  return img;
}

export function emitContainer(s: Scheduled, chip: ChipConfig): BwcContainer {
  const srcs = s.sources;
  const tasks = s.tasks;
  const lowered = new Map(s.layers.map((l) => [l.name, l]));
  const bitsCache = new Map<string, Int32Array>();
  const bitsOf = (src: SourceInfo, reg: Region): Int32Array => {
    const k = `${src.name}|${reg.lo}|${reg.hi}|${reg.ch ?? ''}`;
    let b = bitsCache.get(k);
    if (!b) {
      b = regionBits(src, reg.lo, reg.hi, reg.ch);
      bitsCache.set(k, b);
    }
    return b;
  };

  // Each conv synapse's kernels as they sit in SRAM (all kernel rows), built once and copied (OR)
  // into every core that holds some of its output channels.
  const kernels = new Map<LoweredSynapse, Uint32Array>();
  const kernelImage = (syn: LoweredSynapse, outChannels: number, cw: number): Uint32Array => {
    let k = kernels.get(syn);
    if (!k) {
      k = convKernelImage(syn, outChannels, cw);
      kernels.set(syn, k);
    }
    return k;
  };

  const cores: CoreImage[] = [];
  const inputMap: InputBlock[] = [];
  for (const c of s.cores) {
    const img = new Uint32Array(2 * c.sramWords);
    const np: NeuronParams = { count: c.neurons, ...neuronArrays(() => c.neurons) };
    for (const tid of c.tasks) {
      const t = tasks[tid]!;
      const l = lowered.get(t.layer)!;
      const p = s.placed[tid]!;
      const idx = taskIndex(l, t);
      if (t.role === 'owner') {
        for (const f of NEURON_FIELDS) {
          const to = np[f.name];
          const from = l.params[f.name];
          if (to instanceof Int32Array && from instanceof Int32Array) gatherI32(to, p.neuronBase, from, idx);
          else gatherAny(to, p.neuronBase, from, idx);
        }
      }
      t.parts.forEach((part, pi) => {
        const syn = l.synapses[part.synapse]!;
        const op = syn.op;
        const planes = syn.weightPlanes;
        const reg = c.regions[p.partRegion[pi]!]!;
        const src = srcs[syn.source]!;
        const base = p.partSram[pi]!;
        if (op.kind === 'dense') {
          const bits = bitsOf(src, reg);
          const len = reg.planeWords;
          const inF = op.inFeatures;
          const count = l.neurons * inF;
          if (syn.event) {
            emitEventRows(img, base, bits, idx, inF, planes, count, syn.wq);
            return;
          }
          for (let i = 0; i < idx.length; i++) {
            const row = idx[i]! * inF;
            for (let q = 0; q < syn.wq; q++) {
              const w0 = base + (i * syn.wq + q) * len;
              for (let k = 0; k < inF; k++) {
                const b = bits[k]!;
                if (b < 0) continue;
                if (planeBit(planes, q * count + row + k)) setBit(img, w0 + (b >> 6), b & 63);
              }
            }
          }
        } else if (op.kind === 'conv') {
          const kh = op.kernel[0];
          const kw = op.kernel[1];
          // Kernel rows [k0, k1): all of them, or a fan-in slice.
          const k0 = part.k0 ?? 0;
          const k1 = part.k1 ?? kh;
          const cw = src.cw;
          const kimg = kernelImage(syn, l.C, cw);
          const full = 2 * kh * kw * cw;
          const len = 2 * (k1 - k0) * kw * cw;
          for (let o = t.c0; o < t.c1; o++) {
            for (let q = 0; q < syn.wq; q++) {
              const w0 = base + ((o - t.c0) * syn.wq + q) * (k1 - k0) * kw * cw;
              const from = (o * syn.wq + q) * full + 2 * k0 * kw * cw;
              for (let i = 0; i < len; i++) img[2 * w0 + i] = img[2 * w0 + i]! | kimg[from + i]!;
            }
          }
        }
      });
    }
    for (const reg of c.regions) {
      const src = srcs[reg.source]!;
      if (!src.isInput) continue;
      const bits = bitsOf(src, reg);
      let n = 0;
      for (let k = 0; k < bits.length; k++) if (bits[k]! >= 0) n++;
      const elements = new Int32Array(n);
      const eb = new Int32Array(n);
      n = 0;
      for (let k = 0; k < bits.length; k++) {
        if (bits[k]! >= 0) {
          elements[n] = k;
          eb[n++] = bits[k]!;
        }
      }
      inputMap.push({ core: c.core, axonBase: reg.base, planeStride: reg.planeWords, elements, bits: eb });
    }
    cores.push({ core: c.core, program: s.programs[c.core]!, synapses: img, neurons: np, routes: s.routes[c.core] ?? [] });
  }

  const probes: Probe[] = [];
  let readout = -1;
  for (const l of s.layers) {
    const entries: Probe['entries'] = [];
    for (const t of tasks) {
      if (t.layer !== l.name || t.role !== 'owner') continue;
      const p = s.placed[t.id]!;
      const index = taskIndex(l, t);
      entries.push({ core: p.core, neuronBase: p.neuronBase, count: index.length, index });
    }
    if (l.kind === 'readout') readout = probes.length;
    probes.push({ layer: l.name, kind: l.kind === 'readout' ? 'membrane' : 'spikes', shape: [...l.shape], entries });
  }
  const { readout: roName, ...meta } = s.meta;
  const ro = lowered.get(roName)!;
  cores.sort((a, b) => a.core - b.core);
  return {
    version: containerVersion({ cores, meta: s.meta, chip }),
    chip: { ...chip },
    meta: { ...meta, inputShape: [...meta.inputShape], encoding: { ...meta.encoding }, classes: ro.neurons, ...(meta.inputRange ? { inputRange: [meta.inputRange[0], meta.inputRange[1]] as [number, number] } : {}) },
    cores,
    inputMap,
    outputMap: { readout, probes },
  };
}
