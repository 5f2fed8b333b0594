// `topo-shapr resample DATA OUT --side S`: a smaller copy of a dataset in SHAPR's layout (src/data/resample.ts),
// so that real data can be tried in quick runs at 16³ or 32³ (train takes volumes of the side it trains at).
import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { loadDataset } from '../../src/data/dataset.ts';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { resampleSample } from '../../src/data/resample.ts';
import { SIDES } from '../../src/model/shapr_layout.ts';
import { checkTrainShape } from '../../src/train/data.ts';
import { UserError } from '../../src/util/errors.ts';
import { parseInteger } from './numbers.ts';
import { isWithin } from './paths.ts';

export function register(program: Command): void {
  program
    .command('resample')
    .description("write a smaller copy of a dataset in SHAPR's layout, for quick runs: block means, the mask and 3D shape kept binary (mean ≥ 1/2), the images in their own pixel type")
    .argument('<data>', "dataset folder in SHAPR's layout (obj/, mask/, image/)")
    .argument('<out>', 'output folder (new or empty)')
    .requiredOption('--side <S>', `the new side (required): one of ${SIDES.join(', ')} that divides the dataset's`)
    .action((data: string, out: string, f: { side: string }) => {
      const side = parseInteger('side', f.side, 1);
      if (!SIDES.includes(side)) throw new UserError(`--side must be one of ${SIDES.join(', ')}; got ${side}`);
      if (isWithin(out, data) || isWithin(data, out)) throw new UserError(`${out}: must lie outside ${data} (and not hold it)`);
      // NOTE: never over files: writeDataset replaces the TIFFs of obj/, mask/ and image/ a folder holds
      if (existsSync(out) && readdirSync(out).length > 0) throw new UserError(`${out}: is not empty; give a new or empty folder`);
      const ds = loadDataset(data);
      checkTrainShape(data, ds.shape); // cubic, of a side the network takes
      const from = ds.shape[2];
      if (from % side !== 0) throw new UserError(`--side ${side}: does not divide the dataset's side ${from} (${ds.shape.join('×')})`);
      if (side === from) throw new UserError(`--side ${side}: is the dataset's side already; give a smaller one`);
      // NOTE: the images in their own pixel type (uint16 or float32 ones lost grey levels as uint8)
      const types = ds.summary.dtypes.image;
      const imageType = types.includes('float32') ? 'float32' : types.includes('uint16') ? 'uint16' : 'uint8';
      writeDataset(out, ds.samples.map((s) => resampleSample(s, side)), imageType);
      console.log(`wrote ${ds.samples.length} samples at ${side}³ (from ${ds.shape.join('×')}) to ${out}`);
    });
}
