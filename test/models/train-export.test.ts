/**
 * The exported Graph IR means what was trained: a test-local float interpretation of the exported
 * nodes (the Graph IR semantics of models/graph.ts) reproduces the trainer's eval forward; training
 * is deterministic; bad options are refused with BwsnnError.
 */
import { describe, expect, it } from 'vitest';
import { BwsnnError } from '../../base/errors.js';
import type { Graph, GraphNode } from '../../models/graph.js';
import type { ArchSpec } from '../../models/train/archs.js';
import { runFloat } from '../../models/float-exec.js';
import { integerAccuracy, modelInput } from '../../models/train/evaluate.js';
import { Rng } from '../../models/train/rng.js';
import { DEFAULT_OPTIONS, multibitLevel, predictAll, trainModel, validateOptions, type TrainData } from '../../models/train/trainer.js';

/** Graph IR float semantics for the node kinds the trainer exports (test-local stand-in). */
function runGraph(g: Graph, pixels: Float32Array): Float64Array {
  const vals = new Map<string, Float64Array>();
  const shapes = new Map<string, number[]>();
  const mem = new Map<string, Float64Array>();
  let readout: Float64Array | null = null;
  for (let t = 0; t < g.timesteps; t++) {
    for (const n of g.nodes as GraphNode[]) {
      switch (n.op) {
        case 'input': {
          const e = n.encoding;
          vals.set(n.name, Float64Array.from(pixels, (p) => (e.kind === 'binary' ? (p >= e.threshold ? 1 : 0) : multibitLevel(p, e.bits))));
          shapes.set(n.name, n.shape);
          break;
        }
        case 'binary_linear': {
          const x = vals.get(n.input)!;
          const y = new Float64Array(n.outFeatures);
          for (let o = 0; o < n.outFeatures; o++) {
            let s = 0;
            for (let i = 0; i < n.inFeatures; i++) {
              const k = o * n.inFeatures + i;
              s += ((n.weightBits[k >> 3]! >> (k & 7)) & 1 ? 1 : -1) * x[i]!;
            }
            y[o] = n.alpha[o]! * s;
          }
          vals.set(n.name, y);
          shapes.set(n.name, [n.outFeatures]);
          break;
        }
        case 'binary_conv2d': {
          const x = vals.get(n.input)!;
          const [C, H, W] = shapes.get(n.input)!;
          const [kh, kw] = n.kernel;
          const OH = Math.floor((H! + 2 * n.padding[0] - kh) / n.stride[0]) + 1;
          const OW = Math.floor((W! + 2 * n.padding[1] - kw) / n.stride[1]) + 1;
          const y = new Float64Array(n.outChannels * OH * OW);
          for (let o = 0; o < n.outChannels; o++)
            for (let oy = 0; oy < OH; oy++)
              for (let ox = 0; ox < OW; ox++) {
                let s = 0;
                for (let c = 0; c < C!; c++)
                  for (let i = 0; i < kh; i++)
                    for (let j = 0; j < kw; j++) {
                      const iy = oy * n.stride[0] - n.padding[0] + i;
                      const ix = ox * n.stride[1] - n.padding[1] + j;
                      if (iy < 0 || iy >= H! || ix < 0 || ix >= W!) continue;
                      const k = ((o * C! + c) * kh + i) * kw + j;
                      s += ((n.weightBits[k >> 3]! >> (k & 7)) & 1 ? 1 : -1) * x[(c * H! + iy) * W! + ix]!;
                    }
                y[(o * OH + oy) * OW + ox] = n.alpha[o]! * s;
              }
          vals.set(n.name, y);
          shapes.set(n.name, [n.outChannels, OH, OW]);
          break;
        }
        case 'batchnorm': {
          const x = vals.get(n.input)!;
          const sh = shapes.get(n.input)!;
          const S = x.length / sh[0]!;
          vals.set(
            n.name,
            Float64Array.from(x, (v, i) => {
              const c = Math.floor(i / S);
              return (n.gamma[c]! * (v - n.mean[c]!)) / Math.sqrt(n.var[c]! + n.eps) + n.beta[c]!;
            }),
          );
          shapes.set(n.name, sh);
          break;
        }
        case 'add': {
          const xs = n.inputs.map((i) => vals.get(i)!);
          vals.set(n.name, Float64Array.from(xs[0]!, (_, i) => xs.reduce((s, a) => s + a[i]!, 0)));
          shapes.set(n.name, shapes.get(n.inputs[0]!)!);
          break;
        }
        case 'if': {
          const x = vals.get(n.input)!;
          const v = mem.get(n.name) ?? new Float64Array(x.length);
          const s = new Float64Array(x.length);
          for (let i = 0; i < x.length; i++) {
            v[i]! += x[i]!;
            const th = n.threshold[0]!;
            if (n.fireOn === 'ge' ? v[i]! >= th : v[i]! > th) {
              s[i] = 1;
              v[i] = n.reset === 'soft' ? v[i]! - th : n.vReset[0]!;
            }
          }
          mem.set(n.name, v);
          vals.set(n.name, s);
          shapes.set(n.name, shapes.get(n.input)!);
          break;
        }
        case 'flatten': {
          const x = vals.get(n.input)!;
          vals.set(n.name, x);
          shapes.set(n.name, [x.length]);
          break;
        }
        case 'readout': {
          const x = vals.get(n.input)!;
          readout ??= new Float64Array(x.length);
          for (let i = 0; i < x.length; i++) readout[i]! += x[i]!;
          break;
        }
        default:
          throw new Error(`test executor: ${n.op} not supported`);
      }
    }
  }
  return readout!;
}

