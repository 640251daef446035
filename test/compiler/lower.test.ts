/** lowerModel on a hand-built CheckedModel: geometry, weight coding (wmode from the ISA table), planes. */
import { describe, expect, it } from 'vitest';
import { BwsnnError } from '../../base/errors.js';
import { lowerModel } from '../../compiler/lower.js';
import type { CheckedModel, SourceInfo } from '../../compiler/ir.js';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { neuronArrays } from '../../isa/neuron-record.js';
import type { IntLayer, IntSynapse, WeightMode } from '../../models/intmodel.js';

const w = (mode: WeightMode, wq: number, n: number) => ({ mode, wq, values: new Int32Array(n) });
const layer = (name: string, kind: 'if' | 'readout', shape: number[], synapses: IntSynapse[]): IntLayer => ({
  name, kind, shape, synapses, fracBits: 3, ...neuronArrays(() => shape.reduce((a, b) => a * b, 1)),
});
const src = (o: Partial<SourceInfo> & Pick<SourceInfo, 'name' | 'shape' | 'layout'>): SourceInfo => ({
  isInput: false, size: o.shape.reduce((a, b) => a * b, 1), C: 1, H: 1, W: 1, cw: 0, planes: 1, units: 1, ...o,
});

function checked(): CheckedModel {
  const c = layer('c', 'if', [8, 4, 4], [
    { source: 'in', recurrent: false, acc: 0, op: { kind: 'conv', inShape: [2, 4, 4], outChannels: 8, kernel: [3, 3], stride: [1, 1], padding: [1, 1], weights: w('uint', 3, 8 * 2 * 9) } },
  ]);
  const h = layer('h', 'if', [10], [{ source: 'c', recurrent: false, acc: 1, op: { kind: 'dense', inFeatures: 128, outFeatures: 10, weights: w('sint', 2, 1280) } }]);
  const out = layer('out', 'readout', [3], [{ source: 'h', recurrent: false, acc: 0, op: { kind: 'dense', inFeatures: 10, outFeatures: 3, weights: w('binary', 1, 30) } }]);
  return {
    model: { name: 'hand', timesteps: 2, input: { name: 'in', shape: [2, 4, 4], encoding: { kind: 'multibit', bits: 2 } }, membraneBits: 16, layers: [c, h, out], readout: 'out' },
    chip: DEFAULT_CHIP,
    sources: {
      in: src({ name: 'in', isInput: true, shape: [2, 4, 4], layout: 'pos', C: 2, H: 4, W: 4, cw: 1, planes: 2, units: 4 }),
      c: src({ name: 'c', shape: [8, 4, 4], layout: 'pos', C: 8, H: 4, W: 4, cw: 1, units: 4 }),
      h: src({ name: 'h', shape: [10], layout: 'flat', H: 10, units: 10 }),
    },
    depth: { c: 1, h: 2, out: 3 },
  };
}

describe('lowerModel (hand-built input)', () => {
  it('lowers geometry, weight coding and planes', () => {
    const lm = lowerModel(checked(), 'hand.bwsnn');
    const [c, h, out] = lm.layers;
    expect(c).toMatchObject({ name: 'c', depth: 1, geometry: 'rows', C: 8, H: 4, W: 4, neurons: 128, units: 4, neuronsPerUnit: 32, fracBits: 3 });
    // uint weights -> wmode 1; the multibit:2 input -> ap 2; kernel 3x3 of one word per position.
    expect(c!.synapses).toEqual([{ index: 0, source: 'in', recurrent: false, acc: 0, ap: 2, mode: 'uint', wmode: 1, wq: 3, op: { kind: 'conv', inShape: [2, 4, 4], kernel: [3, 3], stride: [1, 1], padding: [1, 1], kernelWords: 9 } }]);
    expect(h).toMatchObject({ geometry: 'flat', C: 1, H: 10, W: 1, units: 10, neuronsPerUnit: 1, depth: 2 });
    expect(h!.synapses[0]).toEqual({ index: 0, source: 'c', recurrent: false, acc: 1, ap: 1, mode: 'sint', wmode: 2, wq: 2, op: { kind: 'dense', inFeatures: 128 } });
    expect(out!.synapses[0]).toMatchObject({ mode: 'binary', wmode: 0, wq: 1, ap: 1 });
  });

  it('refuses an identity shortcut between a position-major source and a flat layer', () => {
    const cm = checked();
    cm.model.layers[1]!.synapses.push({ source: 'c', recurrent: false, acc: 0, op: { kind: 'identity' } });
    expect(() => lowerModel(cm, 'hand.bwsnn')).toThrowError(BwsnnError);
    expect(() => lowerModel(cm, 'hand.bwsnn')).toThrowError('hand.bwsnn: layer h: synapse 1 (from c): identity shortcut between a position-major source and a flat layer is not supported');
  });
});
