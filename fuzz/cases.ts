/**
 * The fuzz cases: a seed corpus of every format (compiled and assembled .bwc binaries, their
 * assembly, .bwsnn models, .npy arrays, chip-config JSON), deterministic mutants of it, and the
 * oracle that runs one mutant through its reader (and .bwc binaries through the simulator with a
 * cycle and memory budget, twice in different orders) and classifies the outcome.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '../isa/asm/index.js';
import { DEFAULT_CHIP, parseChipConfig } from '../isa/chip.js';
import { CHIP_PRESETS } from '../isa/presets.js';
import { readContainer, serializeContainer } from '../isa/container.js';
import type { BwcContainer } from '../isa/container-types.js';
import { disassemble } from '../isa/disasm.js';
import { AssemblyError, BwsnnError } from '../isa/errors.js';
import { MAX_MESSAGE_CHARS, parseJsonBounded } from '../isa/excerpt.js';
import { fieldRange, INSTRUCTIONS } from '../isa/table.js';
import { compileModel } from '../compiler/index.js';
import { readNpy, writeNpy, type NpyDtype } from '../models/data/npy.js';
import { foldGraph } from '../models/fold.js';
import { readBwsnn, writeBwsnn } from '../models/format.js';
import { randomGraph } from '../testing/random-graph.js';
import { seededRandom } from '../base/random.js';
import { simulateSync } from '../simulator/simulate.js';
import { EDGE_INTS, int, mutateBytes, mutateJson, mutateText, pick, type Rng } from './mutate.js';

/** The formats, in the order of the report. */
export const FORMATS = ['bwc-bytes', 'bwc-semantic', 'asm', 'bwsnn', 'npy', 'chip'] as const;
export type Format = (typeof FORMATS)[number];
export const FILE_EXT: Record<Format, string> = { 'bwc-bytes': 'bwc', 'bwc-semantic': 'bwc', asm: 's', bwsnn: 'bwsnn', npy: 'npy', chip: 'json' };

/** Budgets of a simulated mutant. */
export const FUZZ_MAX_CYCLES = 200_000;
export const FUZZ_MAX_MEMORY = 256 * 2 ** 20;

export type Verdict = 'accepted' | 'refused' | 'escape' | 'nondeterministic';
export interface Outcome {
  verdict: Verdict;
  /** The error message (refused, escape) or the difference (nondeterministic), one line. */
  detail?: string;
  /** Simulated (accepted .bwc). */
  simulated?: boolean;
}

export interface Corpus {
  bwc: Uint8Array[];
  asm: string[];
  bwsnn: Uint8Array[];
  npy: Uint8Array[];
  chip: unknown[];
}

const here = dirname(fileURLToPath(import.meta.url));

