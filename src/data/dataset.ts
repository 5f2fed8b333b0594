// Reads and validates a dataset in SHAPR's layout: DIR/obj/NAME.tif (3D ground truth, Z first),
// DIR/mask/NAME.tif and DIR/image/NAME.tif (2D), matched by file name. Everything is checked before any
// training starts; the first problem is a UserError naming the file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileError } from '../util/errors.ts';
import { readClassesCsv, sampleClass, stemOf } from './class_names.ts';
import { checkNotSwapped, makeInput, type Sample } from './sample.ts';
import { FaintLabels } from './labels.ts';
import { checkValues, readTiff, type TiffVolume } from './tiff.ts';

/** The three folders of SHAPR's layout. */
export const LAYOUT = ['obj', 'mask', 'image'] as const;

/** Min / max / mean of the values of one kind of file over the dataset (after scaling to [0, 1]). */
export interface ValueRange {
  min: number;
  max: number;
  mean: number;
}

/** What `inspect` prints: counts, shapes, value ranges and soft warnings. */
export interface DatasetSummary {
  dir: string;
  count: number;
  shape: [number, number, number]; // [D, H, W] of every obj volume; masks and images are H×W
  perClass: Record<string, number>; // samples per class, classes sorted by name
  classesFrom: 'classes.csv' | 'file names';
  dtypes: Record<(typeof LAYOUT)[number], string[]>; // pixel types seen per folder
  ranges: Record<(typeof LAYOUT)[number], ValueRange>;
  objectFraction: number; // mean fraction of obj voxels > 0.5
  maskMidSliceIou: number; // mean IoU of mask > 0.5 and the obj middle slice > 0.5 (1 = mask is that slice)
  warnings: string[]; // suspicious but usable samples (empty mask, mask unlike the middle slice, ...)
}

/** A validated dataset: samples sorted by name, all of the same shape. */
export interface Dataset {
  dir: string;
  samples: Sample[];
  classes: string[]; // sorted class names
  shape: [number, number, number];
  summary: DatasetSummary;
}

/** Lists the TIFF files of a folder as stem → file name (sorted); errors on a missing folder or duplicate stem. */
export function listTiffs(folder: string): Map<string, string> {
  if (!existsSync(folder)) throw fileError(folder, 'no such folder');
  if (!statSync(folder).isDirectory()) throw fileError(folder, 'is a file, not a folder');
  const files = new Map<string, string>();
  for (const name of readdirSync(folder).sort()) {
    if (name.startsWith('.') || !/\.tiff?$/i.test(name)) continue;
    const stem = stemOf(name);
    if (files.has(stem)) throw fileError(join(folder, name), `same name as ${files.get(stem)}`);
    files.set(stem, name);
  }
  return files;
}

/**
 * Reads every sample of `dir` (SHAPR layout) and checks it: partner files present, readable TIFFs,
 * equal shapes (obj D×H×W, mask and image H×W, the same for all samples), finite values in [0, 1].
 * The class of a sample comes from `dir/classes.csv` if present, else from its file name (classFromName).
 * @throws UserError naming the first bad file.
 */
