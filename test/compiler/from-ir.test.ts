/**
 * `--dump-ir` writes complete forms and `--from-ir` continues from them: for random models on
 * several chips and both strategies, every stage's dump, loaded back and compiled on, gives the
 * same .bwc bytes as the direct compile; the loaded form equals the dumped one (typed arrays whole);
 * malformed dumps are one-line errors naming the file and the field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BwsnnError } from '../../base/errors.js';
import { compileFrom, compileStages, FitError, STAGES, type CompileStages, type Strategy } from '../../compiler/index.js';
import { dumpStage, loadIr } from '../../compiler/dump.js';
import { serializeContainer } from '../../isa/container.js';
import { writeBwsnn } from '../../models/format.js';
import { randomGraph } from '../../testing/random-graph.js';
import { runCli, startCapture } from '../helpers/cli.js';
import { CHIPS } from './helpers/chips.js';
import { randomIntModel } from './helpers/gen.js';

describe('dump -> load -> continue == direct compile, for every stage', () => {
  const seen = { placement: new Set<string>(), helpers: 0, strategies: new Set<string>(), cases: 0 };
  for (const chipName of ['default', 'tinyConvFanIn', 'tinyNeurons', 'narrow'] as const) {
    for (const strategy of ['spread', 'pack'] as Strategy[]) {
      it(`random models on chip ${chipName}, strategy ${strategy}`, () => {
        const chip = CHIPS[chipName]!;
        for (const seed of [2, 3, 7]) {
          const m = randomIntModel(seed, { membraneBits: chip.membraneBits });
          if (chip.membraneBits < 16) for (const l of m.layers) l.bias.forEach((b, i) => (l.bias[i] = Math.max(-100, Math.min(100, b))));
          let st: CompileStages;
          try {
            st = compileStages(m, chip, { strategy });
          } catch (e) {
            if (e instanceof FitError) continue;
            throw e;
          }
          seen.cases++;
          seen.placement.add(st.placement);
          seen.strategies.add(st.strategy);
          if (st.partition.tasks.some((t) => t.role === 'helper')) seen.helpers++;
          const want = serializeContainer(st.emit);
          for (const stage of STAGES) {
            const text = dumpStage(st, stage, chip, strategy);
            const d = loadIr(text, 'dump.json');
            expect(d.stage).toBe(stage);
            expect(d.chip).toEqual(chip);
            // Complete: the loaded form equals the pass's output, typed arrays included.
            expect(d.form, stage).toEqual(st[stage]);
            const got = compileFrom(d.stage, d.form, d.chip, 'dump.json', d);
            expect(Buffer.from(serializeContainer(got.emit)).equals(Buffer.from(want)), `${chipName} seed ${seed} from ${stage}`).toBe(true);
            expect(got.strategy).toBe(st.strategy);
            expect(got.placement).toBe(st.placement);
          }
        }
      });
    }
  }
  it('covered spread and pack placements and partial sums', () => {
    expect(seen.cases).toBeGreaterThanOrEqual(16);
    expect([...seen.strategies].sort()).toEqual(['pack', 'spread']);
    expect([...seen.placement].sort()).toEqual(expect.arrayContaining(['snake', 'spread']));
    expect(seen.helpers).toBeGreaterThan(0);
  });
});

describe('dump -> load -> continue with dataflows (event rows, time-batched schedule)', () => {
  it('every stage resumes to the same bytes and plan', () => {
    const seen = { event: 0, time: 0, cases: 0 };
    const chip = CHIPS.default!;
    for (const seed of [1, 2, 4, 5]) {
      const m = randomIntModel(seed, { membraneBits: chip.membraneBits, kind: 'mlp' });
      for (const [dataflow, schedule] of [['event', 'time'], ['event', 'step'], ['auto', 'auto']] as const) {
        for (const strategy of ['spread', 'pack'] as Strategy[]) {
          let st: CompileStages;
          try {
            st = compileStages(m, chip, { strategy, dataflow, schedule });
          } catch (e) {
            if (e instanceof BwsnnError) continue; // a forced dataflow this model cannot take
            throw e;
          }
          seen.cases++;
          if (st.plan.layers.some((l) => l.dataflow === 'event')) seen.event++;
          if (st.plan.schedule === 'time') seen.time++;
          const want = serializeContainer(st.emit);
          for (const stage of STAGES) {
            const d = loadIr(dumpStage(st, stage, chip, strategy), 'dump.json');
            const got = compileFrom(d.stage, d.form, d.chip, 'dump.json', d);
            expect(Buffer.from(serializeContainer(got.emit)).equals(Buffer.from(want)), `seed ${seed} ${dataflow}/${schedule} ${strategy} from ${stage}`).toBe(true);
            expect(got.plan.schedule).toBe(st.plan.schedule);
          }
        }
      }
    }
    expect(seen.cases).toBeGreaterThanOrEqual(6);
    expect(seen.event).toBeGreaterThan(0);
    expect(seen.time).toBeGreaterThan(0);
  });
});

describe('loadIr refuses malformed dumps', () => {
  const chip = CHIPS.default!;
  const m = randomIntModel(5, { membraneBits: chip.membraneBits });
  const st = compileStages(m, chip, { strategy: 'pack' });
  const good = JSON.parse(dumpStage(st, 'place', chip, 'pack')) as Record<string, unknown>;
  const bad = (patch: Record<string, unknown>): string => JSON.stringify({ ...good, ...patch });
  it.each([
    ['{', /^d\.json: not an IR dump \(/],
    [bad({ format: 'x' }), /^d\.json: not an IR dump \(field format is "x", expected "bwsnn-ir"\)$/],
    [bad({ version: 9 }), /^d\.json: IR dump version 9, this bwsnn reads version 1$/],
    [bad({ stage: 'nope' }), /^d\.json: field stage: expected one of validate, lower, partition, place, route, codegen, emit, got "nope"$/],
    [bad({ chip: { meshX: 0 } }), /^d\.json: field chip/],
    [bad({ strategy: 'fast' }), /^d\.json: field strategy: expected one of spread, pack, snake, got "fast"$/],
    [bad({ result: { strategy: 'pack', placement: 'zigzag' } }), /^d\.json: field result\.placement: expected snake, stripe or spread, got "zigzag"$/],
    [bad({ form: 3 }), /^d\.json: field form: expected an object$/],
    [bad({ form: { x: { $typed: 'BigInt64Array', base64: '' } } }), /^d\.json: not an IR dump \(bad typed array "BigInt64Array"\)$/],
    [bad({ form: { x: { $typed: 'Int32Array', base64: 'AAA=' } } }), /^d\.json: not an IR dump \(Int32Array of 2 bytes\)$/],
  ])('%#', (text, re) => {
    expect(() => loadIr(text, 'd.json')).toThrowError(BwsnnError);
    expect(() => loadIr(text, 'd.json')).toThrowError(re);
  });
});

describe('bwsnn compile --dump-ir / --from-ir', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  beforeEach(() => {
    ({ dir, out, err } = startCapture('bwsnn-from-ir-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('continues from each stage to the same bytes; refuses mixed inputs', async () => {
    const model = join(dir, 'conv.bwsnn');
    writeFileSync(model, writeBwsnn(randomGraph(11, { kind: 'conv' })));
    const chip = join(dir, 'small.json');
    writeFileSync(chip, JSON.stringify({ name: 'small', meshX: 4, meshY: 4, neuronsPerCore: 64 }));
    const direct = join(dir, 'direct.bwc');
    expect(await runCli('compile', model, '-o', direct, '--chip', chip, '--strategy', 'pack')).toBe(0);
    const want = readFileSync(direct);
    for (const stage of STAGES) {
      out.length = 0;
      expect(await runCli('compile', model, '-o', join(dir, 'x.bwc'), '--chip', chip, '--strategy', 'pack', '--dump-ir', stage)).toBe(0);
      const dump = join(dir, `${stage}.json`);
      writeFileSync(dump, out.join(''));
      const o = join(dir, `${stage}.bwc`);
      expect(await runCli('compile', '--from-ir', dump, '-o', o), err.join('')).toBe(0);
      expect(readFileSync(o).equals(want), stage).toBe(true);
    }
    // The report from a resumed compile names the dump's chip.
    out.length = 0;
    expect(await runCli('compile', '--from-ir', join(dir, 'route.json'), '-o', join(dir, 'r.bwc'), '--json', '--no-measure')).toBe(0);
    expect((JSON.parse(out.join('')) as { chip: string }).chip).toBe('small');
    err.length = 0;
    expect(await runCli('compile', model, '--from-ir', join(dir, 'place.json'), '-o', join(dir, 'y.bwc'))).toBe(2);
    expect(err.join('')).toMatch(/give a model file or --from-ir DUMP \(one of them\)/);
    expect(await runCli('compile', '--from-ir', join(dir, 'place.json'), '--chip', chip, '-o', join(dir, 'y.bwc'))).toBe(2);
    expect(err.join('')).toMatch(/--from-ir: --chip does not apply/);
    expect(await runCli('compile', '--from-ir', join(dir, 'emit.json'), '--report', '-o', join(dir, 'y.bwc'))).toBe(2);
    err.length = 0;
    writeFileSync(join(dir, 'broken.json'), '{"format":"bwsnn-ir"');
    expect(await runCli('compile', '--from-ir', join(dir, 'broken.json'), '-o', join(dir, 'y.bwc'))).toBe(1);
    expect(err.join('')).toMatch(/broken\.json: not an IR dump/);
    expect(() => readFileSync(join(dir, 'y.bwc'))).toThrow();
  });
});
