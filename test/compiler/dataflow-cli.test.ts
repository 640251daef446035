/**
 * `bwsnn compile --dataflow/--schedule/--profile/--save-profile` and the dataflow axes of
 * `bwsnn sweep`: the report's per-layer choice and alternatives, refusals naming the layer,
 * fallbacks under auto, bad profile data refused like `run --input`, no partial output.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCapture, type Capture } from '../helpers/cli.js';
import { readContainer } from '../../isa/container.js';
import { readBwsnn, writeBwsnn } from '../../models/format.js';
import { writeNpy } from '../../models/data/npy.js';
import { randomGraph } from '../../testing/random-graph.js';
import type { CompileReport } from '../../compiler/index.js';
import { PROFILE_META_KEY } from '../../compiler/profile.js';
import { compileStages } from '../../compiler/index.js';
import { parseChipConfig } from '../../isa/chip.js';
import { randomIntModel } from './helpers/gen.js';

let c: Capture;
beforeEach(() => {
  c = startCapture('bwsnn-dataflow-');
});
afterEach(() => {
  vi.restoreAllMocks();
});

function model(kind: 'mlp' | 'recurrent' | 'conv', seed = 11): string {
  const p = join(c.dir, `${kind}.bwsnn`);
  writeFileSync(p, writeBwsnn(randomGraph(seed, { kind, timesteps: 3, encoding: { kind: 'binary', threshold: 0.5 } })));
  return p;
}

function inputs(file: string, shape: number[], n = 4): string {
  const size = shape.reduce((a, b) => a * b, 1);
  const npy = join(c.dir, 'x.npy');
  const data = new Float32Array(n * size);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 10 < 3 ? 1 : 0;
  writeFileSync(npy, writeNpy({ dtype: 'f4', shape: [n, ...shape], data }));
  void file;
  return npy;
}

describe('bwsnn compile --dataflow --schedule --profile', () => {
  it('reports per layer the choice and the predicted energy and cycles of every alternative', async () => {
    const m = model('mlp');
    const g = readBwsnn(new Uint8Array(readFileSync(m)), m);
    const shape = (g.nodes[0] as { shape: number[] }).shape;
    const o = join(c.dir, 'm.bwc');
    expect(await runCli('compile', m, '-o', o, '--json', '--no-measure', '--dataflow', 'auto', '--schedule', 'auto', '--profile', inputs(m, shape))).toBe(0);
    const r = JSON.parse(c.out.join('')) as CompileReport;
    const plan = r.dataflow!;
    expect(plan.statsFrom).toMatch(/measured on 4 samples/);
    for (const l of plan.layers) {
      expect(l.alternatives.map((a) => `${a.dataflow}/${a.schedule}`).sort()).toEqual(['dense/step', 'dense/time', 'event/step', 'event/time']);
      for (const a of l.alternatives) expect(a.energyPJ).toBeGreaterThan(0);
      // auto picks the cheapest predicted dataflow for the chosen schedule.
      const best = l.alternatives.filter((a) => a.schedule === plan.schedule).sort((a, b) => a.energyPJ - b.energyPJ)[0]!;
      expect(l.dataflow).toBe(best.dataflow);
    }
    const cont = readContainer(new Uint8Array(readFileSync(o)), o);
    const ops = cont.cores.flatMap((k) => k.program.map((i) => i.op));
    if (plan.schedule === 'time') expect(ops).toContain('FIRET');
    else expect(ops).toContain('FIRE');
    c.out.length = 0;
    expect(await runCli('compile', m, '-o', o, '--report', '--no-measure', '--dataflow', 'event', '--schedule', 'time')).toBe(0);
    const text = c.out.join('');
    expect(text).toMatch(/dataflow: schedule time-batched \(layer-major\) \(--schedule time\)/);
    expect(text).toMatch(/dense-step, event-step, dense-time, event-time/);
  });

  it('refuses --dataflow event and --schedule time on a recurrent layer, naming it; auto falls back with a note', async () => {
    const m = model('recurrent');
    const o = join(c.dir, 'r.bwc');
    expect(await runCli('compile', m, '-o', o, '--no-measure', '--dataflow', 'event')).toBe(2);
    expect(c.err.join('')).toMatch(/--dataflow event: layer \S+ cannot use event rows: its synapse from \S+ is recurrent/);
    expect(existsSync(o)).toBe(false);
    c.err.length = 0;
    expect(await runCli('compile', m, '-o', o, '--no-measure', '--schedule', 'time')).toBe(2);
    expect(c.err.join('')).toMatch(/--schedule time: layer \S+: its synapse from \S+ is recurrent/);
    expect(existsSync(o)).toBe(false);
    expect(await runCli('compile', m, '-o', o, '--report', '--no-measure', '--dataflow', 'auto', '--schedule', 'auto')).toBe(0);
    expect(c.out.join('')).toMatch(/note: --schedule auto: step-major, the time-batched schedule does not apply \(layer \S+: its synapse from \S+ is recurrent\)/);
    expect(c.out.join('')).toMatch(/auto: dense \(its synapse from \S+ is recurrent\)/);
  });

  it('refuses --dataflow event on a layer split into partial sums, and falls back under auto', () => {
    // Fan-in of more than 3 axon words is split into partial sums on this chip.
    const chip = parseChipConfig({ name: 'fanin', meshX: 16, meshY: 16, neuronsPerCore: 16, axonLines: 3, synapseSramBytes: 8 * 4096 });
    let checked = 0;
    for (let seed = 1; seed < 40 && checked < 3; seed++) {
      const m = randomIntModel(seed, { kind: 'mlp' });
      const dense = compileStages(m, chip, { strategy: 'pack' });
      const split = new Set(dense.partition.tasks.filter((t) => t.role === 'helper').map((t) => t.layer));
      if (split.size === 0 || m.layers.some((l) => l.synapses.some((s) => s.recurrent))) continue;
      checked++;
      expect(() => compileStages(m, chip, { strategy: 'pack', dataflow: 'event' })).toThrow(/--dataflow event: layer \S+ cannot use event rows: it is split into partial sums \(PSUM\) on this chip/);
      const auto = compileStages(m, chip, { strategy: 'pack', dataflow: 'auto', schedule: 'auto' });
      for (const l of split) expect(auto.plan.layers.find((x) => x.layer === l)!.dataflow).toBe('dense');
      expect(auto.plan.schedule).toBe('step');
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('refuses profile data of the wrong shape like run --input, and bad option values', async () => {
    const m = model('mlp');
    const o = join(c.dir, 'm.bwc');
    const bad = join(c.dir, 'bad.npy');
    writeFileSync(bad, writeNpy({ dtype: 'f4', shape: [2, 5], data: new Float32Array(10) }));
    expect(await runCli('compile', m, '-o', o, '--no-measure', '--dataflow', 'auto', '--profile', bad)).not.toBe(0);
    expect(c.err.join('')).toMatch(/bad\.npy/);
    expect(existsSync(o)).toBe(false);
    c.err.length = 0;
    expect(await runCli('compile', m, '-o', o, '--no-measure', '--dataflow', 'sparse')).toBe(2);
    expect(c.err.join('')).toMatch(/--dataflow: expected one of auto, dense, event, got "sparse"/);
    expect(await runCli('compile', m, '-o', o, '--no-measure', '--schedule', 'layer')).toBe(2);
    expect(c.err.join('')).toMatch(/--schedule: expected one of auto, step, time, got "layer"/);
    expect(existsSync(o)).toBe(false);
  });

  it('stores the profile in the model (--save-profile) and later compiles use it', async () => {
    const m = model('mlp');
    const g = readBwsnn(new Uint8Array(readFileSync(m)), m);
    const shape = (g.nodes[0] as { shape: number[] }).shape;
    const o = join(c.dir, 'm.bwc');
    const saved = join(c.dir, 'profiled.bwsnn');
    expect(await runCli('compile', m, '-o', o, '--no-measure', '--dataflow', 'auto', '--schedule', 'auto', '--profile', inputs(m, shape), '--save-profile', saved)).toBe(0);
    const g2 = readBwsnn(new Uint8Array(readFileSync(saved)), saved);
    expect(typeof g2.meta?.[PROFILE_META_KEY]).toBe('string');
    const o2 = join(c.dir, 'm2.bwc');
    expect(await runCli('compile', saved, '-o', o2, '--json', '--no-measure', '--dataflow', 'auto', '--schedule', 'auto')).toBe(0);
    const r = JSON.parse(c.out.join('')) as CompileReport;
    expect(r.dataflow!.statsFrom).toMatch(/measured on 4 samples of .*x\.npy \(stored in the model\)/);
    expect(readFileSync(o2)).toEqual(readFileSync(o));
    // A corrupt stored profile is refused naming the file and field.
    writeFileSync(saved, writeBwsnn({ ...g2, meta: { [PROFILE_META_KEY]: '{"samples":1,"data":"x","sources":{"in":{"bits":-1}}}' } }));
    expect(await runCli('compile', saved, '-o', o2, '--no-measure', '--dataflow', 'auto')).toBe(1);
    expect(c.err.join('')).toMatch(/profiled\.bwsnn: meta\.spikeProfile\.sources\.in\.bits: expected a non-negative number, got -1/);
  });
});

describe('bwsnn energy with the dataflow options', () => {
  it('prints the predicted energy of each layer beside the simulated one', async () => {
    const m = model('mlp');
    const g = readBwsnn(new Uint8Array(readFileSync(m)), m);
    const shape = (g.nodes[0] as { shape: number[] }).shape;
    const x = inputs(m, shape);
    expect(await runCli('energy', m, '--input', x, '--strategy', 'pack', '--dataflow', 'event', '--schedule', 'time', '--workers', '1', '--json')).toBe(0);
    const s = JSON.parse(c.out.join('')) as { perLayer: { layer: string; energyJ: number; predicted?: { dataflow: string; schedule: string; energyJ: number } }[] };
    const layers = s.perLayer.filter((l) => l.predicted);
    expect(layers.length).toBeGreaterThan(1);
    for (const l of layers) {
      expect(l.predicted!.dataflow).toBe('event');
      expect(l.predicted!.schedule).toBe('time');
      expect(l.predicted!.energyJ).toBeGreaterThan(0);
    }
    c.out.length = 0;
    expect(await runCli('energy', m, '--input', x, '--strategy', 'pack', '--dataflow', 'event', '--schedule', 'time', '--workers', '1')).toBe(0);
    expect(c.out.join('')).toMatch(/predicted \S+ \S*J \(event, time-batched, \d+ busy cycles\)/);
  });
});

describe('bwsnn sweep over dataflow and schedule', () => {
  it('sweeps dataflow x schedule and marks refused points as not fitting', async () => {
    const m = model('mlp');
    const g = readBwsnn(new Uint8Array(readFileSync(m)), m);
    const shape = (g.nodes[0] as { shape: number[] }).shape;
    const csv = join(c.dir, 's.csv');
    expect(await runCli('sweep', m, '--set', 'dataflow=dense,event', '--set', 'schedule=step,time', '--input', inputs(m, shape), '-o', csv, '--workers', '1')).toBe(0);
    const lines = readFileSync(csv, 'utf8').trim().split('\n').filter((l) => !l.startsWith('#'));
    expect(lines[0]).toMatch(/^index,dataflow,schedule,/);
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 3).join('/'))).toEqual(['dense/step', 'dense/time', 'event/step', 'event/time']);
    const rec = model('recurrent', 5);
    const csv2 = join(c.dir, 'r.csv');
    expect(await runCli('sweep', rec, '--set', 'schedule=step,time', '--input', inputs(rec, (readBwsnn(new Uint8Array(readFileSync(rec)), rec).nodes[0] as { shape: number[] }).shape), '-o', csv2, '--workers', '1')).toBe(0);
    expect(c.err.join('')).toMatch(/point 1 \(schedule=time\): does not fit: .*--schedule time: layer/);
  });
});
