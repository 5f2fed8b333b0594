// Writes samples to disk in SHAPR's layout (obj/, mask/, image/ as uint8 TIFF, file names carrying the
// class as a prefix) with a classes.csv, so that loadDataset reads them back unchanged.
import { join } from 'node:path';
import { makeOutputDir, writeFileAtomic } from '../util/atomic.ts';
import { formatClassesCsv } from './class_names.ts';
import type { Sample } from './sample.ts';
import { writeTiff } from './tiff_writer.ts';

/**
 * Writes DIR/obj/NAME.tif (D pages), DIR/mask/NAME.tif and DIR/image/NAME.tif (one page each) as uint8
 * (values × 255, rounded) and DIR/classes.csv. Creates the folders; overwrites files of the same name.
 */
export function writeDataset(dir: string, samples: Sample[]): void {
  for (const sub of ['obj', 'mask', 'image']) makeOutputDir(join(dir, sub));
  for (const s of samples) {
    const [d, h, w] = s.shape;
    const file = `${s.name}.tif`;
    writeTiff(join(dir, 'obj', file), s.target, [d, h, w], 'uint8');
    writeTiff(join(dir, 'mask', file), s.input.subarray(0, h * w), [1, h, w], 'uint8');
    writeTiff(join(dir, 'image', file), s.image, [1, h, w], 'uint8');
  }
  writeFileAtomic(join(dir, 'classes.csv'), formatClassesCsv(samples));
}
