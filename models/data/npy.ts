/**
 * A small reader and writer of NumPy .npy files (format versions 1.0, 2.0, 3.0), C order only,
 * little-endian (or single-byte) dtypes b1 u1 i1 u2 i2 u4 i4 i8 f4 f8. i8 is read into a Float64Array
 * and refused if a value is not exactly representable. Everything else (fortran_order, big-endian,
 * object or structured dtypes, a data size that does not match the shape) is refused with a
 * BwsnnError naming the file.
 */
import { BwsnnError } from '../../base/errors.js';
import { wrongKindMessage } from '../../isa/filetype.js';

export type NpyDtype = 'b1' | 'u1' | 'i1' | 'u2' | 'i2' | 'u4' | 'i4' | 'i8' | 'f4' | 'f8';

export type NpyData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const ITEM: Record<NpyDtype, number> = { b1: 1, u1: 1, i1: 1, u2: 2, i2: 2, u4: 4, i4: 4, i8: 8, f4: 4, f8: 8 };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type PyValue = string | number | boolean | number[];

/** Parse the header: a Python dict literal of strings, booleans and tuples of integers. */
function parseHeader(text: string, file: string): Record<string, PyValue> {
  let i = 0;
  const fail = (what: string): never => {
    throw new BwsnnError(`${file}: npy header at character ${i}: ${what}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    const q = text[i];
    if (q !== "'" && q !== '"') return fail('expected a quoted string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') return str();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    if (c === '(') {
      i++;
      const items: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') {
          i++;
          return items;
        }
        const m = /^\d+L?/.exec(text.slice(i));
        if (!m) return fail('expected a non-negative integer in the shape tuple');
        items.push(Number.parseInt(m[0], 10));
        i += m[0].length;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') fail("expected ',' or ')' in the shape tuple");
      }
    }
    const m = /^-?\d+/.exec(text.slice(i));
    if (m) {
      i += m[0].length;
      return Number.parseInt(m[0], 10);
    }
    return fail('unsupported value');
  };
  const out: Record<string, PyValue> = {};
  ws();
  if (text[i] !== '{') fail("expected '{'");
  i++;
  for (;;) {
    ws();
    if (text[i] === '}') {
      i++;
      break;
    }
    const k = str();
    ws();
    if (text[i] !== ':') fail("expected ':'");
    i++;
    out[k] = value();
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail("expected ',' or '}'");
  }
  ws();
  if (i !== text.length) fail('trailing characters after the dictionary');
  return out;
}

function parseDescr(descr: string, file: string): NpyDtype {
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) throw new BwsnnError(`${file}: unsupported npy dtype ${JSON.stringify(descr)} (object, structured or string arrays are not accepted)`);
  const [, order, kind, size] = m as unknown as [string, string, string, string];
  const dt = `${kind}${size}` as NpyDtype;
  if (!(dt in ITEM)) throw new BwsnnError(`${file}: unsupported npy dtype ${JSON.stringify(descr)} (accepted: b1 u1 i1 u2 i2 u4 i4 i8 f4 f8)`);
  if (order === '>' && ITEM[dt] > 1) throw new BwsnnError(`${file}: big-endian npy dtype ${JSON.stringify(descr)} is not accepted; save little-endian data`);
  return dt;
}

/** Parse .npy bytes. */
export function readNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) throw new BwsnnError(wrongKindMessage(file, bytes, 'a .npy array') ?? `${file}: not a .npy file (bad magic)`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) throw new BwsnnError(`${file}: unsupported npy format version ${major}.${minor}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    start = 10;
  } else {
    if (bytes.length < 12) throw new BwsnnError(`${file}: truncated npy header`);
    hlen = dv.getUint32(8, true);
    start = 12;
  }
  if (start + hlen > bytes.length) throw new BwsnnError(`${file}: npy header length ${hlen} runs past the end of the file`);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: major === 3 }).decode(bytes.subarray(start, start + hlen));
  } catch {
    throw new BwsnnError(`${file}: npy header is not valid UTF-8`);
  }
  const h = parseHeader(text, file);
  for (const k of Object.keys(h)) if (!['descr', 'fortran_order', 'shape'].includes(k)) throw new BwsnnError(`${file}: npy header: unknown key ${JSON.stringify(k)}`);
  if (typeof h.descr !== 'string') throw new BwsnnError(`${file}: npy header: 'descr' must be a dtype string`);
  if (h.fortran_order !== false) {
    throw new BwsnnError(`${file}: npy header: fortran_order ${h.fortran_order === true ? 'True is not accepted; save C-order data (np.ascontiguousarray)' : 'is missing'}`);
  }
  if (!Array.isArray(h.shape)) throw new BwsnnError(`${file}: npy header: 'shape' must be a tuple of integers`);
  const dtype = parseDescr(h.descr, file);
  const shape = h.shape;
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + hlen;
  const expected = count * ITEM[dtype];
  const have = bytes.length - dataStart;
  if (have !== expected) {
    throw new BwsnnError(`${file}: npy data holds ${have} bytes, but shape (${shape.join(', ')}) of ${dtype} needs ${expected}`);
  }
  // Aligned data is viewed in place (no copy of a large input file), other data copied.
  const off = bytes.byteOffset + dataStart;
  const inPlace = off % ITEM[dtype] === 0;
  const raw = inPlace ? bytes.buffer : bytes.slice(dataStart, dataStart + expected).buffer;
  const at = inPlace ? off : 0;
  let data: NpyData;
  switch (dtype) {
    case 'b1': {
      const u = new Uint8Array(raw, at, count);
      for (let k = 0; k < u.length; k++) if (u[k]! > 1) throw new BwsnnError(`${file}: bool element ${k} has byte value ${u[k]}`);
      data = u;
      break;
    }
    case 'u1': data = new Uint8Array(raw, at, count); break;
    case 'i1': data = new Int8Array(raw, at, count); break;
    case 'u2': data = new Uint16Array(raw, at, count); break;
    case 'i2': data = new Int16Array(raw, at, count); break;
    case 'u4': data = new Uint32Array(raw, at, count); break;
    case 'i4': data = new Int32Array(raw, at, count); break;
    case 'f4': data = new Float32Array(raw, at, count); break;
    case 'f8': data = new Float64Array(raw, at, count); break;
    case 'i8': {
      const b = new BigInt64Array(raw, at, count);
      const f = new Float64Array(count);
      for (let k = 0; k < count; k++) {
        const v = Number(b[k]!);
        if (BigInt(v) !== b[k]) throw new BwsnnError(`${file}: int64 element ${k} (${b[k]}) is not exactly representable`);
        f[k] = v;
      }
      data = f;
      break;
    }
  }
  return { dtype, shape: [...shape], data };
}

