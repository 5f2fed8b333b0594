// Per-volume normalisation and Otsu binarisation exactly as SHAPR's evaluation does it with scikit-image
// (`v / v.max()`, then `v > threshold_otsu(v)`), reproduced bit for bit on float32 volumes:
// numpy.histogram's 256 bin edges (numpy 1.24 linspace: float64 arithmetic rounded to float32), its edge
// comparisons for bin membership, and skimage 0.19's between-class variance in float64.

const NBINS = 256;

/** `v / max(v)` in float32 with NaN → 0 first; an all-zero (or all-negative) volume stays all zero (empty). */
export function normalizeByMax(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = Number.isNaN(v[i]) ? 0 : v[i];
    out[i] = x;
    if (x > max) max = x;
  }
  if (!(max > 0)) return out.fill(0);
  // NOTE: a float32 quotient computed in float64 and stored to float32 is correctly rounded, like numpy's.
  for (let i = 0; i < out.length; i++) out[i] = out[i] / max;
  return out;
}

/**
 * numpy.histogram(v, bins=256) bin edges for float32 data: `linspace(min, max, 257)` computed in float64
 * (`i * step + min`, last edge = max) and rounded to float32; an empty range is widened by ±0.5.
 */
export function histogramEdges(min: number, max: number, nbins = NBINS): Float32Array {
  let lo = min;
  let hi = max;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / nbins;
  const edges = new Float32Array(nbins + 1);
  for (let i = 0; i < nbins; i++) edges[i] = i * step + lo;
  edges[nbins] = hi;
  return edges;
}

/** Counts per bin as numpy.histogram assigns them: edges[i] <= x < edges[i+1], the last bin closed. */
export function histogramCounts(v: Float32Array, edges: Float32Array): Float64Array {
  const nbins = edges.length - 1;
  const lo = edges[0];
  const hi = edges[nbins];
  const norm = nbins / (hi - lo);
  const counts = new Float64Array(nbins);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x >= lo && x <= hi)) continue;
    let k = Math.floor((x - lo) * norm);
    if (k >= nbins) k = nbins - 1;
    // NOTE: the float estimate can be off by one; the edges decide, as in numpy.
    while (k > 0 && x < edges[k]) k--;
    while (k < nbins - 1 && x >= edges[k + 1]) k++;
    counts[k]++;
  }
  return counts;
}

/**
 * skimage.filters.threshold_otsu(v) (nbins = 256) for a float32 volume; returns the value itself when the
 * volume is constant (as skimage does).
 */
export function otsuThreshold(v: Float32Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < min) min = v[i];
    if (v[i] > max) max = v[i];
  }
  if (min === max) return min;
  const edges = histogramEdges(min, max);
  const counts = histogramCounts(v, edges);
  const n = counts.length;
  const centers = new Float32Array(n);
  for (let i = 0; i < n; i++) centers[i] = (edges[i] + edges[i + 1]) / 2;
  // weight1/mean1 from the left, weight2/mean2 from the right, each a running (sequential) sum as np.cumsum.
  const weight1 = new Float64Array(n);
  const mean1 = new Float64Array(n);
  let w = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    w += counts[i];
    m += counts[i] * centers[i];
    weight1[i] = w;
    mean1[i] = m / w;
  }
  const weight2 = new Float64Array(n);
  const mean2 = new Float64Array(n);
  w = 0;
  m = 0;
  for (let i = n - 1; i >= 0; i--) {
    w += counts[i];
    m += counts[i] * centers[i];
    weight2[i] = w;
    mean2[i] = m / w;
  }
  let best = -Infinity;
  let idx = 0;
  for (let i = 0; i < n - 1; i++) {
    const d = mean1[i] - mean2[i + 1];
    const variance = weight1[i] * weight2[i + 1] * (d * d);
    if (variance > best) {
      best = variance;
      idx = i;
    }
  }
  return centers[idx];
}

/**
 * The value binarize() cuts the max-normalised volume `norm` at (object = value > it): Otsu's threshold,
 * or Infinity for a constant volume, which is empty, as in SHAPR: scikit-image's threshold_otsu returns the
 * constant itself, and no value exceeds it (a saturated, collapsed prediction must not score as a full object).
 */
export function objectThreshold(norm: Float32Array): number {
  for (let i = 1; i < norm.length; i++) if (norm[i] !== norm[0]) return otsuThreshold(norm);
  return Infinity;
}

/** SHAPR's binarisation of one volume: normalise by the maximum, then object = value > Otsu threshold (objectThreshold). */
export function binarize(v: Float32Array): Uint8Array {
  const norm = normalizeByMax(v);
  const t = objectThreshold(norm);
  const out = new Uint8Array(norm.length);
  for (let i = 0; i < norm.length; i++) out[i] = norm[i] > t ? 1 : 0;
  return out;
}
