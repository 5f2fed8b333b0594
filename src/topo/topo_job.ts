// The CPU stage of the topological loss for one sample, as a self-contained job: the prediction's
// diagrams (unless the GPU engine already computed them) and the loss against the target's diagrams, or
// only a volume's diagrams (a target's, computed once and cached). The same function runs in the caller's
// thread and in the worker threads of topo_pool.ts, so both give the same numbers.
import { diagramLoss, type DiagramLoss } from './diagram_loss.ts';
import { packDiagrams, unpackDiagrams } from './diagrams.ts';
import { persistence, type Construction, type Diagrams, type PersistenceOptions } from './persistence.ts';

export interface TopoJobOptions {
  construction: Construction;
  dims: number[];
  q: number;
  totalPersistence: number;
}

export type TopoJob =
  | { kind: 'diagrams'; volume: Float32Array; shape: [number, number, number]; opts: PersistenceOptions }
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
  const t0 = performance.now();
  if (job.kind === 'diagrams') {
    // NOTE: the options go through whole, whatever persistence() takes
    const diagrams = persistence(job.volume, job.shape, job.opts);
    return { diagrams, loss: null, ms: { persistence: performance.now() - t0, matching: 0 } };
  }
  const { construction, dims } = job.opts;
  const pred = job.pred instanceof Float32Array ? persistence(job.pred, job.shape, { construction, dims }) : job.pred;
  const t1 = performance.now();
  const loss = diagramLoss(pred, job.target, job.opts);
  return { diagrams: null, loss, ms: { persistence: t1 - t0, matching: performance.now() - t1 } };
}

/** The runner without threads (the browser's, and the default). */
export const inThread: TopoRunner = {
  run: async (jobs) => jobs.map(runTopoJob),
};

/** A job as it crosses to a worker: its diagrams packed into typed arrays (packDiagrams, diagrams.ts). */
export type WireJob =
  | Extract<TopoJob, { kind: 'diagrams' }>
  | { kind: 'loss'; pred: Float32Array | Float64Array[]; shape: [number, number, number]; target: Float64Array[]; opts: TopoJobOptions };

/** A result as it comes back from a worker, likewise. */
export type WireResult = Omit<TopoJobResult, 'diagrams'> & { diagrams: Float64Array[] | null; computed?: number[] };

export function jobToWire(job: TopoJob): WireJob {
  if (job.kind === 'diagrams') return job;
  return { ...job, pred: job.pred instanceof Float32Array ? job.pred : packDiagrams(job.pred), target: packDiagrams(job.target) };
}

export function jobFromWire(w: WireJob): TopoJob {
  if (w.kind === 'diagrams') return w;
  return { ...w, pred: w.pred instanceof Float32Array ? w.pred : unpackDiagrams(w.pred), target: unpackDiagrams(w.target) };
}

/** The result in wire form and the buffers it owns (moved, not copied, to the other thread). */
export function resultToWire(r: TopoJobResult): { wire: WireResult; transfer: ArrayBuffer[] } {
  const diagrams = r.diagrams && packDiagrams(r.diagrams);
  const transfer = [...(diagrams ?? []), ...(r.loss ? [r.loss.grad.index, r.loss.grad.value] : [])].map((a) => a.buffer as ArrayBuffer);
  return { wire: { ...r, diagrams, computed: r.diagrams?.computed }, transfer };
}

export function resultFromWire(w: WireResult): TopoJobResult {
  const { computed, ...rest } = w;
  return { ...rest, diagrams: w.diagrams && { ...unpackDiagrams(w.diagrams), ...(computed ? { computed } : {}) } };
}
