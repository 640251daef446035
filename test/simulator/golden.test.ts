/**
 * Golden per-inference results of a few binaries, recorded before the speed work of issue 17:
 * every simulated number (readout, prediction, cycles per step, every event count, energy, SOPs,
 * busy and stall cycles per core, probed spike trains) must stay bit-identical for the same binary,
 * on 1 and on 2 worker threads. Recording uses the event simulation of every hop (the network
 * before the deferral of issue 17); checking uses the default path. The binaries are stored (test/simulator/golden/*.bwc) so that a
 * compiler change does not move them; re-record (binaries and results) only for a deliberate change
 * of the simulated model:
 *
 *   npm run build && GOLDEN_RECORD=1 npx vitest run test/simulator/golden.test.ts
 *
 * (GOLDEN_RECORD=binaries compiles the binaries anew as well.) Re-recorded once, results only, after
 * the merge of issue 11 (barrier delay growing with the mesh, bank-based energy): cycles and
 * energies changed by design there.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, parseChipConfig, type ChipConfig } from '../../isa/chip.js';
import { readContainer, writeContainer } from '../../isa/container.js';
import type { BwcContainer } from '../../isa/container-types.js';
import { compileModel } from '../../compiler/index.js';
import { loadDataset } from '../../models/data/index.js';
import { encodePixels } from '../../models/data/inputs.js';
import { foldGraph } from '../../models/fold.js';
import { loadModel } from '../../models/format.js';
import type { Graph, InputNode } from '../../models/graph.js';
import { randomGraph, randomInput } from '../../testing/random-graph.js';
import { mlpGraph } from '../../bench/mlp.js';
import { setDeferredNetwork } from '../../simulator/engine.js';
import { simulate, simulateSync, type SimInputs, type SimResult } from '../../simulator/simulate.js';

const DIR = join('test', 'simulator', 'golden');
/** GOLDEN_RECORD=1: re-record the results of the stored binaries; =binaries: rebuild the binaries too. */
const RECORD = process.env.GOLDEN_RECORD === '1' || process.env.GOLDEN_RECORD === 'binaries';
const REBUILD = process.env.GOLDEN_RECORD === 'binaries';
const built = existsSync('dist/simulator/worker.js');

interface Case {
  name: string;
  /** Builds the binary (recording only). */
  build: () => BwcContainer;
  inputs: (c: BwcContainer) => SimInputs;
}

function compile(g: Graph, strategy?: 'spread' | 'pack', chip: ChipConfig = DEFAULT_CHIP): BwcContainer {
  const m = foldGraph(g, { membraneBits: chip.membraneBits, thresholdBits: chip.thresholdBits, biasBits: chip.biasBits });
  return compileModel(m, chip, { strategy }).container;
}

function dataset(name: 'mnist' | 'fashion-mnist', c: BwcContainer, n: number): SimInputs {
  const d = loadDataset(name, 'test');
  const size = 784;
  return { count: n, data: encodePixels(d.inputs.slice(0, n * size), c.meta.encoding), labels: d.labels.slice(0, n) };
}

function randomInputs(g: Graph, n: number): SimInputs {
  const parts = Array.from({ length: n }, (_, i) => randomInput(g, 1000 + i));
  const size = parts[0]!.length;
  const data = new Float32Array(n * size);
  parts.forEach((p, i) => data.set(p, i * size));
  return { count: n, data };
}

const recurrent = (): Graph => randomGraph(4, { kind: 'recurrent', timesteps: 4 });
const shortcut = (): Graph => randomGraph(9, { kind: 'shortcut', timesteps: 3, encoding: { kind: 'multibit', bits: 2 } });

/** A tiny chip on which a 300-input layer is split over fan-in helpers that send partial sums (PSUM). */
const psumChip = (): ChipConfig => parseChipConfig({ meshX: 4, meshY: 4, neuronsPerCore: 16, axonLines: 2, synapseSramBytes: 8 * 8 }, 'psum chip');
const psumInputs = (n: number): SimInputs => ({ count: n, data: new Float32Array(n * 300).map((_, i) => ((i * 7919) % 13) / 12) });

