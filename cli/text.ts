/** Text blocks shared by the simulating commands: per-layer spikes, predictions, per-input rows. */
import type { SimResult } from '../simulator/simulate.js';
import { si } from './report/html.js';
import type { SampleResult } from './results.js';

/** "spikes per layer" lines (from the per-layer attribution; none when it was not recorded). */
export function formatLayers(r: SimResult): string[] {
  if (!r.perLayer || r.perLayer.length === 0) return [];
  const L = ['per layer (mean per inference): spikes fired (input: host input spikes), dynamic energy of the layer\'s events'];
  for (const l of r.perLayer) {
    // The host input fires no neuron: its row shows the input spikes it delivers (activity.inputSpikes); control has none.
    const spikes = l.layer === 'input' ? r.activity.perInference.inputSpikes : l.events.spike;
    const col = l.layer === 'control/other' ? `${'-'.padStart(10)}       ` : `${spikes.toFixed(1).padStart(10)} spikes`;
    L.push(`  ${l.layer.padEnd(24)} ${col}  ${si(l.energy, 'J', 4).padStart(12)}`);
  }
  return L;
}

/** Without labels: a histogram of the predicted classes and the first predictions. */
export function formatPredictions(r: SimResult, labelled: boolean, first = 20): string {
  if (labelled) return '';
  const classes = r.inferences[0]?.readout.length ?? 0;
  const hist = new Array<number>(classes).fill(0);
  for (const i of r.inferences) hist[i.prediction] = (hist[i.prediction] ?? 0) + 1;
  const L = ['predictions (no labels given): count per class'];
  L.push(`  ${hist.map((n, k) => `${k}:${n}`).join('  ')}`);
  const shown = r.inferences.slice(0, first).map((i) => i.prediction);
  L.push(`  first ${shown.length} of ${r.count}: ${shown.join(' ')}`);
  return `${L.join('\n')}\n`;
}

/** The --per-inference table. */
export function formatSamples(rows: SampleResult[]): string {
  const L = ['index  prediction  label  correct      cycles        energy  readout'];
  for (const r of rows) {
    L.push(
      `${String(r.index).padStart(5)}  ${String(r.prediction).padStart(10)}  ${String(r.label ?? '-').padStart(5)}  ${(r.correct === null ? '-' : r.correct ? 'yes' : 'no').padStart(7)}  ${String(r.cycles).padStart(10)}  ${si(r.energyJoules, 'J', 4).padStart(12)}  ${r.readout.join(' ')}`,
    );
  }
  return `${L.join('\n')}\n`;
}
