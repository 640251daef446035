/**
 * `--dump-ir STAGE`: one pass's output form, complete (typed arrays whole), as JSON with the chip
 * and strategy to continue from it; `loadIr` reads it back for `bwsnn compile --from-ir`
 * (compiler/index.ts `compileFrom` runs the passes after it). Also the program listing used by tests.
 */
import { BwsnnError } from '../base/errors.js';
import { parseChipConfig, type ChipConfig } from '../isa/chip.js';
import type { Instr } from '../isa/container-types.js';
import { STAGES, STRATEGIES, type CompileStages, type ResumeInfo, type Stage, type Strategy } from './index.js';

/** One instruction as text: `ACC acc=0 rn=r1 ...` (register fields printed as rN). */
export function formatInstr(i: Instr, regFields: ReadonlySet<string> = REG_FIELDS): string {
  const args = Object.entries(i.args).map(([k, v]) => `${k}=${regFields.has(k) ? `r${v}` : v}`);
  return args.length ? `${i.op} ${args.join(' ')}` : i.op;
}

const REG_FIELDS: ReadonlySet<string> = new Set(['rd', 'rs', 'rt', 'rn', 'rw', 'ra', 'ry']);

/** A core program as a listing, one instruction per line with its address. */
export function formatProgram(prog: readonly Instr[]): string {
  return prog.map((i, a) => `${String(a).padStart(4)}: ${formatInstr(i)}`).join('\n');
}

/** The typed arrays a form may hold, by constructor name. */
const TYPED = { Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array } as const;
type TypedName = keyof typeof TYPED;

/** A typed array in a dump: its constructor name and its bytes (little-endian) as base64. */
interface TypedJson {
  $typed: TypedName;
  base64: string;
}

function replacer(_key: string, v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const name = v.constructor.name;
    if (!(name in TYPED)) throw new Error(`internal: cannot dump a ${name}`);
    return { $typed: name as TypedName, base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } satisfies TypedJson;
  }
  return v;
}

/** The header of a dump: which form it holds and how to continue from it. */
export interface IrHeader {
  format: typeof IR_FORMAT;
  version: typeof IR_VERSION;
  stage: Stage;
  /** The chip every pass after this one compiles for. */
  chip: ChipConfig;
  /** The strategy asked for (what the passes after validate and lower try first). */
  strategy: Strategy;
  /** What the compile did: the strategy that produced the binary, the placement, why spread did not fit, and the final dataflow plan. */
  result: ResumeInfo['result'];
}

export const IR_FORMAT = 'bwsnn-ir';
export const IR_VERSION = 1;

/** A loaded dump: its header and the form of its stage. */
export type IrDump = { [S in Stage]: IrHeader & { stage: S; form: CompileStages[S] } }[Stage];

/**
 * The complete form of one stage as JSON (typed arrays whole, as base64 with their type), with the
 * chip and strategy needed to continue from it (`bwsnn compile --from-ir`).
 */
export function dumpStage(st: Partial<CompileStages> & Pick<CompileStages, 'strategy' | 'placement' | 'spreadMisfit' | 'plan'>, stage: Stage, chip: ChipConfig, requested: Strategy): string {
  const form = st[stage];
  if (form === undefined) throw new BwsnnError(`--dump-ir ${stage}: that form is not computed when continuing from a later stage`, 2);
  const header: IrHeader = {
    format: IR_FORMAT,
    version: IR_VERSION,
    stage,
    chip,
    strategy: requested,
    result: { strategy: st.strategy, placement: st.placement, ...(st.spreadMisfit !== undefined ? { spreadMisfit: st.spreadMisfit } : {}), plan: st.plan },
  };
  return JSON.stringify({ ...header, form }, replacer, 1) + '\n';
}

function reviver(_key: string, v: unknown): unknown {
  if (typeof v === 'object' && v !== null && '$typed' in v) {
    const t = v as Partial<TypedJson>;
    const Ctor = typeof t.$typed === 'string' && Object.hasOwn(TYPED, t.$typed) ? TYPED[t.$typed] : undefined;
    if (!Ctor || typeof t.base64 !== 'string') throw new TypeError(`bad typed array ${JSON.stringify(t.$typed)}`);
    const bytes = Buffer.from(t.base64, 'base64');
    if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw new TypeError(`${t.$typed} of ${bytes.length} bytes`);
    const ab = new ArrayBuffer(bytes.length);
    new Uint8Array(ab).set(bytes);
    return new Ctor(ab);
  }
  return v;
}

/** Parse a dump written by dumpStage; `file` names it in errors. */
export function loadIr(text: string, file: string): IrDump {
  let raw: unknown;
  try {
    raw = JSON.parse(text, reviver);
  } catch (e) {
    throw new BwsnnError(`${file}: not an IR dump (${(e as Error).message})`);
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (o.format !== IR_FORMAT) throw new BwsnnError(`${file}: not an IR dump (field format is ${JSON.stringify(o.format)}, expected "${IR_FORMAT}")`);
  if (o.version !== IR_VERSION) throw new BwsnnError(`${file}: IR dump version ${JSON.stringify(o.version)}, this bwsnn reads version ${IR_VERSION}`);
  if (typeof o.stage !== 'string' || !(STAGES as readonly string[]).includes(o.stage)) throw new BwsnnError(`${file}: field stage: expected one of ${STAGES.join(', ')}, got ${JSON.stringify(o.stage)}`);
  const chip = parseChipConfig(o.chip, `${file}: field chip`);
  const strategies: readonly string[] = [...STRATEGIES, 'snake'];
  const r = (typeof o.result === 'object' && o.result !== null ? o.result : {}) as Record<string, unknown>;
  if (typeof o.strategy !== 'string' || !strategies.includes(o.strategy)) throw new BwsnnError(`${file}: field strategy: expected one of ${strategies.join(', ')}, got ${JSON.stringify(o.strategy)}`);
  if (typeof r.strategy !== 'string' || !strategies.includes(r.strategy)) throw new BwsnnError(`${file}: field result.strategy: expected one of ${strategies.join(', ')}, got ${JSON.stringify(r.strategy)}`);
  if (r.placement !== 'snake' && r.placement !== 'stripe' && r.placement !== 'spread') throw new BwsnnError(`${file}: field result.placement: expected snake, stripe or spread, got ${JSON.stringify(r.placement)}`);
  if (r.spreadMisfit !== undefined && typeof r.spreadMisfit !== 'string') throw new BwsnnError(`${file}: field result.spreadMisfit: expected a string`);
  const plan = (typeof r.plan === 'object' && r.plan !== null ? r.plan : undefined) as Record<string, unknown> | undefined;
  if (!plan || (plan.schedule !== 'step' && plan.schedule !== 'time') || !Array.isArray(plan.layers)) throw new BwsnnError(`${file}: field result.plan: expected a dataflow plan (schedule step or time, layers)`);
  if (typeof o.form !== 'object' || o.form === null) throw new BwsnnError(`${file}: field form: expected an object`);
  return { ...(o as unknown as IrDump), chip };
}
