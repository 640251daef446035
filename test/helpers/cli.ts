/** Run the `bwsnn` CLI in-process with stdout and stderr captured (tests of the commands). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../cli/main.js';

export interface Capture {
  /** A fresh temporary directory. */
  dir: string;
  /** What the command wrote to stdout / stderr, chunk by chunk (cleared with `.length = 0`). */
  out: string[];
  err: string[];
}

/** Start capturing (call in beforeEach; `vi.restoreAllMocks()` in afterEach stops it). */
export function startCapture(prefix: string): Capture {
  const c: Capture = { dir: mkdtempSync(join(tmpdir(), prefix)), out: [], err: [] };
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    c.out.push(String(s));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    c.err.push(String(s));
    return true;
  });
  return c;
}

/** `bwsnn ARGS...` in-process; resolves to the exit code. */
export const runCli = (...args: string[]): Promise<number> => main(['node', 'bwsnn', ...args]);
