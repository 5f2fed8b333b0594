// topo-shapr predict: a weights file + image/mask pairs (a SHAPR-layout folder, or one pair) → TIFF volumes.
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { stemOf } from '../../src/data/class_names.ts';
import { emptyMaskWarning, LAYOUT, listTiffs } from '../../src/data/dataset.ts';
import { FaintLabels, normaliseLabels } from '../../src/data/labels.ts';
import { maskAndImageAtSide, shapeAtSide } from '../../src/data/resample.ts';
import { checkNotSwapped, makeInput, type Sample } from '../../src/data/sample.ts';
import { checkValues, readTiff } from '../../src/data/tiff.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { iouError } from '../../src/eval/metrics.ts';
import { binarize } from '../../src/eval/otsu.ts';
import { getGpu } from '../../src/gpu/device.ts';
import { loadShapr } from '../../src/model/weights_node.ts';
import { predictBatches } from '../../src/train/predict.ts';
import { samplesFingerprint } from '../../src/train/data.ts';
import { appendLine, makeOutputDir, removeStaleTemporaries, writeFileAtomic } from '../../src/util/atomic.ts';
import { fileError, UserError } from '../../src/util/errors.ts';
import { parseInteger } from './numbers.ts';
import { realPath } from './paths.ts';
import { progress } from '../progress.ts';
import { onStopSignal } from '../exit.ts';
import { warningLines } from './inspect.ts';

/** The record in --out of the weights and inputs that wrote its predictions, and of each one written. */
const PREDICT_RECORD = 'predict.jsonl';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * The predictions the record says `origin` wrote. Each run appends its origin line, then the name of each
 * prediction it writes; a name belongs to the origin it was last written under, so runs of other inputs
 * into one folder (single pairs, one at a time) each keep theirs. NOTE: a line cut by a kill is not a name.
 */
function readRecord(path: string, origin: string): Set<string> {
  if (!existsSync(path)) return new Set();
  const writer = new Map<string, string>(); // name → the origin line it was last written under
  let current = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a cut line
    }
    if (typeof entry === 'string') writer.set(entry, current);
    else if (entry !== null && typeof entry === 'object') current = line;
  }
  return new Set([...writer].filter(([, o]) => o === origin).map(([name]) => name));
}

/**
 * Reads one mask/image pair as a network input of side × side, the mask as training reads it (`labels`);
 * a mask without foreground adds to `warnings`.
 */
