// Everything a training run depends on, with its default and why. Saved as config.json in the run
// directory; a resumed run must have the same config.
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../util/errors.ts';
import { SIDES } from '../model/shapr_layout.ts';
import { isDimList } from '../topo/arguments.ts';

export interface TrainConfig {
  data: string; // dataset folder in SHAPR's layout (stored absolute), or 'synthetic' for the built-in generator
  syntheticCount: number; // samples generated when data = 'synthetic'
  syntheticSeed: number; // generator seed
  side: number; // input H = W and output D = H = W (64 in the paper; 16 or 32 for quick runs)
  filters: number; // base filter count (10 in the paper: 10, 20, 40, 80)
  folds: number; // k of k-fold cross-validation (60/20/20 train/val/test at k = 5)
  fold: number; // which fold this run trains (0-based)
  seed: number; // initialisation, shuffling and augmentation
  batchSize: number; // 6 in the paper
  epochs: number; // maximum epochs (100 in the paper)
  patience: number; // early stopping: epochs without a better validation loss (15)
  lr: number; // Adam learning rate (1e-3)
  lrFactor: number; // ReduceLROnPlateau factor
  lrPatience: number; // ReduceLROnPlateau patience (epochs)
  minLr: number; // floor of the learning rate
  augment: boolean; // flips and 90° rotations, each with probability 1/3
  lambda: number; // weight of the topological loss (0 = the SHAPR baseline)
  topoSize: number; // s: side the topology is computed at (trilinear downsampling of pred and truth)
  topoDims: number[]; // homology dimensions of the loss
  topoQ: number; // Wasserstein exponent (any q ≥ 1, or Infinity)
  topoPersistence: number; // μ: weight of the prediction's total persistence (0 = off)
  stepsPerEpoch: number; // 0 = the whole training split; > 0 caps steps (quick demos)
  adversarialEpochs: number; // SHAPR's optional adversarial fine-tuning after the supervised phase (0 = off)
}

export const TRAIN_DEFAULTS: TrainConfig = {
  data: 'synthetic',
  syntheticCount: 120,
  syntheticSeed: 1,
  side: 64,
  filters: 10,
  folds: 5,
  fold: 0,
  seed: 0,
  batchSize: 6,
  epochs: 100,
  patience: 15,
  lr: 1e-3,
  lrFactor: 0.5,
  lrPatience: 5,
  minLr: 1e-6,
  augment: true,
  lambda: 0.1,
  topoSize: 16,
  topoDims: [2],
  topoQ: 2,
  topoPersistence: 0,
  stepsPerEpoch: 0,
  adversarialEpochs: 0,
};

/** The command-line flag of each field a user sets (for messages: a user knows --batch-size, not batchSize). */
export const FLAG: Partial<Record<keyof TrainConfig, string>> = {
  data: '--data', augment: 'augmentation (--no-augment)', syntheticCount: '--synthetic-count', syntheticSeed: '--synthetic-seed', side: '--side', filters: '--filters', folds: '--folds',
  fold: '--fold', seed: '--seed', batchSize: '--batch-size', epochs: '--epochs', patience: '--patience', lr: '--lr',
  lrPatience: '--lr-patience', lambda: '--lambda', topoSize: '--topo-size', topoDims: '--topo-dims', topoQ: '--q',
  topoPersistence: '--total-persistence', stepsPerEpoch: '--steps-per-epoch', adversarialEpochs: '--adversarial-epochs',
};

/**
 * The fields a run records but does not use, and why: the topological loss's at λ = 0, the generator's on a
 * data folder. train refuses them on the command line; compare pools folds that differ only in them.
 */
export function unusedFields(c: Pick<TrainConfig, 'lambda' | 'data'>): Array<{ field: keyof TrainConfig; why: string }> {
  const topo = ['topoSize', 'topoDims', 'topoQ', 'topoPersistence'] as const;
  const synthetic = ['syntheticCount', 'syntheticSeed'] as const;
  return [
    ...(c.data !== 'synthetic' ? synthetic.map((field) => ({ field, why: `with --data ${c.data} (only with --data synthetic)` })) : []),
    ...(c.lambda === 0 ? topo.map((field) => ({ field, why: 'at --lambda 0 (the baseline has no topological loss)' })) : []),
  ];
}

