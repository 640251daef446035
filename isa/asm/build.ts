/**
 * Meaning of assembly statements: builds a BwcContainer from the statements of isa/asm/visitor.ts,
 * collecting every diagnostic (file:line:column) instead of stopping at the first.
 * The language is documented in docs/isa.md ("Assembly language").
 */
import type { IToken } from 'chevrotain';
import { CHIP_FIELDS, DEFAULT_CHIP, type ChipConfig, type ChipField } from '../chip.js';
import { CHIP_PRESETS } from '../presets.js';
import {
  BWC_VERSION,
  type BwcContainer,
  type CoreImage,
  type InputEncoding,
  type Instr,
  type ModelMeta,
  type Probe,
  type RouteDest,
} from '../container-types.js';
import type { SourceDiagnostic } from '../../base/errors.js';
import { checkOperand } from '../encode.js';
import { BY_MNEMONIC, REGISTER_COUNT, type InstrDef } from '../table.js';
import { NEURON_COLUMNS, NEURON_FIELDS, neuronArrays, neuronFieldsOf, type NeuronField } from '../neuron-record.js';
import { containerVersion } from '../container.js';
import { containerIssues, type Issue } from '../validate.js';
import type { Body, Operand, Statement, Value } from './visitor.js';

/** Columns of a neuron row: the neuron record's fields (isa/neuron-record.ts). */
export { NEURON_COLUMNS };
/** Columns of a routing destination row. */
export const ROUTE_COLUMNS = ['core', 'base', 'flags', 'bitOffset'] as const;

type Block = 'none' | 'core' | 'synapses' | 'neurons' | 'route' | 'input' | 'probe' | 'entry';

interface CoreSrc {
  tok: IToken;
  instrToks: IToken[];
  synTok?: IToken;
  neuronsTok?: IToken;
  neuronToks: IToken[];
  routeToks: IToken[];
  destToks: IToken[][];
  labels: Map<string, { addr: number; tok: IToken }>;
  fixups: { k: number; field: string; name: string; tok: IToken }[];
  syn: number[];
  /** The `.neurons` rows, one column per neuron field. */
  neuronCols: Record<NeuronField, number[]>;
}

class SemanticError extends Error {
  constructor(
    readonly tok: IToken,
    message: string,
  ) {
    super(message);
  }
}

/** Parse a numeric literal: decimal, 0x hex, 0b binary (underscores allowed), negative, or float. */
export function parseNumber(text: string): { int?: bigint; float: number } {
  const neg = text.startsWith('-');
  const body = (neg ? text.slice(1) : text).replace(/_/g, '');
  if (/^(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)$/.test(body)) {
    const v = BigInt(body.toLowerCase().startsWith('0b') ? `0b${body.slice(2)}` : body);
    const int = neg ? -v : v;
    return { int, float: Number(int) };
  }
  // Reals; a malformed literal (e.g. "0x_") is NaN, which every caller refuses.
  return { float: /^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(body) ? Number(`${neg ? '-' : ''}${body}`) : NaN };
}

export class Builder {
  readonly diags: SourceDiagnostic[] = [];
  private chip: ChipConfig = { ...DEFAULT_CHIP };
  private chipTok?: IToken;
  private meta?: ModelMeta;
  private modelTok?: IToken;
  private readonly cores: CoreImage[] = [];
  private readonly src: CoreSrc[] = [];
  private readonly inputMap: BwcContainer['inputMap'] = [];
  private readonly inputToks: IToken[] = [];
  private readonly inputRows: { elements: number[]; bits: number[] }[] = [];
  private readonly probes: Probe[] = [];
  private readonly probeToks: IToken[] = [];
  private readonly entryToks: IToken[][] = [];
  private readonly entryRows: number[][][] = [];
  private readout?: number;
  /** A `.neurons` row had every column (the version 2 fields): the container is version 2. */
  private fullRows = false;
  /** The `.format` version asked for (a floor: content may need a later one). */
  private format = 1;
  private formatTok?: IToken;
  private readoutTok?: IToken;
  private block: Block = 'none';
  private blockTok?: IToken;

