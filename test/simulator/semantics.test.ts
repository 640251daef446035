/** Exact spike trains and membranes of tiny hand-built networks, computed by hand (models/intmodel.ts semantics). */
import { describe, expect, it } from 'vitest';
import { NEURON_HARD_RESET, NEURON_NO_MEMORY, ROUTE_NEXT_STEP, ROUTE_PSUM_ACC1 } from '../../isa/container-types.js';
import { simulateSync } from '../../simulator/simulate.js';
import { block, container, I, neurons, probe } from './build.js';

describe('neuron dynamics: identity synapses, recurrence, soft/hard reset, leak, saturation, no memory', () => {
  // One core, T = 3, six neurons, input all ones (word 0 bits 0..5).
  // acc0 += input (ACCS from word 0), acc1 += own spikes of the previous step (SEND to word 1 of
  // the next bank, ACCS from word 1).
  //  n0 soft reset, theta 2, g1 = 1:   v 1 | 1+1 = 2 fire -> 0 | 0+1+1 = 2 fire -> 0   spikes 0 1 1
  //  n1 hard reset to -1, theta 1, g0 3: 3 fire -> -1 | 2 fire -> -1 | 2 fire -> -1      spikes 1 1 1
  //  n2 leak 1, g0 10, bias 1:   11 | 11 - 5 + 11 = 17 | 17 - 8 + 11 = 20                no spikes
  //  n3 g0 30000, theta 32767:   30000 | sat(60000) = 32767 fire -> 0 | 30000          spikes 0 1 0
  //  n4 leak 2, g0 -5:           -5 | -5 - floor(-5/4) - 5 = -8 | -8 + 2 - 5 = -11      no spikes
  //  n5 no memory, theta 2:      1 | 1 | 1 (v restarts from 0 every step)              no spikes
  const c = container({
    timesteps: 3,
    inputShape: [6],
    cores: [
      {
        core: 0,
        program: [
          I('LI', { rd: 1, imm: 1 }),
          I('INPUT'),
          I('ACCS', { acc: 1, rn: 0, ra: 1, n: 6, g: 6, cw: 1 }),
          I('ACCS', { acc: 0, rn: 0, ra: 0, n: 6, g: 6, cw: 1 }),
          I('FIRE', { rn: 0, n: 6, b: 1 }),
          I('SEND', { rn: 0, n: 6, route: 0, g: 6, cw: 1 }),
          I('HALT'),
        ],
        neurons: neurons(6, {
          theta: [2, 1, 100, 32767, 100, 2],
          g0: [1, 3, 10, 30000, -5, 1],
          g1: [1, 0, 0, 0, 0, 0],
          bias: [0, 0, 1, 0, 0, 0],
          vreset: [0, -1, 0, 0, 0, 0],
          leak: [0, 0, 1, 0, 2, 0],
          flags: [0, NEURON_HARD_RESET, 0, 0, 0, NEURON_NO_MEMORY],
        }),
        routes: [[{ core: 0, base: 1, flags: ROUTE_NEXT_STEP, bitOffset: 0 }]],
      },
    ],
    inputMap: [block(0, [0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5])],
    probes: [probe('l', 'spikes', 0, 6), probe('v', 'membrane', 0, 6)],
    readout: 1,
  });
  const r = simulateSync(c, { count: 1, data: new Float32Array(6).fill(1) }, { probes: true });
  const inf = r.inferences[0]!;
  it('gives the hand-computed spikes and membranes', () => {
    expect(Array.from(inf.spikes!.l!)).toEqual([0, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(inf.readout)).toEqual([0, -1, 20, 30000, -11, 1]);
    expect(inf.prediction).toBe(3);
  });
  it('reads identity synapses without synapse memory', () => {
    expect(inf.events.synapse_read_word).toBe(0);
    expect(inf.events.acc_update).toBe(3 * 12);
    expect(inf.events.spike).toBe(1 + 3 + 2);
  });
});

describe('window accumulate with padding and stride', () => {
  // Input 1 x 3 x 3 (one word per position, channel 0 = bit 0), ones at (0,0), (1,1), (2,2).
  // Kernel 2x2, stride 2, padding 1: output 2 x 2; weights (+1 -1 / -1 +1) -> bits 0b1001.
  // out(0,0) = w(1,1) x(0,0) = 1; out(0,1) = 0; out(1,0) = 0; out(1,1) = w(0,0) x(1,1) + w(1,1) x(2,2) = 2.
  // Words scanned (in range): 1 + 2 + 2 + 4 = 9; non-zero: 1 + 0 + 0 + 2 = 3.
  const kernel = [1, 0, 0, 0, 0, 0, 1, 0]; // 4 words (ky, kx) = (0,0) (0,1) (1,0) (1,1): +1 -1 -1 +1
  const c = container({
    timesteps: 1,
    inputShape: [1, 3, 3],
    cores: [
      {
        core: 0,
        program: [
          I('INPUT'),
          I('CFGW', { inh: 3, inw: 3, cw: 1, kh: 2, kw: 2, sh: 2, sw: 2, ph: 1, pw: 1 }),
          I('ACCW', { acc: 0, rn: 0, rw: 0, ra: 0, ry: 0, oh: 2, cout: 1, wmode: 0, wq: 1, ap: 1 }),
          I('FIRE', { rn: 0, n: 4, b: 0 }),
          I('HALT'),
        ],
        synapses: kernel,
        neurons: neurons(4, { theta: [1, 1, 1, 1] }),
      },
    ],
    inputMap: [block(0, [0, 1, 2, 3, 4, 5, 6, 7, 8], [0, 64, 128, 192, 256, 320, 384, 448, 512])],
    probes: [probe('conv', 'spikes', 0, 4), probe('v', 'membrane', 0, 4)],
    readout: 1,
  });
  const x = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const r = simulateSync(c, { count: 1, data: x }, { probes: true });
  const inf = r.inferences[0]!;
  it('gives the hand-computed sums', () => {
    expect(Array.from(inf.spikes!.conv!)).toEqual([1, 0, 0, 1]);
    expect(Array.from(inf.readout)).toEqual([0, 0, 0, 1]);
    expect(inf.events.axon_read_word).toBe(9);
    expect(inf.events.synapse_read_word).toBe(3);
    expect(inf.events.popcount_word).toBe(12);
    expect(inf.sops).toBe(3);
  });
});

describe('multibit input planes and multi-bit weights', () => {
  // multibit:2 input x = [3, 1, 2]: plane 0 = 0b011 (word 0), plane 1 = 0b101 (word 1).
  // Weight planes b0 = 0b101, b1 = 0b110. Unsigned (w = 1, 2, 3): 3 + 2 + 6 = 11.
  // Two's complement (w = 1, -2, -1): 3 - 2 - 2 = -1.
  const c = container({
    timesteps: 1,
    inputShape: [3],
    encoding: { kind: 'multibit', bits: 2 },
    cores: [
      {
        core: 0,
        program: [
          I('INPUT'),
          I('LI', { rd: 1, imm: 1 }),
          I('ACC', { acc: 0, rn: 0, rw: 0, ra: 0, n: 1, len: 1, wmode: 1, wq: 2, ap: 2 }),
          I('ACC', { acc: 0, rn: 1, rw: 0, ra: 0, n: 1, len: 1, wmode: 2, wq: 2, ap: 2 }),
          I('INTEG', { rn: 0, n: 2, b: 0 }),
          I('HALT'),
        ],
        synapses: [0b101, 0, 0b110, 0],
        neurons: neurons(2),
      },
    ],
    inputMap: [block(0, [0, 1, 2], [0, 1, 2], 0, 1)],
    probes: [probe('v', 'membrane', 0, 2)],
    readout: 0,
  });
  it('sums 2^p x planes with unsigned and two\'s-complement weights', () => {
    const r = simulateSync(c, { count: 1, data: Float32Array.of(3, 1, 2) });
    expect(Array.from(r.inferences[0]!.readout)).toEqual([11, -1]);
    // 2 input flits (one per plane), ops = n x wq x non-zero words = 1 x 2 x 2 per ACC.
    expect(r.inferences[0]!.events.flit_inject).toBe(2);
    expect(r.inferences[0]!.events.synapse_read_word).toBe(8);
  });
  it('refuses values the encoding cannot carry', () => {
    expect(() => simulateSync(c, { count: 1, data: Float32Array.of(4, 0, 0) })).toThrow(/multibit:2 takes integers 0\.\.3/);
    expect(() => simulateSync(c, { count: 1, data: Float32Array.of(1.5, 0, 0) })).toThrow(/value 0/);
    expect(() => simulateSync(c, { count: 2, data: Float32Array.of(1, 0, 0) })).toThrow(/expected 2 samples x 3/);
  });
});

describe('partial sums (PSUM) between cores', () => {
  // Core 0 accumulates the input [1, 0, 1] (identity) and PSUMs it to core 1's acc1 (flag), then
  // FIREs: its accumulators were cleared, so v stays 0. PSUM pairs (1, 0) and (1, -) = 2 flits.
  // Core 1 (after SYNC): v = 2 x acc1 = [2, 0, 2].
  const c = container({
    chip: { meshX: 2, meshY: 1 },
    timesteps: 1,
    inputShape: [3],
    cores: [
      {
        core: 0,
        program: [I('INPUT'), I('ACCS', { acc: 0, rn: 0, ra: 0, n: 3, g: 3, cw: 1 }), I('PSUM', { acc: 0, rn: 0, n: 3, route: 0 }), I('FIRE', { rn: 0, n: 3, b: 0 }), I('HALT')],
        neurons: neurons(3),
        routes: [[{ core: 1, base: 0, flags: ROUTE_PSUM_ACC1, bitOffset: 0 }]],
      },
      { core: 1, program: [I('SYNC'), I('INTEG', { rn: 0, n: 3, b: 0 }), I('HALT')], neurons: neurons(3, { g0: [0, 0, 0], g1: [2, 2, 2] }) },
    ],
    inputMap: [block(0, [0, 1, 2], [0, 1, 2])],
    probes: [probe('h', 'spikes', 0, 3), probe('v', 'membrane', 1, 3)],
    readout: 1,
  });
  it('adds the partial sums at the destination and clears them at the source', () => {
    const r = simulateSync(c, { count: 1, data: Float32Array.of(1, 0, 1) }, { probes: true });
    const inf = r.inferences[0]!;
    expect(Array.from(inf.readout)).toEqual([2, 0, 2]);
    expect(Array.from(inf.spikes!.h!)).toEqual([0, 0, 0]);
    expect(inf.events.flit_inject).toBe(1 + 2);
    expect(inf.events.acc_update).toBe(3 + 3);
  });
});

describe('explicit per-step spike trains', () => {
  // The recurrent-free identity network of one neuron, theta 2: input spikes 1, 0, 1, 1.
  const c = container({
    timesteps: 4,
    inputShape: [1],
    cores: [{ core: 0, program: [I('INPUT'), I('ACCS', { acc: 0, rn: 0, ra: 0, n: 1, g: 1, cw: 1 }), I('FIRE', { rn: 0, n: 1, b: 0 }), I('HALT')], neurons: neurons(1, { theta: [2] }) }],
    inputMap: [block(0, [0], [0])],
    probes: [probe('s', 'spikes', 0, 1), probe('v', 'membrane', 0, 1)],
    readout: 1,
  });
  it('injects each step\'s own spikes', () => {
    const r = simulateSync(c, { count: 1, steps: 4, data: Float32Array.of(1, 0, 1, 1) }, { probes: true });
    // v: 1, 1, 2 -> fire -> 0, 1
    expect(Array.from(r.inferences[0]!.spikes!.s!)).toEqual([0, 0, 1, 0]);
    expect(Array.from(r.inferences[0]!.readout)).toEqual([1]);
    expect(() => simulateSync(c, { count: 1, steps: 3, data: Float32Array.of(1, 0, 1) })).toThrow(/3 time steps/);
    expect(() => simulateSync(c, { count: 1, steps: 4, data: Float32Array.of(1, 0, 2, 1) })).toThrow(/spikes 0 or 1/);
  });
});

describe('runtime faults are BwsnnErrors naming the place', () => {
  const mk = (program: ReturnType<typeof I>[]) =>
    container({ timesteps: 1, inputShape: [1], cores: [{ core: 0, program, neurons: neurons(1) }], inputMap: [block(0, [0], [0])], probes: [probe('v', 'membrane', 0, 1)], readout: 0 });
  it('refuses a program that runs off its end, loops forever or reads outside memory', () => {
    expect(() => simulateSync(mk([I('NOP')]), { count: 1, data: Float32Array.of(0) }, { file: 'x.bwc' })).toThrow(/x\.bwc: core 0, time step 0, instruction 1: the program counter ran past/);
    expect(() => simulateSync(mk([I('JMP', { target: 0 })]), { count: 1, data: Float32Array.of(0) }, { maxStepCycles: 1000 })).toThrow(/exceeds 1000 cycles/);
    expect(() => simulateSync(mk([I('ACC', { acc: 0, rn: 0, rw: 0, ra: 0, n: 1, len: 1, wmode: 0, wq: 1, ap: 1 }), I('HALT')]), { count: 1, data: Float32Array.of(0) })).toThrow(/instruction 0 \(ACC\): ACC synapse words 0\.\.0 are outside/);
  });
  it('refuses a binary whose sections do not fit its chip', () => {
    const c = mk([I('HALT')]);
    c.cores[0]!.core = 99;
    expect(() => simulateSync(c, { count: 1, data: Float32Array.of(0) }, { file: 'bad.bwc' })).toThrow(/bad\.bwc: section .*core index 99/);
  });
});

describe('chip check', () => {
  it('refuses a binary built for another chip', async () => {
    const { tinyContainer } = await import('../isa/fixtures.js');
    const { DEFAULT_CHIP } = await import('../../isa/chip.js');
    const c = tinyContainer();
    expect(() => simulateSync(c, { count: 1, data: new Float32Array(4) }, { file: 't.bwc', chip: { ...DEFAULT_CHIP } })).toThrow(/t\.bwc: built for chip bw-core-4x4, not for the requested chip bw-core-4x4 \(meshX: 2 vs 4, meshY: 1 vs 4\)/);
    expect(simulateSync(c, { count: 1, data: new Float32Array(4) }, { chip: { ...c.chip } }).count).toBe(1);
  });
});

describe('recurrent partial sums (PSUM to a ROUTE_NEXT_STEP destination)', () => {
  // T = 2. Core 0 PSUMs the input [1, 0, 1] to core 1's acc1 marked next-step: nothing arrives
  // in step 0 (v = 0); at the start of step 1 the step-0 sums are added: v = 2 x [1, 0, 1].
  const c = container({
    chip: { meshX: 2, meshY: 1 },
    timesteps: 2,
    inputShape: [3],
    cores: [
      {
        core: 0,
        program: [I('INPUT'), I('ACCS', { acc: 0, rn: 0, ra: 0, n: 3, g: 3, cw: 1 }), I('PSUM', { acc: 0, rn: 0, n: 3, route: 0 }), I('HALT')],
        neurons: neurons(3),
        routes: [[{ core: 1, base: 0, flags: ROUTE_PSUM_ACC1 | ROUTE_NEXT_STEP, bitOffset: 0 }]],
      },
      { core: 1, program: [I('SYNC'), I('INTEG', { rn: 0, n: 3, b: 0 }), I('HALT')], neurons: neurons(3, { g0: [0, 0, 0], g1: [2, 2, 2] }) },
    ],
    inputMap: [block(0, [0, 1, 2], [0, 1, 2])],
    probes: [probe('v', 'membrane', 1, 3)],
    readout: 0,
  });
  it('adds them at the next step', () => {
    const one = simulateSync({ ...c, meta: { ...c.meta, timesteps: 1 } }, { count: 1, data: Float32Array.of(1, 0, 1) });
    expect(Array.from(one.inferences[0]!.readout)).toEqual([0, 0, 0]);
    const two = simulateSync(c, { count: 1, data: Float32Array.of(1, 0, 1) });
    expect(Array.from(two.inferences[0]!.readout)).toEqual([2, 0, 2]);
  });
});
