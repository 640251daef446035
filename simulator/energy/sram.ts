/**
 * SRAM access energy from a bank's size and access width: the scaling rule of docs/energy.md
 * ("Memory energy by bank"), fitted to the 64-bit SRAM read rows of the energy table's `sram`
 * section; the default table's are Horowitz's (ISSCC 2014, 45 nm, 0.9 V): 8 KB 10 pJ, 32 KB
 * 20 pJ, 1 MB 100 pJ.
 *
 * Central value: the least-squares power law in log-log, E64(S) = a x S^b (b close to 0.5: energy
 * of a read grows about with the square root of the array, the length of its bit and word lines).
 * Low / high: the envelope of a family of rules that fit the same rows: the fit itself, the
 * piecewise power law through the two rows around S, and the sqrt(S) law through each row. Width:
 * energy linear in the bits accessed, E = E64 x width / 64 (an assumption: wider words share the
 * decoder but not the bit lines and sense amplifiers).
 *
 * Reusable: `sramAccessEnergy(bankBytes, widthBits, rows)` is the one function a new dataflow
 * calls for the energy of one access of a bank.
 */
import preset45 from './default-45nm.json' with { type: 'json' };

/** [bank bytes, pJ per 64-bit read] rows, bank sizes strictly increasing (at least two). */
export type SramRows = readonly (readonly [number, number])[];

/** The default table's rows (Horowitz 2014), where they are written: simulator/energy/default-45nm.json. */
export const HOROWITZ_SRAM_ROWS: SramRows = preset45.sram.rows.map(([b, e]) => [b, e] as const);

export interface SramFit {
  /** E64(S) = a x S^b, S in bytes, E in pJ. */
  a: number;
  b: number;
  /** Per row: the fit's value at the row's size, and (row - fit) / fit. */
  residuals: { bytes: number; row: number; fit: number; relative: number }[];
}

function fitRows(rows: SramRows): SramFit {
  const xs = rows.map(([s]) => Math.log(s));
  const ys = rows.map(([, e]) => Math.log(e));
  const mx = xs.reduce((p, q) => p + q, 0) / xs.length;
  const my = ys.reduce((p, q) => p + q, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const b = sxy / sxx;
  const a = Math.exp(my - b * mx);
  const residuals = rows.map(([s, e]) => {
    const f = a * s ** b;
    return { bytes: s, row: e, fit: f, relative: (e - f) / f };
  });
  return { a, b, residuals };
}

const fits = new WeakMap<SramRows, SramFit>();
/** The fit of a set of rows (computed once per rows array). */
export function sramFit(rows: SramRows): SramFit {
  let f = fits.get(rows);
  if (f === undefined) fits.set(rows, (f = fitRows(rows)));
  return f;
}

/** The fit of the default rows. */
export const SRAM_FIT: SramFit = sramFit(HOROWITZ_SRAM_ROWS);

export interface EnergyBand {
  low: number;
  central: number;
  high: number;
}

/** 64-bit read energy (pJ) of a bank of `bytes` by each rule of the family. */
function family(bytes: number, rows: SramRows): number[] {
  const fit = sramFit(rows);
  const out = [fit.a * bytes ** fit.b];
  // Piecewise power law through the two rows around S (the end segment outside them).
  let i = 0;
  while (i < rows.length - 2 && bytes > rows[i + 1]![0]) i++;
  const [s1, e1] = rows[i]!;
  const [s2, e2] = rows[i + 1]!;
  out.push(e1 * (bytes / s1) ** (Math.log(e2 / e1) / Math.log(s2 / s1)));
  // sqrt(S) through each row.
  for (const [s, e] of rows) out.push(e * Math.sqrt(bytes / s));
  return out;
}

/**
 * Energy of one access of `widthBits` bits to an SRAM bank of `bankBytes` bytes, pJ: central
 * (least-squares power law) and the low / high envelope of the rule family.
 */
export function sramAccessEnergy(bankBytes: number, widthBits: number, rows: SramRows = HOROWITZ_SRAM_ROWS): EnergyBand {
  if (!(bankBytes > 0) || !(widthBits > 0)) throw new RangeError(`sramAccessEnergy: bank bytes and width must be positive (got ${bankBytes}, ${widthBits})`);
  const w = widthBits / 64;
  const f = family(bankBytes, rows);
  return { low: Math.min(...f) * w, central: (f[0] as number) * w, high: Math.max(...f) * w };
}
