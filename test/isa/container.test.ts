import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { assemble } from '../../isa/asm/index.js';
import { CHIP_FIELDS } from '../../isa/chip.js';
import {
  DIR_ENTRY_BYTES,
  HEADER_BYTES,
  readContainer,
  readDirectory,
  serializeContainer,
  validateContainer,
  writeContainer,
} from '../../isa/container.js';
import type { BwcContainer } from '../../isa/container-types.js';
import { crc32 } from '../../isa/crc32.js';
import { ContainerError } from '../../base/errors.js';
import { arbContainer, randomContainer, rngFrom } from './arbitrary.js';
import { tinyContainer } from './fixtures.js';

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Recompute the CRC of every directory entry that lies inside the file. */
function fixCrcs(b: Uint8Array): Uint8Array {
  if (b.length < HEADER_BYTES) return b;
  const d = dv(b);
  const n = d.getUint16(6, true);
  for (let i = 0; i < n; i++) {
    const at = HEADER_BYTES + DIR_ENTRY_BYTES * i;
    if (at + DIR_ENTRY_BYTES > b.length) break;
    const off = d.getUint32(at + 4, true);
    const len = d.getUint32(at + 8, true);
    if (off + len <= b.length) d.setUint32(at + 12, crc32(b, off, off + len), true);
  }
  return b;
}

function section(b: Uint8Array, kind: string, core?: number): { offset: number; length: number; entry: number } {
  const dir = readDirectory(b);
  const i = dir.findIndex((s) => s.kind === kind && s.core === core);
  const s = dir[i];
  if (!s) throw new Error(`no section ${kind}`);
  return { offset: s.offset, length: s.length, entry: HEADER_BYTES + DIR_ENTRY_BYTES * i };
}

function refusal(b: Uint8Array): ContainerError {
  try {
    readContainer(b, 'm.bwc');
  } catch (e) {
    if (e instanceof ContainerError) return e;
    throw e;
  }
  throw new Error('container was accepted');
}

function invalid(mutate: (c: BwcContainer) => void): ContainerError {
  const c = tinyContainer();
  mutate(c);
  try {
    validateContainer(c, 'v.bwc');
  } catch (e) {
    if (e instanceof ContainerError) return e;
    throw e;
  }
  throw new Error('container was accepted');
}

const EXAMPLES = readdirSync('isa/examples').filter((f) => f.endsWith('.s'));

describe('container round trip', () => {
  test('CRC-32 check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  test('tiny container: header, directory and round trip', () => {
    const c = tinyContainer();
    const b = writeContainer(c);
    expect(Array.from(b.subarray(0, 4))).toEqual([0x42, 0x57, 0x43, 0x31]);
    expect(dv(b).getUint16(4, true)).toBe(1);
    expect(dv(b).getUint16(6, true)).toBe(2 + 4 * 2 + 2);
    expect(dv(b).getUint32(8, true)).toBe(b.length);
    const dir = readDirectory(b);
    expect(dir.map((s) => `${s.kind}${s.core ?? ''}`)).toEqual([
      'chip', 'meta', 'program0', 'synapses0', 'neurons0', 'routes0', 'program1', 'synapses1', 'neurons1', 'routes1', 'input', 'output',
    ]);
    expect(dir[0]?.offset).toBe(HEADER_BYTES + DIR_ENTRY_BYTES * 12);
    // chip: name length byte, name, one float64 per field
    expect(dir[0]?.length).toBe(1 + 'bw-core-4x4'.length + 8 * Object.keys(CHIP_FIELDS).length);
    // program of core 0: count + 5 words
    expect(dir[2]?.length).toBe(4 + 5 * 8);
    for (let i = 1; i < dir.length; i++) expect(dir[i]?.offset).toBe((dir[i - 1]?.offset ?? 0) + (dir[i - 1]?.length ?? 0));
    expect(readContainer(b, 't.bwc')).toEqual(c);
  });

  test('reads a view at a non-zero byte offset of a larger buffer (e.g. a pooled Node Buffer)', () => {
    const b = writeContainer(tinyContainer());
    const big = new Uint8Array(b.length + 13);
    big.set(b, 5);
    expect(readContainer(big.subarray(5, 5 + b.length), 'view.bwc')).toEqual(tinyContainer());
    expect(readContainer(Buffer.from(b), 'buf.bwc')).toEqual(tinyContainer());
  });

  test('read(write(c)) == c and write is deterministic, for random valid containers', () => {
    fc.assert(
      fc.property(arbContainer(), (c) => {
        const b = writeContainer(c);
        const back = readContainer(b, 'r.bwc');
        expect(back).toEqual(c);
        expect(writeContainer(back)).toEqual(b);
        expect(writeContainer(c)).toEqual(b);
      }),
      { numRuns: 300 },
    );
  });

  test.each(EXAMPLES)('example %s round-trips through bytes', (f) => {
    const c = assemble(readFileSync(`isa/examples/${f}`, 'utf8'), f);
    expect(readContainer(writeContainer(c), f)).toEqual(c);
  });
});

