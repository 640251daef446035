/** The .bwc section schemas: docs tables verbatim, sizes and item offsets, the generic measurer's refusals. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ContainerError } from '../../base/errors.js';
import { ByteWriter, Measure, measureRecord, recordOffset, recordParser, recordSize, SECTION_SCHEMAS, sectionSchema, sectionTable, writeRecord } from '../../isa/container-schema.js';
import { readDirectory, sectionSize, serializeContainer } from '../../isa/container.js';
import { SECTION_KINDS, type SectionKind } from '../../isa/validate.js';
import { tinyContainer } from './fixtures.js';

const KINDS = Object.keys(SECTION_KINDS) as SectionKind[];

describe('section schemas', () => {
  it('docs/container.md holds every generated section table verbatim', () => {
    const doc = readFileSync('docs/container.md', 'utf8');
    for (const k of KINDS) expect(doc, k).toContain(`. ${k}${k === 'chip' || k === 'meta' || k === 'input' || k === 'output' ? '' : ' (per core)'}\n\n${sectionTable(k)}\n`);
  });

  it('schema sizes are the directory lengths of a written container', () => {
    const c = tinyContainer();
    const dir = readDirectory(serializeContainer(c));
    for (const e of dir) {
      const ci = e.core === undefined ? 0 : c.cores.findIndex((x) => x.core === e.core);
      expect(sectionSize(c, e.kind, ci), `${e.kind} ${e.core ?? ''}`).toBe(e.length);
    }
  });

  it('output: hand-computed size, offsets, bytes and decode of two probes', () => {
    const rec = {
      readout: 1,
      probes: [
        { layer: 'h', kind: 'spikes', shape: [3], entries: [{ core: 0, neuronBase: 0, count: 3, index: Int32Array.of(0, 1, 2) }] },
        { layer: 'out', kind: 'membrane', shape: [2], entries: [] },
      ],
    };
    const f = SECTION_SCHEMAS.output;
    // 8 + probe h: 2 + 1 + 1 + 1 + 4 + 4 + (16 + 12) = 41; probe out: 2 + 3 + 1 + 1 + 4 + 4 = 15.
    expect(recordSize(f, rec)).toBe(8 + 41 + 15);
    expect(recordOffset(f, rec, ['probes', 1])).toBe(8 + 41);
    expect(recordOffset(f, rec, ['probes', 0, 'entries', 0, 'index', 2])).toBe(8 + 2 + 1 + 1 + 1 + 4 + 4 + 16 + 8);
    const w = new ByteWriter(recordSize(f, rec));
    writeRecord(w, f, rec);
    expect(w.pos).toBe(w.bytes.length);
    expect(Array.from(w.bytes.subarray(0, 14))).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0x68, 0, 1, 3]);
    const p = recordParser(f).parse(w.bytes) as { probes: { layer: string; kind: number; entries: { index: number[] }[] }[] };
    expect(p.probes.map((x) => [x.layer, x.kind])).toEqual([['h', 0], ['out', 1]]);
    expect(p.probes[0]!.entries[0]!.index).toEqual([0, 1, 2]);
    // A kind code outside the schema's values is refused at its byte.
    w.bytes[8 + 2 + 1] = 2;
    const m = new Measure(w.bytes, 0, w.bytes.length, 'x.bwc', 'output');
    expect(() => measureRecord(m, f)).toThrowError(ContainerError);
    const m2 = new Measure(w.bytes, 0, w.bytes.length, 'x.bwc', 'output');
    expect(() => measureRecord(m2, f)).toThrowError('x.bwc: section output at byte 11: probe 0 kind 2 must be 0 (spikes) or 1 (membrane)');
  });

  it('routes: the offset of list k destination j', () => {
    const rec = { routes: [{ dests: [{ core: 1, base: 0, flags: 0, bitOffset: 0 }] }, { dests: [0, 1, 2].map((i) => ({ core: i, base: 0, flags: 0, bitOffset: 0 })) }] };
    expect(recordOffset(SECTION_SCHEMAS.routes, rec, ['routes', 1, 'dests', 2])).toBe(4 + (4 + 16) + 4 + 32);
    expect(recordSize(SECTION_SCHEMAS.routes, rec)).toBe(4 + 20 + 52);
  });

  it('a truncated length-counted field names what it needs', () => {
    const f = sectionSchema('meta', 1);
    const rec = { name: 'ab', timesteps: 1, encKind: 'binary', encValue: 0.5, classes: 2, shape: [4, 4] };
    const w = new ByteWriter(recordSize(f, rec));
    writeRecord(w, f, rec);
    const cut = w.bytes.subarray(0, w.bytes.length - 4);
    const m = new Measure(cut, 0, cut.length, 'x.bwc', 'meta');
    expect(() => measureRecord(m, f)).toThrowError(`x.bwc: section meta at byte ${2 + 2 + 2 + 1 + 8 + 4 + 1}: truncated: input shape needs 8 bytes, 4 left in the section`);
  });
});
