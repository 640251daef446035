import { describe, expect, it } from 'vitest';
import { chooseLeak } from '../../models/nir/leak.js';
import { detectBinary, quantize } from '../../models/nir/weights.js';
import { formatImportSummary, importNirWithSummary, loadNirAsGraph } from '../../models/nir/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInputEncoding } from '../../models/nir/options.js';
import { chain, f32, i64, input, nirBytes, output, vec } from './nir/fixtures.js';

describe('NIR helpers', () => {
  it('chooseLeak: nearest shift in the log domain, one shift per layer, refusals', () => {
    expect(chooseLeak(Float64Array.of(8e-4), 1e-4, 0, 'n')).toEqual({ k: 3, rate: 0.125, relError: 0 });
    // dt/tau = 0.1: 2^-3 = 0.125 is 25% away
    expect(chooseLeak(Float64Array.of(1e-3), 1e-4, 0.25, 'n').k).toBe(3);
    expect(() => chooseLeak(Float64Array.of(1e-3), 1e-4, 0.2, 'n')).toThrow(/n: dt\/tau = 0\.1 .* 25\.0% from the nearest shift leak 2\^-3/);
    expect(() => chooseLeak(Float64Array.of(4e-4, 8e-4), 1e-4, 0.1, 'n')).toThrow(/n: time constants differ across neurons \(tau\[0\] gives shift 2, tau\[1\] = 0\.0008 gives 3\)/);
    expect(() => chooseLeak(Float64Array.of(0), 1e-4, 0.1, 'n')).toThrow(/n: tau\[0\] = 0: a time constant must be a positive number/);
    expect(() => chooseLeak(Float64Array.of(1e-4), 1e-4, 0.1, 'n')).toThrow(/needs dt\/tau <= 0\.5/);
  });

  it('detectBinary: tolerance, zero rows, sign bits; quantize: exact grids come back exactly', () => {
    expect(detectBinary(Float64Array.of(1, -1.00001, 2, -2), 2, 2, 1e-6)).toBeNull();
    const b = detectBinary(Float64Array.of(1, -1.0000000001, 0, 0), 2, 2, 1e-6)!;
    expect(Array.from(b.alpha)).toEqual([1, 0]);
    expect(b.bits[0]).toBe(0b1101);
    const q = quantize(Float64Array.of(0.75, -0.25, 0.5, 0, 0, 0), 2, 3, 8, 'row');
    expect(Array.from(q.weight)).toEqual([3, -1, 2, 0, 0, 0]);
    expect(Array.from(q.scale)).toEqual([0.25, 1]);
    expect(q.exactRows).toBe(2);
    expect(q.maxRelError).toBe(0);
  });

  it('parseInputEncoding', () => {
    expect(parseInputEncoding('binary:0.25')).toEqual({ kind: 'binary', threshold: 0.25 });
    expect(parseInputEncoding('multibit:8')).toEqual({ kind: 'multibit', bits: 8 });
    for (const bad of ['binary:', 'binary:x', 'multibit:17', 'multibit:2.5', 'rate:4']) expect(() => parseInputEncoding(bad)).toThrow(/--input-encoding: expected/);
  });

  it("Conv2d padding 'same' and 'valid' strings", () => {
    const conv = (padding: string) =>
      importNirWithSummary(
        nirBytes({
          graph: chain([
            ['in', input(1, 4, 4)],
            ['c', { type: 'Conv2d', weight: f32([1, 1, 3, 3], new Array(9).fill(1)), bias: vec(0), stride: i64([2], [1, 1]), padding, dilation: i64([2], [1, 1]), groups: i64([], [1]) }],
            ['t', { type: 'Threshold', threshold: vec(0) }],
            ['f', { type: 'Flatten', start_dim: i64([], [0]), end_dim: i64([], [-1]) }],
            ['acc', { type: 'Linear', weight: f32([1, padding === 'same' ? 16 : 4], new Array(padding === 'same' ? 16 : 4).fill(1)) }],
            ['o', output(1)],
          ]),
        }),
        'p.nir',
      ).graph.nodes.find((n) => n.name === 'c')!;
    const same = conv('same');
    expect(same.op === 'binary_conv2d' && same.padding).toEqual([1, 1]);
    const valid = conv('valid');
    expect(valid.op === 'binary_conv2d' && valid.padding).toEqual([0, 0]);
  });

  it('the import summary, line by line', () => {
    const { summary } = importNirWithSummary(
      nirBytes({
        version: '1.0.0',
        graph: chain([
          ['in', input(2)],
          ['fc', { type: 'Linear', weight: f32([2, 2], [0.5, -0.5, 1, 1]) }],
          ['if', { type: 'IF', r: vec(1, 1), v_threshold: vec(1, 1) }],
          ['out', output(2)],
        ]),
      }),
      's.nir',
    );
    expect(formatImportSummary(summary).split('\n')).toEqual([
      'imported s.nir (NIR file version 1.0.0)',
      'time steps T = 4 (NIR carries none: --timesteps)',
      'dt = 0.0001 s (not used: no time constants in this graph)',
      'input encoding binary:0.5',
      'multi-bit weights: 8 bits, per-row scale',
      'nodes:',
      '  in (Input) -> in: input [2], encoding binary:0.5',
      '  fc (Linear) -> fc: binary weights detected (every row +-c_j), alpha = c_j in [0.5, 1]',
      '  if (IF) -> if: if: fire when v > 1, then v = 0 (hard reset)',
      '  out (Output) -> out:count, out: fed by spikes: readout = spike count (identity linear out:count, readout out without leak)',
      'binary layers detected: fc',
      'leak approximations: none',
      'readout: spike count of if over the T steps (readout out fed by the identity IntLinear out:count); prediction = most spikes, ties to the lowest index',
    ]);
  });

  it('loadNirAsGraph reads a path (what bwsnn compile uses) and names missing files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bwsnn-nir-'));
    try {
      const p = join(dir, 'm.nir');
      writeFileSync(p, nirBytes({ graph: chain([['in', input(2)], ['fc', { type: 'Linear', weight: f32([2, 2], [1, -1, -1, 1]) }], ['acc', { type: 'I', r: vec(1, 1) }], ['out', output(2)]]) }));
      const g = loadNirAsGraph(p, { timesteps: 2 });
      expect(g.timesteps).toBe(2);
      expect(g.name).toBe('m');
      expect(g.nodes.map((n) => n.op)).toEqual(['input', 'binary_linear', 'readout']);
      expect(() => loadNirAsGraph(join(dir, 'none.nir'))).toThrow(/none\.nir: cannot read/);
      expect(() => loadNirAsGraph(dir)).toThrow(/is a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
