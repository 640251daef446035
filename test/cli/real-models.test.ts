/** Issue 14: chip presets by name, fit-or-refuse folding from the CLI, eval's fold report and input checks. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coreCount } from '../../isa/chip.js';
import { CHIP_PRESETS, PRESET_LIST } from '../../isa/presets.js';
import { writeNpy } from '../../models/data/npy.js';
import { loadModel, readBwsnn, saveModel, writeBwsnn } from '../../models/format.js';
import type { Graph, GraphNode } from '../../models/graph.js';
import { deepDyadicGraph, randomInput } from '../../testing/random-graph.js';
import { compileModel } from '../../compiler/index.js';
import { foldGraph } from '../../models/fold.js';
import { resnet18Graph } from '../../bench/resnet18.js';
import { type Capture, runCli, startCapture } from '../helpers/cli.js';

let c: Capture;
beforeEach(() => {
  c = startCapture('bwsnn-real-');
});
afterEach(() => vi.restoreAllMocks());

const f64 = (...x: number[]): Float64Array => Float64Array.from(x);

/** A float first layer whose threshold / scale = 2^20 (22 signed bits), on 8-bit pixels. */
function farGraph(binaryWeights: boolean): Graph {
  const first: GraphNode = binaryWeights
    ? { op: 'binary_linear', name: 'f', input: 'in', inFeatures: 4, outFeatures: 2, weightBits: Uint8Array.from([0x5a]), alpha: f64(2 ** -20, 2 ** -20) }
    : { op: 'linear', name: 'f', input: 'in', inFeatures: 4, outFeatures: 2, bits: 8, weight: Int32Array.from([127, -100, 37, 5, -128, 64, 3, -1]), scale: f64(2 ** -20, 2 ** -20) };
  return {
    name: 'far', timesteps: 2,
    nodes: [
      { op: 'input', name: 'in', shape: [4], encoding: { kind: 'multibit', bits: 8 } },
      first,
      { op: 'if', name: 'n', input: 'f', threshold: f64(1), vReset: f64(0), reset: 'soft', fireOn: 'gt' },
      { op: 'binary_linear', name: 'r', input: 'n', inFeatures: 2, outFeatures: 2, weightBits: Uint8Array.from([0b0110]), alpha: f64(1, 1) },
      { op: 'readout', name: 'out', input: 'r', leak: 0 },
    ],
  };
}

