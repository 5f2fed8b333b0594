// Views of a volume as images: orthogonal mid-slices and maximum projections in grey, and a slice with the
// outline of the shape the metrics score drawn over it.
import type { GrayImage, RgbaImage } from '../util/png.ts';

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

/**
 * `image` in grey, upscaled `scale`× (nearest neighbour), with the pixels of `mask` (same size, 1 inside) that
 * touch a pixel outside it or the border drawn in `color` (RGB bytes): the outline of the scored shape.
 */
export function outlined(image: GrayImage, mask: GrayImage, color: readonly [number, number, number], scale: number): RgbaImage {
  const { width: w, height: h } = image;
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && mask.data[y * w + x] > 0;
  const [W, H] = [w * scale, h * scale];
  const out = new Uint8Array(4 * W * H);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const edge = inside(x, y) && !(inside(x - 1, y) && inside(x + 1, y) && inside(x, y - 1) && inside(x, y + 1));
      const g = Math.round(255 * Math.min(1, Math.max(0, image.data[y * w + x] || 0)));
      const rgb = edge ? color : [g, g, g];
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const o = 4 * ((y * scale + dy) * W + x * scale + dx);
          out.set(rgb, o);
          out[o + 3] = 255;
        }
      }
    }
  }
  return { width: W, height: H, data: out };
}
