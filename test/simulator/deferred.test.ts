/**
 * The deferred network (issue 17: flits routed all at once at the barrier, port by port, unless an
 * instruction that reads what a delivery writes issues first) gives exactly the results of the
 * event simulation of every hop: random programs with contending multicast traffic, and random
 * compiled graphs, compared result for result (cycles, events, energy, spikes, membranes).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { BwsnnError } from '../../base/errors.js';
import { fieldRange, INSTRUCTIONS } from '../../isa/table.js';
import { compileModel } from '../../compiler/index.js';
import { foldGraph } from '../../models/fold.js';
import { randomGraph, randomInput } from '../../testing/random-graph.js';
import { setDeferredNetwork } from '../../simulator/engine.js';
import { FLIT_AXON, Network, PORT_HOST, PORT_LOCAL, SRC_HOST } from '../../simulator/network.js';
import { simulateSync, type SimInputs, type SimOptions } from '../../simulator/simulate.js';
import type { BwcContainer } from '../../isa/container-types.js';
import { block, container, I, neurons, plain, probe } from './build.js';

function both(c: BwcContainer, inputs: SimInputs, opts: SimOptions): { on: unknown; off: unknown } {
  const run = (on: boolean): unknown => {
    setDeferredNetwork(on);
    try {
      return plain(simulateSync(c, inputs, opts));
    } catch (e) {
      if (!(e instanceof BwsnnError)) throw e;
      return { error: e.message };
    } finally {
      setDeferredNetwork(true);
    }
  };
  return { on: run(true), off: run(false) };
}

afterEach(() => setDeferredNetwork(true));

const instr = fc
  .record({ d: fc.integer({ min: 0, max: INSTRUCTIONS.length - 1 }), vals: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }) })
  .map(({ d, vals }) => {
    const def = INSTRUCTIONS[d]!;
    const args: Record<string, number> = {};
    def.fields.forEach((f, i) => {
      const [lo, hi0] = fieldRange(f);
      const hi = f.kind !== 'reg' ? Math.min(hi0, lo + 9) : hi0;
      args[f.name] = Math.floor(lo + vals[i]! * (hi - lo + 0.999));
    });
    return I(def.mnemonic, args);
  });
// Traffic: FIRE then SEND over a multicast route, or PSUM.
const traffic = fc.record({ n: fc.integer({ min: 1, max: 40 }), route: fc.integer({ min: 0, max: 1 }), psum: fc.boolean() }).map(({ n, route, psum }) =>
  psum ? [I('PSUM', { acc: 0, rn: 0, n, route })] : [I('FIRE', { rn: 0, n, b: 1 }), I('SEND', { rn: 0, n, route, g: 64, cw: 1 })],
);
const program = fc.array(fc.oneof(instr.map((x) => [x]), traffic, fc.constant([I('SYNC')])), { minLength: 1, maxLength: 8 }).map((xs) => xs.flat());

describe('deferred network = event simulation of every hop', () => {
  it('Network.resolve delivers every flit at the cycle the event simulation does, hops alike', () => {
    // Random injections on a 4x3 mesh: every core injects a burst at a random start (one flit per
    // cycle, in order), the host a burst into router 0; many arbitration ties.
    const burst = fc.record({ start: fc.integer({ min: 0, max: 12 }), dsts: fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 0, maxLength: 14 }) });
    fc.assert(
      fc.property(fc.array(burst, { minLength: 13, maxLength: 13 }), (bursts) => {
        const chip = { ...DEFAULT_CHIP, meshX: 4, meshY: 3 };
        const a = new Network(chip);
        const b = new Network(chip);
        a.reset();
        b.reset();
        b.startDeferring();
        for (const net of [a, b]) {
          bursts.forEach((bu, k) => {
            const host = k === 12;
            bu.dsts.forEach((d, j) => net.inject(bu.start + j, host ? 0 : k, host ? PORT_HOST : PORT_LOCAL, host ? SRC_HOST : k, j, d, FLIT_AXON, 0, j, 1, 0, host ? 1 : 0));
          });
        }
        const want: number[] = new Array(a.n).fill(-1);
        while (a.pending > 0) {
          const f = a.step();
          if (f >= 0) want[f] = a.time[f]!;
        }
        expect(b.resolve()).toBe(0);
        expect(Array.from(b.time.subarray(0, b.n))).toEqual(want);
        expect(Array.from(b.hops)).toEqual(Array.from(a.hops));
        expect(b.lastDelivery).toBe(a.lastDelivery);
      }),
      { numRuns: 200 },
    );
  });

  it('random programs with contending multicast traffic', () => {
    let ran = 0;
    fc.assert(
      fc.property(program, program, program, fc.integer({ min: 0, max: 2 }), (p0, p1, p3, inputs) => {
        // INPUT first: on no core, on cores 0 and 3, or on every core (the host flits resolved at once).
        const input = inputs > 0;
        const syn = new Array(256).fill(0).map((_, i) => (i * 0x9e3779b1) >>> 0);
        const th = { theta: new Array(64).fill(1), bias: new Array(64).fill(1) };
        const c = container({
          chip: { meshX: 2, meshY: 2, neuronsPerCore: 64, axonLines: 64 },
          timesteps: 2,
          inputShape: [8],
          cores: [
            { core: 0, program: [...(input ? [I('INPUT')] : []), ...p0, I('HALT')], synapses: syn, neurons: neurons(64, th), routes: [[{ core: 1, base: 3, flags: 0, bitOffset: 5 }, { core: 3, base: 0, flags: 0, bitOffset: 0 }, { core: 2, base: 0, flags: 0, bitOffset: 0 }], [{ core: 0, base: 2, flags: 1, bitOffset: 0 }, { core: 3, base: 1, flags: 0, bitOffset: 3 }]] },
            { core: 1, program: [...(inputs === 2 ? [I('INPUT')] : []), ...p1, I('HALT')], synapses: syn, neurons: neurons(64, th), routes: [[{ core: 0, base: 1, flags: 0, bitOffset: 0 }, { core: 3, base: 4, flags: 0, bitOffset: 0 }], [{ core: 2, base: 0, flags: 2, bitOffset: 0 }, { core: 0, base: 0, flags: 0, bitOffset: 0 }]] },
            { core: 3, program: [...(input ? [I('INPUT')] : []), ...p3, I('HALT')], synapses: syn, neurons: neurons(64, th), routes: [[{ core: 0, base: 5, flags: 0, bitOffset: 0 }, { core: 1, base: 0, flags: 0, bitOffset: 7 }], [{ core: 1, base: 2, flags: 1, bitOffset: 0 }, { core: 0, base: 6, flags: 0, bitOffset: 0 }]] },
          ],
          inputMap: [block(0, [0, 1, 2, 3], [0, 1, 64, 130]), block(3, [4, 5, 6, 7], [0, 70, 140, 200]), block(1, [0, 7], [3, 65])],
          probes: [probe('s', 'spikes', 0, 40), probe('v', 'membrane', 3, 8)],
          readout: 1,
        });
        const { on, off } = both(c, { count: 2, data: Float32Array.of(1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1) }, { probes: true, maxStepCycles: 20000, perLayer: true });
        expect(on).toEqual(off);
        if (!(on as { error?: string }).error) ran++;
      }),
      { numRuns: 250 },
    );
    expect(ran).toBeGreaterThan(50);
  });

  it('all-to-all multicast on a 3x3 mesh (arbitration ties at every router)', () => {
    const all = Array.from({ length: 9 }, (_, k) => ({ core: k, base: k, flags: 0, bitOffset: 0 }));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 9, maxLength: 9 }), fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 9, maxLength: 9 }), (ns, delays) => {
        const c = container({
          chip: { meshX: 3, meshY: 3, neuronsPerCore: 64, axonLines: 16 },
          timesteps: 2,
          inputShape: [4],
          cores: ns.map((n, k) => ({
            core: k,
            program: [
              I('INPUT'),
              ...Array.from({ length: delays[k]! }, () => I('NOP')),
              I('FIRE', { rn: 0, n, b: 1 }),
              I('SEND', { rn: 0, n, route: 0, g: 64, cw: 1 }),
              I('SYNC'),
              I('ACC', { acc: 0, rn: 0, rw: 0, ra: 0, n: 8, len: 9, wmode: 0, wq: 1, ap: 1 }),
              I('FIRE', { rn: 0, n: 8, b: 0 }),
              I('SEND', { rn: 0, n: 8, route: 0, g: 64, cw: 1 }),
              I('HALT'),
            ],
            synapses: new Array(2 * 8 * 9).fill(0).map((_, i) => (i * 0x9e3779b1 + k) >>> 0),
            neurons: neurons(64, { theta: new Array(64).fill(1), bias: Array.from({ length: 64 }, (_, i) => ((i * 7 + k) % 3) - 1) }),
            routes: [all],
          })),
          inputMap: [block(4, [0, 1, 2, 3], [0, 1, 64, 65])],
          probes: [probe('s', 'spikes', 0, 8), probe('v', 'membrane', 8, 8)],
          readout: 1,
        });
        const { on, off } = both(c, { count: 1, data: Float32Array.of(1, 1, 1, 1) }, { probes: true });
        expect((on as { error?: string }).error).toBeUndefined();
        expect(on).toEqual(off);
      }),
      { numRuns: 40 },
    );
  });

  it('a reader issuing just before, at and after the delivery cycle sees what the event simulation sees', () => {
    const cyclesAt: number[] = [];
    for (let nops = 0; nops <= 40; nops++) {
      const c = container({
        chip: { meshX: 3, meshY: 1 },
        timesteps: 1,
        inputShape: [1],
        cores: [
          { core: 0, program: [I('FIRE', { rn: 0, n: 64, b: 0 }), I('SEND', { rn: 0, n: 64, route: 0, g: 64, cw: 1 }), I('HALT')], neurons: neurons(64, { theta: new Array(64).fill(0) }), routes: [[{ core: 2, base: 0, flags: 0, bitOffset: 0 }]] },
          { core: 2, program: [...Array.from({ length: nops }, () => I('NOP')), I('ACC', { acc: 0, rn: 0, rw: 0, ra: 0, n: 4, len: 1, wmode: 0, wq: 1, ap: 1 }), I('INTEG', { rn: 0, n: 4, b: 0 }), I('HALT')], synapses: [1, 2, 3, 4, 5, 6, 7, 8], neurons: neurons(4) },
        ],
        inputMap: [block(2, [0], [0], 10)],
        probes: [probe('v', 'membrane', 2, 4)],
        readout: 0,
      });
      const { on, off } = both(c, { count: 1, data: Float32Array.of(0) }, {});
      expect(on).toEqual(off);
      cyclesAt.push((on as { inferences: { readout: number[] }[] }).inferences[0]!.readout[0]!);
    }
    // The sweep crosses the delivery: early readers see nothing, late ones the word.
    expect(cyclesAt[0]).toBe(0);
    expect(cyclesAt[40]).not.toBe(0);
  });

  it('random compiled graphs (every kind, spread over the mesh)', () => {
    for (let seed = 1; seed <= 16; seed++) {
      const g = randomGraph(seed);
      const m = foldGraph(g, { membraneBits: DEFAULT_CHIP.membraneBits, thresholdBits: DEFAULT_CHIP.thresholdBits, biasBits: DEFAULT_CHIP.biasBits });
      const { container: c } = compileModel(m, DEFAULT_CHIP);
      const xs = [0, 1, 2].map((i) => randomInput(g, seed * 10 + i));
      const data = new Float32Array(xs.length * xs[0]!.length);
      xs.forEach((x, i) => data.set(x, i * x.length));
      const { on, off } = both(c, { count: xs.length, data }, { probes: true });
      expect(on).toEqual(off);
    }
  });
});
