/**
 * The energy target of issue 13, measured by `npm run bench` (alone: `BENCH_ONLY=energy npm run bench`):
 * the zoo model models/zoo/mnist-mlp.bwsnn on its MNIST test split, below TrueNorth's 0.408 uJ per
 * MNIST inference (92.7%), on the 45 nm energy table, with its latency. The compiler chooses the
 * dataflow per layer and the schedule (`--dataflow auto --schedule auto`) from spike statistics
 * measured on the *train* split (never the test split); the binary is simulated cycle by cycle.
 * Beside it, measured in the same run: the same model compiled as before (dense popcount rows,
 * step-major), with the default strategy and packed, on the default chip and on the same mesh with
 * smaller synapse arrays, so that what the dataflow and what the memory organisation save show apart.
 */
import { join } from 'node:path';
import { YARDSTICKS, type Yardstick } from '../cli/energy/compare.js';
import { compileModel, foldForChip, type CompileOptions } from '../compiler/index.js';
import { profileModel } from '../compiler/profile.js';
import { parseChipConfig, type ChipConfig } from '../isa/chip.js';
import { loadDataset } from '../models/data/index.js';
import { encodeDataset } from '../models/data/inputs.js';
import { loadModel } from '../models/format.js';
import { COMPONENTS } from '../simulator/energy/breakdown.js';
import { defaultEnergyTable, resolveEnergyTable } from '../simulator/energy/table.js';
import { simulate } from '../simulator/index.js';

/** TrueNorth on MNIST (92.7% at 0.408 uJ per image, silicon): the yardstick of cli/energy/published.json. */
const TRUENORTH: Yardstick = ((): Yardstick => {
  const y = YARDSTICKS.find((x) => x.name === 'truenorth-mnist');
  if (!y) throw new Error('cli/energy/published.json lacks the yardstick truenorth-mnist');
  return y;
})();
/** Its energy per inference in uJ. */
export const TRUENORTH_UJ = TRUENORTH.energyPerInferenceJ * 1e6;

export interface EnergyTargetRow {
  label: string;
  chip: string;
  dataflow: string;
  schedule: string;
  accuracy: number;
  inferences: number;
  energyPerInferenceJ: number;
  /** Low / high ends of the energy band (memory energy by bank, low / high scaling rule). */
  bandJ: { low: number; high: number };
  latencyS: number;
  cyclesPerInference: number;
  byComponentJ: Record<string, number>;
  layers: { layer: string; dataflow: string }[];
}

/** The memory organisation of the banked chip: the same memories split into smaller banks. */
export const BANKED = { synapse: 16, neuron: 4, axon: 8 } as const;

/**
 * The chips measured: the default bw-core-4x4, and the same chip with its memories in smaller banks
 * (`banks`: synapse SRAM in 16 banks of 8 KiB, neuron memory in 4, each axon buffer in 8), every
 * access priced by the bank-size rule (simulator/energy/sram.ts) for the bank it touches.
 */
export function targetChips(base: ChipConfig): ChipConfig[] {
  return [base, parseChipConfig({ ...base, name: `${base.name}-banked`, banks: { ...BANKED } }, 'bench chip')];
}

