/**
 * Hand-computed cycles, events and values of the dataflow instructions (issue 13): STEP, ACCE
 * (event rows, time-batched), ACCT, ACCST, FIRET, INTEGT, SENDT on the default chip
 * (pipelineDepth 3, 4 x 64-bit lanes = 256 bits/cycle, 4 neuron units, routerLatency 2,
 * barrierLatency 32: a barrier releases 32 + 2 x (3 + 3) x (2 + 1) = 68 cycles after the last arrival
 * on the 4x4 mesh), T = 2, one core.
 */
import { describe, expect, it } from 'vitest';
import { simulateSync } from '../../simulator/simulate.js';
import { block, container, I, neurons, probe } from './build.js';

describe('dataflow instructions: cycles, events and results by hand', () => {
  const syn = new Array(2 * 66).fill(0);
  syn[2 * 0] = 0b01; // ACCE row of source bit 0: neuron 0 +1, neuron 1 -1
  syn[2 * 2] = 0b11; // row of source bit 2: both +1
  syn[2 * 64] = 0b100; // ACCT row of neuron 0 (dense layout, rw = 64)
  syn[2 * 65] = 0b111; // row of neuron 1
  const prog = [
    I('INPUT'), // 0: 1 + wait for the host flit (ejected at 2): resumes at 3
    I('STEP', { rd: 1 }), // 3: 1
    I('ADDI', { rd: 1, rs: 1, imm: 1 }), // 4: 1
    I('BNZD', { rs: 1, target: 15 }), // 5: step 0 not taken: 1; step 1 taken: 1 + 1
    I('LI', { rd: 2, imm: 10 }), // 6
    I('LI', { rd: 3, imm: 2 }), // 7
    I('LI', { rd: 4, imm: 100 }), // 8
    I('LI', { rd: 5, imm: 64 }), // 9
    // 10: scan 1 word (rs = r0: the same word every slot), rows of bits 0 and 2 read once: ops 2;
    // spike events 2 bits x 2 slots, one row word each: uses 4; updates n 2 x 2 slots = 4:
    // 3 + ceil(64/256) + ceil(128/256) + ceil(256/256) = 6
    I('ACCE', { acc: 0, rn: 0, rw: 0, ra: 0, rs: 0, n: 2, len: 1, wmode: 0, wq: 1, ap: 1, tb: 1 }),
    // 16: scan 1, word non-zero in 2 slots: ops 2 rows x 1 word, uses 2 x 2 = 4, updates 2 x 2 slots
    // = 4: 3 + 1 + ceil(256/256) = 5
    I('ACCT', { acc: 1, rn: 0, rw: 5, ra: 0, rs: 0, n: 2, len: 1, wmode: 0, wq: 1, ap: 1 }),
    I('FIRET', { rn: 0, n: 2, b: 1 }), // 21: uses 4: 3 + ceil(4/4) = 4
    I('SENDT', { rn: 0, n: 2, route: 0, g: 2, cw: 1, rs: 2 }), // 25: 3 + ceil(4/256) + 1 flit = 5; the flit enters at 29, ejected at 31
    I('SYNC'), // 30: reached at 31; release max(31, 31 + 1) + 68 = 100
    I('ACCST', { acc: 0, rn: 3, ra: 4, rs: 2, n: 2, g: 64, cw: 1 }), // 100: scan 1 word x 2 slots, updates 4: 3 + ceil(4/4) = 4
    I('INTEGT', { rn: 3, n: 2, b: 0 }), // 104: 3 + ceil(4/4) = 4
    I('HALT'), // 108: reached at 109; step end max(109, 32) + 68 = 177
  ];
  const c = container({
    timesteps: 2,
    inputShape: [3],
    cores: [
      {
        core: 0,
        program: prog,
        synapses: syn,
        neurons: neurons(4, { theta: [3, 3, 1000, 1000], g1: [1, 1, 0, 0] }),
        routes: [[{ core: 0, base: 100, flags: 0, bitOffset: 0 }]],
      },
    ],
    inputMap: [block(0, [0, 1, 2], [0, 1, 2], 0)],
    probes: [
      { layer: 'h', kind: 'spikes', shape: [2], entries: [{ core: 0, neuronBase: 0, count: 2, index: Int32Array.of(0, 1) }] },
      probe('out', 'membrane', 0, 2),
    ],
    readout: 1,
  });
  c.outputMap.probes[1]!.entries[0]!.neuronBase = 2;
  const r = simulateSync(c, { count: 1, data: Float32Array.of(1, 0, 1) }, { trace: {}, probes: true });
  const t = r.trace!;
  const inf = r.inferences[0]!;

  it('costs every instruction by its table formula', () => {
    const got = t.instr.name.map((n, i) => `${n}:${t.instr.start[i]}+${t.instr.dur[i]}`);
    expect(got).toEqual([
      'INPUT:0+1', 'STEP:3+1', 'ADDI:4+1', 'BNZD:5+1', 'LI:6+1', 'LI:7+1', 'LI:8+1', 'LI:9+1', 'ACCE:10+6', 'ACCT:16+5', 'FIRET:21+4', 'SENDT:25+5',
      'SYNC:30+1', 'ACCST:100+4', 'INTEGT:104+4', 'HALT:108+1',
      // step 1 (starts at cycle 177): the program halts at once (reached at 8: 8 + 68 = 76)
      'INPUT:177+1', 'STEP:180+1', 'ADDI:181+1', 'BNZD:182+2', 'HALT:184+1',
    ]);
    expect(Array.from(inf.stepCycles as unknown as ArrayLike<number>)).toEqual([177, 76]);
    expect(inf.cycles).toBe(253);
    expect(r.cores[0]!.busy).toBe(38 + 6);
  });

  it('counts the events of the table', () => {
    const e = inf.events;
    expect(e.synapse_read_word).toBe(2 + 2);
    expect(e.acc_update).toBe(4 + 4 + 4);
    expect(e.axon_read_word).toBe(1 + 1 + 2);
    expect(e.popcount_word).toBe(1 + 4 + (4 + 1));
    expect(e.neuron_read).toBe(2 + 2);
    expect(e.neuron_write).toBe(2 + 2);
    expect(e.gain_multiply).toBe(8 + 8);
    expect(e.membrane_update).toBe(4 + 4);
    expect(e.threshold_compare).toBe(4);
    expect(e.spike).toBe(2);
    expect(e.flit_inject).toBe(1 + 2);
    expect(e.axon_write_word).toBe(1 + 2);
  });

  it('computes the hand-derived spikes and membranes', () => {
    // Slot accumulators: acc0 = ACCE (n0: +1 +1 = 2, n1: -1 +1 = 0), acc1 = ACCT (n0: 2*1 - 2 = 0,
    // n1: 2*2 - 2 = 2), every step; theta 3: v = 2 then 4 -> spike at step 1 for both.
    expect(Array.from(inf.spikes!.h!)).toEqual([0, 0, 1, 1]);
    // The readout integrates the identity of those spikes (slot 1 at word 100 + 10).
    expect(Array.from(inf.readout)).toEqual([1, 1]);
  });

  it('refuses an input that differs between steps', () => {
    expect(() => simulateSync(c, { count: 1, steps: 2, data: Float32Array.of(1, 0, 1, 0, 0, 1) })).toThrow(/time step 1 differs from step 0.*--schedule step/);
  });
});