/** Checks a config, naming the first bad field (by its flag). */
export function checkConfig(c: TrainConfig): TrainConfig {
  const bad = (field: keyof TrainConfig, why: string) => new UserError(`${FLAG[field] ?? `config: ${field}`} ${why}`);
  const nonNegInt = (f: keyof TrainConfig) => {
    const v = c[f] as number;
    if (!Number.isInteger(v) || v < 0) throw bad(f, `must be a non-negative integer, got ${v}`);
  };
  (['seed', 'syntheticSeed', 'stepsPerEpoch'] as const).forEach(nonNegInt);
  const posInt = (f: keyof TrainConfig) => {
    const v = c[f] as number;
    if (!Number.isInteger(v) || v < 1) throw bad(f, `must be a positive integer, got ${v}`);
  };
  (['side', 'filters', 'folds', 'batchSize', 'epochs', 'patience', 'lrPatience', 'topoSize', 'syntheticCount'] as const).forEach(posInt);
  if (!SIDES.includes(c.side)) throw bad('side', `must be one of ${SIDES.join(', ')} (the sides the network supports), got ${c.side}`);
  if (c.fold < 0 || c.fold >= c.folds || !Number.isInteger(c.fold)) throw bad('fold', `must be in 0..${c.folds - 1}, got ${c.fold}`);
  if (c.folds < 3) throw bad('folds', 'must be at least 3 (train, validation and test folds)');
  if (!(c.lr > 0 && c.lr < Infinity)) throw bad('lr', `must be a finite number > 0, got ${c.lr}`);
  if (!(c.lambda >= 0 && c.lambda < Infinity)) throw bad('lambda', `must be a finite number >= 0, got ${c.lambda}`);
  if (!(c.topoPersistence >= 0 && c.topoPersistence < Infinity)) throw bad('topoPersistence', `must be a finite number >= 0, got ${c.topoPersistence}`);
  if (c.lambda > 0 && c.topoSize > c.side) throw bad('topoSize', `(${c.topoSize}) exceeds the volume side --side (${c.side})`);
  if (!isDimList(c.topoDims)) throw bad('topoDims', `must be distinct dimensions among 0, 1, 2, got ${c.topoDims}`);
  if (!Number.isInteger(c.adversarialEpochs) || c.adversarialEpochs < 0) throw bad('adversarialEpochs', `must be a non-negative integer, got ${c.adversarialEpochs}`);
  if (!(c.topoQ >= 1)) throw bad('topoQ', `must be a number >= 1, or inf (bottleneck), got ${c.topoQ}`);
  return c;
}

/** JSON with Infinity (--q inf) spelled "Infinity": JSON.stringify wrote null, which no reader took for ∞. */
const withInfinity = (_: string, v: unknown) => (v === Infinity ? 'Infinity' : v);

/** A config as config.json holds it. */
export function configJson(c: TrainConfig): string {
  return JSON.stringify(c, withInfinity, 2);
}

/**
 * A parsed config.json back: "Infinity" is ∞, and so is a null q (runs saved before the spelling above); a
 * field that a run from an older version lacks takes its default (new options default to off, so a run
 * started before --adversarial-epochs existed resumes), and the loss's dimensions are in ascending order.
 */
export function configFromJson(saved: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...TRAIN_DEFAULTS, ...Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, v === 'Infinity' ? Infinity : v])) };
  if (out.topoQ === null) out.topoQ = Infinity;
  if (isDimList(out.topoDims)) out.topoDims = [...out.topoDims].sort((a, b) => a - b);
  return out;
}

/** What differs between a run directory's saved config and this one, as "--flag saved → now" items. */
export function configChanges(saved: Record<string, unknown>, c: TrainConfig): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(c)]);
  const out: string[] = [];
  for (const k of keys) {
    let a = JSON.stringify(saved[k], withInfinity);
    const b = JSON.stringify((c as unknown as Record<string, unknown>)[k], withInfinity);
    // NOTE: runs made before data folders were stored absolute hold the path as typed: the same folder if it
    // resolves (from here) to this run's
    if (k === 'data' && typeof saved.data === 'string' && saved.data !== 'synthetic' && !isAbsolute(saved.data)) a = JSON.stringify(resolve(saved.data));
    if (a !== b) out.push(`${FLAG[k as keyof TrainConfig] ?? k} ${a ?? '(none)'} → ${b ?? '(none)'}`);
  }
  return out;
}
