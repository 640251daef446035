/**
 * The bwsnn side of the SANA-FE comparison (see bench/compare-sanafe/README.md), and the writer of
 * the same network in SANA-FE's YAML SNN format (written from the format's public description;
 * nothing of SANA-FE is imported or copied).
 *
 *   node dist/bench/compare-sanafe/bwsnn-side.js sim SAMPLES [T]
 *       build the mlpGraph of bench/run.ts (784-256-256-10, T; its copy targetMlpGraph in bench/sim-target.ts) (seeded random binary weights), foldForChip, compileModel
 *       onto the default chip, simulate SAMPLES MNIST test digits with 1 worker; prints one JSON
 *       line (cycles, spikes, synaptic ops, energy split dynamic / leakage, host time of simulate).
 *   node dist/bench/compare-sanafe/bwsnn-side.js sanafe-yaml OUT SAMPLES [T]
 *       write the same network (same weights, same binary input spikes, the SAMPLES digits one after
 *       another, T steps each) as a SANA-FE YAML SNN for arch/loihi.yaml; prints one JSON line.
 *   node dist/bench/compare-sanafe/bwsnn-side.js energy SUMMARY.yaml SAMPLES [T]
 *       the energy cross-check (docs/comparison.md): simulate SAMPLES digits, price the activity with
 *       the `loihi` preset (SANA-FE's calibrated values), read SANA-FE's run_summary.yaml of the
 *       same digits and print both per digit, synapse / soma / network / total, with the ratios;
 *       and the preset's arithmetic on SANA-FE's own counts (must reproduce SANA-FE's energies).
 */
import { compileModel } from '../../compiler/index.js';
import { writeAtomic } from '../../base/io.js';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { BwsnnError } from '../../base/errors.js';
import { loadDataset } from '../../models/data/index.js';
import { encodeDataset } from '../../models/data/inputs.js';
import { foldForChip } from '../../compiler/fold-for-chip.js';
import type { BinaryLinearNode, Graph, IFNode } from '../../models/graph.js';
import { closeWorkerPool, simulate } from '../../simulator/index.js';
import { targetMlpGraph as mlpGraph } from '../sim-target.js';
import { compareEstimates } from '../../simulator/energy/presets.js';
import { ACTIVITY_COUNT, ACTIVITY_KEYS, activityCounts } from '../../simulator/energy/activity.js';
import { readFileSync } from 'node:fs';

export const WIDTHS = [784, 256, 256, 10];

function intArg(s: string | undefined, what: string, dflt?: number): number {
  if (s === undefined && dflt !== undefined) return dflt;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new BwsnnError(`${what} must be a positive integer, got '${s ?? ''}'`);
  return n;
}

/** The binary input spikes of `samples` digits, pixel >= the encoding threshold, sample-major. */
function inputSpikes(g: Graph, samples: number): { bits: Uint8Array; size: number } {
  const ds = loadDataset('mnist', 'test');
  const enc = encodeDataset(ds, g);
  const inp = g.nodes[0];
  if (!inp || inp.op !== 'input' || inp.encoding.kind !== 'binary') throw new BwsnnError('mlpGraph: expected a binary input node first');
  const size = enc.sampleLength;
  const bits = new Uint8Array(samples * size);
  for (let k = 0; k < bits.length; k++) bits[k] = enc.data[k]! >= inp.encoding.threshold ? 1 : 0;
  return { bits, size };
}

