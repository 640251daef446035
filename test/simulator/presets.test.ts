/**
 * Activity counts and the comparison presets, pinned on the two-core fixture (counted by hand),
 * and the Loihi (SANA-FE) preset's arithmetic checked against SANA-FE's own run summary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeContainer } from '../../isa/container.js';
import { writeNpy } from '../../models/data/npy.js';
import { activityCounts, ACTIVITY_COUNT, ACTIVITY_KEYS, type ActivityCounts } from '../../simulator/energy/activity.js';
import { compareEstimates, parsePresets, presetEstimate, presetNames, PRESETS } from '../../simulator/energy/presets.js';
import { simulateSync } from '../../simulator/simulate.js';
import { runCli, startCapture, type Capture } from '../helpers/cli.js';
import { tinyContainer } from '../isa/fixtures.js';

// Fixture (test/isa/fixtures.ts): core 0 = 3 IF neurons (theta 2, no bias) over 4 binary inputs,
// SEND to core 1 (one hop east) = 2 readout neurons; T = 2. Input x = [0, 0, 1, 0]:
// step 0: core 0 acc = +1, -1, +1 (3 active updates, no spike); core 1 gets nothing (2 idle
// updates). Step 1: v = 2, -2, 2 -> neurons 0 and 2 fire; 2 spikes sent to core 1 (2 messages,
// 2 east-west hops); core 1 acc = 2, -2 (2 active). Synaptic events: core 0 1 spike x 3 synapses
// x 2 steps = 6, core 1 2 spikes x 2 = 4.
const sparse = simulateSync(tinyContainer(), { count: 1, data: Float32Array.of(0, 0, 1, 0) }).activity;
// x = [1, 1, 0, 1]: 3 input spikes per step; spikes 1 (step 0) + 2 (step 1); every update active
// (core 1 neuron 1 in step 1 has acc 0 but v = -1).
const dense = simulateSync(tinyContainer(), { count: 1, data: Float32Array.of(1, 1, 0, 1) }).activity;

describe('activity counts (hand-counted on the two-core fixture)', () => {
  it('counts input spikes, synaptic events, neuron updates, spikes, messages and hops', () => {
    expect(sparse.perInference).toEqual({
      inputSpikes: 2, inputMessages: 2, synapticEvents: 10, neuronUpdates: 10, neuronUpdatesActive: 8,
      spikesOut: 2, spikesSent: 2, messages: 2, messagesIn: 4, hopsX: 2, hopsY: 0,
    });
    expect(sparse.neuronUpdatesIdle).toBe(2);
    expect(sparse.messagesByDestCore).toEqual([2, 2]);
    expect(sparse.messagesTotal).toBe(4);
    expect(sparse.spikeMessages).toBe(4);
    expect(sparse.hops).toBe(2);
    expect(dense.perInference).toEqual({
      inputSpikes: 6, inputMessages: 6, synapticEvents: 24, neuronUpdates: 10, neuronUpdatesActive: 10,
      spikesOut: 3, spikesSent: 3, messages: 3, messagesIn: 9, hopsX: 3, hopsY: 0,
    });
    expect(dense.messagesByDestCore).toEqual([6, 3]);
  });

  it('averages over inferences', () => {
    const two = simulateSync(tinyContainer(), { count: 2, data: Float32Array.of(0, 0, 1, 0, 1, 1, 0, 1) }).activity;
    expect(two.perInference.synapticEvents).toBe(17);
    expect(two.perInference.neuronUpdatesActive).toBe(9);
    expect(two.messagesByDestCore).toEqual([4, 2.5]);
  });
});

describe('comparison presets (arithmetic by hand on the sparse input)', () => {
  const [loihi, spice, tn] = compareEstimates(['loihi', 'loihi-spice', 'truenorth'], sparse);
  it('loihi (SANA-FE calibrated): 35.5 / 51.2 + 21.6 active / 69.3 per spike / 111 per message / 3.0, 4.2 per hop', () => {
    // synapse 10 x 35.5 = 355; soma 10 x 51.2 + 8 x 21.6 + 2 x 69.3 = 823.4; network 4 x 111 + 2 x 3.0 = 450
    expect(loihi!.byComponent.synapse * 1e12).toBeCloseTo(355, 9);
    expect(loihi!.byComponent.soma * 1e12).toBeCloseTo(823.4, 9);
    expect(loihi!.byComponent.network * 1e12).toBeCloseTo(450, 9);
    expect(loihi!.totalJ * 1e12).toBeCloseTo(1628.4, 9);
  });
  it('loihi-spice (Davies 2018): 23.6 / 81 active, 52 idle / 1.7 per message / 3.0, 4.0 per hop', () => {
    // synapse 236; soma 8 x 81 + 2 x 52 = 752; network 4 x 1.7 + 2 x 3.0 = 12.8
    expect(spice!.byComponent.synapse * 1e12).toBeCloseTo(236, 9);
    expect(spice!.byComponent.soma * 1e12).toBeCloseTo(752, 9);
    expect(spice!.byComponent.network * 1e12).toBeCloseTo(12.8, 9);
    expect(spice!.totalJ * 1e12).toBeCloseTo(1000.8, 9);
  });
  it('truenorth: 26 pJ per synaptic event, nothing else', () => {
    expect(tn!.totalJ * 1e12).toBeCloseTo(260, 9);
    expect(tn!.byComponent.soma + tn!.byComponent.network).toBe(0);
  });
  it('every term carries a kind and a source; terms add up to the total', () => {
    for (const e of [loihi!, spice!, tn!]) {
      expect(e.terms.reduce((a, t) => a + t.totalJ, 0)).toBeCloseTo(e.totalJ, 20);
      for (const t of e.terms) {
        expect(['silicon', 'SPICE', 'calibrated', 'derived', 'assumption']).toContain(t.kind);
        expect(t.source.length).toBeGreaterThan(20);
      }
    }
    expect(loihi!.terms.every((t) => t.kind === 'calibrated' && t.source.includes('arch/loihi.yaml') && t.source.includes('8951ab0711676a773261284d2e8c9d995156cb3d'))).toBe(true);
    expect(spice!.terms.every((t) => t.kind === 'SPICE' && t.source.includes('Davies'))).toBe(true);
  });
});

describe('loihi preset = SANA-FE arithmetic', () => {
  it('reproduces SANA-FE run_summary energies from its own counts (bench/compare-sanafe, 100 digits, 400 steps)', () => {
    // SANA-FE 8951ab0 on arch/loihi.yaml, docs/comparison.md: total_spikes (synaptic events)
    // 15426252; 522 LIF neurons x 400 steps accessed; 208032 LIF updates (total_neurons_updated
    // 250372 minus the 42340 input spikes); 44718 LIF spikes (total_neurons_fired 87058 minus
    // 42340 input spikes); 83058 messages; 0 hops (every group on tile 0).
    const sums = new Float64Array(ACTIVITY_COUNT);
    const set = (k: (typeof ACTIVITY_KEYS)[number], v: number): void => {
      sums[ACTIVITY_KEYS.indexOf(k)] = v;
    };
    set('synapticEvents', 15426252);
    set('neuronUpdates', 522 * 400);
    set('neuronUpdatesActive', 208032);
    set('spikesOut', 44718);
    set('inputSpikes', 42340);
    set('spikesSent', 83058 - 42340);
    const a: ActivityCounts = activityCounts(sums, 1, 1);
    const e = presetEstimate(PRESETS.get('loihi')!, a);
    // SANA-FE: synapse 5.476319e-04, soma 1.828301e-05, network 9.219438e-06, total 5.751344e-04
    expect(e.byComponent.synapse / 5.476319e-4).toBeCloseTo(1, 6);
    expect(e.byComponent.soma / 1.828301e-5).toBeCloseTo(1, 5);
    expect(e.byComponent.network / 9.219438e-6).toBeCloseTo(1, 6);
    expect(e.totalJ / 5.751344e-4).toBeCloseTo(1, 6);
  });
});

describe('presets: bad input', () => {
  it('an unknown name lists the valid ones', () => {
    expect(() => presetNames('loihi,foo')).toThrow("--compare: unknown preset 'foo' (valid: loihi, loihi-spice, truenorth)");
    expect(presetNames(' truenorth ,loihi')).toEqual(['truenorth', 'loihi']);
  });
  it('an entry without kind or source is refused, naming the entry', () => {
    const base = { count: 'synapticEvents', component: 'synapse', value: 1, unit: 'pJ', source: 'x', derivation: 'y' };
    expect(() => parsePresets({ presets: { p: { label: 'P', chip: 'c', entries: { syn: base } } } }, 'f.json')).toThrow('f.json: presets.p.entries.syn: missing "kind"');
    const { source: _s, ...noSource } = { ...base, kind: 'silicon' };
    expect(() => parsePresets({ presets: { p: { label: 'P', chip: 'c', entries: { syn: noSource } } } }, 'f.json')).toThrow('f.json: presets.p.entries.syn: missing "source"');
    expect(() => parsePresets({ presets: { p: { label: 'P', chip: 'c', entries: { syn: { ...base, kind: 'guess' } } } } }, 'f.json')).toThrow('presets.p.entries.syn.kind: must be one of');
  });
});

describe('bwsnn energy / run --compare', () => {
  let cap: Capture;
  beforeEach(() => {
    cap = startCapture('bwsnn-compare-');
  });
  afterEach(() => vi.restoreAllMocks());
  const files = (dir: string): { bwc: string; x: string } => {
    const bwc = join(dir, 'tiny.bwc');
    writeFileSync(bwc, writeContainer(tinyContainer()));
    const x = join(dir, 'x.npy');
    writeFileSync(x, writeNpy({ dtype: 'f4', shape: [1, 4], data: Float32Array.of(0, 0, 1, 0) }));
    return { bwc, x };
  };

  it('energy --json prints activity, the presets with kinds, yardsticks and bits per SOP', async () => {
    const f = files(cap.dir);
    expect(await runCli('energy', f.bwc, '--input', f.x, '--workers', '1', '--json', '--compare', 'loihi,loihi-spice,truenorth')).toBe(0);
    const j = JSON.parse(cap.out.join(''));
    expect(j.activity.perInference.synapticEvents).toBe(10);
    expect(j.activity.messagesByDestCore).toEqual([2, 2]);
    expect(j.comparison.presets.map((p: { preset: string }) => p.preset)).toEqual(['loihi', 'loihi-spice', 'truenorth']);
    expect(j.comparison.presets[0].totalJ * 1e12).toBeCloseTo(1628.4, 9);
    expect(j.comparison.presets[0].terms[0].kind).toBe('calibrated');
    expect(j.comparison.yardsticks.find((y: { name: string }) => y.name === 'truenorth-mnist')).toMatchObject({ accuracy: 0.927, energyPerInferenceJ: 0.408e-6, kind: 'silicon', task: 'MNIST' });
    expect(j.comparison.perSop.synapseBitsPerSop).toBeGreaterThan(0);
    // Provenance and the band in JSON.
    expect(j.byEvent.find((e: { event: string }) => e.event === 'barrier').kind).toBe('assumption');
    expect(j.band.low).toBeLessThan(j.band.central);
    expect(j.band.central).toBe(j.perInference.mean);
    expect(j.timing.find((t: { field: string }) => t.field === 'barrierLatency')).toMatchObject({ value: 32, kind: 'assumption' });
  });

  it('energy text and HTML print kinds, the band and the comparison; an assumption never under a citation', async () => {
    const f = files(cap.dir);
    const html = join(cap.dir, 'e.html');
    expect(await runCli('energy', f.bwc, '--input', f.x, '--workers', '1', '--html', html, '--compare', 'loihi')).toBe(0);
    const text = cap.out.join('');
    expect(text).toMatch(/energy per inference {3}mean .* \(band .* \.\. .*: memory energy by bank/);
    expect(text).toMatch(/synapse_read_word .* \[derived\] M\. Horowitz/);
    expect(text).toMatch(/barrier .* \[assumption\] ASSUMPTION: each core's arrival/);
    expect(text).not.toMatch(/barrier .* \[M\. Davies/);
    expect(text).toContain('compare: Loihi, SANA-FE calibrated values (Intel Loihi, 14 nm) = 1.628 nJ per inference');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Compare: Loihi, SANA-FE calibrated values');
    expect(page).toContain('calibrated');
    expect(page).toContain('band (low .. high memory scaling rule)');
    expect(page).toContain('Whole-inference yardsticks');
  });

  it('run --json adds the activity counts and the band', async () => {
    const f = files(cap.dir);
    expect(await runCli('run', f.bwc, '--input', f.x, '--json')).toBe(0);
    const j = JSON.parse(cap.out.join(''));
    expect(j.activity.perInference.spikesOut).toBe(2);
    expect(j.energyBandJoulesPerInference.central).toBe(j.energyJoulesPerInference);
    expect(j.energyBandJoulesPerInference.low).toBeLessThanOrEqual(j.energyJoulesPerInference);
    expect(j.energyBandJoulesPerInference.high).toBeGreaterThanOrEqual(j.energyJoulesPerInference);
    expect(j.countsPerInference.sops).toBe(10);
  });

  it('run --compare prints the presets; an unknown name exits 2 before simulating', async () => {
    const f = files(cap.dir);
    expect(await runCli('run', f.bwc, '--input', f.x, '--compare', 'truenorth')).toBe(0);
    expect(cap.out.join('')).toContain('compare: TrueNorth, whole-chip energy per synaptic event (IBM TrueNorth, 28 nm) = 260.0 pJ per inference');
    cap.out.length = 0;
    expect(await runCli('run', f.bwc, '--input', f.x, '--compare', 'loihi2')).toBe(2);
    expect(cap.err.join('')).toContain("unknown preset 'loihi2' (valid: loihi, loihi-spice, truenorth)");
    expect(cap.out.join('')).toBe('');
    expect(await runCli('energy', f.bwc, '--input', f.x, '--compare', 'x')).toBe(2);
  });
});
