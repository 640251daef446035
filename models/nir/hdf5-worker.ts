/**
 * Worker-thread entry of `readHdf5TreeAsync` (models/nir/hdf5-async.ts): reads HDF5 trees with
 * `readHdf5Tree` on request and posts back the tree (Maps, strings and Float64Arrays are
 * structured-clonable) or the BwsnnError message. Kept alive between requests (the parent
 * unreferences it while idle); the parent terminates it when a read does not finish in time.
 */
import { parentPort } from 'node:worker_threads';
import { BwsnnError } from '../../isa/errors.js';
import type { Hdf5WorkerReply, Hdf5WorkerRequest } from './hdf5-async.js';

const port = parentPort;
if (port === null) throw new Error('models/nir/hdf5-worker.js must run as a worker thread');

// The wasm runtime prints its own lines (e.g. "Aborted(...)") to stderr, through a console.error
// bound when it loads: in this worker they are dropped (set before the module is loaded, hence the
// dynamic import); every failure reaches the caller as one BwsnnError message.
process.stderr.write = (): boolean => true;
const { hdf5Faulted, readHdf5Tree } = await import('./hdf5.js');

port.on('message', (req: Hdf5WorkerRequest) => {
  let reply: Hdf5WorkerReply;
  try {
    reply = { id: req.id, ok: true, tree: readHdf5Tree(req.bytes, req.file), reusable: true };
  } catch (e) {
    const message = e instanceof BwsnnError ? e.message : `${req.file}: the HDF5 reader failed: ${String((e as Error)?.message ?? e)}`;
    reply = { id: req.id, ok: false, message, reusable: !hdf5Faulted() };
  }
  port.postMessage(reply);
});
