import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../models/data/index.js';

function checksum(a: Float32Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * ((i % 97) + 1);
  return Math.round(s * 1000) / 1000;
}

describe('built-in data sets (fixed split)', () => {
  it('mnist: 7,996 train / 2,004 test, labels 0..9 interleaved by class, pixels in [0,1]', () => {
    const tr = loadDataset('mnist', 'train');
    const te = loadDataset('mnist', 'test');
    expect([tr.count, te.count]).toEqual([7996, 2004]);
    expect(tr.shape).toEqual([1, 28, 28]);
    expect(tr.inputs.length).toBe(7996 * 784);
    expect(Array.from(tr.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const perClass = new Array(10).fill(0);
    for (const l of te.labels) perClass[l]++;
    // n_d - floor(0.8 n_d) for n = 1001 1127 991 1032 980 863 1014 1070 944 978
    expect(perClass).toEqual([201, 226, 199, 207, 196, 173, 203, 214, 189, 196]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of te.inputs) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.9);
    // Cached and stable: the same object, and the same first test image every run.
    expect(loadDataset('mnist', 'test')).toBe(te);
    expect(checksum(te.inputs, 784)).toBe(checksum(loadDataset('mnist', 'test').inputs, 784));
    // Train and test do not overlap: the first test image of digit 0 is not the first train one.
    expect(checksum(te.inputs, 784)).not.toBe(checksum(tr.inputs, 784));
  });

  it('fashion-mnist: 60,000 train / 10,000 test, 1,000 test images per class', () => {
    const te = loadDataset('fashion-mnist', 'test');
    expect(te.count).toBe(10000);
    const perClass = new Array(10).fill(0);
    for (const l of te.labels) perClass[l]++;
    expect(perClass).toEqual(new Array(10).fill(1000));
    expect(te.classNames?.[9]).toBe('Ankle boot');
    for (let i = 0; i < 784 * 10; i++) {
      const v = te.inputs[i]!;
      expect(Number.isInteger(Math.round(v * 255 * 1e4) / 1e4)).toBe(true);
    }
    expect(loadDataset('fashion-mnist', 'train').count).toBe(60000);
  });

  it('refuses unknown names and splits', () => {
    expect(() => loadDataset('cifar' as 'mnist', 'test')).toThrow(/unknown data set "cifar"/);
    expect(() => loadDataset('mnist', 'val' as 'test')).toThrow(/unknown split "val"/);
  });
});
