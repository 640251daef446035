/**
 * What a file is, from its first bytes (never from its name), and which command takes it: so that
 * a wrong input is refused with "this is a .bwc binary: run it with `bwsnn run`" instead of raw bytes.
 */

export type FileKind = 'bwc' | 'bwsnn' | 'nir' | 'npy' | 'sweep-csv' | 'json' | 'asm' | 'unknown';

export const FILE_KINDS: Record<Exclude<FileKind, 'unknown'>, { what: string; use: string }> = {
  bwc: { what: 'a .bwc binary', use: 'run it with `bwsnn run` (or `bwsnn energy`, `bwsnn inspect`, `bwsnn disasm`)' },
  bwsnn: { what: 'a .bwsnn model', use: 'compile it with `bwsnn compile` (or give it to `bwsnn demo`, `bwsnn energy`, `bwsnn sweep`, `bwsnn eval`)' },
  nir: { what: 'an HDF5 file (a .nir graph)', use: 'compile it with `bwsnn compile` or import it with `bwsnn import`' },
  npy: { what: 'a .npy array', use: 'give it as --input or --labels' },
  'sweep-csv': { what: 'a sweep CSV', use: 'join shards with `bwsnn merge`' },
  json: { what: 'a JSON file', use: 'chip configs go to --chip, energy tables to --energy' },
  asm: { what: 'BW-Core assembly text', use: 'assemble it with `bwsnn asm`' },
};

const startsWith = (b: Uint8Array, sig: readonly number[]): boolean => b.length >= sig.length && sig.every((x, i) => b[i] === x);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** The kind of a file from its content. */
export function detectFileKind(bytes: Uint8Array): FileKind {
  if (startsWith(bytes, ascii('BWC1'))) return 'bwc';
  if (startsWith(bytes, ascii('BWSNNMDL'))) return 'bwsnn';
  if (startsWith(bytes, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) return 'nir';
  if (startsWith(bytes, [0x93, ...ascii('NUMPY')])) return 'npy';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  if (/^(# bwsnn-sweep|index,)/.test(head)) return 'sweep-csv';
  if (/^\s*[{[]/.test(head)) return 'json';
  if (/^\s*(;[^\n]*\n\s*)*\.(chip|core|model)\b/m.test(head)) return 'asm';
  return 'unknown';
}

/** "this is a .bwc binary, not a .bwsnn model: run it with `bwsnn run` ..." or undefined when the kind is unknown. */
export function wrongKindHint(bytes: Uint8Array, expected: string): string | undefined {
  const k = detectFileKind(bytes);
  if (k === 'unknown') return undefined;
  const d = FILE_KINDS[k];
  return `this is ${d.what}, not ${expected}: ${d.use}`;
}

/** The same, starting with the file name. */
export function wrongKindMessage(file: string, bytes: Uint8Array, expected: string): string | undefined {
  const h = wrongKindHint(bytes, expected);
  return h === undefined ? undefined : `${file}: ${h}`;
}
