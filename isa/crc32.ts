/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by zip and PNG. */
import * as zlib from 'node:zlib';

/** zlib's CRC-32 (the same function, native; Node >= 20.15), when this Node has it. */
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of bytes[start, end). CRC-32("123456789") = 0xCBF43926. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (native !== undefined && start >= 0 && start < end && end <= bytes.length) return native(bytes.subarray(start, end)) >>> 0;
  return crc32Table(bytes, start, end);
}

/** The table-driven CRC-32 (the reference; used where zlib has none). */
export function crc32Table(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