/** SANA-FE YAML for the graph: input units on core 0.0, each layer on its own Loihi core. */
export function sanafeYaml(g: Graph, spikes: Uint8Array, size: number, samples: number): string {
  const T = g.timesteps;
  const lines: string[] = ['network:', `  name: ${g.name}`, '  groups:'];
  lines.push('    - name: in', '      attributes: []', '      neurons:');
  for (let i = 0; i < size; i++) {
    const train: number[] = [];
    for (let s = 0; s < samples; s++) for (let t = 0; t < T; t++) train.push(spikes[s * size + i]!);
    lines.push(`        - ${i}: {soma_hw_name: "loihi_inputs[${i}]", spikes: [${train.join(',')}]}`);
  }
  const fcs = g.nodes.filter((n): n is BinaryLinearNode => n.op === 'binary_linear');
  const ifs = g.nodes.filter((n): n is IFNode => n.op === 'if');
  fcs.forEach((fc, l) => {
    const ifn = ifs[l];
    // bwsnn fires on v >= th with integer v; Loihi's model fires on v > threshold: th - 0.5.
    // The readout integrates and never fires.
    const th = ifn ? (ifn.threshold[0] as number) - 0.5 : 1e12;
    const mode = ifn ? 'soft' : 'none';
    lines.push(`    - name: l${l + 1}`);
    lines.push(`      attributes: {soma_hw_name: loihi_lif, synapse_hw_name: loihi_dense_synapse, threshold: ${th}, reset_mode: ${mode}, leak_decay: 1.0}`);
    lines.push('      neurons:', `        - 0..${fc.outFeatures - 1}: []`);
  });
  lines.push('  edges:');
  fcs.forEach((fc, l) => {
    const src = l === 0 ? 'in' : `l${l}`;
    // SANA-FE dense lists are source-major (index = src * dests + dst); bwsnn weights are [out][in].
    const w: string[] = new Array<string>(fc.inFeatures * fc.outFeatures);
    for (let i = 0; i < fc.inFeatures; i++) {
      for (let o = 0; o < fc.outFeatures; o++) {
        const k = o * fc.inFeatures + i;
        w[i * fc.outFeatures + o] = (fc.weightBits[k >> 3]! >> (k & 7)) & 1 ? '1' : '-1';
      }
    }
    lines.push(`    - ${src} -> l${l + 1}: {type: dense, weight: [${w.join(',')}]}`);
  });
  lines.push('mappings:', '  - in: {core: 0.0}');
  fcs.forEach((_, l) => lines.push(`  - l${l + 1}: {core: 0.${l + 1}}`));
  return `${lines.join('\n')}\n`;
}

/** The numbers of SANA-FE's run_summary.yaml this check needs (flat `key: number` lines). */
function readSummary(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([a-z_]+):\s*([-+0-9.eE]+)\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  for (const k of ['total_spikes', 'total_messages_sent', 'total_neurons_updated', 'total_neurons_fired', 'timesteps_executed', 'synapse', 'soma', 'network', 'total']) {
    if (!(k in out)) throw new BwsnnError(`${file}: no "${k}" (expected a SANA-FE run_summary.yaml)`);
  }
  return out;
}