describe('chip presets', () => {
  it('bwsnn chips lists every preset with its numbers (text and --json)', async () => {
    expect(await runCli('chips')).toBe(0);
    const text = c.out.join('');
    expect(text).toMatch(/^bw-core-8x8-wide\s+8x8\s+64\s+65536\s+24\/24\/24\s+128 KiB\s+200 MHz$/m);
    expect(text).toMatch(/^bw-core-32x32-wide\s+32x32\s+1024\s+1048576\s+24\/24\/24/m);
    c.out.length = 0;
    expect(await runCli('chips', '--json')).toBe(0);
    const doc = JSON.parse(c.out.join('')) as { schema: string; chips: { name: string; meshX: number; cores: number; thresholdBits: number }[] };
    expect(doc.schema).toBe('bwsnn-chips');
    const j = doc.chips;
    expect(j.map((p) => p.name)).toEqual(['bw-core-4x4', 'bw-core-8x8', 'bw-core-8x8-wide', 'bw-core-32x32-wide']);
    expect(j[1]).toMatchObject({ meshX: 8, cores: 64, thresholdBits: 16 });
  });

  it('presets change only the fields they name', () => {
    for (const p of PRESET_LIST) {
      for (const [k, v] of Object.entries(CHIP_PRESETS['bw-core-4x4']!)) {
        if (k !== 'name' && !(p.changed as string[]).includes(k)) expect((p.chip as unknown as Record<string, unknown>)[k], `${p.chip.name}.${k}`).toBe(v);
      }
    }
  });

  it('--chip NAME takes a preset in compile; an unknown name lists them', async () => {
    const m = join(c.dir, 'far.bwsnn');
    saveModel(m, farGraph(false));
    expect(await runCli('compile', m, '--chip', 'bw-core-8x8-wide', '-o', join(c.dir, 'a.bwc'), '--no-measure')).toBe(0);
    expect(c.err.join('')).toBe('');
    expect(await runCli('compile', m, '--chip', 'bw-core-9x9', '-o', join(c.dir, 'b.bwc'))).toBe(1);
    expect(c.err.join('')).toMatch(/--chip: no preset named "bw-core-9x9" and no such file \(presets: bw-core-4x4, bw-core-8x8, bw-core-8x8-wide, bw-core-32x32-wide/);
    expect(existsSync(join(c.dir, 'b.bwc'))).toBe(false);
  });

  it('bw-core-32x32-wide holds a ResNet-18-sized model; a smaller chip names it', () => {
    const r18 = resnet18Graph();
    const big = CHIP_PRESETS['bw-core-32x32-wide']!;
    const widths = { membraneBits: big.membraneBits, thresholdBits: big.thresholdBits, biasBits: big.biasBits };
    const m = foldGraph(r18, widths);
    const { container } = compileModel(m, big, { file: 'r18' });
    expect(container.cores.length).toBeLessThanOrEqual(coreCount(big));
    expect(() => compileModel(m, CHIP_PRESETS['bw-core-8x8-wide']!, { file: 'r18' })).toThrow(/shipped preset with room enough in total: bw-core-32x32-wide/);
  }, 60_000);

  it('docs/chip.md lists the presets', () => {
    const doc = readFileSync('docs/chip.md', 'utf8');
    for (const p of PRESET_LIST) expect(doc).toContain(`| \`${p.chip.name}\` |`);
  });
});

describe('fit, do not fail (CLI)', () => {
  it('compile lowers the weights, says so, and eval measures the agreement', async () => {
    const m = join(c.dir, 'far.bwsnn');
    saveModel(m, farGraph(false));
    expect(await runCli('compile', m, '-o', join(c.dir, 'far.bwc'), '--no-measure')).toBe(0);
    expect(c.err.join('')).toMatch(/^bwsnn compile: layer n: weights 8 -> 3 bits \(6 LSBs dropped, largest weight error 0\.0000267\) to fit, F = 0; rounded: largest error 0\.0000610 \(threshold \(v > theta: one unit of reset drift per spike\)\); measure the agreement with `bwsnn eval --chip bw-core-4x4`/);
    c.err.length = 0;
    const x = join(c.dir, 'x.npy');
    writeFileSync(x, writeNpy({ dtype: 'f4', shape: [3, 4], data: Float32Array.from([255, 0, 255, 255, 0, 255, 0, 0, 9, 9, 9, 9]) }));
    expect(await runCli('eval', m, '--input', x, '--json')).toBe(0);
    const r = JSON.parse(c.out.join('')) as { fold: { name: string; droppedBits: number; exact: boolean }[]; count: number; widths: { thresholdBits: number } };
    expect(r.count).toBe(3);
    expect(r.widths.thresholdBits).toBe(16);
    expect(r.fold[0]).toMatchObject({ name: 'n', droppedBits: 6, exact: false });
    c.out.length = 0;
    expect(await runCli('eval', m, '--input', x, '--json', '--chip', 'bw-core-8x8-wide')).toBe(0);
    const w = JSON.parse(c.out.join('')) as { fold: { exact: boolean }[]; agreement: number; spikeAgreement: number; firstDifference?: unknown };
    expect(w.fold.every((l) => l.exact)).toBe(true);
    expect(w.spikeAgreement).toBe(1);
    expect(w.firstDifference).toBeUndefined();
  });

  it('refuses binary weights that fit no width, naming layer, width, chip field and preset', async () => {
    const m = join(c.dir, 'bin.bwsnn');
    saveModel(m, farGraph(true));
    expect(await runCli('compile', m, '-o', join(c.dir, 'bin.bwc'))).toBe(1);
    expect(c.err.join('')).toMatch(/node n: no fixed-point format fits: thresholds\/gains need 22 bits .*its main weights are binary.*the chip has thresholdBits 16, biasBits 16; a chip with thresholdBits 22, membraneBits 22 fits \(shipped preset: bw-core-8x8-wide\)/);
    expect(existsSync(join(c.dir, 'bin.bwc'))).toBe(false);
  });
});

describe('eval: where float and integer first differ', () => {
  it('a deep dyadic model is exact on a 24-bit preset; on 16 bits eval names the rounded layer', async () => {
    const g = deepDyadicGraph(7);
    const m = join(c.dir, 'deep.bwsnn');
    saveModel(m, g);
    const size = 2 * 16 * 16;
    const N = 10;
    const data = new Float32Array(N * size);
    for (let k = 0; k < N; k++) data.set(randomInput(g, k), k * size);
    const x = join(c.dir, 'deep.npy');
    writeFileSync(x, writeNpy({ dtype: 'f4', shape: [N, 2, 16, 16], data }));
    expect(await runCli('eval', m, '--input', x, '--chip', 'bw-core-8x8-wide')).toBe(0);
    const text = c.out.join('');
    expect(text).toContain('first difference        none: float and integer agree on every spike');
    expect(text).toContain('fold: all 12 layers exact');
    c.out.length = 0;
    // 16-bit thresholds have no room for the first layer's two spare bits: one unit of reset drift
    expect(await runCli('eval', m, '--input', x, '--json')).toBe(0);
    const r = JSON.parse(c.out.join('')) as { fold: { name: string; exact: boolean; errorField: string }[]; firstDifference?: { layer: string; step: number } };
    expect(r.fold.filter((l) => !l.exact).map((l) => l.name)).toEqual(['if2']);
    expect(r.fold[0]!.errorField).toMatch(/reset drift/);
  });
});

describe('input checks', () => {
  const mlp = (): Graph => ({
    name: 'mlp', timesteps: 2, inputRange: [0, 1], dataset: 'mnist',
    nodes: [
      { op: 'input', name: 'in', shape: [1, 28, 28], encoding: { kind: 'binary', threshold: 0.5 } },
      { op: 'flatten', name: 'flat', input: 'in' },
      { op: 'binary_linear', name: 'fc', input: 'flat', inFeatures: 784, outFeatures: 10, weightBits: new Uint8Array(980).fill(0xa5), alpha: new Float64Array(10).fill(0.25) },
      { op: 'readout', name: 'out', input: 'fc', leak: 0 },
    ],
  });

  it('.bwsnn records the input range and data set; files without them still read', () => {
    const g = readBwsnn(writeBwsnn(mlp()), 'm.bwsnn');
    expect(g.inputRange).toEqual([0, 1]);
    expect(g.dataset).toBe('mnist');
    const old = mlp();
    delete old.inputRange;
    delete old.dataset;
    const o = readBwsnn(writeBwsnn(old), 'old.bwsnn');
    expect(o.inputRange).toBeUndefined();
    expect(o.dataset).toBeUndefined();
    const bad = { ...mlp(), inputRange: [2, 1] as [number, number] };
    expect(() => readBwsnn(writeBwsnn(bad), 'bad.bwsnn')).toThrow(/bad\.bwsnn: inputRange: expected \[low, high\] with low <= high, got \[2,1\]/);
  });

  it('eval refuses inputs outside the recorded range and another data set; --no-input-check warns', async () => {
    const m = join(c.dir, 'mlp.bwsnn');
    saveModel(m, mlp());
    const x = join(c.dir, 'raw.npy');
    writeFileSync(x, writeNpy({ dtype: 'f4', shape: [2, 1, 28, 28], data: new Float32Array(2 * 784).fill(200) }));
    expect(await runCli('eval', m, '--input', x)).toBe(1);
    expect(c.err.join('')).toMatch(/raw\.npy: values span 200\.\.200 but model mlp records its input range as \[0, 1\] \(raw 0\.\.255 pixels for a model trained on 0\.\.1\? divide them by 255\) \(--no-input-check evaluates anyway\)/);
    expect(c.out.join('')).toBe('');
    c.err.length = 0;
    expect(await runCli('eval', m, '--data', 'fashion-mnist', '--limit', '5')).toBe(1);
    expect(c.err.join('')).toMatch(/model mlp was trained on mnist, not fashion-mnist/);
    c.err.length = 0;
    expect(await runCli('eval', m, '--data', 'fashion-mnist', '--limit', '5', '--no-input-check')).toBe(0);
    expect(c.err.join('')).toMatch(/^warning: model mlp was trained on mnist, not fashion-mnist/);
    c.err.length = 0;
    expect(await runCli('eval', m, '--data', 'mnist', '--limit', '5')).toBe(0);
    expect(c.err.join('')).toBe('');
  });

  it('models written before the dataset field check against meta.dataset', async () => {
    const g = mlp();
    delete g.dataset;
    g.meta = { dataset: 'mnist' };
    const m = join(c.dir, 'old.bwsnn');
    saveModel(m, g);
    expect(loadModel(m).dataset).toBeUndefined();
    expect(await runCli('eval', m, '--data', 'fashion-mnist', '--limit', '5')).toBe(1);
  });
});

const SINABS = '../shared/nir-samples/cnn_sinabs.nir';
describe.skipIf(!existsSync(SINABS))('import checks on a shared NIR sample', () => {
  it('cnn_sinabs.nir: a float first layer on binary:0.5 warns; multibit:8 with --input-range records the range and compiles (1 of 6 layers exact)', async () => {
    const a = join(c.dir, 'a.bwsnn');
    expect(await runCli('import', SINABS, '-o', a, '-q')).toBe(0);
    expect(c.err.join('')).toMatch(/^warning: \.\.\/shared\/nir-samples\/cnn_sinabs\.nir: the first layer "0" has full-precision weights but the input encoding is binary:0\.5/);
    c.err.length = 0;
    const b = join(c.dir, 'b.bwsnn');
    expect(await runCli('import', SINABS, '-o', b, '-q', '--input-encoding', 'multibit:8', '--input-range', '0:255')).toBe(0);
    expect(c.err.join('')).toBe('');
    expect(loadModel(b).inputRange).toEqual([0, 255]);
    expect(await runCli('import', SINABS, '-o', join(c.dir, 'x.bwsnn'), '--input-range', '5:1')).toBe(2);
    c.out.length = 0;
    expect(await runCli('compile', b, '-o', join(c.dir, 'b.bwc'), '--json', '--no-measure')).toBe(0);
    const r = JSON.parse(c.out.join('')) as { fold: { exact: boolean }[] };
    expect(r.fold.length).toBe(6);
    expect(r.fold.filter((l) => l.exact).length).toBe(1);
  });
});
