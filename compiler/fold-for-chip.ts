/**
 * "Fold this graph for this chip": the one place that turns a chip's number widths into the fold's
 * widths. Every command (compile, run, demo, sweep, the pipeline) and every bench folds through it,
 * so a new chip width that the fold must respect is added here once.
 */
import type { ChipConfig } from '../isa/chip.js';
import type { Graph } from '../models/graph.js';
import { foldGraph, foldGraphWithReport, type FoldLayerReport, type FoldWidths } from '../models/fold.js';
import type { IntModel } from '../models/intmodel.js';

/** The fold widths a chip imposes: membrane, threshold and bias bits. */
export function chipFoldWidths(chip: Pick<ChipConfig, 'membraneBits' | 'thresholdBits' | 'biasBits'>): FoldWidths {
  return { membraneBits: chip.membraneBits, thresholdBits: chip.thresholdBits, biasBits: chip.biasBits };
}

/** Fold `g` into the integer model that fits `chip`'s number widths; `file` names it in errors. */
export function foldForChip(g: Graph, chip: Pick<ChipConfig, 'membraneBits' | 'thresholdBits' | 'biasBits'>, file?: string): IntModel {
  return file === undefined ? foldGraph(g, chipFoldWidths(chip)) : foldGraph(g, chipFoldWidths(chip), file);
}

/** foldForChip with the fold's per-layer report (exactness, rounding error, weight bits dropped to fit). */
export function foldForChipWithReport(g: Graph, chip: Pick<ChipConfig, 'membraneBits' | 'thresholdBits' | 'biasBits'>, file?: string): { model: IntModel; report: FoldLayerReport[] } {
  return file === undefined ? foldGraphWithReport(g, chipFoldWidths(chip)) : foldGraphWithReport(g, chipFoldWidths(chip), file);
}
