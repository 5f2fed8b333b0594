// topo-shapr predict: a weights file + image/mask pairs (a SHAPR-layout folder, or one pair) → TIFF volumes.
import type { Command } from 'commander';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { listTiffs } from '../../src/data/dataset.ts';
import { makeInput, type Sample } from '../../src/data/sample.ts';
import { readTiff } from '../../src/data/tiff.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { evaluateVolumes } from '../../src/eval/metrics.ts';
import { getGpu } from '../../src/gpu/device.ts';
import { loadShapr } from '../../src/model/weights_node.ts';
import { predictSamples } from '../../src/train/predict.ts';
import { writeFileAtomic } from '../../src/util/atomic.ts';
import { fileError, UserError } from '../../src/util/errors.ts';
import { progress } from '../progress.ts';

/** Reads one mask/image pair as a network input of side × side. */
function readPair(maskPath: string, imagePath: string, side: number): Sample {
  const mask = readTiff(maskPath);
  const image = readTiff(imagePath);
  for (const [p, v] of [[maskPath, mask], [imagePath, image]] as const) {
    if (v.shape[0] !== 1 || v.shape[1] !== side || v.shape[2] !== side) throw fileError(p, `shape ${v.shape.join('×')}, the model expects a ${side}×${side} image`);
  }
  const target = new Float32Array(0);
  return { name: basename(maskPath).replace(/\.tiff?$/i, ''), className: '', shape: [side, side, side], input: makeInput(mask.data, image.data), target, image: image.data };
}

export function register(program: Command): void {
  program
    .command('predict')
    .description('predict 3D volumes from 2D image + mask with trained weights (e.g. RUN/best.safetensors)')
    .requiredOption('--weights <file>', 'weights file written by train (best.safetensors)')
    .option('--data <dir>', "folder with mask/ and image/ TIFFs matched by name (SHAPR's layout; obj/ is used for errors if present)")
    .option('--image <tif>', 'a single fluorescence image (with --mask)')
    .option('--mask <tif>', 'a single segmentation mask (with --image)')
    .requiredOption('--out <dir>', 'folder for the predicted volumes (float32 TIFF, Z first)')
    .option('--batch-size <n>', 'samples per forward pass', (v) => Number(v), 6)
    .action(async (o) => {
      const g = await getGpu();
      const { model } = await loadShapr(g, o.weights);
      const side = model.config.side;
      let samples: Sample[];
      if (o.data) {
        const masks = listTiffs(join(o.data, 'mask'));
        const images = listTiffs(join(o.data, 'image'));
        for (const stem of masks.keys()) if (!images.has(stem)) throw fileError(join(o.data, 'image', `${stem}.tif`), `missing (partner of mask/${masks.get(stem)})`);
        samples = [...masks].map(([stem, f]) => ({ ...readPair(join(o.data, 'mask', f), join(o.data, 'image', images.get(stem)!), side), name: stem }));
      } else if (o.image && o.mask) samples = [readPair(o.mask, o.image, side)];
      else throw new UserError('predict: give --data DIR, or --image and --mask');
      if (!samples.length) throw fileError(join(o.data, 'mask'), 'no .tif files in folder');
      mkdirSync(o.out, { recursive: true });
      const bar = progress();
      bar.start(samples.length, 'predict');
      const preds = await predictSamples(g, model, samples, o.batchSize, (n) => bar.update(n));
      bar.stop();
      const objDir = o.data ? join(o.data, 'obj') : null;
      const errors: number[] = [];
      samples.forEach((s, i) => {
        writeFileAtomic(join(o.out, `${s.name}.tif`), encodeTiff(preds[i], s.shape, 'float32'));
        const truth = objDir && existsSync(join(objDir, `${s.name}.tif`)) ? readTiff(join(objDir, `${s.name}.tif`)) : null;
        if (truth) errors.push(evaluateVolumes(preds[i], truth.data, s.shape).iouError);
      });
      console.log(`wrote ${samples.length} volumes to ${o.out}` + (errors.length ? `; mean IoU error ${(errors.reduce((a, b) => a + b, 0) / errors.length).toFixed(3)} over ${errors.length} with ground truth` : ''));
    });
}
