/** Exact per-layer energy attribution (SimOptions.perLayer). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../compiler/index.js';
import { parseChipConfig } from '../../isa/chip.js';
import { ENERGY_EVENTS } from '../../isa/table.js';
import type { IntModel } from '../../models/intmodel.js';
import { simulate, simulateSync, type SimResult } from '../../simulator/simulate.js';
import { buildMlpContainer, randomInputs } from '../../testing/mlp-container.js';
import { dense, layer, rng } from '../compiler/helpers/gen.js';

/** Per event: the layers' counts add up to the chip totals; energies plus leakage to the total. */
function expectExactSplit(r: SimResult): void {
  const pl = r.perLayer!;
  for (const e of ENERGY_EVENTS) {
    const s = pl.reduce((a, l) => a + l.events[e], 0);
    expect(s).toBeCloseTo(r.eventsPerInference[e], 9);
  }
  const sum = pl.reduce((a, l) => a + l.energy, 0) + r.energy.byComponent.leakage;
  expect(Math.abs(sum - r.energy.total) / r.energy.total).toBeLessThan(1e-12);
}

describe('per-layer energy', () => {
  it('charges each layer its own instructions and the network traffic of its flits (one layer per core)', () => {
    const c = buildMlpContainer({ sizes: [100, 40, 30, 10], timesteps: 3, seed: 5, theta: 2 });
    const n = 9;
    const inputs = { count: n, data: randomInputs(n, 100, 11, 0.3) };
    const r = simulateSync(c, inputs, { perLayer: true });
    expect(r.perLayer!.map((l) => l.layer)).toEqual(['fc1', 'fc2', 'readout', 'input', 'control/other']);
    expectExactSplit(r);
    const by = Object.fromEntries(r.perLayer!.map((l) => [l.layer, l.events]));
    // Core k holds layer k and sends to core k + 1: one hop per flit, one axon write per flit.
    for (const l of ['fc1', 'fc2']) {
      expect(by[l]!.flit_inject).toBeGreaterThan(0);
      expect(by[l]!.flit_hop).toBe(by[l]!.flit_inject);
      expect(by[l]!.axon_write_word).toBe(by[l]!.flit_inject);
      expect(by[l]!.spike).toBeGreaterThan(0);
    }
    // Layer k's synapse reads are those of core k.
    for (const [k, l] of ['fc1', 'fc2', 'readout'].entries()) expect(by[l]!.synapse_read_word).toBe(r.cores[k]!.events.synapse_read_word);
    expect(by.readout!.flit_inject).toBe(0);
    // Host input flits enter core 0's router for core 0: no hop.
    expect(by.input!.flit_inject).toBe(r.inferences.reduce((a, x) => a + x.events.flit_inject, 0) / n - by.fc1!.flit_inject - by.fc2!.flit_inject);
    expect(by.input!.flit_hop).toBe(0);
    expect(by.input!.axon_write_word).toBe(by.input!.flit_inject);
    // Control: only fetches and barriers (INPUT, SYNC, HALT): 3 cores x 3 steps x (INPUT + k SYNCs + HALT).
    const ctl = by['control/other']!;
    for (const e of ENERGY_EVENTS) if (e !== 'instr_fetch' && e !== 'barrier') expect(ctl[e]).toBe(0);
    expect(ctl.barrier).toBe(3 * (1 + 2 + 3));
    // Off by default, and the totals do not depend on it.
    const plain = simulateSync(c, inputs);
    expect(plain.perLayer).toBeUndefined();
    expect(plain.energy.total).toBe(r.energy.total);
  });

  it('charges fan-in helpers (partial sums sent by PSUM) to the layer they compute', () => {
    const r0 = rng(4);
    const chip = parseChipConfig({ meshX: 4, meshY: 4, neuronsPerCore: 16, axonLines: 2, synapseSramBytes: 8 * 8 }, 'test chip');
    const m: IntModel = {
      name: 'f',
      timesteps: 2,
      input: { name: 'in', shape: [300], encoding: { kind: 'binary', threshold: 0.5 } },
      membraneBits: 16,
      layers: [layer(r0, 'h', 'if', [4], [dense(r0, 'in', 300, 4, false)]), layer(r0, 'out', 'readout', [2], [dense(r0, 'h', 4, 2, false)])],
      readout: 'out',
    };
    const { container } = compileModel(m, chip, { file: 'f' });
    const n = 5;
    const data = new Float32Array(n * 300).map((_, i) => ((i * 7919) % 13) / 12);
    const r = simulateSync(container, { count: n, data }, { perLayer: true });
    expectExactSplit(r);
    const by = Object.fromEntries(r.perLayer!.map((l) => [l.layer, l.events]));
    // Every synapse read belongs to a layer; the helpers' partial sums (delivered acc updates) to h.
    expect(by['control/other']!.synapse_read_word).toBe(0);
    expect(by['control/other']!.flit_inject).toBe(0);
    expect(by.h!.synapse_read_word + by.out!.synapse_read_word).toBe(r.eventsPerInference.synapse_read_word);
    expect(by.h!.flit_inject).toBeGreaterThan(0);
  });

  it.skipIf(!existsSync('dist/simulator/worker.js'))('is the same on 1 and 2 workers', async () => {
    const c = buildMlpContainer({ sizes: [100, 40, 30, 10], timesteps: 3, seed: 5, theta: 2 });
    const inputs = { count: 11, data: randomInputs(11, 100, 3, 0.3) };
    const one = simulateSync(c, inputs, { perLayer: true });
    const two = await simulate(c, inputs, { perLayer: true, workers: 2 });
    expect(two.perLayer).toEqual(one.perLayer);
  }, 60000);
});
