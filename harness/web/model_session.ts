// The page's network: a checkpoint loaded into a Shapr on the browser's GPU, prediction, and a few training
// steps (Dice + BCE, optionally + λ·L_T) with the same src/ modules the Node trainer uses.
import type { Gpu } from '../../src/gpu/device.ts';
import type { Sample } from '../../src/data/sample.ts';
import { Shapr, type ShaprConfig } from '../../src/model/shapr.ts';
import { applyWeights, decodeWeights, weightsConfig, type DecodedWeights } from '../../src/model/weights.ts';
import { Adam } from '../../src/optim/adam.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { TopoLoss } from '../../src/topo/topo_loss.ts';
import { chunk, makeBatch, prepareTopo, releaseBatch } from '../../src/train/batches.ts';
import { lossStep } from '../../src/train/loss_step.ts';
import { Rng } from '../../src/util/rng.ts';

/** A decoded checkpoint: kept so that a trained model can be reset to it. */
export interface Checkpoint {
  source: string;
  config: ShaprConfig;
  weights: DecodedWeights;
}

/** Checks and decodes a weights file's bytes (UserError naming `source` on any problem). */
export function readCheckpoint(bytes: ArrayBuffer | Uint8Array, source: string): Checkpoint {
  const weights = decodeWeights(bytes, source);
  return { source, config: weightsConfig(weights, source), weights };
}

/** A new model on `gpu` holding the checkpoint's weights. */
export function modelFrom(gpu: Gpu, ck: Checkpoint): Shapr {
  const model = new Shapr(gpu, ck.config, 0);
  try {
    applyWeights(model, ck.weights, ck.source);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** The predicted volume [S, S, S] for one input [2, S, S] (mask, image × mask), BatchNorm in eval mode. */
export async function predictVolume(gpu: Gpu, model: Shapr, input: Float32Array): Promise<Float32Array> {
  const s = model.config.side;
  const t = new Tape(gpu);
  t.recording = false;
  const x = Tensor.from(gpu, input, [1, 2, 1, s, s]);
  try {
    return await model.forward(t, x, false).read();
  } finally {
    t.release();
    x.release();
  }
}

export interface TrainOptions {
  steps: number;
  lambda: number; // weight of L_T; 0 = supervised only
  topoDims: number[]; // homology dimensions of L_T
  lr: number;
  batchSize: number;
  seed: number; // shuffling and augmentation
}

export interface StepLog {
  step: number;
  loss: number; // total
  supervised: number; // (2·dice + bce)/2, from the step's dice and bce
  topo: number;
  ms: number;
}

/**
 * Runs `steps` Adam steps on `samples` (shuffled batches with the paper's augmentation), calling `onStep`
 * after each; stops early when `shouldStop` says so. Returns the per-step logs.
 */
export async function trainSteps(
  gpu: Gpu, model: Shapr, samples: Sample[], o: TrainOptions,
  onStep: (log: StepLog) => void | Promise<void>, shouldStop: () => boolean = () => false,
): Promise<StepLog[]> {
  const opt = new Adam(model.params, { lr: o.lr });
  const topo = o.lambda > 0 ? new TopoLoss({ size: Math.min(16, model.config.side), dims: o.topoDims }) : null;
  const rng = new Rng(o.seed);
  const logs: StepLog[] = [];
  let order: number[][] = [];
  try {
    // the targets' diagrams once, up front: each step then has one read-back (as the Node trainer)
    if (topo) await prepareTopo(gpu, topo, samples, true);
    for (let step = 1; step <= o.steps && !shouldStop(); step++) {
      if (!order.length) {
        const idx = [...samples.keys()];
        rng.shuffle(idx);
        order = chunk(idx, o.batchSize).filter((b) => b.length === o.batchSize);
        if (!order.length) order = [idx];
      }
      const t0 = performance.now();
      const batch = makeBatch(gpu, order.shift()!.map((i) => samples[i]), rng);
      try {
        const p = await lossStep(gpu, model, batch, topo, o.lambda, opt);
        const log = { step, loss: p.loss, supervised: (2 * p.dice + p.bce) / 2, topo: p.topo, ms: performance.now() - t0 };
        logs.push(log);
        await onStep(log);
      } finally {
        releaseBatch(batch);
      }
    }
  } finally {
    for (const m of [...opt.m, ...opt.v]) m.release();
  }
  return logs;
}
