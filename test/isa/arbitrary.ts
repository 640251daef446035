
/**
 * Random valid instructions and containers, for property tests here and in other areas.
 *
 * `randomContainer(seed, opts)` builds a container that passes validateContainer for its own
 * (random, small) chip config: every count, index and value is drawn inside the limits the
 * container checks. `arbContainer()` wraps it as a fast-check Arbitrary (shrinking over the seed);
 * `arbInstr()` draws any single valid instruction.
 */
import fc from 'fast-check';
import { DEFAULT_CHIP, signedRange, synapseWords, type ChipConfig } from '../../isa/chip.js';
import { CHIP_PRESETS } from '../../isa/presets.js';
import { BWC_VERSION, type BwcContainer, type CoreImage, type Instr, type Probe, type RouteDest } from '../../isa/container-types.js';
import { fieldRange, INSTRUCTIONS, type InstrDef } from '../../isa/table.js';
import { seededRandom } from '../../base/random.js';
import { sendLastWord } from '../../isa/validate.js';
import { containerVersion } from '../../isa/container.js';

/** Any valid instruction (targets and route indexes anywhere in their field range). */
export function arbInstr(): fc.Arbitrary<Instr> {
  return fc.constantFrom(...INSTRUCTIONS).chain((def) =>
    fc.record(Object.fromEntries(def.fields.map((f) => {
      const [lo, hi] = fieldRange(f);
      return [f.name, fc.integer({ min: lo, max: hi })];
    }))).map((args) => ({ op: def.mnemonic, args: args as Record<string, number> })),
  );
}

/** The project's seeded PRNG (base/random.ts). */
export const rngFrom = seededRandom;

export interface RandomContainerOptions {
  /** Upper bound on instructions per core (default 12). */
  maxProgram?: number;
  /** Upper bound on cores used (default 4). */
  maxCores?: number;
}

const NAME_CHARS = ['a', 'b', 'z', 'Q', '0', '9', '_', '-', ' ', '"', '\\', 'é', '→', '\n', '\t', '.'];

