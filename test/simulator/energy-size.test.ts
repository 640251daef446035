/** Size-dependent energy table entries (bySize rules), evaluated for the chip of the binary. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, parseChipConfig } from '../../isa/chip.js';
import { BwsnnError } from '../../base/errors.js';
import { ENERGY_EVENTS } from '../../isa/table.js';
import { defaultEnergyTable, evalSizeRule, parseEnergyTable, resolveEnergyTable } from '../../simulator/energy/table.js';
import { simulateSync } from '../../simulator/simulate.js';
import { buildMlpContainer, randomInputs } from '../../testing/mlp-container.js';
import preset from '../../simulator/energy/default-45nm.json' with { type: 'json' };

/** The fixed values of the preset before it had size rules (docs/energy.md), in pJ. */
const TODAY_PJ: Record<string, number> = {
  instr_fetch: 20,
  synapse_read_word: 52,
  axon_read_word: 36,
  axon_write_word: 36,
  neuron_read: 30,
  neuron_write: 15,
};

const clone = (): Record<string, unknown> => JSON.parse(JSON.stringify(preset)) as Record<string, unknown>;

describe('size-dependent energy entries', () => {
  it('give the default chip exactly the fixed values of before', () => {
    const t = resolveEnergyTable(defaultEnergyTable(), DEFAULT_CHIP);
    for (const [e, pj] of Object.entries(TODAY_PJ)) {
      const x = t.events[e as keyof typeof t.events];
      expect(x.bySize).toBeDefined();
      expect(x.value).toBe(pj);
      expect(x.energy).toBe(pj * 1e-12);
    }
    expect(defaultEnergyTable().events.synapse_read_word.energy).toBe(52e-12);
  });

  it('interpolate log-linearly for a 2x larger synapse SRAM, and simulate() uses the binary\'s chip', () => {
    const chip = parseChipConfig({ ...DEFAULT_CHIP, name: 'big-sram', synapseSramBytes: 2 * DEFAULT_CHIP.synapseSramBytes }, 'test');
    const t = resolveEnergyTable(defaultEnergyTable(), chip);
    // 256 KiB between the 32 KB (20 pJ) and 1 MB (100 pJ) rows: 20 + 80 x (18 - 15) / (20 - 15) = 68 pJ.
    const want = 20 + (80 * (Math.log2(256 * 1024) - 15)) / (20 - 15);
    expect(want).toBe(68);
    expect(t.events.synapse_read_word.value).toBe(want);
    expect(t.events.synapse_read_word.derivation).toMatch(/evaluated for chip big-sram: synapseSramBytes = 262144, log-linear -> 68 pJ/);
    // Other entries unchanged.
    expect(t.events.axon_read_word.value).toBe(36);
    expect(t.events.popcount_word.value).toBe(0.375);
    // The same binary on both chips: same counts, synapse reads at 68 instead of 52 pJ.
    const small = buildMlpContainer({ sizes: [64, 16, 10], timesteps: 2, seed: 3 });
    const big = { ...small, chip };
    const inputs = { count: 3, data: randomInputs(3, 64, 1, 0.4) };
    const a = simulateSync(small, inputs);
    const b = simulateSync(big, inputs);
    expect(b.eventsPerInference).toEqual(a.eventsPerInference);
    expect(a.energy.byEvent.synapse_read_word).toBeCloseTo(a.eventsPerInference.synapse_read_word * 52e-12, 20);
    expect(b.energy.byEvent.synapse_read_word).toBeCloseTo(b.eventsPerInference.synapse_read_word * 68e-12, 20);
  });

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
    const rule = (ev: Record<string, Record<string, unknown>>): Record<string, unknown> => ev.synapse_read_word!.bySize as Record<string, unknown>;
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
  });

  it('leave tables without rules unchanged', () => {
    const raw = clone();
    const ev = raw.events as Record<string, Record<string, unknown>>;
    for (const e of ENERGY_EVENTS) {
      if (ev[e]!.bySize) {
        delete ev[e]!.bySize;
        ev[e]!.value = 1;
      }
    }
    const t = parseEnergyTable(raw, 'fixed.json');
    expect(resolveEnergyTable(t, { ...DEFAULT_CHIP, synapseSramBytes: 1 << 20 })).toBe(t);
  });
});
