import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { gaussianFilter3d, gaussianKernel1d, reflectIndex } from '../../src/eval/gaussian_filter.ts';
import { bettiNumbers } from '../../src/eval/betti.ts';
import { evaluateVolumes, shapeErrors, shapeMeasures, surfaceCount, type Shape3 } from '../../src/eval/metrics.ts';
import { persistence } from '../../src/topo/persistence.ts';
import { Rng } from '../../src/util/rng.ts';
import { binarize, otsuThreshold, normalizeByMax } from '../../src/eval/otsu.ts';
import { readTiff } from '../../src/data/tiff.ts';

// Fixture: scipy 1.10.1 / skimage 0.19.3 values made by harness/fixtures/eval_reference.py.
const ref = JSON.parse(readFileSync(new URL('../fixtures/eval_reference.json', import.meta.url), 'utf8'));
const SAMPLE = new URL('../../../shared/data/shapr-sample/obj/', import.meta.url).pathname;

function cube(shape: Shape3, lo: number[], hi: number[]): Uint8Array {
  const [d, h, w] = shape;
  const x = new Uint8Array(d * h * w);
  for (let z = lo[0]; z < hi[0]; z++) for (let y = lo[1]; y < hi[1]; y++) for (let i = lo[2]; i < hi[2]; i++) x[(z * h + y) * w + i] = 1;
  return x;
}

test('surface by hand: 3³ cube = 26, single voxel = 1, full volume = 0 (outside is not background)', () => {
  assert.is(surfaceCount(cube([5, 5, 5], [1, 1, 1], [4, 4, 4]), [5, 5, 5]), 26);
  assert.is(surfaceCount(cube([3, 3, 3], [1, 1, 1], [2, 2, 2]), [3, 3, 3]), 1);
  assert.is(surfaceCount(new Uint8Array(27).fill(1), [3, 3, 3]), 0);
  // a slab touching the border: only its inner face (one 4×4 layer) is surface
  assert.is(surfaceCount(cube([4, 4, 4], [0, 0, 0], [2, 4, 4]), [4, 4, 4]), 16);
});

test('IoU and volume errors by hand; identical volumes give zero errors', () => {
  const s: Shape3 = [4, 4, 4];
  const a = cube(s, [0, 0, 0], [2, 2, 2]); // 8 voxels
  const b = cube(s, [0, 0, 1], [2, 2, 3]); // 8 voxels, 4 shared
  const c = cube(s, [0, 0, 0], [2, 2, 3]); // 12 voxels
  assert.ok(Math.abs(shapeErrors(a, b, s).iouError - (1 - 4 / 12)) < 1e-15);
  assert.ok(Math.abs(shapeErrors(a, c, s).volumeError - 4 / 12) < 1e-15);
  const e = shapeErrors(c, c, s);
  assert.equal([e.iouError, e.volumeError, e.surfaceError], [0, 0, 0]);
});

test('relative errors are NaN when the truth measure is 0 (empty truth)', () => {
  const s: Shape3 = [3, 3, 3];
  const e = shapeErrors(cube(s, [1, 1, 1], [2, 2, 2]), new Uint8Array(27), s);
  assert.is(e.iouError, 1);
  assert.ok(Number.isNaN(e.volumeError) && Number.isNaN(e.surfaceError) && Number.isNaN(e.roughnessError));
});

/** Betti numbers from the T-construction's persistence of the 0/1 volume: the pairs born at 1 that live down to
 * 0, and dimension 0's essential class when there is an object. */
function bettiByPersistence(x: Uint8Array, shape: Shape3): number[] {
  const d = persistence(Float32Array.from(x), [shape[0], shape[1], shape[2]]);
  return d.dims.map((pairs) => pairs.filter((p) => p.birth === 1 && p.death < 1).length);
}

test('Betti numbers of known shapes: solid, two blobs, diagonal contact (26-connected), ring, hollow shell, empty, full', () => {
  const s: Shape3 = [7, 7, 7];
  const or = (...vs: Uint8Array[]) => vs.reduce((a, b) => a.map((v, i) => v | b[i]));
  const minus = (a: Uint8Array, b: Uint8Array) => a.map((v, i) => v & (1 - b[i]));
  assert.equal(bettiNumbers(cube(s, [1, 1, 1], [4, 4, 4]), s), [1, 0, 0]);
  assert.equal(bettiNumbers(or(cube(s, [0, 0, 0], [2, 2, 2]), cube(s, [4, 4, 4], [6, 6, 6])), s), [2, 0, 0]);
  assert.equal(bettiNumbers(or(cube(s, [0, 0, 0], [2, 2, 2]), cube(s, [2, 2, 2], [4, 4, 4])), s), [1, 0, 0], 'corner contact joins');
  assert.equal(bettiNumbers(minus(cube(s, [3, 1, 1], [4, 6, 6]), cube(s, [3, 2, 2], [4, 5, 5])), s), [1, 1, 0], 'a flat ring');
  assert.equal(bettiNumbers(minus(cube(s, [1, 1, 1], [6, 6, 6]), cube(s, [2, 2, 2], [5, 5, 5])), s), [1, 0, 1], 'a hollow box');
  assert.equal(bettiNumbers(new Uint8Array(343), s), [0, 0, 0]);
  assert.equal(bettiNumbers(new Uint8Array(343).fill(1), s), [1, 0, 0]);
  assert.equal(bettiNumbers(new Uint8Array([1]), [1, 1, 1]), [1, 0, 0]);
  // the error: a hollow box predicted as a solid one with a second blob is off by 1 cavity and 1 component
  const b: Shape3 = [9, 9, 9];
  const shell = minus(cube(b, [1, 1, 1], [6, 6, 6]), cube(b, [2, 2, 2], [5, 5, 5]));
  const solidPlus = or(cube(b, [1, 1, 1], [6, 6, 6]), cube(b, [7, 7, 7], [9, 9, 9]));
  assert.equal(bettiNumbers(solidPlus, b), [2, 0, 0]);
  assert.is(shapeErrors(solidPlus, shell, b).bettiError, 2);
  assert.is(shapeErrors(shell, shell, b).bettiError, 0);
});

