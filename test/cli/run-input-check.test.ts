/**
 * Issue 14 item 4 for binaries: the model's recorded input range and data set travel in the .bwc
 * meta (container version 3), and `bwsnn run` / `bwsnn energy` refuse inputs they rule out (exit 1,
 * naming the binary), or warn with --no-input-check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readContainer } from '../../isa/container.js';
import { loadModel, saveModel } from '../../models/format.js';
import { writeNpy } from '../../models/data/npy.js';
import { writeFileSync } from 'node:fs';
import { runCli, startCapture, type Capture } from '../helpers/cli.js';

let cap: Capture;
beforeEach(() => {
  cap = startCapture('bwsnn-run-input-check-');
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('run and energy check inputs against what the binary records', () => {
  it('carries the range and data set into the binary and refuses what they rule out', async () => {
    const model = join(cap.dir, 'm.bwsnn');
    const g = loadModel('models/zoo/mnist-mlp.bwsnn');
    g.inputRange = [0, 1];
    saveModel(model, g);
    const bin = join(cap.dir, 'm.bwc');
    expect(await runCli('compile', model, '-o', bin, '--no-measure')).toBe(0);
    const c = readContainer(readFileSync(bin), bin);
    expect(c.version).toBe(3);
    expect(c.meta.inputRange).toEqual([0, 1]);
    expect(c.meta.dataset).toBe('mnist');
    cap.out.length = 0;
    expect(await runCli('inspect', bin)).toBe(0);
    expect(cap.out.join('')).toContain('10 classes, input range [0, 1], trained on mnist\n');

    // Raw 0..255 pixels for a model trained on 0..1.
    const raw = new Float32Array(2 * 784).map((_, i) => (i * 37) % 256);
    const npy = join(cap.dir, 'raw.npy');
    writeFileSync(npy, writeNpy({ dtype: 'f4', shape: [2, 784], data: raw }));
    cap.err.length = 0;
    expect(await runCli('run', bin, '--input', npy, '--workers', '1')).toBe(1);
    expect(cap.err.join('')).toContain(`${bin}: ${npy}: values span 0..255 but model mnist-mlp records its input range as [0, 1] (raw 0..255 pixels for a model trained on 0..1? divide them by 255) (--no-input-check runs anyway)`);
    cap.err.length = 0;
    expect(await runCli('run', bin, '--input', npy, '--workers', '1', '--no-input-check')).toBe(0);
    expect(cap.err.join('')).toMatch(/^warning: .*values span 0\.\.255/m);
    // In range: no warning.
    writeFileSync(npy, writeNpy({ dtype: 'f4', shape: [2, 784], data: raw.map((x) => x / 255) }));
    cap.err.length = 0;
    expect(await runCli('run', bin, '--input', npy, '--workers', '1')).toBe(0);
    expect(cap.err.join('')).not.toMatch(/warning|records its input range/);

    // Another built-in data set.
    cap.err.length = 0;
    expect(await runCli('run', bin, '--data', 'fashion-mnist', '--limit', '2', '--workers', '1')).toBe(1);
    expect(cap.err.join('')).toContain('model mnist-mlp was trained on mnist, not fashion-mnist');
    cap.err.length = 0;
    expect(await runCli('energy', bin, '--data', 'fashion-mnist', '--limit', '2', '--workers', '1')).toBe(1);
    expect(cap.err.join('')).toContain('model mnist-mlp was trained on mnist, not fashion-mnist');
    cap.err.length = 0;
    expect(await runCli('run', bin, '--data', 'mnist', '--limit', '2', '--workers', '1')).toBe(0);
    expect(cap.err.join('')).not.toMatch(/trained on/);
  }, 120_000);

  it('a model that records nothing gives a binary of the old version and no checks', async () => {
    const model = join(cap.dir, 'plain.bwsnn');
    const g = loadModel('models/zoo/mnist-mlp.bwsnn');
    delete g.meta;
    delete g.dataset;
    delete g.inputRange;
    saveModel(model, g);
    const bin = join(cap.dir, 'plain.bwc');
    expect(await runCli('compile', model, '-o', bin, '--no-measure')).toBe(0);
    const c = readContainer(readFileSync(bin), bin);
    expect(c.version).toBe(1);
    expect(c.meta.inputRange).toBeUndefined();
    expect(c.meta.dataset).toBeUndefined();
    expect(await runCli('run', bin, '--data', 'fashion-mnist', '--limit', '1', '--workers', '1')).toBe(0);
  }, 120_000);
});