  constructor(private readonly file: string) {}

  error(tok: IToken | undefined, message: string): void {
    this.diags.push({ file: this.file, line: tok?.startLine ?? 1, column: tok?.startColumn ?? 1, message });
  }

  /** Interpret one statement; semantic errors are recorded, never thrown. */
  statement(st: Statement): void {
    // The label and the statement are checked apart: a bad label does not drop the instruction.
    const guard = (f: () => void): void => {
      try {
        f();
      } catch (e) {
        if (e instanceof SemanticError) this.error(e.tok, e.message);
        else throw e;
      }
    };
    const { label, body } = st;
    if (label) guard(() => this.label(label.name, label.tok));
    if (body) guard(() => this.body(body));
  }

  private get core(): { img: CoreImage; src: CoreSrc } | undefined {
    const img = this.cores[this.cores.length - 1];
    const src = this.src[this.src.length - 1];
    return img && src ? { img, src } : undefined;
  }

  private needCore(tok: IToken, what: string): { img: CoreImage; src: CoreSrc } {
    const c = this.core;
    if (!c || this.block === 'input' || this.block === 'probe' || this.block === 'entry' || this.block === 'none') {
      throw new SemanticError(tok, `${what} must follow a .core directive`);
    }
    return c;
  }

  private label(name: string, tok: IToken): void {
    const { img, src } = this.needCore(tok, `label ${name}`);
    const prev = src.labels.get(name);
    if (prev) throw new SemanticError(tok, `duplicate label ${name} (first defined at line ${prev.tok.startLine})`);
    src.labels.set(name, { addr: img.program.length, tok });
  }

  private body(b: Body): void {
    if (b.kind === 'instr') return this.instruction(b.mnemonic, b.tok, b.operands);
    if (b.kind === 'row') return this.row(b.values, b.tok);
    return this.directive(b.name, b.tok, b.operands);
  }

  // ---- values

  private int(v: Value, what: string, lo = -Number.MAX_SAFE_INTEGER, hi = Number.MAX_SAFE_INTEGER): number {
    if (v.kind !== 'num') throw new SemanticError(v.tok, `${what}: expected an integer, got ${v.kind === 'list' ? 'a list' : JSON.stringify(v.text)}`);
    const n = parseNumber(v.text);
    if (n.int === undefined) throw new SemanticError(v.tok, `${what}: expected an integer, got ${v.text}`);
    if (n.int < BigInt(lo) || n.int > BigInt(hi)) throw new SemanticError(v.tok, `${what} = ${v.text} is out of range [${lo}, ${hi}]`);
    return Number(n.int);
  }

  private float(v: Value, what: string): number {
    if (v.kind !== 'num') throw new SemanticError(v.tok, `${what}: expected a number`);
    return parseNumber(v.text).float;
  }

  private name(v: Value, what: string): string {
    if (v.kind === 'str' || v.kind === 'id') return v.text;
    if (v.kind === 'num') return v.text;
    throw new SemanticError(v.tok, `${what}: expected a name`);
  }

  private intList(v: Value, what: string, lo: number, hi: number): number[] {
    if (v.kind !== 'list') throw new SemanticError(v.tok, `${what}: expected a list [a, b, ...]`);
    return v.items.map((x, i) => this.int(x, `${what}[${i}]`, lo, hi));
  }

  /** Named operands of a directive, refusing unknown names and duplicates. */
  private named(dir: string, ops: Operand[], known: readonly string[], positional = 0): { pos: Value[]; kv: Map<string, Value> } {
    const pos: Value[] = [];
    const kv = new Map<string, Value>();
    for (const o of ops) {
      if (o.name === undefined) {
        if (pos.length >= positional || kv.size > 0) throw new SemanticError(o.value.tok, `${dir}: unexpected positional operand; use key=value (keys: ${known.join(', ')})`);
        pos.push(o.value);
        continue;
      }
      const nameTok = o.nameTok as IToken;
      if (!known.includes(o.name)) throw new SemanticError(nameTok, `${dir}: unknown key ${o.name} (known: ${known.join(', ')})`);
      if (kv.has(o.name)) throw new SemanticError(nameTok, `${dir}: key ${o.name} given twice`);
      kv.set(o.name, o.value);
    }
    return { pos, kv };
  }

