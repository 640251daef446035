/**
 * The larger conv BWSNN of the speed issue (the fashion-conv family, bigger): a full-precision
 * 8-bit 1->16 conv on raw uint8 pixels (direct encoding, multibit:8), then binary 3x3 convs
 * 16->32 (stride 2), 32->32 (+ shortcut), 32->64 (stride 2), 64->64 (+ shortcut), each with
 * BatchNorm and IF neurons, and a binary 3136->10 classifier. Seeded random weights; BatchNorm
 * statistics set so that every layer's current has unit variance (a realistic spike rate).
 */
import type { BatchNormNode, Graph, GraphNode } from '../models/graph.js';
import { seededRandom } from '../base/random.js';

export function convGraph(seed = 17, timesteps = 4): Graph {
  const rnd = seededRandom(seed);
  const nodes: GraphNode[] = [{ op: 'input', name: 'input', shape: [1, 28, 28], encoding: { kind: 'multibit', bits: 8 } }];
  const bits = (n: number): Uint8Array => {
    const b = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
    return b;
  };
  const bn = (name: string, input: string, c: number, variance: number): string => {
    const n: BatchNormNode = {
      op: 'batchnorm', name: `${name}.bn`, input,
      gamma: new Float64Array(c).fill(1), beta: Float64Array.from({ length: c }, () => 0.2 + 0.4 * rnd()),
      mean: new Float64Array(c), var: new Float64Array(c).fill(variance), eps: 1e-5,
    };
    nodes.push(n);
    return n.name;
  };
  const neuron = (name: string, input: string): string => {
    nodes.push({ op: 'if', name: `${name}.if`, input, threshold: Float64Array.of(1), vReset: Float64Array.of(0), reset: 'soft', fireOn: 'ge' });
    return `${name}.if`;
  };
  // Full-precision stem: 8-bit weights, per-channel scale so that the current is about unit size.
  const w0 = new Int32Array(16 * 9);
  for (let i = 0; i < w0.length; i++) w0[i] = Math.floor(rnd() * 256) - 128;
  nodes.push({ op: 'conv2d', name: 'conv0', input: 'input', inChannels: 1, outChannels: 16, kernel: [3, 3], stride: [1, 1], padding: [1, 1], bits: 8, weight: w0, scale: new Float64Array(16).fill(2 ** -14) });
  let x = neuron('conv0', bn('conv0', 'conv0', 16, 1));
  let c = 16;
  const plan: [number, number, boolean][] = [[32, 2, false], [32, 1, true], [64, 2, false], [64, 1, true]];
  plan.forEach(([out, stride, shortcut], i) => {
    const name = `conv${i + 1}`;
    nodes.push({
      op: 'binary_conv2d', name, input: x, inChannels: c, outChannels: out, kernel: [3, 3], stride: [stride, stride], padding: [1, 1],
      weightBits: bits(out * c * 9), alpha: new Float64Array(out).fill(1),
    });
    let cur = bn(name, name, out, c * 9 * 0.25);
    if (shortcut) {
      nodes.push({ op: 'add', name: `${name}.add`, inputs: [cur, x] });
      cur = `${name}.add`;
    }
    x = neuron(name, cur);
    c = out;
  });
  nodes.push({ op: 'flatten', name: 'flatten', input: x });
  nodes.push({ op: 'binary_linear', name: 'fc', input: 'flatten', inFeatures: 3136, outFeatures: 10, weightBits: bits(31360), alpha: new Float64Array(10).fill(1) });
  nodes.push({ op: 'readout', name: 'readout', input: 'fc', leak: 0 });
  return { name: 'conv-16-32-32-64-64', timesteps, nodes };
}
