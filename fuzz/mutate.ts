/** Seeded mutators: bytes (flip, set, truncate, splice, duplicate), text (lines, tokens) and JSON values. */

export type Rng = () => number;

export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;

/** Interesting integers: edges of the usual field widths. */
export const EDGE_INTS = [0, 1, 2, -1, 7, 8, 63, 64, 65, 255, 256, 4095, 4096, 65535, 65536, 2 ** 20, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -(2 ** 31), 2 ** 53];

/** One byte-level mutation of `b` (a new array). */
export function mutateBytes(r: Rng, b: Uint8Array, donor?: Uint8Array): Uint8Array {
  const out = new Uint8Array(b);
  const kind = int(r, 0, 6);
  if (b.length === 0) return Uint8Array.of(int(r, 0, 255));
  switch (kind) {
    case 0: {
      const n = int(r, 1, 8);
      for (let k = 0; k < n; k++) {
        const at = int(r, 0, out.length - 1);
        out[at] = (out[at] as number) ^ (1 << int(r, 0, 7));
      }
      return out;
    }
    case 1: {
      const n = int(r, 1, 4);
      for (let k = 0; k < n; k++) out[int(r, 0, out.length - 1)] = pick(r, [0, 0xff, 0x7f, 0x80, 1, int(r, 0, 255)]);
      return out;
    }
    case 2:
      return b.slice(0, int(r, 0, b.length - 1));
    case 3: {
      // A little-endian 32-bit edge value at a random aligned offset.
      const at = 4 * int(r, 0, Math.max(0, (out.length >> 2) - 1));
      if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at, pick(r, EDGE_INTS) >>> 0, true);
      return out;
    }
    case 4: {
      const d = donor ?? b;
      const at = int(r, 0, b.length);
      const from = int(r, 0, d.length - 1);
      const piece = d.subarray(from, from + int(r, 1, 64));
      const res = new Uint8Array(at + piece.length + (b.length - at));
      res.set(b.subarray(0, at));
      res.set(piece, at);
      res.set(b.subarray(at), at + piece.length);
      return res;
    }
    case 5: {
      const at = int(r, 0, b.length - 1);
      const len = int(r, 1, Math.min(64, b.length - at));
      const res = new Uint8Array(b.length - len);
      res.set(b.subarray(0, at));
      res.set(b.subarray(at + len), at);
      return res;
    }
    default: {
      const at = 2 * int(r, 0, Math.max(0, (out.length >> 1) - 1));
      if (at + 2 <= out.length) new DataView(out.buffer).setUint16(at, pick(r, [0, 1, 0xffff, 0x8000, 0x7fff, int(r, 0, 0xffff)]), true);
      return out;
    }
  }
}

const TOKENS = [
  '0', '-1', '1', '65535', '65536', '4294967296', '1e999', '-1e999', '0x', '0xffffffffffffffff', '9'.repeat(40), '1.5', 'NaN', 'r0', 'r15', 'r16', 'r99',
  'HALT', 'SEND', 'ACC', 'JMP', 'LI', '.core', '.chip', '.route', '.neurons', '.input', '.output', '.meta', '.synapses', ',', ':', '"', '""', '"\n"', '[', ']', '{', '}', '=', ';', '#', 'x'.repeat(300), '\t', '\u0000', '\u2028', 'é',
];

/** One line- or token-level mutation of a text (assembly, JSON). */
export function mutateText(r: Rng, s: string): string {
  const lines = s.split('\n');
  const kind = int(r, 0, 7);
  const li = int(r, 0, lines.length - 1);
  switch (kind) {
    case 0:
      lines.splice(li, 1);
      return lines.join('\n');
    case 1:
      lines.splice(li, 0, lines[int(r, 0, lines.length - 1)] as string);
      return lines.join('\n');
    case 2: {
      const lj = int(r, 0, lines.length - 1);
      const t = lines[li] as string;
      lines[li] = lines[lj] as string;
      lines[lj] = t;
      return lines.join('\n');
    }
    case 3: {
      // Replace one token (a run of word characters) of a line.
      const toks = (lines[li] as string).split(/(\s+|,|:|=)/);
      const ti = int(r, 0, toks.length - 1);
      toks[ti] = r() < 0.5 ? pick(r, TOKENS) : String(pick(r, EDGE_INTS));
      lines[li] = toks.join('');
      return lines.join('\n');
    }
    case 4: {
      const at = int(r, 0, s.length);
      return s.slice(0, at) + pick(r, TOKENS) + s.slice(at);
    }
    case 5:
      return s.slice(0, int(r, 0, s.length));
    case 6: {
      // Every number of a line to an edge value.
      lines[li] = (lines[li] as string).replace(/-?\d+/g, () => String(pick(r, EDGE_INTS)));
      return lines.join('\n');
    }
    default: {
      const at = int(r, 0, Math.max(0, s.length - 1));
      return s.slice(0, at) + s.slice(at + int(r, 1, 20));
    }
  }
}

/** Placeholder a JSON mutation puts in the tree, replaced by raw text after stringify (deep nesting). */
const RAW = '\u0000RAW\u0000';

function deep(r: Rng): string {
  const d = pick(r, [10, 63, 64, 65, 100, 1000, 5000, 20000]);
  const open = r() < 0.5 ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return open.repeat(d) + (r() < 0.8 ? '1' : '') + close.repeat(r() < 0.9 ? d : d - 1);
}

function randomValue(r: Rng): unknown {
  switch (int(r, 0, 9)) {
    case 0: return pick(r, EDGE_INTS);
    case 1: return -pick(r, EDGE_INTS);
    case 2: return r() * 1e300;
    case 3: return pick(r, ['', 'x', 'line1\nline2\n}', 'a'.repeat(int(r, 100, 100000)), '\u2028', 'binary', 'multibit', 'if', 'lif', 'linear', 'conv2d']);
    case 4: return null;
    case 5: return pick(r, [true, false]);
    case 6: return [];
    case 7: return {};
    case 8: return Array.from({ length: int(r, 1, 5) }, () => pick(r, EDGE_INTS));
    default: return RAW;
  }
}

/** Paths to every value of a JSON tree (bounded). */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 2000) return out;
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...at, k], out);
  return out;
}

/**
 * One structural mutation of a JSON value, returned as text: replace, delete or add a value
 * (including deep nesting and unbounded strings), or a text mutation of its serialization.
 */
export function mutateJson(r: Rng, v: unknown): string {
  if (r() < 0.25) return mutateText(r, JSON.stringify(v, null, r() < 0.5 ? 1 : undefined));
  const root = JSON.parse(JSON.stringify(v)) as unknown;
  const ps = paths(root);
  const p = pick(r, ps);
  const kind = int(r, 0, 3);
  const nv = randomValue(r);
  let rawText = '';
  const val = nv === RAW ? ((rawText = deep(r)), RAW) : nv;
  let top: unknown = root;
  if (p.length === 0) top = val;
  else {
    let parent: unknown = root;
    for (const k of p.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[k];
    const last = p[p.length - 1] as string | number;
    const obj = parent as Record<string | number, unknown>;
    if (kind === 0 && !Array.isArray(parent)) delete obj[last];
    else if (kind === 1 && !Array.isArray(parent)) obj[`${last}_${int(r, 0, 9)}`] = val;
    else if (kind === 1 && Array.isArray(parent)) (parent as unknown[]).push(val);
    else obj[last] = val;
  }
  const text = JSON.stringify(top);
  return rawText ? text.replace(JSON.stringify(RAW), rawText) : text;
}
