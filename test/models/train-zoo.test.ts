/**
 * The bundled zoo models: they load, fold, and keep their accuracy through the integer reference
 * (on a prefix of the test split, to stay fast); their cards agree with the models.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../models/data/index.js';
import { runFloat } from '../../models/float-exec.js';
import { foldGraph } from '../../models/fold.js';
import { loadModel } from '../../models/format.js';
import { runReference } from '../../models/int-exec.js';
import { modelInput } from '../../models/train/evaluate.js';

const zoo = [
  { name: 'mnist-mlp', dataset: 'mnist' as const, target: 0.94, prefix: 300, prefixMin: 0.9 },
  { name: 'fashion-conv', dataset: 'fashion-mnist' as const, target: 0.85, prefix: 300, prefixMin: 0.8 },
];

describe('model zoo', () => {
  for (const z of zoo) {
    it(`${z.name}: card meets the target; integer reference on the first ${z.prefix} test samples`, () => {
      const g = loadModel(`models/zoo/${z.name}.bwsnn`);
      const card = JSON.parse(readFileSync(`models/zoo/${z.name}.json`, 'utf-8')) as {
        dataset: string;
        timesteps: number;
        inputEncoding: unknown;
        accuracy: { floatTest: number; integerReferenceTest: number };
      };
      expect(card.dataset).toBe(z.dataset);
      expect(card.timesteps).toBe(g.timesteps);
      const input = g.nodes[0]!;
      expect(input.op === 'input' ? input.encoding : null).toEqual(card.inputEncoding);
      expect(card.accuracy.integerReferenceTest).toBeGreaterThanOrEqual(z.target);
      expect(card.accuracy.floatTest).toBeGreaterThanOrEqual(z.target);
      expect(g.meta?.integerReferenceTestAccuracy).toBe(card.accuracy.integerReferenceTest);
      // every layer binary, as the zoo promises
      expect(g.nodes.filter((n) => n.op === 'linear' || n.op === 'conv2d')).toEqual([]);
      const test = loadDataset(z.dataset, 'test');
      const m = foldGraph(g);
      const size = test.inputs.length / test.count;
      let correct = 0;
      let agree = 0;
      for (let i = 0; i < z.prefix; i++) {
        const x = modelInput(g, test, i, size);
        const p = runReference(m, x).prediction;
        if (p === test.labels[i]) correct++;
        if (runFloat(g, x).prediction === p) agree++;
      }
      expect(correct / z.prefix).toBeGreaterThanOrEqual(z.prefixMin);
      expect(agree / z.prefix).toBeGreaterThanOrEqual(0.97);
    });
  }
});
