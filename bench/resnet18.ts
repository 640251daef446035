/**
 * A ResNet-18-sized binary-weight SNN graph (random weights, seeded) for the compile-time
 * benchmark: CIFAR-style ResNet-18 (3x32x32 input, 4 stages of 2 basic blocks with 64, 128, 256,
 * 512 channels, 17 binary 3x3 convolutions, 3 binary 1x1 downsampling convolutions, a binary
 * classifier), in the SEI form: a shortcut around every binary convolution (identity when the
 * shape is kept, a 1x1 stride-2 binary convolution with its own BatchNorm when it changes).
 */
import type { BatchNormNode, BinaryConv2dNode, Graph, GraphNode, IFNode } from '../models/graph.js';
import { seededRandom } from '../base/random.js';

export function resnet18Graph(seed = 18, timesteps = 2): Graph {
  const rnd = seededRandom(seed);
  const nodes: GraphNode[] = [];
  const bits = (n: number): Uint8Array => {
    const b = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
    return b;
  };
  const reals = (n: number, lo: number, hi: number): Float64Array => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + rnd() * (hi - lo);
    return a;
  };
  const conv = (name: string, input: string, cin: number, cout: number, k: number, s: number): string => {
    const n: BinaryConv2dNode = {
      op: 'binary_conv2d', name, input, inChannels: cin, outChannels: cout,
      kernel: [k, k], stride: [s, s], padding: [k === 3 ? 1 : 0, k === 3 ? 1 : 0],
      weightBits: bits(cout * cin * k * k), alpha: reals(cout, 0.5, 1.5),
    };
    nodes.push(n);
    const bn: BatchNormNode = {
      op: 'batchnorm', name: `${name}.bn`, input: name,
      gamma: reals(cout, 0.5, 1.5), beta: reals(cout, -0.5, 0.5), mean: reals(cout, -2, 2), var: reals(cout, 4, 16), eps: 1e-5,
    };
    nodes.push(bn);
    return bn.name;
  };
  const neuron = (name: string, input: string): string => {
    const n: IFNode = { op: 'if', name, input, threshold: new Float64Array([1]), vReset: new Float64Array([0]), reset: 'soft', fireOn: 'ge' };
    nodes.push(n);
    return name;
  };
  nodes.push({ op: 'input', name: 'input', shape: [3, 32, 32], encoding: { kind: 'multibit', bits: 8 } });
  let x = neuron('stem.if', conv('stem', 'input', 3, 64, 3, 1));
  let c = 64;
  const widths = [64, 128, 256, 512];
  widths.forEach((w, stage) => {
    for (let block = 0; block < 2; block++) {
      for (let layer = 0; layer < 2; layer++) {
        const stride = stage > 0 && block === 0 && layer === 0 ? 2 : 1;
        const name = `s${stage + 1}b${block + 1}c${layer + 1}`;
        const main = conv(name, x, c, w, 3, stride);
        const short = stride === 1 && c === w ? x : conv(`${name}.down`, x, c, w, 1, stride);
        nodes.push({ op: 'add', name: `${name}.add`, inputs: [main, short] });
        x = neuron(`${name}.if`, `${name}.add`);
        c = w;
      }
    }
  });
  nodes.push({ op: 'avgpool', name: 'pool', input: x, kernel: [4, 4], stride: [4, 4], padding: [0, 0] });
  nodes.push({ op: 'flatten', name: 'flat', input: 'pool' });
  nodes.push({ op: 'binary_linear', name: 'fc', input: 'flat', inFeatures: 512, outFeatures: 10, weightBits: bits(5120), alpha: reals(10, 0.5, 1.5) });
  nodes.push({ op: 'readout', name: 'readout', input: 'fc', leak: 0 });
  return { name: 'resnet18-bw', timesteps, nodes, meta: { source: 'bench/resnet18.ts (random weights, seed ' + seed + ')' } };
}
