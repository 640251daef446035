/**
 * A binary compiled for a chip with memory `banks` carries them (container version 3, chip section),
 * so `bwsnn energy` on the .bwc prices accesses exactly as `bwsnn energy` on the model with that chip,
 * and differently from the default banks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readContainer } from '../../isa/container.js';
import { DEFAULT_CHIP } from '../../isa/chip.js';
import { runCli, startCapture, type Capture } from '../helpers/cli.js';

let cap: Capture;
beforeEach(() => {
  cap = startCapture('bwsnn-banks-binary-');
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function energyJ(...args: string[]): Promise<number> {
  cap.out.length = 0;
  expect(await runCli('energy', ...args, '--data', 'mnist', '--limit', '2', '--workers', '1', '--json')).toBe(0);
  return (JSON.parse(cap.out.join('')) as { energyJoulesPerInference: number }).energyJoulesPerInference;
}

describe('memory banks travel in the binary', () => {
  it('energy of the .bwc equals energy of the model on the banked chip', async () => {
    const chipFile = join(cap.dir, 'banked.json');
    const { banks: _none, ...base } = DEFAULT_CHIP;
    void _none;
    writeFileSync(chipFile, JSON.stringify({ ...base, name: 'banked', banks: { synapse: 16, neuron: 4, axon: 8 } }));
    const bin = join(cap.dir, 'm.bwc');
    expect(await runCli('compile', 'models/zoo/mnist-mlp.bwsnn', '--chip', chipFile, '-o', bin, '--no-measure')).toBe(0);
    const c = readContainer(readFileSync(bin), bin);
    expect(c.version).toBe(3);
    expect(c.chip.banks).toEqual({ synapse: 16, neuron: 4, axon: 8 });
    cap.out.length = 0;
    expect(await runCli('inspect', bin)).toBe(0);
    expect(cap.out.join('')).toContain('; memory banks synapse 16, neuron 4, axon 8\n');

    const fromBinary = await energyJ(bin);
    const fromModel = await energyJ('models/zoo/mnist-mlp.bwsnn', '--chip', chipFile);
    expect(fromBinary).toBe(fromModel);
    // The same binary without its banks (the default: one synapse bank per lane) costs more.
    const plainBin = join(cap.dir, 'plain.bwc');
    expect(await runCli('compile', 'models/zoo/mnist-mlp.bwsnn', '-o', plainBin, '--no-measure')).toBe(0);
    expect(readContainer(readFileSync(plainBin), plainBin).chip.banks).toBeUndefined();
    expect(await energyJ(plainBin)).toBeGreaterThan(fromBinary * 1.2);
  }, 120_000);
});
