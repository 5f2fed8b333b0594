// The samples a run trains on: a SHAPR-layout folder (validated before anything trains) or the built-in
// synthetic cells (regenerated identically from the config's seed), and the run's k-fold split.
import { createHash } from 'node:crypto';
import { loadDataset } from '../data/dataset.ts';
import type { Sample } from '../data/sample.ts';
import { kfold } from '../data/split.ts';
import { generateDataset } from '../data/synthetic.ts';
import { SIDES } from '../model/shapr_layout.ts';
import { UserError } from '../util/errors.ts';
import type { TrainConfig } from './config.ts';

export interface Split {
  train: number[];
  val: number[];
  test: number[];
}

/** The run's samples; `warn` gets the dataset's warnings (those `inspect` prints: empty masks, ...). */
export function loadSamples(c: TrainConfig, warn?: (warnings: string[]) => void): Sample[] {
  if (c.data === 'synthetic') return generateDataset({ n: c.syntheticCount, size: c.side, seed: c.syntheticSeed });
  const ds = loadDataset(c.data);
  checkTrainShape(c.data, ds.shape, c.side);
  if (ds.summary.warnings.length > 0) warn?.(ds.summary.warnings);
  return ds.samples;
}

/**
 * Refuses volumes the network cannot take: not cubic, or of a side it does not support, or (with `side`)
 * of another side than the run's. `inspect` calls it too, so that it says OK only to what trains.
 */
export function checkTrainShape(dir: string, shape: readonly number[], side?: number): void {
  const [d, h, w] = shape;
  if (d !== h || h !== w || !SIDES.includes(w)) {
    throw new UserError(`${dir}: volumes are ${shape.join('×')}; the network takes cubic volumes of side ${SIDES.join(', ')} (obj D = H = W, mask and image H×W)`);
  }
  if (side !== undefined && w !== side) throw new UserError(`${dir}: volumes are ${shape.join('×')}, but the network is configured for side ${side} (use --side ${w}${w % side === 0 ? `, or train on a copy at side ${side}: topo-shapr resample ${dir} OUT --side ${side}` : ''})`);
}

/**
 * What identifies the samples a run trains on: their count and a SHA-256 of their names, classes, inputs and
 * targets in order. NOTE: config.json holds only the data folder's path, so files added to it or a dataset
 * regenerated in place changed the split under a resumed run (training samples then sat in its test fold).
 */
export function samplesFingerprint(samples: readonly Sample[]): { count: number; sha256: string } {
  const h = createHash('sha256');
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const s of samples) {
    h.update(`${s.name}\0${s.className}\0${s.shape.join(',')}\0`);
    h.update(bytes(s.input));
    h.update(bytes(s.target));
  }
  return { count: samples.length, sha256: h.digest('hex') };
}

/** The split of this run's fold (stratified by class, seeded by the config's seed). */
export function splitFor(samples: Sample[], c: TrainConfig): Split {
  if (samples.length < c.folds) throw new UserError(`${c.data}: ${samples.length} samples cannot make ${c.folds} folds`);
  return kfold(samples.map((s) => s.className), { k: c.folds, seed: c.seed })[c.fold];
}
