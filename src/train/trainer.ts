// The training loop over a given train/validation split (made by train/data.ts): Adam, Dice + BCE (+ λ · topological loss), validation each epoch,
// early stopping and learning-rate reduction, atomic checkpoints every epoch, and an exact resume:
// each epoch's shuffling and augmentation come from an RNG seeded by (seed, epoch), and the checkpoint
// holds weights, BatchNorm statistics, Adam moments and schedule state, so an interrupted run that resumes
// reaches the same weights as one that was never interrupted.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Gpu } from '../gpu/device.ts';
import type { Sample } from '../data/sample.ts';
import { Discriminator } from '../model/discriminator.ts';
import { ganStep } from './gan_step.ts';
import type { Tape } from '../tape/tape.ts';
import type { Tensor } from '../tape/tensor.ts';
import { Shapr } from '../model/shapr.ts';
import { Adam } from '../optim/adam.ts';
import { inThread } from '../topo/topo_job.ts';
import { TopoLoss } from '../topo/topo_loss.ts';
import { TopoPool } from '../topo/topo_pool.ts';
import { Rng } from '../util/rng.ts';
import { DivergedError, UserError } from '../util/errors.ts';
import { readJsonFile } from '../util/json_file.ts';
import { appendLine, lockFolder, makeOutputDir, removeStaleTemporaries, writeFileAtomic } from '../util/atomic.ts';
import { chunk, makeBatch, prepareTopo, releaseBatch } from './batches.ts';
import { loadCheckpoint, loadModel, saveCheckpoint, saveModel } from './checkpoint.ts';
import { checkConfig, configChanges, configFromJson, configJson, FLAG, type TrainConfig } from './config.ts';
import { initialPlateau, plateauStep, type PlateauState } from './schedule.ts';
import { samplesFingerprint, type Split } from './data.ts';
import { lossStep, topoTerm, type Parts } from './loss_step.ts';

export type { Parts } from './loss_step.ts';

/** The parts of an adversarial step (gan_step.ts): loss = the generator's (10·supervised + adversarial)/11. */
export interface AdversarialParts {
  loss: number;
  supervised: number;
  discriminator: number;
  adversarial: number;
}

/** One line of log.jsonl. Validation is always the supervised parts (without λ·L_T in the adversarial phase). */
export type EpochLog = { epoch: number; val: Parts; lr: number; seconds: number; improved: boolean } & (
  | { phase?: undefined; train: Parts } // the supervised phase
  | { phase: 'adversarial'; train: AdversarialParts }
);

export interface TrainEvents {
  /** `adversarial`: the epoch's place in the adversarial phase (k of n), absent in the supervised phase. */
  onEpochStart?(epoch: number, steps: number, adversarial?: { k: number; n: number }): void;
  onStep?(epoch: number, step: number, steps: number, parts: Parts | AdversarialParts): void;
  onEpochEnd?(log: EpochLog): void;
  /** A run picked up from its checkpoint at `epoch` (0-based); `done`: its training had ended (all epochs, or early stopping). */
  onResume?(epoch: number, done: boolean): void;
  /** The targets' diagrams for the topological loss, before the first epoch: `done` of `total` samples. */
  onPrepare?(done: number, total: number): void;
  /** The run's data folder is now `now` (same samples as at `then`); config.json was updated. */
  onDataMoved?(then: string, now: string): void;
  /** The run's --epochs changed from `then` to `now` (not below the epochs trained); config.json was updated. */
  onEpochsChanged?(then: number, now: number): void;
}

export const RUN_FILES = {
  config: 'config.json',
  samples: 'samples.json', // the samples' fingerprint (data.ts): a resume on other data is refused
  log: 'log.jsonl',
  last: 'last.ckpt.safetensors',
  best: 'best.safetensors',
  metrics: 'metrics.json', // written last (finish.ts): its presence marks a finished run
};

/** The supervised phase's best weights, kept aside when the adversarial phase begins. */
const SUPERVISED_BEST = 'best_supervised.safetensors';

/** An RNG stream for (seed, epoch, purpose), independent of what ran before. */
function epochRng(seed: number, epoch: number, purpose: number): Rng {
  return new Rng(((seed * 1_000_003) ^ (epoch * 7919 + purpose * 104729)) >>> 0);
}