/** A random valid container. Same seed, same container. */
export function randomContainer(seed: number, opts: RandomContainerOptions = {}): BwcContainer {
  const r = rngFrom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(a: readonly T[]): T => a[int(0, a.length - 1)] as T;
  const str = (max: number): string => Array.from({ length: int(0, max) }, () => pick(NAME_CHARS)).join('');

  const presetName = pick(Object.keys(CHIP_PRESETS));
  const membraneBits = int(8, 32);
  const chip: ChipConfig = {
    ...DEFAULT_CHIP,
    name: r() < 0.5 ? presetName : `chip ${str(6)}x`,
    meshX: int(1, 4),
    meshY: int(1, 4),
    neuronsPerCore: int(1, 48),
    membraneBits,
    thresholdBits: int(4, membraneBits),
    biasBits: int(4, membraneBits),
    synapseSramBytes: 8 * int(1, 32),
    axonLines: int(1, 40),
    instrMemWords: int(1, 40),
    routeEntries: int(1, 8),
    lanes: int(1, 8),
    laneBits: pick([16, 32, 64, 128]),
    clockHz: r() < 0.5 ? 200e6 : 1e3 + r() * 1e9,
    barrierLatency: int(0, 100),
  };
  // Version 3 chip: memory bank counts (each dividing its memory) in a third of the containers.
  if (r() < 0.33) {
    const divisors = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
    const banks = { synapse: pick(divisors(chip.synapseSramBytes / 8)), neuron: pick(divisors(chip.neuronsPerCore)), axon: pick(divisors(chip.axonLines)) };
    chip.banks = r() < 0.5 ? banks : { axon: banks.axon };
  }
  const nCores = chip.meshX * chip.meshY;
  const [tLo, tHi] = signedRange(chip.thresholdBits);
  const [bLo, bHi] = signedRange(chip.biasBits);

  const shape = Array.from({ length: int(1, 3) }, () => int(1, 5));
  const nInputs = shape.reduce((a, b) => a * b, 1);
  const multibit = r() < 0.4;
  const planes = multibit ? int(1, 8) : 1;

  // Cores: distinct indexes; the first holds at least one neuron (for the readout probe).
  const ids = new Set<number>();
  const want = int(1, Math.min(nCores, opts.maxCores ?? 4));
  while (ids.size < want) ids.add(int(0, nCores - 1));
  let entriesLeft = chip.routeEntries;
  const cores: CoreImage[] = [...ids].map((core, ci) => {
    const count = int(ci === 0 ? 1 : 0, Math.min(chip.neuronsPerCore, 6));
    const arr = (lo: number, hi: number): Int32Array => Int32Array.from({ length: count }, () => int(lo, hi));
    const routes: RouteDest[][] = Array.from({ length: int(0, 3) }, () => {
      const n = Math.min(int(0, 2), entriesLeft);
      entriesLeft -= n;
      return Array.from({ length: n }, () => ({
        core: int(0, nCores - 1),
        base: int(0, Math.min(chip.axonLines, chip.neuronsPerCore) - 1),
        flags: int(0, 3),
        bitOffset: int(0, 64 * chip.axonLines - 1),
      }));
    });
    const len = int(0, Math.min(chip.instrMemWords, opts.maxProgram ?? 12));
    const defs = INSTRUCTIONS.filter((d: InstrDef) => routes.length > 0 || !d.fields.some((f) => f.name === 'route'));
    const program: Instr[] = Array.from({ length: len }, () => {
      const def = pick(defs);
      const args: Record<string, number> = {};
      for (const f of def.fields) {
        const [lo, hi] = fieldRange(f);
        if (f.kind === 'target') args[f.name] = int(0, len - 1);
        else if (f.name === 'route') args[f.name] = int(0, routes.length - 1);
        else if (f.bits > 20) args[f.name] = r() < 0.3 ? pick([lo, hi, 0, -1 < lo ? 0 : -1]) : int(-1000 > lo ? -1000 : lo, Math.min(hi, 100000));
        else args[f.name] = int(lo, hi);
      }
      // Respect the static chip limits of validate.ts (chipLimitIssue).
      if ('n' in args) args.n = int(1, chip.neuronsPerCore);
      if ('wq' in args && args.wmode === 0) args.wq = 1;
      if (def.mnemonic === 'ACC') {
        args.ap = int(1, Math.min(8, chip.axonLines));
        args.len = int(1, Math.floor(chip.axonLines / (args.ap as number)));
      }
      if (def.mnemonic === 'ACCW') {
        args.oh = int(1, Math.min(4095, chip.neuronsPerCore));
        args.cout = int(1, Math.min(4095, Math.floor(chip.neuronsPerCore / (args.oh as number))));
      }
      if (def.mnemonic === 'CFGW') {
        args.inh = int(1, Math.min(4095, chip.axonLines));
        args.inw = int(1, Math.min(4095, Math.floor(chip.axonLines / (args.inh as number))));
        args.cw = int(1, Math.min(255, Math.floor(chip.axonLines / ((args.inh as number) * (args.inw as number)))));
      }
      return { op: def.mnemonic, args };
    });
    for (const i of program) {
      if (i.op !== 'PSUM') continue;
      for (const d of routes[i.args.route as number] ?? []) d.base = Math.min(d.base, chip.neuronsPerCore - (i.args.n as number));
    }
    // Every word a SEND (or SENDT's slot 0) writes lies in one axon bank of the destination (validate.ts).
    for (let pass = 0; pass < 2; pass++) {
      for (const i of program) {
        if (i.op !== 'SEND' && i.op !== 'SENDT') continue;
        const a = i.args as Record<string, number>;
        for (const d of routes[a.route as number] ?? []) {
          if (d.base + sendLastWord(d.bitOffset, a.n!, a.g!, a.cw!) < chip.axonLines) continue;
          d.bitOffset %= 64;
          d.base = 0;
          if (sendLastWord(d.bitOffset, a.n!, a.g!, a.cw!) >= chip.axonLines) a.n = 1;
        }
      }
    }
    const synWords = int(0, Math.min(synapseWords(chip), 6));
    return {
      core,
      program,
      synapses: Uint32Array.from({ length: 2 * synWords }, () => int(0, 0xffffffff)),
      neurons: {
        count,
        theta: arr(tLo, tHi),
        bias: arr(bLo, bHi),
        vreset: arr(tLo, tHi),
        g0: arr(tLo, tHi),
        g1: arr(tLo, tHi),
        leak: Uint8Array.from({ length: count }, () => int(0, chip.membraneBits)),
        // Half the cores use the version 2 fields (decays, the current-based flag), half are version 1.
        ...(int(0, 1) === 1
          ? { flags: Uint8Array.from({ length: count }, () => int(0, 7)), decay: arr(0, 4096), sdecay: arr(0, 4096) }
          : { flags: Uint8Array.from({ length: count }, () => int(0, 3)), decay: new Int32Array(count), sdecay: new Int32Array(count) }),
      },
      routes,
    };
  });
  const withNeurons = cores.filter((c) => c.neurons.count > 0);

  const inputMap = Array.from({ length: int(0, 3) }, () => {
    const axonBase = int(0, chip.axonLines - 1);
    const room = chip.axonLines - 1 - axonBase;
    const planeStride = planes > 1 ? int(0, Math.floor(room / (planes - 1))) : int(0, 5);
    const maxWord = room - (planes - 1) * planeStride;
    const n = int(0, 6);
    return {
      core: pick(cores).core,
      axonBase,
      planeStride,
      elements: Int32Array.from({ length: n }, () => int(0, nInputs - 1)),
      bits: Int32Array.from({ length: n }, () => int(0, 64 * (maxWord + 1) - 1)),
    };
  });

  const probe = (kind: 'spikes' | 'membrane', pshape: number[]): Probe => {
    const size = pshape.reduce((a, b) => a * b, 1);
    return {
      layer: str(8),
      kind,
      shape: pshape,
      entries: Array.from({ length: int(kind === 'membrane' ? 1 : 0, 2) }, () => {
        const img = pick(withNeurons);
        const neuronBase = int(0, img.neurons.count - 1);
        const count = int(0, img.neurons.count - neuronBase);
        return { core: img.core, neuronBase, count, index: Int32Array.from({ length: count }, () => int(0, size - 1)) };
      }),
    };
  };
  const classes = int(1, 10);
  const probes: Probe[] = Array.from({ length: int(0, 2) }, () => probe(r() < 0.5 ? 'spikes' : 'membrane', Array.from({ length: int(1, 3) }, () => int(1, 4))));
  const readout = int(0, probes.length);
  probes.splice(readout, 0, probe('membrane', [classes]));

  const thresholds = [0.5, 0, -0, 1e-9, -3.25, 1e300];
  // Version 3 meta: a recorded input range and data set, each in a third of the containers.
  const lo = r() < 0.5 ? 0 : r() * 10 - 5;
  const recorded = {
    ...(r() < 0.33 ? { inputRange: [lo, lo + (r() < 0.5 ? 1 : r() * 300)] as [number, number] } : {}),
    ...(r() < 0.33 ? { dataset: r() < 0.5 ? 'mnist' : str(12) || 'x' } : {}),
  };
  const c: BwcContainer = {
    version: int(1, BWC_VERSION),
    chip,
    meta: {
      name: str(10),
      timesteps: int(1, 255),
      inputShape: shape,
      encoding: multibit ? { kind: 'multibit', bits: planes } : { kind: 'binary', threshold: r() < 0.5 ? pick(thresholds) : r() * 10 - 5 },
      classes,
      ...recorded,
    },
    cores,
    inputMap,
    outputMap: { readout, probes },
  };
  // Any version from the one the content needs (the writer's floor) up to the newest.
  c.version = Math.max(c.version, containerVersion(c));
  return c;
}

/** fast-check Arbitrary over randomContainer (shrinks the seed). */
export function arbContainer(opts: RandomContainerOptions = {}): fc.Arbitrary<BwcContainer> {
  return fc.integer({ min: 0, max: 0x7fffffff }).map((seed) => randomContainer(seed, opts));
}
