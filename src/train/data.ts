// The samples a run trains on: a SHAPR-layout folder (validated before anything trains) or the built-in
// synthetic cells (regenerated identically from the config's seed), and the run's k-fold split.
import { loadDataset } from '../data/dataset.ts';
import type { Sample } from '../data/sample.ts';
import { kfold } from '../data/split.ts';
import { generateDataset } from '../data/synthetic.ts';
import { UserError } from '../util/errors.ts';
import type { TrainConfig } from './config.ts';

export interface Split {
  train: number[];
  val: number[];
  test: number[];
}

export function loadSamples(c: TrainConfig): Sample[] {
  if (c.data === 'synthetic') return generateDataset({ n: c.syntheticCount, size: c.side, seed: c.syntheticSeed });
  const ds = loadDataset(c.data);
  if (ds.shape[1] !== c.side || ds.shape[2] !== c.side || ds.shape[0] !== c.side) {
    throw new UserError(`${c.data}: volumes are ${ds.shape.join('×')}, but the network is configured for side ${c.side} (use --side ${ds.shape[2]})`);
  }
  return ds.samples;
}

/** The split of this run's fold (stratified by class, seeded by the config's seed). */
export function splitFor(samples: Sample[], c: TrainConfig): Split {
  if (samples.length < c.folds) throw new UserError(`${c.data}: ${samples.length} samples cannot make ${c.folds} folds`);
  return kfold(samples.map((s) => s.className), { k: c.folds, seed: c.seed })[c.fold];
}
