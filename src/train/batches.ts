// Turns samples into GPU batches: input [B, 2, 1, S, S] (mask, image × mask) and target [B, 1, S, S, S],
// with the paper's augmentation applied to input and target together.
import type { Gpu } from '../gpu/device.ts';
import type { Sample } from '../data/sample.ts';
import { augmentSample } from '../data/augment.ts';
import { Tensor } from '../tape/tensor.ts';
import type { Rng } from '../util/rng.ts';

export interface Batch {
  samples: Sample[]; // as fed (augmented when training)
  input: Tensor;
  target: Tensor;
}

/** Consecutive batches of `size` over `order` (the last one may be smaller). */
export function chunk(order: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.slice(i, i + size));
  return out;
}

export function makeBatch(g: Gpu, samples: Sample[], rng: Rng | null): Batch {
  const fed = rng ? samples.map((s) => augmentSample(s, rng)) : samples;
  const [d, h, w] = fed[0].shape;
  const input = new Float32Array(fed.length * 2 * h * w);
  const target = new Float32Array(fed.length * d * h * w);
  fed.forEach((s, b) => {
    input.set(s.input, b * 2 * h * w);
    target.set(s.target, b * d * h * w);
  });
  return {
    samples: fed,
    input: Tensor.from(g, input, [fed.length, 2, 1, h, w]),
    target: Tensor.from(g, target, [fed.length, 1, d, h, w]),
  };
}

export function releaseBatch(b: Batch): void {
  b.input.release();
  b.target.release();
}
