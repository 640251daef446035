/**
 * Bounded quoting of untrusted input in error messages (docs/timing.md, "Bounds"): an excerpt is
 * at most EXCERPT_CHARS characters on one line, however large or deeply nested the value; a JSON
 * text is parsed only when its nesting depth is at most MAX_JSON_DEPTH.
 */
import { BwsnnError } from './errors.js';

/** Longest quoted excerpt of an input value in an error message. */
export const EXCERPT_CHARS = 80;
/** Deepest JSON nesting a reader accepts (headers, chip configs, model cards). */
export const MAX_JSON_DEPTH = 64;
/** Longest error message the CLI prints (longer ones are cut with "..."). */
export const MAX_MESSAGE_CHARS = 2000;

/** `s` on one line (line breaks and tabs become spaces), cut to `max` characters. */
export function oneLine(s: string, max = MAX_MESSAGE_CHARS): string {
  const t = s.replace(/[\r\n\t\u2028\u2029]+/g, ' ');
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}

/** A JSON-like rendering of `v`, bounded in depth, breadth and length (never throws). */
export function excerpt(v: unknown, max = EXCERPT_CHARS): string {
  let out = '';
  const put = (s: string): boolean => {
    out += s;
    return out.length <= max;
  };
  const walk = (x: unknown, depth: number): boolean => {
    if (x === null || typeof x === 'number' || typeof x === 'boolean') return put(String(x));
    if (x === undefined) return put('undefined');
    if (typeof x === 'string') return put(JSON.stringify(x.length > max ? x.slice(0, max) : x));
    if (typeof x === 'bigint') return put(`${x}n`);
    if (typeof x !== 'object') return put(`<${typeof x}>`);
    if (depth >= 3) return put(Array.isArray(x) ? '[...]' : '{...}');
    if (Array.isArray(x)) {
      if (!put('[')) return false;
      for (let i = 0; i < x.length; i++) {
        if (i > 0 && !put(',')) return false;
        if (!walk(x[i], depth + 1)) return false;
      }
      return put(']');
    }
    if (!put('{')) return false;
    let first = true;
    for (const k of Object.keys(x as object)) {
      if (!first && !put(',')) return false;
      first = false;
      if (!put(`${JSON.stringify(k.length > max ? k.slice(0, max) : k)}:`)) return false;
      if (!walk((x as Record<string, unknown>)[k], depth + 1)) return false;
    }
    return put('}');
  };
  walk(v, 0);
  return oneLine(out, max);
}

/** Maximum nesting depth of brackets outside strings of a JSON text (stops counting past `stop`). */
export function jsonDepth(text: string, stop = Infinity): number {
  let depth = 0;
  let max = 0;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inStr = false;
    } else if (c === 0x22) inStr = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > stop) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * Parse an untrusted JSON text: refuses nesting deeper than `maxDepth` and reports a syntax
 * error on one line with a bounded excerpt. `where` names the file (and place) in the error.
 */
export function parseJsonBounded(text: string, where: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const d = jsonDepth(text, maxDepth);
  if (d > maxDepth) throw new BwsnnError(`${where}: JSON nested deeper than ${maxDepth} levels`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BwsnnError(`${where}: invalid JSON (${oneLine((e as Error).message, 200)})`);
  }
}
