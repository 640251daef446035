/**
 * Pass 2, lower: turn each IntLayer into a LoweredLayer, the unit of work of the core: a neuron
 * group (flat, or position-major rows for [C, H, W] layers) with its synapses expressed as chip
 * operations (ACC dense rows, ACCW shared conv kernels, ACCS identity), their weight coding
 * (wmode, wq planes) and the source's axon planes (ap).
 */
import { BwsnnError } from '../base/errors.js';
import { WMODE } from '../isa/table.js';
import type { CheckedModel, LoweredLayer, LoweredModel, LoweredSynapse } from './ir.js';

export function lowerModel(c: CheckedModel, file = c.model.name): LoweredModel {
  const layers: LoweredLayer[] = c.model.layers.map((l) => {
    const n = l.shape.reduce((a, b) => a * b, 1);
    const rows = l.shape.length === 3;
    const [C, H, W] = rows ? (l.shape as [number, number, number]) : [1, n, 1];
    const synapses: LoweredSynapse[] = l.synapses.map((s, index) => {
      const src = c.sources[s.source]!;
      const where = `${file}: layer ${l.name}: synapse ${index} (from ${s.source})`;
      const op = s.op;
      const base = { index, source: s.source, recurrent: s.recurrent, acc: s.acc, ap: src.planes };
      if (op.kind === 'identity') {
        if ((src.layout === 'pos') !== rows) {
          throw new BwsnnError(`${where}: identity shortcut between a ${src.layout === 'pos' ? 'position-major' : 'flat'} source and a ${rows ? '[C, H, W]' : 'flat'} layer is not supported`);
        }
        return { ...base, op: { kind: 'identity' }, mode: 'binary', wmode: WMODE.binary, wq: 1 };
      }
      const mode = op.weights.mode;
      const wq = op.weights.wq;
      if (op.kind === 'dense') {
        return { ...base, op: { kind: 'dense', inFeatures: op.inFeatures }, mode, wmode: WMODE[mode], wq };
      }
      if (src.layout !== 'pos') throw new BwsnnError(`${where}: a convolution needs a [C, H, W] source`);
      const kernelWords = op.kernel[0] * op.kernel[1] * src.cw;
      return {
        ...base,
        op: { kind: 'conv', inShape: op.inShape, kernel: op.kernel, stride: op.stride, padding: op.padding, kernelWords },
        mode,
        wmode: WMODE[mode],
        wq,
      };
    });
    return {
      name: l.name,
      kind: l.kind,
      depth: c.depth[l.name]!,
      shape: l.shape,
      neurons: n,
      geometry: rows ? 'rows' : 'flat',
      C,
      H,
      W,
      units: rows ? H : n,
      neuronsPerUnit: rows ? W * C : 1,
      synapses,
      fracBits: l.fracBits,
    };
  });
  return { checked: c, layers };
}
