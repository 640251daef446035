/**
 * A stand-in generator (until the compiler is used here) that builds a BwcContainer for a dense
 * binary MLP directly: one layer per core on the first mesh row(s), layer k waits k SYNCs,
 * accumulates its axon buffer (ACC), fires (FIRE) and sends its spikes to the next layer's core
 * (SEND); the last layer is the readout (INTEG). Weights are random bits from a seeded PRNG.
 * Test support shared by the simulator tests and bench/sim-mlp.ts (no library index exports it).
 */
import { DEFAULT_CHIP, type ChipConfig } from '../isa/chip.js';
import { BWC_VERSION, type BwcContainer, type CoreImage, type Instr, type Probe } from '../isa/container-types.js';
import { seededRandom as prng } from '../base/random.js';
import { instr } from '../isa/instr.js';


export interface MlpSpec {
  /** Layer sizes, input first: e.g. [784, 256, 256, 256, 10]. */
  sizes: number[];
  timesteps: number;
  seed?: number;
  /** Threshold of the hidden neurons (default 4). */
  theta?: number;
  chip?: ChipConfig;
}

const I = instr;

export function buildMlpContainer(spec: MlpSpec): BwcContainer {
  const chip = spec.chip ?? { ...DEFAULT_CHIP };
  const rnd = prng(spec.seed ?? 1);
  const L = spec.sizes.length - 1;
  if (L > chip.meshX * chip.meshY) throw new Error(`${L} layers need ${L} cores`);
  const cores: CoreImage[] = [];
  const probes: Probe[] = [];
  for (let k = 0; k < L; k++) {
    const nIn = spec.sizes[k] as number;
    const nOut = spec.sizes[k + 1] as number;
    const len = Math.ceil(nIn / 64);
    const syn = new Uint32Array(2 * nOut * len);
    for (let i = 0; i < nOut; i++) {
      for (let j = 0; j < nIn; j++) {
        if (rnd() < 0.5) {
          const w = 2 * (i * len + (j >> 6)) + ((j >> 5) & 1);
          syn[w] = (syn[w] as number) | (1 << (j & 31));
        }
      }
    }
    const readout = k === L - 1;
    const program: Instr[] = [];
    if (k === 0) program.push(I('INPUT'));
    for (let s = 0; s < k; s++) program.push(I('SYNC'));
    program.push(I('ACC', { acc: 0, rn: 0, rw: 0, ra: 0, n: nOut, len, wmode: 0, wq: 1, ap: 1 }));
    if (readout) program.push(I('INTEG', { rn: 0, n: nOut, b: 1 }));
    else {
      program.push(I('FIRE', { rn: 0, n: nOut, b: 1 }));
      program.push(I('SEND', { rn: 0, n: nOut, route: 0, g: nOut, cw: Math.ceil(nOut / 64) }));
    }
    program.push(I('HALT'));
    const theta = spec.theta ?? 4;
    cores.push({
      core: k,
      program,
      synapses: syn,
      neurons: {
        count: nOut,
        theta: new Int32Array(nOut).fill(readout ? 0 : theta),
        bias: new Int32Array(nOut),
        vreset: new Int32Array(nOut),
        g0: new Int32Array(nOut).fill(1),
        g1: new Int32Array(nOut),
        leak: new Uint8Array(nOut),
        flags: new Uint8Array(nOut),
      },
      routes: readout ? [] : [[{ core: k + 1, base: 0, flags: 0, bitOffset: 0 }]],
    });
    const index = Int32Array.from({ length: nOut }, (_, i) => i);
    probes.push({ layer: readout ? 'readout' : `fc${k + 1}`, kind: readout ? 'membrane' : 'spikes', shape: [nOut], entries: [{ core: k, neuronBase: 0, count: nOut, index }] });
  }
  const nIn = spec.sizes[0] as number;
  return {
    version: BWC_VERSION,
    chip,
    meta: { name: `mlp-${spec.sizes.join('-')}`, timesteps: spec.timesteps, inputShape: [nIn], encoding: { kind: 'binary', threshold: 0.5 }, classes: spec.sizes[L] as number },
    cores,
    inputMap: [{ core: 0, axonBase: 0, planeStride: 0, elements: Int32Array.from({ length: nIn }, (_, i) => i), bits: Int32Array.from({ length: nIn }, (_, i) => i) }],
    outputMap: { readout: L - 1, probes },
  };
}

/** Random binary-ish inputs in [0, 1) (about `density` of them >= 0.5). */
export function randomInputs(count: number, size: number, seed = 7, density = 0.2): Float32Array {
  const r = prng(seed);
  const d = new Float32Array(count * size);
  for (let i = 0; i < d.length; i++) d[i] = r() < density ? 0.5 + r() / 2 : r() / 2;
  return d;
}
