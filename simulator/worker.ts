/** Worker-thread entry of the simulator pool: runs one chunk and posts its result. */
import { parentPort, workerData } from 'node:worker_threads';
import { BwsnnError } from '../isa/errors.js';
import { runChunk, type ChunkOptions } from './chunk.js';
import type { BwcContainer } from '../isa/container-types.js';
import type { SimInputs } from './input.js';

interface Job {
  container: BwcContainer;
  file: string;
  inputs: SimInputs;
  from: number;
  to: number;
  opts: ChunkOptions;
}

const job = workerData as Job;
try {
  const r = runChunk(job.container, job.file, job.inputs, job.from, job.to, job.opts);
  parentPort?.postMessage({ ok: true, result: r });
} catch (e) {
  const err = e as Error;
  parentPort?.postMessage({ ok: false, bwsnn: e instanceof BwsnnError, message: err.message, exitCode: e instanceof BwsnnError ? e.exitCode : 70 });
}
