import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { runCli, startCapture } from '../helpers/cli.js';
import { assemble } from '../../isa/asm/index.js';
import { readContainer, writeContainer } from '../../isa/container.js';
import { disassemble } from '../../isa/disasm.js';

let dir: string;
let out: string[];
let err: string[];

beforeEach(() => {
  ({ dir, out, err } = startCapture('bwsnn-asm-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});

const run = runCli;
const EX = 'isa/examples/two-core-send.s';

describe('bwsnn asm / disasm / inspect', () => {
  test('asm writes the container; disasm prints text that re-assembles; inspect summarizes', async () => {
    const bwc = join(dir, 'a.bwc');
    expect(await run('asm', EX, '-o', bwc)).toBe(0);
    const bytes = new Uint8Array(readFileSync(bwc));
    expect(bytes).toEqual(writeContainer(assemble(readFileSync(EX, 'utf8'), EX)));

    expect(await run('disasm', bwc)).toBe(0);
    const text = out.join('');
    expect(text).toBe(disassemble(readContainer(bytes, bwc)));

    const s = join(dir, 'a.s');
    expect(await run('disasm', bwc, '-o', s)).toBe(0);
    expect(readFileSync(s, 'utf8')).toBe(text);
    const bwc2 = join(dir, 'b.bwc');
    expect(await run('asm', s, '-o', bwc2)).toBe(0);
    expect(new Uint8Array(readFileSync(bwc2))).toEqual(bytes);

    out.length = 0;
    expect(await run('inspect', bwc)).toBe(0);
    const t = out.join('');
    expect(t).toContain(`container: ${bytes.length} bytes, format version 1`);
    // two-core-send.s: core 0 has 5 instructions, 4 synapse words, 4 neurons, 1 route entry
    expect(t).toContain('cores used: 2 of 2; largest use of a core\'s memories: instructions 0.1%, synapse words 0.0%, neurons 0.4%, route entries 0.4%');
    expect(t).toContain('model: "two-core", T = 4, input [8], binary (threshold 0.5), 2 classes');

    out.length = 0;
    expect(await run('inspect', bwc, '--json')).toBe(0);
    const j = JSON.parse(out.join('')) as { bytes: number; sections: { kind: string; offset: number; length: number }[]; cores: { core: number; instructions: number; neurons: number }[] };
    expect(j.bytes).toBe(bytes.length);
    expect(j.sections).toHaveLength(12);
    expect(j.cores.map((c) => [c.core, c.instructions, c.neurons])).toEqual([[0, 5, 4], [1, 4, 2]]);
    const last = j.sections[j.sections.length - 1] as { offset: number; length: number };
    expect(last.offset + last.length).toBe(bytes.length);
  });

  test('assembly errors: exit 1, every diagnostic on stderr, no output file', async () => {
    const bad = join(dir, 'bad.s');
    writeFileSync(bad, '.model timesteps=1 input=[1] classes=1\n.core 0\n  FOO\n  LI r99, 0\n');
    const o = join(dir, 'bad.bwc');
    expect(await run('asm', bad, '-o', o)).toBe(1);
    const e = err.join('');
    expect(e).toContain(`${bad}:3:3: unknown mnemonic FOO`);
    expect(e).toContain(`${bad}:4:6: LI operand rd: expected a register r0..r15, got r99`);
    expect(existsSync(o)).toBe(false);
    expect(readdirSync(dir)).toEqual(['bad.s']);
  });

  test('a failing run leaves an existing output file untouched', async () => {
    const bad = join(dir, 'bad.s');
    writeFileSync(bad, 'NOPE\n');
    const o = join(dir, 'keep.bwc');
    writeFileSync(o, 'old');
    expect(await run('asm', bad, '-o', o)).toBe(1);
    expect(readFileSync(o, 'utf8')).toBe('old');
  });

  test('corrupt container: exit 1, one line naming file, section and byte', async () => {
    const bwc = join(dir, 'a.bwc');
    expect(await run('asm', EX, '-o', bwc)).toBe(0);
    const b = new Uint8Array(readFileSync(bwc));
    b[b.length - 3] = (b[b.length - 3] as number) ^ 1;
    const broken = join(dir, 'broken.bwc');
    writeFileSync(broken, b);
    const s = join(dir, 'x.s');
    expect(await run('disasm', broken, '-o', s)).toBe(1);
    expect(err.join('')).toMatch(new RegExp(`^bwsnn: ${broken.replace(/[.\\/]/g, '\\$&')}: section output at byte \\d+: CRC mismatch \\(stored 0x[0-9a-f]{8}\\)\\n$`));
    expect(existsSync(s)).toBe(false);
    err.length = 0;
    expect(await run('inspect', broken)).toBe(1);
    expect(err.join('').split('\n').filter(Boolean)).toHaveLength(1);
  });

  test('bad input paths exit 1', async () => {
    expect(await run('asm', join(dir, 'missing.s'), '-o', join(dir, 'o.bwc'))).toBe(1);
    expect(err.join('')).toContain('missing.s: no such file');
    expect(await run('asm', EX, '-o', join(dir, 'nodir', 'o.bwc'))).toBe(1);
    expect(await run('inspect', EX)).toBe(1); // not a container
    expect(err.join('')).toContain('wrong magic');
  });

  test('usage errors exit 2', async () => {
    expect(await run('asm', EX)).toBe(2); // missing -o
    expect(await run('disasm')).toBe(2); // missing file
    expect(await run('inspect', 'a', 'b')).toBe(2); // too many arguments
    expect(await run('inspect', 'a.bwc', '--bogus')).toBe(2);
  });
});
