// Inference: the network in evaluation mode (BatchNorm running statistics), without a tape.
import type { Gpu } from '../gpu/device.ts';
import type { Sample } from '../data/sample.ts';
import type { Shapr } from '../model/shapr.ts';
import { Tape } from '../tape/tape.ts';
import { chunk, makeBatch, releaseBatch } from './batches.ts';

/**
 * Predicted volumes [D, H, W] in (0, 1), a batch at a time: `first` is the index in `samples` of the first
 * of `volumes`. NOTE: a batch at a time so that a large folder is written as it goes, not held whole.
 */
export async function* predictBatches(g: Gpu, model: Shapr, samples: Sample[], batchSize: number): AsyncGenerator<{ first: number; volumes: Float32Array[] }> {
  for (const idx of chunk([...samples.keys()], batchSize)) {
    const t = new Tape(g);
    t.recording = false;
    const batch = makeBatch(g, idx.map((i) => samples[i]), null);
    try {
      const host = await model.forward(t, batch.input, false).read();
      const per = host.length / idx.length;
      yield { first: idx[0], volumes: idx.map((_, b) => host.slice(b * per, (b + 1) * per)) };
    } finally {
      t.release();
      releaseBatch(batch);
    }
  }
}

/** Predicted volumes [D, H, W] in (0, 1), one per sample, in order. */
export async function predictSamples(g: Gpu, model: Shapr, samples: Sample[], batchSize: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for await (const { volumes } of predictBatches(g, model, samples, batchSize)) out.push(...volumes);
  return out;
}
