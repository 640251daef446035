/** Memory energy by bank (the fitted SRAM rule, bands) and size-dependent entries (bySize rules), evaluated for the chip of the binary. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, parseChipConfig } from '../../isa/chip.js';
import { BwsnnError } from '../../base/errors.js';
import { ENERGY_EVENTS } from '../../isa/table.js';
import { defaultEnergyTable, evalSizeRule, parseEnergyTable, resolveEnergyTable } from '../../simulator/energy/table.js';
import { SRAM_FIT, sramAccessEnergy } from '../../simulator/energy/sram.js';
import { simulateSync } from '../../simulator/simulate.js';
import { buildMlpContainer, randomInputs } from '../../testing/mlp-container.js';
import preset from '../../simulator/energy/default-45nm.json' with { type: 'json' };

const clone = (): Record<string, unknown> => JSON.parse(JSON.stringify(preset)) as Record<string, unknown>;
const E = (bytes: number, bits: number): number => sramAccessEnergy(bytes, bits).central;

describe('memory energy by bank (simulator/energy/sram.ts)', () => {
  it('fits a power law to the three Horowitz rows, with the stated residuals', () => {
    // ln E = ln a + b ln S over (8 KB, 10), (32 KB, 20), (1 MB, 100): b = Sxy / Sxx = 0.4726.
    expect(SRAM_FIT.b).toBeCloseTo(0.4726, 4);
    expect(SRAM_FIT.residuals.map((r) => +r.relative.toFixed(4))).toEqual([-0.0157, 0.0224, -0.0063]);
    // 128 KiB: ~37.7 pJ (the log-linear interpolation gave 52); 32 KiB: ~19.6 pJ.
    expect(E(128 * 1024, 64)).toBeCloseTo(37.666, 3);
    expect(E(32 * 1024, 64)).toBeCloseTo(19.562, 3);
    // Band: envelope of the fit, the piecewise law and sqrt(S) through each row.
    expect(sramAccessEnergy(32 * 1024, 64).low).toBeCloseTo(100 * Math.sqrt(1 / 32), 10);
    expect(sramAccessEnergy(32 * 1024, 64).high).toBe(20);
    // Width: linear in the bits accessed.
    expect(E(16 * 1024, 128)).toBeCloseTo(2 * E(16 * 1024, 64), 12);
  });

  it('scales bank rules from the table\'s own "sram" rows, and refuses bank rules without them', () => {
    // Every row twice as costly: the fit's exponent stays, its factor doubles, so every bank entry
    // doubles (central and band); an acc_update is 2 accesses + a fixed 0.1 pJ add.
    const raw = clone();
    const sram = raw.sram as { rows: number[][]; unit: string };
    sram.rows = sram.rows.map(([b, e]) => [b!, 2 * e!]);
    const base = resolveEnergyTable(defaultEnergyTable(), DEFAULT_CHIP);
    const dbl = resolveEnergyTable(parseEnergyTable(raw, 'x2.json'), DEFAULT_CHIP);
    expect(dbl.events.synapse_read_word.value).toBeCloseTo(2 * base.events.synapse_read_word.value, 9);
    expect(dbl.events.synapse_read_word.low).toBeCloseTo(2 * base.events.synapse_read_word.low, 21);
    expect(dbl.events.acc_update.value).toBeCloseTo(2 * (base.events.acc_update.value - 0.1) + 0.1, 9);
    expect(dbl.events.popcount_word.value).toBe(base.events.popcount_word.value);
    // The same rows in nJ price the same.
    const nj = clone();
    (nj.sram as { rows: number[][]; unit: string }).rows = [[8192, 0.01], [32768, 0.02], [1048576, 0.1]];
    (nj.sram as { unit: string }).unit = 'nJ';
    expect(resolveEnergyTable(parseEnergyTable(nj, 'nj.json'), DEFAULT_CHIP).events.neuron_read.value).toBeCloseTo(base.events.neuron_read.value, 9);
    const without = clone();
    delete without.sram;
    expect(() => parseEnergyTable(without, 'my.json')).toThrow(/my\.json: events\.instr_fetch\.byBank: a bank rule needs the table's "sram" section/);
    const badRows = clone();
    (badRows.sram as { rows: number[][] }).rows = [[32768, 20], [8192, 10]];
    expect(() => parseEnergyTable(badRows, 'my.json')).toThrow(/my\.json: sram\.rows\[1\]: bank sizes must increase strictly/);
  });

  it('prices the default chip from its banks (one synapse bank per lane)', () => {
    const t = resolveEnergyTable(defaultEnergyTable(), DEFAULT_CHIP);
    const pj = (e: keyof typeof t.events): number => t.events[e].value;
    expect(pj('synapse_read_word')).toBeCloseTo(E(32 * 1024, 64), 12); // 128 KiB / 4 lanes
    expect(pj('axon_read_word')).toBeCloseTo(E(64 * 1024, 64), 12); // 8192 lines x 8 B
    expect(pj('axon_write_word')).toBeCloseTo(2 * E(64 * 1024, 64), 12); // read-modify-write
    expect(pj('neuron_read')).toBeCloseTo(E(16 * 1024, 128), 12); // 1024 x 16 B, 128-bit row
    expect(pj('neuron_write')).toBeCloseTo(E(16 * 1024, 64), 12);
    expect(pj('acc_update')).toBeCloseTo(2 * E(4096, 32) + 0.1, 12); // acc RMW + 32-bit add
    expect(pj('instr_fetch')).toBeCloseTo(E(32 * 1024, 64), 12);
    expect(pj('spike')).toBe(0);
    expect(t.events.synapse_read_word.low).toBeCloseTo(sramAccessEnergy(32 * 1024, 64).low * 1e-12, 24);
    expect(t.events.synapse_read_word.high).toBeCloseTo(20e-12, 24);
    expect(t.events.popcount_word.low).toBe(t.events.popcount_word.energy);
    expect(t.events.synapse_read_word.derivation).toMatch(/synapseSramBytes 131072 \/ 4 bank\(s\) \(default: one per popcount lane\) = 32768 B/);
  });

  it('follows the chip\'s banks, and simulate() uses the binary\'s chip; the band brackets the total', () => {
    const chip = parseChipConfig({ name: 'one-bank', banks: { synapse: 1 } }, 'test');
    const t = resolveEnergyTable(defaultEnergyTable(), chip);
    expect(t.events.synapse_read_word.value).toBeCloseTo(E(128 * 1024, 64), 12);
    expect(t.events.axon_read_word.value).toBeCloseTo(E(64 * 1024, 64), 12);
    const small = buildMlpContainer({ sizes: [64, 16, 10], timesteps: 2, seed: 3 });
    const big = { ...small, chip: { ...small.chip, ...chip, name: small.chip.name } };
    const inputs = { count: 3, data: randomInputs(3, 64, 1, 0.4) };
    const a = simulateSync(small, inputs);
    const b = simulateSync(big, inputs);
    expect(b.eventsPerInference).toEqual(a.eventsPerInference);
    expect(a.energy.byEvent.synapse_read_word).toBeCloseTo(a.eventsPerInference.synapse_read_word * E(32 * 1024, 64) * 1e-12, 20);
    expect(b.energy.byEvent.synapse_read_word).toBeCloseTo(b.eventsPerInference.synapse_read_word * E(128 * 1024, 64) * 1e-12, 20);
    expect(a.energy.band.central).toBe(a.energy.total);
    expect(a.energy.band.low).toBeLessThan(a.energy.total);
    expect(a.energy.band.high).toBeGreaterThan(a.energy.total);
  });

  it('refuses a bank configuration that does not divide the memory, naming the fields', () => {
    expect(() => parseChipConfig({ banks: { synapse: 3 } }, 'c.json')).toThrow('c.json: banks.synapse = 3 does not divide synapseSramBytes = 131072 into whole 64-bit words');
    expect(() => parseChipConfig({ banks: { neuron: 3 } }, 'c.json')).toThrow('c.json: banks.neuron = 3 does not divide neuronsPerCore = 1024');
    expect(() => parseChipConfig({ banks: { axon: 5 } }, 'c.json')).toThrow('c.json: banks.axon = 5 does not divide axonLines = 8192');
    expect(() => parseChipConfig({ banks: { dram: 1 } }, 'c.json')).toThrow('c.json: unknown field "banks.dram"');
    expect(() => parseChipConfig({ banks: { synapse: 0 } }, 'c.json')).toThrow('c.json: field "banks.synapse" must be an integer 1..4096');
  });
});

describe('size-dependent energy entries', () => {
  it('evaluate linear rules, the end segments beyond the points, and exact points', () => {
    const r = { of: 'axonLines' as const, scale: 8, points: [[1024, 1], [4096, 4], [16384, 10]] as [number, number][], interpolation: 'linear' as const };
    const at = (lines: number) => evalSizeRule(r, { ...DEFAULT_CHIP, axonLines: lines });
    expect(at(128)).toEqual({ size: 1024, value: 1, extrapolated: false });
    expect(at(256).value).toBe(2); // 2048 B: 1 + 3 x 1024/3072
    expect(at(2048)).toEqual({ size: 16384, value: 10, extrapolated: false });
    expect(at(4096)).toEqual({ size: 32768, value: 18, extrapolated: true }); // 4 + 6 x (32768 - 4096)/12288
    expect(at(64).value).toBe(0.5);
  });

  it('refuse bad rules with the file and field path', () => {
    const bad = (mut: (ev: Record<string, Record<string, unknown>>) => void, msg: RegExp): void => {
      const raw = clone();
      mut(raw.events as Record<string, Record<string, unknown>>);
      expect(() => parseEnergyTable(raw, 'my.json')).toThrow(BwsnnError);
      expect(() => parseEnergyTable(raw, 'my.json')).toThrow(msg);
    };
    const rule = (ev: Record<string, Record<string, unknown>>): Record<string, unknown> => {
      // A bySize rule (the 45 nm preset uses bank rules now; user tables may still give size rules).
      const e = ev.synapse_read_word!;
      if (!e.bySize) {
        delete e.byBank;
        e.bySize = { of: 'synapseSramBytes', points: [[8192, 10], [32768, 20], [1048576, 100]], interpolation: 'log-linear' };
      }
      return e.bySize as Record<string, unknown>;
    };
    bad((ev) => (rule(ev).of = 'sramSize'), /my\.json: events\.synapse_read_word\.bySize\.of: must name a chip field/);
    bad((ev) => (rule(ev).points = [[8192, 10]]), /bySize\.points: must be an array of at least two/);
    bad((ev) => (rule(ev).points = [[8192, 10], [8192, 20]]), /bySize\.points\[1\]: sizes must increase strictly/);
    bad((ev) => (rule(ev).points = [[0, 10], [8192, 20]]), /bySize\.points\[0\]: size must be positive/);
    bad((ev) => (rule(ev).points = [[8192, -1], [16384, 20]]), /bySize\.points\[0\]: value must not be negative/);
    bad((ev) => (rule(ev).points = [[8192, '10'], [16384, 20]]), /bySize\.points\[0\]: must be a pair/);
    bad((ev) => (rule(ev).interpolation = 'cubic'), /bySize\.interpolation: must be "linear" or "log-linear"/);
    bad((ev) => (rule(ev).scale = 0), /bySize\.scale: must be a positive number/);
    bad((ev) => (rule(ev).extra = 1), /bySize\.extra: unknown field/);
    bad((ev) => (ev.synapse_read_word!.value = 52), /events\.synapse_read_word: give either "value" or "bySize", not both/);
    bad((ev) => ((ev.synapse_read_word!.byBank as Record<string, unknown>).memory = 'dram'), /events\.synapse_read_word\.byBank\.memory: must be one of synapse, neuron, axon, accumulator, instruction/);
    bad((ev) => delete ev.synapse_read_word!.kind, /my\.json: events\.synapse_read_word: missing "kind"/);
    bad((ev) => (ev.barrier!.kind = 'guess'), /my\.json: events\.barrier\.kind: must be one of silicon, SPICE, calibrated, derived, assumption/);
    bad((ev) => delete ev.barrier!.source, /my\.json: events\.barrier: missing "source"/);
  });

  it('leave tables without rules unchanged', () => {
    const raw = clone();
    const ev = raw.events as Record<string, Record<string, unknown>>;
    for (const e of ENERGY_EVENTS) {
      if (ev[e]!.bySize || ev[e]!.byBank) {
        delete ev[e]!.bySize;
        delete ev[e]!.byBank;
        ev[e]!.value = 1;
      }
    }
    const t = parseEnergyTable(raw, 'fixed.json');
    expect(resolveEnergyTable(t, { ...DEFAULT_CHIP, synapseSramBytes: 1 << 20 })).toBe(t);
  });
});
