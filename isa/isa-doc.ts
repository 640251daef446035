/**
 * Renders docs/isa.md (from INSTRUCTIONS) and docs/chip.md (from CHIP_FIELDS). Run with
 * `npm run docs`; test/isa/docs.test.ts fails when the checked-in files are stale.
 */
import { writeFileSync } from 'node:fs';
import { CHIP_FIELDS, DEFAULT_CHIP, memoryBanks, TIMING_FIELDS, TIMING_PROVENANCE, type ChipField } from './chip.js';
import { CHIP_PRESETS, PRESET_LIST } from './presets.js';
import { fieldLayout, usedBits } from './encode.js';
import { NEURON_COLUMNS } from './neuron-record.js';
import { BWC_VERSION } from './container-types.js';
import { fieldRange, INSTRUCTIONS, INSTR_BYTES, REGISTER_COUNT, type InstrDef } from './table.js';

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
const bits = (hi: number, lo: number): string => (hi === lo ? `${lo}` : `${hi}..${lo}`);
const esc = (s: string): string => s.replace(/\|/g, '\\|');

/** The DESIGN.md instruction classes and the instructions (or fields) that provide them. */
export const CLASS_MAP: readonly [string, string, string][] = [
  ['spike input', 'INPUT', 'The host injects the step\'s input through the input map; INPUT waits for the last input flit.'],
  ['popcount accumulate (weight row range x axon range)', 'ACC', 'Dense rows: `n` neurons from `rn`, rows of `len` words from `rw`, axon words from `ra`; zero axon words skipped.'],
  ['window / stride addressing (convolution, shared weights)', 'CFGW + ACCW', 'CFGW sets input, kernel, stride and padding geometry; ACCW walks the windows with one kernel per output channel.'],
  ['multi-bit bit-serial accumulation', 'ACC / ACCW fields `ap`, `wq`, `wmode`', 'Axon plane p is weighted by 2^p (multibit:K input: ap = K); weight planes q by 2^q (unsigned or two\'s complement).'],
  ['identity shortcut', 'ACCS', 'Adds input spikes one-to-one into an accumulator bank (the SEI shortcut around a binary layer), no synapse reads.'],
  ['bias', '`b` flag of FIRE / INTEG', 'b = 1 adds each neuron\'s bias during the update.'],
  ['integrate-and-fire (threshold, reset mode, leak)', 'FIRE', 'Leak shift, gains g0/g1 on the two accumulator banks, saturation, threshold, soft or hard reset (neuron flags).'],
  ['readout', 'INTEG', 'Integrates like FIRE but never fires; the host reads v after the last step.'],
  ['send spikes through the routing table', 'SEND', 'Packs spikes into words; one flit per non-zero word per destination; next-step destinations for recurrent edges.'],
  ['partial sums across cores (fan-in)', 'PSUM', 'Sends accumulator pairs to another core\'s accumulators.'],
  ['barrier', 'SYNC, HALT', 'SYNC: phase barrier inside a step; HALT: the step barrier (then the axon banks swap).'],
  ['registers and loops (address arithmetic)', [...INSTRUCTIONS.filter((d) => d.cls === 'register'), ...INSTRUCTIONS.filter((d) => d.branchTarget !== undefined)].map((d) => d.mnemonic).join(', '), `${REGISTER_COUNT} registers r0..r${REGISTER_COUNT - 1} (r0 = 0), counted loops with BNZD.`],
  ['time-batched (layer-major) schedule', 'STEP, ACCT, ACCST, FIRET, INTEGT, SENDT', 'A layer runs once per inference over all T steps: each weight word read once and applied to the T time slots of its source, neuron state read and written once, spike trains sent into the time slots of the next layer (docs/timing.md).'],
  ['event-driven (transposed) synapse rows', 'ACCE', 'Per input spike, the row of its targets\' weight bits is read and +-1 added to their accumulators: cost follows spikes x fan-out (tb = 1: time-batched, each row read once per inference).'],
  ['halt', 'HALT', 'Ends the core\'s work for the step.'],
  ['no operation', 'NOP', ''],
];

