import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { writeNpy } from '../../models/data/npy.js';
import { saveModel } from '../../models/format.js';
import type { Graph, GraphNode } from '../../models/graph.js';
import { seededRandom } from '../../base/random.js';

const dir = mkdtempSync(join(tmpdir(), 'bwsnn-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seeded random binary MLP 784-h-10 over [1,28,28] (untrained: only the plumbing is tested). */
function mlp(h: number): Graph {
  const rnd = seededRandom(42);
  const bits = (n: number): Uint8Array => Uint8Array.from({ length: Math.ceil(n / 8) }, () => Math.floor(rnd() * 256));
  const reals = (n: number, lo: number, hi: number): Float64Array => Float64Array.from({ length: n }, () => lo + rnd() * (hi - lo));
  const nodes: GraphNode[] = [
    { op: 'input', name: 'in', shape: [1, 28, 28], encoding: { kind: 'binary', threshold: 0.5 } },
    { op: 'flatten', name: 'flat', input: 'in' },
    { op: 'binary_linear', name: 'fc1', input: 'flat', inFeatures: 784, outFeatures: h, weightBits: bits(784 * h), alpha: reals(h, 0.01, 0.05) },
    { op: 'if', name: 'n1', input: 'fc1', threshold: Float64Array.from([0.5]), vReset: Float64Array.from([0]), reset: 'soft', fireOn: 'ge' },
    { op: 'binary_linear', name: 'fc2', input: 'n1', inFeatures: h, outFeatures: 10, weightBits: bits(h * 10), alpha: reals(10, 0.1, 0.2) },
    { op: 'readout', name: 'out', input: 'fc2', leak: 0 },
  ];
  return { name: 'mlp', timesteps: 2, nodes };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(['node', 'bwsnn', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('bwsnn eval', () => {
  const model = join(dir, 'mlp.bwsnn');
  saveModel(model, mlp(32));

  it('evaluates on mnist and prints accuracies, agreement and F per layer', async () => {
    const r = await run(['eval', model, '--data', 'mnist', '--limit', '50', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { count: number; floatAccuracy: number; intAccuracy: number; agreement: number; layers: { name: string; fracBits: number }[] };
    expect(j.count).toBe(50);
    expect(j.layers.map((l) => l.name)).toEqual(['n1', 'out']);
    expect(j.agreement).toBeGreaterThan(0.9);
    const t = await run(['eval', model, '--data', 'mnist', '--limit', '5']);
    expect(t.out).toMatch(/float accuracy\s+\d+\.\d\d% \(\d+\/5\)/);
    expect(t.out).toMatch(/fixed point per layer\s+n1:F=\d+ out:F=\d+/);
  });

  it('evaluates .npy inputs with labels, and per-step spike trains', async () => {
    const x = new Float32Array(3 * 784).map((_, i) => (i % 7 === 0 ? 1 : 0));
    writeFileSync(join(dir, 'x.npy'), writeNpy({ dtype: 'f4', shape: [3, 1, 28, 28], data: x }));
    writeFileSync(join(dir, 'y.npy'), writeNpy({ dtype: 'u1', shape: [3], data: Uint8Array.from([1, 2, 3]) }));
    const r = await run(['eval', model, '--input', join(dir, 'x.npy'), '--labels', join(dir, 'y.npy'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).count).toBe(3);
    const s = new Uint8Array(2 * 2 * 784).map((_, i) => i % 3 & 1);
    writeFileSync(join(dir, 's.npy'), writeNpy({ dtype: 'u1', shape: [2, 2, 1, 28, 28], data: s }));
    const q = await run(['eval', model, '--input', join(dir, 's.npy'), '--json']);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.out).floatAccuracy).toBeUndefined();
  });

  it('refuses bad input with exit 1 and a message naming the file', async () => {
    writeFileSync(join(dir, 'bad.npy'), writeNpy({ dtype: 'f4', shape: [2, 784], data: new Float32Array(2 * 784) }));
    const r = await run(['eval', model, '--input', join(dir, 'bad.npy')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.npy: shape \(2, 784\) does not fit model mlp: expected \(N, 1, 28, 28\) or explicit per-step input \(N, 2, 1, 28, 28\)/);
    writeFileSync(join(dir, 'spk.npy'), writeNpy({ dtype: 'f4', shape: [1, 2, 1, 28, 28], data: new Float32Array(2 * 784).fill(0.5) }));
    const s = await run(['eval', model, '--input', join(dir, 'spk.npy')]);
    expect(s.code).toBe(1);
    expect(s.err).toMatch(/spk\.npy: sample 0, element 0 is 0\.5, expected a spike 0 or 1/);
    writeFileSync(join(dir, 'x1.npy'), writeNpy({ dtype: 'f4', shape: [1, 1, 28, 28], data: new Float32Array(784) }));
    writeFileSync(join(dir, 'yb.npy'), writeNpy({ dtype: 'i4', shape: [1], data: Int32Array.from([10]) }));
    const l = await run(['eval', model, '--input', join(dir, 'x1.npy'), '--labels', join(dir, 'yb.npy')]);
    expect(l.code).toBe(1);
    expect(l.err).toMatch(/yb\.npy: label 0 is 10, expected 0\.\.9/);
    writeFileSync(join(dir, 'junk.bwsnn'), 'hello world, not a model');
    const m = await run(['eval', join(dir, 'junk.bwsnn'), '--data', 'mnist']);
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/junk\.bwsnn: magic: expected "BWSNNMDL"/);
  });

  it('usage errors exit 2', async () => {
    expect((await run(['eval', model])).code).toBe(2);
    expect((await run(['eval', model, '--data', 'mnist', '--input', 'x.npy'])).code).toBe(2);
    expect((await run(['eval', model, '--data', 'cifar'])).code).toBe(2);
    expect((await run(['eval', model, '--data', 'mnist', '--limit', '0'])).code).toBe(2);
  });
});
