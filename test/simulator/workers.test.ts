/** Results are identical whatever the number of worker threads (uses the built dist/ worker). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate, simulateSync } from '../../simulator/simulate.js';
import { buildMlpContainer, randomInputs } from '../../testing/mlp-container.js';
import { plain } from './build.js';

const built = existsSync('dist/simulator/worker.js');

describe.skipIf(!built)('worker pool', () => {
  const c = buildMlpContainer({ sizes: [100, 40, 30, 10], timesteps: 3, seed: 5, theta: 2 });
  const n = 37;
  const data = randomInputs(n, 100, 11, 0.3);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  it('gives the same result on 1, 2 and 3 workers', async () => {
    const one = simulateSync(c, { count: n, data, labels }, { probes: true, trace: { sample: 20, neurons: [{ core: 1, from: 0, to: 5 }] } });
    expect(one.inferences.some((x) => x.events.spike > 0)).toBe(true);
    for (const workers of [2, 3]) {
      const r = await simulate(c, { count: n, data, labels }, { workers, probes: true, trace: { sample: 20, neurons: [{ core: 1, from: 0, to: 5 }] } });
      expect(plain(r)).toEqual(plain(one));
    }
  }, 60000);
});