function encodingTable(d: InstrDef): string[] {
  const lay = fieldLayout(d);
  const used = usedBits(d);
  const cols: [string, string][] = [];
  if (used < 64) cols.push([bits(63, used), 'reserved (0)']);
  for (const l of [...lay].reverse()) cols.push([bits(l.hi, l.lo), l.field.name]);
  cols.push(['7..0', `opcode ${hex2(d.opcode)}`]);
  return [`| ${cols.map((c) => c[0]).join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, `| ${cols.map((c) => c[1]).join(' | ')} |`];
}

function instrSection(d: InstrDef): string[] {
  const out = [`### ${d.mnemonic}`, '', `Opcode \`${hex2(d.opcode)}\`, class \`${d.cls}\`.`, '', esc(d.semantics), ''];
  out.push('Encoding (bit ranges of the 64-bit little-endian word):', '', ...encodingTable(d), '');
  if (d.fields.length) {
    out.push('| field | bits | kind | range | meaning |', '|---|---|---|---|---|');
    for (const l of fieldLayout(d)) {
      const [lo, hi] = fieldRange(l.field);
      const range = l.field.kind === 'reg' ? `r${lo}..r${hi}` : `${lo}..${hi}`;
      out.push(`| \`${l.field.name}\` | ${bits(l.hi, l.lo)} | ${l.field.kind} | ${range} | ${esc(l.field.doc)} |`);
    }
    out.push('');
  }
  const limits = [
    ...d.fields.filter((f) => f.chipBound !== undefined).map((f) => `\`${f.name}\` <= ${f.chipBound}`),
    ...(d.chipLimits ?? []).map((l) => `${l.fields.join('*')} <= ${l.bound}`),
  ];
  if (limits.length) out.push(`Chip limits (a container breaking one is refused): ${limits.join('; ')}.`, '');
  out.push(`Cycles: ${esc(d.costText)}`, '', `Energy events: ${esc(d.eventsText)}`, '');
  return out;
}

const ASM_LANGUAGE = `## Assembly language

\`bwsnn asm\` reads and \`bwsnn disasm\` writes this text form of a container. It is line oriented.

- Comments run from \`;\` or \`#\` to the end of the line. Blank lines are ignored.
- Numbers: decimal \`42\`, negative \`-3\`, hexadecimal \`0x2a\`, binary \`0b101010\`; \`_\` may separate
  digits (\`0xffff_0000\`). Real numbers (\`0.5\`, \`2e8\`) only where a real is meant (chip clock,
  binary threshold).
- Strings: \`"..."\` with \`\\"\`, \`\\\\\`, \`\\n\`, \`\\t\` escapes.
- Instructions: a mnemonic (any case) and its operands, either **positional in table order**
  (\`LI r1, 5\`) or **named** \`field=value\` (\`FIRE rn=r0, n=4, b=1\`); positional operands may be
  followed by named ones, never the reverse. Commas between operands are optional. Registers are
  written \`r0\`..\`r15\`, immediates as numbers, branch targets as a number or a label.
  The disassembler writes instructions with up to 3 operands positionally, longer ones named.
- Labels: \`name:\` at the start of a line (alone or before an instruction) names the address of
  the next instruction of the current core; labels are local to their \`.core\`.

Directives (key=value operands, order free):

| directive | meaning |
|---|---|
| \`.chip [PRESET] [name="..."] [field=value ...]\` | chip config: a preset (default \`${DEFAULT_CHIP.name}\`) and overrides of any field of docs/chip.md, and \`banks=[synapse, neuron, axon]\` (memory bank counts, 0 = default). At most once, before \`.model\`/\`.core\`; optional. |
| \`.model name="..." timesteps=T input=[d0, d1, ...] encoding=binary threshold=X classes=N [range=[lo, hi]] [dataset="..."]\` | model metadata; \`encoding=multibit bits=K\` instead for direct input; \`range\` and \`dataset\`: the input range and data set the model records (run and energy check inputs against them). Required. |
| \`.format V\` | container format version to write (1..${BWC_VERSION}); optional: by default the oldest version that holds the content. |
| \`.core N\` | starts core N: the instructions that follow are its program (address 0 upward). |
| \`.synapses\` | rows of 64-bit synapse words of the current core (any number per line), word 0 first. |
| \`.neurons\` | one row per neuron: \`${NEURON_COLUMNS.join(' ')}\` (flags: 1 = hard reset, 2 = no memory, 4 = current-based); a row of the 7 version 1 columns leaves decay and sdecay 0. |
| \`.route\` | starts the next routing list of the current core (index 0, 1, ...); rows \`core base flags bitOffset\` (flags: 1 = next step, 2 = PSUM into acc1). |
| \`.input core=C base=B [stride=S]\` | an input map block; rows of \`element bit\` pairs (any number of pairs per line). |
| \`.probe layer="..." kind=spikes\\|membrane shape=[...]\` | an output map probe; its \`.entry\` lines follow. |
| \`.entry core=C base=B\` | a probe entry on neurons B.. of core C; rows of layer output indexes (count = number of values). |
| \`.readout P\` | index of the readout probe (kind membrane, size = classes). |

Every error is reported as \`file:line:column: message\`, and one run reports all of them: syntax
errors (each line is parsed on its own), unknown mnemonics and directives, operand count and
range, registers, undefined and duplicate labels, and every container check against the chip
config (reported at the line of the offending instruction, row or directive). At most 100
diagnostics are listed; a last one counts the rest.
Examples: \`isa/examples/*.s\`.
`;

export function renderIsaDoc(): string {
  const out = [
    '# BW-Core instruction set',
    '',
    '<!-- Generated by isa/isa-doc.ts from isa/table.ts (npm run docs). Do not edit by hand. -->',
    '',
    `Every instruction is one ${INSTR_BYTES * 8}-bit little-endian word: the opcode in bits 7..0, the operand`,
    'fields from bit 8 upward in the order listed, signed fields in two\'s complement, every bit above',
    'the last field zero (a decoder refuses anything else). Cycle formulas use the chip config',
    '(docs/chip.md) and the activity of the executed instruction: `n` neurons addressed, `scan` axon',
    'words read, `ops` popcount word operations against synapse rows, `flits` injected, `spikes`',
    'generated, `taken` (branch). The execution model is in docs/architecture.md.',
    '',
    '## Summary',
    '',
    '| mnemonic | opcode | class | operands | semantics |',
    '|---|---|---|---|---|',
    ...INSTRUCTIONS.map((d) => `| [${d.mnemonic}](#${d.mnemonic.toLowerCase()}) | ${hex2(d.opcode)} | ${d.cls} | ${d.fields.map((f) => f.name).join(', ') || '-'} | ${esc(d.semantics.split('. ')[0] as string).replace(/\.$/, '')}. |`),
    '',
    '## Instruction classes',
    '',
    'How the instruction classes of the design brief map to instructions:',
    '',
    '| class | instructions | how |',
    '|---|---|---|',
    ...CLASS_MAP.map(([c, i, h]) => `| ${c} | ${i} | ${esc(h)} |`),
    '',
    '## Instructions',
    '',
    ...INSTRUCTIONS.flatMap(instrSection),
    ASM_LANGUAGE,
  ];
  return out.join('\n');
}

export function renderChipDoc(): string {
  const keys = Object.keys(CHIP_FIELDS) as ChipField[];
  const out = [
    '# BW-Core chip configuration',
    '',
    '<!-- Generated by isa/isa-doc.ts from isa/chip.ts (npm run docs). Do not edit by hand. -->',
    '',
    'Every hardware number lives in a `ChipConfig` (isa/chip.ts). A chip config JSON file may set any',
    'of these fields (missing ones take the default preset\'s values); a .bwc container embeds the',
    'whole config it was compiled for, and the reader checks every section against it.',
    '',
    '| field | default | range | unit | constraints | meaning |',
    '|---|---|---|---|---|---|',
    ...keys.map((k) => {
      const s = CHIP_FIELDS[k];
      const cons = [s.integer ? 'integer' : 'real', s.pow2 ? 'power of two' : '', s.multipleOf ? `multiple of ${s.multipleOf}` : ''].filter(Boolean).join(', ');
      return `| \`${k}\` | ${DEFAULT_CHIP[k]} | ${s.min}..${s.max} | ${s.unit} | ${cons} | ${esc(s.description)} |`;
    }),
    '',
    'Cross-field rules: `meshX * meshY <= 4096`; `thresholdBits <= membraneBits`; `biasBits <= membraneBits`.',
    '',
    '## Timing fields: kind, source and rationale',
    '',
    'Every timing field says what kind of number it is (silicon, SPICE, calibrated, derived or',
    'assumption), where it comes from and why it has its value. None of BW-Core\'s timing is measured:',
    'an assumption is printed as such, with the published figure it is compared with.',
    '',
    '| field | default | kind | source | rationale |',
    '|---|---|---|---|---|',
    ...TIMING_FIELDS.map((k) => {
      const p = TIMING_PROVENANCE[k];
      const src = p.kind === 'assumption' ? `none: an assumption (compared with: ${p.source})` : p.source;
      return `| \`${k}\` | ${DEFAULT_CHIP[k]} | ${p.kind} | ${esc(src)} | ${esc(p.derivation)} |`;
    }),
    '',
    '## Memory banks (energy model)',
    '',
    'Optional field `banks: { synapse?, neuron?, axon? }`: how the synapse SRAM, the neuron state',
    'memory and each axon buffer are split into banks. Energy per access follows from a bank\'s size',
    'and width by the rule of docs/energy.md (simulator/energy/sram.ts). Defaults: one synapse bank per',
    'popcount lane (`lanes`), one neuron bank, one bank per axon buffer. `banks.synapse` must divide',
    '`synapseSramBytes` into whole 64-bit words, `banks.neuron` must divide `neuronsPerCore`,',
    '`banks.axon` must divide `axonLines`; anything else is a chip-config error naming the fields.',
    'Banks are an energy-model parameter: a .bwc does not store them (a binary is priced with the',
    'default banks).',
    '',
    'Default banks of the default chip: ' + Object.entries(memoryBanks(DEFAULT_CHIP)).map(([m, b]) => `${m} ${b.banks} x ${b.bankBytes} B (${b.widthBits}-bit access)`).join('; ') + '.',
    '',
    '## Presets',
    '',
    'Name one with `--chip NAME` wherever a chip is taken; `bwsnn chips` prints them (`--json` for every field).',
    '',
    '| preset | cores | neurons | membrane/threshold/bias bits | differs from the default in | for |',
    '|---|---|---|---|---|---|',
    ...PRESET_LIST.map(({ chip: p, purpose, changed }) =>
      `| \`${p.name}\` | ${p.meshX}x${p.meshY} | ${p.meshX * p.meshY * p.neuronsPerCore} | ${p.membraneBits}/${p.thresholdBits}/${p.biasBits} | ${changed.length ? changed.map((k) => `${k}=${p[k]}`).join(', ') : '(the default)'} | ${esc(purpose)} |`),
    '',
    ...Object.values(CHIP_PRESETS).map((p) => `- \`${p.name}\`: ${keys.map((k) => `${k}=${p[k]}`).join(', ')}`),
    '',
  ];
  return out.join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  writeFileSync('docs/isa.md', renderIsaDoc());
  writeFileSync('docs/chip.md', renderChipDoc());
  process.stdout.write('wrote docs/isa.md, docs/chip.md\n');
}
