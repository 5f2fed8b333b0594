// The topological-loss step of one batch: trilinear downsampling to s³ (GPU) + read-back + persistence
// diagrams (CPU) + optimal matching to the targets' cached diagrams (CPU) + the backward (WGSL scatter and the
// downsampling's adjoint), at s = 16 and at full resolution (s = side: no downsampling), batch 6.
// Predictions (--pred):
//   noisy: the synthetic targets with ±0.1 uniform noise, clamped to [0, 1] (an imperfect, noisy likelihood:
//     many small features, the hard case for the diagrams);
//   network: what the default network (SHAPR, 10 filters) predicts for the same samples after each of
//     --steps training steps (one run: batch 6, Adam, Dice + BCE, on 24 other synthetic samples): the
//     volumes the loss sees early in training. pred_pairs is their mean number of pairs (all dimensions, at
//     s = side): an untrained network's transposed convolutions leave many small wiggles.
// Target diagrams are cached after the warm-up run, as in training. One JSON row per (pred, s, dims,
// threads): threads 0 runs the CPU stage in the main thread, n > 0 on a TopoPool of n worker threads
// (default: 0 and one per core). persistence_ms and matching_ms are the two CPU stages summed over the
// samples; cpu_stage_ms is that stage's wall time.
// Usage: npx tsx harness/bench/topo_loss.ts [--side 64] [--sizes 16,64] [--batch 6] [--dims 2|0,1,2|both]
//   [--threads 0,2] [--pred noisy,network] [--steps 10,40] [--repeats 5] [--quick]
import { pathToFileURL } from 'node:url';
import { generateDataset } from '../../src/data/synthetic.ts';
import { Shapr } from '../../src/model/shapr.ts';
import { Adam } from '../../src/optim/adam.ts';
import { persistence } from '../../src/topo/persistence.ts';
import { makeBatch, releaseBatch } from '../../src/train/batches.ts';
import { predictSamples } from '../../src/train/predict.ts';
import { type Gpu, getGpu } from '../../src/gpu/device.ts';
import { sync } from '../../src/gpu/kernel.ts';
import { full } from '../../src/ops/elementwise.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { availableParallelism } from 'node:os';
import { inThread } from '../../src/topo/topo_job.ts';
import { TopoLoss, type TopoTarget } from '../../src/topo/topo_loss.ts';
import { TopoPool } from '../../src/topo/topo_pool.ts';
import { Rng } from '../../src/util/rng.ts';
import { argNumbers, argValue, emit, median, memory, round, type Row, timeRuns, timingFields } from './common.ts';
import { supervisedStep } from './shapr_step.ts';

export interface TopoLossBenchOptions {
  side: number; // S of the volumes (64)
  sizes: number[]; // s values (16 and S)
  batch: number; // 6
  dims: number[][]; // homology-dimension sets, e.g. [[2], [0, 1, 2]]
  threads: number[]; // 0: the CPU stage in the main thread; n: a pool of n worker threads
  preds: Array<'noisy' | 'network'>; // which predictions (see the header)
  steps: number[]; // training steps (increasing) after which the network's predictions are taken
  repeats: number;
}

/** Noisy predictions [B, 1, S, S, S] next to their synthetic targets. */
export function topoBatch(side: number, batch: number): { targets: TopoTarget[]; pred: Float32Array } {
  const samples = generateDataset({ n: batch, size: side, seed: 7 });
  const rng = new Rng(11);
  const per = side ** 3;
  const pred = new Float32Array(batch * per);
  samples.forEach((s, b) => {
    for (let i = 0; i < per; i++) pred[b * per + i] = Math.min(1, Math.max(0, s.target[i] + 0.2 * (rng.next() - 0.5)));
  });
  return { targets: samples.map((s) => ({ key: s.name, volume: s.target })), pred };
}

/**
 * The default network's predictions for topoBatch's samples after each of `steps` (increasing) training
 * steps on 24 other samples, in one training run; `use` gets each batch before training goes on.
 */
