// Summary statistics of per-sample errors: mean, median, quartiles and IQR, overall and per class.
// NaN values (an undefined relative error) are left out of the statistics and counted.
import { quantileSorted } from '../util/quantile.ts';

/** The statistics' name for all samples together, so no class may be called that (class_names.ts). */
export const ALL_CLASSES = 'all';

/** Statistics of one metric over a set of samples. */
export interface Stats {
  n: number; // finite values used
  nan: number; // values left out because they are NaN
  mean: number;
  median: number;
  q25: number;
  q75: number;
  iqr: number; // q75 − q25
}

/** Mean, median, quartiles and IQR of the non-NaN values (all NaN when there are none). */
export function describe(values: readonly number[]): Stats {
  const finite = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const n = finite.length;
  const mean = n === 0 ? NaN : finite.reduce((s, v) => s + v, 0) / n;
  const q25 = quantileSorted(finite, 0.25);
  const q75 = quantileSorted(finite, 0.75);
  return { n, nan: values.length - n, mean, median: quantileSorted(finite, 0.5), q25, q75, iqr: q75 - q25 };
}

/**
 * Statistics of each metric, overall (class "all") and per class.
 * `rows[i][metric]` is sample i's value; `classes[i]` its class (omit for overall only).
 */
export function summarize<M extends string>(
  rows: readonly Record<M, number>[],
  metrics: readonly M[],
  classes?: readonly string[],
): Record<string, Record<M, Stats>> {
  const groups = new Map<string, number[]>([[ALL_CLASSES, rows.map((_, i) => i)]]);
  if (classes) {
    for (const c of [...new Set(classes)].sort()) {
      groups.set(c, classes.flatMap((k, i) => (k === c ? [i] : [])));
    }
  }
  const out: Record<string, Record<M, Stats>> = {};
  for (const [name, idx] of groups) {
    out[name] = Object.fromEntries(metrics.map((m) => [m, describe(idx.map((i) => rows[i][m]))])) as Record<M, Stats>;
  }
  return out;
}
