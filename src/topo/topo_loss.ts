// The topological loss as one tape op, batched over samples:
//   pred [B, 1, S, S, S] → trilinear downsampling to s³ (GPU) → persistence diagrams → optimal matching to
//   each target's cached diagram (CPU) → loss and sparse voxel gradient → scatter (GPU) → the
//   downsampling's backward carries it to the full volume. The CPU stage runs per sample as jobs
//   (topo_job.ts), in this thread or, in Node, on a pool of worker threads (topo_pool.ts).
//   One read-back per step either way:
//   - 'cpu' engine: the downsampled volumes come back and the exact CPU path computes the diagrams;
//   - 'gpu' engine (dimensions 0 and 2 only): the WGSL union-find runs on them where they are, and the
//     basin-boundary records come back (union_find.ts). 'auto' takes the GPU on real GPUs, the CPU on
//     CPU adapters, where atomics are slow.
// L_T = mean over the batch of Σ_dims W_q(D(pred), D(target))^q (W_∞ for q = ∞) (+ μ · total persistence).
import type { Gpu } from '../gpu/device.ts';
import { Tape } from '../tape/tape.ts';
import { DivergedError } from '../util/errors.ts';
import { Tensor } from '../tape/tensor.ts';
import { trilinearDown } from '../resample/trilinear_down.ts';
import { checkConstruction, checkOptionNames } from './arguments.ts';
import { checkLossOptions, LOSS_DEFAULTS } from './diagram_loss.ts';
import type { Construction, Diagrams } from './persistence.ts';
import { scatterGrad } from './scatter_grad.ts';
import { inThread, type TopoJob, type TopoRunner } from './topo_job.ts';
import { gpuUnionFindPays, NonFiniteVolume, persistenceGpuBatch } from './union_find.ts';

export interface TopoLossOptions {
  size: number; // s: side of the downsampled cube the topology is computed on (s = S: no downsampling)
  dims: number[]; // homology dimensions (default [2], the voids, as in the published experiments)
  q: number; // Wasserstein exponent: any q ≥ 1 (2 by default), or Infinity (bottleneck)
  totalPersistence: number; // μ: weight of the prediction's total persistence (0 = off)
  construction: Construction; // 'T' (default, as GUDHI's top-dimensional cells) or 'V'
  engine: 'auto' | 'cpu' | 'gpu'; // where the prediction's diagrams are computed (same diagrams either way)
}

const TOPO_DEFAULTS: TopoLossOptions = { size: 16, ...LOSS_DEFAULTS, construction: 'T', engine: 'auto' };

/** A training target: a cache key (the sample's name) and its full-resolution volume. */
export interface TopoTarget {
  key: string;
  volume: Float32Array; // [S, S, S]
}

export interface TopoLossResult {
  loss: Tensor; // [1], L_T (mean over the batch), recorded on the tape
  value: number; // the same, on the CPU
  perDim: number[]; // batch-mean W_q^q per dimension
  // the two CPU stages' time summed over the samples (threads), and the whole CPU stage's wall time
  ms: { persistence: number; matching: number; wall: number };
}

/** The side S of a target's S³ volume. */
function sideOf(t: TopoTarget): number {
  const side = Math.round(Math.cbrt(t.volume.length));
  if (side ** 3 !== t.volume.length) throw new Error(`topo loss: target '${t.key}' has ${t.volume.length} values, not a cube`);
  return side;
}

/**
 * Sums that flips and 90° rotations of a cube of side n leave unchanged (up to summation order) and other
 * edits change: Σv, Σv², Σv·r² (r: the distance from the centre) and Σ v_i·v_j over axis neighbours.
 * NOTE: Σv and Σv² alone let a shuffle of the same values through (its cached diagrams were reused).
 */
function fingerprint(v: Float32Array, n: number): number[] {
  let [a, b, r2, nb] = [0, 0, 0, 0];
  const c = (n - 1) / 2;
  for (let z = 0, i = 0; z < n; z++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++, i++) {
        const x0 = v[i];
        a += x0;
        b += x0 * x0;
        r2 += x0 * ((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2);
        if (x + 1 < n) nb += x0 * v[i + 1];
        if (y + 1 < n) nb += x0 * v[i + n];
        if (z + 1 < n) nb += x0 * v[i + n * n];
      }
    }
  }
  return [a, b, r2, nb];
}

