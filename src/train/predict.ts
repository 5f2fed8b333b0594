// Inference: the network in evaluation mode (BatchNorm running statistics), without a tape.
import type { Gpu } from '../gpu/device.ts';
import type { Sample } from '../data/sample.ts';
import type { Shapr } from '../model/shapr.ts';
import { Tape } from '../tape/tape.ts';
import { chunk, makeBatch, releaseBatch } from './batches.ts';

/** Predicted volumes [D, H, W] in (0, 1), one per sample, in order. */
export async function predictSamples(g: Gpu, model: Shapr, samples: Sample[], batchSize: number, onBatch?: (done: number) => void): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const idx of chunk([...samples.keys()], batchSize)) {
    const t = new Tape(g);
    t.recording = false;
    const batch = makeBatch(g, idx.map((i) => samples[i]), null);
    const pred = model.forward(t, batch.input, false);
    const host = await pred.read();
    const per = host.length / idx.length;
    idx.forEach((_, b) => out.push(host.slice(b * per, (b + 1) * per)));
    t.release();
    releaseBatch(batch);
    onBatch?.(out.length);
  }
  return out;
}
