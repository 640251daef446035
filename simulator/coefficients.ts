/**
 * Energy events of every instruction as linear coefficient vectors, derived once from the ISA
 * table (the single source of truth): each event count of `events(activity)` is an affine function
 * of the Activity fields, so evaluating `events` on the zero activity and on each unit activity
 * gives its constant and per-field coefficients. Linearity is verified at load on further
 * activities; a table entry that is not affine is refused (the hot loop would miscount it).
 */
import { ENERGY_EVENTS, INSTRUCTIONS, type Activity, type EnergyEvent, type EventCounts, type InstrDef } from '../isa/table.js';

/** Activity fields in coefficient order (after the constant). */
export const ACT_FIELDS = ['n', 'scan', 'ops', 'flits', 'spikes', 'taken', 'uses', 'updates'] as const satisfies readonly (keyof Activity)[];
/** Coefficients per (instruction, event): constant, then one per ACT_FIELDS entry. */
export const COEF_STRIDE = 1 + ACT_FIELDS.length;

export interface EventCoefficients {
  /** Per definition index: the event indices it may cause (ENERGY_EVENTS order). */
  events: Int32Array[];
  /** Per definition index: COEF_STRIDE coefficients per listed event. */
  coef: Float64Array[];
}

const zero = (): Activity => ({ n: 0, scan: 0, ops: 0, flits: 0, spikes: 0, taken: 0, uses: 0, updates: 0 });
const count = (c: EventCounts, e: EnergyEvent): number => c[e] ?? 0;

/** Coefficients of `defs` (the ISA table by default); throws if an entry is not affine. */
export function deriveCoefficients(defs: readonly InstrDef[] = INSTRUCTIONS): EventCoefficients {
  const events: Int32Array[] = [];
  const coef: Float64Array[] = [];
  const probes: Activity[] = [
    { n: 3, scan: 5, ops: 7, flits: 11, spikes: 13, taken: 1, uses: 19, updates: 23 },
    { n: 1024, scan: 8191, ops: 65536, flits: 300, spikes: 977, taken: 0, uses: 4096, updates: 2048 },
    { n: 17, scan: 0, ops: 2, flits: 0, spikes: 17, taken: 1, uses: 0, updates: 5 },
  ];
  for (const def of defs) {
    const base = def.events(zero());
    const unit = ACT_FIELDS.map((f) => {
      const a = zero();
      a[f] = 1;
      return def.events(a);
    });
    const idx: number[] = [];
    const cf: number[] = [];
    ENERGY_EVENTS.forEach((e, i) => {
      const row = [count(base, e), ...unit.map((u) => count(u, e) - count(base, e))];
      if (row.every((x) => x === 0)) return;
      idx.push(i);
      cf.push(...row);
    });
    for (const a of probes) {
      const got = def.events(a);
      ENERGY_EVENTS.forEach((e, i) => {
        const j = idx.indexOf(i);
        let want = 0;
        if (j >= 0) {
          want = cf[j * COEF_STRIDE] as number;
          ACT_FIELDS.forEach((f, k) => {
            want += (cf[j * COEF_STRIDE + 1 + k] as number) * a[f];
          });
        }
        if (count(got, e) !== want) {
          throw new Error(`ISA table: ${def.mnemonic} event ${e} is not an affine function of the activity (${count(got, e)} != ${want} at ${JSON.stringify(a)})`);
        }
      });
    }
    events.push(Int32Array.from(idx));
    coef.push(Float64Array.from(cf));
  }
  return { events, coef };
}

/** Derived and verified once, at module load. */
export const EVENT_COEFFICIENTS: EventCoefficients = deriveCoefficients();
