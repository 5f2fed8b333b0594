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

/** The sample at side `side` (its side divided by a whole number). */
export function resampleSample(s: Sample, side: number): Sample {
  const [d, h, w] = s.shape;
  const k = w / side;
  if (!Number.isInteger(k) || k < 1 || d !== w || h !== w) throw new Error(`resampleSample: ${s.shape.join('×')} to side ${side}: the side must divide it`);
  const mask = binary(blockMean(s.input.subarray(0, h * w), [1, h, w], k));
  const image = blockMean(s.image, [1, h, w], k);
  return { name: s.name, className: s.className, shape: [side, side, side], input: makeInput(mask, image), target: binary(blockMean(s.target, s.shape, k)), image };
}
