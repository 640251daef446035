/**
 * Semantic checks of a container against its embedded chip config. `containerIssues` collects
 * every problem it finds (each located by section, core and item); the container reader turns the
 * first into a ContainerError with its byte offset, the assembler maps each to a source line.
 */
import { CHIP_FIELDS, checkBanks, checkField, coreCount, parseBanks, signedRange, synapseWords, type ChipConfig, type ChipField } from './chip.js';
import {
  BWC_VERSION,
  ROUTE_NEXT_STEP,
  ROUTE_PSUM_ACC1,
  type BwcContainer,
} from './container-types.js';
import { checkInstr } from './encode.js';
import { BY_MNEMONIC, WMODE } from './table.js';
import { DECAY_MAX, NEURON_FIELDS, NEURON_FLAG_BITS } from './neuron-record.js';
import { BwsnnError } from './errors.js';

/** Last axon word (relative to the destination's base) a SEND of n neurons in groups of g every cw words writes from `bitOffset`. */
export function sendLastWord(bitOffset: number, n: number, g: number, cw: number): number {
  const groups = Math.ceil(n / g);
  const lastBit = bitOffset + (groups - 1) * 64 * cw + (n - (groups - 1) * g) - 1;
  return Math.floor(lastBit / 64);
}

/** Section kinds of the container, with their directory codes (see docs/container.md). */
export const SECTION_KINDS = {
  chip: 1,
  meta: 2,
  program: 3,
  synapses: 4,
  neurons: 5,
  routes: 6,
  input: 7,
  output: 8,
} as const;
export type SectionKind = keyof typeof SECTION_KINDS;
export const PER_CORE_KINDS: readonly SectionKind[] = ['program', 'synapses', 'neurons', 'routes'];

/** Neuron flag bits a container may set. */
export const NEURON_FLAG_MASK = NEURON_FLAG_BITS;
/** Routing destination flag bits a container may set. */
export const ROUTE_FLAG_MASK = ROUTE_NEXT_STEP | ROUTE_PSUM_ACC1;
/** Longest name (model, chip, layer) in UTF-8 bytes. */
export const MAX_NAME_BYTES = 255;
export const MAX_DIMS = 8;
export const MAX_TIMESTEPS = 255;
export const MAX_MULTIBIT_BITS = 8;
export const MAX_CLASSES = 65535;

/** Where a problem is: a section, for per-core sections the index into `cores`, and an item. */
export interface Issue {
  section: SectionKind;
  /** Index into `container.cores` (per-core sections). */
  coreIdx?: number;
  /** Item within the section: instruction, neuron, route list, input block, probe. */
  item?: number;
  /** Sub-item: routing destination, probe entry. */
  sub?: number;
  message: string;
}

/** Display name of a section, e.g. "program[core 3]". */
export function sectionLabel(c: BwcContainer, section: SectionKind, coreIdx?: number): string {
  if (coreIdx === undefined) return section;
  const core = c.cores[coreIdx]?.core;
  return `${section}[core ${core ?? '?'}]`;
}

const utf8Len = (s: string): number => new TextEncoder().encode(s).length;

/** Problems of a chip config (field ranges and cross-field rules). */
export function chipIssues(chip: ChipConfig): string[] {
  const out: string[] = [];
  if (typeof chip.name !== 'string' || chip.name.length === 0 || utf8Len(chip.name) > MAX_NAME_BYTES) {
    out.push(`chip name must be 1..${MAX_NAME_BYTES} bytes`);
  }
  for (const k of Object.keys(CHIP_FIELDS) as ChipField[]) {
    const v = chip[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      out.push(`field "${k}" must be a finite number, got ${String(v)}`);
      continue;
    }
    try {
      checkField(k, v, 'chip');
    } catch (e) {
      out.push((e as BwsnnError).message.replace(/^chip: /, ''));
    }
  }
  if (out.length) return out;
  if (coreCount(chip) > 4096) out.push(`meshX*meshY = ${coreCount(chip)} cores exceeds 4096`);
  if (chip.banks !== undefined) {
    try {
      parseBanks(chip.banks, 'chip');
      checkBanks(chip, 'chip');
    } catch (e) {
      if (!(e instanceof BwsnnError)) throw e;
      out.push(e.message.replace(/^chip: /, ''));
    }
  }
  if (chip.thresholdBits > chip.membraneBits) out.push(`thresholdBits (${chip.thresholdBits}) exceeds membraneBits (${chip.membraneBits})`);
  if (chip.biasBits > chip.membraneBits) out.push(`biasBits (${chip.biasBits}) exceeds membraneBits (${chip.membraneBits})`);
  return out;
}

