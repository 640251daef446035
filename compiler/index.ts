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
import { placeModel, type PlaceStrategy } from './place.js';
import { buildReport, type CompileReport } from './report.js';
import { routeModel } from './route.js';
import { validateModel } from './validate.js';
import { BwsnnError } from '../base/errors.js';
import { applyPlan, fallBackToDense, planDataflow, type DataflowOptions, type DataflowPlan } from './dataflow.js';
import { generateTimeCode, timeSlotStride } from './schedule-time.js';

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
  /** Dataflow per layer and schedule (compiler/dataflow.ts; default dense, step). */
  dataflow?: DataflowOptions['dataflow'];
  schedule?: DataflowOptions['schedule'];
  profile?: DataflowOptions['profile'];
  price?: DataflowOptions['price'];
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
  /** How place put the tasks on cores ('stripe' when pack ran out of cores along the snake). */
  placement: PlaceStrategy;
  /** Why 'spread' did not fit (the FitError's message) when it fell back to 'pack'. */
  spreadMisfit?: string;
  /** Dataflow per layer and schedule, with the predicted cost of every alternative. */
  plan: DataflowPlan;
}

/** An event-driven layer was split into partial sums: retry it dense (auto). */
class EventSplit {
  constructor(readonly layer: string) {}
}

/** Refuse (forced) or signal (auto) an event-driven layer with PSUM helpers. */
function checkEventSplit(p: Partitioned, opts: CompileOptions, file: string): void {
  const layers = new Map(p.layers.map((l) => [l.name, l]));
  for (const t of p.tasks) {
    if (t.role !== 'helper' || !layers.get(t.layer)!.synapses.some((s) => s.event)) continue;
    if (opts.dataflow === 'event') throw new BwsnnError(`${file}: --dataflow event: layer ${t.layer} cannot use event rows: it is split into partial sums (PSUM) on this chip`, 2);
    throw new EventSplit(t.layer);
  }
}

/** Code generation for the plan's schedule (time-batched when it applies). */
function codegenFor(route: Routed, chip: ChipConfig, plan: DataflowPlan, opts: CompileOptions, file: string): Scheduled {
  if (plan.schedule === 'time') {
    const st = timeSlotStride(route, chip);
    if ('stride' in st) return generateTimeCode(route, chip, st.stride, file);
    if (opts.schedule === 'time') throw new BwsnnError(`${file}: --schedule time: ${st.blocker}`, 2);
    plan.schedule = 'step';
    plan.scheduleReason = `auto: step-major (${st.blocker})`;
    plan.notes.push(`--schedule auto: step-major, the time-batched schedule does not fit (${st.blocker})`);
  }
  return generateCode(route, chip, file);
}

/** Run every pass, keeping each pass's output. */
export function compileStages(m: IntModel, chip: ChipConfig, opts: CompileOptions = {}): CompileStages {
  const file = opts.file ?? m.name;
  const validate = validateModel(m, chip, file);
  const lower = lowerModel(validate, file);
  const plan = planDataflow(lower, chip, file, opts);
  for (;;) {
    try {
      return { validate, ...compileLowered(lower, chip, file, plan, opts) };
    } catch (e) {
      if (!(e instanceof EventSplit)) throw e;
      fallBackToDense(lower, plan, e.layer, 'it is split into partial sums (PSUM) on this chip');
    }
  }
}

/** The passes after lower for a strategy (spread falling back to pack on a FitError) and a dataflow plan. */
export function compileLowered(lower: LoweredModel, chip: ChipConfig, file: string, plan: DataflowPlan, opts: CompileOptions): Omit<CompileStages, 'validate'> {
  const strategy = opts.strategy ?? 'spread';
  let spreadMisfit: FitError | undefined;
  if (strategy === 'spread' && coreCount(chip) > 1) {
    try {
      const partition = partitionModel(lower, chip, file, { spread: coreCount(chip) });
      checkEventSplit(partition, opts, file);
      return { lower, partition, ...compilePlaced(partition, chip, file, 'spread', plan, opts), strategy: 'spread', plan };
    } catch (e) {
      if (!(e instanceof FitError)) throw e;
      // Spreading needs more of each core (kernels once per chunk, more routing lists and code):
      // pack instead, and report both reasons if that does not fit either.
      spreadMisfit = e;
    }
  }
  try {
    const st = compilePacked(lower, chip, file, strategy, plan, opts);
    return { ...st, strategy: strategy === 'spread' ? 'pack' : strategy, plan, ...(spreadMisfit ? { spreadMisfit: spreadMisfit.message } : {}) };
  } catch (e) {
    if (e instanceof FitError && spreadMisfit) throw new FitError(`${e.message} (strategy pack; strategy spread did not fit either: ${spreadMisfit.message})`);
    throw e;
  }
}

/** place (with `placement`), route, codegen, emit. */
export function compilePlaced(partition: Partitioned, chip: ChipConfig, file: string, placement: PlaceStrategy, plan: DataflowPlan, opts: CompileOptions): Pick<CompileStages, 'place' | 'route' | 'codegen' | 'emit' | 'placement'> {
  const place = placeModel(partition, chip, file, placement);
  return { place, ...compileRouted(place, chip, file, plan, opts), placement };
}

