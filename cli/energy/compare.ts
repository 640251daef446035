/**
 * The comparison part of `bwsnn energy` / `bwsnn run --compare`: other chips' per-event energies
 * on this network's activity (simulator/energy/presets.ts), whole-inference yardsticks from
 * silicon (published.json), and synapse bits fetched per synaptic operation beside the energy per
 * synaptic operation. Text, JSON and HTML renderings share these data.
 */
import { BwsnnError } from '../../isa/errors.js';
import type { ActivityCounts } from '../../simulator/energy/activity.js';
import { compareEstimates, type PresetEstimate } from '../../simulator/energy/presets.js';
import { parseProvenance, provenanceLabel, type Provenance } from '../../simulator/energy/provenance.js';
import type { SimResult } from '../../simulator/simulate.js';
import { si } from '../report/html.js';
import published from './published.json' with { type: 'json' };

export interface Yardstick extends Provenance {
  name: string;
  chip: string;
  task: string;
  /** Fraction correct, or null when the source gives none. */
  accuracy: number | null;
  energyPerInferenceJ: number;
}

function parseYardsticks(raw: unknown, file: string): Yardstick[] {
  if (typeof raw !== 'object' || raw === null) throw new BwsnnError(`${file}: yardsticks: expected an object`);
  return Object.entries(raw as Record<string, Record<string, unknown>>).map(([name, y]) => {
    const at = `${file}: yardsticks.${name}`;
    const prov = parseProvenance(y, at);
    if (typeof y.chip !== 'string' || typeof y.task !== 'string') throw new BwsnnError(`${at}: chip and task must be strings`);
    if (y.accuracy !== null && typeof y.accuracy !== 'number') throw new BwsnnError(`${at}.accuracy: a fraction or null`);
    if (typeof y.energyPerInference !== 'number' || y.unit !== 'J') throw new BwsnnError(`${at}: energyPerInference in J`);
    return { name, chip: y.chip, task: y.task, accuracy: y.accuracy as number | null, energyPerInferenceJ: y.energyPerInference, ...prov };
  });
}

/** Whole-inference energies measured on silicon, with task and accuracy. */
export const YARDSTICKS: readonly Yardstick[] = parseYardsticks(published.yardsticks, 'cli/energy/published.json');

export interface SopFigures {
  synapticOps: number;
  energyPerSopJ: number;
  /** Synapse SRAM bits read per synaptic operation (64-bit words read x 64 / SOPs). */
  synapseBitsPerSop: number;
  note: string;
}

/** Energy per SOP with the synapse bits fetched per SOP beside it (it depends on input density). */
export function sopFigures(r: SimResult): SopFigures {
  const sops = r.counts.sops;
  const words = r.eventsPerInference.synapse_read_word;
  return {
    synapticOps: sops,
    energyPerSopJ: sops > 0 ? r.energy.total / sops : 0,
    synapseBitsPerSop: sops > 0 ? (64 * words) / sops : 0,
    note: 'not a chip figure of merit: a word-level datapath reads whole synapse words whatever the input density, so energy per SOP falls as inputs get denser',
  };
}

export interface Comparison {
  /** This estimate: BW-Core total per inference, with the model's accuracy if labels were given. */
  bwcore: { energyPerInferenceJ: number; accuracy: number | null; task: string };
  presets: PresetEstimate[];
  yardsticks: readonly Yardstick[];
  perSop: SopFigures;
}

export function comparison(names: string[], r: SimResult, activity: ActivityCounts, task: string): Comparison {
  return {
    bwcore: { energyPerInferenceJ: r.energy.total, accuracy: r.accuracy ?? null, task },
    presets: compareEstimates(names, activity),
    yardsticks: YARDSTICKS,
    perSop: sopFigures(r),
  };
}

const acc = (a: number | null): string => (a === null ? 'accuracy n/a' : `${(100 * a).toFixed(2)}%`);

/** Text lines of activity counts. */
export function formatActivity(a: ActivityCounts): string[] {
  const p = a.perInference;
  return [
    'activity per inference (counted the way event-driven chips count)',
    `  input spikes ${p.inputSpikes.toFixed(1)} (x destination cores: ${p.inputMessages.toFixed(1)} messages), synaptic events (input spikes x fan-out) ${p.synapticEvents.toFixed(1)}`,
    `  neuron updates ${p.neuronUpdates.toFixed(1)} (active ${p.neuronUpdatesActive.toFixed(1)}, idle ${a.neuronUpdatesIdle.toFixed(1)}), spikes out ${p.spikesOut.toFixed(1)}`,
    `  spikes sent ${p.spikesSent.toFixed(1)}; spike messages: one per spike ${a.spikeMessages.toFixed(1)}, spike x destination core on this placement ${a.messagesTotal.toFixed(1)} (from cores ${p.messages.toFixed(1)}); hops of those messages (spike x destination core) ${a.hops.toFixed(1)} (east-west ${p.hopsX.toFixed(1)}, north-south ${p.hopsY.toFixed(1)})`,
    `  messages received by core: ${a.messagesByDestCore.map((m, c) => (m > 0 ? `${c}:${m.toFixed(1)}` : '')).filter((s) => s).join(' ')}`,
  ];
}

