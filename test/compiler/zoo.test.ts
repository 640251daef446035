/**
 * Every model of models/zoo/ (*.bwsnn with its card *.json naming the data set) folds, compiles
 * onto the default chip with both mapping strategies and runs bit-exact against the reference on
 * real test-split samples (models/data loadDataset + encodeDataset): every layer's spike trains and
 * the readout on the first samples, and the same predictions (hence accuracy) on a few hundred.
 * Skipped while the zoo is empty.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { compileModel, STRATEGIES } from '../../compiler/index.js';
import { foldGraph } from '../../models/fold.js';
import { loadModel } from '../../models/format.js';
import { runReference } from '../../models/int-exec.js';
import { DATASETS, loadDataset, type DatasetName } from '../../models/data/index.js';
import { encodeDataset } from '../../models/data/inputs.js';
import type { IntModel } from '../../models/intmodel.js';
import { simulateSync } from '../../simulator/index.js';
import { conv, dense, layer, randomSample, rng } from './helpers/gen.js';
import { expectSimEqualsRef } from './helpers/simcheck.js';

const ZOO = 'models/zoo';
const files = existsSync(ZOO) ? readdirSync(ZOO).filter((f) => f.endsWith('.bwsnn')) : [];
/** Samples compared spike for spike, and samples whose predictions (accuracy) are compared. */
const PROBED = 24;
const ACCURACY = 300;

function datasetOf(f: string): DatasetName {
  const card = JSON.parse(readFileSync(join(ZOO, f.replace(/\.bwsnn$/, '.json')), 'utf8')) as { dataset?: string };
  const d = card.dataset as DatasetName;
  if (!DATASETS.includes(d)) throw new Error(`${f}: card names no known data set (${String(card.dataset)})`);
  return d;
}

describe('zoo models on real test samples: simulator(compile(m)) == runReference(m)', () => {
  it('the zoo holds the bundled models', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });
  for (const f of files) {
    it(f, () => {
      const g = loadModel(join(ZOO, f));
      const m = foldGraph(g, { membraneBits: DEFAULT_CHIP.membraneBits, thresholdBits: DEFAULT_CHIP.thresholdBits, biasBits: DEFAULT_CHIP.biasBits });
      const ds = loadDataset(datasetOf(f), 'test');
      const inp = encodeDataset(ds, g);
      const n = Math.min(ACCURACY, inp.count);
      const L = inp.sampleLength;
      const want = Array.from({ length: n }, (_, i) => runReference(m, inp.data.subarray(i * L, (i + 1) * L)));
      let refCorrect = 0;
      for (let i = 0; i < n; i++) if (want[i]!.prediction === ds.labels[i]) refCorrect++;
      for (const strategy of STRATEGIES) {
        const { container, report } = compileModel(m, DEFAULT_CHIP, { strategy });
        expect(report.strategy).toBe(strategy);
        const probed = simulateSync(container, { count: PROBED, data: inp.data.subarray(0, PROBED * L) }, { probes: true });
        for (let i = 0; i < PROBED; i++) {
          const got = probed.inferences[i]!;
          for (const l of m.layers) {
            if (l.kind === 'if') expect(got.spikes?.[l.name], `${strategy}: sample ${i}: spikes of ${l.name}`).toEqual(want[i]!.spikes[l.name]);
          }
          expect(got.readout, `${strategy}: sample ${i}: readout`).toEqual(want[i]!.readout);
        }
        const all = simulateSync(container, { count: n, data: inp.data.subarray(0, n * L) }, {});
        let correct = 0;
        for (let i = 0; i < n; i++) {
          expect(all.inferences[i]!.prediction, `${strategy}: sample ${i}: prediction`).toBe(want[i]!.prediction);
          if (all.inferences[i]!.prediction === ds.labels[i]) correct++;
        }
        expect(correct).toBe(refCorrect);
      }
      // A trained model is far above chance on its own test split.
      expect(refCorrect / n).toBeGreaterThan(0.5);
    }, 60_000);
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
