// Turns samples into GPU batches: input [B, 2, 1, S, S] (mask, image × mask) and target [B, 1, S, S, S],
// with the paper's augmentation applied to input and target together.
import type { Gpu } from '../gpu/device.ts';
import type { Sample } from '../data/sample.ts';
import { ALL_OPS, augmentSample, transformPlanes } from '../data/augment.ts';
import { Tensor } from '../tape/tensor.ts';
import type { TopoLoss } from '../topo/topo_loss.ts';
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

/**
 * Computes the topological loss's target diagrams for `samples` before training, each target in every
 * orientation augmentation can give it when `augmented` (TopoLoss caches a downsampled target per
 * orientation), so that each step has one read-back. One sample at a time: all orientations of all 64³
 * targets at once would take 8 MB per sample.
 */
export async function prepareTopo(g: Gpu, topo: TopoLoss, samples: Sample[], augmented: boolean, onSample?: (done: number) => void): Promise<void> {
  for (const [k, s] of samples.entries()) {
    const [d, h, w] = s.shape;
    const volumes = augmented ? ALL_OPS.map((ops) => transformPlanes(s.target, d, h, w, ops)) : [s.target];
    await topo.prepare(g, volumes.map((volume) => ({ key: s.name, volume })));
    onSample?.(k + 1);
  }
}
