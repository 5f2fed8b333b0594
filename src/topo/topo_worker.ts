// Entry of a topo_pool.ts worker thread: runs each job it is sent (one at a time) and posts back its result,
// or the error (structured cloning keeps a built-in error's class, message and stack).
import { parentPort } from 'node:worker_threads';
import { jobFromWire, resultToWire, runTopoJob, type WireJob } from './topo_job.ts';

parentPort!.on('message', ({ job }: { job: WireJob }) => {
  try {
    const { wire, transfer } = resultToWire(runTopoJob(jobFromWire(job)));
    parentPort!.postMessage({ result: wire }, transfer);
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e : new Error(String(e)) });
  }
});