const CASES: Case[] = [
  { name: 'zoo-mnist-mlp', build: () => compile(loadModel('models/zoo/mnist-mlp.bwsnn')), inputs: (c) => dataset('mnist', c, 12) },
  { name: 'zoo-fashion-conv', build: () => compile(loadModel('models/zoo/fashion-conv.bwsnn')), inputs: (c) => dataset('fashion-mnist', c, 2) },
  { name: 'mlp-sc-spread', build: () => compile(mlpGraph([784, 256, 256, 256, 10], 4, 7, true), 'spread'), inputs: (c) => dataset('mnist', c, 10) },
  { name: 'mlp-sc-pack', build: () => compile(mlpGraph([784, 256, 256, 256, 10], 4, 7, true), 'pack'), inputs: (c) => dataset('mnist', c, 10) },
  { name: 'random-recurrent', build: () => compile(recurrent()), inputs: () => randomInputs(recurrent(), 12) },
  { name: 'mlp-psum', build: () => compile(mlpGraph([300, 4, 2], 2, 3), 'spread', psumChip()), inputs: () => psumInputs(6) },
  { name: 'random-shortcut-multibit', build: () => compile(shortcut()), inputs: () => randomInputs(shortcut(), 8) },
];

/** FNV-1a of a byte array (spike trains are pinned by hash to keep the files small). */
function fnv(u: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let k = 0; k < u.length; k++) h = Math.imul(h ^ u[k]!, 0x01000193);
  return (h >>> 0).toString(16);
}

/** Everything simulated, as plain JSON (energies are doubles; JSON keeps them exactly). */
function golden(r: SimResult, withSpikes: SimResult): unknown {
  const cores = r.cores.map((c) => c.core);
  return {
    model: r.model,
    chip: r.chip,
    count: r.count,
    inferences: r.inferences.map((x, i) => ({
      prediction: x.prediction,
      readout: Array.from(x.readout),
      cycles: x.cycles,
      stepCycles: Array.from(x.stepCycles),
      energy: x.energy,
      sops: x.sops,
      events: x.events,
      busy: cores.map((c) => x.busy[c]),
      stall: cores.map((c) => x.stall[c]),
      spikes: Object.fromEntries(Object.entries(withSpikes.inferences[i]!.spikes ?? {}).map(([k, v]) => [k, fnv(v)])),
    })),
    cores: r.cores.map((c) => ({ core: c.core, busy: c.busy, stall: c.stall, events: c.events, energy: c.energy })),
    eventsTotal: r.eventsTotal,
    energy: { total: r.energy.total, byComponent: r.energy.byComponent },
  };
}

describe.skipIf(!built && !RECORD)('golden per-inference results (issue 17: speed changes nothing simulated)', () => {
  for (const k of CASES) {
    it(k.name, async () => {
      const bwc = join(DIR, `${k.name}.bwc`);
      const json = join(DIR, `${k.name}.json`);
      if (REBUILD || (RECORD && !existsSync(bwc))) writeFileSync(bwc, writeContainer(k.build(), bwc));
      const c = readContainer(new Uint8Array(readFileSync(bwc)), bwc);
      const inputs = k.inputs(c);
      if (RECORD) {
        // Recorded with the event simulation of every hop (the network before issue 17's deferral).
        setDeferredNetwork(false);
        try {
          writeFileSync(json, `${JSON.stringify(golden(simulateSync(c, inputs, { file: k.name }), simulateSync(c, inputs, { file: k.name, probes: true })))}\n`);
        } finally {
          setDeferredNetwork(true);
        }
      }
      const one = simulateSync(c, inputs, { file: k.name });
      const probed = simulateSync(c, inputs, { file: k.name, probes: true });
      const got = golden(one, probed);
      const want = JSON.parse(readFileSync(json, 'utf8')) as unknown;
      expect(got).toEqual(want);
      // The same on two worker threads.
      const two = await simulate(c, inputs, { file: k.name, workers: 2 });
      const twoProbed = await simulate(c, inputs, { file: k.name, workers: 2, probes: true });
      expect(golden(two, twoProbed)).toEqual(want);
    }, 120_000);
  }
});
