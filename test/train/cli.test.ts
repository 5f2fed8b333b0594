import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { readTiff } from '../../src/data/tiff.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { Shapr } from '../../src/model/shapr.ts';
import { saveWeights } from '../../src/model/weights_node.ts';
import { assertRejects, gpu } from '../helpers.ts';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, ['harness/bin/topo-shapr.js', ...args]);
const WEB_MODEL = 'harness/web/assets/default_model.safetensors'; // side 32, trained on the synthetic cells

test('predict: a weights file and a dataset folder or one image/mask pair give TIFF volumes', async () => {
  const g = await gpu();
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-predict-'));
  writeDataset(join(dir, 'data'), generateDataset({ n: 3, size: 16, seed: 3 }));
  const model = new Shapr(g, { side: 16, filters: 2 }, 1);
  await saveWeights(join(dir, 'w.safetensors'), model);
  const { stdout } = await cli('predict', '--weights', join(dir, 'w.safetensors'), '--data', join(dir, 'data'), '--out', join(dir, 'pred'));
  assert.match(stdout, /wrote 3 volumes .* mean IoU error/);
  const names = readFileSync(join(dir, 'data', 'classes.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  for (const n of names) {
    const v = readTiff(join(dir, 'pred', `${n}.tif`));
    assert.equal(v.shape, [16, 16, 16]);
    assert.ok(v.data.every((x) => x > 0 && x < 1), 'sigmoid outputs');
  }
  await cli('predict', '--weights', join(dir, 'w.safetensors'), '--image', join(dir, 'data', 'image', `${names[0]}.tif`), '--mask', join(dir, 'data', 'mask', `${names[0]}.tif`), '--out', join(dir, 'one'));
  assert.equal([...readTiff(join(dir, 'one', `${names[0]}.tif`)).data], [...readTiff(join(dir, 'pred', `${names[0]}.tif`)).data]);
  // a corrupt weights file: one line naming the file, exit code 1, nothing written
  writeFileSync(join(dir, 'bad.safetensors'), 'not a weights file');
  try {
    await cli('predict', '--weights', join(dir, 'bad.safetensors'), '--data', join(dir, 'data'), '--out', join(dir, 'bad'));
    assert.unreachable('no error');
  } catch (e) {
    const err = e as { code: number; stderr: string };
    assert.is(err.code, 1);
    assert.match(err.stderr, /^topo-shapr: .*bad\.safetensors: /m);
    assert.not.match(err.stderr, /\n\s+at /, 'no stack trace');
    assert.not.ok(existsSync(join(dir, 'bad')));
  }
  // never over an input (--out DATA/obj would replace the truth and score against it), nor over earlier
  // predictions without --force; a batch size that is not a positive integer is refused before any work
  const truthBefore = readFileSync(join(dir, 'data', 'obj', `${names[0]}.tif`));
  const refused = async (args: string[], message: RegExp) => {
    try {
      await cli('predict', '--weights', join(dir, 'w.safetensors'), ...args);
      assert.unreachable('no error');
    } catch (e) {
      const err = e as { code: number; stderr: string };
      assert.is(err.code, 1, err.stderr);
      assert.match(err.stderr, message);
    }
  };
  await refused(['--data', join(dir, 'data'), '--out', join(dir, 'data', 'obj')], /is .*obj, a folder of inputs/);
  // ... also with --force, through a symlink, or as the obj/ beside a single pair's mask/ (both overwrote it)
  symlinkSync(join(dir, 'data', 'obj'), join(dir, 'truth-link'));
  await refused(['--data', join(dir, 'data'), '--out', join(dir, 'truth-link'), '--force'], /truth-link: is .*obj, a folder of inputs/);
  const single = ['--image', join(dir, 'data', 'image', `${names[0]}.tif`), '--mask', join(dir, 'data', 'mask', `${names[0]}.tif`)];
  await refused([...single, '--out', join(dir, 'data', 'obj'), '--force'], /is .*obj, a folder of inputs/);
  await refused([...single, '--out', join(dir, 'data', 'mask', '.'), '--force'], /is .*mask, a folder of inputs/);
  // --image and --mask swapped: named (they were predicted from)
  const swapped = ['--image', join(dir, 'data', 'mask', `${names[0]}.tif`), '--mask', join(dir, 'data', 'image', `${names[0]}.tif`)];
  await refused(['--image', join(dir, 'data', 'image', `${names[0]}.tif`), '--mask', join(dir, 'data', 'image', `${names[0]}.tif`), '--out', join(dir, 'same')], /--image and --mask are one file/);
  await refused([...swapped, '--out', join(dir, 'swapped')], /image\/.*\.tif: the mask has \d+ grey levels and its image 2: are the image and the mask swapped\?/);
  assert.equal(readFileSync(join(dir, 'data', 'obj', `${names[0]}.tif`)), truthBefore);
  // the same command again resumes: what it wrote stays, the rest is predicted (to the same volumes)
  const predict = (...args: string[]) => cli('predict', '--weights', join(dir, 'w.safetensors'), '--data', join(dir, 'data'), '--out', join(dir, 'pred'), ...args);
  const first = readFileSync(join(dir, 'pred', `${names[1]}.tif`));
  rmSync(join(dir, 'pred', `${names[1]}.tif`));
  const resumed = await predict();
  assert.match(resumed.stderr, /resuming: 2 of the 3 predictions in .*pred are from these weights and inputs and are kept/);
  assert.match(resumed.stdout, /wrote 1 volume to .*pred \(and kept 2\); mean IoU error [\d.]+ over 3 with ground truth/);
  assert.equal(readFileSync(join(dir, 'pred', `${names[1]}.tif`)), first);
  // only the files the record lists as written after it are kept (an interrupted --force run left the
  // volumes of other weights it had not yet replaced: they were kept as this run's)
  const recordPath = join(dir, 'pred', 'predict.jsonl');
  const record = readFileSync(recordPath, 'utf8');
  writeFileSync(recordPath, record.split('\n')[0] + '\n' + JSON.stringify(`${names[0]}.tif`) + '\n{"cut');
  const stale = /pred\/.*\.tif: exists \(2 of the 3 predictions would be overwritten, and .*pred holds no record that these weights and inputs wrote them\); use --force/;
  await assertRejects(predict(), Error, stale);
  writeFileSync(recordPath, record);
  // other weights, or inputs replaced in place (by content, not path), are refused without --force
  const other = new Shapr(g, { side: 16, filters: 2 }, 2);
  await saveWeights(join(dir, 'w2.safetensors'), other);
  other.dispose();
  const all = /pred\/.*\.tif: exists \(3 of the 3 predictions would be overwritten, and .*pred holds no record/;
  await assertRejects(cli('predict', '--weights', join(dir, 'w2.safetensors'), '--data', join(dir, 'data'), '--out', join(dir, 'pred')), Error, all);
  const imagePath = join(dir, 'data', 'image', `${names[0]}.tif`);
  const imageBefore = readFileSync(imagePath);
  writeFileSync(imagePath, readFileSync(join(dir, 'data', 'image', `${names[1]}.tif`)));
  await assertRejects(predict(), Error, all);
  writeFileSync(imagePath, imageBefore);
  assert.match((await predict()).stdout, /wrote 0 volumes to .*pred \(and kept 3\)/);
  // single pairs predicted one at a time into one folder each keep their prediction (the second run's
  // record replaced the first's, whose rerun was then refused without --force)
  const pair = (k: number) => cli('predict', '--weights', join(dir, 'w.safetensors'), '--image', join(dir, 'data', 'image', `${names[k]}.tif`), '--mask', join(dir, 'data', 'mask', `${names[k]}.tif`), '--out', join(dir, 'singles'));
  for (const k of [0, 1]) assert.match((await pair(k)).stdout, /wrote 1 volume to .*singles/);
  for (const k of [0, 1]) assert.match((await pair(k)).stdout, /wrote 0 volumes to .*singles \(and kept 1\)/);
  await refused(['--data', join(dir, 'data'), '--out', join(dir, 'p2'), '--batch-size', '0'], /--batch-size must be a positive integer, got '0'/);
  // nor into another dataset's obj/ (--force replaced its ground truth), by name or through a symlink
  writeDataset(join(dir, 'other'), generateDataset({ n: 3, size: 16, seed: 4 }));
  await refused(['--data', join(dir, 'data'), '--out', join(dir, 'other', 'obj'), '--force'], /other\/obj: is the obj\/ folder of a dataset in SHAPR's layout/);
  symlinkSync(join(dir, 'other', 'image'), join(dir, 'other-images'));
  await refused(['--data', join(dir, 'data'), '--out', join(dir, 'other-images'), '--force'], /other-images: is the image\/ folder of a dataset/);
  // nor into a dataset's root (evaluate --truth ROOT then scored the predictions against themselves)
  for (const root of ['data', 'other']) await refused(['--data', join(dir, 'data'), '--out', join(dir, root)], new RegExp(`${root}: is a dataset in SHAPR's layout \\(it holds obj/, mask/, image/\\)`));
  // a folder reused with --force: the volumes this run did not write are named
  writeFileSync(join(dir, 'pred', 'stale.tif'), readFileSync(join(dir, 'pred', `${names[0]}.tif`)));
  const { stdout: again, stderr: note } = await cli('predict', '--weights', join(dir, 'w.safetensors'), '--data', join(dir, 'data'), '--out', join(dir, 'pred'), '--force');
  assert.match(again, /wrote 3 volumes/);
  assert.match(note, /pred also holds 1 other \.tif file not written by this run \(e\.g\. stale\.tif\)/);
  // --data with --image: refused (the image was ignored)
  await refused(['--data', join(dir, 'data'), '--image', join(dir, 'data', 'image', `${names[0]}.tif`), '--out', join(dir, 'p4')], /give --data DIR or --image and --mask, not both/);
  // a ground-truth volume of the wrong shape: named before anything is predicted or written (it was a stack
  // trace after two predictions had been written)
  const truthPath = join(dir, 'data', 'obj', `${names[2]}.tif`);
  const truthGood = readFileSync(truthPath);
  writeFileSync(truthPath, encodeTiff(new Uint8Array(8 * 16 * 16), [8, 16, 16], 'uint8'));
  await refused(['--data', join(dir, 'data'), '--out', join(dir, 'p4')], new RegExp(`obj/${names[2]}\\.tif: shape 8×16×16, the predictions are 16×16×16`));
  assert.not.ok(existsSync(join(dir, 'p4')), 'nothing written');
  writeFileSync(truthPath, truthGood);
  // an image without its mask is named, not skipped
  rmSync(join(dir, 'data', 'mask', `${names[1]}.tif`));
  await refused(['--data', join(dir, 'data'), '--out', join(dir, 'p3')], new RegExp(`mask/${names[1]}\\.tif: missing \\(partner of image/`));
  model.dispose();
  rmSync(dir, { recursive: true });
});

// predict writes each batch as it comes (a large folder is not held whole): the web page's trained model,
// whose predictions differ between cells, in batches of 2 (the last one short) against one batch
test('predict: batches written as they come give each sample its own volume and the same error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-predict-'));
  try {
    writeDataset(join(dir, 'data'), generateDataset({ n: 3, size: 32, seed: 5 }));
    const names = readFileSync(join(dir, 'data', 'classes.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    const predict = (out: string, batch: string) => cli('predict', '--weights', WEB_MODEL, '--data', join(dir, 'data'), '--out', join(dir, out), '--batch-size', batch);
    const [whole, small] = [await predict('whole', '6'), await predict('small', '2')];
    assert.is(small.stdout.match(/mean IoU error [0-9.]+/)?.[0], whole.stdout.match(/mean IoU error [0-9.]+/)?.[0]);
    const volumes = (out: string) => names.map((n) => [...readTiff(join(dir, out, `${n}.tif`)).data]);
    const v = volumes('small');
    assert.equal(v, volumes('whole'));
    assert.not.equal(v[0], v[2], 'the cells get different volumes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train and compare: a run directory with a wrong config or a missing metrics file is refused by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-cmp-'));
  try {
    await cli('compare', join(dir, 'nothing'));
    assert.unreachable('no error');
  } catch (e) {
    assert.match((e as { stderr: string }).stderr, /nothing: no such run directory/);
  }
  try {
    await cli('train', '--out', join(dir, 'x'), '--side', '48');
    assert.unreachable('no error');
  } catch (e) {
    assert.match((e as { stderr: string }).stderr, /--side must be one of 4, 8, 16, 32, 64/);
  }
  // options the run records but does not use are warned of (they were accepted and ignored silently; then
  // refused, which failed the λ = 0 tasks of a sweep that passes every task the same flags); --side 48 then
  // stops the run before any work
  for (const [args, message] of [
    [['--data', dir, '--synthetic-count', '50', '--side', '48'], /warning: --synthetic-count is not used with --data .* \(only with --data synthetic\)\n.*--side must be one of/],
    [['--lambda', '0', '--topo-dims', '0,2', '--side', '48'], /warning: --topo-dims is not used at --lambda 0.*\n.*--side must be one of/],
    // a run directory inside the data folder (its files went among the dataset's)
    [['--data', dir, '--out', join(dir, 'obj')], /--out .*obj: lies inside the data folder/],
  ] as const) {
    try {
      await cli('train', '--out', join(dir, 'u'), ...args);
      assert.unreachable(`accepted: ${args.join(' ')}`);
    } catch (e) {
      assert.match((e as { stderr: string }).stderr, message);
    }
  }
  // resuming with other options names them; a damaged config.json is said to be one
  const tiny = ['--side', '16', '--synthetic-count', '10', '--epochs', '1', '--steps-per-epoch', '1', '--batch-size', '2', '--filters', '2', '--lambda', '0'];
  await cli('train', '--out', join(dir, 'r'), ...tiny);
  // a finished run started again with its options is left as it is (it was finished again; with
  // --adversarial-epochs its whole adversarial phase ran again)
  const logBefore = readFileSync(join(dir, 'r', 'log.jsonl'));
  const again = await cli('train', '--out', join(dir, 'r'), ...tiny);
  assert.match(again.stderr, /already trained \(.*metrics\.json exists; delete it to finish the run again, or give more --epochs to train on\)/);
  assert.equal(readFileSync(join(dir, 'r', 'log.jsonl')), logBefore);
  // --out alone: the run's own options (every option had to be typed again, and the default --epochs 100
  // would have trained a 1-epoch run on)
  assert.match((await cli('train', '--out', join(dir, 'r'))).stderr, /already trained/);
  assert.equal(readFileSync(join(dir, 'r', 'log.jsonl')), logBefore);
  // a new run trains at its data's side without --side (8³ here; it was refused for the default 64)
  const data8 = join(dir, 'data8');
  writeDataset(data8, generateDataset({ n: 6, size: 8, seed: 3 }));
  const r8 = await cli('train', '--data', data8, '--out', join(dir, 'r8'), '--epochs', '1', '--steps-per-epoch', '1', '--filters', '2', '--lambda', '0');
  assert.match(r8.stderr, /warning: --batch-size 6 is more than the \d training samples: one step per epoch, of all of them/);
  assert.is(JSON.parse(readFileSync(join(dir, 'r8', 'config.json'), 'utf8')).side, 8);
  for (const [args, message] of [
    [['--lr', '0.002', '--seed', '3'], /r\/config\.json: this run directory was started with other options \(--seed 0 → 3, --lr 0\.001 → 0\.002\); use a new --out or the same options/],
    [[], /r\/config\.json: not valid JSON \(damaged\?\)/],
  ] as const) {
    if (!args.length) writeFileSync(join(dir, 'r', 'config.json'), '{"side": 16,');
    try {
      await cli('train', '--out', join(dir, 'r'), ...tiny, ...args);
      assert.unreachable('no error');
    } catch (e) {
      assert.match((e as { stderr: string }).stderr, message);
    }
  }
  rmSync(dir, { recursive: true });
});

test('train: a diverging run (NaN loss or prediction) stops with one line that says so, with or without the topological term', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-nan-'));
  for (const lambda of ['0.1', '0']) {
    try {
      await cli('train', '--out', join(dir, lambda), '--side', '16', '--synthetic-count', '10', '--epochs', '2', '--steps-per-epoch', '2', '--batch-size', '2', '--filters', '2', '--lr', '1e9', '--lambda', lambda);
      assert.unreachable('no error');
    } catch (e) {
      const err = e as { code: number; stderr: string };
      assert.is(err.code, 1, err.stderr);
      assert.match(err.stderr, /^topo-shapr: .*: training diverged in epoch 1, step \d+ \((the loss is NaN|the prediction has NaN at voxel \d+ of sample \d+)\); no epoch had finished; start a new run with a lower --lr/m);
      assert.not.match(err.stderr, /\n\s+at /, 'no stack trace');
      assert.not.ok(existsSync(join(dir, lambda, 'last.ckpt.safetensors')), 'no checkpoint of a diverged epoch');
    }
  }
  // an empty number must not turn a term off silently
  try {
    await cli('train', '--out', join(dir, 'e'), '--lambda=');
    assert.unreachable('no error');
  } catch (e) {
    assert.match((e as { stderr: string }).stderr, /--lambda: '' is not a number/);
  }
  rmSync(dir, { recursive: true });
});

test('an adapter that does not exist is one line naming it and the adapters there are, exit code 1', async () => {
  try {
    await run(process.execPath, ['harness/bin/topo-shapr.js', 'predict', '--weights', 'w', '--data', 'd', '--out', 'o'], { env: { ...process.env, TOPO_SHAPR_ADAPTER: 'no-such-gpu' } });
    assert.unreachable('no error');
  } catch (e) {
    const err = e as { code: number; stderr: string };
    assert.is(err.code, 1);
    assert.match(err.stderr, /^topo-shapr: no such WebGPU adapter: .*no-such-gpu.*Available adapters/m);
    assert.not.match(err.stderr, /\n\s+at /, 'no stack trace');
  }
});

test.run();
