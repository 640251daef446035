/** One "fold for this chip": every command and bench folds through compiler/fold-for-chip.ts. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chipFoldWidths, foldForChip } from '../../compiler/fold-for-chip.js';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { foldGraph } from '../../models/fold.js';
import { randomGraph } from '../../testing/random-graph.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('foldForChip', () => {
  it('takes the membrane, threshold and bias widths from the chip', () => {
    const chip = { ...DEFAULT_CHIP, membraneBits: 12, thresholdBits: 10, biasBits: 9 };
    expect(chipFoldWidths(chip)).toEqual({ membraneBits: 12, thresholdBits: 10, biasBits: 9 });
    const g = randomGraph(7, { kind: 'mlp' });
    const m = foldForChip(g, chip, 'g.bwsnn');
    expect(m.membraneBits).toBe(12);
    expect(m).toEqual(foldGraph(g, { membraneBits: 12, thresholdBits: 10, biasBits: 9 }, 'g.bwsnn'));
  });

  it('is the only place in cli/ and bench/ that maps chip widths onto fold widths', () => {
    const offenders = [...tsFiles('cli'), ...tsFiles('bench')].filter((f) => /thresholdBits:\s*[\w.]*chip\.thresholdBits/i.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
