import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { readBwsnn, writeBwsnn } from '../../models/format.js';
import { readFileSync } from 'node:fs';
import { chain, f32, input, nirBytes, output, vec } from './nir/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'bwsnn-nir-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(['node', 'bwsnn', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const good = join(dir, 'good.nir');
writeFileSync(
  good,
  nirBytes({
    graph: chain([
      ['in', input(3)],
      ['fc', { type: 'Affine', weight: f32([2, 3], [0.5, -0.5, 0.5, 0.1, 0.2, 0.3]), bias: vec(0, 0.25) }],
      ['if', { type: 'IF', r: vec(1, 1), v_threshold: vec(0.4, 0.4) }],
      ['out', output(2)],
    ]),
  }),
);

describe('bwsnn import / export', () => {
  it('import prints the summary and writes a .bwsnn; export writes a NIR file that imports back', async () => {
    const model = join(dir, 'good.bwsnn');
    const r = await run('import', good, '-o', model, '--timesteps', '3', '--weight-bits', '6', '--input-encoding', 'multibit:4');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/time steps T = 3/);
    expect(r.out).toMatch(/input encoding multibit:4/);
    expect(r.out).toMatch(/multi-bit weights: 6 bits, per-row scale/);
    expect(r.out).toMatch(/fc \(Affine\) -> fc, fc:bias: /);
    expect(r.out).toMatch(/readout: spike count of if/);
    const g = readBwsnn(new Uint8Array(readFileSync(model)), model);
    expect(g.timesteps).toBe(3);
    const fc = g.nodes.find((n) => n.name === 'fc')!;
    expect(fc.op === 'linear' && fc.bits).toBe(6);

    const nir = join(dir, 'back.nir');
    const e = await run('export', model, '-o', nir);
    expect(e.code).toBe(0);
    expect(e.out).toMatch(/wrote .*back\.nir: \d+ NIR nodes, \d+ edges \(NIR 1\.0\.0 layout\)/);
    const again = join(dir, 'again.bwsnn');
    expect((await run('import', nir, '-o', again, '-q', '--timesteps', '3', '--weight-bits', '6', '--input-encoding', 'multibit:4')).code).toBe(0);
  });

  it('bad input exits 1 with one line naming the file, and writes nothing', async () => {
    const bad = join(dir, 'bad.nir');
    writeFileSync(bad, 'not hdf5 at all');
    const out = join(dir, 'none.bwsnn');
    const r = await run('import', bad, '-o', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^bwsnn: .*bad\.nir: not an HDF5 file/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);

    const delay = join(dir, 'delay.nir');
    writeFileSync(delay, nirBytes({ graph: chain([['in', input(2)], ['d', { type: 'Delay', delay: vec(1, 1) }], ['out', output(2)]]) }));
    const r2 = await run('import', delay, '-o', out);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/node d \(Delay\): NIR type Delay cannot be lowered/);
    expect(existsSync(out)).toBe(false);
    expect((await run('import', join(dir, 'missing.nir'), '-o', out)).code).toBe(1);

    const garbage = join(dir, 'garbage.bwsnn');
    writeFileSync(garbage, 'not a model');
    const nirOut = join(dir, 'garbage.nir');
    const r3 = await run('export', garbage, '-o', nirOut);
    expect(r3.code).toBe(1);
    expect(r3.err).toMatch(/garbage\.bwsnn/);
    expect(existsSync(nirOut)).toBe(false);
    expect((await run('export', join(dir, 'good.bwsnn'), '-o', nirOut, '--dt', 'x')).code).toBe(2);
    expect(existsSync(nirOut)).toBe(false);

    // A soft-reset model exports exactly and imports back with its soft reset.
    const soft = join(dir, 'soft.bwsnn');
    const g = readBwsnn(new Uint8Array(readFileSync(join(dir, 'good.bwsnn'))), 'good.bwsnn');
    writeFileSync(soft, writeBwsnn({ ...g, nodes: g.nodes.map((n) => (n.op === 'if' ? { ...n, reset: 'soft' as const } : n)) }));
    const softNir = join(dir, 'soft.nir');
    expect((await run('export', soft, '-o', softNir, '-q')).code).toBe(0);
    const softBack = join(dir, 'soft-back.bwsnn');
    expect((await run('import', softNir, '-o', softBack, '-q', '--input-encoding', 'multibit:4')).code).toBe(0);
    const gb = readBwsnn(new Uint8Array(readFileSync(softBack)), softBack);
    const ifn = gb.nodes.find((n) => n.name === 'if')!;
    expect(ifn.op === 'if' && ifn.reset).toBe('soft');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('usage errors exit 2: bad option values, missing -o', async () => {
    const out = join(dir, 'u.bwsnn');
    for (const args of [
      ['--weight-bits', 'x'],
      ['--weight-bits', '1'],
      ['--timesteps', '0'],
      ['--input-encoding', 'spikes'],
      ['--input-encoding', 'multibit:0'],
      ['--dt', '-1'],
    ]) {
      const r = await run('import', good, '-o', out, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(existsSync(out)).toBe(false);
    }
    expect((await run('import', good)).code).toBe(2);
  });
});
