/**
 * Every pass after lower run alone on a hand-built input form (written out here as literals, not
 * produced by the pass before), with hand-derived expectations. The model: input [64] binary ->
 * h [100] IF (dense, all weights +1) -> out [4] readout (dense), on a 2 x 2 chip with 64 neurons per core.
 */
import { describe, expect, it } from 'vitest';
import { generateCode } from '../../compiler/codegen.js';
import { formatProgram } from '../../compiler/dump.js';
import { emitContainer } from '../../compiler/emit.js';
import type { CheckedModel, LoweredModel, Partitioned, Placed, Routed, Scheduled, Task } from '../../compiler/ir.js';
import { partitionModel } from '../../compiler/partition.js';
import { placeModel } from '../../compiler/place.js';
import { routeModel } from '../../compiler/route.js';
import { parseChipConfig } from '../../isa/chip.js';
import { instr } from '../../isa/instr.js';
import { neuronArrays } from '../../isa/neuron-record.js';
import type { IntLayer } from '../../models/intmodel.js';

const chip = parseChipConfig({ name: 'two-by-two', meshX: 2, meshY: 2, neuronsPerCore: 64 });
const dense = (name: string, kind: 'if' | 'readout', n: number, source: string, inF: number): IntLayer => {
  const l: IntLayer = {
    name, kind, shape: [n], fracBits: 0, ...neuronArrays(() => n),
    synapses: [{ source, recurrent: false, acc: 0, op: { kind: 'dense', inFeatures: inF, outFeatures: n, weights: { mode: 'binary', wq: 1, values: new Int32Array(n * inF).fill(1) } } }],
  };
  l.theta.fill(3);
  l.g0.fill(1);
  return l;
};
const checked: CheckedModel = {
  model: { name: 'm', timesteps: 1, input: { name: 'in', shape: [64], encoding: { kind: 'binary', threshold: 0.5 } }, membraneBits: 16, layers: [dense('h', 'if', 100, 'in', 64), dense('out', 'readout', 4, 'h', 100)], readout: 'out' },
  chip,
  sources: {
    in: { name: 'in', isInput: true, shape: [64], layout: 'flat', size: 64, C: 1, H: 64, W: 1, cw: 0, planes: 1, units: 64 },
    h: { name: 'h', isInput: false, shape: [100], layout: 'flat', size: 100, C: 1, H: 100, W: 1, cw: 0, planes: 1, units: 100 },
  },
  depth: { h: 1, out: 2 },
};
const syn = (source: string, inFeatures: number) => ({ index: 0, source, recurrent: false, acc: 0 as const, op: { kind: 'dense' as const, inFeatures }, mode: 'binary' as const, wmode: 0, wq: 1, ap: 1 });
const lowered: LoweredModel = {
  checked,
  layers: [
    { name: 'h', kind: 'if', depth: 1, shape: [100], neurons: 100, geometry: 'flat', C: 1, H: 100, W: 1, units: 100, neuronsPerUnit: 1, synapses: [syn('in', 64)], fracBits: 0 },
    { name: 'out', kind: 'readout', depth: 2, shape: [4], neurons: 4, geometry: 'flat', C: 1, H: 4, W: 1, units: 4, neuronsPerUnit: 1, synapses: [syn('h', 100)], fracBits: 0 },
  ],
};
const task = (id: number, layer: string, u0: number, u1: number, lo: number, hi: number, sramWords: number): Task => ({ id, layer, role: 'owner', owner: id, u0, u1, c0: 0, c1: 1, neurons: u1 - u0, parts: [{ synapse: 0, lo, hi }], sramWords });
const partitioned: Partitioned = { lowered, tasks: [task(0, 'h', 0, 50, 0, 64, 50), task(1, 'h', 50, 100, 0, 64, 50), task(2, 'out', 0, 4, 0, 100, 8)] };
const inRegion = { source: 'in', recurrent: false, lo: 0, hi: 64, base: 0, planeWords: 1, planes: 1 };
const hRegion = { source: 'h', recurrent: false, lo: 0, hi: 100, base: 1, planeWords: 2, planes: 1 };
const placed: Placed = {
  partitioned,
  cores: [
    { core: 0, tasks: [0], neurons: 50, sramWords: 50, axonWords: 1, regions: [inRegion] },
    { core: 1, tasks: [1, 2], neurons: 54, sramWords: 58, axonWords: 3, regions: [inRegion, hRegion] },
  ],
  placed: [
    { task: 0, core: 0, neuronBase: 0, partSram: [0], partRegion: [0] },
    { task: 1, core: 1, neuronBase: 0, partSram: [0], partRegion: [0] },
    { task: 2, core: 1, neuronBase: 50, partSram: [50], partRegion: [1] },
  ],
};
const routed: Routed = {
  placed,
  routes: { 0: [[{ core: 1, base: 1, flags: 0, bitOffset: 0 }]], 1: [[{ core: 1, base: 1, flags: 0, bitOffset: 50 }]] },
  sends: { 0: [{ rn: 0, n: 50, g: 64, cw: 1, route: 0 }], 1: [{ rn: 0, n: 50, g: 64, cw: 1, route: 0 }], 2: [] },
  psums: {},
};
const hPrologue = [instr('INPUT'), instr('ACC', { acc: 0, rn: 0, rw: 0, ra: 0, n: 50, len: 1, wmode: 0, wq: 1, ap: 1 }), instr('FIRE', { rn: 0, n: 50, b: 1 }), instr('SEND', { rn: 0, n: 50, route: 0, g: 64, cw: 1 })];
const scheduled: Scheduled = {
  routed,
  phases: [{ depth: 1, stage: 'all' }, { depth: 2, stage: 'all' }],
  programs: {
    0: [...hPrologue, instr('HALT')],
    1: [...hPrologue, instr('SYNC'), instr('LI', { rd: 1, imm: 50 }), instr('LI', { rd: 2, imm: 1 }), instr('ACC', { acc: 0, rn: 1, rw: 1, ra: 2, n: 4, len: 2, wmode: 0, wq: 1, ap: 1 }), instr('INTEG', { rn: 1, n: 4, b: 1 }), instr('HALT')],
  },
};

