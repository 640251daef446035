/** `bwsnn demo --data OTHER` on a model trained on another data set warns (eval refuses; demo runs on). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCapture } from '../helpers/cli.js';

let out: string[];
let err: string[];
beforeEach(() => {
  ({ out, err } = startCapture('bwsnn-demo-dataset-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('bwsnn demo: the data set against the one the model records', () => {
  it('warns on stderr for another data set, still runs, and says nothing for its own', async () => {
    expect(await runCli('demo', 'mnist-mlp', '--data', 'fashion-mnist', '--limit', '2', '--workers', '1', '--no-progress')).toBe(0);
    expect(err.join('')).toMatch(/^warning: \S*mnist-mlp\.bwsnn: model mnist-mlp was trained on mnist, not fashion-mnist: its predictions on fashion-mnist are not meaningful\n/m);
    expect(out.join('')).toMatch(/fashion-mnist test, 2 inferences/);
    err.length = 0;
    expect(await runCli('demo', 'mnist-mlp', '--limit', '1', '--workers', '1', '--no-progress')).toBe(0);
    expect(err.join('')).not.toMatch(/warning/);
  }, 60_000);
});
