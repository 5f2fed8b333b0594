// Worker threads for the topological loss's CPU stage (Node only): the samples of a batch are independent
// jobs (topo_job.ts), so a batch of B volumes takes about max(B / threads, 1) volumes' time instead of B.
// Workers start on first use and stay for the next batches; an idle worker does not keep the process alive.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Diagrams, PersistenceOptions } from './persistence.ts';
import { jobToWire, resultFromWire, type TopoJob, type TopoJobResult, type TopoRunner, type WireResult } from './topo_job.ts';

interface Task {
  job: TopoJob;
  resolve: (r: TopoJobResult) => void;
  reject: (e: Error) => void;
}

/**
 * A worker's first module: it registers tsx's loader, as the rest of the project runs, then loads the
 * worker's source. NOTE: resolved when this module loads, so a missing loader fails the import, not a job.
 */
const BOOT = new URL(`data:text/javascript,${encodeURIComponent([
  `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};`,
  'register();',
  `await import(${JSON.stringify(new URL('./topo_worker.ts', import.meta.url).href)});`,
].join('\n'))}`);

export class TopoPool implements TopoRunner {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private closed = false;

  /** `threads` workers at most (default: one per core). */
  constructor(readonly threads = availableParallelism()) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`topo pool: threads must be a positive integer, got ${threads}`);
  }

  /** The jobs' results, in order; rejects with the first job's error. */
  run(jobs: TopoJob[]): Promise<TopoJobResult[]> {
    if (this.closed) return Promise.reject(new Error('topo pool: closed'));
    return Promise.all(jobs.map((job) => new Promise<TopoJobResult>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    })));
  }

  /** persistenceBatch on the pool: the diagrams of several volumes of one shape, a volume per thread. */
  async persistence(volumes: Float32Array[], shape: [number, number, number], opts: PersistenceOptions = {}): Promise<Diagrams[]> {
    const results = await this.run(volumes.map((volume) => ({ kind: 'diagrams', volume, shape, opts })));
    return results.map((r) => r.diagrams!);
  }

  /** Stops the workers; jobs still queued or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new Error('topo pool: closed');
    for (const t of this.queue.splice(0)) t.reject(err);
    for (const t of this.busy.values()) t.reject(err);
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const w = this.idle.pop() ?? (this.busy.size < this.threads ? this.spawn() : null);
      if (!w) return;
      const task = this.queue.shift()!;
      this.busy.set(w, task);
      w.ref(); // a running job keeps the process alive until its result is back
      w.postMessage({ job: jobToWire(task.job) });
    }
  }

  private spawn(): Worker {
    // NOTE: no execArgv: the parent's preloads (--import) would run before the loader is registered and fail
    // on a .ts file, and workers refuse V8 flags (--expose-gc); V8's heap flags are process-wide anyway.
    const w = new Worker(BOOT, { execArgv: [] });
    w.on('message', (m: { result?: WireResult; error?: Error }) => {
      const task = this.busy.get(w);
      this.busy.delete(w);
      w.unref();
      this.idle.push(w);
      if (task) {
        if (m.error !== undefined) task.reject(m.error);
        else task.resolve(resultFromWire(m.result!));
      }
      this.pump();
    });
    // NOTE: a worker that dies (out of memory, a bad boot) fails its job; the next job gets a new worker.
    const fail = (e: Error) => {
      const task = this.busy.get(w);
      this.busy.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      task?.reject(e);
      if (!this.closed) this.pump();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`topo pool: a worker exited with code ${code}`)));
    return w;
  }
}
