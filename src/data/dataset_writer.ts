// Writes samples to disk in SHAPR's layout (obj/, mask/, image/ as uint8 TIFF, file names carrying the
// class as a prefix) with a classes.csv, so that loadDataset reads them back unchanged.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeOutputDir, removeStaleTemporaries, writeFileAtomic } from '../util/atomic.ts';
import { fileError } from '../util/errors.ts';
import { formatClassesCsv } from './class_names.ts';
import { LAYOUT } from './dataset.ts';
import type { Sample } from './sample.ts';
import { writeTiff, type TiffWriteDtype } from './tiff_writer.ts';

/**
 * Writes DIR/obj/NAME.tif (D pages), DIR/mask/NAME.tif and DIR/image/NAME.tif (one page each) as uint8
 * (values × 255, rounded; the image in `imageType`, e.g. uint16 to keep a camera's grey levels) and DIR/classes.csv, replacing the dataset DIR held (its TIFFs in obj/, mask/,
 * image/ and its classes.csv; other files stay). The new set is written whole in a hidden folder inside
 * DIR first, so a failure (a full disk) leaves the old dataset as it was and no partial new one; then the
 * old files go and the new ones are moved in (renames, which need no space). A hidden folder that a killed
 * writer left is removed first.
 */
export function writeDataset(dir: string, samples: Sample[], imageType: TiffWriteDtype = 'uint8'): void {
  makeOutputDir(dir);
  for (const sub of LAYOUT) {
    const d = join(dir, sub);
    if (existsSync(d) && !statSync(d).isDirectory()) throw fileError(d, 'is a file, not a folder');
  }
  removeStaleTemporaries(dir);
  const stage = join(dir, `.writing-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  try {
    for (const sub of LAYOUT) makeOutputDir(join(stage, sub));
    for (const s of samples) {
      const [d, h, w] = s.shape;
      const file = `${s.name}.tif`;
      writeTiff(join(stage, 'obj', file), s.target, [d, h, w], 'uint8');
      writeTiff(join(stage, 'mask', file), s.input.subarray(0, h * w), [1, h, w], 'uint8');
      writeTiff(join(stage, 'image', file), s.image, [1, h, w], imageType);
    }
    writeFileAtomic(join(stage, 'classes.csv'), formatClassesCsv(samples));
    for (const sub of LAYOUT) {
      const d = join(dir, sub);
      makeOutputDir(d);
      for (const file of readdirSync(d)) if (/\.tiff?$/i.test(file)) rmSync(join(d, file));
      for (const file of readdirSync(join(stage, sub))) renameSync(join(stage, sub, file), join(d, file));
    }
    renameSync(join(stage, 'classes.csv'), join(dir, 'classes.csv'));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
