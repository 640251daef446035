/** simulate() cuts the samples into pieces taken by whichever thread is free (issue 17): same results, same first error. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate, simulateSync } from '../../simulator/simulate.js';
import { buildMlpContainer, randomInputs } from '../../testing/mlp-container.js';
import { plain } from './build.js';

describe.skipIf(!existsSync('dist/simulator/worker.js'))('work pieces over worker threads', () => {
  const c = buildMlpContainer({ sizes: [64, 32, 10], timesteps: 2, seed: 9, theta: 2 });
  const n = 53;
  const data = randomInputs(n, 64, 3, 0.4);
  it('give the same results as one thread, with more pieces than workers', async () => {
    const one = simulateSync(c, { count: n, data });
    for (const workers of [2, 4]) expect(plain(await simulate(c, { count: n, data }, { workers }))).toEqual(plain(one));
  }, 60000);
  it('report the error one thread reports', async () => {
    let want = '';
    try {
      simulateSync(c, { count: n, data }, { maxStepCycles: 20 });
    } catch (e) {
      want = (e as Error).message;
    }
    expect(want).toMatch(/exceeds 20 cycles/);
    await expect(simulate(c, { count: n, data }, { workers: 3, maxStepCycles: 20 })).rejects.toThrow(want);
  }, 60000);
});