function readPair(maskPath: string, imagePath: string, side: number, labels: FaintLabels, warnings: string[]): Sample {
  const mask = readTiff(maskPath);
  const image = readTiff(imagePath);
  const width = mask.shape[2];
  for (const [p, v] of [[maskPath, mask], [imagePath, image]] as const) {
    const [d, h, w] = v.shape;
    if (d !== 1 || h !== w || w % side !== 0) throw fileError(p, `shape ${v.shape.join('×')}, the model expects a ${side}×${side} image (or a multiple, averaged down)`);
    if (w !== width) throw fileError(imagePath, `${w}×${w}, its mask ${maskPath} is ${width}×${width}: an image and its mask must have one size`);
    checkValues(v, p); // as in training: finite, in [0, 1]
  }
  // NOTE: swapped --image and --mask were predicted from (the web page tells them apart by grey levels, so
  // the same rule here: a mask has far fewer levels than its image)
  checkNotSwapped(maskPath, mask.data, image.data, 'are the image and the mask swapped?');
  labels.read(mask, maskPath);
  const empty = emptyMaskWarning(maskPath, mask);
  if (empty) warnings.push(empty);
  // a pair larger than the model's side: averaged down as `resample` writes a dataset for such a model
  const small = maskAndImageAtSide(mask.data, image.data, width, side);
  const target = new Float32Array(0);
  return { name: stemOf(basename(maskPath)), className: '', shape: [side, side, side], input: makeInput(small.mask, small.image), target, image: small.image };
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
    .option('--batch-size <n>', 'samples per forward pass', '6')
    .option('--force', 'overwrite predictions already in --out', false)
    .action(async (o) => {
      const batchSize = parseInteger('batch-size', o.batchSize, 1);
      if (!o.data && !(o.image && o.mask)) throw new UserError('predict: give --data DIR, or --image and --mask');
      if (o.data && (o.image || o.mask)) throw new UserError(`predict: give --data DIR or --image and --mask, not both (--${o.image ? 'image' : 'mask'} would be ignored)`);
      if (o.image && o.mask && realPath(o.image) === realPath(o.mask)) throw new UserError(`predict: --image and --mask are one file (${o.mask}); give the image and its mask`);
      const g = await getGpu();
      const { model } = await loadShapr(g, o.weights);
      const side = model.config.side;
      let samples: Sample[];
      const warnings: string[] = [];
      const labels = new FaintLabels(o.data ? join(o.data, 'mask') : dirname(o.mask));
      if (o.data) {
        const masks = listTiffs(join(o.data, 'mask'));
        const images = listTiffs(join(o.data, 'image'));
        for (const stem of masks.keys()) if (!images.has(stem)) throw fileError(join(o.data, 'image', `${stem}.tif`), `missing (partner of mask/${masks.get(stem)})`);
        for (const stem of images.keys()) if (!masks.has(stem)) throw fileError(join(o.data, 'mask', `${stem}.tif`), `missing (partner of image/${images.get(stem)})`);
        samples = [...masks].map(([stem, f]) => ({ ...readPair(join(o.data, 'mask', f), join(o.data, 'image', images.get(stem)!), side, labels, warnings), name: stem }));
      } else {
        samples = [readPair(o.mask, o.image, side, labels, warnings)];
        // NOTE: the output is named after the mask; an image of another name is likely another sample's
        const [maskStem, imageStem] = [o.mask, o.image].map((f: string) => stemOf(basename(f)));
        if (maskStem !== imageStem) warnings.push(`${o.image}: another name than its mask ${o.mask}; the prediction is named ${maskStem}.tif`);
      }
      const note = labels.note();
      if (note) warnings.unshift(note);
      if (warnings.length) console.error(warningLines(warnings).map((x) => `predict: ${x}`).join('\n'));
      if (!samples.length) throw fileError(join(o.data, 'mask'), 'no .tif files in folder');
      // NOTE: never write into a folder of inputs: --out DATA/obj would replace the ground truth (and then
      // score against it), also with --force, through a symlink, or as the obj/ beside a single pair's mask/.
      const outs = samples.map((s) => join(o.out, `${s.name}.tif`));
      const inputDirs = o.data
        ? LAYOUT.map((sub) => join(o.data, sub))
        : [o.mask, o.image].flatMap((f) => [dirname(f), join(dirname(dirname(resolve(f))), 'obj')]);
      const outDir = realPath(o.out);
      const clash = inputDirs.find((d) => realPath(d) === outDir);
      if (clash) throw new UserError(`--out ${o.out}: is ${clash}, a folder of inputs (images, masks or ground truth); choose another folder`);
      // nor into another dataset's obj/, mask/ or image/ (--force replaced its ground truth)
      const sub = LAYOUT.find((x) => x === basename(outDir));
      if (sub && LAYOUT.some((x) => x !== sub && existsSync(join(dirname(outDir), x)))) {
        throw new UserError(`--out ${o.out}: is the ${sub}/ folder of a dataset in SHAPR's layout (${dirname(outDir)}); choose another folder`);
      }
      // nor into a dataset's root: evaluate --truth DATA would then take the predictions for the truth
      const held = LAYOUT.filter((x) => existsSync(join(outDir, x)));
      if (held.length >= 2) throw new UserError(`--out ${o.out}: is a dataset in SHAPR's layout (it holds ${held.join('/, ')}/); choose another folder`);
      // NOTE: the same command run again (same weights, same inputs by content) resumes: the record names
      // them, and then each prediction written under them (whole: written atomically first). Only those are
      // kept: files in the folder from other weights or an earlier --force run are not.
      const record = join(o.out, PREDICT_RECORD);
      // NOTE: the inputs by content, as training fingerprints its samples (a file replaced in place is another input)
      const origin = JSON.stringify({ weights: sha256(readFileSync(o.weights)), inputs: samplesFingerprint(samples).sha256 });
      const listed = readRecord(record, origin);
      const existing = outs.filter((f) => existsSync(f));
      const kept = new Set(o.force ? [] : existing.filter((f) => listed.has(basename(f))));
      const stale = existing.filter((f) => !kept.has(f));
      if (stale.length && !o.force) throw new UserError(`${stale[0]}: exists (${stale.length} of the ${outs.length} predictions would be overwritten, and ${o.out} holds no record that these weights and inputs wrote them); use --force or another --out`);
      if (kept.size) console.error(`predict: resuming: ${kept.size} of the ${outs.length} predictions in ${o.out} are from these weights and inputs and are kept (--force predicts them all again)`);
      const todo = samples.map((_, i) => i).filter((i) => !kept.has(outs[i]));
      // NOTE: the ground truth (for the IoU error) is read and checked before anything is predicted or written,
      // so that a bad obj/ file stops the command before it leaves part of a set of predictions; kept
      // binarised (a byte a voxel), as the error needs it
      const truthFiles = o.data && existsSync(join(o.data, 'obj')) ? listTiffs(join(o.data, 'obj')) : new Map<string, string>();
      const truths = samples.map((s) => {
        const f = truthFiles.get(s.name);
        if (!f) return null;
        const path = join(o.data, 'obj', f);
        const t = readTiff(path);
        const [d, h, w] = t.shape;
        if (d !== w || h !== w || w % side !== 0) throw fileError(path, `shape ${t.shape.join('×')}, the predictions are ${s.shape.join('×')}`);
        checkValues(t, path);
        // a larger truth (inputs averaged down) as `resample` would write it, from labels as training reads them
        normaliseLabels(t);
        return binarize(shapeAtSide(t.data, t.shape, side));
      });
      makeOutputDir(o.out);
      removeStaleTemporaries(o.out);
      appendLine(record, origin);
      // NOTE: what --force replaces goes now, so that an interrupted run resumes without --force instead of
      // meeting the old volumes it had not yet replaced
      for (const f of stale) rmSync(f, { force: true });
      const bar = progress();
      bar.start(samples.length, 'predict');
      const errors: number[] = [];
      // NOTE: the IoU error alone (as evaluate binarises): all the metrics took 3/4 of the command's time
      const score = (i: number, v: Float32Array) => truths[i] && errors.push(iouError(binarize(v), truths[i]!));
      for (const i of samples.keys()) if (kept.has(outs[i])) score(i, readTiff(outs[i]).data);
      let done = samples.length - todo.length;
      bar.update(done);
      const release = onStopSignal((signal) => {
        bar.stop();
        return `predict: interrupted (${signal}); ${done} of the ${samples.length} predictions are written to ${o.out}, each whole; run it again${o.force ? ' without --force' : ''} to resume`;
      });
      // each batch is written as it comes: a large folder is not held whole, and what is done stays done
      for await (const { first, volumes } of predictBatches(g, model, todo.map((i) => samples[i]), batchSize)) {
        volumes.forEach((v, b) => {
          const i = todo[first + b];
          writeFileAtomic(outs[i], encodeTiff(v, samples[i].shape, 'float32'));
          appendLine(record, JSON.stringify(basename(outs[i])));
          score(i, v);
        });
        done += volumes.length;
        bar.update(done);
      }
      release();
      bar.stop();
      // NOTE: a folder reused with --force keeps predictions this run did not write: say so, since an evaluate
      // of the folder would mix two models' volumes
      const written = new Set(outs.map((f) => basename(f)));
      const others = [...listTiffs(o.out).values()].filter((f) => !written.has(f));
      if (others.length) console.error(`predict: ${o.out} also holds ${others.length} other .tif file${others.length === 1 ? '' : 's'} not written by this run (e.g. ${others[0]})`);
      console.log(`wrote ${todo.length} volume${todo.length === 1 ? '' : 's'} to ${o.out}${kept.size ? ` (and kept ${kept.size})` : ''}` + (errors.length ? `; mean IoU error ${(errors.reduce((a, b) => a + b, 0) / errors.length).toFixed(3)} over ${errors.length} with ground truth` : ''));
    });
}