/** A 64-bit hash of the values in their order, as text: tells the flipped and rotated copies of one target apart. */
function orderHash(v: Float32Array): string {
  const words = new Uint32Array(v.buffer, v.byteOffset, v.length);
  let h1 = 0x811c9dc5;
  let h2 = 0;
  for (let i = 0; i < words.length; i++) {
    h1 = Math.imul(h1 ^ words[i], 0x01000193);
    h2 = (Math.imul(h2, 0x5bd1e995) + words[i]) | 0;
  }
  return `${(h1 >>> 0).toString(16)}.${(h2 >>> 0).toString(16)}`;
}

export class TopoLoss {
  readonly opts: TopoLossOptions;
  /**
   * Target diagrams, computed once per target volume as fed: by key alone when the topology sees the full
   * volume (s = S: a flip or rotation only moves its values), by key and the order of its values when it is
   * downsampled. NOTE: the downsampling kernel is not exactly equivariant (rounding, summation order): the
   * diagrams of a flipped target's downsampling differ from the unflipped one's in the last bits, and a
   * prediction equal to a flipped target then cost 1e-6–2e-5 with full-size gradients at q = 1.
   */
  private cache = new Map<string, Diagrams>();
  /** The side and fingerprint of the volume each key was first seen with (a key reused for another volume is refused). */
  private seen = new Map<string, { side: number; print: number[] }>();

  /** `runner`: where the per-sample CPU stage runs (a TopoPool in Node spreads a batch over the cores). */
  constructor(opts: Partial<TopoLossOptions> = {}, readonly runner: TopoRunner = inThread) {
    this.opts = { ...TOPO_DEFAULTS, ...opts };
    const { size, dims, construction, engine } = this.opts;
    checkOptionNames(opts, Object.keys(TOPO_DEFAULTS), 'topo loss');
    // NOTE: checked here, not at the first step: a bad size or q used to fail deep in a later call, an
    // unknown engine or construction to run as another one.
    if (!Number.isInteger(size) || size < 1) throw new Error(`topo loss: size must be a positive integer, got ${JSON.stringify(size)}`);
    checkLossOptions(this.opts, 'topo loss');
    checkConstruction(construction, 'topo loss');
    if (!['auto', 'cpu', 'gpu'].includes(engine)) throw new Error(`topo loss: engine must be 'auto', 'cpu' or 'gpu', got ${JSON.stringify(engine)}`);
    if (engine === 'gpu' && dims.includes(1)) throw new Error('topo loss: dimension 1 needs the cpu engine');
  }

  /** Whether this batch's diagrams are computed on the GPU (see the engines above). */
  onGpu(g: Tape['gpu']): boolean {
    const { engine, dims } = this.opts;
    return engine === 'gpu' || (engine === 'auto' && !dims.includes(1) && gpuUnionFindPays(g));
  }

  /**
   * Computes and caches the diagrams of targets not seen yet: downsampled to s³ by the prediction's own
   * kernel, so that a prediction equal to its target costs exactly 0 (the float64 CPU downsampling differed
   * by f32 rounding, which q = 1 turned into full-size gradients of random sign). Call it before training
   * with the validation targets and the training targets in every orientation augmentation gives them
   * (prepareTopo in train/batches.ts): apply() calls it for targets it has not seen, at the price of one more
   * read-back in that step.
   */
  async prepare(g: Gpu, targets: TopoTarget[]): Promise<void> {
    await this.entries(g, targets);
  }

