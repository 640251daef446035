/** `bwsnn chips [--json]`: the shipped chip presets (isa/presets.ts) with their numbers. */
import type { Command } from '@commander-js/extra-typings';
import { CHIP_FIELDS, coreCount, type ChipField } from '../../isa/chip.js';
import { PRESET_LIST } from '../../isa/presets.js';
import { schemaHeader } from '../results.js';

export function register(program: Command): void {
  program
    .command('chips')
    .description('list the chip presets that --chip NAME accepts, with their numbers')
    .option('--json', 'print every field of every preset as JSON (docs/schemas/chips.schema.json)')
    .action((opts) => {
      if (opts.json) {
        const chips = PRESET_LIST.map((p) => ({ ...p.chip, cores: coreCount(p.chip), neurons: coreCount(p.chip) * p.chip.neuronsPerCore, purpose: p.purpose, changed: p.changed }));
        process.stdout.write(`${JSON.stringify({ ...schemaHeader('chips'), chips }, null, 2)}\n`);
        return;
      }
      const rows = [['preset', 'mesh', 'cores', 'neurons', 'membrane/threshold/bias bits', 'synapse SRAM/core', 'clock']];
      for (const { chip: c } of PRESET_LIST) {
        rows.push([
          c.name, `${c.meshX}x${c.meshY}`, String(coreCount(c)), String(coreCount(c) * c.neuronsPerCore),
          `${c.membraneBits}/${c.thresholdBits}/${c.biasBits}`, `${c.synapseSramBytes / 1024} KiB`, `${c.clockHz / 1e6} MHz`,
        ]);
      }
      const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      const lines = rows.map((r) => r.map((x, i) => x.padEnd(w[i]!)).join('  ').trimEnd());
      lines.push('');
      for (const p of PRESET_LIST) {
        const diff = p.changed.map((k: ChipField) => `${k}=${p.chip[k]} ${CHIP_FIELDS[k].unit}`).join(', ');
        lines.push(`${p.chip.name}: ${p.purpose}${diff ? ` (differs from the default in ${diff})` : ''}`);
      }
      lines.push('', 'use one with --chip NAME; --json prints every field');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
