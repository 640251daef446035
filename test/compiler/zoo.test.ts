/**
 * Every model of models/zoo/ (*.bwsnn, produced by the training engineer) folds, compiles onto the
 * default chip and runs bit-exact against the reference on a few inputs. Skipped while the zoo is
 * empty.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { foldGraph } from '../../models/fold.js';
import { loadModel } from '../../models/format.js';
import { randomInput } from '../../models/random-graph.js';
import { expectSimEqualsRef } from './helpers/simcheck.js';

const ZOO = 'models/zoo';
const files = existsSync(ZOO) ? readdirSync(ZOO).filter((f) => f.endsWith('.bwsnn')) : [];

describe.skipIf(files.length === 0)('zoo models: simulator(compile(m)) == runReference(m)', () => {
  for (const f of files) {
    it(f, () => {
      const g = loadModel(join(ZOO, f));
      const m = foldGraph(g, { membraneBits: DEFAULT_CHIP.membraneBits, thresholdBits: DEFAULT_CHIP.thresholdBits, biasBits: DEFAULT_CHIP.biasBits });
      for (let s = 1; s <= 3; s++) expectSimEqualsRef(m, DEFAULT_CHIP, randomInput(g, s));
    });
  }
});
