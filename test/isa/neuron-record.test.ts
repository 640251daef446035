/** The neuron record table drives the container layout, the assembler rows and the docs. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NEURON_COLUMNS } from '../../isa/asm/build.js';
import { readContainer, writeContainer } from '../../isa/container.js';
import { NEURON_CURRENT, NEURON_FIELDS, NEURON_RECORD_BYTES, neuronArrays, neuronFieldsOf, neuronRecordBytes, neuronSectionDoc } from '../../isa/neuron-record.js';
import { disassemble } from '../../isa/disasm.js';
import { assemble } from '../../isa/asm/index.js';
import { container, I } from '../simulator/build.js';

describe('neuron record', () => {
  it('nine fields, 30 bytes a neuron (version 1: the first seven, 22 bytes), in record order', () => {
    expect(NEURON_FIELDS.map((f) => `${f.name}:${f.type}`)).toEqual(['theta:i32', 'bias:i32', 'vreset:i32', 'g0:i32', 'g1:i32', 'leak:u8', 'flags:u8', 'decay:i32', 'sdecay:i32']);
    expect(NEURON_RECORD_BYTES).toBe(30);
    expect(neuronRecordBytes(1)).toBe(22);
    expect(neuronFieldsOf(1).map((f) => f.name)).toEqual(['theta', 'bias', 'vreset', 'g0', 'g1', 'leak', 'flags']);
    expect(NEURON_COLUMNS).toEqual(NEURON_FIELDS.map((f) => f.name));
  });

  it('docs/container.md holds the generated neurons section table verbatim', () => {
    expect(readFileSync('docs/container.md', 'utf8')).toContain(neuronSectionDoc());
  });

  it('every field survives .bwc bytes and assembly text', () => {
    const n = 3;
    const np = { count: n, ...neuronArrays((f) => (f.type === 'u8' ? [0, 1, 2] : f.bound === 'decay' ? [4096, 0, 100 + NEURON_FIELDS.indexOf(f)] : [-7 * (1 + NEURON_FIELDS.indexOf(f)), 0, 100 + NEURON_FIELDS.indexOf(f)])) };
    const c = container({
      timesteps: 1,
      inputShape: [1],
      cores: [{ core: 0, program: [I('FIRE', { rn: 0, n, b: 1 }), I('HALT')], neurons: np }],
      inputMap: [],
      probes: [{ layer: 'o', kind: 'membrane', shape: [n], entries: [{ core: 0, neuronBase: 0, count: n, index: Int32Array.from([0, 1, 2]) }] }],
      readout: 0,
    });
    const bytes = writeContainer(c);
    const back = readContainer(bytes, 'x.bwc');
    for (const f of NEURON_FIELDS) expect(Array.from(back.cores[0]!.neurons[f.name]), f.name).toEqual(Array.from(np[f.name]));
    expect(writeContainer(assemble(disassemble(c), 'x.s'))).toEqual(bytes);
  });

  it('a container without the version 2 fields is written, read and disassembled as version 1, byte for byte', () => {
    const n = 2;
    const make = (over: Partial<Record<'decay' | 'sdecay' | 'flags', number[]>>) =>
      container({
        timesteps: 1,
        inputShape: [1],
        cores: [{ core: 0, program: [I('FIRE', { rn: 0, n, b: 1 }), I('HALT')], neurons: { count: n, ...neuronArrays((f) => (f.name in over ? over[f.name as 'decay']! : n)) } }],
        inputMap: [],
        probes: [{ layer: 'o', kind: 'membrane', shape: [n], entries: [{ core: 0, neuronBase: 0, count: n, index: Int32Array.from([0, 1]) }] }],
        readout: 0,
      });
    const v1 = { ...make({}), version: 1 };
    const b1 = writeContainer(v1);
    expect(b1[4]).toBe(1);
    // the neurons section: 4 + 22N bytes, as before version 2
    const back = readContainer(b1, 'v1.bwc');
    expect(back.version).toBe(1);
    expect(Array.from(back.cores[0]!.neurons.decay)).toEqual([0, 0]);
    expect(Array.from(back.cores[0]!.neurons.sdecay)).toEqual([0, 0]);
    expect(writeContainer(back)).toEqual(b1);
    const text = disassemble(back);
    expect(text).toContain('; theta bias vreset g0 g1 leak flags\n');
    expect(writeContainer(assemble(text, 'v1.s'))).toEqual(b1);
    // any decay or the current-based flag needs version 2: 8 more bytes a neuron
    for (const over of [{ decay: [0, 3] }, { sdecay: [1, 0] }, { flags: [NEURON_CURRENT, 0] }]) {
      const b2 = writeContainer({ ...make(over), version: 1 });
      expect(b2[4], JSON.stringify(over)).toBe(2);
      expect(b2.length - b1.length).toBe(8 * n);
      const r2 = readContainer(b2, 'v2.bwc');
      expect(r2.version).toBe(2);
      expect(writeContainer(assemble(disassemble(r2), 'v2.s'))).toEqual(b2);
    }
  });
});
