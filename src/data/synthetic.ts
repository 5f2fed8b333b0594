// The built-in synthetic dataset: seeded 3D cells of ten morphologies, with the 2D inputs derived the way
// SHAPR's real data are: the mask is the segmentation (> 0.5) of the middle z-slice of the object, the
// image a blurred, noisy widefield-fluorescence view of that slice. Values are quantised to 1/255 like the
// real uint8 data, so a dataset written as uint8 TIFF reads back identically.
import { gaussianFilter3d } from '../eval/gaussian_filter.ts';
import { Rng } from '../util/rng.ts';
import { makeInput, type Sample } from './sample.ts';
import { EXTENT, MAX_TILT, SYNTHETIC_CLASSES, makeShape, type Field, type SyntheticClass } from './synthetic_shapes.ts';

export { SYNTHETIC_CLASSES, type SyntheticClass } from './synthetic_shapes.ts';

/** Options of generateDataset. */
export interface SyntheticOptions {
  n: number; // number of samples; classes are cycled so that every class gets ⌊n/10⌋ or ⌈n/10⌉
  size?: number; // S: volumes S×S×S, images S×S (default 64)
  seed?: number; // default 0
  classes?: readonly SyntheticClass[]; // default: all ten
  onProgress?: (done: number, total: number) => void; // called after each sample
}

/** Middle slice index of a volume of depth d (the slice the mask and image show). */
export function midSlice(d: number): number {
  return Math.floor(d / 2);
}

/**
 * One random cell of class `cls` in an S³ volume: random size (about 60–90 % of the box across), random
 * spin and tilt, soft partial-volume border; plus its mask and image. Deterministic given the Rng state.
 */
export function generateSample(cls: SyntheticClass, size: number, rng: Rng, name: string = cls): Sample {
  for (let attempt = 0; ; attempt++) {
    const target = renderVolume(makeShape(cls, rng), MAX_TILT[cls], EXTENT[cls], size, rng);
    const m = midSlice(size) * size * size;
    const mask = new Float32Array(size * size);
    let area = 0;
    for (let i = 0; i < mask.length; i++) {
      mask[i] = target[m + i] > 0.5 ? 1 : 0;
      area += mask[i];
    }
    // NOTE: a tilted cup or ring can miss the middle slice; draw again (a few voxels are required).
    if (area < Math.max(4, size / 4) && attempt < 20) continue;
    const image = fluorescence(target, size, rng);
    return { name, className: cls, shape: [size, size, size], input: makeInput(mask, image), target, image };
  }
}

/** `n` samples cycling through the classes, each from its own seed-derived Rng (reproducible, order-stable). */
export function generateDataset(opts: SyntheticOptions): Sample[] {
  const size = opts.size ?? 64;
  const seed = opts.seed ?? 0;
  const classes = opts.classes ?? SYNTHETIC_CLASSES;
  const digits = Math.max(4, String(opts.n).length);
  const samples: Sample[] = [];
  for (let k = 0; k < opts.n; k++) {
    const cls = classes[k % classes.length];
    const rng = new Rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0);
    samples.push(generateSample(cls, size, rng, `${cls}_${String(k).padStart(digits, '0')}`));
    opts.onProgress?.(k + 1, opts.n);
  }
  return samples;
}

const BORDER_SIGMA = 0.38; // voxels at S = 64: blur of the partial-volume border

// Samples the shape on the voxel grid. Voxels whose 6-neighbourhood crosses the surface get 4³
// sub-samples, so the border holds partial-volume values like the real (resampled) volumes.
function renderVolume(f: Field, maxTilt: number, extent: readonly [number, number], size: number, rng: Rng): Float32Array {
  const bound = boundRadius(f);
  const scale = (rng.uniform(extent[0], extent[1]) * size) / bound; // voxels per canonical unit
  const rot = rotation(rng.uniform(0, 2 * Math.PI), rng.uniform(-maxTilt, maxTilt), rng.uniform(0, 2 * Math.PI));
  const jitter = 0.03 * size;
  const c = [0, 1, 2].map(() => (size - 1) / 2 + rng.uniform(-jitter, jitter));
  const reach = bound * 1.05 + 2 / scale;
  // Canonical coordinates of voxel position (x, y, z): rotᵀ · (p − c) / scale.
  const sample = (x: number, y: number, z: number): number => {
    const px = (x - c[0]) / scale;
    const py = (y - c[1]) / scale;
    const pz = (z - c[2]) / scale;
    const u = rot[0] * px + rot[3] * py + rot[6] * pz;
    const v = rot[1] * px + rot[4] * py + rot[7] * pz;
    const w = rot[2] * px + rot[5] * py + rot[8] * pz;
    if (u * u + v * v + w * w > reach * reach) return 0;
    return f(u, v, w) < 0 ? 1 : 0;
  };
  const n = size * size * size;
  const inside = new Uint8Array(n);
  // Only the voxels of each row that lie within the shape's bounding ball are evaluated.
  const reachVox = reach * scale;
  for (let z = 0; z < size; z++) {
    for (let y = 0; y < size; y++) {
      const rr = reachVox * reachVox - (z - c[2]) ** 2 - (y - c[1]) ** 2;
      if (rr < 0) continue;
      const x0 = Math.max(0, Math.ceil(c[0] - Math.sqrt(rr)));
      const x1 = Math.min(size - 1, Math.floor(c[0] + Math.sqrt(rr)));
      for (let x = x0, i = (z * size + y) * size + x0; x <= x1; x++, i++) inside[i] = sample(x, y, z);
    }
  }
  const out = new Float32Array(n);
  const sub = 3;
  for (let z = 0, i = 0; z < size; z++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++, i++) {
        const v = inside[i];
        const border =
          (x > 0 && inside[i - 1] !== v) || (x < size - 1 && inside[i + 1] !== v) ||
          (y > 0 && inside[i - size] !== v) || (y < size - 1 && inside[i + size] !== v) ||
          (z > 0 && inside[i - size * size] !== v) || (z < size - 1 && inside[i + size * size] !== v);
        if (!border) {
          out[i] = v;
          continue;
        }
        let acc = 0;
        for (let a = 0; a < sub; a++) for (let b = 0; b < sub; b++) for (let d = 0; d < sub; d++) {
          acc += sample(x + (d + 0.5) / sub - 0.5, y + (b + 0.5) / sub - 0.5, z + (a + 0.5) / sub - 0.5);
        }
        out[i] = acc / sub ** 3;
      }
    }
  }
  // NOTE: a slight blur widens the soft border to the 1–2 voxels of the real (resampled) volumes, whose
  // intermediate values are about a third of the non-zero voxels.
  const soft = gaussianFilter3d(Float64Array.from(out), [size, size, size], BORDER_SIGMA * Math.max(1, size / 64));
  for (let i = 0; i < n; i++) out[i] = Math.round(soft[i] * 255) / 255;
  return out;
}

