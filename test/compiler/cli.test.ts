/** `bwsnn compile`: outputs, report, IR dumps, exit codes and no partial output on bad input. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCapture } from '../helpers/cli.js';
import { readContainer } from '../../isa/container.js';
import { writeBwsnn } from '../../models/format.js';
import { writeNpy } from '../../models/data/npy.js';
import { randomGraph } from '../../testing/random-graph.js';
import type { CompileReport } from '../../compiler/index.js';

let dir: string;
let out: string[];
let err: string[];

beforeEach(() => {
  ({ dir, out, err } = startCapture('bwsnn-compile-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});

const run = runCli;

function model(kind: 'mlp' | 'conv' = 'mlp'): string {
  const p = join(dir, `${kind}.bwsnn`);
  writeFileSync(p, writeBwsnn(randomGraph(11, { kind })));
  return p;
}

describe('bwsnn compile', () => {
  it('writes a valid .bwc and prints the JSON report with measured cycles', async () => {
    const m = model('conv');
    const o = join(dir, 'm.bwc');
    expect(await run('compile', m, '-o', o, '--json')).toBe(0);
    const c = readContainer(new Uint8Array(readFileSync(o)), o);
    expect(c.cores.length).toBeGreaterThan(0);
    const r = JSON.parse(out.join('')) as CompileReport;
    expect(r.coresUsed).toBe(c.cores.length);
    expect(r.cores.map((x) => x.core).sort()).toEqual(c.cores.map((x) => x.core).sort());
    expect(r.measured).toHaveLength(2);
    expect(r.measured[0]!.cyclesPerInference).toBeGreaterThan(0);
    expect(r.idealCyclesPerStep).toBeCloseTo(r.totalPopcountWords / (r.coresUsed * 4), 9);
    expect(r.layers.every((l) => Number.isInteger(l.fracBits))).toBe(true);
  });

  it('prints the human report, and the IR of a stage', async () => {
    const m = model();
    const o = join(dir, 'm.bwc');
    expect(await run('compile', m, '-o', o, '--report', '--no-measure', '--dump-ir', 'codegen')).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/^phases: 0=depth1/m);
    expect(text).toMatch(/^core 0:\n {3}0: INPUT/m);
    expect(text).toMatch(/ideal lower bound: [\d.]+ cycles per time step/);
    expect(text).toMatch(/simulated cycles: not measured/);
    for (const stage of ['validate', 'lower', 'partition', 'place', 'route', 'emit']) {
      out.length = 0;
      expect(await run('compile', m, '-o', o, '--dump-ir', stage)).toBe(0);
      expect(() => JSON.parse(out.join('')), stage).not.toThrow();
    }
  });

  it('exit 2 on an unknown stage; exit 1 with no output on bad input', async () => {
    const m = model();
    const o = join(dir, 'm.bwc');
    expect(await run('compile', m, '-o', o, '--dump-ir', 'nope')).toBe(2);
    expect(err.join('')).toMatch(/--dump-ir: unknown stage "nope"/);
    expect(await run('compile', m, '-o', o, '--dump-ir', 'place', '--json')).toBe(2);
    // Output path is a directory.
    const d = join(dir, 'outdir');
    mkdirSync(d);
    err.length = 0;
    expect(await run('compile', m, '-o', d)).toBe(1);
    expect(err.join('')).toMatch(/outdir: is a directory/);
    // Inconsistent chip config.
    const chip = join(dir, 'chip.json');
    writeFileSync(chip, JSON.stringify({ membraneBits: 8, thresholdBits: 16 }));
    err.length = 0;
    expect(await run('compile', m, '--chip', chip, '-o', o)).toBe(1);
    expect(err.join('')).toMatch(/chip.json: thresholdBits \(16\) must not exceed membraneBits \(8\)/);
    // A chip too small for any mapping.
    writeFileSync(chip, JSON.stringify({ meshX: 1, meshY: 1, neuronsPerCore: 2 }));
    err.length = 0;
    expect(await run('compile', m, '--chip', chip, '-o', o)).toBe(1);
    expect(err.join('')).toMatch(/layer .*(neuronsPerCore|no core left)/);
    // Not JSON, missing model.
    writeFileSync(chip, '{');
    expect(await run('compile', m, '--chip', chip, '-o', o)).toBe(1);
    expect(await run('compile', join(dir, 'missing.bwsnn'), '-o', o)).toBe(1);
    expect(existsSync(o)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--sample measures the cycles on sample 0 of an .npy array, and refuses one of the wrong shape', async () => {
    const g = randomGraph(11, { kind: 'mlp', encoding: { kind: 'binary', threshold: 0.5 } });
    const m = join(dir, 'mlp.bwsnn');
    writeFileSync(m, writeBwsnn(g));
    const shape = (g.nodes[0] as { shape: number[] }).shape;
    const size = shape.reduce((a, b) => a * b, 1);
    const npy = join(dir, 'x.npy');
    writeFileSync(npy, writeNpy({ dtype: 'f4', shape: [2, ...shape], data: new Float32Array(2 * size).fill(1) }));
    const o = join(dir, 'm.bwc');
    expect(await run('compile', m, '-o', o, '--json', '--sample', npy)).toBe(0);
    const r = JSON.parse(out.join('')) as CompileReport;
    expect(r.measured.map((x) => x.input)).toEqual([`sample 0 of ${npy}`]);
    // The same all-ones sample as the default maximum sample: same cycles.
    out.length = 0;
    expect(await run('compile', m, '-o', o, '--json')).toBe(0);
    const r2 = JSON.parse(out.join('')) as CompileReport;
    expect(r2.measured[1]!.cyclesPerInference).toBe(r.measured[0]!.cyclesPerInference);
    writeFileSync(npy, writeNpy({ dtype: 'f4', shape: [1, size + 1], data: new Float32Array(size + 1) }));
    const o2 = join(dir, 'm2.bwc');
    expect(await run('compile', m, '-o', o2, '--report', '--sample', npy)).toBe(1);
    expect(err.join('')).toMatch(/x\.npy/);
    expect(existsSync(o2)).toBe(false);
  });

  it('--strategy spread (default) spreads over more cores and fewer cycles than pack; exit 2 on an unknown strategy', async () => {
    const m = model();
    const o = join(dir, 'm.bwc');
    const report = async (...extra: string[]): Promise<CompileReport> => {
      out.length = 0;
      expect(await run('compile', m, '-o', o, '--json', ...extra)).toBe(0);
      return JSON.parse(out.join('')) as CompileReport;
    };
    const def = await report();
    const spread = await report('--strategy', 'spread');
    const pack = await report('--strategy', 'pack');
    expect(def.strategy).toBe('spread');
    expect(spread.strategy).toBe('spread');
    expect(pack.strategy).toBe('pack');
    expect(spread.coresUsed).toBeGreaterThan(pack.coresUsed);
    expect(spread.measured[1]!.cyclesPerStep).toBeLessThan(pack.measured[1]!.cyclesPerStep);
    out.length = 0;
    expect(await run('compile', m, '-o', o, '--report', '--no-measure', '--strategy', 'pack')).toBe(0);
    expect(out.join('')).toMatch(/^model .* strategy pack$/m);
    err.length = 0;
    expect(await run('compile', m, '-o', join(dir, 'x.bwc'), '--strategy', 'fast')).toBe(2);
    expect(err.join('')).toMatch(/--strategy: expected one of spread, pack, got "fast"/);
    expect(existsSync(join(dir, 'x.bwc'))).toBe(false);
  });

  const SINABS = '../shared/nir-samples/cnn_sinabs.nir';
  it.skipIf(!existsSync(SINABS))('compiles cnn_sinabs.nir onto the default chip', async () => {
    const o = join(dir, 'cnn.bwc');
    expect(await run('compile', SINABS, '-o', o, '--timesteps', '1', '--json', '--no-measure')).toBe(0);
    const r = JSON.parse(out.join('')) as CompileReport;
    expect(r.coresUsed).toBeLessThanOrEqual(16);
    expect(readContainer(new Uint8Array(readFileSync(o)), o).meta.timesteps).toBe(1);
  });
});
