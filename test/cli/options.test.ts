/**
 * One spelling and one default per option across commands, the shared NIR import options (one
 * .nir gives the same model whatever command reads it), dependent options, file-type sniffing of
 * inputs, and chip names that say "custom (from PRESET)".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCapture } from '../helpers/cli.js';
import { buildProgram } from '../../cli/main.js';
import { NIR_CLI_DEFAULTS, parseNirOptions } from '../../cli/nir-options.js';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { chipDisplayName } from '../../isa/presets.js';
import { detectFileKind } from '../../isa/filetype.js';
import { NIR_IMPORT_DEFAULTS } from '../../models/nir/lower.js';
import { writeNpy } from '../../models/data/npy.js';
import { chain, f32, input, nirBytes, output, vec } from '../models/nir/fixtures.js';

let dir: string;
let out: string[];
let err: string[];
beforeEach(() => {
  ({ dir, out, err } = startCapture('bwsnn-options-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});

const program = buildProgram();
const cmd = (name: string) => program.commands.find((c) => c.name() === name)!;
const opt = (c: string, long: string) => cmd(c).options.find((o) => o.long === long);

function nirFile(): string {
  const f = join(dir, 'g.nir');
  writeFileSync(
    f,
    nirBytes({
      graph: chain([
        ['in', input(3)],
        ['fc', { type: 'Affine', weight: f32([2, 3], [0.5, -0.5, 0.5, 0.1, 0.2, 0.3]), bias: vec(0, 0.25) }],
        ['if', { type: 'IF', r: vec(1, 1), v_threshold: vec(0.4, 0.4), v_reset: vec(0, 0) }],
        ['out', output(2)],
      ]),
    }),
  );
  return f;
}

describe('options: one spelling, one default', () => {
  const NIR_FLAGS = ['--timesteps', '--input-encoding', '--weight-bits', '--dt', '--weight-scale', '--leak-tolerance', '--if-reset', '--name'];
  it('every command that reads .nir has the same NIR import options with the same defaults', () => {
    const keys: Record<string, keyof typeof NIR_CLI_DEFAULTS | undefined> = {
      '--timesteps': 'timesteps', '--input-encoding': 'inputEncoding', '--weight-bits': 'weightBits', '--dt': 'dt',
      '--weight-scale': 'weightScale', '--leak-tolerance': 'leakTolerance', '--if-reset': 'ifReset', '--name': undefined,
    };
    for (const c of ['import', 'compile', 'energy', 'sweep', 'demo', 'eval']) {
      for (const f of NIR_FLAGS) {
        const o = opt(c, f);
        expect(o, `${c} ${f}`).toBeDefined();
        const k = keys[f];
        expect(o!.defaultValue, `${c} ${f}`).toBe(k === undefined ? undefined : NIR_CLI_DEFAULTS[k]);
      }
    }
    // the option strings' defaults are the importer's defaults
    const p = parseNirOptions();
    for (const k of ['timesteps', 'dt', 'weightBits', 'weightScale', 'leakTolerance', 'ifReset', 'inputEncoding'] as const) expect(p[k]).toEqual(NIR_IMPORT_DEFAULTS[k]);
    expect(() => parseNirOptions({ ifReset: 'sometimes' })).toThrow(/--if-reset: expected nir or subtract/);
  });

  it('workers default to the available parallelism, limit to all samples, output is --output', () => {
    for (const c of ['run', 'energy', 'sweep', 'demo']) {
      expect(opt(c, '--workers')!.defaultValue, c).toBe(String(availableParallelism()));
      // --help states the rule once, not the rule and then this machine's number ("(default: "2")")
      const help = cmd(c).helpInformation().replace(/\s+/g, ' ');
      expect(help, c).toMatch(/--workers <n> worker threads (per simulation )?\(default: the available parallelism\) --/);
      expect(opt(c, '--limit')!.defaultValue, c).toBeUndefined();
    }
    expect(opt('eval', '--limit')!.defaultValue).toBeUndefined();
    for (const c of ['compile', 'sweep', 'merge', 'import', 'export', 'asm', 'train']) expect(opt(c, '--output'), c).toBeDefined();
    // train's old --out stays as a hidden alias
    expect(opt('train', '--out')!.hidden).toBe(true);
  });

  it('one .nir gives the same binary through compile and through import + compile (all NIR options honoured)', async () => {
    const nir = nirFile();
    const flags = ['--timesteps', '3', '--weight-scale', 'layer', '--if-reset', 'subtract', '--name', 'same', '--weight-bits', '6'];
    const direct = join(dir, 'a.bwc');
    expect(await runCli('compile', nir, '-o', direct, '--no-measure', ...flags)).toBe(0);
    const model = join(dir, 'm.bwsnn');
    expect(await runCli('import', nir, '-o', model, '-q', ...flags)).toBe(0);
    const via = join(dir, 'b.bwc');
    expect(await runCli('compile', model, '-o', via, '--no-measure')).toBe(0);
    expect(readFileSync(direct).equals(readFileSync(via))).toBe(true);
    // and a different --if-reset gives a different binary: the option is not ignored
    const other = join(dir, 'c.bwc');
    expect(await runCli('compile', nir, '-o', other, '--no-measure', ...flags.slice(0, 4), '--name', 'same', '--weight-bits', '6')).toBe(0);
    expect(readFileSync(direct).equals(readFileSync(other))).toBe(false);
    // eval reads .nir too
    const x = join(dir, 'x.npy');
    writeFileSync(x, writeNpy({ dtype: 'f4', shape: [4, 3], data: Float32Array.from([1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0]) }));
    out.length = 0;
    expect(await runCli('eval', nir, '--input', x, '--json', ...flags)).toBe(0);
    expect((JSON.parse(out.join('')) as { inferences: number }).inferences).toBe(4);
  });

  it('compile --dump-ir works without -o; dependent options are checked', async () => {
    const nir = nirFile();
    out.length = 0;
    expect(await runCli('compile', nir, '--dump-ir', 'place')).toBe(0);
    expect(out.join('')).toMatch(/"cores"/);
    expect(await runCli('compile', nir)).toBe(2);
    expect(err.join('')).toMatch(/-o, --output <file> is required/);
    expect(await runCli('compile', nir, '--dump-ir', 'place', '--report')).toBe(2);
  });

  it('train: --output, and --out as its old spelling', async () => {
    expect(await runCli('train', '--arch', 'mnist-mlp', '--output', dir)).toBe(1);
    expect(err.join('')).toMatch(/is a directory/);
    err.length = 0;
    expect(await runCli('train', '--arch', 'mnist-mlp', '--out', dir)).toBe(1);
    expect(err.join('')).toMatch(/is a directory/);
    expect(await runCli('train', '--arch', 'mnist-mlp')).toBe(2);
    expect(err.join('')).toMatch(/--output/);
  });
});

describe('file-type sniffing', () => {
  it('knows every input kind from its first bytes', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(detectFileKind(enc('BWC1\u0001\u0000'))).toBe('bwc');
    expect(detectFileKind(enc('BWSNNMDL'))).toBe('bwsnn');
    expect(detectFileKind(Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('nir');
    expect(detectFileKind(writeNpy({ dtype: 'u1', shape: [1], data: Uint8Array.of(1) }))).toBe('npy');
    expect(detectFileKind(enc('index,lanes,energy_per_inference_j'))).toBe('sweep-csv');
    expect(detectFileKind(enc(' {"lanes": 4}'))).toBe('json');
    expect(detectFileKind(enc('; hi\n.chip bw-core-4x4\n'))).toBe('asm');
    expect(detectFileKind(enc('hello'))).toBe('unknown');
  });

  it('a wrong input says what it is and which command takes it, never raw bytes', async () => {
    const nir = nirFile();
    const bin = join(dir, 'a.bwc');
    expect(await runCli('compile', nir, '-o', bin, '--no-measure')).toBe(0);
    const cases: [string[], RegExp][] = [
      [['compile', bin, '-o', join(dir, 'x.bwc')], /a\.bwc: this is a \.bwc binary, not a model \(\.bwsnn or \.nir\): run it with `bwsnn run`/],
      [['run', nir, '--data', 'mnist'], /g\.nir: this is an HDF5 file \(a \.nir graph\), not a \.bwc binary: compile it with `bwsnn compile`/],
      [['inspect', nir], /this is an HDF5 file \(a \.nir graph\), not a \.bwc binary/],
      [['run', bin, '--input', bin], /a\.bwc: this is a \.bwc binary, not a \.npy array/],
      [['import', bin, '-o', join(dir, 'y.bwsnn')], /this is a \.bwc binary, not a NIR graph/],
      [['eval', bin, '--data', 'mnist'], /this is a \.bwc binary, not a model/],
      [['merge', bin, '-o', join(dir, 'z.csv')], /this is a \.bwc binary, not a sweep CSV/],
    ];
    for (const [args, re] of cases) {
      err.length = 0;
      expect(await runCli(...args), args.join(' ')).toBe(1);
      const e = err.join('');
      expect(e, args.join(' ')).toMatch(re);
      expect(e).not.toMatch(/\\u0000|"BWC1/);
    }
    expect(existsSync(join(dir, 'x.bwc'))).toBe(false);
  });

  it('chip names say "custom (from PRESET)" when fields differ from the preset', async () => {
    expect(chipDisplayName(DEFAULT_CHIP)).toBe('bw-core-4x4');
    expect(chipDisplayName({ ...DEFAULT_CHIP, meshX: 2, meshY: 1 })).toBe('custom (from bw-core-4x4)');
    expect(chipDisplayName({ ...DEFAULT_CHIP, name: 'my-chip' })).toBe('my-chip');
    const bin = join(dir, 'two.bwc');
    expect(await runCli('asm', 'isa/examples/two-core-send.s', '-o', bin)).toBe(0);
    out.length = 0;
    expect(await runCli('inspect', bin)).toBe(0);
    expect(out.join('')).toMatch(/chip: custom \(from bw-core-4x4\), 2x1 mesh/);
  });
});
