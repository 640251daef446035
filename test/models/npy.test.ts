import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type NpyArray, readNpy, writeNpy } from '../../models/data/npy.js';

/** An .npy file assembled by hand from the spec: magic, version, header length, header, data. */
function npy(header: string, data: number[], major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  const h = Array.from(header, (c) => c.charCodeAt(0));
  const out = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0];
  if (major === 1) out.push(h.length & 0xff, h.length >> 8);
  else out.push(h.length & 0xff, (h.length >> 8) & 0xff, 0, 0);
  expect(out.length).toBe(pre);
  return new Uint8Array([...out, ...h, ...data]);
}

describe('readNpy (golden bytes)', () => {
  it('reads <f4 (2,) = [1, -2]', () => {
    const a = readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]), 'a.npy');
    expect(a.dtype).toBe('f4');
    expect(a.shape).toEqual([2]);
    expect(Array.from(a.data)).toEqual([1, -2]);
  });
  it('reads |u1 (2, 3) in C order', () => {
    const a = readNpy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }\n", [1, 2, 3, 4, 5, 255]), 'a.npy');
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 255]);
  });
  it('reads <i2, <u2, <i4, <u4, |i1, |b1, <f8, <i8', () => {
    const h = (d: string, s: string): string => `{'descr': '${d}', 'fortran_order': False, 'shape': ${s}, }\n`;
    expect(Array.from(readNpy(npy(h('<i2', '(2,)'), [0xff, 0xff, 0x02, 0x01]), 'x').data)).toEqual([-1, 258]);
    expect(Array.from(readNpy(npy(h('<u2', '(1,)'), [0xff, 0xff]), 'x').data)).toEqual([65535]);
    expect(Array.from(readNpy(npy(h('<i4', '(1,)'), [0xfe, 0xff, 0xff, 0xff]), 'x').data)).toEqual([-2]);
    expect(Array.from(readNpy(npy(h('<u4', '(1,)'), [0, 0, 0, 0x80]), 'x').data)).toEqual([2147483648]);
    expect(Array.from(readNpy(npy(h('|i1', '(2,)'), [0x80, 0x7f]), 'x').data)).toEqual([-128, 127]);
    expect(Array.from(readNpy(npy(h('|b1', '(3,)'), [1, 0, 1]), 'x').data)).toEqual([1, 0, 1]);
    expect(Array.from(readNpy(npy(h('<f8', '(1,)'), [0, 0, 0, 0, 0, 0, 0xf8, 0x3f]), 'x').data)).toEqual([1.5]);
    expect(Array.from(readNpy(npy(h('<i8', '(2,)'), [5, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 'x').data)).toEqual([5, -1]);
  });
  it('reads a scalar shape () and an empty array (0, 4)', () => {
    const s = readNpy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (), }\n", [7]), 'x');
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([7]);
    expect(readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }\n", []), 'x').data.length).toBe(0);
  });
  it('reads versions 2.0 and 3.0 (u32 header length)', () => {
    const h = "{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }\n";
    expect(Array.from(readNpy(npy(h, [9], 2), 'x').data)).toEqual([9]);
    expect(Array.from(readNpy(npy(h, [9], 3), 'x').data)).toEqual([9]);
  });
  const bad: [string, () => Uint8Array, RegExp][] = [
    ['bad magic', () => new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), /b\.npy: not a \.npy file/],
    ['version 4', () => npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }\n", [1], 4), /b\.npy: unsupported npy format version 4\.0/],
    ['fortran order', () => npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }\n", [0, 0, 0, 0]), /b\.npy: npy header: fortran_order True is not accepted/],
    ['big-endian', () => npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n", [0, 0, 0, 0]), /b\.npy: big-endian npy dtype ">f4"/],
    ['object dtype', () => npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n", [0]), /b\.npy: unsupported npy dtype "\|O"/],
    ['complex', () => npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", [0, 0, 0, 0, 0, 0, 0, 0]), /unsupported npy dtype "<c8"/],
    ['too little data', () => npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n", [0, 0, 0, 0]), /b\.npy: npy data holds 4 bytes, but shape \(2, 2\) of f4 needs 16/],
    ['trailing data', () => npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }\n", [1, 2]), /holds 2 bytes, but shape \(1\) of u1 needs 1/],
    ['header past end', () => { const b = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }\n", [1]); b[8] = 0xff; b[9] = 0xff; return b; }, /header length 65535 runs past the end/],
    ['broken dict', () => npy("{'descr': '|u1', 'fortran_order' False}\n", [1]), /b\.npy: npy header at character \d+: expected ':'/],
    ['bad bool byte', () => npy("{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }\n", [2]), /bool element 0 has byte value 2/],
    ['inexact int64', () => npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }\n", [1, 0, 0, 0, 0, 0, 0x20, 0]), /int64 element 0 \(9007199254740993\) is not exactly representable/],
  ];
  for (const [what, make, re] of bad) {
    it(`refuses ${what}`, () => {
      expect(() => readNpy(make(), 'b.npy')).toThrow(re);
    });
  }
});

describe('writeNpy', () => {
  it('writes the header numpy writes, padded to 64 bytes', () => {
    const b = writeNpy({ dtype: 'f4', shape: [2, 3], data: new Float32Array(6) });
    const hlen = b[8]! | (b[9]! << 8);
    expect((10 + hlen) % 64).toBe(0);
    const text = new TextDecoder().decode(b.subarray(10, 10 + hlen));
    expect(text.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")).toBe(true);
    expect(text.endsWith(' \n')).toBe(true);
    expect(b.length).toBe(10 + hlen + 24);
  });
  it('round-trips every dtype (property)', () => {
    const dtypes = ['u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'i8', 'f4', 'f8', 'b1'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...dtypes), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 }), fc.integer(), (dtype, shape, seed) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const make: Record<string, (k: number) => NpyArray['data']> = {
          u1: (k) => new Uint8Array(k), i1: (k) => new Int8Array(k), u2: (k) => new Uint16Array(k), i2: (k) => new Int16Array(k),
          u4: (k) => new Uint32Array(k), i4: (k) => new Int32Array(k), i8: (k) => new Float64Array(k), f4: (k) => new Float32Array(k),
          f8: (k) => new Float64Array(k), b1: (k) => new Uint8Array(k),
        };
        const data = make[dtype]!(n);
        for (let i = 0; i < n; i++) data[i] = dtype === 'b1' ? (seed >> i) & 1 : ((seed * (i + 1)) % 1000) - (dtype.startsWith('u') ? 0 : 500) * (dtype === 'u1' ? 0 : 1);
        if (dtype.startsWith('u')) for (let i = 0; i < n; i++) data[i] = Math.abs(data[i]!) % 200;
        const back = readNpy(writeNpy({ dtype, shape, data }), 'rt.npy');
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(shape);
        expect(Array.from(back.data)).toEqual(Array.from(data));
      }),
      { numRuns: 200 },
    );
  });
});