/** The mean of per-batch parts, each weighted by its batch's size (a short last batch counts for less). */
export function mean<P extends Parts | AdversarialParts>(parts: P[], sizes: number[]): P {
  const n = Math.max(1, sizes.reduce((a, b) => a + b, 0));
  const m: Record<string, number> = {};
  for (const k of Object.keys(parts[0] ?? {})) m[k] = parts.reduce((acc, p, i) => acc + ((p as unknown as Record<string, number>)[k] * sizes[i]) / n, 0);
  return m as unknown as P;
}

/** One forward (+ backward and update when `opt` is given) over a batch of samples; returns the loss parts. */
async function runBatch(g: Gpu, model: Shapr, topo: TopoLoss | null, c: TrainConfig, samples: Sample[], rng: Rng | null, opt: Adam | null): Promise<Parts> {
  const batch = makeBatch(g, samples, rng);
  try {
    return await lossStep(g, model, batch, topo, c.lambda, opt);
  } finally {
    releaseBatch(batch);
  }
}

/**
 * Runs a step (or a validation pass) and stops the run with a clear error when it diverged (a NaN or infinite
 * loss or prediction), before anything of this epoch is written: the run directory keeps the last finished
 * epoch's checkpoint, so a resume with the same options would diverge again, and a new run needs a lower --lr.
 */
