/** Check an input file's kind from its content before a command reads it (isa/filetype.ts). */
import { closeSync, openSync, readSync } from 'node:fs';
import { detectFileKind, FILE_KINDS, type FileKind } from '../isa/filetype.js';
import { BwsnnError } from '../isa/errors.js';
import { readInput } from './io.js';

/** The first bytes of a file (a BwsnnError naming it when it cannot be read). */
function head(file: string): Uint8Array {

  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    readInput(file); // throws the usual "no such file" / "is a directory" message
    throw new BwsnnError(`${file}: cannot read`);
  }
  try {
    const b = new Uint8Array(4096);
    const n = readSync(fd, b, 0, b.length, 0);
    return b.subarray(0, n);
  } catch {
    readInput(file);
    throw new BwsnnError(`${file}: cannot read`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The kind of `file` when it is one of `accepted`; a one-line error saying what the file is and
 * which command takes it otherwise. An unrecognised content is decided by the file's extension
 * (the reader of that kind then names the byte that is wrong).
 */
export function sniffInput(file: string, accepted: readonly FileKind[], expected: string): FileKind {
  const kind = detectFileKind(head(file));
  if (accepted.includes(kind)) return kind;
  if (kind !== 'unknown') {
    const d = FILE_KINDS[kind];
    throw new BwsnnError(`${file}: this is ${d.what}, not ${expected}: ${d.use}`);
  }
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  const byExt = accepted.find((k) => k === ext);
  return byExt ?? accepted[0] ?? 'unknown';
}
