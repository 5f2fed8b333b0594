// k-fold cross-validation splits: every sample is in exactly one test fold; fold i tests on part i,
// validates on part i+1 (mod k) and trains on the rest (k = 5: 60/20/20). Stratified by class and seeded.
import { UserError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';

/** Sample indices of one fold. */
export interface Fold {
  train: number[];
  val: number[];
  test: number[];
}

/**
 * Splits samples (given by their class names) into k folds. Within each class the indices are shuffled
 * (seeded) and dealt round-robin over the k parts, continuing across classes, so every part gets each
 * class in proportion (±1) and the parts differ in size by at most 1. Index lists are sorted.
 */
export function kfold(classNames: readonly string[], opts: { k?: number; seed?: number } = {}): Fold[] {
  const k = opts.k ?? 5;
  const rng = new Rng(opts.seed ?? 0);
  if (!Number.isInteger(k) || k < 3) throw new UserError(`k-fold needs k >= 3 (train, validation and test parts), got ${k}`);
  if (classNames.length < k) throw new UserError(`k-fold with k = ${k} needs at least ${k} samples, got ${classNames.length}`);
  const byClass = new Map<string, number[]>();
  for (const [i, c] of classNames.entries()) {
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const parts: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const c of [...byClass.keys()].sort()) {
    for (const i of rng.shuffle(byClass.get(c)!)) {
      parts[next].push(i);
      next = (next + 1) % k;
    }
  }
  for (const p of parts) p.sort((a, b) => a - b);
  return parts.map((test, i) => {
    const val = parts[(i + 1) % k];
    const train = parts.filter((_, j) => j !== i && j !== (i + 1) % k).flat().sort((a, b) => a - b);
    return { train, val: [...val], test: [...test] };
  });
}
