/**
 * The compiler: IntModel + ChipConfig -> BwcContainer + CompileReport, as a pipeline of passes that
 * can each be run alone (see compiler/ir.ts for the forms and docs/compiler.md for the design).
 */
import { coreCount, type ChipConfig } from '../isa/chip.js';
import type { BwcContainer } from '../isa/container-types.js';
import type { IntModel } from '../models/intmodel.js';
import { generateCode } from './codegen.js';
import { FitError } from './fit-error.js';
import { emitContainer } from './emit.js';
import type { CheckedModel, LoweredModel, Partitioned, Placed, Routed, Scheduled } from './ir.js';
import { lowerModel } from './lower.js';
import { partitionModel } from './partition.js';
import { placeModel } from './place.js';
import { buildReport, type CompileReport } from './report.js';
import { routeModel } from './route.js';
import { validateModel } from './validate.js';

export type { CompileReport } from './report.js';
export { formatReport } from './report.js';
export { foldForChip, chipFoldWidths } from './fold-for-chip.js';
export { FitError } from './fit-error.js';

export const STAGES = ['validate', 'lower', 'partition', 'place', 'route', 'codegen', 'emit'] as const;
export type Stage = (typeof STAGES)[number];

export interface CompileOptions {
  /** Names the model in error messages (usually the file path). */
  file?: string;
  /**
   * Mapping strategy (default 'spread'):
   * - 'spread': every layer cut into about as many parts as the chip has cores (word-aligned neuron
   *   ranges, output rows, output channel groups) and each phase's parts dealt round-robin over all
   *   cores, for the lowest latency per step; falls back to 'pack' when the spread does not fit.
   * - 'pack': the fewest chunks that fit, packed onto as few cores as possible along the snake
   *   (locality, fewest cores); when the cores run out, big layers are striped over all cores.
   * - 'snake': 'pack' without the striping fallback.
   */
  strategy?: Strategy;
}

export const STRATEGIES = ['spread', 'pack'] as const;
export type Strategy = (typeof STRATEGIES)[number] | 'snake';

export interface CompileStages {
  validate: CheckedModel;
  lower: LoweredModel;
  partition: Partitioned;
  place: Placed;
  route: Routed;
  codegen: Scheduled;
  emit: BwcContainer;
  /** The strategy that produced the binary ('pack' when 'spread' did not fit). */
  strategy: Strategy;
  /** Why 'spread' did not fit (the FitError's message) when it fell back to 'pack'. */
  spreadMisfit?: string;
}

/** Run every pass, keeping each pass's output. */
export function compileStages(m: IntModel, chip: ChipConfig, opts: CompileOptions = {}): CompileStages {
  const file = opts.file ?? m.name;
  const validate = validateModel(m, chip, file);
  const lower = lowerModel(validate, file);
  const strategy = opts.strategy ?? 'spread';
  let spreadMisfit: FitError | undefined;
  if (strategy === 'spread' && coreCount(chip) > 1) {
    try {
      const partition = partitionModel(lower, file, { spread: coreCount(chip) });
      const place = placeModel(partition, file, 'spread');
      const route = routeModel(place, file);
      const codegen = generateCode(route, file);
      const emit = emitContainer(codegen);
      return { validate, lower, partition, place, route, codegen, emit, strategy: 'spread' };
    } catch (e) {
      if (!(e instanceof FitError)) throw e;
      // Spreading needs more of each core (kernels once per chunk, more routing lists and code):
      // pack instead, and report both reasons if that does not fit either.
      spreadMisfit = e;
    }
  }
  try {
    const st = compilePacked(lower, chip, file, strategy);
    return { validate, ...st, strategy: strategy === 'spread' ? 'pack' : strategy, ...(spreadMisfit ? { spreadMisfit: spreadMisfit.message } : {}) };
  } catch (e) {
    if (e instanceof FitError && spreadMisfit) throw new FitError(`${e.message} (strategy pack; strategy spread did not fit either: ${spreadMisfit.message})`);
    throw e;
  }
}

/** The pack (or snake) mapping: every pass after lower. */
function compilePacked(lower: LoweredModel, chip: ChipConfig, file: string, strategy: Strategy): Omit<CompileStages, 'validate' | 'strategy' | 'spreadMisfit'> {
  // First try: fewest chunks, snake placement (locality). If the chip runs out of cores, spread
  // every layer over all cores (at least one chunk per core, striped placement) to balance
  // neurons against synapse memory; report the first error if that does not fit either.
  let partition = partitionModel(lower, file);
  let place: Placed;
  try {
    place = placeModel(partition, file, 'snake');
  } catch (e) {
    if (!(e instanceof FitError) || strategy === 'snake') throw e;
    try {
      partition = partitionModel(lower, file, { minChunks: coreCount(chip) });
      place = placeModel(partition, file, 'stripe');
    } catch {
      throw e;
    }
  }
  const route = routeModel(place, file);
  const codegen = generateCode(route, file);
  const emit = emitContainer(codegen);
  return { lower, partition, place, route, codegen, emit };
}

/** The report note when 'spread' was asked for and 'pack' produced the binary (with the spread's FitError when it was tried), else undefined. */
export function fallbackNote(st: Pick<CompileStages, 'strategy' | 'spreadMisfit'>, requested: Strategy = 'spread'): string | undefined {
  if (requested !== 'spread' || st.strategy === 'spread') return undefined;
  return `strategy spread did not fit this chip: packed instead${st.spreadMisfit !== undefined ? ` (${st.spreadMisfit})` : ''}`;
}

export function compileModel(m: IntModel, chip: ChipConfig, opts: CompileOptions = {}): { container: BwcContainer; report: CompileReport } {
  const st = compileStages(m, chip, opts);
  const report = buildReport(st.codegen);
  report.strategy = st.strategy;
  const note = fallbackNote(st, opts.strategy ?? 'spread');
  if (note) report.notes.push(note);
  return { container: st.emit, report };
}
