// GPU union-find (shaders/topo/union_find.wgsl + CPU basin merge) against the CPU path: the same pairs,
// birth/death voxels included, for dimensions 0 and 2, both constructions, awkward shapes, ties, plateaus.
// Uniform noise in T needs about 2.7 basin records per voxel in dimension 0, more than the first guess of
// room (2 per voxel), so the 9³ and 16³ noise cases also run the overflow-and-retry path.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertRejects, gpu } from '../helpers.ts';
import { persistence, type Construction, type Diagrams } from '../../src/topo/persistence.ts';
import { persistenceGpu, persistenceGpuBatch } from '../../src/topo/union_find.ts';
import { upload, releaseBuffer } from '../../src/gpu/buffers.ts';
import { Rng } from '../../src/util/rng.ts';

const keys = (d: Diagrams, k: number) =>
  d.dims[k].map((p) => `${p.birth},${p.death},${p.birthIndex},${p.deathIndex}`).sort();

test('GPU basins + CPU merge equal the CPU union-find, generators included', async () => {
  const g = await gpu();
  const rng = new Rng(23);
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [1, 1, 7], [2, 3, 1], [5, 5, 5], [3, 11, 7], [1, 17, 13], [9, 9, 9], [16, 16, 16]];
  let checked = 0;
  for (const shape of shapes) {
    const n = shape[0] * shape[1] * shape[2];
    for (const kind of [0, 1, 2]) {
      const vol = new Float32Array(n);
      for (let i = 0; i < n; i++) vol[i] = kind === 0 ? rng.next() : kind === 1 ? rng.int(3) / 3 : rng.next() < 0.5 ? 0.5 : rng.next();
      for (const c of ['T', 'V'] as Construction[]) {
        const got = await persistenceGpu(g, vol, shape, { construction: c });
        const want = persistence(vol, shape, { construction: c, dims: [0, 2] });
        for (const k of [0, 2]) assert.equal(keys(got, k), keys(want, k), `[${shape}] kind ${kind} ${c} dim ${k}`);
        checked += got.dims[0].length + got.dims[2].length;
      }
    }
  }
  assert.ok(checked > 500, `only ${checked} pairs compared`);
  await assertRejects(persistenceGpu(g, new Float32Array(1), [1, 1, 1], { dims: [1] }), Error, /dimension 1 is CPU-only/);
  const small = upload(g, new Float32Array(64));
  await assertRejects(persistenceGpuBatch(g, small, [4, 4, 4], 2), Error, /the buffer holds 256 bytes, 2 volumes of \[4,4,4\] need 512/);
  await assertRejects(persistenceGpuBatch(g, small, [4, -4, 4], 1), Error, /shape must be three positive integers/);
  await assertRejects(persistenceGpuBatch(g, small, [4, 4, 4], 1, { construction: 'X' as Construction }), Error, /construction must be 'T' or 'V'/);
  await assertRejects(persistenceGpuBatch(g, small, [4, 4, 4], 1, { dim: [0] } as object), Error, /persistenceGpu: unknown option 'dim'/);
  releaseBuffer(g, small);
});

test('a batch of volumes on the GPU: one call, each volume its own diagrams', async () => {
  const g = await gpu();
  const rng = new Rng(5);
  const shape: [number, number, number] = [6, 7, 5];
  const n = 6 * 7 * 5;
  const vols = [0, 1, 2, 3].map((b) => Float32Array.from({ length: n }, () => (b % 2 ? rng.int(4) / 4 : rng.next())));
  const all = new Float32Array(4 * n);
  vols.forEach((v, b) => all.set(v, b * n));
  const buf = upload(g, all);
  for (const c of ['T', 'V'] as Construction[]) {
    const got = await persistenceGpuBatch(g, buf, shape, 4, { construction: c, dims: [2] });
    vols.forEach((v, b) => {
      assert.equal(keys(got[b], 2), keys(persistence(v, shape, { construction: c, dims: [2] }), 2), `${c} volume ${b}`);
      assert.is(got[b].dims[0].length, 0, 'dimension 0 not asked for');
    });
  }
  releaseBuffer(g, buf);
  const bad = upload(g, Float32Array.from([0.5, NaN, 0.25, 1]));
  let message = '';
  try {
    await persistenceGpuBatch(g, bad, [1, 2, 2], 1);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /NaN at flat index 1/, 'a NaN is refused as on the CPU path');
  releaseBuffer(g, bad);
});

