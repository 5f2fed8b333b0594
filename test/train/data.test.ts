// What a run trains on: the volumes' shape against the network's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { readTiff } from '../../src/data/tiff.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { checkTrainShape } from '../../src/train/data.ts';
import { UserError } from '../../src/util/errors.ts';

const BIN = fileURLToPath(new URL('../../harness/bin/topo-shapr.js', import.meta.url));

test('checkTrainShape: cubic volumes of a supported side, and the run\'s side when one is given', () => {
  checkTrainShape('d', [16, 16, 16]);
  checkTrainShape('d', [64, 64, 64], 64);
  const refused = (shape: number[], side: number | undefined, message: RegExp) =>
    assert.throws(() => checkTrainShape('d', shape, side), (e: Error) => e instanceof UserError && message.test(e.message));
  refused([32, 64, 64], 64, /^d: volumes are 32×64×64; the network takes cubic volumes of side 4, 8, 16, 32, 64/);
  refused([48, 48, 48], undefined, /volumes are 48×48×48; the network takes cubic volumes/);
  refused([16, 16, 16], 32, /configured for side 32 \(use --side 16\)$/);
  refused([64, 64, 64], 16, /configured for side 16 \(use --side 64, or train on a copy at side 16: topo-shapr resample d OUT --side 16\)$/);
});

// inspect said OK to volumes that train then refused (with a hint to use the side already in use).
test('inspect refuses volumes the network cannot take, and says OK to those it can', () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-shape-'));
  try {
    const samples = generateDataset({ n: 3, size: 8, seed: 4 });
    writeDataset(join(dir, 'ok'), samples);
    const ok = spawnSync(process.execPath, [BIN, 'inspect', join(dir, 'ok')], { encoding: 'utf8' });
    assert.is(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /3 samples, obj 8×8×8, mask and image 8×8 — OK/);
    writeDataset(join(dir, 'cropped'), samples);
    for (const s of samples) writeFileSync(join(dir, 'cropped', 'obj', `${s.name}.tif`), encodeTiff(s.target.subarray(0, 4 * 64), [4, 8, 8], 'float32'));
    const bad = spawnSync(process.execPath, [BIN, 'inspect', join(dir, 'cropped')], { encoding: 'utf8' });
    assert.is(bad.status, 1);
    assert.match(bad.stderr, /cropped: volumes are 4×8×8; the network takes cubic volumes of side/);
    assert.not.match(bad.stdout, /OK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// An empty mask: inspect warned, train and predict ran silently (labels 0/1 are read as 0/255: labels.ts).
test('train and predict print the dataset warnings that inspect prints; predict names a run folder given as --weights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-warn-'));
  try {
    const samples = generateDataset({ n: 6, size: 8, seed: 4 });
    const data = join(dir, 'data');
    writeDataset(data, samples);
    writeFileSync(join(data, 'mask', `${samples[0].name}.tif`), encodeTiff(new Uint8Array(64), [1, 8, 8], 'uint8'));
    const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    const empty = new RegExp(`mask/${samples[0].name}\\.tif: empty mask`);
    assert.match(cli('inspect', data).stdout, empty);
    const run = join(dir, 'run');
    const train = cli('train', '--data', data, '--out', run, '--side', '8', '--filters', '2', '--epochs', '1', '--lambda', '0');
    assert.is(train.status, 0, train.stderr);
    assert.match(train.stderr, new RegExp(`run: 1 warning:\\n.*run:   ${empty.source}`));
    const predict = cli('predict', '--weights', join(run, 'best.safetensors'), '--data', data, '--out', join(dir, 'pred'));
    assert.is(predict.status, 0, predict.stderr);
    assert.match(predict.stderr, new RegExp(`predict: 1 warning:\\n.*predict:   .*${empty.source}`));
    // one pair of other names: the prediction takes the mask's
    const pair = cli('predict', '--weights', join(run, 'best.safetensors'), '--image', join(data, 'image', `${samples[1].name}.tif`), '--mask', join(data, 'mask', `${samples[2].name}.tif`), '--out', join(dir, 'one'));
    assert.is(pair.status, 0, pair.stderr);
    assert.match(pair.stderr, new RegExp(`image/${samples[1].name}\\.tif: another name than its mask .*mask/${samples[2].name}\\.tif; the prediction is named ${samples[2].name}\\.tif`));
    // the same mask stored as labels 0/1: read as the 0/255 one (labels.ts), with a note
    const mask = join(data, 'mask', `${samples[2].name}.tif`);
    const labels01 = join(dir, 'labels01', `${samples[2].name}.tif`);
    mkdirSync(dirname(labels01));
    writeFileSync(labels01, encodeTiff(Uint8Array.from(readTiff(mask).data, (x) => (x > 0.5 ? 1 : 0)), [1, 8, 8], 'uint8'));
    const pair01 = cli('predict', '--weights', join(run, 'best.safetensors'), '--image', join(data, 'image', `${samples[1].name}.tif`), '--mask', labels01, '--out', join(dir, 'one01'));
    assert.is(pair01.status, 0, pair01.stderr);
    assert.match(pair01.stderr, /labels01\/.*\.tif: largest uint8 value 1 of 255, at or below half of full scale: read relative to it/);
    assert.equal(readTiff(join(dir, 'one01', `${samples[2].name}.tif`)).data, readTiff(join(dir, 'one', `${samples[2].name}.tif`)).data);
    // 16×16 inputs for this side-8 model: averaged down as `resample` writes a dataset (and its truth for the
    // IoU error), so both give one prediction (predict refused them; the web page took them)
    const big = join(dir, 'big');
    writeDataset(big, generateDataset({ n: 2, size: 16, seed: 9 }));
    assert.is(cli('resample', big, join(dir, 'big8'), '--side', '8').status, 0);
    const [fromBig, fromSmall] = ['big', 'big8'].map((d) => cli('predict', '--weights', join(run, 'best.safetensors'), '--data', join(dir, d), '--out', join(dir, `pred-${d}`)));
    assert.is(fromBig.status, 0, fromBig.stderr);
    assert.match(fromBig.stdout, /wrote 2 volumes .*; mean IoU error [\d.]+ over 2 with ground truth/);
    assert.is(fromBig.stdout.replace(/pred-big\b/, 'pred-big8'), fromSmall.stdout);
    for (const f of readdirSync(join(dir, 'pred-big8')).filter((x) => x.endsWith('.tif'))) {
      assert.equal(readTiff(join(dir, 'pred-big', f)).data, readTiff(join(dir, 'pred-big8', f)).data, f);
    }
    const folder = cli('predict', '--weights', run, '--data', data, '--out', join(dir, 'p2'));
    assert.is(folder.status, 1);
    assert.match(folder.stderr, /run: is a folder, not a weights file \(a run directory holds .*run\/best\.safetensors\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