function synthetic(seed: number, count: number, size: number, classes: number): TrainData {
  const rng = new Rng(seed);
  const protos = Array.from({ length: classes }, () => Float32Array.from({ length: size }, () => rng.next()));
  const inputs = new Float32Array(count * size);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let k = 0; k < size; k++) inputs[i * size + k] = Math.min(1, Math.max(0, protos[c]![k]! + 0.3 * (rng.next() - 0.5)));
  }
  return { name: `synthetic-${seed}`, count, inputs, labels };
}

const convArch: ArchSpec = {
  name: 'tiny-conv',
  dataset: 'fashion-mnist',
  encoding: { kind: 'multibit', bits: 4 },
  inputShape: [1, 6, 6],
  timesteps: 3,
  classes: 3,
  description: 'test',
  stages: [
    { kind: 'conv', name: 'c1', out: 4, k: 3, stride: 2, pad: 1 },
    { kind: 'conv', name: 'c2', out: 4, k: 3, stride: 1, pad: 1 },
    { kind: 'flatten', name: 'flat' },
    { kind: 'linear', name: 'out', out: 3 },
  ],
};
const mlpArch: ArchSpec = {
  name: 'tiny-mlp',
  dataset: 'mnist',
  encoding: { kind: 'binary', threshold: 0.5 },
  inputShape: [36],
  timesteps: 4,
  classes: 3,
  description: 'test',
  stages: [
    { kind: 'linear', name: 'fc1', out: 16 },
    { kind: 'linear', name: 'fc2', out: 16 },
    { kind: 'linear', name: 'out', out: 3 },
  ],
};

const base = { ...DEFAULT_OPTIONS, arch: 'custom', epochs: 6, teacherEpochs: 2, batch: 16, lr: 0.01 };

