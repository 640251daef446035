import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BWSNN_MAGIC, loadModel, readBwsnn, saveModel, writeBwsnn } from '../../models/format.js';
import type { Graph } from '../../models/graph.js';
import { randomGraph } from '../../testing/random-graph.js';

/** Rewrite the JSON header of a .bwsnn file (blob kept, offsets recomputed). */
function patchHeader(bytes: Uint8Array, f: (h: Record<string, unknown>) => void): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const hlen = dv.getUint32(12, true);
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen))) as Record<string, unknown>;
  const blob = bytes.subarray((16 + hlen + 7) & ~7);
  f(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const start = (16 + json.length + 7) & ~7;
  const out = new Uint8Array(start + blob.length);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(blob, start);
  return out;
}

type Node = Record<string, unknown>;
const nodeAt = (h: Record<string, unknown>, i: number): Node => (h.nodes as Node[])[i]!;

describe('.bwsnn format', () => {
  it('round-trips random graphs exactly (bytes and values)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        const g = randomGraph(seed);
        g.meta = { seed, recipe: 'random', ok: true };
        const bytes = writeBwsnn(g);
        const back = readBwsnn(bytes, 'r.bwsnn');
        expect(back).toEqual(g);
        expect(writeBwsnn(back)).toEqual(bytes);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps Float64 values bit-exact (subnormals, -0)', () => {
    const g = randomGraph(7, { kind: 'mlp' });
    const bn = g.nodes.find((n) => n.op === 'batchnorm' || n.op === 'binary_linear')!;
    const arr = bn.op === 'batchnorm' ? bn.beta : (bn as { alpha: Float64Array }).alpha;
    arr[0] = 5e-324;
    if (arr.length > 1) arr[1] = -0;
    const back = readBwsnn(writeBwsnn(g), 'x');
    const arr2 = (back.nodes.find((n) => n.name === bn.name) as unknown as Record<string, Float64Array>)[bn.op === 'batchnorm' ? 'beta' : 'alpha']!;
    expect(arr2[0]).toBe(5e-324);
    if (arr.length > 1) expect(Object.is(arr2[1], -0)).toBe(true);
  });

  it('saves atomically and loads from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bwsnn-fmt-'));
    try {
      const g = randomGraph(3);
      saveModel(join(dir, 'm.bwsnn'), g);
      expect(readdirSync(dir)).toEqual(['m.bwsnn']);
      expect(loadModel(join(dir, 'm.bwsnn'))).toEqual(g);
      expect(() => loadModel(join(dir, 'missing.bwsnn'))).toThrow(/missing\.bwsnn: no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const g: Graph = randomGraph(11, { kind: 'mlp' });
  const good = writeBwsnn(g);
  // Index of the first binary_linear node in g.
  const fcIdx = g.nodes.findIndex((n) => n.op === 'binary_linear');
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['bad magic', () => { const b = good.slice(); b[0] = 0x58; return b; }, /m\.bwsnn: magic: expected "BWSNNMDL"/],
    ['short file', () => good.slice(0, 10), /m\.bwsnn: header: file too short/],
    ['wrong version', () => { const b = good.slice(); new DataView(b.buffer).setUint32(8, 2, true); return b; }, /m\.bwsnn: version: unsupported format version 2/],
    ['header past end', () => { const b = good.slice(); new DataView(b.buffer).setUint32(12, 1e6, true); return b; }, /header: header length 1000000 runs past the end/],
    ['truncated blob', () => good.slice(0, good.length - 8), /blobBytes: declares \d+ bytes of arrays but the file holds/],
    ['invalid JSON', () => { const b = good.slice(); b[16] = 0x20; b[17] = 0x7b; return b; }, /header: invalid JSON/],
    ['unknown top field', () => patchHeader(good, (h) => { h.extra = 1; }), /m\.bwsnn: extra: unknown field/],
    ['unknown node field', () => patchHeader(good, (h) => { nodeAt(h, fcIdx).bias = 1; }), new RegExp(`nodes\\[${fcIdx}\\]\\.bias: unknown field for a binary_linear node`)],
    ['unknown op', () => patchHeader(good, (h) => { nodeAt(h, 1).op = 'dropout'; }), /nodes\[1\]\.op: unknown node type "dropout"/],
    ['missing field', () => patchHeader(good, (h) => { delete nodeAt(h, fcIdx).alpha; }), new RegExp(`nodes\\[${fcIdx}\\]\\.alpha: missing`)],
    ['wrong dtype', () => patchHeader(good, (h) => { (nodeAt(h, fcIdx).alpha as Node).dtype = 'i32'; }), new RegExp(`nodes\\[${fcIdx}\\]\\.alpha\\.dtype: expected "f64", got "i32"`)],
    ['short array', () => patchHeader(good, (h) => { const a = nodeAt(h, fcIdx).alpha as Node; a.length = (a.length as number) - 1; }), /node fc\d+: alpha: expected \d+ values, got \d+/],
    ['array past blob', () => patchHeader(good, (h) => { (nodeAt(h, fcIdx).alpha as Node).offset = 1 << 20; }), /alpha: array of \d+ f64 at blob offset 1048576 runs past the end of the blob/],
    ['misaligned', () => patchHeader(good, (h) => { (nodeAt(h, fcIdx).alpha as Node).offset = 4; }), /alpha\.offset: expected a non-negative multiple of 8, got 4/],
    ['bad enum', () => patchHeader(good, (h) => { const n = (h.nodes as Node[]).find((x) => x.op === 'if' || x.op === 'lif')!; n.reset = 'zero'; }), /\.reset: expected one of "soft", "hard", got "zero"/],
    ['bad encoding', () => patchHeader(good, (h) => { nodeAt(h, 0).encoding = { kind: 'rate' }; }), /nodes\[0\]\.encoding\.kind: expected "binary" or "multibit", got "rate"/],
    ['string for int', () => patchHeader(good, (h) => { nodeAt(h, fcIdx).inFeatures = '3'; }), new RegExp(`nodes\\[${fcIdx}\\]\\.inFeatures: expected an integer, got "3"`)],
    ['bad timesteps', () => patchHeader(good, (h) => { h.timesteps = 0; }), /m\.bwsnn: timesteps: expected an integer 1\.\.255, got 0/],
    ['dangling input', () => patchHeader(good, (h) => { nodeAt(h, fcIdx).input = 'ghost'; }), /input "ghost" does not exist/],
  ];
  for (const [what, make, re] of cases) {
    it(`refuses ${what} with one clear error`, () => {
      expect(() => readBwsnn(make(), 'm.bwsnn')).toThrow(re);
    });
  }

  it('refuses NaN parameters written into the blob', () => {
    const b = good.slice();
    const hlen = new DataView(b.buffer).getUint32(12, true);
    const h = JSON.parse(new TextDecoder().decode(b.subarray(16, 16 + hlen))) as Record<string, unknown>;
    const off = (nodeAt(h, fcIdx).alpha as { offset: number }).offset;
    new DataView(b.buffer).setFloat64(((16 + hlen + 7) & ~7) + off, NaN, true);
    expect(() => readBwsnn(b, 'm.bwsnn')).toThrow(/m\.bwsnn: node fc\d+: alpha\[0\] is NaN/);
  });

  it('starts with the documented magic', () => {
    expect(new TextDecoder().decode(good.subarray(0, 8))).toBe(BWSNN_MAGIC);
  });
});
