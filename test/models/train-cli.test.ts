/** `bwsnn train` refuses bad input with exit code 1 (usage errors: 2) before any training. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';

async function run(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await main(['node', 'bwsnn', 'train', ...args]), err };
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