  private required(dir: string, tok: IToken, kv: Map<string, Value>, key: string): Value {
    const v = kv.get(key);
    if (!v) throw new SemanticError(tok, `${dir}: missing ${key}=`);
    return v;
  }

  // ---- directives

  private directive(name: string, tok: IToken, ops: Operand[]): void {
    switch (name) {
      case '.chip':
        return this.dirChip(tok, ops);
      case '.model':
        return this.dirModel(tok, ops);
      case '.core':
        return this.dirCore(tok, ops);
      case '.synapses':
      case '.neurons':
      case '.route': {
        const { img, src } = this.needCore(tok, name);
        this.named(name, ops, []);
        if (name === '.synapses') {
          if (src.synTok) throw new SemanticError(tok, `.synapses given twice for core ${img.core} (first at line ${src.synTok.startLine})`);
          src.synTok = tok;
          this.block = 'synapses';
        } else if (name === '.neurons') {
          if (src.neuronsTok) throw new SemanticError(tok, `.neurons given twice for core ${img.core} (first at line ${src.neuronsTok.startLine})`);
          src.neuronsTok = tok;
          this.block = 'neurons';
        } else {
          img.routes.push([]);
          src.routeToks.push(tok);
          src.destToks.push([]);
          this.block = 'route';
        }
        this.blockTok = tok;
        return;
      }
      case '.input':
        return this.dirInput(tok, ops);
      case '.probe':
        return this.dirProbe(tok, ops);
      case '.entry':
        return this.dirEntry(tok, ops);
      case '.format': {
        const { pos } = this.named(name, ops, [], 1);
        if (pos.length !== 1) throw new SemanticError(tok, '.format: expected one operand, the container format version');
        if (this.formatTok) throw new SemanticError(tok, `.format given twice (first at line ${this.formatTok.startLine})`);
        this.format = this.int(pos[0] as Value, '.format', 1, BWC_VERSION);
        this.formatTok = tok;
        return;
      }
      case '.readout': {
        const { pos } = this.named(name, ops, [], 1);
        if (pos.length !== 1) throw new SemanticError(tok, '.readout: expected one operand, the probe index');
        if (this.readoutTok) throw new SemanticError(tok, `.readout given twice (first at line ${this.readoutTok.startLine})`);
        this.readout = this.int(pos[0] as Value, '.readout', 0, 0xffffffff);
        this.readoutTok = tok;
        this.block = 'none';
        return;
      }
      default:
        throw new SemanticError(tok, `unknown directive ${name} (known: .chip, .format, .model, .core, .synapses, .neurons, .route, .input, .probe, .entry, .readout)`);
    }
  }

  private dirChip(tok: IToken, ops: Operand[]): void {
    if (this.chipTok) throw new SemanticError(tok, `.chip given twice (first at line ${this.chipTok.startLine})`);
    if (this.cores.length || this.meta) throw new SemanticError(tok, '.chip must come before .model and .core');
    this.chipTok = tok;
    const keys = ['name', ...Object.keys(CHIP_FIELDS), 'banks'];
    const { pos, kv } = this.named('.chip', ops, keys, 1);
    let base: Readonly<ChipConfig> = DEFAULT_CHIP;
    if (pos[0]) {
      const pname = this.name(pos[0], '.chip preset');
      const preset = CHIP_PRESETS[pname];
      if (!preset) throw new SemanticError(pos[0].tok, `.chip: unknown preset ${pname} (known: ${Object.keys(CHIP_PRESETS).join(', ')})`);
      base = preset;
    }
    const chip: ChipConfig = { ...base };
    for (const [k, v] of kv) {
      if (k === 'name') chip.name = this.name(v, '.chip name');
      else if (k === 'banks') {
        // banks=[synapse, neuron, axon], 0 = the default (docs/chip.md "banks").
        if (v.kind !== 'list' || v.items.length !== 3) throw new SemanticError(v.tok, '.chip banks: expected [synapse, neuron, axon] (0 = default)');
        const [s, n, a] = v.items.map((x, i) => this.int(x, `.chip banks[${i}]`, 0, 4096));
        chip.banks = { ...(s ? { synapse: s } : {}), ...(n ? { neuron: n } : {}), ...(a ? { axon: a } : {}) };
        if (Object.keys(chip.banks).length === 0) delete chip.banks;
      } else chip[k as ChipField] = this.float(v, `.chip ${k}`);
    }
    this.chip = chip;
  }

