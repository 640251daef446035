/**
 * The BW-Core instruction set as one declarative table.
 *
 * Each instruction is declared once: mnemonic, opcode, operand fields (name, width, kind, range),
 * one-line semantics, its cycle cost as a formula of the instruction's activity and the chip
 * config, and the energy events it causes. The encoder, decoder, assembler, disassembler, the
 * simulator's dispatch and docs/isa.md are all generic code over this table.
 *
 * Encoding: one 64-bit little-endian word per instruction. Bits 0..7 hold the opcode; the
 * operand fields follow from bit 8 upward in the order they are declared, each `bits` wide
 * (signed fields in two's complement). Unused high bits are zero; a decoder refuses a word whose
 * unused bits are not zero.
 */
import type { ChipConfig, ChipField } from './chip.js';
import { DATAFLOW_INSTRUCTIONS } from './dataflow-table.js';
import { accSel, ap, reg, stream, wmode, wq } from './table-parts.js';

export { WMODE, type WmodeName } from './table-parts.js';

export type FieldKind =
  /** A general register r0..r15 (r0 reads as 0, writes to it are dropped). */
  | 'reg'
  /** An unsigned immediate. */
  | 'uint'
  /** A signed (two's complement) immediate. */
  | 'sint'
  /** An absolute instruction address; the assembler accepts a label. */
  | 'target';

export interface FieldDef {
  readonly name: string;
  readonly bits: number;
  readonly kind: FieldKind;
  /** Smallest legal value (defaults: 0 for uint/reg/target, -2^(bits-1) for sint). */
  readonly min?: number;
  /** Largest legal value (defaults to what `bits` can hold). */
  readonly max?: number;
  /** Named values of an enumerated field (e.g. wmode): name -> value; the legal range is theirs. */
  readonly values?: Readonly<Record<string, number>>;
  /** The chip field the immediate may not exceed (checked by isa/validate.ts against the container's chip). */
  readonly chipBound?: ChipField;
  readonly doc: string;
}

/**
 * A static bound of an instruction's immediates by the chip, as data: the product of `fields` may
 * not exceed chip[`bound`]. `text` words the refusal after the mnemonic, with {expr} (the fields
 * joined by *), {v} (the product), {bound} and {limit} (its value) filled in.
 */
export interface ChipLimit {
  readonly fields: readonly string[];
  readonly bound: ChipField;
  readonly text: string;
}

/**
 * What an instruction does to the general registers, as data: the field naming the destination
 * register and the value it gets from the operands (`read` gives a source register's value, or
 * undefined when unknown). `value` undefined: the new value is not a function of the operands
 * alone (a loop counter). Static analyses (simulator/attribution.ts) interpret programs with it.
 */
export interface RegWrite {
  readonly dest: string;
  readonly value?: (args: Readonly<Record<string, number>>, read: (field: string) => number | undefined) => number | undefined;
}

/** Instruction classes of DESIGN.md. */
export type InstrClass =
  | 'control'
  | 'register'
  | 'spike-input'
  | 'accumulate'
  | 'neuron'
  | 'readout'
  | 'send'
  | 'barrier';

/**
 * What one executed instruction did; the cost and energy formulas are functions of it.
 * The simulator's semantic function for the instruction fills it in.
 */
export interface Activity {
  /** Neurons addressed (vector length). */
  n: number;
  /** 64-bit axon words scanned (read from the axon buffer). */
  scan: number;
  /** 64-bit popcount word operations against synapse rows (each reads one synapse word). */
  ops: number;
  /** Flits injected into the network (packets, one flit each). */
  flits: number;
  /** Spikes generated (neurons that fired). */
  spikes: number;
  /** 1 if a branch was taken. */
  taken: number;
  /**
   * Applications (dataflow instructions, isa/dataflow-table.ts): ACCT (row word, time slot)
   * popcounts, ACCE accumulator increments, FIRET/INTEGT neuron-step updates.
   */
  uses: number;
  /**
   * Accumulator entries read-modified-written (dataflow instructions): ACCT, ACCE one per target
   * neuron and time slot with input (their sums are formed in datapath registers first).
   */
  updates: number;
}