export function loadDataset(dir: string, opts: { limit?: number } = {}): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw fileError(dir, 'no such folder');
  for (const sub of LAYOUT) {
    const p = join(dir, sub);
    if (!existsSync(p)) throw fileError(p, 'missing folder (SHAPR layout: DIR/obj, DIR/mask, DIR/image)');
  }
  const lists = Object.fromEntries(LAYOUT.map((s) => [s, listTiffs(join(dir, s))])) as Record<
    (typeof LAYOUT)[number],
    Map<string, string>
  >;
  if (lists.obj.size === 0) throw fileError(join(dir, 'obj'), 'no .tif files in folder');
  // Every name must be present in all three folders.
  for (const sub of LAYOUT) {
    for (const stem of lists[sub].keys()) {
      for (const other of LAYOUT) {
        if (!lists[other].has(stem)) {
          // NOTE: a partner saved in another format (e.g. .png) is not read: say so rather than only "missing"
          const elsewhere = readdirSync(join(dir, other)).find((f) => f.startsWith(`${stem}.`));
          throw fileError(join(dir, other, `${stem}.tif`), `missing (partner of ${sub}/${lists[sub].get(stem)})${elsewhere ? `; ${elsewhere} is there, but only TIFF files are read` : ''}`);
        }
      }
    }
  }
  const csvPath = join(dir, 'classes.csv');
  const csv = readClassesCsv(csvPath);
  let stems = [...lists.obj.keys()];
  if (opts.limit !== undefined) stems = stems.slice(0, opts.limit);

  const samples: Sample[] = [];
  const dtypes = { obj: new Set<string>(), mask: new Set<string>(), image: new Set<string>() };
  const acc = { obj: new RangeAcc(), mask: new RangeAcc(), image: new RangeAcc() };
  const warnings: string[] = [];
  let shape: [number, number, number] | null = null;
  let firstObj = '';
  let objectFraction = 0;
  let iouSum = 0;
  const labels = { obj: new FaintLabels('obj'), mask: new FaintLabels('mask') }; // labels.ts
  for (const stem of stems) {
    const paths = Object.fromEntries(LAYOUT.map((s) => [s, join(dir, s, lists[s].get(stem)!)])) as Record<
      (typeof LAYOUT)[number],
      string
    >;
    const obj = readTiff(paths.obj);
    if (shape === null) {
      shape = obj.shape;
      firstObj = `obj/${lists.obj.get(stem)}`;
      if (shape[0] < 2) throw fileError(paths.obj, `is a single ${shape[1]}×${shape[2]} image; expected a 3D stack`);
    } else if (!sameShape(obj.shape, shape)) {
      throw fileError(paths.obj, `shape ${fmt(obj.shape)}, expected ${fmt(shape)} (like ${firstObj})`);
    }
    const mask = readTiff(paths.mask);
    const image = readTiff(paths.image);
    for (const [kind, v] of [['mask', mask], ['image', image]] as const) {
      if (v.shape[0] !== 1 || v.shape[1] !== shape[1] || v.shape[2] !== shape[2]) {
        throw fileError(paths[kind], `shape ${fmt(v.shape)}, expected ${shape[1]}×${shape[2]} (the obj slices' size)`);
      }
    }
    // NOTE: mask/ and image/ swapped passed as "OK" with unlike-slice warnings: the rule predict applies to a pair
    checkNotSwapped(paths.mask, mask.data, image.data, 'are mask/ and image/ swapped?');
    for (const kind of LAYOUT) {
      const v = { obj, mask, image }[kind];
      checkValues(v, paths[kind]);
      dtypes[kind].add(v.dtype);
      if (kind !== 'image') labels[kind].read(v, `${kind}/${lists[kind].get(stem)}`);
      acc[kind].add(v.data);
    }
    const className = sampleClass(stem, csv, csvPath);
    const stats = sampleStats(obj, mask);
    objectFraction += stats.objectFraction;
    iouSum += stats.iou;
    const empty = emptyMaskWarning(`mask/${lists.mask.get(stem)}`, mask);
    if (empty) warnings.push(empty);
    else if (stats.iou < 0.5) warnings.push(`mask/${lists.mask.get(stem)}: unlike the obj middle slice (IoU ${stats.iou.toFixed(2)})`);
    if (stats.objectFraction === 0) warnings.push(`obj/${lists.obj.get(stem)}: empty volume`);
    samples.push({ name: stem, className, shape, input: makeInput(mask.data, image.data), target: obj.data, image: image.data });
  }
  warnings.unshift(...[labels.mask.note(), labels.obj.note()].filter((x) => x !== null));
  // NOTE: a row of classes.csv that names no sample (a typo) was accepted silently
  const strays = csv && opts.limit === undefined ? [...csv.keys()].filter((name) => !lists.obj.has(name)) : [];
  if (strays.length) warnings.push(`classes.csv: ${strays.length} row${strays.length === 1 ? '' : 's'} name${strays.length === 1 ? 's' : ''} no sample (e.g. "${strays[0]}")`);
  const perClass: Record<string, number> = {};
  for (const s of samples) perClass[s.className] = (perClass[s.className] ?? 0) + 1;
  const classes = Object.keys(perClass).sort();
  // NOTE: names like "cell_t01_z05" give one "class" per sample; stratified splits then mean nothing. A
  // small subset of a real dataset (6 samples of SHAPR's 4 classes) has many classes for its size, so
  // below 20 samples only one class per sample is suspicious.
  const suspicious = samples.length >= 20 ? classes.length > samples.length / 2 : classes.length === samples.length;
  if (!csv && classes.length > 1 && suspicious) {
    warnings.push(`${classes.length} classes from ${samples.length} file names: names may not start with a class; add a classes.csv (name,class)`);
  }
  const sortedPerClass = Object.fromEntries(classes.map((c) => [c, perClass[c]]));
  const summary: DatasetSummary = {
    dir,
    count: samples.length,
    shape: shape!,
    perClass: sortedPerClass,
    classesFrom: csv ? 'classes.csv' : 'file names',
    dtypes: { obj: [...dtypes.obj], mask: [...dtypes.mask], image: [...dtypes.image] },
    ranges: { obj: acc.obj.result(), mask: acc.mask.result(), image: acc.image.result() },
    objectFraction: objectFraction / samples.length,
    maskMidSliceIou: iouSum / samples.length,
    warnings,
  };
  return { dir, samples, classes, shape: shape!, summary };
}

/** Validates `dir` as loadDataset does and returns only the summary. */
export function validateDataset(dir: string): DatasetSummary {
  return loadDataset(dir).summary;
}

/** The warning for a mask without foreground (no value above 0.5, after normaliseLabels) named `name`, or null. */
export function emptyMaskWarning(name: string, mask: TiffVolume): string | null {
  for (const x of mask.data) if (x > 0.5) return null;
  return `${name}: empty mask`;
}

function sampleStats(obj: TiffVolume, mask: TiffVolume): { objectFraction: number; iou: number } {
  const [d, h, w] = obj.shape;
  let inside = 0;
  for (const x of obj.data) if (x > 0.5) inside++;
  const mid = Math.floor(d / 2) * h * w;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < h * w; i++) {
    const a = mask.data[i] > 0.5;
    const b = obj.data[mid + i] > 0.5;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return { objectFraction: inside / obj.data.length, iou: union === 0 ? 1 : inter / union };
}

class RangeAcc {
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private n = 0;
  add(data: Float32Array): void {
    for (const x of data) {
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
      this.sum += x;
    }
    this.n += data.length;
  }
  result(): ValueRange {
    return { min: this.min, max: this.max, mean: this.sum / this.n };
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function fmt(shape: readonly number[]): string {
  return shape[0] === 1 ? `${shape[1]}×${shape[2]}` : shape.join('×');
}