  private dirModel(tok: IToken, ops: Operand[]): void {
    if (this.modelTok) throw new SemanticError(tok, `.model given twice (first at line ${this.modelTok.startLine})`);
    this.modelTok = tok;
    const { kv } = this.named('.model', ops, ['name', 'timesteps', 'input', 'encoding', 'threshold', 'bits', 'classes', 'range', 'dataset']);
    const enc = kv.get('encoding');
    const encName = enc ? this.name(enc, '.model encoding') : 'binary';
    let encoding: InputEncoding;
    if (encName === 'binary') {
      if (kv.has('bits')) throw new SemanticError(kv.get('bits')?.tok as IToken, '.model: bits= belongs to encoding=multibit');
      const th = kv.get('threshold');
      encoding = { kind: 'binary', threshold: th ? this.float(th, '.model threshold') : 0.5 };
    } else if (encName === 'multibit') {
      if (kv.has('threshold')) throw new SemanticError(kv.get('threshold')?.tok as IToken, '.model: threshold= belongs to encoding=binary');
      encoding = { kind: 'multibit', bits: this.int(this.required('.model', tok, kv, 'bits'), '.model bits') };
    } else {
      throw new SemanticError((enc as Value).tok, `.model: unknown encoding ${encName} (binary or multibit)`);
    }
    const nm = kv.get('name');
    this.meta = {
      name: nm ? this.name(nm, '.model name') : '',
      timesteps: this.int(this.required('.model', tok, kv, 'timesteps'), '.model timesteps'),
      inputShape: this.intList(this.required('.model', tok, kv, 'input'), '.model input', 0, 0xffffffff),
      encoding,
      classes: this.int(this.required('.model', tok, kv, 'classes'), '.model classes', 0, 0xffffffff),
    };
    const range = kv.get('range');
    if (range) {
      if (range.kind !== 'list' || range.items.length !== 2) throw new SemanticError(range.tok, '.model range: expected [lo, hi]');
      this.meta.inputRange = [this.float(range.items[0] as Value, '.model range[0]'), this.float(range.items[1] as Value, '.model range[1]')];
    }
    const ds = kv.get('dataset');
    if (ds) this.meta.dataset = this.name(ds, '.model dataset');
  }

  private dirCore(tok: IToken, ops: Operand[]): void {
    const { pos } = this.named('.core', ops, [], 1);
    if (pos.length !== 1) throw new SemanticError(tok, '.core: expected one operand, the core index');
    const core = this.int(pos[0] as Value, '.core index', 0, 0xfffe);
    this.finishCore();
    this.cores.push({
      core,
      program: [],
      synapses: new Uint32Array(0),
      neurons: { count: 0, ...neuronArrays(() => 0) },
      routes: [],
    });
    this.src.push({ tok, instrToks: [], neuronToks: [], routeToks: [], destToks: [], labels: new Map(), fixups: [], syn: [], neuronCols: Object.fromEntries(NEURON_COLUMNS.map((c) => [c, []])) as unknown as Record<NeuronField, number[]> });
    this.block = 'core';
    this.blockTok = tok;
  }

  private dirInput(tok: IToken, ops: Operand[]): void {
    const { kv } = this.named('.input', ops, ['core', 'base', 'stride']);
    this.inputMap.push({
      core: this.int(this.required('.input', tok, kv, 'core'), '.input core', 0, 0xffffffff),
      axonBase: this.int(this.required('.input', tok, kv, 'base'), '.input base', 0, 0xffffffff),
      planeStride: kv.has('stride') ? this.int(kv.get('stride') as Value, '.input stride', 0, 0xffffffff) : 0,
      elements: new Int32Array(0),
      bits: new Int32Array(0),
    });
    this.inputToks.push(tok);
    this.inputRows.push({ elements: [], bits: [] });
    this.block = 'input';
    this.blockTok = tok;
  }

