// The interpolation analysis (the paper's Appendix A): how far the superlevel persistence diagrams of a
// volume's trilinear downsampling to s³ are from those of the full-resolution volume, and what each costs.
// For every volume and every s: W2 per homology dimension and over all dimensions, with the time of the
// full-resolution diagrams, of the downsampling, of the diagrams at s³ and of the matching.
// Pure CPU code; the command (harness/commands/analyse_interpolation.ts) does the files and the figure.
import { trilinearDownRef } from '../resample/trilinear_down.ref.ts';
import { persistence, type Construction, type Diagrams } from '../topo/persistence.ts';
import { wasserstein } from '../topo/wasserstein.ts';
import { quantile } from '../util/quantile.ts';

export interface InterpolationOptions {
  sizes: number[]; // s values; each in 2..S (s = S is the identity)
  construction?: Construction; // 'T' (default)
}

/** One volume at one s. Times in milliseconds. */
export interface InterpolationRow {
  name: string;
  className: string;
  side: number; // S
  s: number;
  w2: number; // over all dimensions: (Σ_k W2_k²)^(1/2), the W2 of the diagrams taken together, dims kept apart
  w2PerDim: [number, number, number];
  points: [number, number, number]; // pairs per dimension at s³ (zero-persistence pairs left out)
  pointsFull: [number, number, number]; // pairs per dimension at S³
  msFull: number; // diagrams of the S³ volume (the cost without downsampling)
  msDown: number; // trilinear downsampling S³ → s³
  msSmall: number; // diagrams of the s³ volume
  msMatch: number; // the three W2 matchings
}

/**
 * W2 between two sets of diagrams, per dimension and all together. Both come from volumes with values in
 * [0, 1] (likelihoods at either resolution), so the distance needs no rescaling.
 * NOTE: each has exactly one essential class (dimension 0, born at the volume's maximum); wasserstein()
 * matches them by birth, so the maximum's change counts too.
 */
export function diagramDistance(a: Diagrams, b: Diagrams): { w2: number; perDim: [number, number, number] } {
  const perDim = [0, 1, 2].map((k) => wasserstein(a.dims[k], b.dims[k], { q: 2 }).distance) as [number, number, number];
  return { w2: Math.sqrt(perDim.reduce((s, d) => s + d * d, 0)), perDim };
}

const counts = (d: Diagrams) => d.dims.map((p) => p.length) as [number, number, number];

/**
 * Runs fn and times it; a fast call (< 50 ms) is run twice more and the median kept.
 * NOTE: a single short call is easily hit by the garbage collection of the previous large one (the S³
 * diagrams), which made s = 8 look slower than s = 12; the repeats keep such pauses out of the median.
 */
function timed<T>(fn: () => T): { value: T; ms: number } {
  let t0 = performance.now();
  const value = fn();
  const first = performance.now() - t0;
  if (first >= 50) return { value, ms: first };
  const ms = [first];
  for (let i = 0; i < 2; i++) {
    t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return { value, ms: ms.sort((a, b) => a - b)[1] };
}

/** The rows of one cubic volume (side S, C order) for every s of opts.sizes. */
export function analyseVolume(volume: Float32Array, side: number, name: string, className: string, opts: InterpolationOptions): InterpolationRow[] {
  if (volume.length !== side ** 3) throw new Error(`analyseVolume: ${name} has ${volume.length} values, expected ${side}³`);
  const construction = opts.construction ?? 'T';
  const shape: [number, number, number] = [side, side, side];
  const full = timed(() => persistence(volume, shape, { construction }));
  const rows: InterpolationRow[] = [];
  for (const s of opts.sizes) {
    if (!Number.isInteger(s) || s < 2 || s > side) throw new Error(`analyseVolume: size ${s} must be an integer in 2..${side}`);
    const small = timed(() => (s === side ? volume : trilinearDownRef(volume, shape, s)));
    const d = timed(() => persistence(small.value, [s, s, s], { construction }));
    const dist = timed(() => diagramDistance(full.value, d.value));
    rows.push({
      name, className, side, s, w2: dist.value.w2, w2PerDim: dist.value.perDim, points: counts(d.value), pointsFull: counts(full.value),
      msFull: full.ms, msDown: small.ms, msSmall: d.ms, msMatch: dist.ms,
    });
  }
  return rows;
}

/** Statistics of one s over all volumes. */
export interface InterpolationSummary {
  s: number;
  n: number;
  w2Mean: number;
  w2Median: number;
  w2P90: number;
  w2Max: number;
  w2PerDimMean: [number, number, number];
  fractionBelow: Record<string, number>; // share of volumes with w2 ≤ threshold, by threshold
  msFullMedian: number; // diagrams at S³
  msSmallMedian: number; // diagrams at s³
  msTotalMedian: number; // downsampling + diagrams at s³ (what the loss pays instead of msFull)
  msMatchMedian: number;
  speedup: number; // msFullMedian / msTotalMedian
}

const THRESHOLDS = [0.01, 0.05];

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

/** One summary per s, in increasing s. */
export function summarise(rows: readonly InterpolationRow[]): InterpolationSummary[] {
  const sizes = [...new Set(rows.map((r) => r.s))].sort((a, b) => a - b);
  return sizes.map((s) => {
    const rs = rows.filter((r) => r.s === s);
    const w = rs.map((r) => r.w2);
    const msFull = quantile(rs.map((r) => r.msFull), 0.5);
    const msTotal = quantile(rs.map((r) => r.msDown + r.msSmall), 0.5);
    return {
      s, n: rs.length, w2Mean: mean(w), w2Median: quantile(w, 0.5), w2P90: quantile(w, 0.9), w2Max: Math.max(...w),
      w2PerDimMean: [0, 1, 2].map((k) => mean(rs.map((r) => r.w2PerDim[k]))) as [number, number, number],
      fractionBelow: Object.fromEntries(THRESHOLDS.map((t) => [String(t), w.filter((x) => x <= t).length / w.length])),
      msFullMedian: msFull, msSmallMedian: quantile(rs.map((r) => r.msSmall), 0.5), msTotalMedian: msTotal,
      msMatchMedian: quantile(rs.map((r) => r.msMatch), 0.5), speedup: msFull / msTotal,
    };
  });
}

const f = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : String(v));

/** The summary as a markdown table. */
export function summaryMarkdown(sum: readonly InterpolationSummary[]): string {
  const head = ['s', 'n', 'W2 mean', 'W2 median', 'W2 p90', 'W2 max', 'W2 dim 0', 'W2 dim 1', 'W2 dim 2',
    ...THRESHOLDS.map((t) => `share W2 ≤ ${t}`), 'ms at S³', 'ms at s³ (down + diagrams)', 'ms matching', 'speed-up'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`];
  for (const r of sum) {
    lines.push(`| ${[r.s, r.n, f(r.w2Mean), f(r.w2Median), f(r.w2P90), f(r.w2Max), ...r.w2PerDimMean.map((v) => f(v)),
      ...THRESHOLDS.map((t) => f(r.fractionBelow[String(t)], 2)), f(r.msFullMedian, 1), f(r.msTotalMedian, 1), f(r.msMatchMedian, 2),
      `${f(r.speedup, 1)}×`].join(' | ')} |`);
  }
  return lines.join('\n');
}
