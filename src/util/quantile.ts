// Quantiles as numpy.quantile computes them by default ('linear'): the value at position q·(n − 1) of the
// sorted values, interpolated between its two neighbours. One definition for the evaluation tables, the
// report's box plots, the interpolation analysis and the benchmarks, so their numbers agree with numpy's.

/** Quantile q ∈ [0, 1] of values already sorted ascending; NaN when there are none. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Quantile q ∈ [0, 1] of values in any order (sorts a copy). */
export function quantile(values: readonly number[], q: number): number {
  return quantileSorted([...values].sort((a, b) => a - b), q);
}
