/**
 * Disassembler: BwcContainer -> assembly text that re-assembles to the same bytes. Generic over
 * the ISA table; branch targets get labels `L<address>`.
 */
import { CHIP_FIELDS, DEFAULT_CHIP, type ChipConfig, type ChipField } from './chip.js';
import { CHIP_PRESETS } from './presets.js';
import type { BwcContainer, CoreImage, Instr } from './container-types.js';
import { BY_MNEMONIC } from './table.js';
import { NEURON_COLUMNS, ROUTE_COLUMNS } from './asm/build.js';
import { neuronFieldsOf } from './neuron-record.js';
import { containerVersion, writtenVersion } from './container.js';

const SYN_PER_LINE = 4;
const PAIRS_PER_LINE = 8;
const INDEX_PER_LINE = 16;

/** A string literal of the assembly language. */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** A number literal that re-assembles to exactly the same double (including -0). */
export function numLit(v: number): string {
  if (Object.is(v, -0)) return '-0.0';
  return String(v);
}

function chipLine(chip: ChipConfig): string {
  const preset = CHIP_PRESETS[chip.name];
  const base = preset ?? DEFAULT_CHIP;
  const parts = ['.chip', preset ? chip.name : `name=${quote(chip.name)}`];
  for (const k of Object.keys(CHIP_FIELDS) as ChipField[]) {
    if (!Object.is(chip[k], base[k])) parts.push(`${k}=${numLit(chip[k])}`);
  }
  const b = chip.banks;
  if (b && Object.keys(b).length) parts.push(`banks=[${b.synapse ?? 0}, ${b.neuron ?? 0}, ${b.axon ?? 0}]`);
  return parts.join(' ');
}

function instrText(ins: Instr, labels: Map<number, string>): string {
  const def = BY_MNEMONIC.get(ins.op);
  if (!def) return `${ins.op} ; unknown`;
  if (def.fields.length === 0) return def.mnemonic;
  const vals = def.fields.map((f) => {
    const v = ins.args[f.name] as number;
    if (f.kind === 'reg') return `r${v}`;
    if (f.kind === 'target') return labels.get(v) ?? String(v);
    return String(v);
  });
  if (def.fields.length <= 3) return `${def.mnemonic} ${vals.join(', ')}`;
  return `${def.mnemonic} ${def.fields.map((f, i) => `${f.name}=${vals[i]}`).join(', ')}`;
}

function chunks<T>(a: ArrayLike<T>, n: number, f: (x: T) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length; i += n) {
    const row: string[] = [];
    for (let j = i; j < Math.min(a.length, i + n); j++) row.push(f(a[j] as T));
    out.push(`    ${row.join(' ')}`);
  }
  return out;
}

function coreText(img: CoreImage, version: number): string[] {
  const out = [`.core ${img.core}`];
  const labels = new Map<number, string>();
  for (const ins of img.program) {
    const def = BY_MNEMONIC.get(ins.op);
    for (const f of def?.fields ?? []) if (f.kind === 'target') labels.set(ins.args[f.name] as number, `L${ins.args[f.name]}`);
  }
  img.program.forEach((ins, k) => {
    const l = labels.get(k);
    if (l) out.push(`${l}:`);
    out.push(`    ${instrText(ins, labels)}`);
  });
  if (img.synapses.length) {
    out.push('.synapses');
    const words: string[] = [];
    for (let i = 0; i + 1 < img.synapses.length; i += 2) {
      const w = (BigInt(img.synapses[i + 1] as number) << 32n) | BigInt(img.synapses[i] as number);
      words.push(`0x${w.toString(16).padStart(16, '0')}`);
    }
    out.push(...chunks(words, SYN_PER_LINE, (x) => x));
  }
  const n = img.neurons;
  if (n.count) {
    // The columns of the container's format version (version 1: 7; rows with every column make the
    // assembler write version 2).
    const fields = neuronFieldsOf(version);
    out.push('.neurons', `    ; ${NEURON_COLUMNS.slice(0, fields.length).join(' ')}`);
    for (let j = 0; j < n.count; j++) {
      out.push(`    ${fields.map((f) => n[f.name][j]).join(' ')}`);
    }
  }
  img.routes.forEach((list, r) => {
    out.push(`.route ; list ${r}: ${ROUTE_COLUMNS.join(' ')}`);
    for (const d of list) out.push(`    ${d.core} ${d.base} ${d.flags} ${d.bitOffset}`);
  });
  return out;
}

/** Disassemble a container into assembly text (see docs/isa.md, "Assembly language"). */
export function disassemble(c: BwcContainer): string {
  const m = c.meta;
  const enc = m.encoding.kind === 'binary' ? `encoding=binary threshold=${numLit(m.encoding.threshold)}` : `encoding=multibit bits=${m.encoding.bits}`;
  const out: string[] = [
    `; bwsnn disassembly, container format version ${c.version}`,
    chipLine(c.chip),
    // The version when the content alone would not give it (asm writes the oldest that holds the content).
    ...(writtenVersion(c) > Math.max(containerVersion(c), writtenVersion(c) >= 2 ? 2 : 1) ? [`.format ${writtenVersion(c)}`] : []),
    `.model name=${quote(m.name)} timesteps=${m.timesteps} input=[${m.inputShape.join(', ')}] ${enc} classes=${m.classes}${m.inputRange ? ` range=[${numLit(m.inputRange[0])}, ${numLit(m.inputRange[1])}]` : ''}${m.dataset !== undefined ? ` dataset=${quote(m.dataset)}` : ''}`,
  ];
  for (const img of c.cores) out.push('', ...coreText(img, writtenVersion(c)));
  out.push('');
  for (const b of c.inputMap) {
    out.push(`.input core=${b.core} base=${b.axonBase} stride=${b.planeStride} ; element bit pairs`);
    const pairs: string[] = [];
    for (let k = 0; k < b.elements.length; k++) pairs.push(`${b.elements[k]} ${b.bits[k]}`);
    out.push(...chunks(pairs, PAIRS_PER_LINE, (x) => x));
  }
  for (const p of c.outputMap.probes) {
    out.push(`.probe layer=${quote(p.layer)} kind=${p.kind} shape=[${p.shape.join(', ')}]`);
    for (const e of p.entries) {
      out.push(`.entry core=${e.core} base=${e.neuronBase}`);
      out.push(...chunks(e.index, INDEX_PER_LINE, String));
    }
  }
  out.push(`.readout ${c.outputMap.readout}`, '');
  return out.join('\n');
}
