/**
 * InputPacker (simulator/input.ts) against the definition of host input flits (docs/architecture.md,
 * "Input injection"): per input block in input-map order, per bit plane, the block's words in
 * ascending order; every non-zero word is one flit; the spike count sets bits over the elements,
 * each element once. Random input maps (blocks repeated over cores, as a layer cut over many cores
 * reads them), binary and multibit encodings, thresholded and explicit values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InputBlock } from '../../isa/container-types.js';
import { InputPacker, type StepFlits } from '../../simulator/input.js';
import type { LoadedBinary } from '../../simulator/load.js';

type Enc = { kind: 'binary'; threshold: number } | { kind: 'multibit'; bits: number };

function reference(blocks: InputBlock[], enc: Enc, size: number, x: ArrayLike<number>, off: number, explicit: boolean): { flits: [number, number, number, number][]; spikes: number } {
  const planes = enc.kind === 'multibit' ? enc.bits : 1;
  const bitOf = (v: number, p: number): boolean => (enc.kind === 'binary' ? (explicit ? v !== 0 : v >= enc.threshold) : ((v >>> p) & 1) === 1);
  let spikes = 0;
  for (let e = 0; e < size; e++) for (let p = 0; p < planes; p++) if (bitOf(x[off + e] as number, p)) spikes++;
  const flits: [number, number, number, number][] = [];
  for (const b of blocks) {
    let maxBit = -1;
    for (const v of b.bits) maxBit = Math.max(maxBit, v);
    const span = maxBit < 0 ? 0 : (maxBit >> 6) + 1;
    for (let p = 0; p < planes; p++) {
      const lo = new Array<number>(span).fill(0);
      const hi = new Array<number>(span).fill(0);
      b.elements.forEach((el, k) => {
        if (!bitOf(x[off + el] as number, p)) return;
        const pos = b.bits[k] as number;
        const half = (pos >> 5) & 1 ? hi : lo;
        half[pos >> 6] = ((half[pos >> 6] as number) | (1 << (pos & 31))) >>> 0;
      });
      for (let j = 0; j < span; j++) if (lo[j] !== 0 || hi[j] !== 0) flits.push([b.core, b.axonBase + p * b.planeStride + j, lo[j] as number, hi[j] as number]);
    }
  }
  return { flits, spikes };
}

function got(s: StepFlits): { flits: [number, number, number, number][]; spikes: number } {
  const flits: [number, number, number, number][] = [];
  for (let k = 0; k < s.count; k++) flits.push([s.dst[k] as number, s.word[k] as number, s.lo[k] as number, s.hi[k] as number]);
  return { flits, spikes: s.spikes ?? -1 };
}

const arbCase = fc
  .record({
    multibit: fc.boolean(),
    bits: fc.integer({ min: 1, max: 8 }),
    threshold: fc.constantFrom(0.5, 0.25, 1),
    explicit: fc.boolean(),
    size: fc.integer({ min: 1, max: 150 }),
    nBlocks: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map((c) => {
    let s = c.seed;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 8) % n;
    };
    const enc: Enc = c.multibit ? { kind: 'multibit', bits: c.bits } : { kind: 'binary', threshold: c.threshold };
    const blocks: InputBlock[] = [];
    for (let b = 0; b < c.nBlocks; b++) {
      if (b > 0 && rnd(3) === 0) {
        // The same elements and bit positions as an earlier block, on another core.
        const src = blocks[rnd(b)] as InputBlock;
        blocks.push({ ...src, core: rnd(16), axonBase: rnd(200) });
        continue;
      }
      const n = 1 + rnd(Math.min(c.size, 130));
      const positions = new Set<number>();
      while (positions.size < n) positions.add(rnd(200));
      blocks.push({ core: rnd(16), axonBase: rnd(200), planeStride: 4 + rnd(8), elements: Int32Array.from({ length: n }, () => rnd(c.size)), bits: Int32Array.from(positions) });
    }
    const maxV = enc.kind === 'multibit' ? 2 ** enc.bits - 1 : 1;
    const samples = 3;
    const x = new Float32Array(samples * c.size);
    for (let i = 0; i < x.length; i++) x[i] = enc.kind === 'multibit' || c.explicit ? rnd(maxV + 1) : rnd(1000) / 1000;
    return { enc, blocks, size: c.size, explicit: c.explicit, x, samples };
  });

describe('InputPacker', () => {
  it('packs every sample as the definition does (flits in order, words, spike count)', () => {
    fc.assert(
      fc.property(arbCase, ({ enc, blocks, size, explicit, x, samples }) => {
        const bin = { inputMap: blocks, planes: enc.kind === 'multibit' ? enc.bits : 1, inputSize: size, meta: { encoding: enc, timesteps: 2 } } as unknown as LoadedBinary;
        const packer = new InputPacker(bin);
        for (let i = 0; i < samples; i++) {
          const out = packer.pack(x, i * size, explicit);
          expect(got(out)).toEqual(reference(blocks, enc, size, x, i * size, explicit));
        }
      }),
      { numRuns: 300 },
    );
  });
});