  private dirProbe(tok: IToken, ops: Operand[]): void {
    const { kv } = this.named('.probe', ops, ['layer', 'kind', 'shape']);
    const kind = this.name(this.required('.probe', tok, kv, 'kind'), '.probe kind');
    if (kind !== 'spikes' && kind !== 'membrane') throw new SemanticError((kv.get('kind') as Value).tok, `.probe: kind must be spikes or membrane, got ${kind}`);
    this.probes.push({
      layer: this.name(this.required('.probe', tok, kv, 'layer'), '.probe layer'),
      kind,
      shape: this.intList(this.required('.probe', tok, kv, 'shape'), '.probe shape', 0, 0xffffffff),
      entries: [],
    });
    this.probeToks.push(tok);
    this.entryToks.push([]);
    this.entryRows.push([]);
    this.block = 'probe';
    this.blockTok = tok;
  }

  private dirEntry(tok: IToken, ops: Operand[]): void {
    const p = this.probes[this.probes.length - 1];
    if (!p || (this.block !== 'probe' && this.block !== 'entry')) {
      throw new SemanticError(tok, '.entry must follow a .probe directive');
    }
    const { kv } = this.named('.entry', ops, ['core', 'base']);
    p.entries.push({
      core: this.int(this.required('.entry', tok, kv, 'core'), '.entry core', 0, 0xffffffff),
      neuronBase: this.int(this.required('.entry', tok, kv, 'base'), '.entry base', 0, 0xffffffff),
      count: 0,
      index: new Int32Array(0),
    });
    (this.entryToks[this.entryToks.length - 1] as IToken[]).push(tok);
    (this.entryRows[this.entryRows.length - 1] as number[][]).push([]);
    this.block = 'entry';
    this.blockTok = tok;
  }

  // ---- data rows

  private row(values: Value[], tok: IToken): void {
    const text = (v: Value): string => (v.kind === 'list' ? '' : v.text);
    switch (this.block) {
      case 'synapses': {
        const { src } = this.needCore(tok, 'a synapse row');
        for (const v of values) {
          const n = parseNumber(text(v));
          if (n.int === undefined || n.int < 0n || n.int > 0xffffffffffffffffn) {
            throw new SemanticError(v.tok, `synapse word ${text(v)} is not an unsigned 64-bit integer`);
          }
          src.syn.push(Number(n.int & 0xffffffffn), Number(n.int >> 32n));
        }
        return;
      }
      case 'neurons': {
        const { src } = this.needCore(tok, 'a neuron row');
        // A row has every column, or the version 1 columns (the later fields are then 0).
        const v1 = neuronFieldsOf(1).length;
        if (values.length !== NEURON_COLUMNS.length && values.length !== v1) {
          throw new SemanticError(tok, `neuron row has ${values.length} values, expected ${NEURON_COLUMNS.length} (${NEURON_COLUMNS.join(' ')}) or the first ${v1}`);
        }
        const nums = NEURON_COLUMNS.map((c, i) => (i < values.length ? this.int(values[i]!, `neuron ${c}`, -(2 ** 31), 2 ** 31 - 1) : 0));
        NEURON_FIELDS.forEach((f, i) => {
          const x = nums[i]!;
          if (f.type === 'u8' && (x < 0 || x > 255)) throw new SemanticError((values[i] as Value).tok, `neuron ${f.name} ${x} is out of range [0, 255]`);
        });
        NEURON_FIELDS.forEach((f, i) => src.neuronCols[f.name].push(nums[i]!));
        src.neuronToks.push(tok);
        if (values.length === NEURON_COLUMNS.length) this.fullRows = true;
        return;
      }
      case 'route': {
        const { img, src } = this.needCore(tok, 'a routing destination');
        if (values.length !== ROUTE_COLUMNS.length) {
          throw new SemanticError(tok, `routing destination has ${values.length} values, expected ${ROUTE_COLUMNS.length} (${ROUTE_COLUMNS.join(' ')})`);
        }
        const [core, base, flags, bitOffset] = values.map((v, i) => this.int(v, `route ${ROUTE_COLUMNS[i]}`, 0, 0xffffffff)) as [number, number, number, number];
        const d: RouteDest = { core, base, flags, bitOffset };
        (img.routes[img.routes.length - 1] as RouteDest[]).push(d);
        (src.destToks[src.destToks.length - 1] as IToken[]).push(tok);
        return;
      }
      case 'input': {
        if (values.length % 2 !== 0) throw new SemanticError(tok, `input row has ${values.length} values, expected pairs of element bit`);
        const r = this.inputRows[this.inputRows.length - 1] as { elements: number[]; bits: number[] };
        for (let i = 0; i < values.length; i += 2) {
          r.elements.push(this.int(values[i] as Value, 'input element', -(2 ** 31), 2 ** 31 - 1));
          r.bits.push(this.int(values[i + 1] as Value, 'input bit', -(2 ** 31), 2 ** 31 - 1));
        }
        return;
      }
      case 'entry': {
        const rows = this.entryRows[this.entryRows.length - 1] as number[][];
        const r = rows[rows.length - 1] as number[];
        for (const v of values) r.push(this.int(v, 'probe index', -(2 ** 31), 2 ** 31 - 1));
        return;
      }
      default:
        throw new SemanticError(tok, 'a row of numbers must follow .synapses, .neurons, .route, .input or .entry');
    }
  }