export async function energyTarget(root: string, base: ChipConfig, workers = 2): Promise<{ rows: EnergyTargetRow[]; met: boolean; targetUJ: number }> {
  const file = join(root, 'models', 'zoo', 'mnist-mlp.bwsnn');
  const g = loadModel(file);
  const test = loadDataset('mnist', 'test');
  const inputs = { ...encodeDataset(test, g), labels: test.labels };
  const train = loadDataset('mnist', 'train');
  const trainIn = encodeDataset(train, g);
  const n = Math.min(200, trainIn.count);
  const table = defaultEnergyTable();
  const rows: EnergyTargetRow[] = [];
  for (const chip of targetChips(base)) {
    const m = foldForChip(g, chip, file);
    const profile = profileModel(m, { count: n, data: trainIn.data.subarray(0, n * trainIn.sampleLength) }, 'mnist train');
    const resolved = resolveEnergyTable(table, chip);
    const price: CompileOptions['price'] = (e) => resolved.events[e].energy * 1e12;
    const configs: { label: string; opts: CompileOptions }[] = [
      ...(chip === base ? [{ label: 'dense rows, step-major (the default compile)', opts: {} }] : []),
      { label: 'dense rows, step-major, packed', opts: { strategy: 'pack' } },
      { label: '--dataflow auto --schedule auto, packed', opts: { strategy: 'pack', dataflow: 'auto', schedule: 'auto', profile, price } },
    ];
    for (const cfg of configs) {
      const { container, report } = compileModel(m, chip, { file, ...cfg.opts });
      const r = await simulate(container, { count: inputs.count, data: inputs.data, labels: inputs.labels }, { workers, energy: table, file });
      rows.push({
        label: cfg.label,
        chip: chip.name,
        dataflow: cfg.opts.dataflow ?? 'dense',
        schedule: report.dataflow?.schedule ?? 'step',
        accuracy: r.accuracy ?? Number.NaN,
        inferences: r.count,
        energyPerInferenceJ: r.energy.total,
        bandJ: { low: r.energy.band.low, high: r.energy.band.high },
        latencyS: r.latency.mean,
        cyclesPerInference: r.cycles.mean,
        byComponentJ: Object.fromEntries(COMPONENTS.map((c) => [c, r.energy.byComponent[c]])),
        layers: report.dataflow?.layers.map((l) => ({ layer: l.layer, dataflow: l.dataflow })) ?? [],
      });
    }
  }
  const best = rows.reduce((a, b) => (b.energyPerInferenceJ < a.energyPerInferenceJ ? b : a));
  return { rows, met: best.bandJ.high < TRUENORTH.energyPerInferenceJ && best.accuracy >= 0.93, targetUJ: TRUENORTH_UJ };
}

export function formatEnergyTarget(t: Awaited<ReturnType<typeof energyTarget>>): string {
  const L: string[] = [];
  L.push(`\nEnergy target (issue 13): models/zoo/mnist-mlp.bwsnn on MNIST test, 45 nm table, below TrueNorth's ${t.targetUJ} uJ per inference at >= 93%`);
  L.push('configuration                                         chip                 accuracy  energy/inf (band)             latency/inf   cycles/inf  schedule  layers');
  for (const r of t.rows) {
    L.push(
      `${r.label.padEnd(53)} ${r.chip.padEnd(20)} ${(100 * r.accuracy).toFixed(2).padStart(7)}%  ${`${(r.energyPerInferenceJ * 1e9).toFixed(1)} nJ (${(r.bandJ.low * 1e9).toFixed(1)}..${(r.bandJ.high * 1e9).toFixed(1)})`.padEnd(28)}  ${(r.latencyS * 1e6).toFixed(2).padStart(8)} us  ${r.cyclesPerInference.toFixed(0).padStart(10)}  ${r.schedule.padEnd(8)}  ${r.layers.map((l) => `${l.layer}:${l.dataflow}`).join(' ')}`,
    );
  }
  const b = t.rows.reduce((x, y) => (y.energyPerInferenceJ < x.energyPerInferenceJ ? y : x));
  L.push(`  breakdown of the lowest (${b.chip}, ${b.label}): ${Object.entries(b.byComponentJ).map(([k, v]) => `${k} ${(v * 1e9).toFixed(1)} nJ`).join(', ')}`);
  L.push(`  target ${t.met ? 'MET' : 'NOT met'} (the band's high end counts): ${(b.energyPerInferenceJ * 1e6).toFixed(4)} uJ (band ${(b.bandJ.low * 1e6).toFixed(4)}..${(b.bandJ.high * 1e6).toFixed(4)}) per inference at ${(100 * b.accuracy).toFixed(2)}%, latency ${(b.latencyS * 1e6).toFixed(2)} us`);
  return L.join('\n');
}
