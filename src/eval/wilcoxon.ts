// Paired Wilcoxon signed-rank test, two-sided, with scipy.stats.wilcoxon's defaults
// (zero_method='wilcox': zero differences dropped; no continuity correction; method='auto').
// NOTE: 'auto' here means exact when n <= 50 with no zero and no tied |differences|, else the normal
// approximation with the tie correction. That equals scipy 1.10 (the reference the tests check against)
// except for tied differences with n <= 50, where scipy 1.10 uses the exact table with a truncated rank
// sum and scipy >= 1.15 runs a permutation test; the tie-corrected normal approximation is used here.

/** Result of the signed-rank test. */
export interface WilcoxonResult {
  statistic: number; // min(R+, R−)
  pvalue: number; // two-sided
  method: 'exact' | 'approx';
  n: number; // pairs with a non-zero difference
  z?: number; // the normal approximation's z (approx only)
}

/** Average ranks (1-based) of the values, ties sharing the mean of their ranks (scipy's rankdata). */
export function rankData(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Number of subsets of {1..n} with each rank sum s, divided by 2^n: the null pmf of R+. */
export function signedRankPmf(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = max; s >= k; s--) counts[s] += counts[s - k];
  const total = 2 ** n;
  return counts.map((c) => c / total);
}

/** Two-sided paired signed-rank test of x against y (pairs with NaN in either are dropped). */
export function wilcoxon(x: readonly number[], y: readonly number[]): WilcoxonResult {
  if (x.length !== y.length) throw new Error(`wilcoxon: ${x.length} vs ${y.length} values`);
  const all = x.map((v, i) => v - y[i]).filter((d) => !Number.isNaN(d));
  const d = all.filter((v) => v !== 0);
  const n = d.length;
  if (n === 0) return { statistic: NaN, pvalue: NaN, method: 'approx', n };
  const ranks = rankData(d.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  for (let i = 0; i < n; i++) {
    if (d[i] > 0) rPlus += ranks[i];
    else rMinus += ranks[i];
  }
  const statistic = Math.min(rPlus, rMinus);
  const hasTies = new Set(ranks).size < n;
  if (all.length <= 50 && n === all.length && !hasTies) {
    const pmf = signedRankPmf(n);
    const center = (pmf.length - 1) / 2;
    if (rPlus === center) return { statistic, pvalue: 1, method: 'exact', n };
    let pLess = 0;
    for (let s = 0; s <= rPlus; s++) pLess += pmf[s];
    let pGreater = 0;
    for (let s = rPlus; s < pmf.length; s++) pGreater += pmf[s];
    return { statistic, pvalue: Math.min(1, 2 * Math.min(pLess, pGreater)), method: 'exact', n };
  }
  const mean = (n * (n + 1)) / 4;
  let variance = n * (n + 1) * (2 * n + 1);
  const tieCounts = new Map<number, number>();
  for (const r of ranks) tieCounts.set(r, (tieCounts.get(r) ?? 0) + 1);
  for (const t of tieCounts.values()) if (t > 1) variance -= 0.5 * t * (t * t - 1);
  const se = Math.sqrt(variance / 24);
  const z = (statistic - mean) / se;
  return { statistic, pvalue: erfc(Math.abs(z) / Math.SQRT2), method: 'approx', n, z };
}

/**
 * Complementary error function to about 1e-14 relative: a positive-term series for erf below 2.5
 * (no cancellation), a continued fraction (modified Lentz) above.
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/√π · e^(−x²) · Σ 2^k x^(2k+1) / (1·3·…·(2k+1))
    let term = x;
    let sum = x;
    for (let k = 1; k < 200 && term > sum * 1e-17; k++) {
      term *= (2 * x * x) / (2 * k + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let dd = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    dd = x + a * dd;
    dd = Math.abs(dd) < tiny ? tiny : dd;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    dd = 1 / dd;
    const delta = c * dd;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** A p-value in one style: three significant digits, as 1.49e-8 below 0.001 (toPrecision gave 0.00000560 there). */
export function formatPValue(p: number): string {
  return p < 1e-3 ? p.toExponential(2) : p.toPrecision(3);
}
