/** Energy = event counts x table + leakage x time; table validation. */
import { describe, expect, it } from 'vitest';
import { ENERGY_EVENTS } from '../../isa/table.js';
import { COMPONENTS, EVENT_COMPONENT } from '../../simulator/energy/breakdown.js';
import { defaultEnergyTable, energyTableFromText, parseEnergyTable } from '../../simulator/energy/table.js';
import { simulateSync } from '../../simulator/simulate.js';
import { tinyContainer } from '../isa/fixtures.js';
import preset from '../../simulator/energy/default-45nm.json' with { type: 'json' };

describe('the default 45 nm table', () => {
  const t = defaultEnergyTable();
  it('has every event with a source, and the documented derivations', () => {
    for (const e of ENERGY_EVENTS) expect(t.events[e].source.length).toBeGreaterThan(10);
    // popcount: 120 one-bit adder cells x (0.1 pJ / 32).
    expect(t.events.popcount_word.energy).toBeCloseTo(120 * (0.1e-12 / 32), 20);
    // SRAM by bank: the power law fitted to the rows (test/simulator/energy-size.test.ts pins it).
    expect(t.events.synapse_read_word.value).toBeCloseTo(19.562, 3);
    expect(t.events.axon_read_word.value).toBeCloseTo(27.144, 3);
    // Every entry says what kind of number it is; assumptions are marked as such.
    for (const e of ENERGY_EVENTS) expect(['silicon', 'SPICE', 'calibrated', 'derived', 'assumption']).toContain(t.events[e].kind);
    expect(t.events.barrier.kind).toBe('assumption');
    expect(t.events.axon_write_word.kind).toBe('assumption');
    expect(t.leakage.kind).toBe('assumption');
    // 16-bit add between the 8-bit (0.03) and 32-bit (0.1) rows; 16-bit multiply = sqrt(0.2 x 3.1).
    expect(t.events.membrane_update.value).toBeCloseTo(0.03 + (8 / 24) * 0.07, 4);
    expect(t.events.gain_multiply.value).toBeCloseTo(Math.sqrt(0.2 * 3.1), 4);
    expect(t.leakage.power).toBeCloseTo(100e-6, 12);
  });
});

describe('energy per inference', () => {
  const t = defaultEnergyTable();
  const r = simulateSync(tinyContainer(), { count: 2, data: Float32Array.of(1, 1, 0, 1, 0, 0, 0, 0) });
  it('is the sum of counts x table plus leakage x cores x time, recomputed here', () => {
    for (const inf of r.inferences) {
      let e = 0;
      for (const ev of ENERGY_EVENTS) e += inf.events[ev] * t.events[ev].energy;
      e += t.leakage.power * 2 * inf.latency; // 2 cores in the mesh
      expect(inf.energy).toBeCloseTo(e, 20);
    }
    const mean = (r.inferences[0]!.energy + r.inferences[1]!.energy) / 2;
    expect(r.energy.total).toBeCloseTo(mean, 20);
  });
  it('breaks down by component and event consistently', () => {
    let byComp = 0;
    for (const c of COMPONENTS) byComp += r.energy.byComponent[c];
    expect(byComp).toBeCloseTo(r.energy.total, 20);
    for (const ev of ENERGY_EVENTS) {
      expect(r.energy.byEvent[ev]).toBeCloseTo(r.eventsPerInference[ev] * t.events[ev].energy, 20);
      expect(COMPONENTS).toContain(EVENT_COMPONENT[ev]);
    }
    const perCore = r.energy.perCore.reduce((a, b) => a + b, 0);
    expect(perCore).toBeCloseTo(r.energy.total, 20);
  });
});

describe('malformed energy tables', () => {
  const good = () => JSON.parse(JSON.stringify(preset)) as { events: Record<string, Record<string, unknown>>; leakage: Record<string, unknown> };
  it('accepts the preset and units', () => {
    const g = good();
    g.events.spike = { value: 1700, unit: 'fJ', kind: 'SPICE', source: 'x' };
    expect(parseEnergyTable(g, 'my.json').events.spike.energy).toBeCloseTo(1.7e-12, 20);
  });
  it('names the file and the field of every problem', () => {
    const cases: [(g: ReturnType<typeof good>) => void, RegExp][] = [
      [(g) => (g.events.teleport = { value: 1, unit: 'pJ', source: 's' }), /my\.json: events\.teleport: unknown event/],
      [(g) => delete g.events.flit_hop, /my\.json: events\.flit_hop: missing/],
      [(g) => (g.events.spike!.value = -1), /my\.json: events\.spike\.value: must not be negative/],
      [(g) => (g.events.spike!.value = '3'), /my\.json: events\.spike\.value: must be a finite number/],
      [(g) => (g.events.spike!.unit = 'kcal'), /my\.json: events\.spike\.unit: must be one of/],
      [(g) => (g.events.spike!.source = ''), /my\.json: events\.spike\.source: every number needs a source/],
      [(g) => (g.leakage.value = -2), /my\.json: leakage\.value: must not be negative/],
      [(g) => (g.leakage.unit = 'pJ'), /my\.json: leakage\.unit/],
    ];
    for (const [edit, re] of cases) {
      const g = good();
      edit(g);
      expect(() => parseEnergyTable(g, 'my.json')).toThrow(re);
    }
    expect(() => energyTableFromText('{ nope', 'bad.json')).toThrow(/bad\.json: invalid JSON/);
    // Thousands of nesting levels: one bounded error, not a stack overflow.
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(() => energyTableFromText(deep, 'deep.json')).toThrow(/deep\.json: JSON nested deeper than 64 levels/);
    expect(() => energyTableFromText('{\n"a":\n}', 'ml.json')).toThrow(/^[^\n]*$/);
    expect(() => parseEnergyTable([], 'arr.json')).toThrow(/arr\.json: expected a JSON object/);
  });
});
