/** The neuron record table drives the container layout, the assembler rows and the docs. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NEURON_COLUMNS } from '../../isa/asm/build.js';
import { readContainer, writeContainer } from '../../isa/container.js';
import { NEURON_FIELDS, NEURON_RECORD_BYTES, neuronArrays, neuronSectionDoc } from '../../isa/neuron-record.js';
import { disassemble } from '../../isa/disasm.js';
import { assemble } from '../../isa/asm/index.js';
import { container, I } from '../simulator/build.js';

describe('neuron record', () => {
  it('seven fields, 22 bytes a neuron, in record order', () => {
    expect(NEURON_FIELDS.map((f) => `${f.name}:${f.type}`)).toEqual(['theta:i32', 'bias:i32', 'vreset:i32', 'g0:i32', 'g1:i32', 'leak:u8', 'flags:u8']);
    expect(NEURON_RECORD_BYTES).toBe(22);
    expect(NEURON_COLUMNS).toEqual(NEURON_FIELDS.map((f) => f.name));
  });

  it('docs/container.md holds the generated neurons section table verbatim', () => {
    expect(readFileSync('docs/container.md', 'utf8')).toContain(neuronSectionDoc());
  });

  it('every field survives .bwc bytes and assembly text', () => {
    const n = 3;
    const np = { count: n, ...neuronArrays((f) => (f.type === 'u8' ? [0, 1, 2] : [-7 * (1 + NEURON_FIELDS.indexOf(f)), 0, 100 + NEURON_FIELDS.indexOf(f)])) };
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
});
