/**
 * Analyses behind `bwsnn energy`: the paper-style estimates (SOPs x E_AC, MACs x E_MAC) with their
 * published sources, MAC counts of the equal ANN, per-layer energy, and the data of the HTML report.
 */
import type { BwcContainer } from '../../isa/container-types.js';
import type { IntModel } from '../../models/intmodel.js';
import { COMPONENTS } from '../../simulator/energy/breakdown.js';
import type { EnergyTable } from '../../simulator/energy/table.js';
import type { SimResult } from '../../simulator/simulate.js';
import type { ReportData } from '../report/html.js';
import published from './published.json' with { type: 'json' };
import { ENERGY_EVENTS, WORD_BITS, windowOutWidth } from '../../isa/table.js';
import type { ActivityCounts } from '../../simulator/energy/activity.js';
import { comparisonTables, type Comparison } from './compare.js';
import { provenanceLabel, type ProvenanceKind } from '../../simulator/energy/provenance.js';

interface Figure {
  value: number;
  unit: string;
  what: string;
  source: string;
  kind: string;
}
const FIG = published.figures as Record<string, Figure>;

export interface PaperEstimates {
  sops: number;
  eAC: number;
  eACSource: string;
  snnEstimateJ: number;
  macs: number;
  macsExact: boolean;
  eMAC: number;
  eMACSource: string;
  annEstimateJ: number;
  bwcorePerSop: number;
  loihiPerSop: number;
  loihiSource: string;
  trueNorthPerSop: number;
  trueNorthSource: string;
}

function fig(name: string): Figure {
  const f = FIG[name];
  if (!f) throw new Error(`published.json lacks ${name}`);
  return f;
}

/** The estimates people quote in papers, beside the measured BW-Core energy of `r`. */
export function paperEstimates(r: SimResult, macs: { macs: number; exact: boolean }): PaperEstimates {
  const ac = fig('E_AC');
  const mac = fig('E_MAC');
  const loihi = fig('loihi_synaptic_op');
  const tn = fig('truenorth_synaptic_event');
  const sops = r.counts.sops;
  return {
    sops,
    eAC: ac.value,
    eACSource: ac.source,
    snnEstimateJ: sops * ac.value,
    macs: macs.macs,
    macsExact: macs.exact,
    eMAC: mac.value,
    eMACSource: mac.source,
    annEstimateJ: macs.macs * mac.value,
    bwcorePerSop: sops > 0 ? r.energy.total / sops : 0,
    loihiPerSop: loihi.value,
    loihiSource: loihi.source,
    trueNorthPerSop: tn.value,
    trueNorthSource: tn.source,
  };
}

/** MACs of one forward pass of the equal full-precision ANN (every dense and conv synapse once). */
export function modelMacs(m: IntModel): number {
  let macs = 0;
  for (const l of m.layers) {
    const outSize = l.shape.reduce((a, b) => a * b, 1);
    for (const s of l.synapses) {
      if (s.op.kind === 'dense') macs += s.op.inFeatures * s.op.outFeatures;
      else if (s.op.kind === 'conv') {
        const [cin] = s.op.inShape;
        macs += outSize * cin * s.op.kernel[0] * s.op.kernel[1];
      }
    }
  }
  return macs;
}

/**
 * MACs counted from a binary's accumulate instructions (one program pass = one time step): dense
 * ACC n x 64*len (weight words, so padding bits are counted), ACCW outputs x kh*kw*64*cw.
 * An upper bound of the equal ANN's MACs, used when only the binary is at hand.
 */
export function binaryMacs(c: BwcContainer): number {
  let macs = 0;
  for (const core of c.cores) {
    let win = { inh: 1, inw: 1, cw: 1, kh: 1, kw: 1, sw: 1, pw: 0 };
    for (const ins of core.program) {
      const a = ins.args;
      if (ins.op === 'CFGW') win = { inh: a.inh!, inw: a.inw!, cw: a.cw!, kh: a.kh!, kw: a.kw!, sw: a.sw!, pw: a.pw! };
      else if (ins.op === 'ACC') macs += a.n! * WORD_BITS * a.len!;
      else if (ins.op === 'ACCW') {
        macs += a.oh! * windowOutWidth(win) * a.cout! * win.kh * win.kw * WORD_BITS * win.cw;
      }
    }
  }
  return macs;
}

export interface LayerEnergy {
  /** A layer name, or several joined with '+' when they share their cores. */
  layer: string;
  cores: number[];
  /** Mean per inference: the dynamic energy of those cores plus their leakage. */
  energyJ: number;
}

/**
 * Energy per layer. When the simulation ran with `perLayer` (as `bwsnn energy` does), every event
 * is charged to exactly one layer (simulator/attribution.ts) and leakage is its own entry.
 * Otherwise: cores are grouped by the layers whose neurons they hold (from the binary's
 * probes). A core that holds one layer charges all its energy (dynamic and its leakage) to that
 * layer; layers that share cores are reported together, so every figure is exact, never split by
 * an assumed ratio. Idle cores' leakage is reported as "(idle cores)".
 */
