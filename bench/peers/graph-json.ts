/**
 * The Graph IR as plain JSON for the benchmark's PyTorch peer (bench/peers/torch_peer.py): every
 * node with its parameters, binary weights unpacked to +-1, typed arrays as number lists. The peer
 * runs the same network with the float executor's semantics (models/float-exec.ts), so the bench
 * compares the same work. Not a model format: only the bench writes and reads it.
 */
import type { Graph, GraphNode } from '../../models/graph.js';
import { validateGraph } from '../../models/validate.js';
import { unpackSigns } from '../../models/window.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function arr(a: ArrayLike<number>): number[] {
  return Array.from(a);
}

function nodeJson(n: GraphNode): { [k: string]: Json } {
  switch (n.op) {
    case 'binary_linear':
      return { ...base(n), inFeatures: n.inFeatures, outFeatures: n.outFeatures, weight: arr(unpackSigns(n.weightBits, n.inFeatures * n.outFeatures)), scale: arr(n.alpha) };
    case 'linear':
      return { ...base(n), inFeatures: n.inFeatures, outFeatures: n.outFeatures, weight: arr(n.weight), scale: arr(n.scale) };
    case 'binary_conv2d': {
      const count = n.outChannels * n.inChannels * n.kernel[0] * n.kernel[1];
      return { ...base(n), ...geom(n), weight: arr(unpackSigns(n.weightBits, count)), scale: arr(n.alpha) };
    }
    case 'conv2d':
      return { ...base(n), ...geom(n), weight: arr(n.weight), scale: arr(n.scale) };
    case 'batchnorm':
      return { ...base(n), gamma: arr(n.gamma), beta: arr(n.beta), mean: arr(n.mean), var: arr(n.var), eps: n.eps };
    case 'bias':
      return { ...base(n), bias: arr(n.bias) };
    case 'if':
    case 'lif':
      return { ...base(n), threshold: arr(n.threshold), vReset: arr(n.vReset), reset: n.reset, fireOn: n.fireOn, leak: n.op === 'lif' ? n.leak : 0 };
    case 'threshold':
      return { ...base(n), threshold: arr(n.threshold), fireOn: n.fireOn };
    case 'sumpool':
    case 'avgpool':
    case 'maxpool':
      return { ...base(n), kernel: [...n.kernel], stride: [...n.stride], padding: [...n.padding] };
    case 'readout':
      return { ...base(n), leak: n.leak };
    case 'input':
      return { op: n.op, name: n.name, inputs: [], shape: [...n.shape], encoding: n.encoding.kind === 'binary' ? { kind: 'binary', threshold: n.encoding.threshold } : { kind: 'multibit', bits: n.encoding.bits } };
    case 'add':
    case 'flatten':
      return base(n);
  }
}

function base(n: GraphNode): { [k: string]: Json } {
  return { op: n.op, name: n.name, inputs: n.op === 'add' ? [...n.inputs] : n.op === 'input' ? [] : [n.input] };
}

function geom(n: { inChannels: number; outChannels: number; kernel: [number, number]; stride: [number, number]; padding: [number, number] }): { [k: string]: Json } {
  return { inChannels: n.inChannels, outChannels: n.outChannels, kernel: [...n.kernel], stride: [...n.stride], padding: [...n.padding] };
}

/** The graph as JSON text (shapes included, so the peer needs no shape inference). */
export function graphToPeerJson(g: Graph): string {
  const info = validateGraph(g);
  const nodes = g.nodes.map((n) => ({ ...nodeJson(n), shape: [...info.shapes.get(n.name)!] }));
  return JSON.stringify({ name: g.name, timesteps: g.timesteps, nodes });
}