describe('malformed files are refused with section and byte offset', () => {
  const good = (): Uint8Array => writeContainer(tinyContainer());

  test('truncated files', () => {
    expect(refusal(good().subarray(0, 10)).message).toBe('m.bwc: section header at byte 10: truncated file: 10 bytes, the header alone needs 16');
    const b = good();
    expect(refusal(b.subarray(0, b.length - 1)).message).toBe(`m.bwc: section header at byte 8: truncated file: header declares ${b.length} bytes, file has ${b.length - 1}`);
    expect(refusal(new Uint8Array(0)).message).toMatch(/truncated file: 0 bytes/);
    // directory longer than the file
    const d = good();
    dv(d).setUint16(6, 4000, true);
    expect(refusal(d).message).toMatch(/section directory at byte 16: truncated file: 4000 directory entries/);
  });

  test('trailing bytes', () => {
    const b = good();
    const longer = new Uint8Array(b.length + 3);
    longer.set(b);
    expect(refusal(longer).message).toMatch(/3 trailing bytes after the declared end/);
  });

  test('wrong magic', () => {
    const b = good();
    b[0] = 0x58;
    expect(refusal(b).message).toBe('m.bwc: section header at byte 0: wrong magic "XWC1" (expected "BWC1"): not a .bwc file');
  });

  test('unsupported version', () => {
    const b = good();
    dv(b).setUint16(4, 4, true);
    expect(refusal(b).message).toBe('m.bwc: section header at byte 4: unsupported format version 4 (this reader supports 1..3)');
  });

  test('reserved header word', () => {
    const b = good();
    dv(b).setUint32(12, 1, true);
    expect(refusal(b).message).toMatch(/header at byte 12: reserved header word/);
  });

  test('CRC mismatch', () => {
    const b = good();
    const s = section(b, 'neurons', 1);
    b[s.offset + 5] = (b[s.offset + 5] as number) ^ 0x10;
    expect(refusal(b).message).toMatch(new RegExp(`section neurons\\[core 1\\] at byte ${s.offset}: CRC mismatch`));
  });

  test('overlapping sections', () => {
    const b = good();
    const chip = section(b, 'chip');
    const meta = section(b, 'meta');
    dv(b).setUint32(meta.entry + 4, chip.offset + 4, true);
    fixCrcs(b);
    expect(refusal(b).message).toMatch(/overlaps section chip at/);
  });

  test('out-of-bounds sections', () => {
    const b = good();
    const s = section(b, 'output');
    dv(b).setUint32(s.entry + 8, s.length + 1, true);
    expect(refusal(b).message).toMatch(new RegExp(`section output at byte ${s.entry + 4}: section at ${s.offset}\\.\\.${s.offset + s.length + 1} is out of bounds`));
    const c = good();
    dv(c).setUint32(section(c, 'chip').entry + 4, 3, true);
    expect(refusal(c).message).toMatch(/chip at byte \d+: section at 3\.\./);
  });

  test('unknown section kind', () => {
    const b = good();
    dv(b).setUint16(HEADER_BYTES + DIR_ENTRY_BYTES * 3, 99, true);
    expect(refusal(b).message).toBe(`m.bwc: section directory at byte ${HEADER_BYTES + DIR_ENTRY_BYTES * 3}: entry 3: unknown section kind 99`);
  });

  test('duplicate core', () => {
    const b = good();
    for (const k of ['program', 'synapses', 'neurons', 'routes']) dv(b).setUint16(section(b, k, 1).entry + 2, 0, true);
    expect(refusal(b).message).toMatch(/section program\[core 0\] at byte \d+: duplicate core 0/);
  });

  test('missing sections', () => {
    const b = good();
    dv(b).setUint16(section(b, 'synapses', 1).entry, 8, true); // becomes a second output section
    expect(refusal(b).message).toMatch(/(duplicate output section|global output section names core 1)/);
  });

  test('unknown opcode and non-zero reserved bits in a program', () => {
    const b = good();
    const s = section(b, 'program', 0);
    b[s.offset + 4 + 8 * 2] = 0xee; // instruction 2's opcode
    fixCrcs(b);
    expect(refusal(b).message).toBe(`m.bwc: section program[core 0] at byte ${s.offset + 4 + 16}: unknown opcode 0xee`);
    const r = good();
    const t = section(r, 'program', 1);
    r[t.offset + 4 + 8 * 4 + 7] = 0x80; // HALT with bit 63 set
    fixCrcs(r);
    expect(refusal(r).message).toMatch(new RegExp(`program\\[core 1\\] at byte ${t.offset + 4 + 32}: HALT: reserved bits 8\\.\\.63 are not zero`));
  });

  test('section contents that do not match their length', () => {
    const b = good();
    const s = section(b, 'program', 0);
    dv(b).setUint32(s.offset, 6, true); // claims 6 instructions, holds 5
    fixCrcs(b);
    expect(refusal(b).message).toMatch(/program\[core 0\] at byte \d+: truncated: instructions needs 48 bytes, 40 left/);
    const r = good();
    const t = section(r, 'routes', 0);
    dv(r).setUint32(t.offset + 4, 0xffffffff, true); // absurd destination count
    fixCrcs(r);
    expect(refusal(r).message).toMatch(/routes\[core 0\] at byte \d+: truncated: list 0 destinations needs/);
  });

  test('a field out of range for the embedded chip config, found through the bytes', () => {
    // Lower instrMemWords in the chip section to 4: core 0's 5-instruction program no longer fits.
    const b = good();
    const chip = section(b, 'chip');
    const k = Object.keys(CHIP_FIELDS).indexOf('instrMemWords');
    dv(b).setFloat64(chip.offset + 1 + 'bw-core-4x4'.length + 8 * k, 4, true);
    fixCrcs(b);
    const p = section(b, 'program', 0);
    expect(refusal(b).message).toBe(`m.bwc: section program[core 0] at byte ${p.offset}: program of 5 instructions exceeds instrMemWords = 4`);
    // theta of neuron 1 of core 1 out of the 16-bit range
    const r = good();
    const n = section(r, 'neurons', 1);
    dv(r).setInt32(n.offset + 4 + 4, 40000, true);
    fixCrcs(r);
    expect(refusal(r).message).toBe(`m.bwc: section neurons[core 1] at byte ${n.offset + 8}: neuron 1: theta = 40000 is outside [-32768, 32767]`);
    // NaN clock
    const q = good();
    dv(q).setFloat64(chip.offset + 1 + 'bw-core-4x4'.length + 8 * Object.keys(CHIP_FIELDS).indexOf('clockHz'), NaN, true);
    fixCrcs(q);
    expect(refusal(q).message).toMatch(/section chip at byte \d+: field "clockHz" must be a finite number/);
  });

  test('serializeContainer + reader refuse semantic errors at the item offset', () => {
    const c = tinyContainer();
    (c.cores[1] as BwcContainer['cores'][0]).routes = [[{ core: 9, base: 0, flags: 0, bitOffset: 0 }]];
    const b = serializeContainer(c);
    const s = section(b, 'routes', 1);
    expect(refusal(b).message).toBe(`m.bwc: section routes[core 1] at byte ${s.offset + 8}: list 0 destination 0: core 9 is outside the mesh (0..1)`);
  });
});

