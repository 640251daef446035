/**
 * Continuous-time neuron parameters onto one discrete step (forward Euler, as snnTorch, Norse and
 * NIR's own reference simulators do): tau dv/dt = (v_leak - v) + R I becomes
 *   v[t] = (1 - dt/tau) v[t-1] + (dt/tau) (v_leak + R I[t]).
 * A leak is a shift k (decay 1 - 2^-k: chooseLeak, the readout's only form) or a 12-bit decay
 * d/4096 (chooseDecay, for LIF and CubaLIF: the shift when it is as close, else the decay); refused
 * when the relative error |leak - dt/tau| / (dt/tau) exceeds the tolerance.
 */
import { BwsnnError } from '../../isa/errors.js';
import { DECAY_MAX } from '../../isa/neuron-record.js';

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

/**
 * A leak for dt/tau: the shift 2^-k when it is at least as close as the 12-bit decay (so exact
 * powers of two stay shifts, as before), otherwise the multiplicative decay d / 2^12 with
 * d = round(4096 dt/tau): relative error |d/4096 - dt/tau| / (dt/tau) <= 2^-13 / (dt/tau), e.g.
 * 1.2% at dt/tau = 0.01, 0.3% at 0.04. Refused only when the error exceeds the tolerance (dt/tau
 * below ~2^-13 / tolerance), when dt/tau > 1, or when neurons of one node need different leaks.
 */
export interface DecayChoice {
  kind: 'shift' | 'decay';
  /** Shift k (kind 'shift'), else 0. */
  k: number;
  /** Decay constant d, 1..4096 (kind 'decay'), else 0. */
  d: number;
  /** dt/tau of the first neuron. */
  rate: number;
  /** The factor the model uses: 2^-k or d / 4096. */
  used: number;
  /** Largest relative error |used - dt/tau| / (dt/tau) over the neurons. */
  relError: number;
}

export function chooseDecay(tau: Float64Array, dt: number, tolerance: number, where: string): DecayChoice {
  let pick: DecayChoice | undefined;
  for (let i = 0; i < tau.length; i++) {
    const t = tau[i]!;
    if (!(t > 0) || !Number.isFinite(t)) throw new BwsnnError(`${where}: tau[${i}] = ${t}: a time constant must be a positive number of seconds`);
    const rate = dt / t;
    if (rate > 1) throw new BwsnnError(`${where}: dt/tau = ${fmt(rate)} (dt ${dt} s, tau ${t} s) exceeds 1: the decay 1 - dt/tau would be negative; use a smaller --dt`);
    const ki = Math.min(MAX_LEAK_SHIFT, Math.max(1, Math.round(-Math.log2(rate))));
    const es = Math.abs(2 ** -ki - rate) / rate;
    const di = Math.round(rate * DECAY_MAX);
    const ed = di >= 1 ? Math.abs(di / DECAY_MAX - rate) / rate : Infinity;
    const c: DecayChoice = es <= ed ? { kind: 'shift', k: ki, d: 0, rate, used: 2 ** -ki, relError: es } : { kind: 'decay', k: 0, d: di, rate, used: di / DECAY_MAX, relError: ed };
    if (c.relError > tolerance) {
      throw new BwsnnError(
        `${where}: dt/tau = ${fmt(rate)} (dt ${dt} s, tau ${t} s) is ${(c.relError * 100).toFixed(2)}% from the nearest leak (${c.kind === 'shift' ? `shift 2^-${c.k}` : `decay ${c.d}/4096`}; tolerance ${(tolerance * 100).toFixed(2)}%); use a larger --dt or --leak-tolerance ${fmt(Math.ceil(c.relError * 1000) / 1000)}`,
      );
    }
    if (!pick) pick = c;
    else if (c.kind !== pick.kind || c.k !== pick.k || c.d !== pick.d) {
      throw new BwsnnError(`${where}: time constants differ across neurons (tau[0] gives ${describeChoice(pick)}, tau[${i}] = ${t} gives ${describeChoice(c)}); one leak per layer is supported`);
    } else pick.relError = Math.max(pick.relError, c.relError);
  }
  if (!pick) throw new BwsnnError(`${where}: no neurons`);
  return pick;
}

/** "shift 5 (2^-5)" or "decay 164/4096". */
export function describeChoice(c: DecayChoice): string {
  return c.kind === 'shift' ? `shift ${c.k} (2^-${c.k})` : `decay ${c.d}/4096`;
}
