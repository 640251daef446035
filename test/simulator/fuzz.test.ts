/** Random programs never crash the simulator: they run, or fail with a BwsnnError naming the place. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BwsnnError } from '../../base/errors.js';
import { fieldRange, INSTRUCTIONS } from '../../isa/table.js';
import { simulateSync } from '../../simulator/simulate.js';
import { block, container, I, neurons, probe } from './build.js';

const instr = fc
  .record({ d: fc.integer({ min: 0, max: INSTRUCTIONS.length - 1 }), vals: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }), small: fc.boolean() })
  .map(({ d, vals, small }) => {
    const def = INSTRUCTIONS[d]!;
    const args: Record<string, number> = {};
    def.fields.forEach((f, i) => {
      const [lo, hi0] = fieldRange(f);
      const hi = small && f.kind !== 'reg' ? Math.min(hi0, lo + 9) : hi0;
      args[f.name] = Math.floor(lo + vals[i]! * (hi - lo + 0.999));
    });
    return I(def.mnemonic, args);
  });

describe('random programs', () => {
  it('run or fail with a BwsnnError', () => {
    let ran = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(instr, { minLength: 1, maxLength: 10 }), fc.array(instr, { minLength: 1, maxLength: 6 }), (p0, p1) => {
        // Targets must stay inside the program (or validation refuses it, also fine).
        const c = container({
          chip: { meshX: 2, meshY: 1, neuronsPerCore: 64, axonLines: 64 },
          timesteps: 2,
          inputShape: [8],
          cores: [
            { core: 0, program: [...p0, I('HALT')], synapses: new Array(64).fill(0x5a5a5a5a), neurons: neurons(16, { theta: new Array(16).fill(1) }), routes: [[{ core: 1, base: 3, flags: 0, bitOffset: 5 }], [{ core: 0, base: 2, flags: 3, bitOffset: 0 }]] },
            { core: 1, program: [...p1, I('HALT')], synapses: new Array(32).fill(0xffff0000), neurons: neurons(8), routes: [[{ core: 0, base: 1, flags: 1, bitOffset: 0 }]] },
          ],
          inputMap: [block(0, [0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 64, 65, 66, 67])],
          probes: [probe('s', 'spikes', 0, 4), probe('v', 'membrane', 1, 2)],
          readout: 1,
        });
        try {
          const r = simulateSync(c, { count: 1, data: Float32Array.of(1, 0, 1, 1, 0, 1, 1, 1) }, { probes: true, maxStepCycles: 20000 });
          expect(r.inferences[0]!.cycles).toBeGreaterThan(0);
          ran++;
        } catch (e) {
          if (!(e instanceof BwsnnError)) throw e;
          expect(e.message.length).toBeGreaterThan(0);
          refused++;
        }
      }),
      { numRuns: 300 },
    );
    // Both outcomes occur: the generator reaches the running engine, not only validation.
    expect(ran).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });
});
