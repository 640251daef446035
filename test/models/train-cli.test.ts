/** `bwsnn train` refuses bad input with exit code 1 (usage errors: 2) before any training. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';

async function run(args: string[]): Promise<{ code: number; err: string; stdout: string }> {
  let err = '';
  let stdout = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  try {
    return { code: await main(['node', 'bwsnn', 'train', ...args]), err, stdout };
  } finally {
    spy.mockRestore();
    out.mockRestore();
  }
}

describe('bwsnn train: bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bwsnn-train-'));
  const out = join(dir, 'm.bwsnn');
  const cases: [string[], number, RegExp][] = [
    [['--arch', 'resnet50', '--out', out], 1, /unknown architecture 'resnet50'/],
    [['--arch', 'mnist-mlp', '--out', out, '--epochs', 'many'], 1, /--epochs expects a number/],
    [['--arch', 'mnist-mlp', '--out', out, '--epochs', '0'], 1, /--epochs must be an integer/],
    [['--arch', 'mnist-mlp', '--out', out, '--kd-alpha', '1.5'], 1, /--kd-alpha must be in \[0, 1\]/],
    [['--arch', 'mnist-mlp', '--out', out, '--kd-temp', '0'], 1, /--kd-temp/],
    [['--arch', 'mnist-mlp', '--out', out, '--batch', '0'], 1, /--batch/],
    [['--arch', 'mnist-mlp', '--out', join(dir, 'missing', 'm.bwsnn')], 1, /output directory .* does not exist/],
    [['--arch', 'mnist-mlp', '--out', dir], 1, /is a directory/],
    [['--out', out], 2, /--arch/],
  ];
  for (const [args, code, msg] of cases) {
    it(`${args.join(' ')} -> exit ${code}`, async () => {
      const r = await run(args);
      expect(r.code).toBe(code);
      expect(r.err).toMatch(msg);
      expect(readdirSync(dir).filter((f) => f !== 'missing')).toEqual([]);
    });
  }
});

describe('bwsnn train: a small real run', () => {
  it('trains, writes the model and its card atomically, and the model loads', async () => {
    const { loadModel } = await import('../../models/format.js');
    const dir = mkdtempSync(join(tmpdir(), 'bwsnn-train-ok-'));
    const out = join(dir, 'm.bwsnn');
    const card = join(dir, 'm.json');
    const args = ['--arch', 'mnist-mlp', '--out', out, '--card', card, '--epochs', '1', '--teacher-epochs', '1'];
    const r = await run([...args, '--train-limit', '96', '--test-limit', '40', '-T', '2', '--quiet']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // the summary counts the samples trained on (--train-limit), not the whole split
    expect(r.stdout).toMatch(/\(96 train \/ 40 test, /);
    expect(readdirSync(dir).sort()).toEqual(['m.bwsnn', 'm.json']);
    const g = loadModel(out);
    expect(g.timesteps).toBe(2);
    expect(g.nodes.map((n) => n.op)).toEqual([
      'input', 'binary_linear', 'batchnorm', 'if',
      'binary_linear', 'batchnorm', 'add', 'if',
      'binary_linear', 'batchnorm', 'add', 'if',
      'binary_linear', 'batchnorm', 'readout',
    ]);
    const c = (await import('node:fs')).readFileSync(card, 'utf-8');
    const j = JSON.parse(c) as { accuracy: { integerReferenceTest: number; floatTest: number }; split: { test: string }; trainingCommand: string };
    expect(j.split.test).toMatch(/first 40 samples/);
    // measured on 40 samples: a multiple of 1/40, and the model's metadata carries the same number
    expect(Number.isInteger(Math.round(j.accuracy.integerReferenceTest * 40 * 1e6) / 1e6)).toBe(true);
    expect(g.meta?.integerReferenceTestAccuracy).toBe(j.accuracy.integerReferenceTest);
    expect(j.trainingCommand).toMatch(/^bwsnn train --arch mnist-mlp/);
  });
});
