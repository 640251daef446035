/**
 * Reproducers of hostile inputs (issue 16), kept as files: each must be refused with one clean
 * line, quickly and within the memory budget, by the library oracle of `npm run fuzz` and by the CLI.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runMutant, type Format } from '../../fuzz/cases.js';
import { writeNpy } from '../../models/data/npy.js';
import { writeBwsnn } from '../../models/format.js';
import { randomGraph } from '../../testing/random-graph.js';
import { runCli, startCapture, type Capture } from '../helpers/cli.js';

const DIR = 'test/fuzz/repro';
const FORMAT: Record<string, Format> = { bwc: 'bwc-semantic', bwsnn: 'bwsnn', json: 'chip', npy: 'npy', s: 'asm' };
const EXPECT: Record<string, RegExp> = {
  'send-spill.bwc': /list 0 destination 0: SEND at instruction 3 writes axon words up to 4, outside axonLines = 4$/,
  'huge-machine.bwc': /simulating needs about \d+ bytes \(1024 programmed cores of 65535 neurons .* more than the memory budget of 268435456 bytes \(--max-memory\)$/,
  'flit-storm.bwc': /core 0, time step 0, instruction 1 \(SEND\): .*flits staged and in flight, past .*--max-memory/,
  'endless-loop.bwc': /core 1, time step 0, instruction 1 \(BNZD\): cycle \d+ of the inference is past the budget of 200000 cycles \(--max-cycles\)$/,
  'deep-header.bwsnn': /mutant.bwsnn: header: JSON nested deeper than 64 levels$/,
  'multiline-header.bwsnn': /mutant.bwsnn: header: invalid JSON/,
  'deep-field.json': /JSON nested deeper than 64 levels$/,
  'deep-object.json': /JSON nested deeper than 64 levels$/,
  'multiline.json': /mutant.json: invalid JSON/,
  // Found by `npm run fuzz -- --seed 16` (case numbers in the names).
  'found-16-19509-name-u2028.bwsnn': /nodes\[1\]\.name: invalid node name " " \(1\.\.255 characters/,
  'found-16-31221-long-input-name.bwsnn': /node bn1: input "a{70,80}\.\.\. does not exist$/,
};

describe('fuzz reproducers', () => {
  const files = readdirSync(DIR).sort();
  it('every reproducer has an expectation', () => {
    expect(files.filter((f) => !(f in EXPECT))).toEqual([]);
  });
  for (const f of files) {
    it(`${f} is refused on one line`, () => {
      const t0 = performance.now();
      const o = runMutant(FORMAT[f.slice(f.lastIndexOf('.') + 1)] as Format, new Uint8Array(readFileSync(join(DIR, f))));
      expect(o.verdict).toBe('refused');
      expect(o.detail).not.toMatch(/[\r\n]/);
      if (EXPECT[f]) expect(o.detail).toMatch(EXPECT[f]);
      expect(performance.now() - t0).toBeLessThan(20_000);
    }, 60_000);
  }
});

describe('the CLI on hostile inputs', () => {
  let cap: Capture;
  beforeEach(() => {
    cap = startCapture('bwsnn-hostile-');
  });
  afterEach(() => vi.restoreAllMocks());
  const input = (): string => {
    const p = join(cap.dir, 'in.npy');
    writeFileSync(p, writeNpy({ dtype: 'f4', shape: [2, 8], data: Float32Array.from({ length: 16 }, (_, i) => i % 2) }));
    return p;
  };

  it('a chip config nested 5000 levels deep: exit 1, one line', async () => {
    const model = join(cap.dir, 'm.bwsnn');
    writeFileSync(model, writeBwsnn(randomGraph(3)));
    expect(await runCli('compile', model, '--chip', join(DIR, 'deep-field.json'), '-o', join(cap.dir, 'm.bwc'))).toBe(1);
    expect(cap.err.join('')).toBe(`bwsnn: ${join(DIR, 'deep-field.json')}: JSON nested deeper than 64 levels\n`);
  });

  it('invalid JSON over several lines is reported on one line', async () => {
    const model = join(cap.dir, 'm.bwsnn');
    writeFileSync(model, writeBwsnn(randomGraph(3)));
    expect(await runCli('compile', model, '--chip', join(DIR, 'multiline.json'), '-o', join(cap.dir, 'm.bwc'))).toBe(1);
    const err = cap.err.join('');
    expect(err.split('\n')).toHaveLength(2);
    expect(err).toMatch(/^bwsnn: test\/fuzz\/repro\/multiline.json: invalid JSON \(/);
  });

  it('run --max-cycles stops an endless program naming core, pc and cycle', async () => {
    expect(await runCli('run', join(DIR, 'endless-loop.bwc'), '--input', input(), '--max-cycles', '1000')).toBe(1);
    expect(cap.err.join('')).toMatch(/^bwsnn: test\/fuzz\/repro\/endless-loop.bwc: core 1, time step 0, instruction 1 \(BNZD\): cycle 10\d\d of the inference is past the budget of 1000 cycles \(--max-cycles\)\n$/);
  });

  it('the default budgets refuse a 1024-core machine of 65535 neurons each before allocating it', async () => {
    expect(await runCli('run', join(DIR, 'huge-machine.bwc'), '--input', input())).toBe(1);
    expect(cap.err.join('')).toMatch(/more than the memory budget of 2147483648 bytes \(--max-memory\)\n$/);
  });

  it('--max-memory and --max-cycles values are checked (exit 2)', async () => {
    expect(await runCli('run', join(DIR, 'endless-loop.bwc'), '--input', input(), '--max-memory', '12X')).toBe(2);
    expect(await runCli('run', join(DIR, 'endless-loop.bwc'), '--input', input(), '--max-cycles', '0')).toBe(2);
    expect(await runCli('run', join(DIR, 'huge-machine.bwc'), '--input', input(), '--max-memory', '1M')).toBe(1);
    expect(cap.err.join('')).toMatch(/more than the memory budget of 1048576 bytes/);
  });

  it('an unexpected exception is exit 70 with "internal error, please report" and the input name', async () => {
    vi.spyOn(DataView.prototype, 'getUint32').mockImplementation(() => {
      throw new TypeError('boom');
    });
    expect(await runCli('inspect', join(DIR, 'send-spill.bwc'))).toBe(70);
    expect(cap.err.join('')).toBe(`bwsnn: internal error, please report (input: ${join(DIR, 'send-spill.bwc')}): boom\n`);
  });
});
