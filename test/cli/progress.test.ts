/** Progress bars: only on a terminal and never with --json; when shown they carry the rate and the ETA. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressBar, progressWanted } from '../../cli/progress.js';

const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
afterEach(() => {
  if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
  else delete (process.stderr as { isTTY?: boolean }).isTTY;
  vi.restoreAllMocks();
});

describe('progress', () => {
  it('is wanted on a terminal only, and never with --json or --no-progress', () => {
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    expect(progressWanted({})).toBe(false);
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    expect(progressWanted({})).toBe(true);
    expect(progressWanted({ json: true })).toBe(false);
    expect(progressWanted({ progress: false })).toBe(false);
  });

  it('draws count, rate and ETA on stderr; a disabled bar writes nothing', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      err.push(String(s));
      return true;
    });
    const off = progressBar('x', false);
    off.update(1, 2);
    off.stop();
    expect(err.join('')).toBe('');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    const s = process.stderr as unknown as Record<string, unknown>;
    for (const f of ['cursorTo', 'clearLine', 'moveCursor', 'clearScreenDown']) if (typeof s[f] !== 'function') s[f] = () => true;
    const bar = progressBar('simulating', true);
    bar.update(0, 100);
    await new Promise((r) => setTimeout(r, 50));
    bar.update(50, 100);
    bar.stop();
    const text = err.join('');
    expect(text).toMatch(/simulating/);
    expect(text).toMatch(/50\/100 inferences/);
    expect(text).toMatch(/\d+(\.\d)?\/s/);
    expect(text).toMatch(/ETA \d/);
  });
});
