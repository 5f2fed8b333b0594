// The smaller copy of a dataset for quick runs: block means, binary mask and shape, and the command's refusals.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blockMean, resampleSample } from '../../src/data/resample.ts';
import { loadDataset } from '../../src/data/dataset.ts';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { inTempDir, randomArray } from '../helpers.ts';

const BIN = 'harness/bin/topo-shapr.js';

/** Each output voxel by its own loop over the input block (the reference). */
function blockMeanRef(v: Float32Array, [d, h, w]: [number, number, number], k: number): number[] {
  const kz = d === 1 ? 1 : k;
  const out: number[] = [];
  for (let Z = 0; Z < d / kz; Z++) {
    for (let Y = 0; Y < h / k; Y++) {
      for (let X = 0; X < w / k; X++) {
        let s = 0;
        for (let z = 0; z < kz; z++) for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) s += v[((Z * kz + z) * h + Y * k + y) * w + X * k + x];
        out.push(s / (kz * k * k));
      }
    }
  }
  return out;
}

test('blockMean equals the per-block reference (3D, non-cubic, 2D images, k = 1)', () => {
  for (const [shape, k] of [[[4, 6, 8], 2], [[6, 3, 9], 3], [[1, 6, 9], 3], [[2, 2, 2], 1]] as const) {
    const n = shape[0] * shape[1] * shape[2];
    const v = randomArray(n, n + k, 0, 1);
    const got = blockMean(v, shape as unknown as [number, number, number], k);
    const want = blockMeanRef(v, shape as unknown as [number, number, number], k);
    assert.is(got.length, want.length);
    got.forEach((x, i) => assert.ok(Math.abs(x - want[i]) < 1e-6, `${shape} k ${k} at ${i}: ${x} vs ${want[i]}`));
  }
});

test('resampleSample: mask and shape stay binary (mean ≥ 1/2 inside), the input is mask and image × mask', () => {
  const [s] = generateDataset({ n: 1, size: 16, seed: 2 });
  const r = resampleSample(s, 8);
  assert.equal(r.shape, [8, 8, 8]);
  assert.ok(r.target.every((x) => x === 0 || x === 1));
  const t = blockMean(s.target, s.shape, 2);
  r.target.forEach((x, i) => assert.is(x, t[i] >= 0.5 ? 1 : 0));
  const mask = r.input.subarray(0, 64);
  assert.ok(mask.every((x) => x === 0 || x === 1));
  r.image.forEach((x, i) => assert.is(r.input[64 + i], Math.fround(x * mask[i])));
  assert.throws(() => resampleSample(s, 6), /the side must divide it/);
});

test('resample command: a dataset read back at the new side with its names and classes; bad sides and non-empty folders refused', () =>
  inTempDir('resample', (dir) => {
    const samples = generateDataset({ n: 4, size: 16, seed: 5 });
    writeDataset(join(dir, 'data'), samples);
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'resample', ...args], { encoding: 'utf8' });
    const ok = run(join(dir, 'data'), join(dir, 'small'), '--side', '8');
    assert.is(ok.status, 0, ok.stderr);
    const back = loadDataset(join(dir, 'small'));
    assert.equal(back.shape, [8, 8, 8]);
    const pairs = (ss: typeof samples) => ss.map((s) => [s.name, s.className]).sort();
    assert.equal(pairs(back.samples), pairs(samples));
    // the same values as resampleSample's (the image through uint8, as writeDataset stores it)
    for (const want of samples.map((s) => resampleSample(s, 8))) {
      const got = back.samples.find((s) => s.name === want.name)!;
      assert.equal(Array.from(got.target), Array.from(want.target));
      assert.equal(Array.from(got.input.subarray(0, 64)), Array.from(want.input.subarray(0, 64)));
      got.image.forEach((x, i) => assert.ok(Math.abs(x - want.image[i]) <= 0.5 / 255 + 1e-6, `${want.name} image ${i}`));
    }
    // uint16 images keep their grey levels (they were written as uint8: 196 levels became 13)
    const cam = generateDataset({ n: 2, size: 16, seed: 6 }).map((s) => ({ ...s, image: s.image.map((x, i) => Math.round(x * 4000 + (i % 7)) / 65535) }));
    writeDataset(join(dir, 'cam'), cam, 'uint16');
    assert.is(run(join(dir, 'cam'), join(dir, 'cam8'), '--side', '8').status, 0);
    const cam8 = loadDataset(join(dir, 'cam8'));
    assert.equal(cam8.summary.dtypes.image, ['uint16']);
    for (const want of cam.map((s) => resampleSample(s, 8))) {
      const got = cam8.samples.find((s) => s.name === want.name)!;
      got.image.forEach((x, i) => assert.ok(Math.abs(x - want.image[i]) <= 0.5 / 65535 + 1e-7, `${want.name} image ${i}: ${x} vs ${want.image[i]}`));
    }
    // a dataset the network cannot take (not cubic): one line, not a stack trace
    writeDataset(join(dir, 'flat'), generateDataset({ n: 2, size: 16, seed: 7 }).map((s) => ({ ...s, shape: [8, 16, 16] as [number, number, number], target: s.target.subarray(0, 8 * 256) })));
    const flat = run(join(dir, 'flat'), join(dir, 'x'), '--side', '8');
    assert.is(flat.status, 1);
    assert.match(flat.stderr, /^topo-shapr: .*flat: volumes are 8×16×16; the network takes cubic volumes/);
    mkdirSync(join(dir, 'busy'));
    writeFileSync(join(dir, 'busy', 'notes.txt'), 'mine');
    for (const [args, why] of [
      [[join(dir, 'data'), join(dir, 'x'), '--side', '32'], /--side 32: does not divide the dataset's side 16/],
      [[join(dir, 'data'), join(dir, 'x'), '--side', '16'], /--side 16: is the dataset's side already/],
      [[join(dir, 'data'), join(dir, 'x'), '--side', '5'], /--side must be one of/],
      [[join(dir, 'data'), join(dir, 'busy'), '--side', '8'], /busy: is not empty/],
      [[join(dir, 'data'), join(dir, 'data', 'small'), '--side', '8'], /must lie outside/],
    ] as const) {
      const r = run(...args);
      assert.is(r.status, 1, args.join(' '));
      assert.match(r.stderr, why);
    }
  }));

test.run();