/**
 * Static limits of one instruction's immediates against the chip (registers are not known
 * statically, so these are the bounds no register value can rescue), from the ISA table: each
 * field's `chipBound` (a vector of n neurons must fit the neuron memory), then the instruction's
 * `chipLimits` (e.g. ACC's ap planes of len words must fit the axon buffer).
 */
export function chipLimitIssue(op: string, a: Record<string, number>, chip: ChipConfig): string | undefined {
  const def = BY_MNEMONIC.get(op);
  if (!def) return undefined;
  // Binary (XNOR-form) weights are one plane: the table defines W for binary on plane 0 only.
  if (a.wmode === WMODE.binary && a.wq !== undefined && a.wq !== 1 && def.fields.some((f) => f.name === 'wq')) return `${op} wq = ${a.wq} with wmode binary (binary weights are one plane: wq must be 1)`;
  for (const f of def.fields) {
    const v = a[f.name];
    if (f.chipBound !== undefined && v !== undefined && v > chip[f.chipBound]) return `${op} ${f.name} = ${v} exceeds ${f.chipBound} = ${chip[f.chipBound]}`;
  }
  for (const l of def.chipLimits ?? []) {
    const v = l.fields.reduce((p, f) => p * (a[f] as number), 1);
    if (v > chip[l.bound]) {
      const text = l.text.replace('{expr}', l.fields.join('*')).replace('{v}', String(v)).replace('{bound}', l.bound).replace('{limit}', String(chip[l.bound]));
      return `${op} ${text}`;
    }
  }
  return undefined;
}

/** Number of input elements (product of the input shape). */
export function inputSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkShape(shape: readonly number[], what: string, push: (m: string) => void): boolean {
  if (shape.length < 1 || shape.length > MAX_DIMS) {
    push(`${what} must have 1..${MAX_DIMS} dimensions, got ${shape.length}`);
    return false;
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1 || d > 0xffffff) {
      push(`${what} ${JSON.stringify(shape)} has a dimension outside 1..${0xffffff}`);
      return false;
    }
  }
  if (inputSize(shape) > 0x7fffffff) {
    push(`${what} ${JSON.stringify(shape)} has more than 2^31-1 elements`);
    return false;
  }
  return true;
}

/**
 * Every semantic problem of `c` (at most `limit`). An empty list means the container is valid
 * for its embedded chip config.
 */
