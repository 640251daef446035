/** Hand-computed cycle counts: every instruction, the barriers, the network and a congested link. */
import { describe, expect, it } from 'vitest';
import { barrierCycles, DEFAULT_CHIP } from '../../isa/chip.js';
import { Network, PORT_LOCAL, FLIT_AXON } from '../../simulator/network.js';
import { simulateSync } from '../../simulator/simulate.js';
import { block, container, I, neurons, probe } from './build.js';

// Barrier on the default 4x4 mesh: barrierLatency 32 + 2 x (3 + 3) x (routerLatency 2 + linkLatency 1) = 68.
describe('instruction cycle costs (default chip: pipelineDepth 3, 4 x 64-bit lanes, 4 neuron units, branchPenalty 1, barrier 68)', () => {
  const prog = [
    I('NOP'), // 1
    I('LI', { rd: 1, imm: 3 }), // 1
    I('ADDI', { rd: 2, rs: 1, imm: -1 }), // 1: r2 = 2
    I('ADD', { rd: 3, rs: 1, rt: 2 }), // 1
    I('BNZD', { rs: 2, target: 4 }), // taken (r2 = 1): 1 + 1, then not taken: 1
    I('JMP', { target: 6 }), // 1 + 1
    I('CFGW', { inh: 4, inw: 4, cw: 1, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 }), // 1
    I('INPUT'), // 1, no input flits: no wait
    I('ACC', { acc: 0, rn: 0, rw: 0, ra: 0, n: 10, len: 5, wmode: 0, wq: 1, ap: 1 }), // 3 + ceil(5*64/256) + 0 = 5
    I('ACCW', { acc: 0, rn: 0, rw: 0, ra: 0, ry: 0, oh: 4, cout: 2, wmode: 0, wq: 1, ap: 1 }), // 3 + ceil(100*64/256) = 28
    I('ACCS', { acc: 0, rn: 0, ra: 0, n: 100, g: 100, cw: 2 }), // 3 + ceil(100/4) = 28
    I('FIRE', { rn: 0, n: 10, b: 1 }), // 3 + ceil(10/4) = 6
    I('INTEG', { rn: 0, n: 5, b: 0 }), // 3 + ceil(5/4) = 5
    I('SEND', { rn: 0, n: 10, route: 0, g: 10, cw: 1 }), // 3 + ceil(10/256) + 0 flits = 4
    I('PSUM', { acc: 0, rn: 0, n: 10, route: 0 }), // 3 + ceil(10/8) + 0 flits = 5
    I('SYNC'), // 1 + wait: release = reach + 68
    I('HALT'), // 1 + wait: step end = reach + 68
  ];
  const c = container({
    timesteps: 1,
    inputShape: [1],
    cores: [{ core: 0, program: prog, synapses: new Array(2 * 50).fill(0xffffffff), neurons: neurons(100, { theta: new Array(100).fill(1000) }), routes: [[{ core: 0, base: 200, flags: 0, bitOffset: 0 }]] }],
    inputMap: [block(0, [0], [0], 300)],
    probes: [probe('out', 'membrane', 0, 1)],
    readout: 0,
  });
  const r = simulateSync(c, { count: 1, data: Float32Array.of(0) }, { trace: {} });
  const t = r.trace!;

  it('costs every instruction by its table formula', () => {
    const got = t.instr.name.map((n, i) => `${n}:${t.instr.dur[i]}`);
    expect(got).toEqual([
      'NOP:1', 'LI:1', 'ADDI:1', 'ADD:1', 'BNZD:2', 'BNZD:1', 'JMP:2', 'CFGW:1', 'INPUT:1', 'ACC:5', 'ACCW:28', 'ACCS:28',
      'FIRE:6', 'INTEG:5', 'SEND:4', 'PSUM:5', 'SYNC:1', 'HALT:1',
    ]);
    // Back to back: each instruction issues when the previous one ends, except after waits.
    expect(t.instr.start[0]).toBe(0);
    expect(t.instr.start[17]).toBe(93 + 68);
  });

  it('adds the barrier waits as stall and ends the step at the last reach + the barrier', () => {
    expect(r.cores[0]!.busy).toBe(94);
    expect(r.cores[0]!.stall).toBe(2 * 68);
    expect(r.inferences[0]!.cycles).toBe(94 + 2 * 68);
    // ACCW over a 4x4 input with a 3x3 kernel and padding 1 reads 4*4 + 8*6 + 4*9 = 100 in-range words.
    expect(r.inferences[0]!.events.axon_read_word).toBe(5 + 100 + 2);
  });
});

describe('the barrier grows with the mesh (diameter model)', () => {
  it('is barrierLatency + 2 x ((meshX - 1) + (meshY - 1)) x (routerLatency + linkLatency)', () => {
    expect(barrierCycles(DEFAULT_CHIP)).toBe(32 + 2 * 6 * 3);
    expect(barrierCycles({ ...DEFAULT_CHIP, meshX: 1, meshY: 1 })).toBe(32);
    expect(barrierCycles({ ...DEFAULT_CHIP, meshX: 2, meshY: 1 })).toBe(38);
    expect(barrierCycles({ ...DEFAULT_CHIP, meshX: 64, meshY: 64 })).toBe(788);
    expect(barrierCycles({ ...DEFAULT_CHIP, meshX: 64, meshY: 64, routerLatency: 0, linkLatency: 1, barrierLatency: 0 })).toBe(252);
  });
});

