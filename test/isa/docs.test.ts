import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { CLASS_MAP, renderChipDoc, renderIsaDoc } from '../../isa/isa-doc.js';
import { CHIP_FIELDS } from '../../isa/chip.js';
import { INSTRUCTIONS } from '../../isa/table.js';

test('docs/isa.md is up to date with isa/table.ts (run npm run docs)', () => {
  expect(readFileSync('docs/isa.md', 'utf8')).toBe(renderIsaDoc());
});

test('docs/chip.md is up to date with isa/chip.ts (run npm run docs)', () => {
  expect(readFileSync('docs/chip.md', 'utf8')).toBe(renderChipDoc());
});

test('the ISA reference documents every instruction and every chip field', () => {
  const isa = renderIsaDoc();
  for (const d of INSTRUCTIONS) {
    expect(isa).toContain(`### ${d.mnemonic}\n`);
    for (const f of d.fields) expect(isa).toContain(`| \`${f.name}\` |`);
  }
  const covered = new Set(CLASS_MAP.flatMap(([, i]) => i.match(/[A-Z]{2,}/g) ?? []));
  for (const d of INSTRUCTIONS) expect(covered.has(d.mnemonic)).toBe(true);
  const chip = renderChipDoc();
  for (const k of Object.keys(CHIP_FIELDS)) expect(chip).toContain(`| \`${k}\` |`);
});

test('the README example assembles to the same bytes as isa/examples/two-core-send.s', async () => {
  const { assemble } = await import('../../isa/asm/index.js');
  const { writeContainer } = await import('../../isa/container.js');
  const m = /```asm\n([\s\S]*?)```/.exec(readFileSync('README.md', 'utf8'));
  expect(m).not.toBeNull();
  const fromReadme = writeContainer(assemble(m?.[1] ?? '', 'README.md'));
  const fromExample = writeContainer(assemble(readFileSync('isa/examples/two-core-send.s', 'utf8'), 'two-core-send.s'));
  expect(fromReadme).toEqual(fromExample);
});