/** Energy events; the energy table gives the energy of each (see simulator/energy). */
export const ENERGY_EVENTS = [
  'instr_fetch',
  'popcount_word',
  'acc_update',
  'synapse_read_word',
  'axon_read_word',
  'axon_write_word',
  'neuron_read',
  'neuron_write',
  'membrane_update',
  'gain_multiply',
  'threshold_compare',
  'spike',
  'flit_inject',
  'flit_hop',
  'barrier',
] as const;
export type EnergyEvent = (typeof ENERGY_EVENTS)[number];

export type EventCounts = Partial<Record<EnergyEvent, number>>;

export interface InstrDef {
  readonly mnemonic: string;
  readonly opcode: number;
  readonly cls: InstrClass;
  readonly fields: readonly FieldDef[];
  /** One line: what the instruction does. */
  readonly semantics: string;
  /** The cycle formula as text (for the ISA reference). */
  readonly costText: string;
  /** Issue cycles as a function of activity and chip (waits at barriers are counted apart). */
  readonly cycles: (a: Activity, c: ChipConfig) => number;
  /** Energy events this instruction causes, as a function of its activity. */
  readonly events: (a: Activity) => EventCounts;
  /** The energy events as text (for the ISA reference). */
  readonly eventsText: string;
  /** The register this instruction writes and how (absent: writes no register). */
  readonly regWrite?: RegWrite;
  /** The field holding a branch or jump target address (absent: never branches). */
  readonly branchTarget?: string;
  /** Bounds of products of its immediates by the chip (per-field bounds are `FieldDef.chipBound`). */
  readonly chipLimits?: readonly ChipLimit[];
}

/** The CFGW window geometry that fixes an ACCW's output width. */
export interface WindowGeometry {
  readonly inw: number;
  readonly kw: number;
  readonly sw: number;
  readonly pw: number;
}
/** Output width of a CFGW window (the formula CFGW's semantics states; outputs < 1 are invalid). */
export function windowOutWidth(g: WindowGeometry): number {
  return Math.floor((g.inw + 2 * g.pw - g.kw) / g.sw) + 1;
}
const fill = (c: ChipConfig): number => c.pipelineDepth;
const one = (): number => 1;
const fetchOnly = (): EventCounts => ({ instr_fetch: 1 });

/** Events of the popcount datapath: axon scan, synapse reads, popcounts, accumulator adds. */
const accEvents = (a: Activity): EventCounts => ({
  instr_fetch: 1,
  axon_read_word: a.scan,
  popcount_word: a.ops + a.scan,
  synapse_read_word: a.ops,
  acc_update: a.ops,
});

const neuronEvents = (fire: boolean) => (a: Activity): EventCounts => ({
  instr_fetch: 1,
  neuron_read: a.n,
  neuron_write: a.n,
  gain_multiply: 2 * a.n,
  membrane_update: a.n,
  ...(fire ? { threshold_compare: a.n, spike: a.spikes } : {}),
});

