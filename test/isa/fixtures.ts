/** A small hand-built valid container used by several ISA tests. */
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { type BwcContainer } from '../../isa/container-types.js';

export function tinyContainer(): BwcContainer {
  const neurons = (n: number) => ({
    count: n,
    theta: new Int32Array(n).fill(2),
    bias: new Int32Array(n),
    vreset: new Int32Array(n),
    g0: new Int32Array(n).fill(1),
    g1: new Int32Array(n),
    leak: new Uint8Array(n),
    flags: new Uint8Array(n),
    decay: new Int32Array(n),
    sdecay: new Int32Array(n),
  });
  return {
    version: 1, // no version 2 neuron fields: written as before
    chip: { ...DEFAULT_CHIP, meshX: 2, meshY: 1 },
    meta: { name: 'tiny', timesteps: 2, inputShape: [4], encoding: { kind: 'binary', threshold: 0.5 }, classes: 2 },
    cores: [
      {
        core: 0,
        program: [
          { op: 'INPUT', args: {} },
          { op: 'ACC', args: { acc: 0, rn: 0, rw: 0, ra: 0, n: 3, len: 1, wmode: 0, wq: 1, ap: 1 } },
          { op: 'FIRE', args: { rn: 0, n: 3, b: 0 } },
          { op: 'SEND', args: { rn: 0, n: 3, route: 0, g: 3, cw: 1 } },
          { op: 'HALT', args: {} },
        ],
        synapses: Uint32Array.of(0xf, 0, 0x3, 0x80000000, 0x5, 0),
        neurons: neurons(3),
        routes: [[{ core: 1, base: 0, flags: 0, bitOffset: 0 }]],
      },
      {
        core: 1,
        program: [
          { op: 'SYNC', args: {} },
          { op: 'LI', args: { rd: 1, imm: 0 } },
          { op: 'ACC', args: { acc: 0, rn: 0, rw: 1, ra: 0, n: 2, len: 1, wmode: 0, wq: 1, ap: 1 } },
          { op: 'INTEG', args: { rn: 0, n: 2, b: 1 } },
          { op: 'HALT', args: {} },
        ],
        synapses: Uint32Array.of(0x7, 0, 0x2, 0),
        neurons: neurons(2),
        routes: [],
      },
    ],
    inputMap: [{ core: 0, axonBase: 0, planeStride: 0, elements: Int32Array.of(0, 1, 2, 3), bits: Int32Array.of(0, 1, 2, 3) }],
    outputMap: {
      readout: 1,
      probes: [
        { layer: 'hidden', kind: 'spikes', shape: [3], entries: [{ core: 0, neuronBase: 0, count: 3, index: Int32Array.of(0, 1, 2) }] },
        { layer: 'out', kind: 'membrane', shape: [2], entries: [{ core: 1, neuronBase: 0, count: 2, index: Int32Array.of(0, 1) }] },
      ],
    },
  };
}
