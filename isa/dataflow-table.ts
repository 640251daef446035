/**
 * The dataflow instructions of BW-Core (issue 13): the time-batched (layer-major) schedule and
 * the event-driven (transposed-row) synapse dataflow. They are entries of the one ISA table
 * (isa/table.ts appends them), declared here so that the base table stays as it was.
 *
 * Time slots: a time-batched instruction works on all T time steps of the inference at once
 * (T = the container's meta.timesteps). A core keeps T accumulator slots per neuron and bank
 * (accT, slot t for step t) and a T-bit spike history per neuron (outT) in its neuron unit;
 * slot t of a source lives at axon word `a + t * stride` (stride from a register; 0 = the same
 * words at every step, e.g. the host input, whose encoding is the same at every step).
 */
import type { ChipConfig } from './chip.js';
import type { Activity, EventCounts, InstrDef } from './table.js';
import { accSel, ap, reg, stream, width, wmode, wq } from './table-parts.js';

export const DATAFLOW_INSTRUCTIONS: readonly InstrDef[] = [
  {
    mnemonic: 'STEP',
    opcode: 0x15,
    cls: 'register',
    fields: [reg('rd', 'destination register')],
    semantics: 'rd = index of the current time step (0 .. T-1). A time-batched program runs its layers at step 0 and halts at once at the later steps.',
    costText: '1',
    cycles: () => 1,
    events: (): EventCounts => ({ instr_fetch: 1 }),
    eventsText: 'instr_fetch',
    // The value is the time step, not a function of the operands.
    regWrite: { dest: 'rd' },
  },
  {
    mnemonic: 'ACCT',
    opcode: 0x24,
    cls: 'accumulate',
    fields: [
      accSel,
      reg('rn', 'first neuron'),
      reg('rw', 'first synapse word of the first row'),
      reg('ra', 'first axon word of time slot 0'),
      reg('rs', 'axon words between time slots (r0: the same words at every step)'),
      { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons (rows)' },
      { name: 'len', bits: 12, kind: 'uint', min: 1, doc: 'axon words per plane (row length per weight plane)' },
      wmode,
      wq,
      ap,
    ],
    semantics:
      'Time-batched dense accumulate: for every time slot t < T and i < n, accT[t][rn+i] += the ACC rule over the axon words at ra + t*rs (planes p at + p*len). Each weight word of row i whose axon word is non-zero in at least one slot is read once and popcounted against every slot whose word is non-zero; row i\'s sum for slot t is formed in a datapath register and added to its accumulator once.',
    costText: 'pipelineDepth + ceil(64*scan / (lanes*laneBits)) + ceil(64*uses / (lanes*laneBits)); scan = ap*len*(T if rs != 0 else 1), ops = n*wq*(axon word offsets non-zero in some slot), uses = n*wq*(non-zero (slot, word) pairs), updates = n*(slots with a non-zero word)',
    cycles: (a: Activity, c: ChipConfig) => c.pipelineDepth + stream(a.scan, c) + stream(a.uses, c),
    events: (a: Activity): EventCounts => ({
      instr_fetch: 1,
      axon_read_word: a.scan,
      popcount_word: a.uses + a.scan,
      synapse_read_word: a.ops,
      acc_update: a.updates,
    }),
    eventsText: 'instr_fetch, axon_read_word x scan, popcount_word x (uses + scan), synapse_read_word x ops, acc_update x updates',
  },
  {
    mnemonic: 'ACCE',
    opcode: 0x25,
    cls: 'accumulate',
    fields: [
      accSel,
      reg('rn', 'first neuron'),
      reg('rw', 'first synapse word of the row of source bit 0'),
      reg('ra', 'first axon word (of time slot 0 when tb = 1)'),
      reg('rs', 'tb = 1: axon words between time slots (r0: the same words at every step)'),
      { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'target neurons (bits per row)' },
      { name: 'len', bits: 12, kind: 'uint', min: 1, doc: 'axon words per plane (source bits = 64*len)' },
      wmode,
      wq,
      ap,
      { name: 'tb', bits: 1, kind: 'uint', doc: '0 = this step (acc), 1 = time-batched over all T slots (accT)' },
    ],
    semantics:
      'Event-driven (transposed) accumulate: source bit j (bit j mod 64 of axon word j div 64) owns the row of its n targets\' weight bits, wq planes of ceil(n/64) words at rw + (j*wq + q)*ceil(n/64), bit i = the weight of target rn+i (coded as in ACC). For every j set in some plane p (and slot t when tb = 1; the axon words at ra + t*rs + p*len) the row is read once, and every such spike adds 2^p * w(i, j) to acc[rn+i] (tb = 0) or accT[t][rn+i] (tb = 1) for all i < n. Zero axon words are skipped. The targets are taken 64 at a time with their sums in datapath counters (one row word of a spike added into 64 counters, carry-save, like one popcount word); each target\'s accumulator is read-modified-written once per time slot with spikes.',
    costText:
      'pipelineDepth + ceil(64*scan / (lanes*laneBits)) + ceil(64*ops / (lanes*laneBits)) + ceil(64*uses / (lanes*laneBits)); scan = ap*len*(T if tb = 1 and rs != 0 else 1), ops = rows read * wq*ceil(n/64), uses = spike events (bit, plane, slot) * wq*ceil(n/64) row words added, updates = n * (slots with spikes)',
    cycles: (a: Activity, c: ChipConfig) => c.pipelineDepth + stream(a.scan, c) + stream(a.ops, c) + stream(a.uses, c),
    events: (a: Activity): EventCounts => ({
      instr_fetch: 1,
      axon_read_word: a.scan,
      popcount_word: a.scan + a.uses,
      synapse_read_word: a.ops,
      acc_update: a.updates,
    }),
    eventsText: 'instr_fetch, axon_read_word x scan, popcount_word x (scan + uses), synapse_read_word x ops, acc_update x updates',
  },
  {
    mnemonic: 'ACCST',
    opcode: 0x26,
    cls: 'accumulate',
    fields: [
      accSel,
      reg('rn', 'first neuron'),
      reg('ra', 'first axon word of time slot 0'),
      reg('rs', 'axon words between time slots (r0: the same words at every step)'),
      { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons' },
      { name: 'g', bits: 12, kind: 'uint', min: 1, doc: 'neurons per group (channels per position)' },
      { name: 'cw', bits: 8, kind: 'uint', min: 1, doc: 'axon words per group' },
    ],
    semantics: 'Time-batched identity (shortcut) accumulate: for every time slot t < T, the ACCS rule with the axon words at ra + t*rs into accT[t]. No synapse memory is read.',
    costText: 'pipelineDepth + ceil(updates / lanes); scan = ACCS words x (T if rs != 0 else 1), updates = n*T',
    cycles: (a: Activity, c: ChipConfig) => c.pipelineDepth + Math.ceil(a.updates / c.lanes),
    events: (a: Activity): EventCounts => ({ instr_fetch: 1, axon_read_word: a.scan, acc_update: a.updates }),
    eventsText: 'instr_fetch, axon_read_word x scan, acc_update x updates',
  },
  {
    mnemonic: 'FIRET',
    opcode: 0x32,
    cls: 'neuron',
    fields: [reg('rn', 'first neuron'), { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons' }, { name: 'b', bits: 1, kind: 'uint', doc: "1 = add each neuron's bias" }],
    semantics:
      'Time-batched integrate and fire, for i < n: the state of neuron k = rn+i is read once, then for t = 0 .. T-1 the FIRE rule runs with accT[0][t][k], accT[1][t][k] (cleared after) and spike t goes to outT[t][k]; the state is written once and out[k] = outT[T-1][k].',
    costText: 'pipelineDepth + ceil(uses / neuronUnits); uses = n*T',
    cycles: (a: Activity, c: ChipConfig) => c.pipelineDepth + Math.ceil(a.uses / c.neuronUnits),
    events: (a: Activity): EventCounts => ({
      instr_fetch: 1,
      neuron_read: a.n,
      neuron_write: a.n,
      gain_multiply: 2 * a.uses,
      membrane_update: a.uses,
      threshold_compare: a.uses,
      spike: a.spikes,
    }),
    eventsText: 'instr_fetch, neuron_read x n, neuron_write x n, gain_multiply x 2uses, membrane_update x uses, threshold_compare x uses, spike x spikes',
  },
  {
    mnemonic: 'INTEGT',
    opcode: 0x33,
    cls: 'readout',
    fields: [reg('rn', 'first neuron'), { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons' }, { name: 'b', bits: 1, kind: 'uint', doc: "1 = add each neuron's bias" }],
    semantics:
      'Time-batched readout integrate, for i < n: the state is read once, the INTEG rule runs for t = 0 .. T-1 with slot t\'s accumulators (cleared after), never fires; the state is written once.',
    costText: 'pipelineDepth + ceil(uses / neuronUnits); uses = n*T',
    cycles: (a: Activity, c: ChipConfig) => c.pipelineDepth + Math.ceil(a.uses / c.neuronUnits),
    events: (a: Activity): EventCounts => ({
      instr_fetch: 1,
      neuron_read: a.n,
      neuron_write: a.n,
      gain_multiply: 2 * a.uses,
      membrane_update: a.uses,
    }),
    eventsText: 'instr_fetch, neuron_read x n, neuron_write x n, gain_multiply x 2uses, membrane_update x uses',
  },
  {
    mnemonic: 'SENDT',
    opcode: 0x42,
    cls: 'send',
    fields: [
      reg('rn', 'first neuron'),
      { name: 'n', bits: 16, kind: 'uint', min: 1, chipBound: 'neuronsPerCore', doc: 'neurons' },
      { name: 'route', bits: 12, kind: 'uint', doc: 'routing list index' },
      { name: 'g', bits: 12, kind: 'uint', min: 1, doc: 'neurons per group' },
      { name: 'cw', bits: 8, kind: 'uint', min: 1, doc: 'words per group' },
      reg('rs', 'axon words between time slots at every destination'),
    ],
    semantics:
      'Time-batched SEND: for t = 0 .. T-1, pack the spike history outT[t][rn..rn+n) as SEND packs out and inject one flit per non-zero word w and destination, ORed into axon word base + t*rs + w of the destination (current bank).',
    costText: 'pipelineDepth + ceil(uses / (lanes*laneBits)) + flits; uses = n*T',
    cycles: (a: Activity, c: ChipConfig) => c.pipelineDepth + Math.ceil(a.uses / width(c)) + a.flits,
    events: (a: Activity): EventCounts => ({ instr_fetch: 1, flit_inject: a.flits }),
    eventsText: 'instr_fetch, flit_inject x flits',
  },
];