export function containerIssues(c: BwcContainer, limit = 100): Issue[] {
  const issues: Issue[] = [];
  const push = (i: Issue): void => {
    if (issues.length < limit) issues.push(i);
  };
  if (!Number.isInteger(c.version) || c.version < 1 || c.version > BWC_VERSION) push({ section: 'meta', message: `unsupported container version ${c.version} (expected 1..${BWC_VERSION})` });

  // Chip config: nothing else can be checked without it.
  const chipErr = chipIssues(c.chip);
  for (const m of chipErr) push({ section: 'chip', message: m });
  if (chipErr.length) return issues;
  const chip = c.chip;
  const cores = coreCount(chip);
  const [tLo, tHi] = signedRange(chip.thresholdBits);
  const [bLo, bHi] = signedRange(chip.biasBits);

  // Model metadata.
  const meta = c.meta;
  const pm = (message: string): void => push({ section: 'meta', message });
  if (typeof meta.name !== 'string' || utf8Len(meta.name) > MAX_NAME_BYTES) pm(`model name must be at most ${MAX_NAME_BYTES} bytes`);
  if (!Number.isInteger(meta.timesteps) || meta.timesteps < 1 || meta.timesteps > MAX_TIMESTEPS) {
    pm(`timesteps = ${meta.timesteps} is outside 1..${MAX_TIMESTEPS}`);
  }
  const shapeOk = checkShape(meta.inputShape, 'input shape', pm);
  const nInputs = shapeOk ? inputSize(meta.inputShape) : 0;
  let planes = 1;
  if (meta.encoding.kind === 'binary') {
    if (!Number.isFinite(meta.encoding.threshold)) pm(`binary encoding threshold must be finite, got ${meta.encoding.threshold}`);
  } else if (meta.encoding.kind === 'multibit') {
    const b = meta.encoding.bits;
    if (!Number.isInteger(b) || b < 1 || b > MAX_MULTIBIT_BITS) pm(`multibit encoding bits = ${b} is outside 1..${MAX_MULTIBIT_BITS}`);
    else planes = b;
  } else {
    pm(`unknown input encoding ${JSON.stringify((meta.encoding as { kind: unknown }).kind)}`);
  }
  if (!Number.isInteger(meta.classes) || meta.classes < 1 || meta.classes > MAX_CLASSES) pm(`classes = ${meta.classes} is outside 1..${MAX_CLASSES}`);
  const r = meta.inputRange;
  if (r !== undefined && (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || r[0] > r[1])) {
    pm(`input range must be two finite numbers lo <= hi, got ${JSON.stringify(r)}`);
  }
  if (meta.dataset !== undefined && (typeof meta.dataset !== 'string' || meta.dataset === '' || utf8Len(meta.dataset) > MAX_NAME_BYTES)) {
    pm(`data set name must be 1..${MAX_NAME_BYTES} bytes`);
  }

  // Cores.
  const seen = new Map<number, number>();
  c.cores.forEach((img, ci) => {
    const at = (section: SectionKind, message: string, item?: number, sub?: number): void =>
      push({ section, coreIdx: ci, item, sub, message });
    if (!Number.isInteger(img.core) || img.core < 0 || img.core >= cores) {
      at('program', `core index ${img.core} is outside the ${chip.meshX}x${chip.meshY} mesh (0..${cores - 1})`);
    } else if (seen.has(img.core)) {
      at('program', `duplicate core ${img.core}`);
    } else seen.set(img.core, ci);

    // Program.
    const prog = img.program;
    if (prog.length > chip.instrMemWords) at('program', `program of ${prog.length} instructions exceeds instrMemWords = ${chip.instrMemWords}`);
    const nRoutes = img.routes.length;
    const sendLists = new Set<number>();
    /** Per routing list: the largest (n, g, cw) shape of a SEND that uses it, as its last relative axon word per bit offset. */
    const sendShapes = new Map<number, { k: number; n: number; g: number; cw: number }[]>();
    const psumN = new Map<number, number>();
    prog.forEach((ins, k) => {
      const def = checkInstr(ins);
      if (typeof def === 'string') return at('program', `instruction ${k}: ${def}`, k);
      for (const f of def.fields) {
        const v = ins.args[f.name] as number;
        if (f.kind === 'target' && v >= prog.length) at('program', `instruction ${k}: ${def.mnemonic} target ${v} is outside the program (0..${prog.length - 1})`, k);
      }
      const lim = chipLimitIssue(ins.op, ins.args, chip);
      if (lim) at('program', `instruction ${k}: ${lim}`, k);
      if ('route' in ins.args) {
        const r = ins.args.route as number;
        if (r >= nRoutes) at('program', `instruction ${k}: ${def.mnemonic} route ${r} is outside the core's ${nRoutes} routing lists`, k);
        else if (def.mnemonic === 'PSUM') psumN.set(r, Math.max(psumN.get(r) ?? 0, ins.args.n as number));
        else {
          sendLists.add(r);
          const a = ins.args as Record<string, number>;
          const list = sendShapes.get(r) ?? [];
          list.push({ k, n: a.n as number, g: a.g as number, cw: a.cw as number });
          sendShapes.set(r, list);
        }
      }
    });

    // Synapses.
    if (img.synapses.length % 2 !== 0) at('synapses', `synapse image has an odd number (${img.synapses.length}) of 32-bit halves`);
    if (img.synapses.length / 2 > synapseWords(chip)) {
      at('synapses', `synapse image of ${Math.ceil(img.synapses.length / 2)} words exceeds synapseSramBytes/8 = ${synapseWords(chip)}`);
    }

    // Neurons.
    const np = img.neurons;
    const cnt = np.count;
    if (!Number.isInteger(cnt) || cnt < 0 || cnt > chip.neuronsPerCore) {
      at('neurons', `neuron count ${cnt} exceeds neuronsPerCore = ${chip.neuronsPerCore}`);
    } else {
      const arrays = Object.fromEntries(NEURON_FIELDS.map((f) => [f.name, np[f.name]]));
      let lenOk = true;
      for (const [name, arr] of Object.entries(arrays)) {
        if (arr.length !== cnt) {
          at('neurons', `${name} has ${arr.length} entries, expected count = ${cnt}`);
          lenOk = false;
        }
      }
      if (lenOk) {
        const ranged: [string, Int32Array | Uint8Array, number, number][] = [
          ['theta', np.theta, tLo, tHi],
          ['vreset', np.vreset, tLo, tHi],
          ['g0', np.g0, tLo, tHi],
          ['g1', np.g1, tLo, tHi],
          ['bias', np.bias, bLo, bHi],
          ['leak', np.leak, 0, chip.membraneBits],
          ['decay', np.decay, 0, DECAY_MAX],
          ['sdecay', np.sdecay, 0, DECAY_MAX],
        ];
        for (const [name, arr, lo, hi] of ranged) {
          for (let j = 0; j < cnt; j++) {
            const v = arr[j] as number;
            if (v < lo || v > hi) {
              at('neurons', `neuron ${j}: ${name} = ${v} is outside [${lo}, ${hi}]`, j);
              break;
            }
          }
        }
        for (let j = 0; j < cnt; j++) {
          if (((np.flags[j] as number) & ~NEURON_FLAG_MASK) !== 0) {
            at('neurons', `neuron ${j}: flags 0x${(np.flags[j] as number).toString(16)} set reserved bits`, j);
            break;
          }
        }
      }
    }

    // Routing lists.
    let entries = 0;
    img.routes.forEach((list, r) => {
      entries += list.length;
      list.forEach((d, di) => {
        const bad = (m: string): void => at('routes', `list ${r} destination ${di}: ${m}`, r, di);
        if (!Number.isInteger(d.core) || d.core < 0 || d.core >= cores) bad(`core ${d.core} is outside the mesh (0..${cores - 1})`);
        if (!Number.isInteger(d.flags) || (d.flags & ~ROUTE_FLAG_MASK) !== 0 || d.flags < 0) bad(`flags ${d.flags} set reserved bits`);
        if (!Number.isInteger(d.base) || d.base < 0 || d.base > 0xffffffff) bad(`base ${d.base} is not a 32-bit unsigned integer`);
        if (!Number.isInteger(d.bitOffset) || d.bitOffset < 0 || d.bitOffset > 0xffffffff) bad(`bitOffset ${d.bitOffset} is not a 32-bit unsigned integer`);
        if (sendLists.has(r)) {
          if (d.base >= chip.axonLines) bad(`SEND base axon word ${d.base} is outside axonLines = ${chip.axonLines}`);
          if (d.bitOffset >= 64 * chip.axonLines) bad(`SEND bitOffset ${d.bitOffset} is outside the axon buffer`);
          // Every word a SEND of this list writes must lie in one axon bank of the destination.
          for (const sh of sendShapes.get(r) ?? []) {
            const last = d.base + sendLastWord(d.bitOffset, sh.n, sh.g, sh.cw);
            if (last >= chip.axonLines) {
              bad(`SEND at instruction ${sh.k} writes axon words up to ${last}, outside axonLines = ${chip.axonLines}`);
              break;
            }
          }
        }
        const pn = psumN.get(r);
        if (pn !== undefined && d.base + pn > chip.neuronsPerCore) {
          bad(`PSUM neurons ${d.base}..${d.base + pn - 1} are outside neuronsPerCore = ${chip.neuronsPerCore}`);
        }
      });
    });
    if (entries > chip.routeEntries) at('routes', `${entries} routing destinations exceed routeEntries = ${chip.routeEntries}`);
  });

  // Input map.
  c.inputMap.forEach((b, bi) => {
    const bad = (m: string): void => push({ section: 'input', item: bi, message: `block ${bi}: ${m}` });
    if (!seen.has(b.core)) return bad(`core ${b.core} has no program on the chip`);
    if (b.elements.length !== b.bits.length) return bad(`${b.elements.length} elements but ${b.bits.length} bit positions`);
    if (!Number.isInteger(b.axonBase) || b.axonBase < 0 || b.axonBase > 0xffffffff) return bad(`axonBase ${b.axonBase} is invalid`);
    if (!Number.isInteger(b.planeStride) || b.planeStride < 0 || b.planeStride > 0xffffffff) return bad(`planeStride ${b.planeStride} is invalid`);
    for (let k = 0; k < b.elements.length; k++) {
      const e = b.elements[k] as number;
      const bit = b.bits[k] as number;
      if (e < 0 || e >= nInputs) return bad(`entry ${k}: element ${e} is outside the input (0..${nInputs - 1})`);
      if (bit < 0) return bad(`entry ${k}: bit ${bit} is negative`);
      const last = b.axonBase + Math.floor(bit / 64) + (planes - 1) * b.planeStride;
      if (last >= chip.axonLines) return bad(`entry ${k}: axon word ${last} is outside axonLines = ${chip.axonLines}`);
    }
  });

  // Output map.
  const om = c.outputMap;
  om.probes.forEach((p, pi) => {
    const bad = (m: string, sub?: number): void => push({ section: 'output', item: pi, sub, message: `probe ${pi} (${p.layer}): ${m}` });
    if (typeof p.layer !== 'string' || utf8Len(p.layer) > MAX_NAME_BYTES) bad(`layer name must be at most ${MAX_NAME_BYTES} bytes`);
    if (p.kind !== 'spikes' && p.kind !== 'membrane') bad(`unknown kind ${JSON.stringify(p.kind)}`);
    if (!checkShape(p.shape, 'shape', bad)) return;
    const size = inputSize(p.shape);
    p.entries.forEach((e, ei) => {
      const ebad = (m: string): void => bad(`entry ${ei}: ${m}`, ei);
      const ci = seen.get(e.core);
      if (ci === undefined) return ebad(`core ${e.core} has no program on the chip`);
      if (e.index.length !== e.count) return ebad(`index array has ${e.index.length} entries, expected count = ${e.count}`);
      const have = c.cores[ci]?.neurons.count ?? 0;
      if (!Number.isInteger(e.neuronBase) || e.neuronBase < 0 || e.neuronBase + e.count > have) {
        return ebad(`neurons ${e.neuronBase}..${e.neuronBase + e.count - 1} do not exist on core ${e.core} (${have} neurons)`);
      }
      for (let k = 0; k < e.count; k++) {
        const ix = e.index[k] as number;
        if (ix < 0 || ix >= size) return ebad(`index[${k}] = ${ix} is outside the layer (0..${size - 1})`);
      }
    });
  });
  const ro = om.probes[om.readout];
  if (!Number.isInteger(om.readout) || ro === undefined) {
    push({ section: 'output', message: `readout index ${om.readout} is not a probe (0..${om.probes.length - 1})` });
  } else if (ro.kind !== 'membrane') {
    push({ section: 'output', item: om.readout, message: `readout probe ${om.readout} (${ro.layer}) must be of kind membrane` });
  } else if (checkShape(ro.shape, 'shape', () => undefined) && inputSize(ro.shape) !== meta.classes) {
    push({ section: 'output', item: om.readout, message: `readout probe ${om.readout} (${ro.layer}) has ${inputSize(ro.shape)} outputs, expected classes = ${meta.classes}` });
  }
  return issues;
}