  /** prepare(), returning each target's cache entry. */
  private async entries(g: Gpu, targets: TopoTarget[]): Promise<string[]> {
    const s = this.opts.size;
    const entries = targets.map((t) => this.entry(t));
    const fresh = [...new Map(targets.map((t, k) => [entries[k], t] as const).filter(([e]) => !this.cache.has(e))).entries()];
    const CHUNK = 8; // volumes per upload (64³: 8 MB)
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const part = fresh.slice(i, i + CHUNK).map(([, t]) => t);
      const side = sideOf(part[0]);
      if (part.some((t) => sideOf(t) !== side)) throw new Error('topo loss: targets of different sizes in one call');
      if (s > side) throw new Error(`topo loss: size ${s} exceeds the target side ${side}`);
      const all = new Float32Array(part.length * side ** 3);
      part.forEach((t, k) => all.set(t.volume, k * side ** 3));
      const tape = new Tape(g);
      const x = Tensor.from(g, all, [part.length, side, side, side]);
      let host: Float32Array;
      try {
        host = await (s === side ? x : trilinearDown(tape, x, s)).read();
      } finally {
        tape.release();
        x.release();
      }
      const per = s ** 3;
      const { construction, dims } = this.opts;
      const jobs: TopoJob[] = part.map((_, k) => ({ kind: 'diagrams', volume: host.slice(k * per, (k + 1) * per), shape: [s, s, s], opts: { construction, dims } }));
      (await this.runner.run(jobs)).forEach((r, k) => this.cache.set(fresh[i + k][0], r.diagrams!));
    }
    return entries;
  }

  /**
   * The cache entry of a target (see cache); throws if its key was first seen with another volume (one that
   * is not a flip or rotation of the first: its fingerprint differs).
   */
  private entry(t: TopoTarget): string {
    const side = sideOf(t);
    const print = fingerprint(t.volume, side);
    const first = this.seen.get(t.key);
    const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
    if (!first) this.seen.set(t.key, { side, print });
    else if (side !== first.side || print.some((x, k) => !close(x, first.print[k]))) {
      throw new Error(`topo loss: target key '${t.key}' was cached for another volume (keys must name one target; flips and 90° rotations are fine)`);
    }
    return this.opts.size === side ? t.key : `${t.key}\n${orderHash(t.volume)}`;
  }

  /** L_T of a batch of predictions [B, 1, S, S, S] (or [B, S, S, S]) against their targets. */
  async apply(t: Tape, pred: Tensor, targets: TopoTarget[]): Promise<TopoLossResult> {
    const side = pred.shape[pred.shape.length - 1];
    const batch = pred.shape[0];
    const cube = pred.shape.slice(-3);
    const oneChannel = pred.shape.length === 4 || (pred.shape.length === 5 && pred.shape[1] === 1);
    if (!oneChannel || cube.some((n) => n !== side)) throw new Error(`topo loss: the prediction must be [B, 1, S, S, S] or [B, S, S, S], got [${pred.shape}]`);
    if (targets.length !== batch) throw new Error(`topo loss: ${batch} predictions, ${targets.length} targets`);
    const s = this.opts.size;
    if (s > side) throw new Error(`topo loss: size ${s} exceeds the volume side ${side}`);
    const small = s === side ? pred : trilinearDown(t, pred, s);
    const per = s * s * s;
    const { construction, dims } = this.opts;
    const t0 = performance.now();
    // each sample's job gets its own copy of its volume: a view would send the whole batch to a worker
    const preds: Array<Float32Array | Diagrams> = this.onGpu(t.gpu)
      ? await persistenceGpuBatch(t.gpu, small.buffer, [s, s, s], batch, { construction, dims }).catch((e: unknown) => {
        // NOTE: as on the CPU engine: a diverged network, named by sample and voxel (it was a bare volume error)
        if (e instanceof NonFiniteVolume) throw new DivergedError(`the prediction has ${e.value} at voxel ${e.index} of sample ${e.volume}`);
        throw e;
      })
      : await small.read().then((host) => {
        // NOTE: a diverged network's NaN would otherwise surface as a bad-volume error deep in persistence()
        const bad = host.findIndex((x) => !Number.isFinite(x));
        if (bad >= 0) throw new DivergedError(`the prediction has ${host[bad]} at voxel ${bad % per} of sample ${Math.floor(bad / per)}`);
        return Array.from({ length: batch }, (_, b) => host.slice(b * per, (b + 1) * per));
      });
    const wanted = (await this.entries(t.gpu, targets)).map((e) => this.cache.get(e)!);
    const results = await this.runner.run(preds.map((p, b) => ({ kind: 'loss', pred: p, shape: [s, s, s], target: wanted[b], opts: this.opts })));
    const wall = performance.now() - t0;
    const perDim = [0, 0, 0];
    let value = 0;
    const ms = { persistence: 0, matching: 0, wall };
    // the samples' sparse gradients, side by side: their voxel ranges do not overlap
    const indices = new Uint32Array(results.reduce((n, r) => n + r.loss!.grad.index.length, 0));
    const values = new Float32Array(indices.length);
    let at = 0;
    results.forEach((r, b) => {
      const l = r.loss!;
      value += l.value / batch;
      l.perDim.forEach((v, k) => (perDim[k] += v / batch));
      for (let k = 0; k < l.grad.index.length; k++, at++) {
        indices[at] = b * per + l.grad.index[k];
        values[at] = l.grad.value[k] / batch;
      }
      ms.persistence += r.ms.persistence;
      ms.matching += r.ms.matching;
    });
    const loss = Tensor.from(t.gpu, new Float32Array([value]), [1]);
    t.record(loss, [small], (gy) => [scatterGrad(gy, small.shape, indices, values)]);
    return { loss, value, perDim, ms };
  }
}