// Radius of the smallest origin-centred ball holding the shape, found on a coarse grid over [−2, 2]³.
function boundRadius(f: Field): number {
  const n = 33;
  let r2 = 0.25;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) {
    const x = -2 + (4 * i) / (n - 1);
    const y = -2 + (4 * j) / (n - 1);
    const z = -2 + (4 * k) / (n - 1);
    if (f(x, y, z) < 0) r2 = Math.max(r2, x * x + y * y + z * z);
  }
  return Math.sqrt(r2) + 2 / (n - 1);
}

// Row-major 3×3 rotation: spin a about z, tilt b about x, then turn c about z (the cell's in-plane angle).
function rotation(a: number, b: number, c: number): number[] {
  const rz = (t: number) => [Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1];
  const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
  return mul(rz(c), mul(rx, rz(a)));
}

function mul(p: number[], q: number[]): number[] {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) r[3 * i + j] += p[3 * i + k] * q[3 * k + j];
  return r;
}

// Widefield fluorescence focused on the middle slice, of a stain that fills the cell and marks its membrane:
// each slice contributes with a Gaussian depth weight (out-of-focus membranes give the soft halos of the
// real images), then a smooth brightness texture, optical blur, background, shot and read noise.
function fluorescence(target: Float32Array, size: number, rng: Rng): Float32Array {
  const plane = size * size;
  const mid = midSlice(size);
  const sz = rng.uniform(0.05, 0.1) * size; // depth of field in slices
  // The membrane: a shell of a few voxels just inside the surface (the volume minus its blur).
  const blur = gaussianFilter3d(Float64Array.from(target), [size, size, size], Math.max(1, (2.5 * size) / 64));
  const body = new Float64Array(plane);
  const shell = new Float64Array(plane);
  let wsum = 0;
  for (let z = 0; z < size; z++) {
    const wz = Math.exp(-0.5 * ((z - mid) / sz) ** 2);
    if (wz < 1e-4) continue;
    wsum += wz;
    for (let i = 0, j = z * plane; i < plane; i++, j++) {
      body[i] += wz * target[j];
      shell[i] += wz * Math.max(0, target[j] - blur[j]);
    }
  }
  const membrane = rng.uniform(0.1, 0.9); // share of the signal from the membrane stain
  const texture = gaussianFilter3d(Float64Array.from({ length: plane }, () => rng.normal()), [1, size, size], size / 10);
  let tmax = 1e-9;
  for (const t of texture) tmax = Math.max(tmax, Math.abs(t));
  const gain = rng.uniform(0.7, 1.05);
  const texAmp = rng.uniform(0.05, 0.2);
  const raw = new Float64Array(plane);
  for (let i = 0; i < plane; i++) {
    // NOTE: the depth-weighted fill fraction makes thin parts (a discocyte's dimple) dimmer, as in widefield.
    const fill = Math.min(1, (1.4 * body[i]) / wsum);
    const wall = Math.min(1, (3 * shell[i]) / wsum);
    raw[i] = gain * ((1 - membrane) * fill + membrane * Math.max(wall, 0.2 * fill)) * (1 + (texAmp * texture[i]) / tmax);
  }
  const blurred = gaussianFilter3d(raw, [1, size, size], rng.uniform(0.6, 1.2) * (size / 64) + 0.3);
  const background = rng.uniform(0.015, 0.05);
  const shot = rng.uniform(0.004, 0.012);
  const read = rng.uniform(0.002, 0.006);
  const image = new Float32Array(plane);
  for (let i = 0; i < plane; i++) {
    const v = blurred[i] + background;
    const noisy = v + rng.normal() * (shot * Math.sqrt(Math.max(v, 0)) + read);
    image[i] = Math.round(Math.min(1, Math.max(0, noisy)) * 255) / 255;
  }
  return image;
}
