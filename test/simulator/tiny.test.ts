/** The ISA fixture's two-core network, simulated and checked against hand-computed values. */
import { describe, expect, it } from 'vitest';
import { simulateSync } from '../../simulator/simulate.js';
import { tinyContainer } from '../isa/fixtures.js';

// Hand computation (default chip: pipelineDepth 3, 4 lanes x 64 bits, 4 neuron units,
// routerLatency 2, linkLatency 1, barrierLatency 32; 2x1 mesh: barrier 32 + 2 x 1 x (2 + 1) = 38),
// input x = [1, 1, 0, 1] -> word 0xb.
// Host flit: enters router 0 at cycle 0, ejected at 0 + 2 = 2 -> core 0's INPUT (issued 0,
// reached 1) resumes at 3. ACC 3..8 (3 + 1 + 1), FIRE 8..12 (3 + 1), SEND 12..17 (3 + 1 + 1 flit,
// injected at 16), HALT 17..18. The SEND flit: router 0 east port at 18, router 1 at 19, ejected
// at 21. Core 1's SYNC (reached 1) releases at max(18, 21 + 1) + 38 = 60. LI 60..61, ACC 61..66,
// INTEG 66..70, HALT 70..71. Step end: max(71, 22) + 38 = 109.
describe('tiny two-core network', () => {
  const c = tinyContainer();
  const inputs = { count: 1, data: Float32Array.of(1, 1, 0, 1) };
  const r = simulateSync(c, inputs, { probes: true, trace: { neurons: [{ core: 0, from: 0, to: 2 }] } });
  const inf = r.inferences[0]!;

  it('computes the hand-derived spikes and readout', () => {
    // Step 0: acc = 3, 1, -1 -> v = 3, 1, -1, neuron 0 fires (v = 1). Step 1: v = 4, 2, -2 -> 0 and 1 fire.
    expect(Array.from(inf.spikes!.hidden!)).toEqual([1, 0, 0, 1, 1, 0]);
    // Core 1: step 0 axon 0x1 -> acc 1, -1; step 1 axon 0x3 -> acc 2, 0.
    expect(Array.from(inf.readout)).toEqual([3, -1]);
    expect(inf.prediction).toBe(0);
  });

  it('computes the hand-derived cycle counts', () => {
    expect(Array.from(inf.stepCycles)).toEqual([109, 109]);
    expect(inf.cycles).toBe(218);
    const c0 = r.cores.find((x) => x.core === 0)!;
    const c1 = r.cores.find((x) => x.core === 1)!;
    expect(c0.busy).toBe(2 * 16);
    expect(c0.stall).toBe(2 * 93);
    expect(c1.busy).toBe(2 * 12);
    expect(c1.stall).toBe(2 * 97);
    expect(inf.latency).toBeCloseTo(218 / 200e6, 15);
    expect(Array.from(inf.busy)).toEqual([32, 24]);
    expect(Array.from(inf.stall)).toEqual([186, 194]);
  });

  it('counts the hand-derived events', () => {
    const e = inf.events;
    expect(e.instr_fetch).toBe(2 * 10);
    expect(e.flit_inject).toBe(2 * 2);
    expect(e.flit_hop).toBe(2 * 1);
    expect(e.axon_write_word).toBe(2 * 2);
    expect(e.axon_read_word).toBe(2 * 2);
    expect(e.synapse_read_word).toBe(2 * 5);
    expect(e.popcount_word).toBe(2 * 7);
    expect(e.acc_update).toBe(2 * 5);
    expect(e.neuron_read).toBe(2 * 5);
    expect(e.gain_multiply).toBe(2 * 10);
    expect(e.threshold_compare).toBe(2 * 3);
    expect(e.spike).toBe(3);
    expect(e.barrier).toBe(2 * 3);
  });

  it('records a trace of the inference', () => {
    const t = r.trace!;
    expect(t.steps.end).toEqual([109, 218]);
    // Core 0's FIRE ends at 12 in step 0 and 109 + 12 in step 1.
    const fires = t.spikes.time.map((x, i) => `${t.spikes.neuron[i]}@${x}`);
    expect(fires).toEqual(['0@12', '0@121', '1@121']);
  });
});
