/**
 * Continuous-time neuron parameters onto one discrete step (forward Euler, as snnTorch, Norse and
 * NIR's own reference simulators do): tau dv/dt = (v_leak - v) + R I becomes
 *   v[t] = (1 - dt/tau) v[t-1] + (dt/tau) (v_leak + R I[t]).
 * The Graph IR's leak is a shift k (decay 1 - 2^-k), so dt/tau is rounded to the nearest 2^-k,
 * in the log domain, and refused when the relative error |2^-k - dt/tau| / (dt/tau) exceeds the
 * tolerance.
 */
import { BwsnnError } from '../../isa/errors.js';

export interface LeakChoice {
  /** Shift k >= 1. */
  k: number;
  /** dt/tau (the first neuron's; all neurons share k). */
  rate: number;
  /** Largest |2^-k - dt/tau| / (dt/tau) over the neurons. */
  relError: number;
}

export const MAX_LEAK_SHIFT = 30;

/** Choose the shift for per-neuron time constants `tau` (seconds); `where` names the node. */
export function chooseLeak(tau: Float64Array, dt: number, tolerance: number, where: string): LeakChoice {
  let k = -1;
  let relError = 0;
  for (let i = 0; i < tau.length; i++) {
    const t = tau[i]!;
    if (!(t > 0) || !Number.isFinite(t)) throw new BwsnnError(`${where}: tau[${i}] = ${t}: a time constant must be a positive number of seconds`);
    const rate = dt / t;
    const ki = Math.round(-Math.log2(rate));
    if (ki < 1) {
      throw new BwsnnError(
        `${where}: dt/tau = ${fmt(rate)} (dt ${dt} s, tau ${t} s): the decay 1 - dt/tau = ${fmt(1 - rate)} cannot be a shift leak (needs dt/tau <= 0.5); use a smaller --dt`,
      );
    }
    if (ki > MAX_LEAK_SHIFT) {
      throw new BwsnnError(`${where}: dt/tau = ${fmt(rate)} is below 2^-${MAX_LEAK_SHIFT}: use a larger --dt or an IF neuron`);
    }
    if (k === -1) k = ki;
    else if (ki !== k) {
      throw new BwsnnError(`${where}: time constants differ across neurons (tau[0] gives shift ${k}, tau[${i}] = ${t} gives ${ki}); one shift per layer is supported`);
    }
    const err = Math.abs(2 ** -ki - rate) / rate;
    if (err > tolerance) {
      const exactDt = t * 2 ** -ki;
      throw new BwsnnError(
        `${where}: dt/tau = ${fmt(rate)} (dt ${dt} s, tau ${t} s) is ${(err * 100).toFixed(1)}% from the nearest shift leak 2^-${ki} = ${fmt(2 ** -ki)} (tolerance ${(tolerance * 100).toFixed(1)}%); use --dt ${fmt(exactDt)} for an exact shift, or --leak-tolerance ${fmt(Math.ceil(err * 1000) / 1000)}`,
      );
    }
    relError = Math.max(relError, err);
  }
  if (k === -1) throw new BwsnnError(`${where}: no neurons`);
  return { k, rate: dt / tau[0]!, relError };
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}