describe('semantic checks of validateContainer', () => {
  type Case = [string, (c: BwcContainer) => void, RegExp];
  const core = (c: BwcContainer, i: number) => c.cores[i] as BwcContainer['cores'][0];
  const cases: Case[] = [
    ['core index outside the mesh', (c) => { core(c, 1).core = 2; }, /program\[core 2\] .*core index 2 is outside the 2x1 mesh/],
    ['duplicate core', (c) => { core(c, 1).core = 0; }, /duplicate core 0/],
    ['program longer than instrMemWords', (c) => { c.chip.instrMemWords = 4; }, /program of 5 instructions exceeds instrMemWords = 4/],
    ['synapse words > synapseSramBytes/8', (c) => { c.chip.synapseSramBytes = 16; }, /synapses\[core 0\].*3 words exceeds synapseSramBytes\/8 = 2/],
    ['odd synapse halves', (c) => { core(c, 0).synapses = Uint32Array.of(1, 2, 3); }, /odd number/],
    ['neuron count > neuronsPerCore', (c) => { c.chip.neuronsPerCore = 2; core(c, 0).program = [{ op: 'HALT', args: {} }]; }, /neurons\[core 0\].*neuron count 3 exceeds neuronsPerCore = 2/],
    ['neuron array length', (c) => { core(c, 0).neurons.bias = new Int32Array(2); }, /bias has 2 entries, expected count = 3/],
    ['theta outside thresholdBits', (c) => { core(c, 0).neurons.theta[2] = -32769; }, /neuron 2: theta = -32769 is outside \[-32768, 32767\]/],
    ['vreset outside thresholdBits', (c) => { c.chip.thresholdBits = 8; core(c, 0).neurons.vreset[0] = 128; }, /vreset = 128 is outside \[-128, 127\]/],
    ['g0 outside thresholdBits', (c) => { core(c, 1).neurons.g0[1] = 40000; }, /neurons\[core 1\].*neuron 1: g0 = 40000/],
    ['g1 outside thresholdBits', (c) => { core(c, 1).neurons.g1[0] = -40000; }, /g1 = -40000/],
    ['bias outside biasBits', (c) => { c.chip.biasBits = 4; core(c, 0).neurons.bias[1] = 8; }, /bias = 8 is outside \[-8, 7\]/],
    ['leak > membraneBits', (c) => { core(c, 0).neurons.leak[0] = 17; }, /leak = 17 is outside \[0, 16\]/],
    ['reserved neuron flags', (c) => { core(c, 0).neurons.flags[0] = 8; }, /flags 0x8 set reserved bits/],
    ['route count > routeEntries', (c) => { c.chip.routeEntries = 1; core(c, 1).routes = [[{ core: 0, base: 0, flags: 0, bitOffset: 0 }]]; core(c, 0).routes[0]?.push({ core: 0, base: 1, flags: 0, bitOffset: 0 }); }, /2 routing destinations exceed routeEntries = 1/],
    ['route dest core out of mesh', (c) => { core(c, 0).routes = [[{ core: 2, base: 0, flags: 0, bitOffset: 0 }]]; }, /list 0 destination 0: core 2 is outside the mesh/],
    ['route flags reserved', (c) => { core(c, 0).routes = [[{ core: 1, base: 0, flags: 4, bitOffset: 0 }]]; }, /flags 4 set reserved bits/],
    ['SEND base beyond axonLines', (c) => { core(c, 0).routes = [[{ core: 1, base: 8192, flags: 0, bitOffset: 0 }]]; }, /SEND base axon word 8192 is outside axonLines = 8192/],
    ['instruction route index out of the routing lists', (c) => { core(c, 0).routes = []; }, /instruction 3: SEND route 0 is outside the core's 0 routing lists/],
    ['branch target out of program', (c) => { core(c, 1).program.splice(4, 0, { op: 'JMP', args: { target: 6 } }); }, /instruction 4: JMP target 6 is outside the program \(0\.\.5\)/],
    ['input block on a core without a program', (c) => { (c.inputMap[0] as BwcContainer['inputMap'][0]).core = 5; }, /input .*block 0: core 5 has no program/],
    ['input element outside the input', (c) => { (c.inputMap[0] as BwcContainer['inputMap'][0]).elements[1] = 4; }, /entry 1: element 4 is outside the input \(0\.\.3\)/],
    ['input axon word out of range', (c) => { (c.inputMap[0] as BwcContainer['inputMap'][0]).bits[3] = 64 * 8192; }, /entry 3: axon word 8192 is outside axonLines = 8192/],
    ['input elements and bits of different length', (c) => { (c.inputMap[0] as BwcContainer['inputMap'][0]).bits = Int32Array.of(0); }, /4 elements but 1 bit positions/],
    ['probe on neurons that do not exist', (c) => { (c.outputMap.probes[0]?.entries[0] as { neuronBase: number }).neuronBase = 1; }, /probe 0 \(hidden\): entry 0: neurons 1\.\.3 do not exist on core 0 \(3 neurons\)/],
    ['probe on a core without a program', (c) => { (c.outputMap.probes[0]?.entries[0] as { core: number }).core = 3; }, /entry 0: core 3 has no program/],
    ['probe index length != count', (c) => { (c.outputMap.probes[0]?.entries[0] as { index: Int32Array }).index = Int32Array.of(0, 1); }, /index array has 2 entries, expected count = 3/],
    ['probe index outside the layer', (c) => { (c.outputMap.probes[0]?.entries[0] as { index: Int32Array }).index[2] = 3; }, /index\[2\] = 3 is outside the layer \(0\.\.2\)/],
    ['readout index invalid', (c) => { c.outputMap.readout = 2; }, /readout index 2 is not a probe \(0\.\.1\)/],
    ['readout of kind spikes', (c) => { c.outputMap.readout = 0; }, /readout probe 0 \(hidden\) must be of kind membrane/],
    ['readout size != classes', (c) => { c.meta.classes = 3; }, /has 2 outputs, expected classes = 3/],
    ['multibit bits 0', (c) => { c.meta.encoding = { kind: 'multibit', bits: 0 }; }, /multibit encoding bits = 0 is outside 1\.\.8/],
    ['multibit bits 9', (c) => { c.meta.encoding = { kind: 'multibit', bits: 9 }; }, /multibit encoding bits = 9/],
    ['non-finite threshold', (c) => { c.meta.encoding = { kind: 'binary', threshold: Infinity }; }, /threshold must be finite/],
    ['timesteps 0', (c) => { c.meta.timesteps = 0; }, /timesteps = 0 is outside 1\.\.255/],
    ['timesteps 256', (c) => { c.meta.timesteps = 256; }, /timesteps = 256/],
    ['empty input shape', (c) => { c.meta.inputShape = []; }, /input shape must have 1\.\.8 dimensions/],
    ['chip field out of range', (c) => { c.chip.meshX = 0; }, /section chip .*field "meshX" = 0 is out of range/],
    ['thresholdBits > membraneBits', (c) => { c.chip.thresholdBits = 20; }, /thresholdBits \(20\) exceeds membraneBits \(16\)/],
    ['unknown instruction', (c) => { core(c, 0).program[0] = { op: 'BOGUS', args: {} }; }, /instruction 0: unknown instruction "BOGUS"/],
    ['vector longer than the neuron memory', (c) => { c.chip.neuronsPerCore = 3; core(c, 1).program[3] = { op: 'INTEG', args: { rn: 0, n: 4, b: 1 } }; }, /instruction 3: INTEG n = 4 exceeds neuronsPerCore = 3/],
    ['dense axon range longer than the axon buffer', (c) => { c.chip.axonLines = 3; core(c, 0).program[1] = { op: 'ACC', args: { acc: 0, rn: 0, rw: 0, ra: 0, n: 3, len: 2, wmode: 0, wq: 1, ap: 2 } }; }, /instruction 1: ACC reads ap\*len = 4 axon words, more than axonLines = 3/],
    ['window output larger than the neuron memory', (c) => { core(c, 0).program[1] = { op: 'ACCW', args: { acc: 0, rn: 0, rw: 0, ra: 0, ry: 0, oh: 40, cout: 30, wmode: 0, wq: 1, ap: 1 } }; }, /ACCW writes at least oh\*cout = 1200 neurons, more than neuronsPerCore = 1024/],
    ['window input larger than the axon buffer', (c) => { core(c, 0).program[1] = { op: 'CFGW', args: { inh: 100, inw: 100, cw: 1, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0 } }; }, /CFGW input region inh\*inw\*cw = 10000 words exceeds axonLines = 8192/],
    ['binary weights of more than one plane', (c) => { core(c, 0).program[1] = { op: 'ACC', args: { acc: 0, rn: 0, rw: 0, ra: 0, n: 3, len: 1, wmode: 0, wq: 2, ap: 1 } }; }, /instruction 1: ACC wq = 2 with wmode binary \(binary weights are one plane: wq must be 1\)/],
    ['range lo > hi', (c) => { c.meta.inputRange = [1, 0]; }, /section meta .*input range must be two finite numbers lo <= hi, got \[1,0\]/],
    ['empty data set name', (c) => { c.meta.dataset = ''; }, /section meta .*data set name must be 1\.\.255 bytes/],
    ['memory banks that do not divide', (c) => { c.chip.banks = { axon: 3 }; }, /section chip .*banks\.axon = 3 does not divide axonLines/],
    ['operand out of range', (c) => { core(c, 0).program[2] = { op: 'FIRE', args: { rn: 0, n: 0, b: 0 } }; }, /instruction 2: FIRE operand n = 0 is out of range \[1, 65535\]/],
  ];
  test.each(cases)('%s', (_name, mutate, re) => {
    const e = invalid(mutate);
    expect(e.message).toMatch(/^v\.bwc: section [a-z]+(\[core \d+\])? at byte \d+: /);
    expect(e.message).toMatch(re);
  });

  test('in-memory offsets point where the item will be written', () => {
    const e = invalid((c) => {
      (c.cores[1] as BwcContainer['cores'][0]).neurons.theta[1] = 99999;
    });
    const b = writeContainer(tinyContainer());
    expect(e.offset).toBe(section(b, 'neurons', 1).offset + 4 + 4);
  });
});

describe('mutation: random byte flips and truncations', () => {
  test('every mutant decodes to a valid container or raises ContainerError', () => {
    const seeds = [tinyContainer(), ...Array.from({ length: 6 }, (_, i) => randomContainer(1000 + i))];
    const originals = seeds.map((c) => writeContainer(c));
    const r = rngFrom(42);
    const int = (n: number): number => Math.floor(r() * n);
    let refused = 0;
    let accepted = 0;
    const N = 3000;
    for (let m = 0; m < N; m++) {
      const orig = originals[m % originals.length] as Uint8Array;
      let b: Uint8Array;
      const mode = int(4);
      if (mode === 0) {
        b = orig.slice(0, int(orig.length));
      } else {
        b = orig.slice();
        const flips = 1 + int(3);
        for (let k = 0; k < flips; k++) {
          // bias towards header and directory, where no CRC protects the bytes
          const at = r() < 0.4 ? int(Math.min(b.length, HEADER_BYTES + 4 * DIR_ENTRY_BYTES)) : int(b.length);
          b[at] = mode === 1 ? (b[at] as number) ^ (1 << int(8)) : int(256);
        }
        if (mode === 3) fixCrcs(b); // get past the CRC to exercise the section decoders
      }
      try {
        const c = readContainer(b, 'mut.bwc');
        validateContainer(c, 'mut.bwc');
        // what decoded re-encodes to a container that decodes to the same thing
        expect(readContainer(writeContainer(c), 'again.bwc')).toEqual(c);
        accepted++;
      } catch (e) {
        if (!(e instanceof ContainerError)) throw new Error(`mutant ${m} (mode ${mode}) raised ${(e as Error).name}: ${(e as Error).message}`);
        expect(e.message).toMatch(/^mut\.bwc: section [a-z]+(\[core \d+\])? at byte \d+: /);
        refused++;
      }
    }
    expect(refused + accepted).toBe(N);
    expect(refused).toBeGreaterThan(N / 2);
  });
});
