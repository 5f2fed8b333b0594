// The paper's per-sample shape errors between a predicted and a true volume, SHAPR's conventions:
// both volumes are binarised the same way (normalise by max, Otsu), then IoU, volume, surface and
// roughness are compared. One topological error is added, which the paper does not report: how far the
// Betti numbers (components, tunnels, cavities) of the two binary shapes are apart, the thing the
// topological loss is meant to improve.
import { bettiNumbers } from './betti.ts';
import { gaussianFilter3d } from './gaussian_filter.ts';
import { binarize } from './otsu.ts';

export type Shape3 = readonly [number, number, number];

/** The four relative errors of one sample, NaN where the truth's measure is 0 (see shapeErrors), and the
 * Betti error. */
export interface ShapeErrors {
  iouError: number;
  volumeError: number;
  surfaceError: number;
  roughnessError: number;
  bettiError: number;
}

/** The errors with their JSON names (metrics.json, `evaluate --json`, the report): the paper's four in its
 * order, then the Betti error. */
export const METRICS = [
  ['iouError', 'iou_error'],
  ['volumeError', 'volume_error'],
  ['surfaceError', 'surface_error'],
  ['roughnessError', 'roughness_error'],
  ['bettiError', 'betti_error'],
] as const satisfies ReadonlyArray<readonly [keyof ShapeErrors, string]>;

/** Measures of one binary volume. */
export interface ShapeMeasures {
  volume: number; // object voxels
  surface: number; // S(X)
  roughness: number; // R(X) = S(X) − S(G(X))
}

/**
 * S(X): object voxels with at least one background voxel among their 26 neighbours.
 * NOTE: neighbours outside the volume do not count as background (an object touching the border has no
 * surface there).
 */
export function surfaceCount(x: Uint8Array, shape: Shape3): number {
  const [d, h, w] = shape;
  let count = 0;
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        if (!x[(z * h + y) * w + xx]) continue;
        if (hasBackgroundNeighbour(x, shape, z, y, xx)) count++;
      }
    }
  }
  return count;
}

function hasBackgroundNeighbour(x: Uint8Array, shape: Shape3, z: number, y: number, xx: number): boolean {
  const [d, h, w] = shape;
  for (let dz = -1; dz <= 1; dz++) {
    const zz = z + dz;
    if (zz < 0 || zz >= d) continue;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const x3 = xx + dx;
        if (x3 < 0 || x3 >= w) continue;
        if (!x[(zz * h + yy) * w + x3]) return true;
      }
    }
  }
  return false;
}

/** G(X): the 0/1 volume smoothed by a Gaussian (σ voxels, reflect borders, truncate 4σ), then > 0.5. */
function smoothBinary(x: Uint8Array, shape: Shape3, sigma = 2): Uint8Array {
  const f = gaussianFilter3d(Float64Array.from(x), shape, sigma);
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f[i] > 0.5 ? 1 : 0;
  return out;
}

/** Volume, surface S(X) and roughness R(X) = S(X) − S(G(X)) of a binary volume. */
export function shapeMeasures(x: Uint8Array, shape: Shape3, sigma = 2): ShapeMeasures {
  let volume = 0;
  for (let i = 0; i < x.length; i++) volume += x[i];
  const surface = surfaceCount(x, shape);
  const roughness = surface - surfaceCount(smoothBinary(x, shape, sigma), shape);
  return { volume, surface, roughness };
}

/**
 * Errors of a binary prediction against a binary truth:
 * - iouError = 1 − |P∩T| / |P∪T| (0 when both are empty);
 * - volumeError = |V_P − V_T| / V_T, surfaceError = |S_P − S_T| / S_T, roughnessError = |R_P − R_T| / |R_T|;
 *   each NaN when the truth's measure is 0 (callers count and report NaNs);
 * - bettiError = Σ_k |β_k(P) − β_k(T)| over dimensions 0, 1, 2 (betti.ts): an absolute count, 0 when
 *   the two shapes have the same numbers of components, tunnels and cavities.
 */
export function shapeErrors(pred: Uint8Array, truth: Uint8Array, shape: Shape3): ShapeErrors {
  const p = shapeMeasures(pred, shape);
  const t = shapeMeasures(truth, shape);
  const rel = (a: number, b: number) => (b === 0 ? NaN : Math.abs(a - b) / Math.abs(b));
  const bp = bettiNumbers(pred, shape), bt = bettiNumbers(truth, shape);
  return {
    iouError: iouError(pred, truth),
    volumeError: rel(p.volume, t.volume),
    surfaceError: rel(p.surface, t.surface),
    roughnessError: rel(p.roughness, t.roughness),
    bettiError: bp.reduce((s, b, k) => s + Math.abs(b - bt[k]), 0),
  };
}

/** 1 − |P∩T| / |P∪T| of two binary volumes (0 when both are empty). */
export function iouError(pred: Uint8Array, truth: Uint8Array): number {
  if (pred.length !== truth.length) throw new Error(`iouError: ${pred.length} vs ${truth.length} voxels`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < pred.length; i++) {
    inter += pred[i] & truth[i];
    union += pred[i] | truth[i];
  }
  return union === 0 ? 0 : 1 - inter / union;
}

/** Binarises both volumes (binarize: max-normalisation + Otsu) and returns their shape errors. */
export function evaluateVolumes(pred: Float32Array, truth: Float32Array, shape: Shape3): ShapeErrors {
  return shapeErrors(binarize(pred), binarize(truth), shape);
}
