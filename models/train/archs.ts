/**
 * The architectures the trainer knows, by name. A stage list ends with the readout's linear layer.
 * Shortcuts (the SEI "multiple shortcuts") go around every binary layer whose input comes from
 * spiking neurons and whose output has the same shape as its input; layers that change the shape
 * (the first layer, stride-2 convolutions, the classifier) have none: the integer model gives a
 * layer two accumulators (acc0 for the binary synapse, acc1 for the shortcut), and an identity
 * shortcut maps exactly onto acc1, while a projection would need a second weight array per layer
 * and a binarized 1x1 projection of spikes adds cost on the chip for little gain at these sizes.
 */
import type { InputEncoding } from '../graph.js';

export type StageSpec =
  | { kind: 'linear'; name: string; out: number }
  | { kind: 'conv'; name: string; out: number; k: number; stride: number; pad: number }
  | { kind: 'flatten'; name: string }
  | { kind: 'avgpool'; name: string; k: number; stride: number };

export interface ArchSpec {
  name: string;
  dataset: 'mnist' | 'fashion-mnist';
  encoding: InputEncoding;
  /** Input shape of the model (C-order; the data set's 28x28 pixels in the same order). */
  inputShape: number[];
  /** Default time steps. */
  timesteps: number;
  stages: StageSpec[];
  classes: number;
  description: string;
}

export const ARCHS: Record<string, ArchSpec> = {
  'mnist-mlp': {
    name: 'mnist-mlp',
    dataset: 'mnist',
    encoding: { kind: 'binary', threshold: 0.5 },
    inputShape: [784],
    timesteps: 4,
    classes: 10,
    description: '784 -> 512 IF -> 512 IF (+shortcut) -> 512 IF (+shortcut) -> 10 readout, binary weights in every layer',
    stages: [
      { kind: 'linear', name: 'fc1', out: 512 },
      { kind: 'linear', name: 'fc2', out: 512 },
      { kind: 'linear', name: 'fc3', out: 512 },
      { kind: 'linear', name: 'out', out: 10 },
    ],
  },
  'fashion-conv': {
    name: 'fashion-conv',
    dataset: 'fashion-mnist',
    encoding: { kind: 'multibit', bits: 4 },
    inputShape: [1, 28, 28],
    timesteps: 2,
    classes: 10,
    description:
      '1x28x28 (4-bit) -> conv3x3/2 16 IF -> conv3x3/2 16 IF -> conv3x3 16 IF (+shortcut) -> flatten -> 10 readout, binary weights in every layer',
    stages: [
      { kind: 'conv', name: 'conv1', out: 16, k: 3, stride: 2, pad: 1 },
      { kind: 'conv', name: 'conv2', out: 16, k: 3, stride: 2, pad: 1 },
      { kind: 'conv', name: 'conv3', out: 16, k: 3, stride: 1, pad: 1 },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'linear', name: 'out', out: 10 },
    ],
  },
};
