// `topo-shapr inspect DIR`: validates a dataset in SHAPR's layout and prints its summary; the first
// problem ends the command with exit code 1 and one line naming the file (via UserError in cli.ts).
import type { Command } from 'commander';
import { validateDataset, type DatasetSummary } from '../../src/data/dataset.ts';
import { checkTrainShape } from '../../src/train/data.ts';

function range(r: { min: number; max: number; mean: number }): string {
  return `${r.min.toFixed(3)} – ${r.max.toFixed(3)} (mean ${r.mean.toFixed(3)})`;
}

/** The human-readable summary. */
export function formatSummary(s: DatasetSummary): string {
  const [d, h, w] = s.shape;
  const width = Math.max(...Object.keys(s.perClass).map((c) => c.length));
  const lines = [
    `${s.dir}: ${s.count} samples, obj ${d}×${h}×${w}, mask and image ${h}×${w} — OK`,
    `classes (from ${s.classesFrom}):`,
    ...Object.entries(s.perClass).map(([c, n]) => `  ${c.padEnd(width)}  ${String(n).padStart(5)}  (${((100 * n) / s.count).toFixed(1)}%)`),
    `values (scaled to [0, 1]):`,
    `  obj    ${s.dtypes.obj.join('/').padEnd(7)} ${range(s.ranges.obj)}`,
    `  mask   ${s.dtypes.mask.join('/').padEnd(7)} ${range(s.ranges.mask)}`,
    `  image  ${s.dtypes.image.join('/').padEnd(7)} ${range(s.ranges.image)}`,
    `object fraction (obj > 0.5): ${(100 * s.objectFraction).toFixed(1)}% of voxels on average`,
    `mask vs obj middle slice: mean IoU ${s.maskMidSliceIou.toFixed(3)}`,
  ];
  return [...lines, ...warningLines(s.warnings)].join('\n');
}

/** A dataset's warnings as inspect prints them (the first 20), also before train and predict. */
export function warningLines(warnings: string[]): string[] {
  if (warnings.length === 0) return [];
  const more = warnings.length > 20 ? [`  ... and ${warnings.length - 20} more`] : [];
  return [`${warnings.length} ${warnings.length === 1 ? 'warning' : 'warnings'}:`, ...warnings.slice(0, 20).map((x) => `  ${x}`), ...more];
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('validate a dataset folder (DIR/obj, DIR/mask, DIR/image) and print its summary')
    .argument('<dir>', 'dataset folder in SHAPR\'s layout')
    .option('--json', 'print the summary as JSON', false)
    .action((dir: string, f: { json: boolean }) => {
      const s = validateDataset(dir);
      checkTrainShape(dir, s.shape);
      console.log(f.json ? JSON.stringify(s, null, 2) : formatSummary(s));
    });
}
