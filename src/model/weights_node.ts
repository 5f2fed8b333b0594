// Weights files on disk (Node): atomic save (temp file + rename) and fully validated load. The format and
// the checks live in weights.ts, which a browser uses directly on fetched bytes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import type { Gpu } from '../gpu/device.ts';
import { fileError } from '../util/errors.ts';
import { Shapr } from './shapr.ts';
import { applyWeights, decodeWeights, encodeModel, weightsConfig, type DecodedWeights } from './weights.ts';

/** Writes all of the model's tensors to `path`; a crash mid-write never leaves a partial file at `path`. */
export async function saveWeights(path: string, model: Shapr, extra: Record<string, string> = {}): Promise<void> {
  writeFileAtomic(path, new Uint8Array(await encodeModel(model, extra)));
}

/** Reads and validates a weights file (no model needed). */
export async function readWeights(path: string): Promise<DecodedWeights> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // NOTE: a run directory is the likeliest folder given here: name the file in it
    const hint = code === 'EISDIR' ? `is a folder, not a weights file (a run directory holds ${join(path, 'best.safetensors')})` : null;
    throw fileError(path, hint ?? (code === 'ENOENT' ? 'no such weights file' : `cannot read weights (${(e as Error).message})`));
  }
  return decodeWeights(bytes, path);
}

/** Loads `path` into an existing model; on any problem throws before changing a single tensor. */
export async function loadWeights(path: string, model: Shapr): Promise<Record<string, string>> {
  const w = await readWeights(path);
  applyWeights(model, w, path);
  return w.metadata;
}

/** A new model with the configuration recorded in `path`, loaded with its weights. */
export async function loadShapr(gpu: Gpu, path: string): Promise<{ model: Shapr; metadata: Record<string, string> }> {
  const w = await readWeights(path);
  const model = new Shapr(gpu, weightsConfig(w, path), 0);
  try {
    applyWeights(model, w, path);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, metadata: w.metadata };
}