function examplesDir(): string | undefined {
  for (const d of [join(here, '../../isa/examples'), join(here, '../isa/examples')]) {
    try {
      readdirSync(d);
      return d;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The seed corpus (deterministic). */
export function buildCorpus(): Corpus {
  const small = { ...DEFAULT_CHIP, name: 'fuzz-small', meshX: 2, meshY: 2 };
  const bwc: Uint8Array[] = [];
  const asm: string[] = [];
  const bwsnn: Uint8Array[] = [];
  for (let s = 1; s <= 6; s++) {
    const g = randomGraph(1000 + s, { timesteps: 1 + (s % 3) });
    bwsnn.push(writeBwsnn(g));
    try {
      const { container } = compileModel(foldGraph(g, {}, 'seed'), s % 2 ? small : DEFAULT_CHIP, { file: 'seed' });
      bwc.push(serializeContainer(container));
      asm.push(disassemble(container));
    } catch {
      /* a seed that does not compile is skipped */
    }
  }
  const ex = examplesDir();
  if (ex) {
    for (const f of readdirSync(ex).filter((n) => n.endsWith('.s')).sort()) {
      const text = readFileSync(join(ex, f), 'utf8');
      asm.push(text);
      try {
        bwc.push(serializeContainer(assemble(text, f)));
      } catch {
        /* skipped */
      }
    }
  }
  const npy: Uint8Array[] = [];
  const dtypes: NpyDtype[] = ['f4', 'f8', 'u1', 'i4', 'i8', 'b1'];
  dtypes.forEach((dtype, k) => {
    const shape = k % 2 ? [3, 4] : [5];
    const n = shape.reduce((a, b) => a * b, 1);
    const data =
      dtype === 'f4' ? Float32Array.from({ length: n }, (_, i) => i / 3)
      : dtype === 'f8' ? Float64Array.from({ length: n }, (_, i) => i / 7)
      : dtype === 'i8' ? BigInt64Array.from({ length: n }, (_, i) => BigInt(i))
      : dtype === 'i4' ? Int32Array.from({ length: n }, (_, i) => i - 3)
      : Uint8Array.from({ length: n }, (_, i) => i & 1);
    npy.push(writeNpy({ dtype, shape, data } as Parameters<typeof writeNpy>[0]));
  });
  const chip: unknown[] = [DEFAULT_CHIP, ...Object.values(CHIP_PRESETS), { meshX: 2, meshY: 2 }, { name: 'x', neuronsPerCore: 128 }];
  return { bwc, asm, bwsnn, npy, chip };
}

/** Deterministic case seed. */
export function caseRng(seed: number, idx: number): Rng {
  return seededRandom((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(idx, 0xc2b2ae35)) >>> 0);
}

/** The format of case `idx` (round robin). */
export function formatOf(idx: number): Format {
  return FORMATS[idx % FORMATS.length] as Format;
}

/** One semantic mutation of a container object (re-serialized with every CRC right). */
function mutateContainer(r: Rng, c: BwcContainer): void {
  const cores = c.cores;
  const core = cores.length ? pick(r, cores) : undefined;
  const edge = (): number => (r() < 0.6 ? pick(r, EDGE_INTS) : int(r, 0, 300));
  switch (int(r, 0, 13)) {
    case 0: {
      const keys = ['meshX', 'meshY', 'neuronsPerCore', 'axonLines', 'synapseSramBytes', 'instrMemWords', 'routeEntries', 'lanes', 'laneBits', 'neuronUnits', 'routerLatency', 'linkLatency', 'barrierLatency', 'pipelineDepth'];
      const k = pick(r, keys) as keyof typeof c.chip;
      (c.chip as unknown as Record<string, number>)[k as string] = r() < 0.5 ? pick(r, [64, 65535, 1048576, 4096, 1, 0]) : edge();
      if (r() < 0.3) {
        c.chip.meshX = 64;
        c.chip.meshY = 64;
        c.chip.neuronsPerCore = 65535;
        // Many programmed cores (copies of one image): a small file declaring a huge machine.
        const src = c.cores[0];
        if (src && r() < 0.3) {
          const n = pick(r, [64, 512, 4096]);
          const used = new Set(c.cores.map((k) => k.core));
          for (let k = 0; k < 4096 && c.cores.length < n; k++) if (!used.has(k)) c.cores.push({ ...src, core: k, routes: [] });
        }
      }
      return;
    }
    case 1:
      if (core) core.core = edge();
      return;
    case 2: {
      // Routes: base, bitOffset, core of a destination to edge values; or a huge fan-out.
      if (!core) return;
      if (core.routes.length === 0) core.routes.push([]);
      const list = pick(r, core.routes);
      if (r() < 0.2) {
        const n = pick(r, [64, 1024, 4096]);
        for (let k = 0; k < n; k++) list.push({ core: int(r, 0, 3), base: 0, flags: 0, bitOffset: 0 });
        return;
      }
      if (list.length === 0) list.push({ core: 0, base: 0, flags: 0, bitOffset: 0 });
      const d = pick(r, list);
      if (r() < 0.3) {
        // At the end of the destination's bank: a SEND of several words would run past it.
        d.base = Math.max(0, c.chip.axonLines - int(r, 1, 3));
        if (r() < 0.5) d.bitOffset = int(r, 0, 127);
        return;
      }
      const f = pick(r, ['core', 'base', 'bitOffset', 'flags'] as const);
      d[f] = edge();
      return;
    }
    case 3:
    case 4:
    case 5: {
      // One operand of one instruction to an edge of its field (or any value of it).
      if (!core || core.program.length === 0) return;
      const ins = pick(r, core.program);
      const def = INSTRUCTIONS.find((d) => d.mnemonic === ins.op);
      if (!def || def.fields.length === 0) return;
      const f = pick(r, def.fields);
      const [lo, hi] = fieldRange(f);
      ins.args[f.name] = pick(r, [lo, hi, lo + 1, hi - 1, int(r, lo, Math.min(hi, lo + 300))]);
      return;
    }
    case 6: {
      // Another instruction (fields at random values of their ranges).
      if (!core) return;
      const def = pick(r, INSTRUCTIONS);
      const args: Record<string, number> = {};
      for (const f of def.fields) {
        const [lo, hi] = fieldRange(f);
        args[f.name] = f.kind === 'target' ? int(r, 0, Math.max(0, core.program.length - 1)) : r() < 0.3 ? pick(r, [lo, hi]) : int(r, lo, Math.min(hi, lo + 64));
      }
      core.program.splice(int(r, 0, core.program.length), r() < 0.5 ? 0 : 1, { op: def.mnemonic, args });
      return;
    }
    case 7: {
      // A loop: jump back to the start (with or without a counter).
      if (!core) return;
      core.program.splice(int(r, 0, core.program.length), 0, r() < 0.5 ? { op: 'JMP', args: { target: 0 } } : { op: 'BNZD', args: { rs: int(r, 1, 3), target: 0 } });
      return;
    }
    case 8: {
      const what = int(r, 0, 3);
      if (what === 0) c.meta.timesteps = pick(r, [255, 0, 1, 256, int(r, 1, 255)]);
      else if (what === 1) {
        // Version 3 meta: the recorded input range (non-finite, reversed, edge values).
        const v = (): number => pick(r, [0, 1, -1, 255, NaN, Infinity, -Infinity, 1e308, -0, edge()]);
        c.meta.inputRange = [v(), v()];
      } else if (what === 2) {
        // Version 3 meta: the recorded data set name (empty, long, control characters).
        c.meta.dataset = pick(r, ['', 'mnist', 'x'.repeat(256), 'x'.repeat(70_000), 'a\nb', '\u2028', 'fashion-mnist']);
      } else {
        // Version 3 chip: memory bank counts (0 = default, non-dividing, huge).
        const b = (): number => pick(r, [0, 1, 2, 3, 7, 4096, 4097, 65_536, edge()]);
        c.chip.banks = { synapse: b(), neuron: b(), axon: b() };
      }
      return;
    }
    case 9:
      if (core) {
        const what = int(r, 0, 3);
        if (what === 0) core.program = [];
        else if (what === 1) core.synapses = new Uint32Array(0);
        else if (what === 2) core.routes = [];
        else core.program = core.program.filter((i) => i.op !== 'HALT');
      }
      return;
    case 10: {
      const b = c.inputMap.length ? pick(r, c.inputMap) : undefined;
      if (!b) return;
      const f = pick(r, ['core', 'axonBase', 'planeStride'] as const);
      b[f] = edge();
      if (r() < 0.5 && b.bits.length) b.bits[int(r, 0, b.bits.length - 1)] = edge();
      return;
    }
    case 11: {
      const p = c.outputMap.probes.length ? pick(r, c.outputMap.probes) : undefined;
      if (!p) return;
      const e = p.entries.length ? pick(r, p.entries) : undefined;
      if (r() < 0.3) c.outputMap.readout = edge();
      else if (e) {
        const f = pick(r, ['core', 'neuronBase', 'count'] as const);
        e[f] = edge();
      }
      return;
    }
    case 12: {
      if (!core) return;
      const np = core.neurons;
      const f = pick(r, ['theta', 'bias', 'vreset', 'g0', 'g1'] as const);
      if (np[f].length) np[f][int(r, 0, np[f].length - 1)] = pick(r, [32767, -32768, 2 ** 31 - 1, -(2 ** 31), 0]);
      return;
    }
    default: {
      // Several mutations at once.
      for (let k = 0; k < 3; k++) mutateContainer(r, c);
    }
  }
}

/** The mutant of case `idx`: its format and bytes (undefined: the generator produced nothing). */
export function makeCase(corpus: Corpus, seed: number, idx: number): { format: Format; bytes: Uint8Array } | undefined {
  const r = caseRng(seed, idx);
  const format = formatOf(idx);
  const enc = new TextEncoder();
  const rounds = int(r, 1, 3);
  switch (format) {
    case 'bwc-bytes': {
      let b = pick(r, corpus.bwc);
      for (let k = 0; k < rounds; k++) b = mutateBytes(r, b, pick(r, corpus.bwc));
      return { format, bytes: b };
    }
    case 'bwc-semantic': {
      const c = readContainer(pick(r, corpus.bwc), 'seed');
      for (let k = 0; k < rounds; k++) mutateContainer(r, c);
      try {
        return { format, bytes: serializeContainer(c) };
      } catch {
        return undefined;
      }
    }
    case 'asm': {
      let t = pick(r, corpus.asm);
      for (let k = 0; k < rounds; k++) t = mutateText(r, t);
      return { format, bytes: enc.encode(t) };
    }
    case 'bwsnn': {
      const b = pick(r, corpus.bwsnn);
      if (r() < 0.35) {
        let m = b;
        for (let k = 0; k < rounds; k++) m = mutateBytes(r, m);
        return { format, bytes: m };
      }
      // Header JSON mutation, lengths and blob alignment fixed.
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const hlen = dv.getUint32(12, true);
      const header = JSON.parse(new TextDecoder().decode(b.subarray(16, 16 + hlen))) as unknown;
      const blob = b.subarray((16 + hlen + 7) & ~7);
      const text = enc.encode(mutateJson(r, header));
      const start = (16 + text.length + 7) & ~7;
      const out = new Uint8Array(start + blob.length);
      out.set(b.subarray(0, 12));
      new DataView(out.buffer).setUint32(12, text.length, true);
      out.set(text, 16);
      out.set(blob, start);
      return { format, bytes: out };
    }
    case 'npy': {
      const b = pick(r, corpus.npy);
      if (r() < 0.5) {
        let m = b;
        for (let k = 0; k < rounds; k++) m = mutateBytes(r, m);
        return { format, bytes: m };
      }
      // Header text mutation (dtype, shape, order), header length fixed.
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const hlen = dv.getUint16(8, true);
      let h = new TextDecoder('latin1').decode(b.subarray(10, 10 + hlen));
      h = pick(r, [
        () => h.replace(/'descr': '[^']*'/, `'descr': '${pick(r, ['<f4', '>f8', '|b1', '<U8', 'O', '<i16', '<c8', '', "'"])}'`),
        () => h.replace(/'shape': \([^)]*\)/, `'shape': (${Array.from({ length: int(r, 0, 12) }, () => String(pick(r, EDGE_INTS))).join(', ')},)`),
        () => h.replace('False', pick(r, ['True', 'None', '0', 'Fals'])),
        () => mutateText(r, h),
      ])();
      const ht = enc.encode(h);
      const body = b.subarray(10 + hlen);
      const out = new Uint8Array(10 + ht.length + body.length);
      out.set(b.subarray(0, 8));
      new DataView(out.buffer).setUint16(8, Math.min(ht.length, 0xffff), true);
      out.set(ht, 10);
      out.set(body, 10 + ht.length);
      return { format, bytes: out };
    }
    default: {
      const text = mutateJson(r, pick(r, corpus.chip));
      return { format, bytes: enc.encode(text) };
    }
  }
}

function messageProblem(e: BwsnnError): string | undefined {
  const lines = e instanceof AssemblyError ? e.diagnostics.map((d) => d.message) : [e.message];
  for (const l of lines) {
    if (/[\r\n\u2028\u2029]/.test(l)) return 'multi-line error message';
    if (l.length > MAX_MESSAGE_CHARS) return `error message of ${l.length} characters`;
  }
  return undefined;
}

/** A random input sample of `c`: integers 0..2^K-1 for multibit:K, values in [0, 1) for binary. */
export function randomSample(c: BwcContainer, r: Rng): Float32Array {
  const size = c.meta.inputShape.reduce((a, b) => a * b, 1);
  const e = c.meta.encoding;
  return Float32Array.from({ length: size }, () => (e.kind === 'multibit' ? int(r, 0, 2 ** e.bits - 1) : r()));
}

/** Run a .bwc container: two inputs in the order a, b, a, then b alone; the results per input must agree. */
function simulateTwice(c: BwcContainer, r: Rng): string | undefined {
  const size = c.meta.inputShape.reduce((a, b) => a * b, 1);
  if (size > 1 << 20) return undefined;
  const a = randomSample(c, r);
  const b = randomSample(c, r);
  const data = new Float32Array(3 * size);
  data.set(a, 0);
  data.set(b, size);
  data.set(a, 2 * size);
  const opts = { file: 'mutant.bwc', maxCycles: FUZZ_MAX_CYCLES, maxMemory: FUZZ_MAX_MEMORY };
  const r1 = simulateSync(c, { count: 3, data }, opts);
  const r2 = simulateSync(c, { count: 1, data: b }, opts);
  const same = (x: { readout: Int32Array; cycles: number }, y: { readout: Int32Array; cycles: number }): boolean =>
    x.cycles === y.cycles && x.readout.length === y.readout.length && x.readout.every((v, i) => v === y.readout[i]);
  const [i0, i1, i2] = r1.inferences;
  if (!same(i0!, i2!)) return `input a gives different results as inference 0 and inference 2`;
  if (!same(i1!, r2.inferences[0]!)) return `input b gives different results after input a and alone`;
  return undefined;
}

/** Run one mutant through its reader (and the simulator) and classify the outcome. */
export function runMutant(format: Format, bytes: Uint8Array, r: Rng = seededRandom(1)): Outcome {
  try {
    let simulated = false;
    switch (format) {
      case 'bwc-bytes':
      case 'bwc-semantic': {
        const c = readContainer(bytes, 'mutant.bwc');
        const d = simulateTwice(c, r);
        if (d) return { verdict: 'nondeterministic', detail: d };
        simulated = true;
        break;
      }
      case 'asm':
        assemble(new TextDecoder().decode(bytes), 'mutant.s');
        break;
      case 'bwsnn':
        readBwsnn(bytes, 'mutant.bwsnn');
        break;
      case 'npy':
        readNpy(bytes, 'mutant.npy');
        break;
      default:
        parseChipConfig(parseJsonBounded(new TextDecoder().decode(bytes), 'mutant.json'), 'mutant.json');
    }
    return { verdict: 'accepted', simulated };
  } catch (e) {
    if (e instanceof BwsnnError) {
      const p = messageProblem(e);
      return p ? { verdict: 'escape', detail: `${p}: ${e.message.slice(0, 200).replace(/\s+/g, ' ')}` } : { verdict: 'refused', detail: e.message.slice(0, 300) };
    }
    const err = e as Error;
    return { verdict: 'escape', detail: `${err?.name ?? 'Error'}: ${String(err?.message ?? e).slice(0, 200).replace(/\s+/g, ' ')}` };
  }
}
