/** A short fixed-seed run of `npm run fuzz` (the full run is 100,000+ mutants; docs/timing.md). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../fuzz/cases.js';
import { formatSummary, runFuzz } from '../../fuzz/main.js';

describe.skipIf(!existsSync('dist/fuzz/child.js'))('fuzz (short fixed-seed run)', () => {
  it('3000 mutants of all five formats: no escape, hang, blow-up or non-determinism', async () => {
    const s = await runFuzz({ cases: 3000, seed: 20261203, jobs: 1, chunk: 3000, timeoutMs: 20_000, rssLimit: 1.5 * 2 ** 30 });
    const text = formatSummary(s, 20261203);
    expect(s.bad, text).toEqual([]);
    for (const f of FORMATS) {
      const t = s.perFormat[f];
      expect(t.cases).toBe(500);
      // The oracle reaches past the first check: some mutants are accepted, some refused.
      expect(t.refused, `${f}\n${text}`).toBeGreaterThan(0);
      if (f !== 'bwc-bytes') expect(t.accepted, `${f}\n${text}`).toBeGreaterThan(0);
    }
    expect(s.perFormat['bwc-semantic'].simulated).toBeGreaterThan(20);
  }, 120_000);
});