async function guardDivergence(dir: string, epoch: number, where: string, lr: number, step: () => Promise<Parts>): Promise<Parts> {
  const fail = (what: string) =>
    new UserError(`${dir}: training diverged in epoch ${epoch + 1}, ${where} (${what}); ${epoch === 0 ? 'no epoch had finished' : `the run directory keeps epoch ${epoch}'s checkpoint`}; start a new run with a lower --lr (this one used ${lr})`);
  let p: Parts;
  try {
    p = await step();
  } catch (err) {
    if (err instanceof DivergedError) throw fail(err.message);
    throw err;
  }
  if (!Number.isFinite(p.loss)) throw fail(`the loss is ${p.loss}`);
  return p;
}

/** Mean loss parts over a split without updating anything (BatchNorm in evaluation mode). */
async function evaluateLoss(g: Gpu, model: Shapr, topo: TopoLoss | null, c: TrainConfig, samples: Sample[]): Promise<Parts> {
  const parts: Parts[] = [];
  const batches = chunk([...samples.keys()], c.batchSize);
  for (const idx of batches) parts.push(await runBatch(g, model, topo, c, idx.map((i) => samples[i]), null, null));
  // NOTE: by sample: with 7 samples in batches of 6, batch means gave the seventh half the weight
  return mean(parts, batches.map((b) => b.length));
}

export interface TrainResult {
  model: Shapr;
  epochs: EpochLog[];
  stoppedEarly: boolean;
}

/** A JSON file a resume depends on; a damaged one means the run directory cannot be resumed. */
function readRunJson(path: string): unknown {
  return readJsonFile(path, () => 'not valid JSON (damaged?); this run directory cannot be resumed: use a new --out');
}

/**
 * The options run directory `dir` was started with (config.json, with the defaults of fields it lacks); null
 * if it has none, or if its config.json is not an object (checkSameConfig says so). Throws on a damaged file.
 */
export function savedConfig(dir: string): Record<string, unknown> | null {
  const cfgPath = join(dir, RUN_FILES.config);
  if (!existsSync(cfgPath)) return null;
  const old = readRunJson(cfgPath) as Record<string, unknown>;
  return old && typeof old === 'object' && !Array.isArray(old) ? configFromJson(old) : null;
}

/** What a run directory's config.json allows a resume to change: `moved` / `epochs` hold the old values. */
export interface SavedConfig {
  exists: boolean;
  moved?: string;
  epochs?: number;
}

/**
 * Whether run directory `dir` already has a config.json; throws a UserError naming the options that differ
 * from `c` (or a damaged file), since a run resumes only with the options it was started with. Two may differ:
 * - the data folder's path, when the run has a samples.json: its fingerprint decides (checkSameSamples), since
 *   clusters stage the same data to per-job scratch folders;
 * - --epochs: a run trains on to the new count (trainLocked refuses one below the epochs already trained).
 */
export function checkSameConfig(dir: string, c: TrainConfig): SavedConfig {
  const cfgPath = join(dir, RUN_FILES.config);
  if (!existsSync(cfgPath)) return { exists: false };
  const saved = savedConfig(dir);
  let changes = saved ? configChanges(saved, c) : ['(not a config object)'];
  const out: SavedConfig = { exists: true };
  // (a path stored relative by an older version is the same folder if it resolves to this one: configChanges)
  if (saved && saved.data !== 'synthetic' && c.data !== 'synthetic' && existsSync(join(dir, RUN_FILES.samples)) && resolve(String(saved.data)) !== resolve(c.data)) {
    out.moved = String(saved.data);
    changes = changes.filter((x) => !x.startsWith(`${FLAG.data} `));
  }
  if (saved && saved.epochs !== c.epochs && Number.isInteger(saved.epochs)) {
    out.epochs = saved.epochs as number;
    changes = changes.filter((x) => !x.startsWith(`${FLAG.epochs} `));
  }
  if (changes.length) {
    throw new UserError(`${cfgPath}: this run directory was started with other options (${changes.slice(0, 4).join(', ')}${changes.length > 4 ? ', …' : ''}); use a new --out or the same options`);
  }
  return out;
}

/**
 * Records the fingerprint of the samples a run starts with, and refuses to go on with others. (A run directory
 * from before the fingerprint existed records the samples it is resumed with.)
 */
function checkSameSamples(dir: string, c: TrainConfig, samples: readonly Sample[]): void {
  const path = join(dir, RUN_FILES.samples);
  const now = samplesFingerprint(samples);
  if (!existsSync(path)) return writeFileAtomic(path, JSON.stringify(now, null, 1) + '\n');
  const then = readRunJson(path) as { count?: unknown; sha256?: unknown } | null;
  if (then?.sha256 !== now.sha256) {
    const where = c.data === 'synthetic' ? 'the synthetic cells' : c.data;
    throw new UserError(`${path}: ${where} now holds other samples than this run started with (${then?.count} then, ${now.count} now, or other names, classes or values); its split would mix training and test samples: use a new --out, or the data it started with`);
  }
}

/** Trains (or resumes) the run in `dir` on `samples` split by `split`. */
export async function train(g: Gpu, config: TrainConfig, dir: string, samples: Sample[], split: Split, ev: TrainEvents = {}): Promise<TrainResult> {
  const c = checkConfig(config);
  makeOutputDir(dir);
  const unlock = lockFolder(dir, 'this run directory is');
  try {
    return await trainLocked(g, c, dir, samples, split, ev);
  } finally {
    unlock();
  }
}

async function trainLocked(g: Gpu, c: TrainConfig, dir: string, samples: Sample[], split: Split, ev: TrainEvents): Promise<TrainResult> {
  removeStaleTemporaries(dir);
  const cfgPath = join(dir, RUN_FILES.config);
  const saved = checkSameConfig(dir, c);
  if (!saved.exists) writeFileAtomic(cfgPath, configJson(c));
  checkSameSamples(dir, c, samples);
  // NOTE: the adversarial phase replaces best.safetensors and starts from the supervised best kept aside:
  // supervised epochs after it would mix the two
  if (saved.epochs !== undefined && existsSync(join(dir, SUPERVISED_BEST))) {
    throw new UserError(`${FLAG.epochs} ${saved.epochs} → ${c.epochs}: ${dir} has begun its adversarial phase, after which it cannot train longer; use a new --out`);
  }

  const model = new Shapr(g, { side: c.side, filters: c.filters }, c.seed);
  const opt = new Adam(model.params, { lr: c.lr });
  // NOTE: from 32³ up a sample's diagrams take tens of milliseconds or more: worth a thread each;
  // below, the messages would cost about what the threads save.
  const pool = c.lambda > 0 && c.topoSize >= 32 ? new TopoPool() : null;
  const topo = c.lambda > 0 ? new TopoLoss({ size: c.topoSize, dims: c.topoDims, q: c.topoQ, totalPersistence: c.topoPersistence }, pool ?? inThread) : null;
  try {
    let state: PlateauState = initialPlateau(c.lr);
    let start = 0;
    const logs: EpochLog[] = [];
    const lastPath = join(dir, RUN_FILES.last);
    if (existsSync(lastPath)) {
      const ck = await loadCheckpoint(lastPath, model, opt);
      state = ck.state;
      start = ck.epoch + 1;
      logs.push(...ck.logs);
    }
    if (saved.epochs !== undefined) {
      if (c.epochs < start) throw new UserError(`${FLAG.epochs} ${c.epochs}: ${dir} has trained ${start} epochs already; give at least that many, or use a new --out`);
      // NOTE: without its checkpoint a trained run would start over and overwrite its log and best weights
      if (start === 0 && (existsSync(join(dir, RUN_FILES.best)) || existsSync(join(dir, RUN_FILES.metrics)))) {
        throw new UserError(`${FLAG.epochs} ${saved.epochs} → ${c.epochs}: ${lastPath} is missing, so the run cannot train on from where it stopped; use a new --out`);
      }
    }
    let stopped = logs.length > 0 && logs[logs.length - 1].epoch - state.bestEpoch >= c.patience;
    // a finished run given more epochs is unfinished again until finishRun writes its metrics anew: removed
    // before config.json records the new count, so that an interrupted extension resumes rather than
    // counting as trained
    if (!stopped && start < c.epochs) rmSync(join(dir, RUN_FILES.metrics), { force: true });
    // the same samples from another folder, or a new epoch count: the run goes on, and its config says so
    // (not the count of a run that stopped early, which it does not change: compare would split its folds)
    const newEpochs = saved.epochs !== undefined && !stopped;
    if (saved.moved !== undefined || newEpochs) writeFileAtomic(cfgPath, configJson(newEpochs ? c : { ...c, epochs: saved.epochs ?? c.epochs }));
    if (saved.moved !== undefined) ev.onDataMoved?.(saved.moved, c.data);
    if (newEpochs) ev.onEpochsChanged?.(saved.epochs!, c.epochs);
    // the log is rewritten from the checkpoint's copy, so epochs run after it (then lost) leave no trace
    writeFileAtomic(join(dir, RUN_FILES.log), logs.map((l) => JSON.stringify(l) + '\n').join(''));
    const trainSet = split.train.map((i) => samples[i]);
    const valSet = split.val.map((i) => samples[i]);
    if (start > 0) ev.onResume?.(start, stopped || start >= c.epochs);
    // the targets' diagrams once, up front (the training targets in every orientation augmentation gives
    // them), also before an adversarial phase alone (a run resumed after its supervised epochs): each step
    // then has one read-back (topo_loss.ts)
    if (topo && ((!stopped && start < c.epochs) || c.adversarialEpochs > 0)) {
      const total = trainSet.length + valSet.length;
      await prepareTopo(g, topo, trainSet, c.augment, (k) => ev.onPrepare?.(k, total));
      await prepareTopo(g, topo, valSet, false, (k) => ev.onPrepare?.(trainSet.length + k, total));
    }
    for (let epoch = start; epoch < c.epochs && !stopped; epoch++) {
      const t0 = performance.now();
      opt.opts.lr = state.lr;
      const order = [...trainSet.keys()];
      epochRng(c.seed, epoch, 1).shuffle(order);
      let batches = chunk(order, c.batchSize);
      if (c.stepsPerEpoch > 0) batches = batches.slice(0, c.stepsPerEpoch);
      ev.onEpochStart?.(epoch, batches.length);
      const aug = c.augment ? epochRng(c.seed, epoch, 2) : null;
      const parts: Parts[] = [];
      for (const [k, idx] of batches.entries()) {
        const p = await guardDivergence(dir, epoch, `step ${k + 1}`, opt.opts.lr, () => runBatch(g, model, topo, c, idx.map((i) => trainSet[i]), aug, opt));
        parts.push(p);
        ev.onStep?.(epoch, k + 1, batches.length, p);
      }
      const val = await guardDivergence(dir, epoch, 'validation', opt.opts.lr, () => evaluateLoss(g, model, topo, c, valSet));
      const decision = plateauStep(state, epoch, val.loss, c);
      const log: EpochLog = { epoch, train: mean(parts, batches.map((b) => b.length)), val, lr: opt.opts.lr, seconds: (performance.now() - t0) / 1000, improved: decision.improved };
      logs.push(log);
      if (decision.improved) await saveModel(join(dir, RUN_FILES.best), model, { epoch, valLoss: val.loss });
      await saveCheckpoint(lastPath, model, opt, { epoch, state, logs });
      appendLine(join(dir, RUN_FILES.log), JSON.stringify(log));
      ev.onEpochEnd?.(log);
      stopped = decision.stop;
    }
    if (c.adversarialEpochs > 0) logs.push(...(await adversarialPhase(g, c, dir, model, topo, trainSet, valSet, logs.length, ev)));
    return { model, epochs: logs, stoppedEarly: stopped };
  } finally {
    await pool?.close();
  }
}

/**
 * SHAPR's adversarial fine-tuning, from the best supervised weights: generator loss (10·supervised +
 * adversarial)/11 with a 3D discriminator (src/train/gan_step.ts); in a topological run the supervised term
 * and the validation loss keep λ·L_T, as in its supervised epochs. It is deterministic, so an interrupted phase
 * is simply run again from the supervised best (kept as best_supervised.safetensors); its best weights (by validation loss) replace best.safetensors.
 */
async function adversarialPhase(g: Gpu, c: TrainConfig, dir: string, model: Shapr, topo: TopoLoss | null, trainSet: Sample[], valSet: Sample[], first: number, ev: TrainEvents): Promise<EpochLog[]> {
  // the phase always starts from the supervised phase's best, kept aside, so that a rerun is identical
  const supervisedBest = join(dir, SUPERVISED_BEST);
  if (!existsSync(supervisedBest)) writeFileAtomic(supervisedBest, readFileSync(join(dir, RUN_FILES.best)));
  await loadModel(supervisedBest, model);
  const disc = new Discriminator(g, model.config, c.seed + 1);
  const optG = new Adam(model.params, { lr: c.lr });
  const optD = new Adam(disc.params, { lr: c.lr });
  const logs: EpochLog[] = [];
  let best = (await evaluateLoss(g, model, topo, c, valSet)).loss;
  for (let k = 0; k < c.adversarialEpochs; k++) {
    const epoch = first + k;
    const t0 = performance.now();
    const order = [...trainSet.keys()];
    epochRng(c.seed, epoch, 1).shuffle(order);
    const batches = chunk(order, c.batchSize);
    ev.onEpochStart?.(epoch, batches.length, { k, n: c.adversarialEpochs });
    const aug = c.augment ? epochRng(c.seed, epoch, 2) : null;
    const parts: AdversarialParts[] = [];
    for (const [i, idx] of batches.entries()) {
      const batch = makeBatch(g, idx.map((j) => trainSet[j]), aug);
      // a topological run keeps λ·L_T in the supervised term (the phase dropped it without a word)
      const lambdaLT = topo ? async (t: Tape, pred: Tensor) => (await topoTerm(t, topo, pred, batch, c.lambda)).loss : undefined;
      const l = await ganStep(g, model, disc, optG, optD, batch.input, batch.target, lambdaLT);
      releaseBatch(batch);
      parts.push({ loss: l.generator, supervised: l.supervised, discriminator: l.discriminator, adversarial: l.adversarial });
      ev.onStep?.(epoch, i + 1, batches.length, parts[parts.length - 1]);
    }
    const val = await evaluateLoss(g, model, topo, c, valSet);
    const improved = val.loss < best;
    if (improved) {
      best = val.loss;
      await saveModel(join(dir, RUN_FILES.best), model, { epoch, valLoss: val.loss });
    }
    const log: EpochLog = { epoch, phase: 'adversarial', train: mean(parts, batches.map((b) => b.length)), val, lr: c.lr, seconds: (performance.now() - t0) / 1000, improved };
    appendLine(join(dir, RUN_FILES.log), JSON.stringify(log));
    ev.onEpochEnd?.(log);
    logs.push(log);
  }
  return logs;
}
