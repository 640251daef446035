/**
 * Every --json output against its JSON Schema (docs/schemas/*.schema.json), on the commands' real
 * output, plus the invariants the schemas cannot say (breakdown sums to the total, predictions and
 * per-input rows agree, units are what the names say). Also --out in its three formats.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCapture } from '../helpers/cli.js';
import { buildProgram } from '../../cli/main.js';
import { readNpy, writeNpy } from '../../models/data/npy.js';
import { writeBwsnn } from '../../models/format.js';
import { randomGraph, randomInput } from '../../testing/random-graph.js';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { ENERGY_EVENTS } from '../../isa/table.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Ajv = ((AjvModule as any).default ?? AjvModule) as typeof AjvModule;
const root = join(__dirname, '..', '..');
const schemaDir = join(root, 'docs', 'schemas');
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validators = Object.fromEntries(
  readdirSync(schemaDir)
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => [f.replace('.schema.json', ''), ajv.compile(JSON.parse(readFileSync(join(schemaDir, f), 'utf8')) as object)]),
);

function valid(kind: string, doc: unknown): void {
  const v = validators[kind];
  expect(v, `docs/schemas/${kind}.schema.json`).toBeDefined();
  const ok = v!(doc);
  expect(ok, `${kind}: ${ajv.errorsText(v!.errors)}`).toBe(true);
  // The top level allows additional properties (new fields need no version bump), so check here
  // that the schema describes every field the command prints.
  const props = Object.keys((JSON.parse(readFileSync(join(schemaDir, `${kind}.schema.json`), 'utf8')) as { properties?: object }).properties ?? {});
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && props.length) {
    expect(Object.keys(doc).filter((k) => !props.includes(k)), `${kind}: fields missing from docs/schemas/${kind}.schema.json`).toEqual([]);
  }
}

let dir: string;
let out: string[];
beforeEach(() => {
  ({ dir, out } = startCapture('bwsnn-schemas-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});

const N = 6;
function fixture(): { model: string; input: string; labels: string } {
  const graph = randomGraph(5, { kind: 'mlp', timesteps: 3 });
  const model = join(dir, 'm.bwsnn');
  writeFileSync(model, writeBwsnn(graph));
  const xs = Array.from({ length: N }, (_, i) => randomInput(graph, 100 + i));
  const size = xs[0]!.length;
  const data = new Float32Array(N * size);
  xs.forEach((x, i) => data.set(x, i * size));
  const inp = graph.nodes.find((x) => x.op === 'input')!;
  const input = join(dir, 'x.npy');
  writeFileSync(input, writeNpy({ dtype: 'f4', shape: [N, ...(inp.op === 'input' ? inp.shape : [])], data }));
  const labels = join(dir, 'y.npy');
  writeFileSync(labels, writeNpy({ dtype: 'u1', shape: [N], data: Uint8Array.from({ length: N }, (_, i) => i % 2) }));
  return { model, input, labels };
}

async function json(...args: string[]): Promise<Record<string, unknown>> {
  out.length = 0;
  expect(await runCli(...args)).toBe(0);
  return JSON.parse(out.join('')) as Record<string, unknown>;
}

interface Flat {
  inferences: number;
  accuracy: number | null;
  predictions: number[];
  cyclesPerInference: number;
  latencySeconds: number;
  energyJoulesPerInference: number;
  energyBreakdown: Record<string, number>;
  events: Record<string, number>;
  layers: { layer: string; spikesPerInference: number }[];
  samples?: { index: number; prediction: number; label: number | null; correct: boolean | null; cycles: number; latencySeconds: number; energyJoules: number; readout: number[] }[];
}

function checkFlat(d: Flat, labelled: boolean, fixtureLabels = true): void {
  expect(d.inferences).toBe(N);
  expect(d.predictions).toHaveLength(N);
  const sum = Object.values(d.energyBreakdown).reduce((a, b) => a + b, 0);
  expect(sum).toBeCloseTo(d.energyJoulesPerInference, 18);
  expect(d.latencySeconds).toBeCloseTo(d.cyclesPerInference / DEFAULT_CHIP.clockHz, 15);
  expect(d.layers.reduce((a, l) => a + l.spikesPerInference, 0)).toBeCloseTo(d.events.spike as number, 9);
  if (d.samples) {
    expect(d.samples.map((s) => s.index)).toEqual([...Array(N).keys()]);
    expect(d.samples.map((s) => s.prediction)).toEqual(d.predictions);
    expect(d.samples.reduce((a, s) => a + s.cycles, 0) / N).toBeCloseTo(d.cyclesPerInference, 9);
    expect(d.samples.reduce((a, s) => a + s.energyJoules, 0) / N).toBeCloseTo(d.energyJoulesPerInference, 18);
    for (const s of d.samples) expect(s.latencySeconds).toBeCloseTo(s.cycles / DEFAULT_CHIP.clockHz, 15);
    if (labelled) {
      if (fixtureLabels) expect(d.samples.map((s) => s.label)).toEqual([...Array(N).keys()].map((i) => i % 2));
      for (const s of d.samples) expect(s.correct).toBe(s.label === s.prediction);
      expect(d.accuracy).toBeCloseTo(d.samples.filter((s) => s.correct).length / N, 12);
    } else {
      expect(d.samples.every((s) => s.label === null && s.correct === null)).toBe(true);
    }
  }
  if (!labelled) expect(d.accuracy).toBeNull();
}

describe('--json outputs validate against docs/schemas', () => {
  it('every command with --json has a schema file', () => {
    const program = buildProgram();
    const withJson = program.commands.filter((c) => c.options.some((o) => o.long === '--json')).map((c) => c.name());
    expect(withJson.sort()).toEqual(['chips', 'compile', 'demo', 'energy', 'eval', 'inspect', 'run', 'sweep']);
    for (const c of withJson) expect(existsSync(join(schemaDir, `${c}.schema.json`)), c).toBe(true);
  });

  it('compile, inspect, run, energy, eval, sweep: real output is valid, flat fields consistent', async () => {
    const f = fixture();
    const bin = join(dir, 'm.bwc');
    const c = await json('compile', f.model, '-o', bin, '--json');
    valid('compile', c);
    expect((c.capacity as Record<string, number>).axonWords).toBe(DEFAULT_CHIP.axonLines);
    valid('inspect', await json('inspect', bin, '--json'));
    valid('chips', await json('chips', '--json'));

    const r = await json('run', bin, '--input', f.input, '--labels', f.labels, '--workers', '1', '--json', '--per-inference');
    valid('run', r);
    checkFlat(r as unknown as Flat, true);
    const r0 = await json('run', bin, '--input', f.input, '--workers', '1', '--json');
    valid('run', r0);
    checkFlat(r0 as unknown as Flat, false);
    expect(r0.samples).toBeUndefined();

    const e = await json('energy', f.model, '--input', f.input, '--labels', f.labels, '--workers', '1', '--json', '--per-inference');
    valid('energy', e);
    checkFlat(e as unknown as Flat, true);
    expect(e.energyJoulesPerInference).toBe((e.perInference as { mean: number }).mean);

    const v = await json('eval', f.model, '--input', f.input, '--labels', f.labels, '--json', '--per-inference');
    valid('eval', v);
    expect((v.samples as unknown[]).length).toBe(N);

    const s = await json('sweep', f.model, '--set', 'lanes=1,4', '--input', f.input, '--workers', '1', '-o', join(dir, 's.csv'), '--json');
    valid('sweep', s);
    expect((s.points as unknown[]).length).toBe(2);
    const meta = JSON.parse(readFileSync(join(dir, 's.meta.json'), 'utf8')) as unknown;
    valid('sweep', meta);
  });

  it('demo --json is valid', async () => {
    const d = await json('demo', 'mnist-mlp', '--limit', String(N), '--workers', '1', '--json', '--per-inference');
    valid('demo', d);
    checkFlat(d as unknown as Flat, true, false);
    expect(d.reference).toEqual({ samePredictions: N, sameReadouts: N });
  });
});

describe('--out FILE.csv|.jsonl|.npy', () => {
  it('writes the per-input results in the three formats, equal to the --per-inference rows', async () => {
    const f = fixture();
    const bin = join(dir, 'm.bwc');
    expect(await runCli('compile', f.model, '-o', bin, '--no-measure')).toBe(0);
    const base = ['run', bin, '--input', f.input, '--labels', f.labels, '--workers', '1'];
    const doc = (await json(...base, '--json', '--per-inference')) as unknown as Flat;
    const rows = doc.samples!;
    expect(await runCli(...base, '--out', join(dir, 'p.csv'))).toBe(0);
    expect(await runCli(...base, '--out', join(dir, 'p.jsonl'))).toBe(0);
    expect(await runCli(...base, '--out', join(dir, 'p.npy'))).toBe(0);
    const csv = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
    const C = rows[0]!.readout.length;
    expect(csv[0]).toBe(['index', 'prediction', 'label', 'correct', 'cycles', 'latency_s', 'energy_j', ...Array.from({ length: C }, (_, k) => `readout_${k}`)].join(','));
    expect(csv).toHaveLength(N + 1);
    csv.slice(1).forEach((line, i) => {
      const cells = line.split(',');
      expect(Number(cells[1])).toBe(rows[i]!.prediction);
      expect(Number(cells[2])).toBe(rows[i]!.label);
      expect(cells[3]).toBe(rows[i]!.correct ? '1' : '0');
      expect(Math.abs(Number(cells[6]) / rows[i]!.energyJoules - 1)).toBeLessThan(5e-6); // 6 significant digits
      expect(cells[6]!.replace(/^0\.0*|e.*$|\./g, '').length).toBeLessThanOrEqual(6);
    });
    const jsonl = readFileSync(join(dir, 'p.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(jsonl).toEqual(rows);
    const npy = readNpy(new Uint8Array(readFileSync(join(dir, 'p.npy'))), 'p.npy');
    expect(npy.shape).toEqual([N, 7 + C]);
    expect(npy.data[1]).toBe(rows[0]!.prediction);
    expect(npy.data[(7 + C) * (N - 1) + 4]).toBe(rows[N - 1]!.cycles);
    expect(await runCli(...base, '--out', join(dir, 'p.txt'))).toBe(2);
    expect(existsSync(join(dir, 'p.txt'))).toBe(false);
  });
});

describe('the schemas are strict enough to catch a changed field', () => {
  const EVENTS0 = Object.fromEntries(ENERGY_EVENTS.map((e) => [e, 0]));
  it('refuses a run document whose inferences is the old per-inference array, or that lacks a flat field', () => {
    const good = {
      schema: 'bwsnn-run', schemaVersion: 1, binary: 'b', model: 'm', chip: 'c', timesteps: 2, data: 'd', energyTable: 't',
      inferences: 1, accuracy: null, predictions: [0], cyclesPerInference: 1, latencySeconds: 1e-9, energyJoulesPerInference: 1e-9,
      energyBreakdown: { core_datapath: 0, synapse_memory: 0, neuron_memory: 0, axon_memory: 0, network: 0, control: 0, leakage: 1e-9 },
      events: EVENTS0,
      layers: [], correct: null,
      stats: { cycles: { mean: 1, min: 1, max: 1 }, latencySeconds: { mean: 1, min: 1, max: 1 }, energyJoules: { mean: 1, min: 1, max: 1 } },
      cyclesPerStep: [1], countsPerInference: { sops: 0, spikes: 0, flits: 0, hops: 0 }, energyByEventJoules: EVENTS0, perCore: [],
      energyBandJoulesPerInference: { low: 1e-9, central: 1e-9, high: 1e-9 },
      activity: {
        perInference: { inputSpikes: 0, inputMessages: 0, synapticEvents: 0, neuronUpdates: 0, neuronUpdatesActive: 0, spikesOut: 0, spikesSent: 0, messages: 0, messagesIn: 0, hopsX: 0, hopsY: 0 },
        messagesByDestCore: [], neuronUpdatesIdle: 0, messagesTotal: 0, spikeMessages: 0, hops: 0,
      },
    };
    const v = validators.run!;
    expect(v(good), ajv.errorsText(v.errors)).toBe(true);
    expect(v({ ...good, inferences: [{ prediction: 0 }] })).toBe(false);
    const { latencySeconds: _l, ...noLatency } = good;
    expect(v(noLatency)).toBe(false);
    expect(v({ ...good, energyBreakdown: { ...good.energyBreakdown, 'core datapath': 1 } })).toBe(false);
    expect(v({ ...good, schemaVersion: 2 })).toBe(false);
    const { activity: _a, ...noActivity } = good;
    expect(v(noActivity)).toBe(false);
  });

  it('text run without labels prints a histogram of predictions and the first predictions', async () => {
    const f = fixture();
    const bin = join(dir, 'm.bwc');
    expect(await runCli('compile', f.model, '-o', bin, '--no-measure')).toBe(0);
    out.length = 0;
    expect(await runCli('run', bin, '--input', f.input, '--workers', '1')).toBe(0);
    const text = out.join('');
    const doc = await json('run', bin, '--input', f.input, '--workers', '1', '--json');
    const preds = doc.predictions as number[];
    expect(text).toMatch(/predictions \(no labels given\): count per class/);
    expect(text).toContain(`first ${N} of ${N}: ${preds.join(' ')}`);
    const counts = preds.reduce<Record<number, number>>((a, p) => ({ ...a, [p]: (a[p] ?? 0) + 1 }), {});
    for (const [k, n] of Object.entries(counts)) expect(text).toMatch(new RegExp(`\\b${k}:${n}\\b`));
    expect(text).toMatch(/per layer \(mean per inference\)/);
  });
});
