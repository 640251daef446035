/**
 * Bad NIR input never hangs: the HDF5 tree is read in a worker thread with a timeout.
 * - a file whose metadata is corrupted so that h5wasm loops forever (bytes 3000..3399 of the
 *   Sinabs sample set to 0xff: the synchronous reader never returns on it) is refused by
 *   `bwsnn import` with exit 1 and the timeout message, and the process exits promptly;
 * - random byte flips and truncations of a small valid NIR file either import or reject with a
 *   BwsnnError within the timeout: no other exception, no hang.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BwsnnError } from '../../base/errors.js';
import { importNirAsync, readHdf5TreeAsync } from '../../models/nir/index.js';
import { hdf5ReadTimeout } from '../../models/nir/hdf5-async.js';
import { chain, f32, input, nirBytes, output, vec } from './nir/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'bwsnn-nir-hang-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLE = resolve('../shared/nir-samples/cnn_sinabs.nir');
const CLI = resolve('dist/cli/main.js');

/** The Sinabs sample with bytes 3000..3399 set to 0xff: h5wasm loops forever reading it. */
function hangingBytes(): Uint8Array {
  const b = new Uint8Array(readFileSync(SAMPLE));
  b.fill(0xff, 3000, 3400);
  return b;
}

function cli(args: string[], timeoutMs: string): { status: number | null; stderr: string; stdout: string; ms: number } {
  const t0 = Date.now();
  const p = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, BWSNN_NIR_TIMEOUT_MS: timeoutMs },
  });
  return { status: p.status, stderr: p.stderr, stdout: p.stdout, ms: Date.now() - t0 };
}

describe.skipIf(!existsSync(SAMPLE))('a NIR file whose HDF5 metadata makes h5wasm loop forever', () => {
  it('readHdf5TreeAsync rejects with a BwsnnError naming the file after the timeout', async () => {
    const t0 = Date.now();
    const err = await readHdf5TreeAsync(hangingBytes(), 'hang.nir', { timeoutMs: 800 }).catch((e: unknown) => e);
    const ms = Date.now() - t0;
    expect(err).toBeInstanceOf(BwsnnError);
    expect((err as Error).message).toBe("hang.nir: the HDF5 reader did not finish within 0.8 s: the file's metadata is probably corrupt");
    expect(ms).toBeGreaterThanOrEqual(750);
    expect(ms).toBeLessThan(5000);
    // The reader still works afterwards (a fresh worker replaces the terminated one).
    const tree = await readHdf5TreeAsync(new Uint8Array(readFileSync(SAMPLE)), 'good.nir', { timeoutMs: 10_000 });
    expect([...tree.children.keys()].sort()).toContain('node');
  });

  it.skipIf(!existsSync(CLI))('bwsnn import (built CLI) exits 1 with the timeout message, writes nothing, and exits promptly', () => {
    const bad = join(dir, 'hang.nir');
    writeFileSync(bad, hangingBytes());
    const out = join(dir, 'hang.bwsnn');
    const r = cli(['import', bad, '-o', out], '1500');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad}: the HDF5 reader did not finish within 1.5 s: the file's metadata is probably corrupt`);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(r.ms).toBeLessThan(15_000);
  });

  it.skipIf(!existsSync(CLI))('bwsnn import of a valid file exits 0 promptly (the reader worker does not keep the process alive)', () => {
    const out = join(dir, 'good.bwsnn');
    const r = cli(['import', SAMPLE, '-o', out, '-q', '--input-encoding', 'multibit:8'], '20000');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(r.ms).toBeLessThan(15_000);
  });
});

describe('the read timeout', () => {
  it('is the option, else $BWSNN_NIR_TIMEOUT_MS, else 20 s; bad values are usage errors', () => {
    const saved = process.env.BWSNN_NIR_TIMEOUT_MS;
    try {
      delete process.env.BWSNN_NIR_TIMEOUT_MS;
      expect(hdf5ReadTimeout()).toBe(20_000);
      process.env.BWSNN_NIR_TIMEOUT_MS = '1500';
      expect(hdf5ReadTimeout()).toBe(1500);
      expect(hdf5ReadTimeout({ timeoutMs: 300 })).toBe(300);
      process.env.BWSNN_NIR_TIMEOUT_MS = 'soon';
      expect(() => hdf5ReadTimeout()).toThrow(/BWSNN_NIR_TIMEOUT_MS: expected a positive number of milliseconds, got "soon"/);
      expect(() => hdf5ReadTimeout({ timeoutMs: 0 })).toThrow(BwsnnError);
    } finally {
      if (saved === undefined) delete process.env.BWSNN_NIR_TIMEOUT_MS;
      else process.env.BWSNN_NIR_TIMEOUT_MS = saved;
    }
  });
});

describe('random corruptions of a small valid NIR file', () => {
  const valid = nirBytes({
    graph: chain([
      ['in', input(3)],
      ['fc', { type: 'Affine', weight: f32([2, 3], [0.5, -0.5, 0.5, 0.1, 0.2, 0.3]), bias: vec(0, 0.25) }],
      ['lif', { type: 'LIF', tau: vec(8e-4, 8e-4), r: vec(1, 1), v_leak: vec(0, 0), v_threshold: vec(0.4, 0.4), v_reset: vec(0, 0) }],
      ['out', output(2)],
    ]),
  });

  it('the unmodified file imports', async () => {
    const g = await importNirAsync(valid, 'valid.nir', { timeoutMs: 10_000 });
    expect(g.nodes.map((n) => n.name)).toContain('fc');
  });

  const flips = fc.record({
    kind: fc.constant('flip' as const),
    edits: fc.array(fc.record({ at: fc.nat({ max: valid.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }),
  });
  const truncations = fc.record({ kind: fc.constant('truncate' as const), length: fc.nat({ max: valid.length - 1 }) });

  it('each of 300 byte flips / truncations imports or rejects with a BwsnnError within the timeout', async () => {
    const outcomes = { imported: 0, refused: 0, timedOut: 0 };
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: flips, weight: 3 }, { arbitrary: truncations, weight: 1 }), async (m) => {
        let bytes: Uint8Array;
        if (m.kind === 'truncate') bytes = valid.slice(0, m.length);
        else {
          bytes = valid.slice();
          for (const e of m.edits) bytes[e.at] = e.value;
        }
        const t0 = Date.now();
        try {
          await importNirAsync(bytes, 'mutant.nir', { timeoutMs: 2000 });
          outcomes.imported++;
        } catch (e) {
          expect(e).toBeInstanceOf(BwsnnError);
          expect((e as Error).message.startsWith('mutant.nir')).toBe(true);
          if (/did not finish within/.test((e as Error).message)) outcomes.timedOut++;
          else outcomes.refused++;
        }
        expect(Date.now() - t0).toBeLessThan(6000);
      }),
      { numRuns: 300 },
    );
    expect(outcomes.imported + outcomes.refused + outcomes.timedOut).toBe(300);
    // Both outcomes occur (a flip in raw weight data still imports; a truncation never does).
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.imported).toBeGreaterThan(0);
    console.log(`NIR mutations: ${JSON.stringify(outcomes)}`);
  }, 120_000);
});