async function energyCheck(summary: string, samples: number, T: number): Promise<unknown> {
  const sf = readSummary(summary);
  const g = mlpGraph(WIDTHS, T);
  const chip = DEFAULT_CHIP;
  const m = foldForChip(g, chip);
  const { container } = compileModel(m, chip, { file: g.name });
  const ds = loadDataset('mnist', 'test');
  const enc = encodeDataset(ds, g);
  const r = await simulate(container, { count: samples, data: enc.data.subarray(0, samples * enc.sampleLength) }, { workers: 1, file: g.name });
  await closeWorkerPool();
  const [ours] = compareEstimates(['loihi'], r.activity);
  // SANA-FE's counts -> the same preset: LIF neurons = all but the inputs; input spikes fire input neurons.
  const { bits } = inputSpikes(g, samples);
  let inSpikes = 0;
  for (const b of bits) inSpikes += b;
  inSpikes *= T;
  const lif = WIDTHS.slice(1).reduce((a, b) => a + b, 0);
  const sums = new Float64Array(ACTIVITY_COUNT);
  const set = (k: (typeof ACTIVITY_KEYS)[number], v: number): void => {
    sums[ACTIVITY_KEYS.indexOf(k)] = v;
  };
  set('synapticEvents', sf.total_spikes!);
  set('neuronUpdates', lif * sf.timesteps_executed!);
  set('neuronUpdatesActive', sf.total_neurons_updated! - inSpikes);
  set('spikesOut', sf.total_neurons_fired! - inSpikes);
  set('inputSpikes', inSpikes);
  set('spikesSent', sf.total_messages_sent! - inSpikes);
  const [theirs] = compareEstimates(['loihi'], activityCounts(sums, 1, samples));
  const per = (x: number): number => x / samples;
  const row = (k: 'synapse' | 'soma' | 'network'): unknown => ({
    sanafeJ: per(sf[k]!),
    presetOnBwsnnCountsJ: ours!.byComponent[k],
    ratio: ours!.byComponent[k] / per(sf[k]!),
    presetOnSanafeCountsJ: theirs!.byComponent[k],
  });
  return {
    samples, timesteps: T, summary,
    perDigit: {
      synapse: row('synapse'), soma: row('soma'), network: row('network'),
      total: { sanafeJ: per(sf.total!), presetOnBwsnnCountsJ: ours!.totalJ, ratio: ours!.totalJ / per(sf.total!), presetOnSanafeCountsJ: theirs!.totalJ },
    },
    counts: {
      synapticEvents: { sanafe: per(sf.total_spikes!), bwsnn: r.activity.perInference.synapticEvents },
      lifSpikes: { sanafe: per(sf.total_neurons_fired! - inSpikes), bwsnn: r.activity.perInference.spikesOut },
      activeUpdates: { sanafe: per(sf.total_neurons_updated! - inSpikes), bwsnn: r.activity.perInference.neuronUpdatesActive },
      messages: { sanafe: per(sf.total_messages_sent!), bwsnn: r.activity.spikeMessages },
      inputSpikes: { sanafe: per(inSpikes), bwsnn: r.activity.perInference.inputSpikes },
      hops: { sanafe: 0, bwsnn: r.activity.hops },
    },
  };
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'sim') {
    const samples = intArg(rest[0], 'SAMPLES');
    const T = intArg(rest[1], 'T', 4);
    const g = mlpGraph(WIDTHS, T);
    const chip = DEFAULT_CHIP;
    const m = foldForChip(g, chip);
    const { container } = compileModel(m, chip, { file: g.name });
    const ds = loadDataset('mnist', 'test');
    const enc = encodeDataset(ds, g);
    const data = enc.data.subarray(0, samples * enc.sampleLength);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await simulate(container, { count: samples, data }, { workers: 1, file: g.name });
    const cpu = process.cpuUsage(c0);
    const wall = (performance.now() - t0) / 1000;
    await closeWorkerPool();
    const leak = r.energy.byComponent.leakage ?? 0;
    console.log(JSON.stringify({
      tool: 'bwsnn', model: g.name, samples, timesteps: T, steps: samples * T, cores: container.cores.length,
      simulateWallSeconds: wall, mainThreadCpuSeconds: (cpu.user + cpu.system) / 1e6,
      perInference: {
        cycles: r.cycles.mean, latencySeconds: r.latency.mean, sops: r.counts.sops, spikes: r.counts.spikes,
        energyJ: r.energy.total, leakageJ: leak, dynamicJ: r.energy.total - leak,
        dynamicJPerSop: (r.energy.total - leak) / r.counts.sops,
      },
      activity: r.activity,
      compare: compareEstimates(['loihi', 'loihi-spice', 'truenorth'], r.activity).map((e) => ({ preset: e.preset, totalJ: e.totalJ, byComponent: e.byComponent })),
    }));
  } else if (mode === 'energy') {
    const summary = rest[0];
    if (!summary) throw new BwsnnError('energy: SUMMARY.yaml (SANA-FE run_summary.yaml) missing');
    const samples = intArg(rest[1], 'SAMPLES');
    const T = intArg(rest[2], 'T', 4);
    console.log(JSON.stringify(await energyCheck(summary, samples, T), null, 2));
  } else if (mode === 'sanafe-yaml') {
    const out = rest[0];
    if (!out) throw new BwsnnError('sanafe-yaml: OUT file missing');
    const samples = intArg(rest[1], 'SAMPLES');
    const T = intArg(rest[2], 'T', 4);
    const g = mlpGraph(WIDTHS, T);
    const { bits, size } = inputSpikes(g, samples);
    writeAtomic(out, sanafeYaml(g, bits, size, samples));
    let inSpikes = 0;
    for (const b of bits) inSpikes += b;
    console.log(JSON.stringify({ wrote: out, model: g.name, samples, timesteps: T, steps: samples * T, inputSpikes: inSpikes * T }));
  } else {
    console.error('usage: bwsnn-side.js sim SAMPLES [T] | sanafe-yaml OUT SAMPLES [T] | energy SUMMARY.yaml SAMPLES [T]');
    process.exit(2);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
