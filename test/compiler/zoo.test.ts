/**
 * Every model of models/zoo/ (*.bwsnn, produced by the training engineer) folds, compiles onto the
 * default chip and runs bit-exact against the reference on a few inputs. Skipped while the zoo is
 * empty.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { foldGraph } from '../../models/fold.js';
import { loadModel } from '../../models/format.js';
import { randomInput } from '../../models/random-graph.js';
import type { IntModel } from '../../models/intmodel.js';
import { conv, dense, layer, randomSample, rng } from './helpers/gen.js';
import { expectSimEqualsRef } from './helpers/simcheck.js';

const ZOO = 'models/zoo';
const files = existsSync(ZOO) ? readdirSync(ZOO).filter((f) => f.endsWith('.bwsnn')) : [];

describe.skipIf(files.length === 0)('zoo models: simulator(compile(m)) == runReference(m)', () => {
  for (const f of files) {
    it(f, () => {
      const g = loadModel(join(ZOO, f));
      const m = foldGraph(g, { membraneBits: DEFAULT_CHIP.membraneBits, thresholdBits: DEFAULT_CHIP.thresholdBits, biasBits: DEFAULT_CHIP.biasBits });
      for (let s = 1; s <= 3; s++) expectSimEqualsRef(m, DEFAULT_CHIP, randomInput(g, s));
    });
  }
});


/** The zoo architectures (models/train/archs.ts) with random integer parameters. */
describe('zoo-shaped models with random weights on the default chip', () => {
  it('mnist-mlp: 784 -> 512 -> 512 (+shortcut) -> 512 (+shortcut) -> 10, T = 4', () => {
    const r = rng(21);
    const id = (src: string) => ({ source: src, recurrent: false, acc: 1 as const, op: { kind: 'identity' as const } });
    const m: IntModel = {
      name: 'mnist-mlp',
      timesteps: 4,
      input: { name: 'in', shape: [784], encoding: { kind: 'binary', threshold: 0.5 } },
      membraneBits: 16,
      layers: [
        layer(r, 'fc1', 'if', [512], [dense(r, 'in', 784, 512, false)]),
        layer(r, 'fc2', 'if', [512], [dense(r, 'fc1', 512, 512, false), id('fc1')]),
        layer(r, 'fc3', 'if', [512], [dense(r, 'fc2', 512, 512, false), id('fc2')]),
        layer(r, 'out', 'readout', [10], [dense(r, 'fc3', 512, 10, false)]),
      ],
      readout: 'out',
    };
    expectSimEqualsRef(m, DEFAULT_CHIP, randomSample(m, 1));
  });
  it('fashion-conv: 1x28x28 multibit:4 -> conv3x3/2 16 -> conv3x3/2 16 -> conv3x3 16 (+shortcut) -> 10, T = 2', () => {
    const r = rng(22);
    const m: IntModel = {
      name: 'fashion-conv',
      timesteps: 2,
      input: { name: 'in', shape: [1, 28, 28], encoding: { kind: 'multibit', bits: 4 } },
      membraneBits: 16,
      layers: [
        layer(r, 'conv1', 'if', [16, 14, 14], [conv(r, 'in', [1, 28, 28], 16, 3, 2, 1, false)]),
        layer(r, 'conv2', 'if', [16, 7, 7], [conv(r, 'conv1', [16, 14, 14], 16, 3, 2, 1, false)]),
        layer(r, 'conv3', 'if', [16, 7, 7], [conv(r, 'conv2', [16, 7, 7], 16, 3, 1, 1, false), { source: 'conv2', recurrent: false, acc: 1, op: { kind: 'identity' } }]),
        layer(r, 'out', 'readout', [10], [dense(r, 'conv3', 784, 10, false)]),
      ],
      readout: 'out',
    };
    for (const l of m.layers) l.theta.forEach((t, i) => (l.theta[i] = t * 4));
    expectSimEqualsRef(m, DEFAULT_CHIP, randomSample(m, 2));
  });
});
