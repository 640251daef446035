/**
 * The PyTorch comparison of `npm run bench` (bench/speed.ts): the budget arithmetic the bench prints,
 * and that the PyTorch peer computes the same network as the float executor (so the bench compares
 * the same work). The peer half runs where python3-torch is installed and is skipped elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { convGraph } from '../../bench/conv.js';
import { mlpGraph } from '../../bench/mlp.js';
import { graphToPeerJson } from '../../bench/peers/graph-json.js';
import { targetBudget, torchPython } from '../../bench/speed.js';
import { loadDataset } from '../../models/data/index.js';
import { encodePixels } from '../../models/data/inputs.js';
import { writeNpy } from '../../models/data/npy.js';
import { runFloat } from '../../models/float-exec.js';
import { loadModel } from '../../models/format.js';
import type { Graph, InputNode } from '../../models/graph.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('targetBudget', () => {
  it('gives the whole-process seconds a target allows and the CPU per inference left after the fixed cost', () => {
    // 20,000 inferences at 2 x 10,000/s: 1 s; minus 0.5 s fixed, on 2 threads: 1 s of CPU / 20,000 = 50 us.
    expect(targetBudget(20_000, 2, 10_000, 0.5, 2)).toEqual({ wallSeconds: 1, threads: 2, cpuMicrosPerInference: 50 });
    // 1,000 at 1 x 2,000/s: 0.5 s, under a 0.6 s fixed cost: negative.
    const b = targetBudget(1_000, 1, 2_000, 0.6, 4);
    expect(b.wallSeconds).toBe(0.5);
    expect(b.cpuMicrosPerInference).toBeCloseTo(-400, 9);
  });
});

const py = torchPython();

describe.skipIf(py === null)('the PyTorch peer (bench/peers/torch_peer.py)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bwsnn-peer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const agree = (g: Graph, pixels: Float32Array, n: number): { same: number; n: number } => {
    const inp = g.nodes.find((x) => x.op === 'input') as InputNode;
    const size = inp.shape.reduce((a, b) => a * b, 1);
    const data = encodePixels(pixels.subarray(0, n * size), inp.encoding);
    const gj = join(dir, `${g.name}.json`);
    const xs = join(dir, `${g.name}.npy`);
    writeFileSync(gj, graphToPeerJson(g));
    writeFileSync(xs, writeNpy({ dtype: 'f4', shape: [n, ...inp.shape], data }));
    const r = spawnSync(py as string, [join(root, 'bench', 'peers', 'torch_peer.py'), gj, xs, '--batch', '32'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { inferences: number; predictions: number[] };
    expect(out.predictions).toHaveLength(n);
    let same = 0;
    for (let i = 0; i < n; i++) if (runFloat(g, data.subarray(i * size, (i + 1) * size)).prediction === out.predictions[i]) same++;
    return { same, n };
  };

  it('predicts what the float executor predicts: MLP with SEI shortcuts', () => {
    const g = mlpGraph([784, 64, 64, 10], 2, 5, true);
    const { same, n } = agree(g, loadDataset('mnist', 'test').inputs, 100);
    // float32 (peer) against float64 (executor): a near-tie may flip, no more than 2 of 100.
    expect(same).toBeGreaterThanOrEqual(n - 2);
  });

  it('predicts what the float executor predicts: fashion-conv and the larger conv of the bench', () => {
    const fashion = loadDataset('fashion-mnist', 'test').inputs;
    for (const g of [loadModel(join(root, 'models', 'zoo', 'fashion-conv.bwsnn')), convGraph()]) {
      const { same, n } = agree(g, fashion, 40);
      expect(same, g.name).toBeGreaterThanOrEqual(n - 1);
    }
  });
});
