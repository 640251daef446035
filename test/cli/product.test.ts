/**
 * The product commands: demo, energy, sweep, merge. Exit codes, outputs, the HTML reports, no
 * partial outputs, and the numbers they print recomputed from the simulator's own results.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCapture } from '../helpers/cli.js';
import { mergeResults, simulateWithProgress } from '../../cli/pipeline.js';
import { compileModel } from '../../compiler/index.js';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { writeNpy } from '../../models/data/npy.js';
import { foldGraph } from '../../models/fold.js';
import { writeBwsnn } from '../../models/format.js';
import { randomGraph, randomInput } from '../../testing/random-graph.js';
import { simulate } from '../../simulator/simulate.js';
import type { Graph } from '../../models/graph.js';

let dir: string;
let out: string[];
let err: string[];

beforeEach(() => {
  ({ dir, out, err } = startCapture('bwsnn-product-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});

const run = runCli;

function inputsOf(g: Graph, n: number): Float32Array {
  const xs = Array.from({ length: n }, (_, i) => randomInput(g, 100 + i));
  const size = xs[0]!.length;
  const data = new Float32Array(n * size);
  xs.forEach((x, i) => data.set(x, i * size));
  return data;
}

function fixture(n = 12): { model: string; input: string; labels: string; graph: Graph } {
  const graph = randomGraph(5, { kind: 'mlp', timesteps: 3 });
  const model = join(dir, 'm.bwsnn');
  writeFileSync(model, writeBwsnn(graph));
  const inp = graph.nodes.find((x) => x.op === 'input')!;
  const shape = inp.op === 'input' ? inp.shape : [];
  const input = join(dir, 'x.npy');
  writeFileSync(input, writeNpy({ dtype: 'f4', shape: [n, ...shape], data: inputsOf(graph, n) }));
  const labels = join(dir, 'y.npy');
  writeFileSync(labels, writeNpy({ dtype: 'u1', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 2) }));
  return { model, input, labels, graph };
}

describe('chunked simulation', () => {
  it('simulateWithProgress over chunks equals one simulate() over all inputs', async () => {
    const g = randomGraph(9, { kind: 'conv', timesteps: 2 });
    const { container } = compileModel(foldGraph(g), DEFAULT_CHIP);
    const n = 37;
    const inputs = { count: n, data: inputsOf(g, n), labels: Uint8Array.from({ length: n }, (_, i) => i % 3) };
    const whole = await simulate(container, inputs, { file: 'x' });
    const seen: number[] = [];
    const parts = await simulateWithProgress(container, inputs, { workers: 1, file: 'x' }, (d) => seen.push(d));
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(n);
    expect(parts.count).toBe(n);
    expect(parts.correct).toBe(whole.correct);
    expect(parts.inferences.map((i) => i.prediction)).toEqual(whole.inferences.map((i) => i.prediction));
    expect(parts.eventsTotal).toEqual(whole.eventsTotal);
    expect(parts.cycles.min).toBe(whole.cycles.min);
    expect(parts.cycles.max).toBe(whole.cycles.max);
    expect(parts.cycles.mean).toBeCloseTo(whole.cycles.mean, 9);
    expect(parts.energy.total).toBeCloseTo(whole.energy.total, 18);
    // merging a result with itself changes no mean
    const twice = mergeResults([whole, whole]);
    expect(twice.count).toBe(2 * n);
    expect(twice.energy.total).toBeCloseTo(whole.energy.total, 18);
    expect(twice.stepCycles).toEqual(whole.stepCycles.map((c) => expect.closeTo(c, 9)));
  });
});

describe('bwsnn energy', () => {
  it('prints the breakdown whose events add up to the total, with the paper-style estimates', async () => {
    const f = fixture();
    const html = join(dir, 'e.html');
    expect(await run('energy', f.model, '--input', f.input, '--labels', f.labels, '--workers', '1', '--json', '--html', html)).toBe(0);
    const s = JSON.parse(out.join('')) as {
      inferences: number;
      perInference: { mean: number; std: number; min: number; max: number };
      byComponent: Record<string, number>;
      byEvent: { countPerInference: number; unitEnergyJ: number; energyJ: number; source: string }[];
      leakage: { energyJ: number; powerPerCoreW: number; cores: number; latencyS: number };
      perLayer: { energyJ: number }[];
      paper: { sops: number; eAC: number; snnEstimateJ: number; macs: number; eMAC: number; annEstimateJ: number; macsExact: boolean };
    };
    expect(s.inferences).toBe(12);
    // every event: count x unit = energy; events + leakage = total; components add up too
    for (const e of s.byEvent) {
      expect(e.energyJ).toBeCloseTo(e.countPerInference * e.unitEnergyJ, 18);
      expect(e.source.length).toBeGreaterThan(10);
    }
    const events = s.byEvent.reduce((a, e) => a + e.energyJ, 0);
    expect(events + s.leakage.energyJ).toBeCloseTo(s.perInference.mean, 15);
    expect(Object.values(s.byComponent).reduce((a, b) => a + b, 0)).toBeCloseTo(s.perInference.mean, 15);
    expect(s.leakage.energyJ).toBeCloseTo(s.leakage.powerPerCoreW * s.leakage.cores * s.leakage.latencyS, 15);
    expect(s.perLayer.reduce((a, l) => a + l.energyJ, 0)).toBeCloseTo(s.perInference.mean, 15);
    expect(s.perInference.min).toBeLessThanOrEqual(s.perInference.mean);
    expect(s.perInference.max).toBeGreaterThanOrEqual(s.perInference.mean);
    // paper-style: SOPs x 0.9 pJ, MACs x 4.6 pJ, MACs of the equal ANN counted from the model
    expect(s.paper.eAC).toBe(0.9e-12);
    expect(s.paper.eMAC).toBe(4.6e-12);
    expect(s.paper.snnEstimateJ).toBeCloseTo(s.paper.sops * 0.9e-12, 18);
    expect(s.paper.macsExact).toBe(true);
    const fcs = f.graph.nodes.filter((x) => x.op === 'binary_linear');
    expect(s.paper.macs).toBe(fcs.reduce((a, x) => a + (x.op === 'binary_linear' ? x.inFeatures * x.outFeatures : 0), 0));
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Energy per inference by component');
    expect(page).not.toMatch(/<script/);
  });

  it('refuses bad input with exit 1 and leaves no HTML behind', async () => {
    const f = fixture();
    const html = join(dir, 'bad.html');
    writeFileSync(join(dir, 'bad.npy'), writeNpy({ dtype: 'f4', shape: [2, 3], data: new Float32Array(6) }));
    expect(await run('energy', f.model, '--input', join(dir, 'bad.npy'), '--html', html)).toBe(1);
    expect(err.join('')).toMatch(/bad\.npy: shape \(2, 3\) does not fit/);
    expect(existsSync(html)).toBe(false);
    err.length = 0;
    expect(await run('energy', join(dir, 'missing.bwsnn'), '--input', f.input)).toBe(1);
    expect(err.join('')).toMatch(/missing\.bwsnn: no such file/);
    expect(await run('energy', f.model)).toBe(2);
  });
});

describe('bwsnn run --html', () => {
  it('writes the visual report with spikes per layer per step and the mesh heat maps', async () => {
    const f = fixture();
    const bin = join(dir, 'm.bwc');
    expect(await run('compile', f.model, '-o', bin, '--no-measure')).toBe(0);
    const html = join(dir, 'run.html');
    expect(await run('run', bin, '--input', f.input, '--labels', f.labels, '--html', html)).toBe(0);
    const page = readFileSync(html, 'utf8');
    for (const h of ['Energy per inference by component', 'Mesh (', 'Spikes per layer per time step', 'Cycles per time step']) expect(page).toContain(h);
    // one bar per (layer, step) of the spiking layers: T = 3 steps
    const layers = f.graph.nodes.filter((x) => x.op === 'if' || x.op === 'lif').length;
    const spikeSection = page.slice(page.indexOf('Spikes per layer per time step'), page.indexOf('Cycles per time step'));
    expect((spikeSection.match(/<rect class="bar"/g) ?? []).length).toBe(layers * 3);
    expect(await run('run', bin, '--input', f.input, '--html', dir)).toBe(1);
  });
});

describe('bwsnn sweep and merge', () => {
  it('sweeps, shards, merges, and refuses shards that do not add up', async () => {
    const f = fixture(6);
    const csv = (i: number): string => join(dir, `s${i}.csv`);
    for (const i of [1, 2, 3]) {
      expect(await run('sweep', f.model, '--set', 'lanes=1,4', '--set', 'mesh=1x1,2x2', '--input', f.input, '--labels', f.labels, '--workers', '1', '--shard', `${i}/3`, '-o', csv(i))).toBe(0);
    }
    const merged = join(dir, 'all.csv');
    const html = join(dir, 'sweep.html');
    expect(await run('merge', csv(3), csv(1), csv(2), '-o', merged, '--html', html)).toBe(0);
    const lines = readFileSync(merged, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^index,lanes,mesh,energy_per_inference_j,/);
    const meta = JSON.parse(readFileSync(join(dir, 'all.meta.json'), 'utf8')) as { shard: unknown; total: number; units: Record<string, string> };
    expect(meta.shard).toEqual({ index: 1, count: 1 });
    expect(meta.total).toBe(4);
    expect(meta.units.energy_per_inference_j).toBe('J');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['0,1,1x1', '1,1,2x2', '2,4,1x1', '3,4,2x2']);
    // 4 lanes never take more cycles than 1 lane for the same mapping
    const header = lines[0]!.split(',');
    const col = (name: string) => header.indexOf(name);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(Number(rows[2]![col('cycles_per_inference')])).toBeLessThanOrEqual(Number(rows[0]![col('cycles_per_inference')]));
    expect(rows.some((r) => r[r.length - 1] === '1')).toBe(true);
    expect(readFileSync(html, 'utf8')).toContain('Pareto');
    // missing shard, unknown parameter, out-of-range value
    const bad = join(dir, 'bad.csv');
    expect(await run('merge', csv(1), csv(2), '-o', bad)).toBe(1);
    expect(err.join('')).toMatch(/missing shard\(s\) 3\/3/);
    expect(existsSync(bad)).toBe(false);
    expect(await run('sweep', f.model, '--set', 'lanez=1', '--input', f.input, '-o', bad)).toBe(2);
    expect(err.join('')).toMatch(/unknown sweep parameter "lanez"/);
    expect(await run('sweep', f.model, '--set', 'lanes=0,1', '--input', f.input, '-o', bad)).toBe(2);
    expect(err.join('')).toMatch(/"lanes" = 0 is out of range/);
    // Malformed option values are usage errors (exit 2), like --limit abc or --strategy foo.
    expect(await run('sweep', f.model, '--set', 'lanes=1', '--shard', '3/2', '--input', f.input, '-o', bad)).toBe(2);
    expect(err.join('')).toMatch(/--shard 3\/2: expected 1 <= I <= N/);
    expect(existsSync(bad)).toBe(false);
  });
});

describe('bwsnn demo', () => {
  it('runs a model end to end and every readout matches the reference', async () => {
    // demo takes the data set from the model's card: the bundled zoo model
    expect(existsSync(join(process.cwd(), 'models', 'zoo', 'mnist-mlp.bwsnn'))).toBe(true);
    expect(await run('demo', 'mnist-mlp', '--limit', '40', '--workers', '1', '--no-progress')).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/accuracy\s+\d+\.\d\d% \(\d+\/40\)/);
    expect(text).toContain('40/40 predictions and 40/40 readouts bit-identical to the integer reference executor');
    expect(text).toMatch(/energy\s+[\d.]+ [un]J per inference/);
  });

  it('refuses an unknown model name', async () => {
    expect(await run('demo', 'no-such-model')).toBe(1);
    expect(err.join('')).toMatch(/no-such-model: no such file/);
  });
});
