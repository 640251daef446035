import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeInstr, encodeInstr, fieldLayout, usedBits } from '../../isa/encode.js';
import { BwsnnError, ContainerError } from '../../base/errors.js';
import { INSTRUCTIONS } from '../../isa/table.js';
import { arbInstr } from './arbitrary.js';

// Expected words computed by hand from the layout rule (opcode bits 0..7, fields upward).
const GOLDEN: [string, Record<string, number>, number, number][] = [
  ['NOP', {}, 0x00, 0],
  ['HALT', {}, 0x01, 0],
  ['SYNC', {}, 0x02, 0],
  // LI: rd bits 8..11, imm bits 12..43 (two's complement -1 = 0xffffffff)
  ['LI', { rd: 3, imm: -1 }, 0xfffff310, 0x00000fff],
  // ADDI: rd 8..11, rs 12..15, imm 16..39 (-2 = 0xfffffe)
  ['ADDI', { rd: 1, rs: 2, imm: -2 }, 0xfffe2111, 0x000000ff],
  // BNZD: rs 8..11, target 12..27
  ['BNZD', { rs: 1, target: 5 }, 0x00005113, 0],
  // ACC: acc 8, rn 9..12, rw 13..16, ra 17..20, n 21..36, len 37..52, wmode 53..54, wq 55..58, ap 59..62
  ['ACC', { acc: 1, rn: 2, rw: 3, ra: 4, n: 5, len: 6, wmode: 2, wq: 1, ap: 8 }, 0x00a86520, 0x40c000c0],
  // FIRE: rn 8..11, n 12..27, b 28
  ['FIRE', { rn: 1, n: 1024, b: 1 }, 0x10400130, 0],
  // SEND: rn 8..11, n 12..27, route 28..39, g 40..51, cw 52..59
  ['SEND', { rn: 5, n: 300, route: 7, g: 64, cw: 2 }, 0x7012c540, 0x00204000],
];

describe('instruction encoding', () => {
  test.each(GOLDEN)('%s %j encodes to the hand-computed word', (op, args, lo, hi) => {
    expect(encodeInstr({ op, args })).toEqual([lo, hi]);
    expect(decodeInstr(lo, hi, 'test')).toEqual({ op, args });
  });

  test('every instruction fits in 64 bits and has a unique opcode < 256', () => {
    const ops = new Set<number>();
    for (const d of INSTRUCTIONS) {
      expect(usedBits(d)).toBeLessThanOrEqual(64);
      expect(d.opcode).toBeLessThan(256);
      expect(ops.has(d.opcode)).toBe(false);
      ops.add(d.opcode);
      const lay = fieldLayout(d);
      if (lay.length) expect(lay[0]?.lo).toBe(8);
    }
  });

  test('decode(encode(x)) == x for random valid instructions', () => {
    fc.assert(
      fc.property(arbInstr(), (i) => {
        const [lo, hi] = encodeInstr(i);
        expect(lo >>> 0).toBe(lo);
        expect(hi >>> 0).toBe(hi);
        expect(decodeInstr(lo, hi, 'p')).toEqual(i);
      }),
      { numRuns: 2000 },
    );
  });

  test('encoder refuses bad instructions', () => {
    expect(() => encodeInstr({ op: 'FOO', args: {} })).toThrow(/unknown instruction "FOO"/);
    expect(() => encodeInstr({ op: 'LI', args: { rd: 1 } })).toThrow(/LI operand imm is missing/);
    expect(() => encodeInstr({ op: 'LI', args: { rd: 1, imm: 0, x: 1 } })).toThrow(/LI has no operand x/);
    expect(() => encodeInstr({ op: 'LI', args: { rd: 16, imm: 0 } })).toThrow(/LI operand rd = 16 is out of range \[0, 15\]/);
    expect(() => encodeInstr({ op: 'LI', args: { rd: 1, imm: 2 ** 31 } })).toThrow(/imm = 2147483648 is out of range \[-2147483648, 2147483647\]/);
    expect(() => encodeInstr({ op: 'ACC', args: { acc: 0, rn: 0, rw: 0, ra: 0, n: 0, len: 1, wmode: 0, wq: 1, ap: 1 } })).toThrow(/ACC operand n = 0/);
    expect(() => encodeInstr({ op: 'ACC', args: { acc: 0, rn: 0, rw: 0, ra: 0, n: 1, len: 1, wmode: 3, wq: 1, ap: 1 } })).toThrow(/wmode = 3 is out of range \[0, 2\]/);
    expect(() => encodeInstr({ op: 'FIRE', args: { rn: 0, n: 1.5, b: 0 } })).toThrow(/must be an integer/);
  });

  test('decoder refuses unknown opcodes, reserved bits and out-of-range fields', () => {
    expect(() => decodeInstr(0x05, 0, 'w')).toThrow('w: unknown opcode 0x05');
    expect(() => decodeInstr(0xff, 0, 'w')).toThrow(/unknown opcode 0xff/);
    expect(() => decodeInstr(0x201, 0, 'w')).toThrow(/HALT: reserved bits 8..63 are not zero/);
    expect(() => decodeInstr(0x01, 0x80000000, 'w')).toThrow(/reserved bits/);
    // FIRE uses bits 0..28: bit 29 set
    expect(() => decodeInstr(0x10400130 | (1 << 29), 0, 'w')).toThrow(/FIRE: reserved bits 29..63/);
    // ACC with n = 0 (minimum 1)
    expect(() => decodeInstr(0x00a86520 & ~(5 << 21), 0x40c000c0, 'w')).toThrow(/ACC operand n = 0 is out of range/);
    // ACC with wq = 0 (bits 55..58 cleared)
    expect(() => decodeInstr(0x00a86520, 0x40c000c0 & ~(0xf << 23), 'w')).toThrow(/wq = 0/);
    const e = (() => {
      try {
        decodeInstr(0x05, 0, { file: 'f.bwc', section: 'program[core 2]', offset: 100 });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ContainerError);
    expect((e as BwsnnError).message).toBe('f.bwc: section program[core 2] at byte 100: unknown opcode 0x05');
  });
});
