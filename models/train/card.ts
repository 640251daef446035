/** The JSON card that goes with every zoo model: what it is, how it was trained, how good it is. */
import type { ArchSpec } from './archs.js';
import type { EpochLog, TrainOptions } from './trainer.js';

export interface ModelCard {
  name: string;
  dataset: string;
  split: { train: string; test: string };
  architecture: string;
  stages: ArchSpec['stages'];
  timesteps: number;
  inputEncoding: ArchSpec['encoding'];
  recipe: TrainOptions & { surrogate: string; neuron: string; weights: string; optimizer: string };
  accuracy: {
    /** Float model (trainer's eval forward, BN running statistics) on the test split. */
    floatTest: number;
    /** foldGraph + runReference on the test split; null when not measured. */
    integerReferenceTest: number | null;
    /** Samples where the integer reference's prediction differs from the float model's. */
    floatIntDisagreements: number | null;
    teacherTest: number | null;
  };
  trainingCommand: string;
  trainingSeconds: number;
  machine: string;
  history: EpochLog[];
}

export function cardRecipe(o: TrainOptions): ModelCard['recipe'] {
  return {
    ...o,
    surrogate: `sigmoid derivative, slope k=${o.slope}: ds/du = k*sig(k(u-theta))*(1-sig(k(u-theta)))`,
    neuron: 'IF, threshold 1, soft reset (v -= theta), fires on v >= theta, membrane 0 at t=0',
    weights: 'binary sign(W) * alpha, alpha = mean|W| per output channel, clipped STE (|W| <= 1), latent W clamped to [-1, 1]',
    optimizer: 'Adam (0.9, 0.999, 1e-8), cosine learning-rate decay to 0, no weight decay',
  };
}
