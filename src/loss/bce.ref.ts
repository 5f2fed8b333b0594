// Plain-TS reference for the BCE loss (float64), with PyTorch's clamps.
const clampedLog = (x: number) => (x > 0 ? Math.max(Math.log(x), -100) : x !== x ? NaN : -100);

/** mean of −(g log p + (1 − g) log(1 − p)), logs clamped at −100. */
export function bceLossRef(p: ArrayLike<number>, g: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s -= g[i] * clampedLog(p[i]) + (1 - g[i]) * clampedLog(1 - p[i]);
  return s / p.length;
}

/** PyTorch's gradient: (p − g) / max(p (1 − p), 1e-12) / n. */
export function bceLossGradRef(p: ArrayLike<number>, g: ArrayLike<number>): Float32Array {
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = (p[i] - g[i]) / Math.max(p[i] * (1 - p[i]), 1e-12) / p.length;
  return out;
}