test('a batch too large for one storage binding runs in parts, with the same diagrams', async () => {
  const g = await gpu();
  const rng = new Rng(11);
  const shape: [number, number, number] = [8, 8, 8];
  const n = 512;
  const vols = [0, 1, 2, 3, 4].map((b) => Float32Array.from({ length: n }, () => (b === 2 ? rng.int(3) / 3 : rng.next())));
  const all = new Float32Array(5 * n);
  vols.forEach((v, b) => all.set(v, b * n));
  const buf = upload(g, all);
  const whole = await persistenceGpuBatch(g, buf, shape, 5);
  const limit = g.limits.maxStorageBufferBindingSize;
  try {
    // NOTE: room for two volumes' first guess of records (2 per voxel and dimension); uniform noise then
    // overflows it and is redone one volume per run
    g.limits.maxStorageBufferBindingSize = 4 * (2 * (2 * (3 * (2 * n + 64) + 1) + n) + 16);
    const parts = await persistenceGpuBatch(g, buf, shape, 5);
    assert.equal(parts, whole, 'the same diagrams, in batch order');
    vols.forEach((v, b) => assert.equal(keys(parts[b], 0), keys(persistence(v, shape, { dims: [0] }), 0), `volume ${b}`));
    g.limits.maxStorageBufferBindingSize = 4 * 2000;
    await assertRejects(persistenceGpuBatch(g, buf, shape, 5), Error, /volume 0 of \[8,8,8\] needs \d+ bytes of basin records, over this adapter's maxStorageBufferBindingSize \(8000\)/);
  } finally {
    g.limits.maxStorageBufferBindingSize = limit;
    releaseBuffer(g, buf);
  }
});

test('GPU and CPU give the same lists, order included, with −0 beside +0 and equal pairs (found by fuzzing)', async () => {
  const g = await gpu();
  const lists = (d: Diagrams) => [0, 2].map((k) => d.dims[k].map((p) => [p.birth, p.death, p.birthIndex, p.deathIndex]));
  // −0 and +0: the CPU sorted +0 first, the shader takes them as equal (then by index): other generators
  const cases: Array<[number[], [number, number, number], Construction]> = [
    [[1, -0, 0, 1], [1, 1, 4], 'T'], [[1, -0, 0, 1], [1, 1, 4], 'V'], [[-0, 0], [1, 1, 2], 'T'],
    // equal (birth, death) pairs: listed in the order each path found them, which steered the matching's ties
    [[1, 0, 1, 2, 2, 1, 1, 1, 0, 1, 2, 2, 1, 2, 0, 2], [1, 4, 4], 'V'],
  ];
  const rng = new Rng(7);
  for (let t = 0; t < 24; t++) {
    const shape: [number, number, number] = [1 + rng.int(5), 1 + rng.int(5), 1 + rng.int(5)];
    const n = shape[0] * shape[1] * shape[2];
    cases.push([Array.from({ length: n }, () => [-0, 0, 0.5, 1][rng.int(4)]), shape, t % 2 ? 'V' : 'T']);
  }
  for (const [values, shape, c] of cases) {
    const vol = Float32Array.from(values);
    const got = await persistenceGpu(g, vol, shape, { construction: c });
    assert.equal(lists(got), lists(persistence(vol, shape, { construction: c, dims: [0, 2] })), `[${values.length <= 16 ? values : shape}] ${c}`);
  }
});

test.run();
