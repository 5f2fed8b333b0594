// Run checkpoints: the model's tensors (weights and BatchNorm statistics) plus Adam's moments as
// 'optim.m.NAME' / 'optim.v.NAME', and the schedule state and epoch logs in the metadata, in the weights
// file format (src/model/weights.ts). Written atomically; validated completely before anything is applied.
import { writeBuffer } from '../gpu/buffers.ts';
import type { Shapr } from '../model/shapr.ts';
import { applyWeights, encodeWeights, WEIGHTS_FORMAT, type DecodedWeights, type WeightEntry } from '../model/weights.ts';
import { loadWeights, readWeights, saveWeights } from '../model/weights_node.ts';
import type { Adam } from '../optim/adam.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { fileError } from '../util/errors.ts';
import type { PlateauState } from './schedule.ts';
import type { EpochLog } from './trainer.ts';
import { Tensor } from '../tape/tensor.ts';

export interface CheckpointState {
  epoch: number; // last completed epoch
  state: PlateauState;
  logs: EpochLog[];
}

/** Best weights of a run (a plain weights file, loadable by predict and the browser page). */
export async function saveModel(path: string, model: Shapr, meta: { epoch: number; valLoss: number }): Promise<void> {
  await saveWeights(path, model, { epoch: String(meta.epoch), valLoss: String(meta.valLoss) });
}

export async function loadModel(path: string, model: Shapr): Promise<Record<string, string>> {
  return loadWeights(path, model);
}

export async function saveCheckpoint(path: string, model: Shapr, opt: Adam, ck: CheckpointState): Promise<void> {
  const named = model.named();
  const tensors = named.map((n) => ({ name: n.name, t: n.tensor }));
  for (const n of named.filter((x) => x.trainable)) {
    const k = model.params.indexOf(n.tensor);
    tensors.push({ name: `optim.m.${n.name}`, t: opt.m[k] }, { name: `optim.v.${n.name}`, t: opt.v[k] });
  }
  const data = await Tensor.readAll(tensors.map((x) => x.t));
  const entries: WeightEntry[] = tensors.map((x, i) => ({ name: x.name, shape: [...x.t.shape], data: data[i] }));
  const metadata = { format: WEIGHTS_FORMAT, config: JSON.stringify(model.config), kind: 'checkpoint', adamStep: String(opt.t), checkpoint: JSON.stringify(ck) };
  writeFileAtomic(path, new Uint8Array(encodeWeights(entries, metadata)));
}

/** Restores model, optimiser and schedule state; throws (naming the file) before changing anything. */
export async function loadCheckpoint(path: string, model: Shapr, opt: Adam): Promise<CheckpointState> {
  const all = await readWeights(path);
  if (all.metadata.kind !== 'checkpoint') throw fileError(path, 'not a training checkpoint');
  let raw: unknown;
  try {
    raw = JSON.parse(all.metadata.checkpoint);
  } catch {
    throw fileError(path, 'checkpoint metadata is not valid JSON');
  }
  const ck = checkState(path, raw);
  // NOTE: a missing or non-integer step made Adam's bias correction NaN, reported later as a divergence
  const adamStep = all.metadata.adamStep;
  if (typeof adamStep !== 'string' || !/^\d+$/.test(adamStep)) throw fileError(path, `checkpoint's adamStep must be a non-negative integer, got ${JSON.stringify(adamStep)}`);
  // NOTE: a checkpoint of another network size failed on its first missing tensor, naming neither size
  let saved: { side?: unknown; filters?: unknown } = {};
  try {
    saved = JSON.parse(all.metadata.config ?? '{}') ?? {};
  } catch {
    // an unreadable config: the tensor checks below still refuse a mismatch
  }
  if (saved.side !== model.config.side || saved.filters !== model.config.filters) {
    throw fileError(path, `checkpoint of a network with side ${saved.side} and filters ${saved.filters}; this run's has side ${model.config.side} and filters ${model.config.filters}`);
  }
  const modelPart: DecodedWeights = { metadata: all.metadata, tensors: new Map([...all.tensors].filter(([k]) => !k.startsWith('optim.'))) };
  const named = model.named().filter((n) => n.trainable);
  const moments = named.map((n) => {
    const m = all.tensors.get(`optim.m.${n.name}`);
    const v = all.tensors.get(`optim.v.${n.name}`);
    if (!m || !v || m.data.length !== n.tensor.size || v.data.length !== n.tensor.size) throw fileError(path, `checkpoint lacks optimiser state for ${n.name}`);
    return { k: model.params.indexOf(n.tensor), m: m.data, v: v.data };
  });
  applyWeights(model, modelPart, path); // validates everything first
  for (const { k, m, v } of moments) {
    writeBuffer(model.gpu, opt.m[k].buffer, m);
    writeBuffer(model.gpu, opt.v[k].buffer, v);
  }
  opt.t = Number(adamStep);
  return ck;
}

/**
 * The schedule state and logs of a checkpoint, checked field by field before anything is applied: an epoch
 * stored as "3" resumed at epoch "31" and ended the run, a missing state or log list was a TypeError.
 */
function checkState(path: string, raw: unknown): CheckpointState {
  const bad = (what: string) => fileError(path, `checkpoint metadata: ${what}`);
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const isInt = (x: unknown, min: number) => Number.isInteger(x) && (x as number) >= min;
  if (!isObject(raw)) throw bad('not an object');
  if (!isInt(raw.epoch, 0)) throw bad(`epoch must be a non-negative integer, got ${JSON.stringify(raw.epoch)}`);
  const s = raw.state;
  if (!isObject(s)) throw bad('no schedule state');
  // NOTE: best is ∞ until an epoch improves, and JSON writes ∞ as null
  const best = s.best === null ? Infinity : s.best;
  if (typeof best !== 'number' || Number.isNaN(best)) throw bad(`state.best must be a number, got ${JSON.stringify(s.best)}`);
  if (!isInt(s.bestEpoch, -1) || !isInt(s.badEpochs, 0) || !isInt(s.lrBadEpochs, 0)) throw bad('state.bestEpoch, badEpochs and lrBadEpochs must be integers');
  if (!(typeof s.lr === 'number' && s.lr > 0 && s.lr < Infinity)) throw bad(`state.lr must be a finite number > 0, got ${JSON.stringify(s.lr)}`);
  if (!Array.isArray(raw.logs) || !raw.logs.every((l) => isObject(l) && isInt(l.epoch, 0) && isObject(l.train) && isObject(l.val))) {
    throw bad('logs must be a list of epoch records');
  }
  const state = { best, bestEpoch: s.bestEpoch as number, badEpochs: s.badEpochs as number, lrBadEpochs: s.lrBadEpochs as number, lr: s.lr };
  return { epoch: raw.epoch as number, state, logs: raw.logs as EpochLog[] };
}