describe('trainer export and determinism', () => {
  for (const arch of [convArch, mlpArch]) {
    it(`${arch.name}: the exported graph reproduces the trained float model's readout and predictions`, () => {
      const all = synthetic(1, 126, 36, 3);
      const train: TrainData = { ...all, count: 96, inputs: all.inputs.slice(0, 96 * 36), labels: all.labels.slice(0, 96) };
      const test: TrainData = { ...all, count: 30, inputs: all.inputs.slice(96 * 36), labels: all.labels.slice(96) };
      const r = trainModel(base, train, test, () => {}, arch);
      expect(r.floatTestAcc).toBeGreaterThan(0.6);
      const ops = r.graph.nodes.map((n) => n.op);
      expect(ops).toContain('add');
      expect(ops[ops.length - 1]).toBe('readout');
      const logits = predictAll(r.net, test);
      for (let i = 0; i < test.count; i++) {
        const ro = runGraph(r.graph, test.inputs.subarray(i * 36, i * 36 + 36));
        for (let k = 0; k < 3; k++) expect(ro[k]! / r.graph.timesteps).toBeCloseTo(logits[i * 3 + k]!, 3);
        // the Models engineer's float executor agrees too
        const fr = runFloat(r.graph, modelInput(r.graph, test, i, 36));
        for (let k = 0; k < 3; k++) expect(fr.readout[k]! / r.graph.timesteps).toBeCloseTo(logits[i * 3 + k]!, 3);
      }
      // and the integer reference (foldGraph + runReference) keeps the accuracy
      const ie = integerAccuracy(r.graph, r.net, test);
      expect(ie.count).toBe(30);
      expect(ie.accuracy).toBeGreaterThanOrEqual(r.floatTestAcc - 0.1);
      expect(ie.disagreements).toBeLessThanOrEqual(3);
    });
  }

  it('identical seeds give identical models, different seeds differ', () => {
    const train = synthetic(3, 64, 36, 3);
    const test = synthetic(4, 12, 36, 3);
    const o = { ...base, epochs: 1, teacherEpochs: 1 };
    const a = trainModel(o, train, test, () => {}, mlpArch).graph;
    const b = trainModel(o, train, test, () => {}, mlpArch).graph;
    const c = trainModel({ ...o, seed: 2 }, train, test, () => {}, mlpArch).graph;
    const w = (g: Graph, name: string) => {
      const n = g.nodes.find((x) => x.name === name);
      return n && n.op === 'binary_linear' ? [Array.from(n.weightBits), Array.from(n.alpha)] : null;
    };
    expect(w(a, 'fc2')).toEqual(w(b, 'fc2'));
    expect(w(a, 'fc2')).not.toEqual(w(c, 'fc2'));
    const bn = (g: Graph) => g.nodes.filter((n) => n.op === 'batchnorm').map((n) => (n.op === 'batchnorm' ? Array.from(n.mean) : []));
    expect(bn(a)).toEqual(bn(b));
  });

  it('refuses bad options with BwsnnError naming the option', () => {
    const ok = { ...DEFAULT_OPTIONS, arch: 'mnist-mlp' };
    expect(validateOptions(ok).name).toBe('mnist-mlp');
    const bad: [Partial<typeof ok>, RegExp][] = [
      [{ arch: 'resnet50' }, /unknown architecture 'resnet50'/],
      [{ epochs: 0 }, /--epochs/],
      [{ batch: 1.5 }, /--batch/],
      [{ lr: 0 }, /--lr/],
      [{ lr: Number.NaN }, /--lr/],
      [{ kdAlpha: 1.5 }, /--kd-alpha/],
      [{ kdTemp: -1 }, /--kd-temp/],
      [{ timesteps: 17 }, /--timesteps/],
      [{ kdAlpha: 0.5, teacherEpochs: 0 }, /teacher-epochs/],
    ];
    for (const [patch, msg] of bad) {
      expect(() => validateOptions({ ...ok, ...patch })).toThrow(BwsnnError);
      expect(() => validateOptions({ ...ok, ...patch })).toThrow(msg);
    }
  });

  it('refuses data of the wrong size or with out-of-range labels', () => {
    const d = synthetic(5, 10, 35, 3);
    expect(() => trainModel(base, d, d, () => {}, mlpArch)).toThrow(/36 values per sample/);
    const e = synthetic(5, 10, 36, 3);
    e.labels[4] = 7;
    expect(() => trainModel(base, e, e, () => {}, mlpArch)).toThrow(/sample 4 has label 7/);
  });
});
