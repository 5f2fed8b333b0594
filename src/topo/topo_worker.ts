// Entry of a topo_pool.ts worker thread: runs each job it is sent and posts back its result, or the error.
import { parentPort } from 'node:worker_threads';
import { runTopoJob, type TopoJob } from './topo_job.ts';

parentPort!.on('message', ({ id, job }: { id: number; job: TopoJob }) => {
  try {
    parentPort!.postMessage({ id, result: runTopoJob(job) });
  } catch (e) {
    parentPort!.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