export function layerEnergy(c: BwcContainer, r: SimResult, _table: EnergyTable): LayerEnergy[] {
  if (r.perLayer) {
    // Exact per layer (the simulator ran with perLayer: every event charged to one layer):
    // one entry per layer, then host input flits, control/other, and the leakage of every core.
    const coresOf = new Map<string, Set<number>>();
    for (const p of c.outputMap.probes) {
      if (!coresOf.has(p.layer)) coresOf.set(p.layer, new Set());
      for (const e of p.entries) coresOf.get(p.layer)!.add(e.core);
    }
    const programmed = c.cores.filter((k) => k.program.length > 0).map((k) => k.core);
    const out: LayerEnergy[] = r.perLayer.map((l) => ({
      layer: l.layer,
      cores: coresOf.has(l.layer) ? [...coresOf.get(l.layer)!].sort((a, b) => a - b) : l.layer === 'input' ? [0] : programmed,
      energyJ: l.energy,
    }));
    out.push({ layer: '(leakage, all cores)', cores: r.energy.perCore.map((_, k) => k), energyJ: r.energy.byComponent.leakage });
    return out;
  }
  const layersOf = new Map<number, Set<string>>();
  for (const p of c.outputMap.probes) {
    for (const e of p.entries) {
      if (!layersOf.has(e.core)) layersOf.set(e.core, new Set());
      layersOf.get(e.core)!.add(p.layer);
    }
  }
  // Union-find over layers that share a core.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    if (p !== x) {
      p = find(p);
      parent.set(x, p);
    }
    return p;
  };
  for (const set of layersOf.values()) {
    const [a, ...rest] = [...set];
    if (a === undefined) continue;
    if (!parent.has(a)) parent.set(a, a);
    for (const b of rest) {
      if (!parent.has(b)) parent.set(b, b);
      parent.set(find(b), find(a));
    }
  }
  const groups = new Map<string, { layers: Set<string>; cores: number[]; energy: number }>();
  const probeOrder = c.outputMap.probes.map((p) => p.layer);
  const cores = r.energy.perCore.length;
  let idle = 0;
  const idleCores: number[] = [];
  for (let k = 0; k < cores; k++) {
    const set = layersOf.get(k);
    const e = r.energy.perCore[k] as number;
    if (!set || set.size === 0) {
      idle += e;
      idleCores.push(k);
      continue;
    }
    const root = find([...set][0] as string);
    if (!groups.has(root)) groups.set(root, { layers: new Set(), cores: [], energy: 0 });
    const g = groups.get(root)!;
    for (const l of set) g.layers.add(l);
    g.cores.push(k);
    g.energy += e;
  }
  const out = [...groups.values()]
    .map((g) => ({
      layer: [...g.layers].sort((a, b) => probeOrder.indexOf(a) - probeOrder.indexOf(b)).join('+'),
      cores: g.cores,
      energyJ: g.energy,
      order: Math.min(...[...g.layers].map((l) => probeOrder.indexOf(l))),
    }))
    .sort((a, b) => a.order - b.order)
    .map(({ order: _o, ...rest }) => rest);
  if (idleCores.length > 0) out.push({ layer: '(idle cores)', cores: idleCores, energyJ: idle });
  return out;
}

/** Charts of a run or an energy estimate. */
export function runReportData(
  title: string,
  subtitle: string[],
  summary: { label: string; value: string }[],
  r: SimResult,
  c: BwcContainer,
): ReportData {
  const meshCores = c.chip.meshX * c.chip.meshY;
  const busy = new Array<number>(meshCores).fill(0);
  for (const core of r.cores) busy[core.core] = core.busy;
  const sram = new Array<number>(meshCores).fill(0);
  for (const core of c.cores) sram[core.core] = (core.synapses.length / 2) * 8;
  const flits = new Array<number>(meshCores).fill(0);
  for (const core of r.cores) flits[core.core] = core.events.flit_inject;
  const hops = new Array<number>(meshCores).fill(0);
  for (const core of r.cores) hops[core.core] = core.events.flit_hop;
  const spikesPerLayer = spikeSeries(r, c);
  const energy = new Array<number>(meshCores).fill(0);
  r.energy.perCore.forEach((e, k) => (energy[k] = e));
  const layers = (r.perLayer ?? []).filter((l) => l.layer !== 'input' && l.layer !== 'control/other');
  return {
    title,
    subtitle,
    summary,
    energyByComponent: COMPONENTS.map((k) => ({ label: k, value: r.energy.byComponent[k] })),
    energyByEvent: ENERGY_EVENTS.map((e) => ({ label: e, value: r.energy.byEvent[e] })),
    mesh: {
      meshX: c.chip.meshX,
      meshY: c.chip.meshY,
      metrics: [
        { name: 'energy per inference (dynamic + leakage)', unit: 'J', values: energy },
        { name: 'busy cycles per inference', unit: 'cycles', values: busy },
        { name: 'synapse SRAM used', unit: 'bytes', values: sram },
        { name: 'flits injected per inference', unit: 'flits', values: flits },
        { name: 'flit hops through the router per inference', unit: 'hops', values: hops },
      ],
    },
    // Per layer (every event charged to one layer; host input and control/other shown with the energy).
    ...(r.perLayer
      ? {
          energyByLayer: r.perLayer.map((l) => ({ label: l.layer, value: l.energy })),
          spikesByLayer: layers.map((l) => ({ label: l.layer, value: l.events.spike })),
        }
      : {}),
    spikesPerLayer,
    cyclesPerStep: r.stepCycles,
  };
}

