// A smaller copy of a sample, for quick runs of real data at 16³ or 32³ (the network takes one side per run):
// each output voxel is the mean of the k×k×k input voxels it covers (k = old side / new side, a whole number).
// The mask and the 3D shape stay binary (the mean ≥ 1/2 is inside), as SHAPR's are; the image is averaged.
import { makeInput, type Sample } from './sample.ts';

/** Block means of an [d, h, w] array over k×k×k blocks (k divides each size; d = 1 with a 2D image takes k×k). */
export function blockMean(v: Float32Array, shape: readonly [number, number, number], k: number): Float32Array {
  const [d, h, w] = shape;
  const kz = d === 1 ? 1 : k;
  const [D, H, W] = [d / kz, h / k, w / k];
  const out = new Float32Array(D * H * W);
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      const row = ((Math.floor(z / kz) * H + Math.floor(y / k)) * W);
      const src = (z * h + y) * w;
      for (let x = 0; x < w; x++) out[row + Math.floor(x / k)] += v[src + x];
    }
  }
  const n = kz * k * k;
  for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}

const binary = (a: Float32Array) => a.map((x) => (x >= 0.5 ? 1 : 0));

/**
 * A 2D mask and image of width × width at side `side` (width = k·side, k whole): as they are (k = 1), or
 * block means with the mask kept binary, as a resampled dataset has them. So predict and the web page give
 * a model trained on `resample`'s output its own kind of input from 64×64 files.
 */
export function maskAndImageAtSide(mask: Float32Array, image: Float32Array, width: number, side: number): { mask: Float32Array; image: Float32Array } {
  const k = width / side;
  if (!Number.isInteger(k) || k < 1) throw new Error(`maskAndImageAtSide: ${width}×${width} to side ${side}: the side must divide it`);
  if (k === 1) return { mask, image };
  return { mask: binary(blockMean(mask, [1, width, width], k)), image: blockMean(image, [1, width, width], k) };
}

/** A binary 3D shape (a cube of side k·side) at side `side`: block means, kept binary. */
export function shapeAtSide(v: Float32Array, shape: readonly [number, number, number], side: number): Float32Array {
  const [d, h, w] = shape;
  const k = w / side;
  if (!Number.isInteger(k) || k < 1 || d !== w || h !== w) throw new Error(`shapeAtSide: ${shape.join('×')} to side ${side}: the side must divide it`);
  return k === 1 ? v : binary(blockMean(v, shape, k));
}

/** The sample at side `side` (its side divided by a whole number). */
export function resampleSample(s: Sample, side: number): Sample {
  const target = shapeAtSide(s.target, s.shape, side);
  const [, h, w] = s.shape;
  const { mask, image } = maskAndImageAtSide(s.input.subarray(0, h * w), s.image, w, side);
  return { name: s.name, className: s.className, shape: [side, side, side], input: makeInput(mask, image), target, image };
}
