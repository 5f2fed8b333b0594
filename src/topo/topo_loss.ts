// The topological loss as one tape op, batched over samples:
//   pred [B, 1, S, S, S] → trilinear downsampling to s³ (GPU) → persistence diagrams → optimal matching to
//   each target's cached diagram (CPU) → loss and sparse voxel gradient → scatter (GPU) → the
//   downsampling's backward carries it to the full volume. One read-back per step either way:
//   - 'cpu' engine: the downsampled volumes come back and the exact CPU path computes the diagrams;
//   - 'gpu' engine (dimensions 0 and 2 only): the WGSL union-find runs on them where they are, and the
//     basin-boundary records come back (union_find.ts). 'auto' takes the GPU on real GPUs, the CPU on
//     CPU adapters, where atomics are slow.
// L_T = mean over the batch of Σ_dims W_q(D(pred), D(target))^q (+ μ · total persistence).
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';
import { trilinearDown } from '../resample/trilinear_down.ts';
import { trilinearDownRef } from '../resample/trilinear_down.ref.ts';
import { diagramLoss } from './diagram_loss.ts';
import { persistence, type Construction, type Diagrams } from './persistence.ts';
import { scatterGrad } from './scatter_grad.ts';
import { gpuUnionFindPays, persistenceGpuBatch } from './union_find.ts';

export interface TopoLossOptions {
  size: number; // s: side of the downsampled cube the topology is computed on (s = S: no downsampling)
  dims: number[]; // homology dimensions (default [2], the voids, as in the published experiments)
  q: number; // Wasserstein exponent: 2 (default), 1, or Infinity
  totalPersistence: number; // μ: weight of the prediction's total persistence (0 = off)
  construction: Construction; // 'T' (default, as GUDHI's top-dimensional cells) or 'V'
  engine: 'auto' | 'cpu' | 'gpu'; // where the prediction's diagrams are computed (same diagrams either way)
}

export const TOPO_DEFAULTS: TopoLossOptions = { size: 16, dims: [2], q: 2, totalPersistence: 0, construction: 'T', engine: 'auto' };

/** A training target: a cache key (the sample's name) and its full-resolution volume. */
export interface TopoTarget {
  key: string;
  volume: Float32Array; // [S, S, S]
}

export interface TopoLossResult {
  loss: Tensor; // [1], L_T (mean over the batch), recorded on the tape
  value: number; // the same, on the CPU
  perDim: number[]; // batch-mean W_q^q per dimension
  ms: { persistence: number; matching: number }; // CPU time of the two CPU stages
}

export class TopoLoss {
  readonly opts: TopoLossOptions;
  /** Target diagrams by key, computed once (flips and 90° rotations leave them unchanged). */
  private cache = new Map<string, Diagrams>();

  constructor(opts: Partial<TopoLossOptions> = {}) {
    this.opts = { ...TOPO_DEFAULTS, ...opts };
    if (this.opts.dims.some((d) => d < 0 || d > 2)) throw new Error(`topo loss: dimensions must be 0, 1 or 2, got ${this.opts.dims}`);
    if (this.opts.engine === 'gpu' && this.opts.dims.includes(1)) throw new Error('topo loss: dimension 1 needs the cpu engine');
  }

  /** Whether this batch's diagrams are computed on the GPU (see the engines above). */
  onGpu(g: Tape['gpu']): boolean {
    const { engine, dims } = this.opts;
    return engine === 'gpu' || (engine === 'auto' && !dims.includes(1) && gpuUnionFindPays(g));
  }

  /** The (cached) diagram of a target volume of side S, downsampled to s³ like the prediction. */
  targetDiagrams(target: TopoTarget, side: number): Diagrams {
    let d = this.cache.get(target.key);
    if (!d) {
      const s = this.opts.size;
      const small = s === side ? target.volume : trilinearDownRef(target.volume, [side, side, side], s);
      d = persistence(small, [s, s, s], { construction: this.opts.construction, dims: this.opts.dims });
      this.cache.set(target.key, d);
    }
    return d;
  }

  /** L_T of a batch of predictions [B, 1, S, S, S] (or [B, S, S, S]) against their targets. */
  async apply(t: Tape, pred: Tensor, targets: TopoTarget[]): Promise<TopoLossResult> {
    const side = pred.shape[pred.shape.length - 1];
    const batch = pred.shape[0];
    if (targets.length !== batch) throw new Error(`topo loss: ${batch} predictions, ${targets.length} targets`);
    const s = this.opts.size;
    if (s > side) throw new Error(`topo loss: size ${s} exceeds the volume side ${side}`);
    const small = s === side ? pred : trilinearDown(t, pred, s);
    const per = s * s * s;
    const grads = new Map<number, number>();
    const perDim = [0, 0, 0];
    let value = 0;
    let msMatch = 0;
    const t0 = performance.now();
    const { construction, dims } = this.opts;
    let predicted: Diagrams[];
    if (this.onGpu(t.gpu)) {
      predicted = await persistenceGpuBatch(t.gpu, small.buffer, [s, s, s], batch, { construction, dims });
    } else {
      const host = await small.read();
      predicted = Array.from({ length: batch }, (_, b) => persistence(host.subarray(b * per, (b + 1) * per), [s, s, s], { construction, dims }));
    }
    const wanted = targets.map((target) => this.targetDiagrams(target, side));
    const msPers = performance.now() - t0;
    for (let b = 0; b < batch; b++) {
      const target = wanted[b];
      const t1 = performance.now();
      const l = diagramLoss(predicted[b], target, this.opts);
      msMatch += performance.now() - t1;
      value += l.value / batch;
      l.perDim.forEach((v, k) => (perDim[k] += v / batch));
      for (const [voxel, g] of l.grad) grads.set(b * per + voxel, g / batch);
    }
    const indices = Uint32Array.from(grads.keys());
    const values = Float32Array.from(grads.values());
    const loss = Tensor.from(t.gpu, new Float32Array([value]), [1]);
    t.record(loss, [small], (gy) => [scatterGrad(gy, small.shape, indices, values)]);
    return { loss, value, perDim, ms: { persistence: msPers, matching: msMatch } };
  }
}
