/** Chip configs of the differential tests, including tiny ones that force partitioning. */
import { DEFAULT_CHIP, parseChipConfig, type ChipConfig } from '../../../isa/chip.js';

export const CHIPS: Record<string, ChipConfig> = {
  default: DEFAULT_CHIP,
  tinyNeurons: parseChipConfig({ name: 'tiny-neurons', meshX: 8, meshY: 8, neuronsPerCore: 8 }),
  tinyFanIn: parseChipConfig({ name: 'tiny-fanin', meshX: 16, meshY: 16, neuronsPerCore: 16, axonLines: 3, synapseSramBytes: 8 * 48 }),
  mid: parseChipConfig({ name: 'mid', meshX: 8, meshY: 8, neuronsPerCore: 64, synapseSramBytes: 8 * 512, axonLines: 128 }),
  tinyConv: parseChipConfig({ name: 'tiny-conv', meshX: 8, meshY: 8, neuronsPerCore: 48, synapseSramBytes: 8 * 256, axonLines: 40 }),
  tinyConvFanIn: parseChipConfig({ name: 'tiny-conv-fanin', meshX: 16, meshY: 16, neuronsPerCore: 64, axonLines: 24, synapseSramBytes: 8 * 64 }),
  narrow: parseChipConfig({ name: 'narrow', meshX: 6, meshY: 6, membraneBits: 10, thresholdBits: 10, biasBits: 8, neuronsPerCore: 32 }),
};