const BASE_INSTRUCTIONS: readonly InstrDef[] = [
  {
    mnemonic: 'NOP',
    opcode: 0x00,
    cls: 'control',
    fields: [],
    semantics: 'Do nothing.',
    costText: '1',
    cycles: one,
    events: fetchOnly,
    eventsText: 'instr_fetch',
  },
  {
    mnemonic: 'HALT',
    opcode: 0x01,
    cls: 'control',
    fields: [],
    semantics:
      'End this core\'s work for the time step. The step ends at the global barrier: when every core has halted and the network is empty, plus the barrier delay (barrierLatency + the mesh diameter term, docs/timing.md); then the axon banks swap and every program restarts at address 0.',
    costText: '1 (+ wait for the step barrier, counted as stall)',
    cycles: one,
    events: () => ({ instr_fetch: 1, barrier: 1 }),
    eventsText: 'instr_fetch, barrier',
  },
  {
    mnemonic: 'SYNC',
    opcode: 0x02,
    cls: 'barrier',
    fields: [],
    semantics:
      'Phase barrier: wait until every core has reached its SYNC of the same rank in this step and every flit sent before has been delivered; release after the barrier delay (barrierLatency + the mesh diameter term, docs/timing.md).',
    costText: '1 (+ wait until release, counted as stall)',
    cycles: one,
    events: () => ({ instr_fetch: 1, barrier: 1 }),
    eventsText: 'instr_fetch, barrier',
  },
  {
    mnemonic: 'INPUT',
    opcode: 0x03,
    cls: 'spike-input',
    fields: [],
    semantics:
      'Wait until the host\'s input flits of this time step (injected at the start of the step through the input map) have all been delivered to the axon buffers.',
    costText: '1 (+ wait for the last input flit, counted as stall)',
    cycles: one,
    events: fetchOnly,
    eventsText: 'instr_fetch',
  },
  {
    mnemonic: 'LI',
    opcode: 0x10,
    cls: 'register',
    fields: [reg('rd', 'destination register'), { name: 'imm', bits: 32, kind: 'sint', doc: 'value' }],
    semantics: 'rd = imm.',
    costText: '1',
    cycles: one,
    events: fetchOnly,
    eventsText: 'instr_fetch',
    regWrite: { dest: 'rd', value: (a) => a.imm! | 0 },
  },
  {
    mnemonic: 'ADDI',
    opcode: 0x11,
    cls: 'register',
    fields: [reg('rd', 'destination register'), reg('rs', 'source register'), { name: 'imm', bits: 24, kind: 'sint', doc: 'addend' }],
    semantics: 'rd = rs + imm (32-bit wrap-around).',
    costText: '1',
    cycles: one,
    events: fetchOnly,
    eventsText: 'instr_fetch',
    regWrite: { dest: 'rd', value: (a, read) => { const v = read('rs'); return v === undefined ? undefined : (v + a.imm!) | 0; } },
  },
  {
    mnemonic: 'ADD',
    opcode: 0x12,
    cls: 'register',
    fields: [reg('rd', 'destination register'), reg('rs', 'first source'), reg('rt', 'second source')],
    semantics: 'rd = rs + rt (32-bit wrap-around).',
    costText: '1',
    cycles: one,
    events: fetchOnly,
    eventsText: 'instr_fetch',
    regWrite: { dest: 'rd', value: (_a, read) => { const x = read('rs'), y = read('rt'); return x === undefined || y === undefined ? undefined : (x + y) | 0; } },
  },
  {
    mnemonic: 'BNZD',
    opcode: 0x13,
    cls: 'control',
    fields: [reg('rs', 'loop counter'), { name: 'target', bits: 16, kind: 'target', doc: 'branch target address' }],
    semantics: 'rs = rs - 1; if rs != 0 then jump to target (a counted loop).',
    costText: '1 + branchPenalty if taken',
    cycles: (a, c) => 1 + a.taken * c.branchPenalty,
    events: fetchOnly,
    eventsText: 'instr_fetch',
    regWrite: { dest: 'rs' },
    branchTarget: 'target',
  },
  {
    mnemonic: 'JMP',
    opcode: 0x14,
    cls: 'control',
    fields: [{ name: 'target', bits: 16, kind: 'target', doc: 'jump target address' }],
    semantics: 'Jump to target.',
    costText: '1 + branchPenalty',
    cycles: (_a, c) => 1 + c.branchPenalty,
    events: fetchOnly,
    eventsText: 'instr_fetch',
    branchTarget: 'target',
  },
  {
    mnemonic: 'ACC',
    opcode: 0x20,
    cls: 'accumulate',
    fields: [
      accSel,
      reg('rn', 'first neuron'),
      reg('rw', 'first synapse word of the first row'),
      reg('ra', 'first axon word'),
      { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons (rows)' },
      { name: 'len', bits: 16, kind: 'uint', min: 1, doc: 'axon words per plane (row length per weight plane)' },
      wmode,
      wq,
      ap,
    ],
    semantics:
      'Dense accumulate: for i < n, acc[rn+i] += sum over axon planes p < ap and words j < len with a = axon[ra + p*len + j] != 0 of 2^p * W(i, j, a), where row i holds wq planes of len words at rw + (i*wq + q)*len and W is 2*popcount(a & b) - popcount(a) for binary, sum_q 2^q popcount(a & b_q) for unsigned, the same with plane wq-1 negative for two\'s complement. Zero axon words are skipped.',
    costText: 'pipelineDepth + ceil(64*scan / (lanes*laneBits)) + ceil(64*ops / (lanes*laneBits)); scan = ap*len, ops = n*wq*(non-zero axon words)',
    cycles: (a, c) => fill(c) + stream(a.scan, c) + stream(a.ops, c),
    events: accEvents,
    eventsText: 'instr_fetch, axon_read_word x scan, popcount_word x (ops + scan), synapse_read_word x ops, acc_update x ops',
    chipLimits: [{ fields: ['ap', 'len'], bound: 'axonLines', text: 'reads {expr} = {v} axon words, more than {bound} = {limit}' }],
  },
  {
    mnemonic: 'CFGW',
    opcode: 0x21,
    cls: 'accumulate',
    fields: [
      { name: 'inh', bits: 12, kind: 'uint', min: 1, doc: 'input height (rows held in this axon region)' },
      { name: 'inw', bits: 12, kind: 'uint', min: 1, doc: 'input width' },
      { name: 'cw', bits: 8, kind: 'uint', min: 1, doc: 'axon words per input position (ceil(channels/64))' },
      { name: 'kh', bits: 4, kind: 'uint', min: 1, doc: 'kernel height' },
      { name: 'kw', bits: 4, kind: 'uint', min: 1, doc: 'kernel width' },
      { name: 'sh', bits: 4, kind: 'uint', min: 1, doc: 'vertical stride' },
      { name: 'sw', bits: 4, kind: 'uint', min: 1, doc: 'horizontal stride' },
      { name: 'ph', bits: 4, kind: 'uint', doc: 'padding rows above (input row of output row y, kernel row ky: y*sh + ky - ph)' },
      { name: 'pw', bits: 4, kind: 'uint', doc: 'padding columns left' },
    ],
    semantics:
      'Set the window geometry used by ACCW: input inh x inw positions of cw words each (position-major, channels packed in words), kernel kh x kw, strides sh, sw, paddings ph, pw. Output width is floor((inw + 2*pw - kw)/sw) + 1.',
    costText: '1',
    cycles: one,
    events: fetchOnly,
    eventsText: 'instr_fetch',
    chipLimits: [{ fields: ['inh', 'inw', 'cw'], bound: 'axonLines', text: 'input region {expr} = {v} words exceeds {bound} = {limit}' }],
  },
  {
    mnemonic: 'ACCW',
    opcode: 0x22,
    cls: 'accumulate',
    fields: [
      accSel,
      reg('rn', 'first neuron'),
      reg('rw', 'first synapse word of the kernel of output channel 0'),
      reg('ra', 'axon word of input position (0, 0), plane 0'),
      reg('ry', 'first output row (relative to the input rows held)'),
      { name: 'oh', bits: 12, kind: 'uint', min: 1, doc: 'output rows' },
      { name: 'cout', bits: 12, kind: 'uint', min: 1, doc: 'output channels' },
      wmode,
      wq,
      ap,
    ],
    semantics:
      'Window (convolution) accumulate with the CFGW geometry and shared weights: for output rows y in [ry, ry+oh), columns x < outw, channels c < cout, neuron rn + ((y-ry)*outw + x)*cout + c gets the dense rule over the in-range window positions (iy, ix) = (y*sh+ky-ph, x*sw+kx-pw), axon words ra + p*inh*inw*cw + (iy*inw+ix)*cw + j, kernel row of channel c at rw + (c*wq + q)*kh*kw*cw + (ky*kw+kx)*cw + j. Out-of-range positions are zero padding and skipped, as are zero axon words.',
    costText: 'pipelineDepth + ceil(64*scan / (lanes*laneBits)) + ceil(64*ops / (lanes*laneBits)); scan = in-range window words x ap over all output positions, ops = cout*wq*(non-zero ones among them)',
    cycles: (a, c) => fill(c) + stream(a.scan, c) + stream(a.ops, c),
    events: accEvents,
    eventsText: 'instr_fetch, axon_read_word x scan, popcount_word x (ops + scan), synapse_read_word x ops, acc_update x ops',
    chipLimits: [{ fields: ['oh', 'cout'], bound: 'neuronsPerCore', text: 'writes at least {expr} = {v} neurons, more than {bound} = {limit}' }],
  },
  {
    mnemonic: 'ACCS',
    opcode: 0x23,
    cls: 'accumulate',
    fields: [
      accSel,
      reg('rn', 'first neuron'),
      reg('ra', 'first axon word'),
      { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons' },
      { name: 'g', bits: 12, kind: 'uint', min: 1, doc: 'neurons per group (channels per position)' },
      { name: 'cw', bits: 8, kind: 'uint', min: 1, doc: 'axon words per group' },
    ],
    semantics:
      'Identity (shortcut) accumulate of spikes: for i < n, acc[rn+i] += bit (i mod g) of the bits starting at axon word ra + floor(i/g)*cw (bits counted across words). No synapse memory is read; scan = words read.',
    costText: 'pipelineDepth + ceil(n / lanes)',
    cycles: (a, c) => fill(c) + Math.ceil(a.n / c.lanes),
    events: (a) => ({ instr_fetch: 1, axon_read_word: a.scan, acc_update: a.n }),
    eventsText: 'instr_fetch, axon_read_word x scan, acc_update x n',
  },
  {
    mnemonic: 'FIRE',
    opcode: 0x30,
    cls: 'neuron',
    fields: [reg('rn', 'first neuron'), { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons' }, { name: 'b', bits: 1, kind: 'uint', doc: '1 = add each neuron\'s bias' }],
    semantics:
      'Integrate and fire, for i < n, neuron k = rn+i with its parameters: v = 0 if its NO_MEMORY flag is set; v = v - (v >> leak) if leak > 0; v = v - ((v * decay) >> 12); with drive = acc0*g0 + acc1*g1 + b*bias: v = sat(v + drive), or, if its CURRENT flag is set (CubaLIF), i = sat(i - ((i * sdecay) >> 12) + drive) and v = sat(v + i); acc0 = acc1 = 0; if v >= theta then spike (out = 1) and v = v - theta (soft reset, saturating) or v = vreset (hard reset), else out = 0.',
    costText: 'pipelineDepth + ceil(n / neuronUnits)',
    cycles: (a, c) => fill(c) + Math.ceil(a.n / c.neuronUnits),
    events: neuronEvents(true),
    eventsText: 'instr_fetch, neuron_read x n, neuron_write x n, gain_multiply x 2n, membrane_update x n, threshold_compare x n, spike x spikes',
  },
  {
    mnemonic: 'INTEG',
    opcode: 0x31,
    cls: 'readout',
    fields: [reg('rn', 'first neuron'), { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons' }, { name: 'b', bits: 1, kind: 'uint', doc: '1 = add each neuron\'s bias' }],
    semantics:
      'Readout integrate, for i < n: v = 0 if its NO_MEMORY flag is set; v = v - (v >> leak) if leak > 0; v = v - ((v * decay) >> 12); v = sat(v + drive) or, CURRENT flag, the synaptic current as in FIRE; acc0 = acc1 = 0; never fires (out = 0). The host reads v after the last step.',
    costText: 'pipelineDepth + ceil(n / neuronUnits)',
    cycles: (a, c) => fill(c) + Math.ceil(a.n / c.neuronUnits),
    events: neuronEvents(false),
    eventsText: 'instr_fetch, neuron_read x n, neuron_write x n, gain_multiply x 2n, membrane_update x n',
  },
  {
    mnemonic: 'SEND',
    opcode: 0x40,
    cls: 'send',
    fields: [
      reg('rn', 'first neuron'),
      { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons' },
      { name: 'route', bits: 12, kind: 'uint', doc: 'routing list index' },
      { name: 'g', bits: 12, kind: 'uint', min: 1, doc: 'neurons per group' },
      { name: 'cw', bits: 8, kind: 'uint', min: 1, doc: 'words per group' },
    ],
    semantics:
      'Pack the spikes out[rn..rn+n) into 64-bit words, per destination (neuron i at bit floor(i/g)*cw*64 + bitOffset + (i mod g), counting from bit 0 of word 0) and, for each destination of routing list `route` and each non-zero word w, inject one flit that ORs the word into axon word base + w of the destination core, in the current bank, or in the next step\'s bank if the destination is marked next.',
    costText: 'pipelineDepth + ceil(n / (lanes*laneBits)) + flits',
    cycles: (a, c) => fill(c) + Math.ceil(a.n / (c.lanes * c.laneBits)) + a.flits,
    events: (a) => ({ instr_fetch: 1, flit_inject: a.flits }),
    eventsText: 'instr_fetch, flit_inject x flits',
  },
  {
    mnemonic: 'PSUM',
    opcode: 0x41,
    cls: 'send',
    fields: [
      accSel,
      reg('rn', 'first neuron'),
      { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons' },
      { name: 'route', bits: 12, kind: 'uint', doc: 'routing list index' },
    ],
    semantics:
      'Send partial sums: for each destination of routing list `route` and each pair k of neurons (rn+2k, rn+2k+1) whose accumulators `acc` are not both zero, inject one flit carrying the two 32-bit values, added on arrival into accumulator bank `acc` of neurons base + 2k, base + 2k + 1 of the destination (bit 1 of the destination flags selects acc1 there); then clear those accumulators here.',
    costText: 'pipelineDepth + ceil(n / (2*lanes)) + flits',
    cycles: (a, c) => fill(c) + Math.ceil(a.n / (2 * c.lanes)) + a.flits,
    events: (a) => ({ instr_fetch: 1, flit_inject: a.flits }),
    eventsText: 'instr_fetch, flit_inject x flits',
  },
];

export const INSTRUCTIONS: readonly InstrDef[] = [...BASE_INSTRUCTIONS, ...DATAFLOW_INSTRUCTIONS];

/** Opcode -> definition (generic dispatch). */
export const BY_OPCODE: ReadonlyMap<number, InstrDef> = new Map(INSTRUCTIONS.map((d) => [d.opcode, d]));
/** Mnemonic -> definition. */
export const BY_MNEMONIC: ReadonlyMap<string, InstrDef> = new Map(INSTRUCTIONS.map((d) => [d.mnemonic, d]));
/** Mnemonic -> position in INSTRUCTIONS (the definition index of the simulator's op streams). */
export const DEF_INDEX: ReadonlyMap<string, number> = new Map(INSTRUCTIONS.map((d, i) => [d.mnemonic, i]));

/** Legal range of a field. */
export function fieldRange(f: FieldDef): [number, number] {
  if (f.values) {
    const v = Object.values(f.values);
    return [Math.min(...v), Math.max(...v)];
  }
  const lo = f.min ?? (f.kind === 'sint' ? -(2 ** (f.bits - 1)) : 0);
  const hi = f.max ?? (f.kind === 'sint' ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1);
  return [lo, hi];
}

/** Largest legal value of one instruction's field (the single source for every field-width limit). */
export function fieldMax(mnemonic: string, field: string): number {
  const f = BY_MNEMONIC.get(mnemonic)?.fields.find((x) => x.name === field);
  if (!f) throw new Error(`no field ${field} in instruction ${mnemonic}`);
  return fieldRange(f)[1];
}

/** Number of general registers. */
export const REGISTER_COUNT = 16;
/** Bytes per instruction word. */
export const INSTR_BYTES = 8;
/** Bits of an axon word / spike word / flit payload. */
export const WORD_BITS = 64;