/** Mean spikes per layer per time step (needs probes in the result). */
function spikeSeries(r: SimResult, c: BwcContainer): { name: string; values: number[] }[] | undefined {
  const withSpikes = r.inferences.filter((i) => i.spikes !== undefined);
  if (withSpikes.length === 0) return undefined;
  const T = c.meta.timesteps;
  const out: { name: string; values: number[] }[] = [];
  for (const p of c.outputMap.probes) {
    if (p.kind !== 'spikes') continue;
    const size = p.shape.reduce((a, b) => a * b, 1);
    const values = new Array<number>(T).fill(0);
    for (const inf of withSpikes) {
      const s = inf.spikes![p.layer];
      if (!s) continue;
      for (let t = 0; t < T; t++) {
        let n = 0;
        for (let i = t * size; i < (t + 1) * size; i++) n += s[i] as number;
        values[t] = (values[t] as number) + n / withSpikes.length;
      }
    }
    out.push({ name: p.layer, values });
  }
  return out;
}

/** The HTML report data of `bwsnn energy`. */
export function energyReportData(
  s: { binary: string; model: string; chip: string; data: string; inferences: number; perInference: { mean: number; std: number }; perLayer: LayerEnergy[]; paper: PaperEstimates; byEvent: { event: string; countPerInference: number; unitEnergyJ: number; energyJ: number; source: string; derivation: string; kind: ProvenanceKind; unitLowJ: number; unitHighJ: number }[]; band: { low: number; central: number; high: number }; timing: { field: string; value: number; kind: ProvenanceKind; source: string; derivation: string }[]; activity: ActivityCounts; comparison: Comparison },
  r: SimResult,
  c: BwcContainer,
): ReportData {
  const fmt = (x: number): string => x.toPrecision(4);
  const d = runReportData(
    `bwsnn energy: ${s.model}`,
    [`binary ${s.binary} on chip ${s.chip}`, `${s.inferences} inferences of ${s.data}`],
    [
      { label: 'energy per inference (mean)', value: `${fmt(s.perInference.mean * 1e9)} nJ` },
      { label: 'energy per inference: band (low .. high memory scaling rule)', value: `${fmt(s.band.low * 1e9)} .. ${fmt(s.band.high * 1e9)} nJ (central ${fmt(s.band.central * 1e9)} nJ)` },
      { label: 'energy per inference (std)', value: `${fmt(s.perInference.std * 1e9)} nJ` },
      { label: 'synaptic operations per inference', value: fmt(s.paper.sops) },
      { label: 'paper-style SNN estimate (SOPs x E_AC)', value: `${fmt(s.paper.snnEstimateJ * 1e9)} nJ` },
      { label: 'paper-style ANN estimate (MACs x E_MAC)', value: `${fmt(s.paper.annEstimateJ * 1e9)} nJ` },
      { label: 'energy per synaptic operation (not a figure of merit) / synapse bits fetched per SOP', value: `${fmt(s.comparison.perSop.energyPerSopJ * 1e12)} pJ / ${fmt(s.comparison.perSop.synapseBitsPerSop)} bits` },
      ...s.comparison.presets.map((p) => ({ label: `compare: ${p.label}`, value: `${fmt(p.totalJ * 1e9)} nJ` })),
    ],
    r,
    c,
  );
  d.tables = [
    { title: 'Energy by event (count per inference x energy per event)', header: ['event', 'count', 'energy per event (pJ)', 'band (pJ)', 'energy (nJ)', 'kind', 'source / derivation'], rows: s.byEvent.filter((e) => e.countPerInference > 0).map((e) => [e.event, e.countPerInference, e.unitEnergyJ * 1e12, `${fmt(e.unitLowJ * 1e12)} .. ${fmt(e.unitHighJ * 1e12)}`, e.energyJ * 1e9, e.kind, provenanceLabel(e)]) },
    { title: 'Energy per layer', header: ['layer', 'cores', 'energy (nJ)'], rows: s.perLayer.map((l) => [l.layer, l.cores.join(','), l.energyJ * 1e9]) },
    { title: 'Timing fields of the chip', header: ['field', 'value', 'kind', 'source / rationale'], rows: s.timing.map((t) => [t.field, t.value, t.kind, provenanceLabel(t)]) },
    ...comparisonTables(s.comparison, s.activity),
  ];
  return d;
}
