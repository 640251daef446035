/**
 * End to end from the Graph IR: random graphs of testing/random-graph.ts folded by models/fold.ts,
 * and the real NIR sample cnn_sinabs.nir (skipped when /work/shared is absent), compiled and run by
 * the simulator, compared with runReference bit for bit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_CHIP, parseChipConfig } from '../../isa/chip.js';
import { foldGraph } from '../../models/fold.js';
import { randomGraph, randomInput, type RandomGraphKind } from '../../testing/random-graph.js';
import { compileModel, FitError } from '../../compiler/index.js';
import { foldForChip } from '../../compiler/fold-for-chip.js';
import { expectSimEqualsRef } from './helpers/simcheck.js';

const small = parseChipConfig({ name: 'small', meshX: 8, meshY: 8, neuronsPerCore: 24, synapseSramBytes: 8 * 128, axonLines: 24 });

describe('random graphs (testing/random-graph.ts) folded and compiled', () => {
  for (const kind of ['mlp', 'conv', 'shortcut', 'recurrent'] as RandomGraphKind[]) {
    it(`${kind} graphs on the default chip and a small one`, () => {
      let ran = 0;
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
          const g = randomGraph(seed, { kind });
          for (const chip of [DEFAULT_CHIP, small]) {
            const m = foldForChip(g, chip);
            try {
              compileModel(m, chip);
            } catch (e) {
              if (e instanceof FitError && chip !== DEFAULT_CHIP) continue;
              throw e;
            }
            expectSimEqualsRef(m, chip, randomInput(g, seed + 1));
            ran++;
          }
        }),
        { numRuns: 8, seed: 99 },
      );
      expect(ran).toBeGreaterThan(8);
    });
  }
});

const SINABS = '../shared/nir-samples/cnn_sinabs.nir';
describe.skipIf(!existsSync(SINABS))('cnn_sinabs.nir', () => {
  it('imports, folds, compiles onto the default 4x4 chip and runs bit-exact against the reference', async () => {
    const nir = await import('../../models/nir/index.js');
    const g = nir.importNir(new Uint8Array(readFileSync(SINABS)), SINABS, { timesteps: 2 });
    const m = foldGraph(g, { membraneBits: 16, thresholdBits: 16, biasBits: 16 });
    const { report } = compileModel(m, DEFAULT_CHIP);
    expect(report.coresUsed).toBeLessThanOrEqual(16);
    const size = m.input.shape.reduce((a, b) => a * b, 1);
    const x = new Float32Array(size);
    for (let i = 0; i < size; i++) x[i] = (i * 7919) % 13 < 4 ? 1 : 0;
    expectSimEqualsRef(m, DEFAULT_CHIP, x);
  });
});

describe.skipIf(!existsSync('../shared/nir-samples/lif_norse.nir'))('small NIR samples', () => {
  for (const f of ['lif_norse.nir', 'lif_rockpool.nir', 'two_lif_neurons.nir']) {
    it(`${f} compiles and runs bit-exact`, async () => {
      const nir = await import('../../models/nir/index.js');
      const p = `../shared/nir-samples/${f}`;
      const g = nir.importNir(new Uint8Array(readFileSync(p)), p, { timesteps: 6, leakTolerance: 0.3 });
      const m = foldGraph(g, { membraneBits: 16, thresholdBits: 16, biasBits: 16 });
      for (let s = 1; s <= 3; s++) expectSimEqualsRef(m, DEFAULT_CHIP, randomInput(g, s));
    });
  }
});