/** Serialize to .npy (version 1.0, or 2.0 if the header needs it); the header is padded to 64 bytes. */
export function writeNpy(arr: NpyArray): Uint8Array {
  const count = arr.shape.reduce((a, b) => a * b, 1);
  if (arr.data.length !== count) throw new BwsnnError(`writeNpy: shape (${arr.shape.join(', ')}) needs ${count} values, got ${arr.data.length}`);
  const order = ITEM[arr.dtype] === 1 ? '|' : '<';
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let dict = `{'descr': '${order}${arr.dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  let pre = 10;
  let total = pre + dict.length + 1;
  if (Math.ceil(total / 64) * 64 - pre > 65535) pre = 12;
  total = pre + dict.length + 1;
  const padded = Math.ceil(total / 64) * 64;
  dict = dict + ' '.repeat(padded - total) + '\n';
  const body = arr.dtype === 'i8' ? new BigInt64Array(Array.from(arr.data, (v) => BigInt(v))) : arr.data;
  const bodyBytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const out = new Uint8Array(pre + dict.length + bodyBytes.length);
  out.set(MAGIC, 0);
  out[6] = pre === 10 ? 1 : 2;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (pre === 10) dv.setUint16(8, dict.length, true);
  else dv.setUint32(8, dict.length, true);
  for (let k = 0; k < dict.length; k++) out[pre + k] = dict.charCodeAt(k);
  out.set(bodyBytes, pre + dict.length);
  return out;
}