/** route, codegen (for the plan's schedule), emit. */
export function compileRouted(place: Placed, chip: ChipConfig, file: string, plan: DataflowPlan, opts: CompileOptions): Pick<CompileStages, 'route' | 'codegen' | 'emit'> {
  const route = routeModel(place, chip, file);
  const codegen = codegenFor(route, chip, plan, opts, file);
  return { route, codegen, emit: emitContainer(codegen, chip) };
}

/** What a compile continued from a stage's form computed: the forms after that stage and the outcome. */
export type ResumedStages = Partial<CompileStages> & Pick<CompileStages, 'emit' | 'strategy' | 'placement' | 'plan'>;

/** What the first compile did, as a dump records it (compiler/dump.ts). */
export interface ResumeInfo {
  /** The requested strategy (passes after validate and lower try it again, with the same fallback). */
  strategy: Strategy;
  /** The strategy and placement that made the form, why spread did not fit, the final dataflow plan. */
  result: { strategy: Strategy; placement: PlaceStrategy; spreadMisfit?: string; plan: DataflowPlan };
}

/**
 * Continue a compile from the form of `stage` (a dump, `--from-ir`): run the passes after it for
 * `chip`, with the first compile's final dataflow plan (from validate, the plan's per-layer
 * dataflow is applied to the lowered form). The output is the same container a direct compile makes.
 */
export function compileFrom<S extends Stage>(stage: S, form: CompileStages[S], chip: ChipConfig, file: string, resume: ResumeInfo): ResumedStages {
  const r = resume.result;
  const plan = r.plan;
  const opts: CompileOptions = { strategy: resume.strategy };
  const done = { strategy: r.strategy, placement: r.placement, plan, ...(r.spreadMisfit !== undefined ? { spreadMisfit: r.spreadMisfit } : {}) };
  const f = form as CompileStages[Stage];
  switch (stage) {
    case 'validate': {
      const lower = lowerModel(f as CheckedModel, file);
      applyPlan(lower, plan);
      return { validate: f as CheckedModel, ...compileLowered(lower, chip, file, plan, opts) };
    }
    case 'lower':
      return compileLowered(f as LoweredModel, chip, file, plan, opts);
    case 'partition':
      return { ...done, partition: f as Partitioned, ...compilePlaced(f as Partitioned, chip, file, r.placement, plan, opts) };
    case 'place':
      return { ...done, place: f as Placed, ...compileRouted(f as Placed, chip, file, plan, opts) };
    case 'route': {
      const codegen = codegenFor(f as Routed, chip, plan, opts, file);
      return { ...done, route: f as Routed, codegen, emit: emitContainer(codegen, chip) };
    }
    case 'codegen':
      return { ...done, codegen: f as Scheduled, emit: emitContainer(f as Scheduled, chip) };
    default:
      return { ...done, emit: f as BwcContainer };
  }
}

/** The pack (or snake) mapping: every pass after lower. */
function compilePacked(lower: LoweredModel, chip: ChipConfig, file: string, strategy: Strategy, plan: DataflowPlan, opts: CompileOptions): Omit<CompileStages, 'validate' | 'strategy' | 'spreadMisfit' | 'plan'> {
  // First try: fewest chunks, snake placement (locality). If the chip runs out of cores, spread
  // every layer over all cores (at least one chunk per core, striped placement) to balance
  // neurons against synapse memory; report the first error if that does not fit either.
  let partition = partitionModel(lower, chip, file);
  checkEventSplit(partition, opts, file);
  let placement: PlaceStrategy = 'snake';
  let place: Placed;
  try {
    place = placeModel(partition, chip, file, placement);
  } catch (e) {
    if (!(e instanceof FitError) || strategy === 'snake') throw e;
    try {
      partition = partitionModel(lower, chip, file, { minChunks: coreCount(chip) });
      checkEventSplit(partition, opts, file);
      placement = 'stripe';
      place = placeModel(partition, chip, file, placement);
    } catch {
      throw e;
    }
  }
  return { lower, partition, place, ...compileRouted(place, chip, file, plan, opts), placement };
}

/** The report note when 'spread' was asked for and 'pack' produced the binary (with the spread's FitError when it was tried), else undefined. */
export function fallbackNote(st: Pick<CompileStages, 'strategy' | 'spreadMisfit'>, requested: Strategy = 'spread'): string | undefined {
  if (requested !== 'spread' || st.strategy === 'spread') return undefined;
  return `strategy spread did not fit this chip: packed instead${st.spreadMisfit !== undefined ? ` (${st.spreadMisfit})` : ''}`;
}

export function compileModel(m: IntModel, chip: ChipConfig, opts: CompileOptions = {}): { container: BwcContainer; report: CompileReport } {
  const st = compileStages(m, chip, opts);
  const report = buildReport(st.codegen, chip);
  report.strategy = st.strategy;
  report.dataflow = st.plan;
  const note = fallbackNote(st, opts.strategy ?? 'spread');
  if (note) report.notes.push(note);
  return { container: st.emit, report };
}
