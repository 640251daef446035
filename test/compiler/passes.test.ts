/**
 * Hand-checked small cases for each pass: validation errors, partition boundaries (by output, conv
 * rows, fan-in slices), snake placement, routing lists (multicast, recurrent next-step, PSUM),
 * the generated program of a 2-layer MLP against its expected listing, the synapse image bits,
 * the input and output maps, and that conv kernels are stored once (never unrolled).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, parseChipConfig } from '../../isa/chip.js';
import { BwsnnError } from '../../base/errors.js';
import { ROUTE_NEXT_STEP, ROUTE_PSUM_ACC1 } from '../../isa/container-types.js';
import { assemble } from '../../isa/asm/index.js';
import { disassemble } from '../../isa/disasm.js';
import { compileModel, compileStages, FitError } from '../../compiler/index.js';
import { formatProgram } from '../../compiler/dump.js';
import { snakeOrder } from '../../compiler/place.js';
import { convRows } from '../../compiler/partition.js';
import type { IntModel } from '../../models/intmodel.js';
import { conv, dense, layer, rng, weights } from './helpers/gen.js';
import { expectSimEqualsRef } from './helpers/simcheck.js';

const PACK = { strategy: 'pack' as const };
const BIN = { kind: 'binary' as const, threshold: 0.5 };

function mlp2(): IntModel {
  const r = rng(1);
  return {
    name: 'mlp2',
    timesteps: 2,
    input: { name: 'in', shape: [100], encoding: BIN },
    membraneBits: 16,
    layers: [layer(r, 'h0', 'if', [20], [dense(r, 'in', 100, 20, false)]), layer(r, 'out', 'readout', [3], [dense(r, 'h0', 20, 3, false)])],
    readout: 'out',
  };
}

describe('codegen', () => {
  it('2-layer MLP on one core: the expected program, routes, maps and synapse image', () => {
    const m = mlp2();
    const st = compileStages(m, DEFAULT_CHIP, PACK);
    expect(st.codegen.phases).toEqual([
      { depth: 1, stage: 'all' },
      { depth: 2, stage: 'all' },
    ]);
    expect(formatProgram(st.codegen.programs[0]!)).toBe(
      [
        '   0: INPUT',
        '   1: ACC acc=0 rn=r0 rw=r0 ra=r0 n=20 len=2 wmode=0 wq=1 ap=1',
        '   2: FIRE rn=r0 n=20 b=1',
        '   3: SEND rn=r0 n=20 route=0 g=64 cw=1',
        '   4: SYNC',
        '   5: LI rd=r1 imm=20',
        '   6: LI rd=r2 imm=40',
        '   7: LI rd=r3 imm=2',
        '   8: ACC acc=0 rn=r1 rw=r2 ra=r3 n=3 len=1 wmode=0 wq=1 ap=1',
        '   9: INTEG rn=r1 n=3 b=1',
        '  10: HALT',
      ].join('\n'),
    );
    const c = st.emit;
    expect(c.cores.map((x) => x.core)).toEqual([0]);
    expect(c.cores[0]!.routes).toEqual([[{ core: 0, base: 2, flags: 0, bitOffset: 0 }]]);
    // Input map: elements 0..99 at bits 0..99 of words 0..1.
    expect(c.inputMap).toHaveLength(1);
    expect(c.inputMap[0]!.axonBase).toBe(0);
    expect(Array.from(c.inputMap[0]!.elements)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(c.inputMap[0]!.bits)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // Output map: spikes of h0 at neurons 0..19, membrane of out at 20..22.
    expect(c.outputMap.readout).toBe(1);
    expect(c.outputMap.probes.map((p) => [p.layer, p.kind, p.entries.map((e) => [e.core, e.neuronBase, e.count])])).toEqual([
      ['h0', 'spikes', [[0, 0, 20]]],
      ['out', 'membrane', [[0, 20, 3]]],
    ]);
    // Synapse image: row j of h0 = 2 words; bit i of word i>>6 is (w[j][i] == +1).
    const img = c.cores[0]!.synapses;
    expect(img.length).toBe(2 * (20 * 2 + 3 * 1));
    const w = (m.layers[0]!.synapses[0]!.op as { weights: { values: Int32Array } }).weights.values;
    for (const [j, i] of [[0, 0], [0, 63], [0, 64], [7, 99], [19, 31], [19, 32]] as const) {
      const word = j * 2 + (i >> 6);
      const bit = (img[2 * word + ((i >> 5) & 1)]! >>> (i & 31)) & 1;
      expect(bit, `w[${j}][${i}]`).toBe(w[j * 100 + i] === 1 ? 1 : 0);
    }
    // Padding bits beyond the 100 inputs stay zero.
    expect(img[2 * 1 + 1]! >>> 4).toBe(0);
    // The same program in the project's assembly language (isa/disasm.ts), and it survives the
    // round trip through the assembler.
    const asm = disassemble(c);
    expect(asm.slice(asm.indexOf('.core 0\n'), asm.indexOf('.synapses'))).toBe(
      [
        '.core 0',
        '    INPUT',
        '    ACC acc=0, rn=r0, rw=r0, ra=r0, n=20, len=2, wmode=0, wq=1, ap=1',
        '    FIRE r0, 20, 1',
        '    SEND rn=r0, n=20, route=0, g=64, cw=1',
        '    SYNC',
        '    LI r1, 20',
        '    LI r2, 40',
        '    LI r3, 2',
        '    ACC acc=0, rn=r1, rw=r2, ra=r3, n=3, len=1, wmode=0, wq=1, ap=1',
        '    INTEG r1, 3, 1',
        '    HALT',
        '',
      ].join('\n'),
    );
    const again = assemble(asm, 'roundtrip.s');
    expect(again.cores[0]!.program).toEqual(c.cores[0]!.program);
  });
});

describe('partition', () => {
  it('cuts a flat layer into equal chunks by neurons', () => {
    const r = rng(2);
    const chip = parseChipConfig({ neuronsPerCore: 32 });
    const m: IntModel = {
      ...mlp2(),
      layers: [layer(r, 'h0', 'if', [100], [dense(r, 'in', 100, 100, false)]), layer(r, 'out', 'readout', [3], [dense(r, 'h0', 100, 3, false)])],
    };
    const st = compileStages(m, chip, PACK);
    expect(st.partition.tasks.filter((t) => t.layer === 'h0').map((t) => [t.u0, t.u1])).toEqual([
      [0, 25],
      [25, 50],
      [50, 75],
      [75, 100],
    ]);
  });

  it('cuts a conv layer by output rows and holds the input rows each chunk reads', () => {
    const r = rng(3);
    const chip = parseChipConfig({ neuronsPerCore: 64 });
    const m: IntModel = {
      name: 'c',
      timesteps: 1,
      input: { name: 'in', shape: [2, 8, 8], encoding: BIN },
      membraneBits: 16,
      layers: [layer(r, 'c0', 'if', [4, 8, 8], [conv(r, 'in', [2, 8, 8], 4, 3, 1, 1, false)]), layer(r, 'out', 'readout', [2], [dense(r, 'c0', 256, 2, false)])],
      readout: 'out',
    };
    const st = compileStages(m, chip, PACK);
    const tasks = st.partition.tasks.filter((t) => t.layer === 'c0');
    expect(tasks.map((t) => [t.u0, t.u1, t.parts[0]!.lo, t.parts[0]!.hi])).toEqual([
      [0, 2, 0, 3],
      [2, 4, 1, 5],
      [4, 6, 3, 7],
      [6, 8, 5, 8],
    ]);
    // Stride 2: the held rows start at a multiple of the stride so ACCW's relative row is exact.
    const s2 = st.lower.layers[0]!.synapses[0]!;
    const strided = { ...s2, op: { ...(s2.op as object), stride: [2, 2], padding: [1, 1], kernel: [3, 3], inShape: [2, 9, 9] } } as typeof s2;
    expect(convRows(strided, 1, 2)).toEqual([0, 4]);
    expect(convRows(strided, 2, 4)).toEqual([2, 8]);
  });

  it('splits a dense layer by fan-in into owner + helpers that PSUM to the owner', () => {
    const r = rng(4);
    const chip = parseChipConfig({ meshX: 4, meshY: 4, neuronsPerCore: 16, axonLines: 2, synapseSramBytes: 8 * 8 });
    const m: IntModel = {
      name: 'f',
      timesteps: 2,
      input: { name: 'in', shape: [300], encoding: BIN },
      membraneBits: 16,
      layers: [layer(r, 'h', 'if', [4], [dense(r, 'in', 300, 4, false)]), layer(r, 'out', 'readout', [2], [dense(r, 'h', 4, 2, false)])],
      readout: 'out',
    };
    const st = compileStages(m, chip, PACK);
    const h = st.partition.tasks.filter((t) => t.layer === 'h');
    expect(h.map((t) => [t.role, t.parts[0]!.lo, t.parts[0]!.hi])).toEqual([
      ['owner', 0, 64],
      ['helper', 64, 128],
      ['helper', 128, 192],
      ['helper', 192, 256],
      ['helper', 256, 300],
    ]);
    const owner = st.place.placed[h[0]!.id]!;
    for (const t of h.slice(1)) {
      const ps = st.route.psums[t.id]!;
      expect(ps).toHaveLength(1);
      const core = st.place.placed[t.id]!.core;
      expect(core).not.toBe(owner.core);
      expect(st.route.routes[core]![ps[0]!.route]).toEqual([{ core: owner.core, base: owner.neuronBase, flags: 0, bitOffset: 0 }]);
    }
    // Two phases for the split depth: accumulate + PSUM, then FIRE.
    expect(st.codegen.phases.map((p) => p.stage)).toEqual(['acc', 'fire', 'all']);
  });

  it('splits a readout reading a [C,H,W] layer by source rows (position-major slices) and runs bit-exact', () => {
    const r = rng(11);
    const chip = parseChipConfig({ neuronsPerCore: 32, axonLines: 24, synapseSramBytes: 8 * 64 });
    const m: IntModel = {
      name: 'fr',
      timesteps: 3,
      input: { name: 'in', shape: [2, 6, 6], encoding: BIN },
      membraneBits: 16,
      layers: [layer(r, 'c0', 'if', [4, 6, 6], [conv(r, 'in', [2, 6, 6], 4, 3, 1, 1, false)]), layer(r, 'out', 'readout', [5], [dense(r, 'c0', 144, 5, false)])],
      readout: 'out',
    };
    const st = compileStages(m, chip, PACK);
    const out = st.partition.tasks.filter((t) => t.layer === 'out');
    expect(out.map((t) => [t.role, t.parts[0]!.lo, t.parts[0]!.hi])).toEqual([
      ['owner', 0, 2],
      ['helper', 2, 4],
      ['helper', 4, 6],
    ]);
    const ownerCore = st.place.placed[out[0]!.id]!.core;
    expect(st.codegen.programs[ownerCore]!.some((i) => i.op === 'INTEG')).toBe(true);
    for (let seed = 0; seed < 3; seed++) expectSimEqualsRef(m, chip, new Float32Array(72).map((_, i) => ((i * 5 + seed * 3) % 7) / 6), true, 'pack');
  });

  it('splits a conv layer by kernel rows when its input rows do not fit the axon buffer, and runs bit-exact', () => {
    const r = rng(13);
    const chip = parseChipConfig({ meshX: 8, meshY: 8, neuronsPerCore: 64, axonLines: 16 });
    const mk = (H: number, s: number): IntModel => {
      const oh = Math.floor((H + 2 - 3) / s) + 1;
      return {
        name: 'cf',
        timesteps: 2,
        input: { name: 'in', shape: [2, H, 6], encoding: BIN },
        membraneBits: 16,
        layers: [
          layer(r, 'c0', 'if', [4, oh, Math.floor((6 + 2 - 3) / s) + 1], [conv(r, 'in', [2, H, 6], 4, 3, s, 1, false)]),
          layer(r, 'out', 'readout', [3], [dense(r, 'c0', 4 * oh * (Math.floor((6 + 2 - 3) / s) + 1), 3, false)]),
        ],
        readout: 'out',
      };
    };
    const m = mk(6, 1);
    const st = compileStages(m, chip, PACK);
    const c0 = st.partition.tasks.filter((t) => t.layer === 'c0');
    expect(c0.filter((t) => t.u0 === 0).map((t) => [t.role, t.u1, t.parts[0]!.k0, t.parts[0]!.k1, t.parts[0]!.lo, t.parts[0]!.hi])).toEqual([
      ['owner', 2, 0, 1, -1, 1],
      ['helper', 2, 1, 2, 0, 2],
      ['helper', 2, 2, 3, 1, 3],
    ]);
    // Each slice stores one kernel row per output channel: 4 channels x 3 columns x 1 word.
    expect(c0.every((t) => t.sramWords === 12)).toBe(true);
    for (const mm of [m, mk(7, 2)]) {
      for (let seed = 0; seed < 3; seed++) {
        const n = mm.input.shape.reduce((a, b) => a * b, 1);
        expectSimEqualsRef(mm, chip, new Float32Array(n).map((_, i) => ((i * 3 + seed * 5) % 7) / 6), true, 'pack');
      }
    }
  });

  it('PSUM of an acc1 synapse flags ROUTE_PSUM_ACC1', () => {
    const r = rng(5);
    const chip = parseChipConfig({ meshX: 4, meshY: 4, neuronsPerCore: 16, axonLines: 2, synapseSramBytes: 8 * 8 });
    const m: IntModel = {
      name: 'f1',
      timesteps: 1,
      input: { name: 'in', shape: [200], encoding: BIN },
      membraneBits: 16,
      layers: [layer(r, 'h', 'if', [2], [dense(r, 'in', 200, 2, false, 1)]), layer(r, 'out', 'readout', [2], [dense(r, 'h', 2, 2, false)])],
      readout: 'out',
    };
    const st = compileStages(m, chip, PACK);
    const helper = st.partition.tasks.find((t) => t.role === 'helper')!;
    const ps = st.route.psums[helper.id]![0]!;
    expect(ps.acc).toBe(1);
    expect(st.route.routes[st.place.placed[helper.id]!.core]![ps.route]![0]!.flags).toBe(ROUTE_PSUM_ACC1);
  });
});

describe('place and route', () => {
  it('visits cores in snake order', () => {
    expect(snakeOrder(parseChipConfig({ meshX: 3, meshY: 2 }))).toEqual([0, 1, 2, 5, 4, 3]);
    expect(snakeOrder(parseChipConfig({ meshX: 2, meshY: 3 }))).toEqual([0, 1, 3, 2, 4, 5]);
  });

  it('a chain of layers lands on consecutive snake cores: every spike route is one hop', () => {
    const r = rng(12);
    const chip = parseChipConfig({ meshX: 3, meshY: 3, neuronsPerCore: 64 });
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const m: IntModel = {
      name: 'chain',
      timesteps: 1,
      input: { name: 'in', shape: [64], encoding: BIN },
      membraneBits: 16,
      layers: [...names.map((n, i) => layer(r, n, 'if', [64], [dense(r, i ? names[i - 1]! : 'in', 64, 64, false)])), layer(r, 'out', 'readout', [4], [dense(r, 'f', 64, 4, false)])],
      readout: 'out',
    };
    const { report } = compileModel(m, chip, PACK);
    expect(report.cores.map((c) => [c.core, c.layers.join()])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [5, 'd'],
      [4, 'e'],
      [3, 'f'],
      [6, 'out'],
    ]);
    expect(report.routes).toEqual({ destinations: 6, totalHops: 6, maxHops: 1, meanHops: 1 });
  });

  it('one SEND multicasts to every core reading the same range; recurrent edges go to the next bank', () => {
    const r = rng(6);
    const chip = parseChipConfig({ meshX: 3, meshY: 2, neuronsPerCore: 64 });
    const h1 = layer(r, 'h1', 'if', [64], [dense(r, 'h0', 64, 64, false), dense(r, 'h1', 64, 64, false, 1, true)]);
    const m: IntModel = {
      name: 'mc',
      timesteps: 3,
      input: { name: 'in', shape: [64], encoding: BIN },
      membraneBits: 16,
      layers: [
        layer(r, 'h0', 'if', [64], [dense(r, 'in', 64, 64, false)]),
        h1,
        layer(r, 'h2', 'if', [64], [dense(r, 'h0', 64, 64, false)]),
        layer(r, 'out', 'readout', [2], [dense(r, 'h1', 64, 2, false), dense(r, 'h2', 64, 2, false)]),
      ],
      readout: 'out',
    };
    const st = compileStages(m, chip, PACK);
    expect(st.place.cores.map((c) => [c.core, c.tasks.map((t) => st.partition.tasks[t]!.layer)])).toEqual([
      [0, ['h0']],
      [1, ['h1']],
      [2, ['h2']],
      [5, ['out']],
    ]);
    // h0 on core 0: one routing list with both readers.
    expect(st.route.routes[0]).toEqual([
      [
        { core: 1, base: 0, flags: 0, bitOffset: 0 },
        { core: 2, base: 0, flags: 0, bitOffset: 0 },
      ],
    ]);
    expect(st.place.cores.find((c) => c.core === 1)!.regions.map((x) => [x.source, x.recurrent, x.base])).toEqual([
      ['h0', false, 0],
      ['h1', true, 1],
    ]);
    expect(st.codegen.programs[0]!.filter((i) => i.op === 'SEND')).toHaveLength(1);
    // h1 on core 1 feeds itself through the next-step bank and the readout on core 5.
    const lists = st.route.routes[1]!.flat();
    expect(lists).toContainEqual({ core: 1, base: 1, flags: ROUTE_NEXT_STEP, bitOffset: 0 });
    expect(lists.filter((d) => d.core === 5)).toEqual([{ core: 5, base: 0, flags: 0, bitOffset: 0 }]);
  });

  it('dense chunks not aligned to 64 send with a bit offset', () => {
    const r = rng(7);
    const chip = parseChipConfig({ meshX: 4, meshY: 4, neuronsPerCore: 40 });
    const m: IntModel = {
      ...mlp2(),
      layers: [layer(r, 'h0', 'if', [100], [dense(r, 'in', 100, 100, false)]), layer(r, 'out', 'readout', [3], [dense(r, 'h0', 100, 3, false)])],
    };
    const st = compileStages(m, chip, PACK);
    const chunks = st.partition.tasks.filter((t) => t.layer === 'h0').map((t) => [t.u0, t.u1]);
    expect(chunks).toEqual([
      [0, 34],
      [34, 67],
      [67, 100],
    ]);
    const outCore = st.place.placed[st.partition.tasks.find((t) => t.layer === 'out')!.id]!.core;
    const dests = Object.values(st.route.routes)
      .flat(2)
      .filter((d) => d.core === outCore)
      .map((d) => [d.base, d.bitOffset]);
    const base = st.place.cores.find((c) => c.core === outCore)!.regions.find((x) => x.source === 'h0')!.base;
    expect(dests.sort()).toEqual([
      [base, 0],
      [base, 34],
      [base + 1, 3],
    ].sort());
  });
});

describe('channel groups', () => {
  it('cuts a conv layer whose row does not fit by output channels (multiples of 64 under an identity shortcut) and runs bit-exact', () => {
    const r = rng(10);
    const m: IntModel = {
      name: 'cg',
      timesteps: 2,
      input: { name: 'in', shape: [3, 4, 4], encoding: BIN },
      membraneBits: 16,
      layers: [
        layer(r, 'a', 'if', [130, 4, 4], [conv(r, 'in', [3, 4, 4], 130, 3, 1, 1, false)]),
        layer(r, 'b', 'if', [130, 4, 4], [conv(r, 'a', [130, 4, 4], 130, 3, 1, 1, false), { source: 'a', recurrent: false, acc: 1, op: { kind: 'identity' } }]),
        layer(r, 'c', 'if', [5, 4, 4], [conv(r, 'b', [130, 4, 4], 5, 1, 1, 0, false)]),
        layer(r, 'out', 'readout', [3], [dense(r, 'c', 80, 3, false)]),
      ],
      readout: 'out',
    };
    const chip = parseChipConfig({ neuronsPerCore: 300 });
    const st = compileStages(m, chip, PACK);
    const groups = (name: string): number[][] => [...new Set(st.partition.tasks.filter((t) => t.layer === name).map((t) => `${t.c0},${t.c1}`))].map((x) => x.split(',').map(Number));
    expect(groups('a')).toEqual([
      [0, 65],
      [65, 130],
    ]);
    expect(groups('b')).toEqual([
      [0, 64],
      [64, 128],
      [128, 130],
    ]);
    expect(groups('c')).toEqual([[0, 5]]);
    // Kernels of a group only: 65 channels x 9 positions x 1 word (3 input channels).
    expect(st.partition.tasks.find((t) => t.layer === 'a')!.sramWords).toBe(65 * 9);
    for (let seed = 0; seed < 3; seed++) {
      const x = new Float32Array(48).map((_, i) => ((i * 7 + seed * 13) % 5) / 4);
      expectSimEqualsRef(m, chip, x, true, 'pack');
    }
  });
});

describe('channel-shifted shortcut regions', () => {
  it('identity shortcuts between channel groups not on word boundaries read channel-shifted regions, bit-exact', () => {
    const r = rng(14);
    const id = (src: string) => ({ source: src, recurrent: false, acc: 1 as const, op: { kind: 'identity' as const } });
    const m: IntModel = {
      name: 'rs',
      timesteps: 3,
      input: { name: 'in', shape: [3, 4, 4], encoding: BIN },
      membraneBits: 16,
      layers: [
        layer(r, 'a', 'if', [20, 4, 4], [conv(r, 'in', [3, 4, 4], 20, 3, 1, 1, false)]),
        layer(r, 'b', 'if', [20, 4, 4], [conv(r, 'a', [20, 4, 4], 20, 3, 1, 1, false), id('a')]),
        layer(r, 'c', 'if', [20, 4, 4], [conv(r, 'b', [20, 4, 4], 20, 3, 1, 1, false), id('b')]),
        layer(r, 'out', 'readout', [3], [dense(r, 'c', 320, 3, false)]),
      ],
      readout: 'out',
    };
    const chip = parseChipConfig({ meshX: 8, meshY: 8, neuronsPerCore: 40 });
    const st = compileStages(m, chip, PACK);
    for (const name of ['a', 'b', 'c']) {
      expect([...new Set(st.partition.tasks.filter((t) => t.layer === name).map((t) => `${t.c0}-${t.c1}`))]).toEqual(['0-10', '10-20']);
    }
    const shifted = st.place.cores.flatMap((c) => c.regions.filter((x) => x.ch));
    expect(shifted.length).toBeGreaterThan(0);
    expect(shifted.every((x) => x.ch![0] === 10 && x.ch![1] === 20 && x.cw === 1)).toBe(true);
    for (let seed = 0; seed < 3; seed++) expectSimEqualsRef(m, chip, new Float32Array(48).map((_, i) => ((i * 5 + seed * 7) % 9) / 8), true, 'pack');
  });
});

describe('conv weights are stored once', () => {
  it('synapse words of a conv layer = cout x kh x kw x ceil(C/64) x wq, per chunk, not per output position', () => {
    const r = rng(8);
    const m: IntModel = {
      name: 'cv',
      timesteps: 1,
      input: { name: 'in', shape: [70, 12, 12], encoding: BIN },
      membraneBits: 16,
      layers: [
        layer(r, 'c0', 'if', [8, 12, 12], [conv(r, 'in', [70, 12, 12], 8, 3, 1, 1, false)]),
        layer(r, 'out', 'readout', [2], [dense(r, 'c0', 8 * 144, 2, false)]),
      ],
      readout: 'out',
    };
    // 70 channels -> cw = 2 words per position (58 padding bits each).
    const kernelWords = 8 * 3 * 3 * 2;
    for (const chip of [DEFAULT_CHIP, parseChipConfig({ meshX: 8, meshY: 8, neuronsPerCore: 200 })]) {
      const st = compileStages(m, chip, PACK);
      const tasks = st.partition.tasks.filter((t) => t.layer === 'c0');
      for (const t of tasks) expect(t.sramWords).toBe(kernelWords);
      const { report } = compileModel(m, chip, PACK);
      expect(report.layers[0]!.synapseWords).toBe(kernelWords * tasks.length);
      expect(report.layers[0]!.weightBits).toBe(8 * 70 * 9);
    }
    // Multi-bit weights: wq planes per kernel.
    const m3: IntModel = { ...m, layers: [{ ...m.layers[0]!, synapses: [{ ...m.layers[0]!.synapses[0]!, op: { ...(m.layers[0]!.synapses[0]!.op as object), weights: weights(r, 8 * 70 * 9, 'sint', 3) } as never }] }, m.layers[1]!] };
    expect(compileStages(m3, DEFAULT_CHIP, PACK).partition.tasks[0]!.sramWords).toBe(kernelWords * 3);
  });
});

describe('validation and fit errors', () => {
  const bad = (m: IntModel, re: RegExp, chip = DEFAULT_CHIP): void => {
    expect(() => compileModel(m, chip, { file: 'model.bwsnn', strategy: 'pack' })).toThrowError(BwsnnError);
    expect(() => compileModel(m, chip, { file: 'model.bwsnn', strategy: 'pack' })).toThrowError(re);
  };
  it('refuses width mismatches and values that do not fit', () => {
    bad({ ...mlp2(), membraneBits: 12 }, /model.bwsnn: model was folded for membraneBits = 12 but chip "bw-core-4x4" has membraneBits = 16/);
    const m = mlp2();
    m.layers[0]!.theta[3] = 40000;
    bad(m, /model.bwsnn: layer h0: theta\[3\] = 40000 does not fit \[-32768, 32767\] \(chip field thresholdBits\)/);
    const m2 = mlp2();
    m2.layers[1]!.bias[0] = -200;
    bad(m2, /layer out: bias\[0\] = -200 does not fit \[-128, 127\] \(chip field biasBits\)/, parseChipConfig({ biasBits: 8 }));
  });
  it('refuses bad structure with the layer and synapse named', () => {
    const m = mlp2();
    (m.layers[1]!.synapses[0]!.op as { inFeatures: number }).inFeatures = 21;
    bad(m, /layer out: synapse 0 \(from h0\): dense inFeatures = 21 but the source has 20 elements/);
    const m2 = mlp2();
    m2.layers[0]!.synapses[0]!.source = 'nope';
    bad(m2, /layer h0: synapse 0 \(from nope\): source nope does not exist/);
    const m3 = mlp2();
    m3.layers[0]!.synapses.push({ source: 'out', recurrent: true, acc: 0, op: { kind: 'dense', inFeatures: 3, outFeatures: 20, weights: weights(rng(1), 60, 'binary', 1) } });
    bad(m3, /a readout layer never fires and cannot be a source/);
    const m4 = mlp2();
    (m4.layers[0]!.synapses[0]!.op as { weights: { values: Int32Array } }).weights.values[5] = 0;
    bad(m4, /weights.values\[5\] = 0 is not a binary 1-bit weight/);
  });
  it('names the layer, what it needs and the chip field when a model does not fit', () => {
    const r = rng(9);
    const big: IntModel = { ...mlp2(), layers: [layer(r, 'h0', 'if', [2000], [dense(r, 'in', 100, 2000, false)]), layer(r, 'out', 'readout', [3], [dense(r, 'h0', 2000, 3, false)])] };
    bad(big, /layer h0: no core left .* chip "tiny" has .* neurons in 2 cores \(meshX x meshY = 2 x 1\); raise meshX\/meshY/, parseChipConfig({ name: 'tiny', meshX: 2, meshY: 1, neuronsPerCore: 512 }));
    const cv: IntModel = {
      name: 'cv',
      timesteps: 1,
      input: { name: 'in', shape: [3, 8, 8], encoding: BIN },
      membraneBits: 16,
      layers: [layer(r, 'conv3', 'if', [64, 8, 8], [conv(r, 'in', [3, 8, 8], 64, 3, 1, 1, false)]), layer(r, 'out', 'readout', [2], [dense(r, 'conv3', 4096, 2, false)])],
      readout: 'out',
    };
    bad(cv, /layer conv3: one output row of one channel with partial sums \(half a core per kernel row\) needs 8 neurons, a core has neuronsPerCore = 4/, parseChipConfig({ neuronsPerCore: 4 }));
    bad(cv, /layer conv3: one output row of one channel .* needs 48 bytes of synapses \(6 words\), a core has synapseSramBytes = 40/, parseChipConfig({ synapseSramBytes: 40 }));
    bad(mlp2(), /core 0 needs 11 instruction words, chip has instrMemWords = 8 \(raise instrMemWords\)/, parseChipConfig({ instrMemWords: 8 }));
  });
  it('fit errors are FitErrors; when spread and pack both fail, both reasons are reported', () => {
    const r = rng(9);
    const big: IntModel = { ...mlp2(), layers: [layer(r, 'h0', 'if', [2000], [dense(r, 'in', 100, 2000, false)]), layer(r, 'out', 'readout', [3], [dense(r, 'h0', 2000, 3, false)])] };
    const tiny = parseChipConfig({ name: 'tiny', meshX: 2, meshY: 1, neuronsPerCore: 512 });
    for (const strategy of ['pack', 'spread'] as const) expect(() => compileModel(big, tiny, { file: 'big.bwsnn', strategy })).toThrowError(FitError);
    let msg = '';
    try {
      compileModel(big, tiny, { file: 'big.bwsnn', strategy: 'spread' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^big\.bwsnn: layer h0: no core left .* \(strategy pack; strategy spread did not fit either: big\.bwsnn: .*\)$/);
    expect(msg).not.toContain('\n');
    // A model error is not a fit error: no fallback, no FitError.
    let err: unknown;
    try {
      compileModel({ ...mlp2(), membraneBits: 12 }, DEFAULT_CHIP, { strategy: 'spread' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BwsnnError);
    expect(err).not.toBeInstanceOf(FitError);
  });
});

describe('spread strategy', () => {
  it('cuts every layer into word-aligned parts over all cores, one part per core and phase', () => {
    const r = rng(5);
    const m: IntModel = {
      name: 'spread-mlp',
      timesteps: 2,
      input: { name: 'in', shape: [784], encoding: BIN },
      membraneBits: 16,
      layers: [
        layer(r, 'h1', 'if', [512], [dense(r, 'in', 784, 512, false)]),
        layer(r, 'h2', 'if', [200], [dense(r, 'h1', 512, 200, false)]),
        layer(r, 'out', 'readout', [10], [dense(r, 'h2', 200, 10, false)]),
      ],
      readout: 'out',
    };
    const st = compileStages(m, DEFAULT_CHIP, { strategy: 'spread' });
    expect(st.strategy).toBe('spread');
    const ranges = (name: string) => st.partition.tasks.filter((t) => t.layer === name).map((t) => [t.u0, t.u1]);
    // Parts: min(16 cores, popcount words / (4 words per cycle x SPREAD_MIN_CYCLES = 32)).
    // h1: 512 x 13 words = 6656 -> 16 parts of 32. h2: 200 x 8 = 1600 -> 12 parts -> ceil(200/12) = 17
    // -> 32 (a multiple of 64 or a power of two) -> 7 parts. out: 10 x 4 = 40 -> one part.
    expect(ranges('h1')).toEqual(Array.from({ length: 16 }, (_, i) => [32 * i, 32 * i + 32]));
    expect(ranges('h2')).toEqual(Array.from({ length: 7 }, (_, i) => [32 * i, Math.min(200, 32 * i + 32)]));
    expect(ranges('out')).toEqual([[0, 10]]);
    expect(st.place.cores.length).toBe(16);
    for (const name of ['h1', 'h2', 'out']) {
      const cores = st.partition.tasks.filter((t) => t.layer === name).map((t) => st.place.placed[t.id]!.core);
      expect(new Set(cores).size, name).toBe(cores.length);
    }
    for (let seed = 0; seed < 3; seed++) expectSimEqualsRef(m, DEFAULT_CHIP, new Float32Array(784).map((_, i) => ((i * 7 + seed * 3) % 5) / 4));
  });

  it('cuts a conv layer with fewer rows than cores into channel groups too', () => {
    const r = rng(6);
    const m: IntModel = {
      name: 'spread-conv',
      timesteps: 2,
      input: { name: 'in', shape: [2, 6, 6], encoding: BIN },
      membraneBits: 16,
      layers: [
        layer(r, 'c1', 'if', [8, 6, 6], [conv(r, 'in', [2, 6, 6], 8, 3, 1, 1, false)]),
        layer(r, 'c2', 'if', [8, 6, 6], [conv(r, 'c1', [8, 6, 6], 8, 3, 1, 1, false), { source: 'c1', recurrent: false, acc: 1, op: { kind: 'identity' } }]),
        layer(r, 'out', 'readout', [4], [dense(r, 'c2', 288, 4, false)]),
      ],
      readout: 'out',
    };
    const st = compileStages(m, DEFAULT_CHIP, { strategy: 'spread' });
    const c1 = st.partition.tasks.filter((t) => t.layer === 'c1');
    // 6 rows < 16 cores: floor(16 / 6) = 2 groups of 4 channels, 6 one-row chunks each.
    expect(c1.map((t) => [t.c0, t.c1, t.u0, t.u1])).toEqual([0, 4].flatMap((c) => Array.from({ length: 6 }, (_, y) => [c, c + 4, y, y + 1])));
    expect(st.partition.tasks.filter((t) => t.layer === 'c2').length).toBe(12);
    for (let seed = 0; seed < 3; seed++) expectSimEqualsRef(m, DEFAULT_CHIP, new Float32Array(72).map((_, i) => ((i * 5 + seed * 3) % 7) / 6));
  });

  it('falls back to pack when the spread does not fit, and lowers the simulated cycles per step when it does', () => {
    const r = rng(7);
    const m: IntModel = {
      name: 'spread-cycles',
      timesteps: 2,
      input: { name: 'in', shape: [256], encoding: BIN },
      membraneBits: 16,
      layers: [
        layer(r, 'h', 'if', [256], [dense(r, 'in', 256, 256, false)]),
        layer(r, 'h2', 'if', [256], [dense(r, 'h', 256, 256, false)]),
        layer(r, 'out', 'readout', [4], [dense(r, 'h2', 256, 4, false)]),
      ],
      readout: 'out',
    };
    const x = new Float32Array(256).fill(1);
    const spread = expectSimEqualsRef(m, DEFAULT_CHIP, x, true, 'spread').cycles;
    const pack = expectSimEqualsRef(m, DEFAULT_CHIP, x, true, 'pack').cycles;
    expect(spread).toBeLessThan(pack);
    // Two routing entries per core cannot hold h's multicast to both halves of h2 and h2's list to out:
    // packed onto one core instead (one list for h, one for h2), with a note.
    const small = parseChipConfig({ name: 'two-routes', meshX: 2, meshY: 1, routeEntries: 2 });
    const { report } = compileModel(m, small);
    expect(report.strategy).toBe('pack');
    expect(report.notes.join()).toMatch(/^strategy spread did not fit this chip: packed instead \(.*routing/);
  });
});

describe('spread strategy on wide layers', () => {
  it('cuts channel groups of whole words (64 channels) when a layer has 64 or more, bit-exact', () => {
    const r = rng(8);
    const m: IntModel = {
      name: 'spread-wide',
      timesteps: 2,
      input: { name: 'in', shape: [3, 4, 4], encoding: BIN },
      membraneBits: 16,
      layers: [
        layer(r, 'c1', 'if', [128, 2, 2], [conv(r, 'in', [3, 4, 4], 128, 3, 2, 1, false)]),
        layer(r, 'c2', 'if', [128, 2, 2], [conv(r, 'c1', [128, 2, 2], 128, 3, 1, 1, false), { source: 'c1', recurrent: false, acc: 1, op: { kind: 'identity' } }]),
        layer(r, 'out', 'readout', [3], [dense(r, 'c2', 512, 3, false)]),
      ],
      readout: 'out',
    };
    for (const l of m.layers) l.theta.forEach((t, i) => (l.theta[i] = Math.max(1, Math.round(t / 4))));
    const st = compileStages(m, DEFAULT_CHIP, { strategy: 'spread' });
    expect(st.strategy).toBe('spread');
    // 2 rows < 16 cores: min(128 / 64, floor(16 / 2)) = 2 groups of 64 channels, 2 one-row chunks each.
    for (const name of ['c1', 'c2']) {
      expect(st.partition.tasks.filter((t) => t.layer === name).map((t) => [t.c0, t.c1, t.u0, t.u1])).toEqual([
        [0, 64, 0, 1], [0, 64, 1, 2], [64, 128, 0, 1], [64, 128, 1, 2],
      ]);
    }
    // Depths start where the previous depth ended: c1 on cores 0..3 of the snake, c2 on 4..7.
    const order = snakeOrder(DEFAULT_CHIP);
    expect(st.partition.tasks.filter((t) => t.layer === 'c2').map((t) => st.place.placed[t.id]!.core)).toEqual(order.slice(4, 8));
    for (let seed = 0; seed < 3; seed++) expectSimEqualsRef(m, DEFAULT_CHIP, new Float32Array(48).map((_, i) => ((i * 5 + seed * 3) % 7) / 6));
  });
});
