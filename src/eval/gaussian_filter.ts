// 3D Gaussian smoothing as scipy.ndimage.gaussian_filter(x, sigma, mode='reflect', truncate=4.0) on float64:
// the same sampled, normalised kernel, separable passes along axis 0, 1, 2, and the same summation order
// as scipy's symmetric 1D correlation, so thresholds at 0.5 agree with scipy's.

/**
 * scipy's `_gaussian_kernel1d(sigma, 0, radius)` with radius = floor(truncate·sigma + 0.5):
 * w[k] ∝ exp(−k² / (2σ²)) for k = −radius..radius, normalised to sum 1 (numpy's pairwise summation).
 */
export function gaussianKernel1d(sigma: number, truncate = 4): Float64Array {
  const radius = Math.floor(truncate * sigma + 0.5);
  const w = new Float64Array(2 * radius + 1);
  for (let k = -radius; k <= radius; k++) w[k + radius] = Math.exp((-0.5 / (sigma * sigma)) * (k * k));
  const sum = pairwiseSum(w);
  for (let i = 0; i < w.length; i++) w[i] /= sum;
  return w;
}

// numpy's pairwise summation for contiguous float64 (8 interleaved partial sums per block of <= 128).
function pairwiseSum(a: Float64Array, lo = 0, n = a.length): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[lo + i];
    return s;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0].map((_, j) => a[lo + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let s = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) s += a[lo + i];
    return s;
  }
  const half = Math.floor(n / 2) - (Math.floor(n / 2) % 8);
  return pairwiseSum(a, lo, half) + pairwiseSum(a, lo + half, n - half);
}

/** Index into [0, n) for position i under scipy's 'reflect' mode (d c b a | a b c d | d c b a). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - 1 - j;
}

/**
 * Smooths a [D, H, W] float64 volume with an isotropic Gaussian (σ in voxels), reflecting at the borders.
 * Returns a new array.
 */
export function gaussianFilter3d(v: Float64Array, shape: readonly [number, number, number], sigma: number, truncate = 4): Float64Array {
  const w = gaussianKernel1d(sigma, truncate);
  let cur = v;
  const [, h, wd] = shape;
  const strides = [h * wd, wd, 1];
  for (let axis = 0; axis < 3; axis++) cur = correlateAxis(cur, shape, axis, strides[axis], w);
  return cur;
}

// One separable pass: out = Σ_k w[k] · in[reflect(i + k)] along `axis`, in scipy's symmetric-kernel order
// (centre term first, then the pairs from the outermost inwards). The array is viewed as
// [outer, n, inner] with inner = the axis stride, so that for axes 0 and 1 the inner loop is contiguous.
function correlateAxis(
  src: Float64Array,
  shape: readonly [number, number, number],
  axis: number,
  stride: number,
  w: Float64Array,
): Float64Array {
  const n = shape[axis];
  const radius = (w.length - 1) / 2;
  const out = new Float64Array(src.length);
  const inner = stride;
  const outer = src.length / (n * inner);
  const from = Int32Array.from({ length: n + 2 * radius }, (_, i) => reflectIndex(i - radius, n));
  const wc = w[radius];
  if (inner === 1) {
    const line = new Float64Array(n + 2 * radius);
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      for (let i = 0; i < line.length; i++) line[i] = src[base + from[i]];
      for (let i = 0; i < n; i++) {
        const c = i + radius;
        let acc = line[c] * wc;
        for (let j = radius; j >= 1; j--) acc += (line[c - j] + line[c + j]) * w[radius - j];
        out[base + i] = acc;
      }
    }
    return out;
  }
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let i = 0; i < n; i++) {
      const dst = base + i * inner;
      const mid = base + from[i + radius] * inner;
      for (let t = 0; t < inner; t++) out[dst + t] = src[mid + t] * wc;
      for (let j = radius; j >= 1; j--) {
        const lo = base + from[i + radius - j] * inner;
        const hi = base + from[i + radius + j] * inner;
        const wj = w[radius - j];
        for (let t = 0; t < inner; t++) out[dst + t] += (src[lo + t] + src[hi + t]) * wj;
      }
    }
  }
  return out;
}
