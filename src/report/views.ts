// Views of a volume as grayscale images: orthogonal mid-slices and maximum projections.
import type { GrayImage } from '../util/png.ts';

export type Axis = 0 | 1 | 2; // 0 = z (image plane), 1 = y, 2 = x

/** The slice through the middle of the volume perpendicular to `axis` ([D, H, W], C order). */
export function midSlice(v: Float32Array, shape: readonly [number, number, number], axis: Axis): GrayImage {
  const [d, h, w] = shape;
  const at = (z: number, y: number, x: number) => v[(z * h + y) * w + x];
  if (axis === 0) return { width: w, height: h, data: v.slice(Math.floor(d / 2) * h * w, (Math.floor(d / 2) + 1) * h * w) };
  const out = new Float32Array(d * (axis === 1 ? w : h));
  for (let z = 0; z < d; z++) {
    for (let k = 0; k < (axis === 1 ? w : h); k++) out[z * (axis === 1 ? w : h) + k] = axis === 1 ? at(z, Math.floor(h / 2), k) : at(z, k, Math.floor(w / 2));
  }
  return { width: axis === 1 ? w : h, height: d, data: out };
}

/** Maximum intensity projection along `axis`. */
export function maxProjection(v: Float32Array, shape: readonly [number, number, number], axis: Axis): GrayImage {
  const [d, h, w] = shape;
  const dims = [d, h, w];
  const keep = [0, 1, 2].filter((a) => a !== axis);
  const [rows, cols] = [dims[keep[0]], dims[keep[1]]];
  const out = new Float32Array(rows * cols).fill(-Infinity);
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const c = [z, y, x];
        const i = c[keep[0]] * cols + c[keep[1]];
        const val = v[(z * h + y) * w + x];
        if (val > out[i]) out[i] = val;
      }
    }
  }
  return { width: cols, height: rows, data: out };
}
