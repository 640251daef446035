/**
 * Atomic outputs under kill -9 (issue 16): a writer process is killed at random moments while it
 * rewrites an output with writeAtomic (the helper every command writes its outputs with); the
 * target path must always hold either nothing or one complete version, never a partial file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const io = resolve('dist/isa/io.js');
const SIZE = 4 * 2 ** 20;

/** A writer rewriting `target` forever: version k is SIZE bytes of value k & 0xff. */
const writer = (target: string): string => `
import { writeAtomic } from ${JSON.stringify(io)};
for (let k = 1; ; k++) {
  writeAtomic(${JSON.stringify(target)}, new Uint8Array(${SIZE}).fill(k & 0xff));
  if (k === 1) process.stdout.write('first\\n');
}`;

describe.skipIf(!existsSync(io))('atomic outputs under kill -9', () => {
  it('the target is never partial, whenever the writer dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bwsnn-kill-'));
    for (let round = 0; round < 6; round++) {
      const target = join(dir, `out${round}.bin`);
      const child = spawn(process.execPath, ['--input-type=module', '-e', writer(target)], { stdio: ['ignore', 'pipe', 'inherit'] });
      // Kill after the first complete write (round 0: possibly before any), at varied moments.
      if (round > 0) await new Promise<void>((res) => child.stdout.once('data', () => res()));
      await new Promise((res) => setTimeout(res, 3 + 11 * round));
      const gone = new Promise((res) => child.once('close', res));
      expect(child.kill('SIGKILL')).toBe(true);
      await gone;
      if (round > 0) expect(existsSync(target)).toBe(true);
      if (existsSync(target)) {
        const b = readFileSync(target);
        expect(b.length).toBe(SIZE);
        const v = b[0];
        expect(b.every((x) => x === v)).toBe(true);
      }
    }
    // Only whole outputs (and possibly the killed writer's temporary files) remain in the directory.
    for (const f of readdirSync(dir)) expect(f).toMatch(/^out\d\.bin$|^\.out\d\.bin\.\d+\.\d+\.tmp$/);
  }, 60_000);
});
