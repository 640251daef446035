/** VCD and Chrome trace outputs are well-formed. */
import { describe, expect, it } from 'vitest';
import { simulateSync } from '../../simulator/simulate.js';
import { parseNeuronRanges, toChromeTrace, toVcd } from '../../simulator/trace.js';
import { tinyContainer } from '../isa/fixtures.js';

describe('traces', () => {
  const c = tinyContainer();
  const r = simulateSync(c, { count: 1, data: Float32Array.of(1, 1, 0, 1) }, { trace: { neurons: parseNeuronRanges('0:0-2,1:1') } });
  const t = r.trace!;

  it('parses neuron ranges and refuses bad ones', () => {
    expect(parseNeuronRanges('0:0-2, 3:7')).toEqual([{ core: 0, from: 0, to: 2 }, { core: 3, from: 7, to: 7 }]);
    expect(() => parseNeuronRanges('0:5-2')).toThrow(/before its start/);
    expect(() => parseNeuronRanges('x')).toThrow(/core:from-to/);
  });

  it('writes a VCD that GTKWave can load', () => {
    const vcd = toVcd(t, c.chip);
    const lines = vcd.trim().split('\n');
    expect(lines).toContain('$timescale 1 ns $end');
    const defEnd = lines.indexOf('$enddefinitions $end');
    expect(defEnd).toBeGreaterThan(0);
    const vars = lines.slice(0, defEnd).filter((l) => l.startsWith('$var'));
    // 2 busy lines + 3 + 1 spike lines + as many membrane vectors + 1 link counter (core 0 -> core 1 east).
    expect(vars.length).toBe(11);
    expect(vars.filter((v) => / flits_E /.test(v))).toHaveLength(1);
    for (const v of vars) expect(v).toMatch(/^\$var (wire 1|integer \d+) \S+ \w+ \$end$/);
    const p = 1e9 / c.chip.clockHz; // ns per cycle: time = cycle x period
    const scopes = lines.filter((l) => l.startsWith('$scope')).length;
    expect(lines.filter((l) => l === '$upscope $end').length).toBe(scopes);
    const ids = new Set(vars.map((v) => v.split(' ')[3]));
    let last = -1;
    for (const l of lines.slice(defEnd + 1)) {
      if (l.startsWith('#')) {
        const tm = Number(l.slice(1));
        expect(tm).toBeGreaterThan(last);
        last = tm;
      } else if (l !== '$dumpvars' && l !== '$end') {
        expect(l).toMatch(/^([01]|b[01]+ )/);
        expect(ids.has(l.startsWith('b') ? l.split(' ')[1] : l.slice(1))).toBe(true);
      }
    }
    expect(last).toBe(218 * p);
    // Neuron 0 of core 0 fires at the end of FIRE in both steps (cycles 12 and 109 + 12; 2x1 mesh barrier 38).
    const n0 = vars.find((v) => v.includes('n0_spike'))!.split(' ')[3]!;
    const rises = lines.map((l, i) => (l === `1${n0}` ? i : -1)).filter((i) => i >= 0).map((i) => lines.slice(0, i).reverse().find((l) => l.startsWith('#')));
    expect(rises).toEqual([`#${12 * p}`, `#${121 * p}`]);
  });

  it('writes Chrome trace-event JSON', () => {
    const j = JSON.parse(toChromeTrace(t, c.chip)) as { traceEvents: { ph: string; ts?: number; dur?: number; tid: number; name: string }[] };
    const xs = j.traceEvents.filter((e) => e.ph === 'X');
    expect(xs.length).toBe(t.instr.name.length + t.waits.kind.length + 2);
    for (const e of xs) {
      expect(e.ts).toBeGreaterThanOrEqual(0);
      expect(e.dur).toBeGreaterThan(0);
    }
    // The first step spans 109 cycles of 5 ns.
    const step0 = xs.find((e) => e.name === 'step 0')!;
    expect(step0.dur).toBeCloseTo(109 * 5e-3, 9);
    expect(j.traceEvents.filter((e) => e.ph === 'M').length).toBe(2 + 2);
  });
});
