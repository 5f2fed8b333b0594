// Realistic diagram pairs for the Wasserstein benchmark, made by persistence() of seeded volumes:
// - the training default's size, 16³ (topology on a 16³ downsampling of the 64³ prediction): uniform noise
//   against uniform noise, Gaussian-smoothed noise against smoothed noise, and a prediction against its target
//   (a blurred, noisy hollow cell against the clean one), in each dimension 0, 1, 2;
// - about 10k points per diagram: 64³ uniform noise in dimension 0 (~10.1k pairs), 40³ in dimension 1 (~11.1k)
//   and 44³ in dimension 2 (~10k).
import { persistence } from '../../src/topo/persistence.ts';
import { Rng } from '../../src/util/rng.ts';

export interface DiagramCase {
  /** What a reader of the bench sees, e.g. "16³ noise vs noise dim 1". */
  name: string;
  dim: number;
  /** Flat [b0, d0, b1, d1, ...] (finite pairs only). */
  A: Float64Array;
  B: Float64Array;
}

/** Uniform noise in [0, 1), s³ voxels. */
export function noiseVolume(s: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return new Float32Array(s * s * s).map(() => rng.next());
}

/** Separable Gaussian blur (σ in voxels, kernel radius ⌈3σ⌉, edges clamped) of an s³ volume. */
export function blur(v: Float32Array, s: number, sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = Array.from({ length: 2 * r + 1 }, (_, t) => Math.exp(-((t - r) ** 2) / (2 * sigma * sigma)));
  const ksum = k.reduce((a, b) => a + b, 0);
  let src = Float32Array.from(v);
  for (const stride of [1, s, s * s]) {
    const dst = new Float32Array(src.length);
    for (let idx = 0; idx < src.length; idx++) {
      const c = Math.floor(idx / stride) % s;
      let acc = 0;
      for (let t = -r; t <= r; t++) acc += k[t + r] * src[idx + (Math.min(s - 1, Math.max(0, c + t)) - c) * stride];
      dst[idx] = acc / ksum;
    }
    src = dst;
  }
  return src;
}

/** A hollow, slightly flattened cell as a likelihood in [0, 1] (soft edges, as after downsampling). */
export function cellVolume(s: number): Float32Array {
  const v = new Float32Array(s * s * s);
  const c = (s - 1) / 2;
  for (let z = 0; z < s; z++) for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) {
    const r = Math.hypot((x - c) / (0.42 * s), (y - c) / (0.4 * s), (z - c) / (0.3 * s));
    const outer = 1 / (1 + Math.exp((r - 1) / 0.06)), inner = 1 / (1 + Math.exp((r - 0.45) / 0.06));
    v[(z * s + y) * s + x] = outer * (1 - inner);
  }
  return v;
}

/** Flat finite pairs of one dimension. */
function flat(v: Float32Array, s: number, dim: number): Float64Array {
  const pairs = persistence(v, [s, s, s], { dims: [dim] }).dims[dim].filter((p) => p.death !== -Infinity);
  const out = new Float64Array(2 * pairs.length);
  pairs.forEach((p, k) => { out[2 * k] = p.birth; out[2 * k + 1] = p.death; });
  return out;
}

/** The 16³ cases (training default size): 3 kinds × dims 0, 1, 2. */
export function smallCases(seed = 1): DiagramCase[] {
  const s = 16, out: DiagramCase[] = [];
  const noiseA = noiseVolume(s, seed), noiseB = noiseVolume(s, seed + 1);
  const smoothA = blur(noiseVolume(s, seed + 2), s, 1), smoothB = blur(noiseVolume(s, seed + 3), s, 1);
  const target = cellVolume(s);
  const noise = noiseVolume(s, seed + 4), soft = blur(target, s, 1);
  const pred = soft.map((x, i) => 0.7 * x + 0.3 * noise[i]);
  for (const dim of [0, 1, 2]) {
    out.push({ name: `16³ noise vs noise dim ${dim}`, dim, A: flat(noiseA, s, dim), B: flat(noiseB, s, dim) });
    out.push({ name: `16³ smoothed noise vs smoothed noise dim ${dim}`, dim, A: flat(smoothA, s, dim), B: flat(smoothB, s, dim) });
    out.push({ name: `16³ prediction vs target dim ${dim}`, dim, A: flat(pred, s, dim), B: flat(target, s, dim) });
  }
  return out;
}

/** About 10k points per diagram: two uniform-noise volumes per dimension (64³ dim 0, 40³ dim 1, 44³ dim 2). */
export function largeCases(seed = 1, dims = [0, 1, 2]): DiagramCase[] {
  const sizes = [64, 40, 44];
  return dims.map((dim) => {
    const s = sizes[dim];
    return { name: `${s}³ noise vs noise dim ${dim}`, dim, A: flat(noiseVolume(s, seed), s, dim), B: flat(noiseVolume(s, seed + 1), s, dim) };
  });
}
