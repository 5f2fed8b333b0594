// The CPU stage of the topological loss for one sample, as a self-contained job: the prediction's
// diagrams (unless the GPU engine already computed them) and the loss against the target's diagrams, or
// only a volume's diagrams (a target's, computed once and cached). The same function runs in the caller's
// thread and in the worker threads of topo_pool.ts, so both give the same numbers.
import { diagramLoss, type DiagramLoss } from './diagram_loss.ts';
import { persistence, type Construction, type Diagrams } from './persistence.ts';

export interface TopoJobOptions {
  construction: Construction;
  dims: number[];
  q: number;
  totalPersistence: number;
}

export type TopoJob =
  | { kind: 'diagrams'; volume: Float32Array; shape: [number, number, number]; opts: TopoJobOptions }
  | { kind: 'loss'; pred: Float32Array | Diagrams; shape: [number, number, number]; target: Diagrams; opts: TopoJobOptions };

export interface TopoJobResult {
  diagrams: Diagrams | null; // 'diagrams' jobs
  loss: DiagramLoss | null; // 'loss' jobs
  ms: { persistence: number; matching: number }; // this job's time in the two stages
}

/** Runs several jobs; a worker pool (topo_pool.ts) or `inThread`. */
export interface TopoRunner {
  run(jobs: TopoJob[]): Promise<TopoJobResult[]>;
}

/** One job, in this thread. */
export function runTopoJob(job: TopoJob): TopoJobResult {
  const { construction, dims } = job.opts;
  const t0 = performance.now();
  if (job.kind === 'diagrams') {
    const diagrams = persistence(job.volume, job.shape, { construction, dims });
    return { diagrams, loss: null, ms: { persistence: performance.now() - t0, matching: 0 } };
  }
  const pred = job.pred instanceof Float32Array ? persistence(job.pred, job.shape, { construction, dims }) : job.pred;
  const t1 = performance.now();
  const loss = diagramLoss(pred, job.target, job.opts);
  return { diagrams: null, loss, ms: { persistence: t1 - t0, matching: performance.now() - t1 } };
}

/** The runner without threads (the browser's, and the default). */
export const inThread: TopoRunner = {
  run: async (jobs) => jobs.map(runTopoJob),
};
