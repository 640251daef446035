/**
 * Typed units: an energy can never end up in a latency. Values are plain numbers at run time;
 * the brand exists only for the type checker.
 */
declare const unitBrand: unique symbol;
type Unit<U extends string> = number & { readonly [unitBrand]: U };

/** Energy in joules. */
export type Joules = Unit<'J'>;
/** Time in seconds. */
export type Seconds = Unit<'s'>;
/** Clock cycles. */
export type Cycles = Unit<'cycles'>;
/** Power in watts. */
export type Watts = Unit<'W'>;

export const joules = (v: number): Joules => v as Joules;
export const seconds = (v: number): Seconds => v as Seconds;
export const cycles = (v: number): Cycles => v as Cycles;
export const watts = (v: number): Watts => v as Watts;

/** Picojoules to joules. */
export const pJ = (v: number): Joules => (v * 1e-12) as Joules;

/** Cycles to seconds through the chip clock. */
export function cyclesToSeconds(c: Cycles, clockHz: number): Seconds {
  return (c / clockHz) as Seconds;
}

/** Leakage energy of `p` watts over `t` seconds. */
export function leakEnergy(p: Watts, t: Seconds): Joules {
  return (p * t) as Joules;
}