  // ---- instructions

  private instruction(mnemonic: string, tok: IToken, ops: Operand[]): void {
    const { img, src } = this.needCore(tok, `instruction ${mnemonic}`);
    const k = img.program.length;
    // Keep addresses stable even when this instruction is refused.
    img.program.push({ op: 'NOP', args: {} });
    src.instrToks.push(tok);
    const def = BY_MNEMONIC.get(mnemonic);
    if (!def) throw new SemanticError(tok, `unknown mnemonic ${mnemonic}`);
    const args: Record<string, number> = {};
    const given = new Map<string, Value>();
    let positional = 0;
    for (const o of ops) {
      if (o.name === undefined) {
        if (given.size > positional) throw new SemanticError(o.value.tok, `${def.mnemonic}: positional operand after a named one`);
        const f = def.fields[positional];
        if (!f) throw new SemanticError(o.value.tok, `${def.mnemonic}: wrong operand count: expects ${def.fields.length} (${def.fields.map((x) => x.name).join(', ') || 'none'}), got ${ops.length}`);
        given.set(f.name, o.value);
        positional++;
      } else {
        const f = def.fields.find((x) => x.name === o.name);
        if (!f) throw new SemanticError(o.nameTok as IToken, `${def.mnemonic} has no operand ${o.name} (operands: ${def.fields.map((x) => x.name).join(', ') || 'none'})`);
        if (given.has(f.name)) throw new SemanticError(o.nameTok as IToken, `${def.mnemonic}: operand ${f.name} given twice`);
        given.set(f.name, o.value);
      }
    }
    if (given.size !== def.fields.length) {
      const missing = def.fields.filter((f) => !given.has(f.name)).map((f) => f.name);
      throw new SemanticError(tok, `${def.mnemonic}: wrong operand count: expects ${def.fields.length} (${def.fields.map((x) => x.name).join(', ')}), got ${given.size}; missing ${missing.join(', ')}`);
    }
    for (const f of def.fields) {
      const v = given.get(f.name) as Value;
      if (f.kind === 'reg') {
        const m = v.kind === 'id' ? /^[rR](\d+)$/.exec(v.text) : null;
        const r = m ? Number(m[1]) : NaN;
        if (!(r >= 0 && r < REGISTER_COUNT)) throw new SemanticError(v.tok, `${def.mnemonic} operand ${f.name}: expected a register r0..r${REGISTER_COUNT - 1}, got ${v.kind === 'list' ? 'a list' : v.text}`);
        args[f.name] = r;
        continue;
      }
      if (f.kind === 'target' && v.kind === 'id') {
        src.fixups.push({ k, field: f.name, name: v.text, tok: v.tok });
        args[f.name] = 0;
        continue;
      }
      if (v.kind === 'id' && /^[rR]\d+$/.test(v.text)) throw new SemanticError(v.tok, `${def.mnemonic} operand ${f.name} is an immediate, not a register`);
      const n = this.int(v, `${def.mnemonic} operand ${f.name}`);
      const err = checkOperand(def as InstrDef, f, n);
      if (err) throw new SemanticError(v.tok, err);
      args[f.name] = n;
    }
    img.program[k] = { op: def.mnemonic, args } satisfies Instr;
  }

