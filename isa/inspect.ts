/** A summary of a container for `bwsnn inspect`: sections, cores and model metadata. */
import { coreCount, synapseWords, type MemoryBankCounts } from './chip.js';
import { chipDisplayName } from './presets.js';
import type { BwcContainer, ModelMeta } from './container-types.js';
import type { SectionInfo } from './container.js';

export interface CoreSummary {
  core: number;
  x: number;
  y: number;
  instructions: number;
  synapseWords: number;
  neurons: number;
  routeLists: number;
  routeDestinations: number;
}

export interface InspectInfo {
  bytes: number;
  version: number;
  chip: { name: string; mesh: string; cores: number; instrMemWords: number; synapseWords: number; neuronsPerCore: number; routeEntries: number; banks?: MemoryBankCounts };
  model: ModelMeta;
  sections: { kind: string; core: number | null; offset: number; length: number; crc32: string }[];
  cores: CoreSummary[];
  inputBlocks: number;
  inputEntries: number;
  probes: { layer: string; kind: string; shape: number[]; entries: number; readout: boolean }[];
}

export function inspectContainer(c: BwcContainer, dir: SectionInfo[], bytes: number): InspectInfo {
  return {
    bytes,
    version: c.version,
    chip: {
      name: chipDisplayName(c.chip),
      mesh: `${c.chip.meshX}x${c.chip.meshY}`,
      cores: coreCount(c.chip),
      instrMemWords: c.chip.instrMemWords,
      synapseWords: synapseWords(c.chip),
      neuronsPerCore: c.chip.neuronsPerCore,
      ...(c.chip.banks ? { banks: { ...c.chip.banks } } : {}),
      routeEntries: c.chip.routeEntries,
    },
    model: c.meta,
    sections: dir.map((s) => ({ kind: s.kind, core: s.core ?? null, offset: s.offset, length: s.length, crc32: `0x${s.crc32.toString(16).padStart(8, '0')}` })),
    cores: c.cores.map((img) => ({
      core: img.core,
      x: img.core % c.chip.meshX,
      y: Math.floor(img.core / c.chip.meshX),
      instructions: img.program.length,
      synapseWords: img.synapses.length / 2,
      neurons: img.neurons.count,
      routeLists: img.routes.length,
      routeDestinations: img.routes.reduce((s, l) => s + l.length, 0),
    })),
    inputBlocks: c.inputMap.length,
    inputEntries: c.inputMap.reduce((s, b) => s + b.elements.length, 0),
    probes: c.outputMap.probes.map((p, i) => ({
      layer: p.layer,
      kind: p.kind,
      shape: p.shape,
      entries: p.entries.length,
      readout: i === c.outputMap.readout,
    })),
  };
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);

const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)}%`;

/** The fullest core for each per-core memory, as a percentage of the chip limit. */
function usage(i: InspectInfo): string {
  if (i.cores.length === 0) return 'none';
  const max = (f: (c: CoreSummary) => number): number => Math.max(...i.cores.map(f));
  return [
    `instructions ${pct(max((c) => c.instructions), i.chip.instrMemWords)}`,
    `synapse words ${pct(max((c) => c.synapseWords), i.chip.synapseWords)}`,
    `neurons ${pct(max((c) => c.neurons), i.chip.neuronsPerCore)}`,
    `route entries ${pct(max((c) => c.routeDestinations), i.chip.routeEntries)}`,
  ].join(', ');
}

export function formatInspect(i: InspectInfo): string {
  const m = i.model;
  const enc = m.encoding.kind === 'binary' ? `binary (threshold ${m.encoding.threshold})` : `multibit (${m.encoding.bits} bits)`;
  const lines = [
    `container: ${i.bytes} bytes, format version ${i.version}`,
    `chip: ${i.chip.name}, ${i.chip.mesh} mesh (${i.chip.cores} cores), per core ${i.chip.instrMemWords} instructions, ${i.chip.synapseWords} synapse words, ${i.chip.neuronsPerCore} neurons, ${i.chip.routeEntries} route entries${i.chip.banks ? `; memory banks ${Object.entries(i.chip.banks).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
    `model: ${JSON.stringify(m.name)}, T = ${m.timesteps}, input [${m.inputShape.join(', ')}], ${enc}, ${m.classes} classes${m.inputRange ? `, input range [${m.inputRange[0]}, ${m.inputRange[1]}]` : ''}${m.dataset !== undefined ? `, trained on ${m.dataset}` : ''}`,
    '',
    'sections:',
    `  ${'kind'.padEnd(9)} ${pad('core', 5)} ${pad('offset', 10)} ${pad('length', 10)}  crc32`,
    ...i.sections.map((s) => `  ${s.kind.padEnd(9)} ${pad(s.core ?? '-', 5)} ${pad(s.offset, 10)} ${pad(s.length, 10)}  ${s.crc32}`),
    '',
    `cores used: ${i.cores.length} of ${i.chip.cores}; largest use of a core's memories: ${usage(i)}`,
    `  ${pad('core', 5)} ${pad('(x,y)', 7)} ${pad('instrs', 7)} ${pad('syn.words', 10)} ${pad('neurons', 8)} ${pad('routes', 7)} ${pad('dests', 6)}`,
    ...i.cores.map((c) => `  ${pad(c.core, 5)} ${pad(`(${c.x},${c.y})`, 7)} ${pad(c.instructions, 7)} ${pad(c.synapseWords, 10)} ${pad(c.neurons, 8)} ${pad(c.routeLists, 7)} ${pad(c.routeDestinations, 6)}`),
    '',
    `input map: ${i.inputBlocks} blocks, ${i.inputEntries} entries`,
    `probes: ${i.probes.length}`,
    ...i.probes.map((p) => `  ${p.layer} (${p.kind}, shape [${p.shape.join(', ')}], ${p.entries} entries)${p.readout ? ' <- readout' : ''}`),
    '',
  ];
  return lines.join('\n');
}