/** Text lines of the comparison. */
export function formatComparison(c: Comparison): string[] {
  const L: string[] = [];
  for (const p of c.presets) {
    L.push(`compare: ${p.label} (${p.chip}) = ${si(p.totalJ, 'J', 4)} per inference  (synapse ${si(p.byComponent.synapse, 'J', 4)}, soma ${si(p.byComponent.soma, 'J', 4)}, network ${si(p.byComponent.network, 'J', 4)})`);
    if (p.note) L.push(`  note: ${p.note}`);
    for (const t of p.terms) {
      L.push(`  ${t.name.padEnd(14)} ${t.count.padEnd(20)} ${t.countPerInference.toFixed(1).padStart(12)} x ${si(t.energyJ, 'J', 3).padStart(9)} = ${si(t.totalJ, 'J', 4).padStart(11)}   ${provenanceLabel(t)}`);
    }
  }
  L.push('');
  L.push(`whole-inference yardsticks (silicon), beside this estimate: ${si(c.bwcore.energyPerInferenceJ, 'J', 4)} per inference, ${c.bwcore.task}, ${acc(c.bwcore.accuracy)}`);
  for (const y of c.yardsticks) {
    L.push(`  ${y.chip.padEnd(22)} ${y.task.padEnd(17)} ${acc(y.accuracy).padStart(12)} ${si(y.energyPerInferenceJ, 'J', 3).padStart(10)}   ${provenanceLabel(y)}`);
  }
  L.push('');
  const s = c.perSop;
  L.push(`energy per synaptic operation ${si(s.energyPerSopJ, 'J', 3)} with ${s.synapseBitsPerSop.toFixed(2)} synapse bits fetched per SOP (${s.note})`);
  return L;
}

/** HTML tables of the comparison. */
export function comparisonTables(c: Comparison, a: ActivityCounts): { title: string; header: string[]; rows: (string | number)[][] }[] {
  const p = a.perInference;
  return [
    {
      title: 'Activity per inference (event-driven counts)',
      header: ['count', 'per inference'],
      rows: [
        ['input spikes', p.inputSpikes],
        ['input spike messages (x destination cores)', p.inputMessages],
        ['synaptic events (input spikes x fan-out)', p.synapticEvents],
        ['neuron updates', p.neuronUpdates],
        ['neuron updates, active', p.neuronUpdatesActive],
        ['neuron updates, idle', a.neuronUpdatesIdle],
        ['spikes out', p.spikesOut],
        ['spikes sent', p.spikesSent],
        ['spike messages, one per spike', a.spikeMessages],
        ['spike messages, spike x destination core (this placement)', a.messagesTotal],
        ['hops east-west', p.hopsX],
        ['hops north-south', p.hopsY],
      ],
    },
    ...c.presets.map((e) => ({
      title: `Compare: ${e.label} (${e.chip}): ${si(e.totalJ, 'J', 4)} per inference`,
      header: ['entry', 'count', 'count per inference', 'energy per event (pJ)', 'energy (nJ)', 'kind', 'source / derivation'],
      rows: e.terms.map((t) => [t.name, t.count, t.countPerInference, t.energyJ * 1e12, t.totalJ * 1e9, t.kind, provenanceLabel(t)]),
    })),
    {
      title: `Whole-inference yardsticks beside this estimate (${si(c.bwcore.energyPerInferenceJ, 'J', 4)}, ${c.bwcore.task}, ${acc(c.bwcore.accuracy)})`,
      header: ['chip', 'task', 'accuracy', 'energy per inference (uJ)', 'kind', 'source'],
      rows: c.yardsticks.map((y) => [y.chip, y.task, acc(y.accuracy), y.energyPerInferenceJ * 1e6, y.kind, provenanceLabel(y)]),
    },
    {
      title: 'Energy per synaptic operation (not a figure of merit)',
      header: ['energy per SOP (pJ)', 'synapse bits fetched per SOP', 'note'],
      rows: [[c.perSop.energyPerSopJ * 1e12, c.perSop.synapseBitsPerSop, c.perSop.note]],
    },
  ];
}