describe('passes alone on hand-built inputs', () => {
  it('partition: 100 neurons > 64 per core -> two chunks of 50 (one word per row); out: 4 rows of 2 words', () => {
    expect(partitionModel(lowered, 'm').tasks).toEqual(partitioned.tasks);
  });
  it('place (snake): h chunks on cores 0 and 1, out packed after the second chunk on core 1', () => {
    const p = placeModel(partitioned, 'm', 'snake');
    expect(p.cores).toEqual(placed.cores);
    expect(p.placed).toEqual(placed.placed);
  });
  it('route: each h chunk sends to out\'s region on core 1 at its bit offset', () => {
    const r = routeModel(placed, 'm');
    expect(r.routes).toEqual(routed.routes);
    expect(r.sends).toEqual(routed.sends);
    expect(r.psums).toEqual({});
  });
  it('codegen: one phase per depth, registers loaded with LI only where non-zero', () => {
    const s = generateCode(routed, 'm');
    expect(formatProgram(s.programs[0]!)).toBe(formatProgram(scheduled.programs[0]!));
    expect(formatProgram(s.programs[1]!)).toBe(formatProgram(scheduled.programs[1]!));
  });
  it('emit: neuron parameters, weight bits, input map and probes', () => {
    const c = emitContainer(scheduled);
    expect(c.cores.map((k) => [k.core, k.neurons.count, k.synapses.length / 2])).toEqual([[0, 50, 50], [1, 54, 58]]);
    expect(Array.from(c.cores[1]!.neurons.theta.subarray(48, 54))).toEqual([3, 3, 3, 3, 3, 3]);
    // All weights +1: every h row is 64 one bits; out's rows hold 100 one bits (word 1: 36 bits).
    expect(Array.from(c.cores[0]!.synapses.subarray(0, 2))).toEqual([0xffffffff, 0xffffffff]);
    expect(Array.from(c.cores[1]!.synapses.subarray(100, 104))).toEqual([0xffffffff, 0xffffffff, 0xffffffff, 0xf]);
    expect(c.inputMap.map((b) => [b.core, b.axonBase, b.elements.length, b.bits[63]])).toEqual([[0, 0, 64, 63], [1, 0, 64, 63]]);
    const [h, out] = c.outputMap.probes;
    expect(h!.entries.map((e) => [e.core, e.neuronBase, e.count, e.index[0]])).toEqual([[0, 0, 50, 0], [1, 0, 50, 50]]);
    expect(out!.entries.map((e) => [e.core, e.neuronBase, e.count])).toEqual([[1, 50, 4]]);
    expect(c.outputMap.readout).toBe(1);
  });
});
