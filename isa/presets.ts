/**
 * The chip presets a user can name (`--chip NAME`, `bwsnn chips`). Each is the default chip of
 * DESIGN.md with only the fields it names changed, so every other number (timing, energy, memories)
 * stays the one declared in isa/chip.ts. docs/chip.md lists them (generated).
 */
import { CHIP_FIELDS, DEFAULT_CHIP, type ChipConfig, type ChipField } from './chip.js';

export interface ChipPreset {
  chip: Readonly<ChipConfig>;
  /** What it is for, one line. */
  purpose: string;
  /** The fields that differ from the default chip. */
  changed: ChipField[];
}

function preset(name: string, purpose: string, fields: Partial<Record<ChipField, number>>): ChipPreset {
  return {
    chip: Object.freeze({ ...DEFAULT_CHIP, ...fields, name }),
    purpose,
    changed: Object.keys(fields) as ChipField[],
  };
}

/** Every shipped preset, the default first. */
export const PRESET_LIST: readonly ChipPreset[] = Object.freeze([
  { chip: DEFAULT_CHIP, purpose: 'the default of DESIGN.md: 16 cores, 16-bit membrane, thresholds and biases', changed: [] },
  preset('bw-core-8x8', 'a mid-size mesh: 64 cores of the default core', { meshX: 8, meshY: 8 }),
  preset('bw-core-8x8-wide', '64 cores with 24-bit membrane, thresholds and biases: float first layers on raw 8-bit pixels', {
    meshX: 8, meshY: 8, membraneBits: 24, thresholdBits: 24, biasBits: 24,
  }),
  preset('bw-core-32x32-wide', '1024 cores with 24-bit widths: holds a ResNet-18-sized model (bench/resnet18.ts)', {
    meshX: 32, meshY: 32, membraneBits: 24, thresholdBits: 24, biasBits: 24,
  }),
]);

/** Presets by name. */
export const CHIP_PRESETS: Readonly<Record<string, Readonly<ChipConfig>>> = Object.freeze(
  Object.fromEntries(PRESET_LIST.map((p) => [p.chip.name, p.chip])),
);

/** Names of the shipped presets whose widths are at least the given ones (smallest mesh first). */
export function presetsWithWidths(need: { membraneBits?: number; thresholdBits?: number; biasBits?: number }): string[] {
  return PRESET_LIST.filter(
    (p) => p.chip.membraneBits >= (need.membraneBits ?? 0) && p.chip.thresholdBits >= (need.thresholdBits ?? 0) && p.chip.biasBits >= (need.biasBits ?? 0),
  ).map((p) => p.chip.name);
}

/**
 * The name to show for a chip: its own name, or "custom (from bw-core-4x4)" when it carries a
 * preset's name but some field differs from that preset (a .chip line with overrides, a sweep point).
 */
export function chipDisplayName(c: ChipConfig): string {
  const preset = CHIP_PRESETS[c.name];
  if (!preset) return c.name;
  return (Object.keys(CHIP_FIELDS) as ChipField[]).every((k) => preset[k] === c[k]) ? c.name : `custom (from ${c.name})`;
}
