/**
 * Activity counts in the units other neuromorphic chips count in (docs/energy.md, "Event counts"):
 * not BW-Core's word-level events (ENERGY_EVENTS) but spikes, synaptic events, neuron updates,
 * spike messages per destination core and mesh hops. The comparison presets
 * (simulator/energy/presets.ts) price these; `run --json` and `energy --json` print them
 * (`activityCounts`).
 *
 * Counted by the simulator per mesh core (core-major: counts[core * ACTIVITY_COUNT + k]):
 * - inputSpikes: host input spikes, each input element (bit plane) once however many cores
 *   receive it (counted at core 0, where host input enters).
 * - inputMessages: host input spikes delivered into this core (one per set bit of a host flit:
 *   an input spike x its destination core).
 * - synapticEvents: (input spike, target synapse) pairs accumulated on this core = input spikes x
 *   fan-out (the simulator's `sops`).
 * - neuronUpdates: neurons updated (FIRE/INTEG), one per neuron per program pass.
 * - neuronUpdatesActive: of those, the ones with a non-zero input, membrane or bias before the
 *   update (SANA-FE's "updated" status of a Loihi compartment); the rest are idle updates.
 * - spikesOut: neurons of this core that fired.
 * - spikesSent: spikes a SEND put on the network, once per spike however many cores receive it.
 * - messages: spike messages this core sent: each spike a SEND puts on the network x the distinct
 *   destination cores of its route list.
 * - messagesIn: spike messages (host input included) received by this core.
 * - hopsX, hopsY: mesh links those messages cross, east-west and north-south (XY routing,
 *   |dx| and |dy| from source to destination core); host input enters at core 0's router and is
 *   counted at core 0.
 */
export const ACTIVITY_KEYS = [
  'inputSpikes',
  'inputMessages',
  'synapticEvents',
  'neuronUpdates',
  'neuronUpdatesActive',
  'spikesOut',
  'spikesSent',
  'messages',
  'messagesIn',
  'hopsX',
  'hopsY',
] as const;
export type ActivityKey = (typeof ACTIVITY_KEYS)[number];
export const ACTIVITY_COUNT = ACTIVITY_KEYS.length;
export const ACT = Object.fromEntries(ACTIVITY_KEYS.map((k, i) => [k, i])) as Record<ActivityKey, number>;

/** Mean activity per inference, chip totals, and messages received by each mesh core. */
export interface ActivityCounts {
  /** Chip totals per inference (mean over the inferences). */
  perInference: Record<ActivityKey, number>;
  /** Spike messages received per mesh core per inference (index = mesh core). */
  messagesByDestCore: number[];
  /** neuronUpdates - neuronUpdatesActive. */
  neuronUpdatesIdle: number;
  /** Spike messages in total on this binary's placement: host input messages + messages sent by cores. */
  messagesTotal: number;
  /**
   * One message per spike (input spikes + spikes sent): the messages of a chip that holds each
   * destination layer in one core (a Loihi core holds 1024 compartments).
   */
  spikeMessages: number;
  /** hopsX + hopsY. */
  hops: number;
}

/** Summarise core-major sums (`sums[core * ACTIVITY_COUNT + k]` over `count` inferences). */
export function activityCounts(sums: Float64Array, cores: number, count: number): ActivityCounts {
  const den = count > 0 ? count : 1;
  const per = Object.fromEntries(ACTIVITY_KEYS.map((k) => [k, 0])) as Record<ActivityKey, number>;
  const byDest: number[] = [];
  for (let c = 0; c < cores; c++) {
    ACTIVITY_KEYS.forEach((k, i) => {
      per[k] += sums[c * ACTIVITY_COUNT + i] as number;
    });
    byDest.push((sums[c * ACTIVITY_COUNT + ACT.messagesIn] as number) / den);
  }
  for (const k of ACTIVITY_KEYS) per[k] /= den;
  return {
    perInference: per,
    messagesByDestCore: byDest,
    neuronUpdatesIdle: per.neuronUpdates - per.neuronUpdatesActive,
    messagesTotal: per.inputMessages + per.messages,
    spikeMessages: per.inputSpikes + per.spikesSent,
    hops: per.hopsX + per.hopsY,
  };
}
