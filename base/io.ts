/**
 * File helpers shared by every command: reading with a clear error, and atomic writes (write a
 * temporary file beside the target, then rename) so that a failure never leaves a partial output.
 */
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BwsnnError } from './errors.js';

/** Read a whole file or throw a BwsnnError naming it. */
export function readInput(path: string): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new BwsnnError(`${path}: no such file`);
  }
  if (st.isDirectory()) throw new BwsnnError(`${path}: is a directory, expected a file`);
  try {
    const b = readFileSync(path);
    // A large file's buffer is its own: view it (copying tens of MB costs more than reading them);
    // a small one may sit in Node's shared pool: copy it.
    return b.byteOffset === 0 && b.buffer.byteLength === b.length ? new Uint8Array(b.buffer, 0, b.length) : new Uint8Array(b);
  } catch (e) {
    throw new BwsnnError(`${path}: cannot read (${(e as Error).message})`);
  }
}

/** Read a UTF-8 text file or throw a BwsnnError naming it. */
export function readText(path: string): string {
  return new TextDecoder('utf-8').decode(readInput(path));
}

/** Check that `path` can be an output file (not a directory, parent exists). */
export function checkOutputPath(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new BwsnnError(`${path}: is a directory, expected an output file path`);
  }
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new BwsnnError(`${path}: output directory ${dir} does not exist`);
  }
}

/** Write `data` to `path` atomically: a temporary file in the same directory, then rename. */
export function writeAtomic(path: string, data: Uint8Array | string): void {
  checkOutputPath(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw new BwsnnError(`${path}: cannot write (${(e as Error).message})`);
  }
}
