/**
 * Energy of an inference: sum over events of count x energy per event, plus leakage power per
 * core x cores x time; by component, by event, per core and in total.
 */
import { ENERGY_EVENTS, type EnergyEvent } from '../../isa/table.js';
import { joules, type Joules, type Seconds } from '../units.js';
import type { EnergyTable } from './table.js';

export const COMPONENTS = ['core datapath', 'synapse memory', 'neuron memory', 'axon memory', 'network', 'control', 'leakage'] as const;
export type Component = (typeof COMPONENTS)[number];

/** Which component each event belongs to. */
export const EVENT_COMPONENT: Readonly<Record<EnergyEvent, Component>> = {
  popcount_word: 'core datapath',
  acc_update: 'core datapath',
  membrane_update: 'core datapath',
  gain_multiply: 'core datapath',
  threshold_compare: 'core datapath',
  spike: 'core datapath',
  synapse_read_word: 'synapse memory',
  neuron_read: 'neuron memory',
  neuron_write: 'neuron memory',
  axon_read_word: 'axon memory',
  axon_write_word: 'axon memory',
  flit_inject: 'network',
  flit_hop: 'network',
  instr_fetch: 'control',
  barrier: 'control',
};

export interface EnergyBreakdown {
  total: Joules;
  byComponent: Record<Component, Joules>;
  byEvent: Record<EnergyEvent, Joules>;
  /** Per mesh core: total (dynamic + its leakage). */
  perCore: Joules[];
  /** The total with every entry at the low / central / high end of its band (memory by bank: simulator/energy/sram.ts). */
  band: { low: Joules; central: Joules; high: Joules };
}

function zeroComponents(): Record<Component, Joules> {
  return Object.fromEntries(COMPONENTS.map((c) => [c, joules(0)])) as Record<Component, Joules>;
}

/**
 * `counts` is mesh-core-major (counts[core * E + e], E = ENERGY_EVENTS.length), summed over the
 * inferences it covers; `time` is the time they took (leakage runs on every core of the mesh).
 */
export function energyBreakdown(table: EnergyTable, counts: Float64Array, cores: number, time: Seconds): EnergyBreakdown {
  const E = ENERGY_EVENTS.length;
  const byComponent = zeroComponents();
  const byEvent = Object.fromEntries(ENERGY_EVENTS.map((e) => [e, joules(0)])) as Record<EnergyEvent, Joules>;
  const perCore: Joules[] = [];
  const leak = table.leakage.power * time;
  let total = 0;
  let low = 0;
  let high = 0;
  for (let c = 0; c < cores; c++) {
    let core = leak;
    low += leak;
    high += leak;
    ENERGY_EVENTS.forEach((e, i) => {
      const n = counts[c * E + i] as number;
      const x = n * table.events[e].energy;
      low += n * table.events[e].low;
      high += n * table.events[e].high;
      core += x;
      byEvent[e] = joules(byEvent[e] + x);
      const comp = EVENT_COMPONENT[e];
      byComponent[comp] = joules(byComponent[comp] + x);
    });
    byComponent.leakage = joules(byComponent.leakage + leak);
    perCore.push(joules(core));
    total += core;
  }
  return { total: joules(total), byComponent, byEvent, perCore, band: { low: joules(low), central: joules(total), high: joules(high) } };
}
