/**
 * Fast paths of issue 17 (second round) against the paths they shortcut:
 *   - Links per origin are counted when a flit is recorded (XY routes are shortest): the same
 *     counts as counting every link a flit crosses.
 *   - Network.resolveMemo replays the routing of host flits identical to an earlier step's; it must
 *     leave exactly the state a fresh resolve leaves (delivery cycles, routers, ports, hops per
 *     router and per origin, port free cycles, last delivery).
 *   - The engine replays it when a sample's steps share one flit object: the same inference run
 *     with distinct (equal) flit objects per step, which never replays, gives identical records,
 *     attribution buckets included.
 *   - Work pieces and worker lanes: any worker count, any piece size, the same SimResult.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { compileModel } from '../../compiler/index.js';
import { foldGraph } from '../../models/fold.js';
import { randomGraph, randomInput } from '../../testing/random-graph.js';
import { Machine } from '../../simulator/engine.js';
import { FLIT_AXON, Network, PORT_HOST, PORT_LOCAL, SRC_HOST, resolveMemo } from '../../simulator/network.js';
import { InputPacker, type StepFlits } from '../../simulator/input.js';
import { loadBinary } from '../../simulator/load.js';
import { layerAttribution } from '../../simulator/attribution.js';
import { simulate, simulateSync } from '../../simulator/simulate.js';
import { plain } from './build.js';

function copyFlits(s: StepFlits): StepFlits {
  return { count: s.count, spikes: s.spikes, dst: s.dst.slice(), word: s.word.slice(), lo: s.lo.slice(), hi: s.hi.slice() };
}

describe('replayed host input routing = resolve', () => {
  it('Network.resolveMemo on a hit leaves the state of a fresh resolve', () => {
    const burst = fc.record({ start: fc.integer({ min: 0, max: 12 }), dsts: fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 0, maxLength: 14 }) });
    fc.assert(
      fc.property(fc.array(burst, { minLength: 13, maxLength: 13 }), fc.boolean(), (bursts, origins) => {
        const chip = { ...DEFAULT_CHIP, meshX: 4, meshY: 3 };
        const fresh = new Network(chip);
        const memoNet = new Network(chip);
        if (origins) {
          fresh.originHops = new Float64Array(13);
          memoNet.originHops = new Float64Array(13);
        }
        const fill = (net: Network): void => {
          net.reset();
          net.startDeferring();
          bursts.forEach((bu, k) => {
            const host = k === 12;
            bu.dsts.forEach((d, j) => net.inject(bu.start + j, host ? 0 : k, host ? PORT_HOST : PORT_LOCAL, host ? SRC_HOST : k, j, d, FLIT_AXON, 0, j, 1, 0, host ? 1 : 0, k));
          });
        };
        const memo = resolveMemo();
        // Twice through the memo (a miss, then a hit), twice fresh: the same state after each.
        for (let round = 0; round < 2; round++) {
          fill(fresh);
          fill(memoNet);
          expect(memoNet.resolveMemo(memo)).toBe(fresh.resolve());
          expect(memo.valid).toBe(true);
          const n = fresh.n;
          expect(memoNet.n).toBe(n);
          expect(Array.from(memoNet.time.subarray(0, n))).toEqual(Array.from(fresh.time.subarray(0, n)));
          expect(Array.from(memoNet.at.subarray(0, n))).toEqual(Array.from(fresh.at.subarray(0, n)));
          expect(Array.from(memoNet.port.subarray(0, n))).toEqual(Array.from(fresh.port.subarray(0, n)));
          expect(Array.from(memoNet.hops)).toEqual(Array.from(fresh.hops));
          expect(memoNet.originHops && Array.from(memoNet.originHops)).toEqual(fresh.originHops && Array.from(fresh.originHops));
          expect(memoNet.lastDelivery).toBe(fresh.lastDelivery);
          expect(memoNet.deferred).toBe(0);
          expect((memoNet as unknown as { free: Float64Array }).free).toEqual((fresh as unknown as { free: Float64Array }).free);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('links per origin, counted when a flit is recorded, = the links its flits cross hop by hop', () => {
    // Each origin's flits are stepped through the event path alone; onLink sees every link crossed.
    const flit = fc.record({ at: fc.integer({ min: 0, max: 11 }), dst: fc.integer({ min: 0, max: 11 }), origin: fc.integer({ min: 0, max: 4 }) });
    fc.assert(
      fc.property(fc.array(flit, { minLength: 1, maxLength: 30 }), fc.boolean(), (flits, deferred) => {
        const chip = { ...DEFAULT_CHIP, meshX: 4, meshY: 3 };
        const net = new Network(chip);
        net.originHops = new Float64Array(5);
        const perHop = new Float64Array(5);
        for (let o = 0; o < 5; o++) {
          const solo = new Network(chip);
          let links = 0;
          solo.onLink = () => links++;
          solo.reset();
          flits.forEach((x, j) => {
            if (x.origin === o) solo.inject(j, x.at, PORT_LOCAL, x.at, j, x.dst, FLIT_AXON, 0, 0, 1, 0, 0, o);
          });
          while (solo.pending > 0) solo.step();
          perHop[o] = links;
        }
        net.reset();
        if (deferred) net.startDeferring();
        flits.forEach((x, j) => net.inject(j, x.at, PORT_LOCAL, x.at, j, x.dst, FLIT_AXON, 0, 0, 1, 0, 0, x.origin));
        if (deferred) net.resolve();
        else while (net.pending > 0) net.step();
        expect(Array.from(net.originHops)).toEqual(Array.from(perHop));
        expect(net.originHops.reduce((a, b) => a + b, 0)).toBe(net.hops.reduce((a, b) => a + b, 0));
      }),
      { numRuns: 100 },
    );
  });

  it('an inference whose steps share one flit object (replayed) = the same with a copy per step', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const g = randomGraph(seed);
      const m = foldGraph(g, { membraneBits: DEFAULT_CHIP.membraneBits, thresholdBits: DEFAULT_CHIP.thresholdBits, biasBits: DEFAULT_CHIP.biasBits });
      const { container: c } = compileModel(m, DEFAULT_CHIP);
      const bin = loadBinary(c, `seed${seed}.bwc`);
      const { attribution } = layerAttribution(bin);
      const shared = new Machine(bin, { attribution });
      const copied = new Machine(bin, { attribution });
      const packer = new InputPacker(bin);
      for (let i = 0; i < 3; i++) {
        const x = randomInput(g, seed * 10 + i);
        const steps = packer.sample({ count: 1, data: x }, 0);
        const copies = steps.map(copyFlits);
        const a = shared.run(steps, { probes: true });
        const b = copied.run(copies, { probes: true });
        expect(plain(a)).toEqual(plain(b));
        expect(Array.from(shared.bucketEvents!)).toEqual(Array.from(copied.bucketEvents!));
      }
    }
  });

  it('pieces and worker lanes do not change results (2 and 3 threads vs 1)', async () => {
    const g = randomGraph(5);
    const m = foldGraph(g, { membraneBits: DEFAULT_CHIP.membraneBits, thresholdBits: DEFAULT_CHIP.thresholdBits, biasBits: DEFAULT_CHIP.biasBits });
    const { container: c } = compileModel(m, DEFAULT_CHIP);
    const n = 61;
    const size = randomInput(g, 1).length;
    const data = new Float32Array(n * size);
    for (let i = 0; i < n; i++) data.set(randomInput(g, 100 + i), i * size);
    const one = plain(simulateSync(c, { count: n, data }, { perLayer: true }));
    for (const workers of [2, 3]) expect(plain(await simulate(c, { count: n, data }, { perLayer: true, workers }))).toEqual(one);
  });
});