describe('network: XY routing, one flit per port per cycle, FCFS with input-port ties', () => {
  // Mesh 3x1. A0..A2 from core 0 (injected 10, 11, 12) and B0, B1 from core 1 (13, 14) all go to
  // core 2 through router 1's east port. Router 0: A leave at 12, 13, 14 and reach router 1 at
  // 13, 14, 15. Router 1 east port, FCFS by arrival, local port before the west input on ties:
  // 13: B0 -> 15, A0 -> 16; 14: B1 -> 17, A1 -> 18; 15: A2 -> 19. Router 2 (one link later):
  // 16, 17, 18, 19, 20; ejected routerLatency later: B0 18, A0 19, B1 20, A1 21, A2 22.
  it('delivers at the hand-computed cycles', () => {
    const net = new Network({ ...DEFAULT_CHIP, meshX: 3, meshY: 1 });
    net.reset();
    const ids: Record<string, number> = {};
    [10, 11, 12].forEach((t, k) => (ids[`A${k}`] = net.inject(t, 0, PORT_LOCAL, 0, k, 2, FLIT_AXON, 0, k, 1, 0, 0)));
    [13, 14].forEach((t, k) => (ids[`B${k}`] = net.inject(t, 1, PORT_LOCAL, 1, k, 2, FLIT_AXON, 0, k, 1, 0, 0)));
    const delivered: Record<number, number> = {};
    while (net.pending > 0) {
      const f = net.step();
      if (f >= 0) delivered[f] = net.time[f]!;
    }
    const at = Object.fromEntries(Object.entries(ids).map(([k, f]) => [k, delivered[f]]));
    expect(at).toEqual({ B0: 18, A0: 19, B1: 20, A1: 21, A2: 22 });
    expect(Array.from(net.hops)).toEqual([3, 5, 0]);
    expect(net.lastDelivery).toBe(22);
  });

  it('resolves deferred flits to the same hand-computed cycles (issue 17)', () => {
    const net = new Network({ ...DEFAULT_CHIP, meshX: 3, meshY: 1 });
    net.reset();
    net.startDeferring();
    const ids: Record<string, number> = {};
    [10, 11, 12].forEach((t, k) => (ids[`A${k}`] = net.inject(t, 0, PORT_LOCAL, 0, k, 2, FLIT_AXON, 0, k, 1, 0, 0)));
    [13, 14].forEach((t, k) => (ids[`B${k}`] = net.inject(t, 1, PORT_LOCAL, 1, k, 2, FLIT_AXON, 0, k, 1, 0, 0)));
    expect(net.pending).toBe(0);
    expect(net.resolve()).toBe(0);
    const at = Object.fromEntries(Object.entries(ids).map(([k, f]) => [k, net.time[f]]));
    expect(at).toEqual({ B0: 18, A0: 19, B1: 20, A1: 21, A2: 22 });
    expect(Array.from(net.hops)).toEqual([3, 5, 0]);
    expect(net.lastDelivery).toBe(22);
  });

  // End to end: core 0 fires 192 neurons (theta 0) and SENDs 3 words to core 2; core 1 fires 128
  // and SENDs 2 words to core 2. Core 0: FIRE 0..51 (3 + 48), SEND 51..58 (3 + 1 + 3), flits
  // injected at 55, 56, 57, HALT reached 59. Core 1: FIRE 0..35, SEND 35..41, flits at 38, 39.
  // B flits: router 1 east at 40, 41, router 2 at 41, 42, ejected 43, 44. A flits: router 0 east
  // at 57, 58, 59, router 1 at 58, 59, 60, east at 60, 61, 62, router 2 at 61, 62, 63, ejected 63,
  // 64, 65. Step end: max(59, 65 + 1) + 44 = 110 (3x1 mesh: barrier 32 + 2 x 2 x 3 = 44).
  it('injects SEND flits one per cycle at the end of the instruction', () => {
    const c = container({
      chip: { meshX: 3, meshY: 1 },
      timesteps: 1,
      inputShape: [1],
      cores: [
        { core: 0, program: [I('FIRE', { rn: 0, n: 192, b: 0 }), I('SEND', { rn: 0, n: 192, route: 0, g: 192, cw: 3 }), I('HALT')], neurons: neurons(192, { theta: new Array(192).fill(0) }), routes: [[{ core: 2, base: 0, flags: 0, bitOffset: 0 }]] },
        { core: 1, program: [I('FIRE', { rn: 0, n: 128, b: 0 }), I('SEND', { rn: 0, n: 128, route: 0, g: 128, cw: 2 }), I('HALT')], neurons: neurons(128, { theta: new Array(128).fill(0) }), routes: [[{ core: 2, base: 8, flags: 0, bitOffset: 0 }]] },
        { core: 2, program: [I('HALT')], neurons: neurons(1) },
      ],
      inputMap: [block(2, [0], [0], 100)],
      probes: [probe('out', 'membrane', 2, 1)],
      readout: 0,
    });
    const r = simulateSync(c, { count: 1, data: Float32Array.of(0) });
    expect(r.inferences[0]!.cycles).toBe(110);
    expect(r.inferences[0]!.events.flit_inject).toBe(5);
    expect(r.inferences[0]!.events.flit_hop).toBe(3 * 2 + 2);
    expect(r.inferences[0]!.events.axon_write_word).toBe(5);
  });
});
