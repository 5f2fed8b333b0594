// `topo-shapr generate OUT`: writes the built-in synthetic cells as a dataset in SHAPR's layout.
import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { generateDataset, SYNTHETIC_CLASSES, type SyntheticClass } from '../../src/data/synthetic.ts';
import { writeFileAtomic } from '../../src/util/atomic.ts';
import { UserError } from '../../src/util/errors.ts';
import { SIDES } from '../../src/model/shapr_layout.ts';
import { parseInteger } from './numbers.ts';

/** The file that marks a folder's dataset as written by generate (which --force may then replace). */
const MARKER = 'generated.json';

interface GenerateFlags {
  n: string; // number of samples (classes cycled)
  size: string; // S: S³ volumes, S² images
  seed: string; // generator seed
  classes?: string; // comma-separated subset of the classes
  force: boolean; // replace the dataset a folder already holds
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('write synthetic cells (10 morphologies) in SHAPR\'s layout: OUT/obj, OUT/mask, OUT/image, OUT/classes.csv (and OUT/generated.json)')
    .argument('<out>', 'output folder')
    .option('--n <N>', 'number of samples (the classes are cycled)', '100')
    .option('--size <S>', 'volume side: S×S×S volumes, S×S images; 4, 8, 16, 32 or 64 (64 as in SHAPR; 16 or 32 for quick runs)', '64')
    .option('--seed <K>', 'random seed (same seed, same dataset)', '0')
    .option('--classes <list>', `comma-separated subset of: ${SYNTHETIC_CLASSES.join(', ')}`)
    .option('--force', 'replace the dataset an earlier generate wrote in OUT (its TIFFs in obj/, mask/, image/ and classes.csv)', false)
    .action((out: string, f: GenerateFlags) => {
      const n = parseInteger('n', f.n, 1);
      const size = parseInteger('size', f.size, 1);
      // NOTE: the sides the network takes (a 7³ or 100³ dataset was written, then refused by inspect and train)
      if (!SIDES.includes(size)) throw new UserError(`--size must be a side the network takes, one of ${SIDES.join(', ')}; got ${size}`);
      const seed = parseInteger('seed', f.seed);
      let classes: SyntheticClass[] | undefined;
      if (f.classes) {
        classes = f.classes.split(',').map((c) => c.trim()) as SyntheticClass[];
        const bad = classes.find((c) => !SYNTHETIC_CLASSES.includes(c));
        // NOTE: '' (from 'nucleus,') is falsy: compared with undefined, or it reached the generator as a TypeError
        if (bad !== undefined) throw new UserError(`--classes: unknown class "${bad}" (known: ${SYNTHETIC_CLASSES.join(', ')})`);
      }
      const obj = join(out, 'obj');
      const marker = join(out, MARKER);
      if (existsSync(obj) && readdirSync(obj).length > 0) {
        if (!f.force) throw new UserError(`${out}: already holds a dataset (obj/ is not empty); use --force to replace it`);
        // NOTE: --force on a folder of real data deleted it all: only what generate wrote is replaced
        if (!existsSync(marker)) throw new UserError(`${out}: holds a dataset that generate did not write (no ${MARKER}); --force replaces only generated ones: choose another folder, or delete its obj/, mask/ and image/ yourself`);
      }
      const t0 = performance.now();
      const tty = process.stderr.isTTY;
      const onProgress = tty ? (d: number, total: number) => process.stderr.write(`\rgenerating ${d}/${total}`) : undefined;
      const samples = generateDataset({ n, size, seed, classes, onProgress });
      if (tty) process.stderr.write('\r\x1b[K');
      // NOTE: --force replaces the old samples whole (writeDataset) instead of mixing them with stale ones that
      // classes.csv no longer lists; only the dataset's own files go, anything else in OUT stays.
      writeDataset(out, samples);
      writeFileAtomic(marker, JSON.stringify({ n, size, seed, classes: classes ?? SYNTHETIC_CLASSES }) + '\n');
      const per = new Map<string, number>();
      for (const s of samples) per.set(s.className, (per.get(s.className) ?? 0) + 1);
      console.log(`wrote ${n} samples (${size}³, seed ${seed}) to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      console.log([...per].map(([c, k]) => `${c} ${k}`).join(', '));
    });
}
