/**
 * `readHdf5TreeAsync`: `readHdf5Tree` in a worker thread with a timeout. A file whose HDF5
 * metadata was deliberately corrupted can make the HDF5 library (h5wasm) loop forever inside a
 * read; in a worker that loop is stopped by terminating the worker, and the read fails with a
 * BwsnnError naming the file. Every CLI path that reads a NIR file goes through here.
 *
 * One reader worker is kept between reads (unreferenced while idle, so it never keeps the process
 * alive); a worker that timed out, crashed or whose wasm module trapped is discarded.
 * This module does not load the wasm module in the calling thread.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BwsnnError } from '../../isa/errors.js';
import type { H5Group } from './hdf5.js';

/** Default time a read may take before the file is declared corrupt. */
export const HDF5_READ_TIMEOUT_MS = 20_000;
/** Environment variable overriding the default timeout (milliseconds), e.g. for tests. */
export const HDF5_TIMEOUT_ENV = 'BWSNN_NIR_TIMEOUT_MS';

export interface Hdf5ReadOptions {
  /** Milliseconds before the read is abandoned (default: $BWSNN_NIR_TIMEOUT_MS, else 20000). */
  timeoutMs?: number;
}

/** @internal Message to the reader worker. */
export interface Hdf5WorkerRequest {
  id: number;
  bytes: Uint8Array;
  file: string;
}

/** @internal Reply of the reader worker. */
export type Hdf5WorkerReply =
  | { id: number; ok: true; tree: H5Group; reusable: boolean }
  | { id: number; ok: false; message: string; reusable: boolean };

/** The compiled worker file: beside this module (dist/), or in dist/ when running from TS sources. */
export function hdf5WorkerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const beside = resolve(dirname(here), 'hdf5-worker.js');
  if (existsSync(beside)) return beside;
  const built = resolve(dirname(here), '..', '..', 'dist', 'models', 'nir', 'hdf5-worker.js');
  if (existsSync(built)) return built;
  throw new BwsnnError(`NIR reader worker entry not found (${beside} or ${built}); run npm run build`);
}

/** The timeout in effect: the option, else the environment variable, else 20 s. */
export function hdf5ReadTimeout(opts: Hdf5ReadOptions = {}): number {
  const fromOpt = opts.timeoutMs;
  if (fromOpt !== undefined) {
    if (!(Number.isFinite(fromOpt) && fromOpt > 0)) throw new BwsnnError(`HDF5 read timeout: expected a positive number of milliseconds, got ${fromOpt}`, 2);
    return fromOpt;
  }
  const env = process.env[HDF5_TIMEOUT_ENV];
  if (env !== undefined && env.trim() !== '') {
    const v = Number(env);
    if (!(Number.isFinite(v) && v > 0)) throw new BwsnnError(`${HDF5_TIMEOUT_ENV}: expected a positive number of milliseconds, got ${JSON.stringify(env)}`, 2);
    return v;
  }
  return HDF5_READ_TIMEOUT_MS;
}

let idle: Worker | null = null;
let seq = 0;

function takeWorker(): Worker {
  let w = idle;
  idle = null;
  if (w === null) {
    const fresh = new Worker(hdf5WorkerEntry());
    // An idle worker that dies is forgotten; its errors are reported to the read in progress, if any.
    fresh.on('error', () => undefined);
    fresh.on('exit', () => {
      if (idle === fresh) idle = null;
    });
    w = fresh;
  }
  w.ref();
  return w;
}

function release(w: Worker): void {
  if (idle === null) {
    w.unref();
    idle = w;
  } else {
    void w.terminate();
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}

/**
 * Read a whole HDF5 file into a tree in a worker thread. Rejects with a BwsnnError naming `file`
 * for anything unreadable, and when the read does not finish within the timeout (the worker is
 * then terminated).
 */
export function readHdf5TreeAsync(bytes: Uint8Array, file: string, opts: Hdf5ReadOptions = {}): Promise<H5Group> {
  const timeoutMs = hdf5ReadTimeout(opts);
  const w = takeWorker();
  const id = ++seq;
  return new Promise<H5Group>((res, rej) => {
    let done = false;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    const onMessage = (r: Hdf5WorkerReply): void => {
      if (done || r.id !== id) return;
      finish();
      if (r.reusable) release(w);
      else void w.terminate();
      if (r.ok) res(r.tree);
      else rej(new BwsnnError(r.message));
    };
    const onError = (e: Error): void => {
      if (done) return;
      finish();
      void w.terminate();
      rej(new BwsnnError(`${file}: the HDF5 reader failed (${e.message}): the file is probably corrupt`));
    };
    const onExit = (code: number): void => {
      if (done) return;
      finish();
      rej(new BwsnnError(`${file}: the HDF5 reader stopped unexpectedly (exit code ${code}): the file is probably corrupt`));
    };
    const timer = setTimeout(() => {
      if (done) return;
      finish();
      void w.terminate();
      rej(new BwsnnError(`${file}: the HDF5 reader did not finish within ${seconds(timeoutMs)}: the file's metadata is probably corrupt`));
    }, timeoutMs);
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    const req: Hdf5WorkerRequest = { id, bytes, file };
    w.postMessage(req);
  });
}
