/** The dense MLP BWSNN of the benchmarks (the speed target is 784-256-256-256-10, T = 4). */
import type { BinaryLinearNode, Graph, GraphNode } from '../models/graph.js';
import { seededRandom } from '../base/random.js';

/**
 * A dense BWSNN of the given widths with seeded random binary weights. With `shortcuts`, every
 * hidden layer whose width equals its input's gets the SEI identity shortcut (the layer's current
 * plus its input spikes feed the neuron), as the trainer builds them.
 */
export function mlpGraph(widths: number[], timesteps: number, seed = 7, shortcuts = false): Graph {
  const rnd = seededRandom(seed);
  const nodes: GraphNode[] = [{ op: 'input', name: 'input', shape: [widths[0] as number], encoding: { kind: 'binary', threshold: 0.5 } }];
  let x = 'input';
  for (let l = 1; l < widths.length; l++) {
    const inF = widths[l - 1] as number;
    const outF = widths[l] as number;
    const bits = new Uint8Array(Math.ceil((inF * outF) / 8));
    for (let i = 0; i < bits.length; i++) bits[i] = Math.floor(rnd() * 256);
    const alpha = new Float64Array(outF).fill(1);
    const fc: BinaryLinearNode = { op: 'binary_linear', name: `fc${l}`, input: x, inFeatures: inF, outFeatures: outF, weightBits: bits, alpha };
    nodes.push(fc);
    if (l === widths.length - 1) {
      nodes.push({ op: 'readout', name: 'readout', input: fc.name, leak: 0 });
    } else {
      // A threshold near sqrt(fan-in) keeps a realistic spike rate with random weights.
      const th = Math.round(Math.sqrt(inF) * 0.5);
      let cur = fc.name;
      if (shortcuts && inF === outF && l > 1) {
        nodes.push({ op: 'add', name: `fc${l}.add`, inputs: [fc.name, x] });
        cur = `fc${l}.add`;
      }
      nodes.push({ op: 'if', name: `if${l}`, input: cur, threshold: new Float64Array([th]), vReset: new Float64Array([0]), reset: 'soft', fireOn: 'ge' });
      x = `if${l}`;
    }
  }
  return { name: `mlp-${widths.join('-')}${shortcuts ? '-sc' : ''}`, timesteps, nodes };
}