  // ---- end of a core / of the file

  private finishCore(): void {
    const c = this.core;
    if (!c) return;
    const { img, src } = c;
    for (const fx of src.fixups) {
      const l = src.labels.get(fx.name);
      if (!l) this.error(fx.tok, `undefined label ${fx.name} (in core ${img.core})`);
      else (img.program[fx.k] as Instr).args[fx.field] = l.addr;
    }
    src.fixups.length = 0;
    img.synapses = Uint32Array.from(src.syn);
    img.neurons = { count: src.neuronToks.length, ...neuronArrays((f) => src.neuronCols[f.name]) };
  }

  /** Finish and validate; returns the container, or undefined when there were diagnostics. */
  finish(endTok: IToken | undefined): BwcContainer | undefined {
    this.finishCore();
    this.inputMap.forEach((b, i) => {
      const r = this.inputRows[i] as { elements: number[]; bits: number[] };
      b.elements = Int32Array.from(r.elements);
      b.bits = Int32Array.from(r.bits);
    });
    this.probes.forEach((p, i) => {
      p.entries.forEach((e, j) => {
        const r = (this.entryRows[i] as number[][])[j] as number[];
        e.index = Int32Array.from(r);
        e.count = r.length;
      });
    });
    if (!this.meta && !this.modelTok) this.error(endTok, 'missing .model directive (name, timesteps, input, encoding, classes)');
    if (this.readout === undefined && this.probes.length) this.error(endTok, 'missing .readout directive (index of the readout probe)');
    if (!this.meta) return undefined;
    const c: BwcContainer = {
      version: Math.max(containerVersion({ cores: this.cores, meta: this.meta, chip: this.chip }), this.fullRows ? 2 : 1, this.format),
      chip: this.chip,
      meta: this.meta,
      cores: this.cores,
      inputMap: this.inputMap,
      outputMap: { readout: this.readout ?? 0, probes: this.probes },
    };
    for (const is of containerIssues(c)) {
      if (is.section === 'meta' && is.message.startsWith('unsupported')) continue;
      this.error(this.issueToken(is) ?? endTok, is.message);
    }
    return this.diags.length ? undefined : c;
  }

  private issueToken(is: Issue): IToken | undefined {
    const src = is.coreIdx === undefined ? undefined : this.src[is.coreIdx];
    switch (is.section) {
      case 'chip':
        return this.chipTok;
      case 'meta':
        return this.modelTok;
      case 'program':
        return (is.item !== undefined ? src?.instrToks[is.item] : undefined) ?? src?.tok;
      case 'synapses':
        return src?.synTok ?? src?.tok;
      case 'neurons':
        return (is.item !== undefined ? src?.neuronToks[is.item] : undefined) ?? src?.neuronToks[0] ?? src?.tok;
      case 'routes':
        return (is.item !== undefined ? (is.sub !== undefined ? src?.destToks[is.item]?.[is.sub] : src?.routeToks[is.item]) : undefined) ?? src?.routeToks[0] ?? src?.tok;
      case 'input':
        return is.item !== undefined ? this.inputToks[is.item] : undefined;
      case 'output':
        if (is.item === undefined) return this.readoutTok;
        return (is.sub !== undefined ? this.entryToks[is.item]?.[is.sub] : this.probeToks[is.item]) ?? this.readoutTok;
    }
  }
}
