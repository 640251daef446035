/** bwsnn run: end to end over .npy inputs; exit codes 0 / 1 / 2; no partial outputs. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { writeContainer } from '../../isa/container.js';
import { writeNpy } from '../../models/data/npy.js';
import { tinyContainer } from '../isa/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'bwsnn-run-'));
const bwc = join(dir, 'tiny.bwc');
writeFileSync(bwc, writeContainer(tinyContainer()));
const x = join(dir, 'x.npy');
writeFileSync(x, writeNpy({ dtype: 'f4', shape: [2, 4], data: Float32Array.of(1, 1, 0, 1, 0, 0, 0, 0) }));
const y = join(dir, 'y.npy');
writeFileSync(y, writeNpy({ dtype: 'u1', shape: [2], data: Uint8Array.of(0, 1) }));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(['node', 'bwsnn', 'run', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('bwsnn run', () => {
  it('prints accuracy, cycles, latency and the energy breakdown', async () => {
    const r = await run(bwc, '--input', x, '--labels', y);
    expect(r.code).toBe(0);
    // Sample 0 predicts 0 (see tiny.test.ts); sample 1 has no input spikes: readout 0, 0 -> 0.
    expect(r.out).toMatch(/accuracy\s+50\.00% \(1\/2\)/);
    expect(r.out).toMatch(/cycles\s+mean/);
    expect(r.out).toMatch(/synapse memory/);
    expect(r.out).toMatch(/synapse_read_word/);
  });
  it('prints JSON and writes the traces atomically', async () => {
    const vcd = join(dir, 'o.vcd');
    const tr = join(dir, 'o.json');
    const r = await run(bwc, '--input', x, '--vcd', vcd, '--vcd-neurons', '0:0-2', '--trace', tr, '--json', '--per-inference');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { samples: { cycles: number }[]; inferences: number };
    expect(j.inferences).toBe(2);
    expect(j.samples[0]!.cycles).toBe(218);
    expect(readFileSync(vcd, 'utf8')).toMatch(/\$enddefinitions \$end/);
    expect((JSON.parse(readFileSync(tr, 'utf8')) as { traceEvents: unknown[] }).traceEvents.length).toBeGreaterThan(10);
  });
  it('exits 1 on bad input, naming the file', async () => {
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, writeNpy({ dtype: 'f4', shape: [2, 5], data: new Float32Array(10) }));
    let r = await run(bwc, '--input', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.npy: shape \(2, 5\) does not fit/);
    const table = join(dir, 'e.json');
    writeFileSync(table, JSON.stringify({ events: {}, leakage: { value: 1, unit: 'W', source: 's' } }));
    r = await run(bwc, '--input', x, '--energy', table);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/e\.json: events\.instr_fetch: missing/);
    const broken = join(dir, 'broken.bwc');
    writeFileSync(broken, readFileSync(bwc).subarray(0, 40));
    r = await run(broken, '--input', x);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.bwc/);
    const vcd = join(dir, 'never.vcd');
    r = await run(bwc, '--input', bad, '--vcd', vcd);
    expect(existsSync(vcd)).toBe(false);
  });
  it('exits 2 on usage errors', async () => {
    expect((await run(bwc)).code).toBe(2);
    expect((await run(bwc, '--input', x, '--workers', 'many')).code).toBe(2);
    expect((await run(bwc, '--input', x, '--vcd-neurons', '0:1')).code).toBe(2);
  });
});
