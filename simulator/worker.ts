/**
 * Worker-thread entry of the simulator pool. A pool worker lives as long as its process: it runs
 * one chunk per message and posts its result, keeping the last few loaded binaries (keyed by the
 * content fingerprint the pool sends) so repeated simulate() calls skip validation and decoding.
 */
import { parentPort } from 'node:worker_threads';
import type { BwcContainer } from '../isa/container-types.js';
import { BwsnnError } from '../base/errors.js';
import { runChunk, type ChunkOptions } from './chunk.js';
import type { SimInputs } from './input.js';
import { loadBinary, type LoadedBinary } from './load.js';

export interface WorkerJob {
  id: number;
  /** Content fingerprint of the container (cache key). */
  key: string;
  /** The container, unless this worker already holds `key`. */
  container?: BwcContainer;
  file: string;
  inputs: SimInputs;
  from: number;
  to: number;
  opts: ChunkOptions;
}

const cache = new Map<string, LoadedBinary>();

parentPort?.on('message', (job: WorkerJob) => {
  try {
    let bin = cache.get(job.key);
    if (!bin) {
      if (!job.container) throw new Error(`simulator worker: binary ${job.key} is not cached and was not sent`);
      bin = loadBinary(job.container, job.file, { maxMemory: job.opts.maxMemory, maxCycles: job.opts.maxCycles });
      cache.set(job.key, bin);
      while (cache.size > 4) cache.delete(cache.keys().next().value as string);
    }
    const r = runChunk(bin, job.file, job.inputs, job.from, job.to, job.opts);
    parentPort?.postMessage({ id: job.id, ok: true, result: r });
  } catch (e) {
    const err = e as Error;
    parentPort?.postMessage({ id: job.id, ok: false, bwsnn: e instanceof BwsnnError, message: err.message, exitCode: e instanceof BwsnnError ? e.exitCode : 70 });
  }
});