test('Betti numbers equal those of the persistence of the 0/1 volume on 60 random binary volumes, sizes 1–8 and 14×15×16', () => {
  const rng = new Rng(11);
  for (let t = 0; t < 60; t++) {
    const s: Shape3 = t < 56 ? [1 + rng.int(6), 1 + rng.int(7), 1 + rng.int(8)] : [14, 15, 16];
    const density = [0.3, 0.5, 0.7, 0.85][t % 4];
    const x = Uint8Array.from({ length: s[0] * s[1] * s[2] }, () => (rng.next() < density ? 1 : 0));
    assert.equal(bettiNumbers(x, s), bettiByPersistence(x, s), `volume ${t} (${s.join('×')}, density ${density})`);
  }
});

test('Gaussian kernel: radius 4σ, sums to 1, symmetric; reflect mode mirrors with the edge repeated', () => {
  const w = gaussianKernel1d(2);
  assert.is(w.length, 17);
  assert.ok(Math.abs(w.reduce((s, x) => s + x, 0) - 1) < 1e-15);
  assert.is(w[0], w[16]);
  assert.equal([-3, -2, -1, 0, 1, 2, 3, 4, 5].map((i) => reflectIndex(i, 3)), [2, 1, 0, 0, 1, 2, 2, 1, 0]);
  // a constant volume stays constant under reflect borders
  const f = gaussianFilter3d(new Float64Array(4 * 5 * 6).fill(0.7), [4, 5, 6], 2);
  for (const x of f) assert.ok(Math.abs(x - 0.7) < 1e-14);
});

test('Gaussian filter equals scipy.ndimage.gaussian_filter (σ 2, reflect) on a 7×8×9 volume', () => {
  const shape = ref.gauss.shape as Shape3;
  const x = Uint8Array.from(ref.gauss.x as number[]);
  const f = gaussianFilter3d(Float64Array.from(x), shape, 2);
  let worst = 0;
  for (let i = 0; i < f.length; i++) worst = Math.max(worst, Math.abs(f[i] - ref.gauss.smoothed[i]));
  assert.ok(worst < 1e-14, `max |diff| ${worst}`);
  assert.is(surfaceCount(x, shape), ref.gauss.surface);
  const m = shapeMeasures(x, shape);
  assert.is(m.surface - m.roughness, ref.gauss.surface_smooth);
});

const real = existsSync(SAMPLE) ? test : test.skip;

real('real samples: Otsu threshold, volume, surface, roughness equal skimage/scipy', () => {
  for (const [name, r] of Object.entries(ref.real as Record<string, { threshold: number; volume: number; surface: number; roughness: number }>)) {
    const v = readTiff(`${SAMPLE}${name}.tif`);
    assert.is(otsuThreshold(normalizeByMax(v.data)), r.threshold, name);
    const m = shapeMeasures(binarize(v.data), v.shape);
    assert.equal(m, { volume: r.volume, surface: r.surface, roughness: r.roughness }, name);
  }
});

real('real sample pairs: the four errors equal the Python reference', () => {
  for (const p of ref.real_pairs) {
    const pred = readTiff(`${SAMPLE}${p.pred}.tif`);
    const truth = readTiff(`${SAMPLE}${p.truth}.tif`);
    const e = evaluateVolumes(pred.data, truth.data, truth.shape);
    const got = [e.iouError, e.volumeError, e.surfaceError, e.roughnessError];
    const want = [p.iou_error, p.volume_error, p.surface_error, p.roughness_error];
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-12, `${p.pred}: ${got} vs ${want}`);
  }
});

real('soft float32 prediction: Otsu on continuous values equals skimage', () => {
  const v = readTiff(`${SAMPLE}${ref.soft.source}.tif`);
  const g = gaussianFilter3d(Float64Array.from(v.data, (x) => Math.round(x * 255) / 255), v.shape, 1.5);
  const soft = Float32Array.from(g, (x) => x ** 0.7);
  assert.is(otsuThreshold(normalizeByMax(soft)), ref.soft.threshold);
  const m = shapeMeasures(binarize(soft), v.shape);
  assert.equal(m, { volume: ref.soft.volume, surface: ref.soft.surface, roughness: ref.soft.roughness });
});

test.run();