export async function networkBatches(g: Gpu, side: number, batch: number, steps: number[],
  use: (b: { targets: TopoTarget[]; pred: Float32Array }, steps: number) => Promise<void>): Promise<void> {
  const samples = generateDataset({ n: batch, size: side, seed: 7 });
  const targets = samples.map((s) => ({ key: s.name, volume: s.target }));
  const train = generateDataset({ n: 24, size: side, seed: 8 });
  const model = new Shapr(g, { side, filters: 10 }, 1);
  const adam = new Adam(model.params);
  let done = 0;
  for (const until of steps) {
    for (; done < until; done++) {
      const first = (done * batch) % train.length;
      const b = makeBatch(g, train.slice(first, first + batch), null);
      await supervisedStep(g, model, adam, b.input, b.target);
      releaseBatch(b);
    }
    const pred = new Float32Array(batch * side ** 3);
    (await predictSamples(g, model, samples, batch)).forEach((p, b) => pred.set(p, b * side ** 3));
    await use({ targets, pred }, done);
  }
  model.dispose();
}

export async function benchTopoLoss(g: Gpu, o: TopoLossBenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const pairsOf = (pred: Float32Array) => {
    const per = o.side ** 3;
    let pairs = 0;
    for (let b = 0; b < o.batch; b++) pairs += persistence(pred.subarray(b * per, (b + 1) * per), [o.side, o.side, o.side]).dims.reduce((n, d) => n + d.length, 0);
    return Math.round(pairs / o.batch);
  };
  for (const kind of o.preds) {
    if (kind === 'noisy') {
      const { targets, pred } = topoBatch(o.side, o.batch);
      rows.push(...(await benchPredictions(g, o, targets, pred, 'noisy', pairsOf(pred))));
    } else {
      await networkBatches(g, o.side, o.batch, o.steps, async ({ targets, pred }, steps) => {
        rows.push(...(await benchPredictions(g, o, targets, pred, `network@${steps}`, pairsOf(pred))));
      });
    }
  }
  return rows;
}

async function benchPredictions(g: Gpu, o: TopoLossBenchOptions, targets: TopoTarget[], pred: Float32Array, kind: string, predPairs: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const dims of o.dims) {
    for (const s of o.sizes) for (const threads of o.threads) {
      memory.reset();
      const pool = threads > 0 ? new TopoPool(threads) : null;
      const topo = new TopoLoss({ size: s, dims }, pool ?? inThread);
      const x = Tensor.from(g, pred, [o.batch, 1, o.side, o.side, o.side], true);
      const pers: number[] = [];
      const match: number[] = [];
      const stage: number[] = [];
      const step = async () => {
        const t = new Tape(g);
        const r = await topo.apply(t, x, targets);
        t.backward(r.loss, t.own(full(g, [1], 1)));
        await sync(g);
        x.grad?.release();
        x.grad = null;
        t.release();
        pers.push(r.ms.persistence);
        match.push(r.ms.matching);
        stage.push(r.ms.wall);
      };
      const tm = await timeRuns(step, { warmup: 1, repeats: o.repeats });
      // NOTE: drop the warm-up run's stage times (it also computed the targets' diagrams).
      pers.shift();
      match.shift();
      stage.shift();
      await pool?.close();
      rows.push({
        bench: 'topo-loss', adapter: g.adapterName, pred: kind, pred_pairs: predPairs, side: o.side, s, batch: o.batch, dims: dims.join(','), threads,
        ...timingFields(tm), persistence_ms: round(median(pers)), matching_ms: round(median(match)),
        cpu_stage_ms: round(median(stage)), other_ms: round(tm.median_ms - median(stage)), ...memory.fields(),
      });
      x.release();
    }
  }
  return rows;
}

export function topoLossOptions(argv: readonly string[]): TopoLossBenchOptions {
  const quick = argv.includes('--quick');
  const side = Number(argValue(argv, 'side', quick ? '16' : '64'));
  const dimsArg = argValue(argv, 'dims', quick ? '0,1,2' : 'both');
  const dims = dimsArg === 'both' ? [[2], [0, 1, 2]] : [dimsArg.split(',').map(Number)];
  return {
    side,
    sizes: argNumbers(argv, 'sizes', quick ? [8, side] : [16, side]),
    batch: Number(argValue(argv, 'batch', quick ? '2' : '6')),
    dims,
    threads: argNumbers(argv, 'threads', [0, availableParallelism()]),
    preds: argValue(argv, 'pred', 'noisy,network').split(',').map((p) => {
      if (p !== 'noisy' && p !== 'network') throw new Error(`--pred: expected noisy and/or network, got '${p}'`);
      return p;
    }),
    steps: argNumbers(argv, 'steps', quick ? [1, 2] : [10, 40]),
    repeats: Number(argValue(argv, 'repeats', quick ? '1' : '5')), // 5: each pool thread warms up its own JIT
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const g = await getGpu();
  for (const r of await benchTopoLoss(g, topoLossOptions(process.argv.slice(2)))) emit(r);
}
