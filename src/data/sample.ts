// One training sample as the network sees it, shared by the dataset reader and the synthetic generator.
import { fileError } from '../util/errors.ts';

/**
 * A 2D input with its 3D ground truth. Arrays are row-major C order, values in [0, 1].
 * - `input`: shape [2, H, W]; channel 0 = mask, channel 1 = image × mask (SHAPR's model input).
 * - `target`: shape [D, H, W] (Z first), the 3D object; border voxels may hold intermediate values.
 * - `shape`: [D, H, W] of `target`.
 * - `image`: the unmasked image as stored in image/ (kept so that a dataset can be written back).
 */
export interface Sample {
  name: string; // file stem shared by obj/, mask/ and image/ (no extension)
  className: string; // morphology class, e.g. "A_cell_clusters" or "discocyte"
  shape: [number, number, number];
  input: Float32Array;
  target: Float32Array;
  image: Float32Array; // [H, W]: the whole fluorescence image (input channel 1 is this times the mask)
}

/** Builds SHAPR's 2-channel input [mask, image × mask] from a mask and an image of H×W values each. */
export function makeInput(mask: Float32Array, image: Float32Array): Float32Array {
  const n = mask.length;
  if (image.length !== n) throw new Error(`makeInput: mask has ${n} values, image ${image.length}`);
  const input = new Float32Array(2 * n);
  input.set(mask, 0);
  for (let i = 0; i < n; i++) input[n + i] = image[i] * mask[i];
  return input;
}

/** At most this many grey levels are counted (enough to tell a mask from an image). */
export const LEVEL_CAP = 4096;

/** The number of distinct values in `a`, counting up to LEVEL_CAP. */
export function greyLevels(a: Float32Array): number {
  const seen = new Set<number>();
  for (const v of a) if (seen.add(v).size >= LEVEL_CAP) break;
  return seen.size;
}

/**
 * Whether `a` reads as the mask of `b` by grey levels: a mask has far fewer (SHAPR's masks are not strictly
 * binary, a few border values, but an image has many more).
 */
export const fewerLevels = (a: number, b: number): boolean => a * 4 <= b;

/**
 * Throws, naming the mask file, if its image has fewer grey levels than a mask (fewerLevels): the two are
 * swapped, which the reader and predict took as given. `question` says which two (files or folders).
 */
export function checkNotSwapped(maskPath: string, mask: Float32Array, image: Float32Array, question: string): void {
  const [ml, il] = [greyLevels(mask), greyLevels(image)];
  if (fewerLevels(il, ml)) throw fileError(maskPath, `the mask has ${ml >= LEVEL_CAP ? `${LEVEL_CAP}+` : ml} grey levels and its image ${il}: ${question}`);
}
