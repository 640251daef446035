/** The engine's precomputed event coefficients reproduce the ISA table's events() exactly. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENERGY_EVENTS, INSTRUCTIONS, type InstrDef } from '../../isa/table.js';
import { ACT_FIELDS, COEF_STRIDE, EVENT_COEFFICIENTS, deriveCoefficients } from '../../simulator/coefficients.js';

describe('event coefficients', () => {
  it('equal events(activity) of every instruction on random activities', () => {
    const nat = fc.integer({ min: 0, max: 1 << 20 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: INSTRUCTIONS.length - 1 }), fc.record({ n: nat, scan: nat, ops: nat, flits: nat, spikes: nat, taken: fc.integer({ min: 0, max: 1 }), uses: nat, updates: nat }), (di, a) => {
        const want = INSTRUCTIONS[di]!.events(a);
        const idx = EVENT_COEFFICIENTS.events[di]!;
        const cf = EVENT_COEFFICIENTS.coef[di]!;
        const got: Record<string, number> = {};
        idx.forEach((e, j) => {
          let v = cf[j * COEF_STRIDE]!;
          ACT_FIELDS.forEach((f, k) => (v += cf[j * COEF_STRIDE + 1 + k]! * a[f]));
          got[ENERGY_EVENTS[e]!] = v;
        });
        for (const e of ENERGY_EVENTS) expect(got[e] ?? 0).toBe(want[e] ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it('refuse a table entry whose events are not affine in the activity', () => {
    const bad: InstrDef = { ...INSTRUCTIONS[0]!, mnemonic: 'BAD', events: (a) => ({ spike: a.n * a.n }) };
    expect(() => deriveCoefficients([bad])).toThrow(/BAD event spike is not an affine function/);
  });
});
