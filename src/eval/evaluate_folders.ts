// Evaluates a folder of predicted volumes against a folder of true volumes (TIFF, matched by file name).
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readClassesCsv, sampleClass } from '../data/class_names.ts';
import { listTiffs } from '../data/dataset.ts';
import { checkValues, readTiff } from '../data/tiff.ts';
import { fileError } from '../util/errors.ts';
import { evaluateVolumes, METRICS, type ShapeErrors } from './metrics.ts';

/** One evaluated sample. */
export interface SampleEvaluation extends ShapeErrors {
  name: string; // file stem
  className: string; // from classes.csv beside the truth's obj/ folder, else from the file name
}

/**
 * A folder of volumes: DIR itself, or DIR/obj when DIR is a dataset root in SHAPR's layout (an obj/ folder
 * beside mask/ and image/); a root that also holds TIFF files of its own is refused as ambiguous.
 */
export function volumeFolder(dir: string): string {
  const own = listTiffs(dir);
  if (!existsSync(join(dir, 'obj'))) return dir;
  // NOTE: TIFFs beside obj/ are not the truth of a dataset (predictions written there once scored 0 error)
  if (own.size > 0) throw fileError(dir, `holds ${own.size} .tif file(s) and an obj/ folder: give the folder of volumes itself (${join(dir, 'obj')}, or another)`);
  return join(dir, 'obj');
}

/**
 * Evaluates every prediction against the truth of the same name (truths without a prediction are left out:
 * a run predicts its test fold only); each pair must have one shape. `onSample` reports progress (0 first, then after each sample). Throws a
 * UserError naming the first prediction without a truth, or bad file.
 */
export function evaluateFolders(
  truthDir: string,
  predDir: string,
  onSample?: (done: number, total: number) => void,
): SampleEvaluation[] {
  const truthFolder = volumeFolder(truthDir);
  const predFolder = volumeFolder(predDir);
  const truth = listTiffs(truthFolder);
  const pred = listTiffs(predFolder);
  if (truth.size === 0) throw fileError(truthFolder, 'no .tif files in folder');
  if (pred.size === 0) throw fileError(predFolder, 'no .tif files in folder');
  for (const [stem, file] of pred) if (!truth.has(stem)) throw fileError(join(predFolder, file), `no ground truth named ${stem} in ${truthFolder}`);
  // classes.csv sits at the dataset root, beside obj/
  const csvPath = join(basename(truthFolder) === 'obj' ? dirname(truthFolder) : truthFolder, 'classes.csv');
  const csv = readClassesCsv(csvPath);
  const out: SampleEvaluation[] = [];
  let done = 0;
  onSample?.(0, pred.size);
  for (const [stem, file] of truth) {
    if (!pred.has(stem)) continue;
    const t = readTiff(join(truthFolder, file));
    const p = readTiff(join(predFolder, pred.get(stem)!));
    // NOTE: any finite values (a prediction may be a likelihood or a score); a NaN would silently read as background
    checkValues(t, join(truthFolder, file), false);
    checkValues(p, join(predFolder, pred.get(stem)!), false);
    if (p.shape.join() !== t.shape.join()) {
      throw fileError(join(predFolder, pred.get(stem)!), `shape ${p.shape.join('×')}, truth is ${t.shape.join('×')}`);
    }
    // NOTE: as training does: a sample missing from classes.csv used to fall back to its file name silently
    const className = sampleClass(stem, csv, csvPath);
    out.push({ name: stem, className, ...evaluateVolumes(p.data, t.data, t.shape) });
    onSample?.(++done, pred.size);
  }
  return out;
}

/** The JSON rows of `evaluate --json`: the paper's metric names, NaN as null. */
export function toJsonRows(rows: readonly SampleEvaluation[]): Record<string, string | number | null>[] {
  return rows.map((r) => {
    // NOTE: with its class, as the table prints it (metrics.json's rows carry it as className)
    const o: Record<string, string | number | null> = { name: r.name, className: r.className };
    for (const [key, json] of METRICS) o[json] = Number.isNaN(r[key]) ? null : r[key];
    return o;
  });
}
