// Augmentation as in the SHAPR paper: horizontal flip, vertical flip and a 90° rotation in the image
// plane, each applied with probability 1/3, to the 2-channel input, the image and every z-slice of the
// target alike (the H and W axes of all of them; the published code rotated the input on the wrong axis).
import type { Rng } from '../util/rng.ts';
import type { Sample } from './sample.ts';

/** Which in-plane transforms to apply, in this order: flip W (horizontal), flip H (vertical), rotate 90°. */
export interface AugmentOps {
  flipH: boolean; // mirror left–right (reverse the W axis)
  flipV: boolean; // mirror top–bottom (reverse the H axis)
  rot90: boolean; // rotate by 90° as numpy.rot90(a, 1, axes=(-2, -1))
}

/** Every combination of the three transforms: the 8 orientations augmentation can give a sample. */
export const ALL_OPS: readonly AugmentOps[] = Array.from({ length: 8 }, (_, k) => ({ flipH: (k & 1) > 0, flipV: (k & 2) > 0, rot90: (k & 4) > 0 }));

/** Draws the three independent coin flips (probability p each, default 1/3). */
export function drawOps(rng: Rng, p = 1 / 3): AugmentOps {
  return { flipH: rng.next() < p, flipV: rng.next() < p, rot90: rng.next() < p };
}

/** A randomly augmented copy of the sample (the sample itself when no transform is drawn). */
export function augmentSample(sample: Sample, rng: Rng, p = 1 / 3): Sample {
  return applyOps(sample, drawOps(rng, p));
}

/** Applies the transforms to input, image and target together; returns a new sample (or the same one). */
export function applyOps(sample: Sample, ops: AugmentOps): Sample {
  if (!ops.flipH && !ops.flipV && !ops.rot90) return sample;
  const [d, h, w] = sample.shape;
  if (ops.rot90 && h !== w) throw new Error(`augment: 90° rotation needs square slices, got ${h}×${w}`);
  return {
    ...sample,
    input: transformPlanes(sample.input, 2, h, w, ops),
    image: transformPlanes(sample.image, 1, h, w, ops),
    target: transformPlanes(sample.target, d, h, w, ops),
  };
}

/** Applies the ops to each of `planes` consecutive H×W planes of `src`. */
export function transformPlanes(src: Float32Array, planes: number, h: number, w: number, ops: AugmentOps): Float32Array {
  const out = new Float32Array(src.length);
  const plane = h * w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Source position of output (y, x): undo the ops in reverse order (rotation was applied last).
      let sy = y;
      let sx = x;
      if (ops.rot90) [sy, sx] = [sx, w - 1 - sy]; // numpy.rot90: out[i][j] = in[j][W-1-i]
      if (ops.flipV) sy = h - 1 - sy;
      if (ops.flipH) sx = w - 1 - sx;
      const from = sy * w + sx;
      const to = y * w + x;
      for (let p = 0; p < planes; p++) out[p * plane + to] = src[p * plane + from];
    }
  }
  return out;
}
