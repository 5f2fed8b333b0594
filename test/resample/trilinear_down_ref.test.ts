// Reference trilinear downsampling (align_corners=True): hand-checked cases, identity at s = n, the
// adjoint identity <A x, y> = <x, Aᵀ y>, and finite differences.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { trilinearDownBackwardRef, trilinearDownRef } from '../../src/resample/trilinear_down.ref.ts';
import { Rng } from '../../src/util/rng.ts';

const random = (n: number, seed: number) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

test('hand-checked: 1×1×2 → 3 samples 0, ½, 1; s = 1 samples index 0', () => {
  // D = H = 1: every output row repeats the W interpolation.
  const x = new Float32Array([2, 6]);
  const y = trilinearDownRef(x, [1, 1, 2], 3);
  assert.is(y.length, 27);
  for (let i = 0; i < 9; i++) assert.equal(Array.from(y.slice(3 * i, 3 * i + 3)), [2, 4, 6]);
  const z = trilinearDownRef(Float32Array.from([5, 1, 2, 3, 4, 6, 7, 8]), [2, 2, 2], 1);
  assert.equal(Array.from(z), [5]);
});

test('hand-checked: 5 → 3 picks indices 0, 2, 4; 4 → 3 interpolates at 1.5', () => {
  const x = Float32Array.from({ length: 5 }, (_, i) => i * i);
  // Shape [1, 1, 5] → 3³; along W the samples are at 0, 2, 4.
  assert.equal(Array.from(trilinearDownRef(x, [1, 1, 5], 3).slice(0, 3)), [0, 4, 16]);
  const x4 = Float32Array.from([0, 1, 4, 9]);
  assert.equal(Array.from(trilinearDownRef(x4, [1, 1, 4], 3).slice(0, 3)), [0, 2.5, 9]);
});

test('s = n is the identity; a linear field is reproduced exactly', () => {
  const x = random(7 * 7 * 7, 1);
  assert.equal(Array.from(trilinearDownRef(x, [7, 7, 7], 7)), Array.from(x));
  const [d, h, w] = [9, 5, 13];
  const lin = new Float32Array(d * h * w);
  for (let k = 0; k < d; k++) for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) lin[(k * h + j) * w + i] = k + 2 * j - 0.5 * i;
  const s = 4;
  const y = trilinearDownRef(lin, [d, h, w], s);
  for (let a = 0; a < s; a++) {
    for (let b = 0; b < s; b++) {
      for (let c = 0; c < s; c++) {
        const want = (a * (d - 1)) / (s - 1) + (2 * b * (h - 1)) / (s - 1) - (0.5 * c * (w - 1)) / (s - 1);
        assert.ok(Math.abs(y[(a * s + b) * s + c] - want) < 1e-5, `(${a},${b},${c}): ${y[(a * s + b) * s + c]} vs ${want}`);
      }
    }
  }
});

test('adjoint identity <A x, y> = <x, Aᵀ y> on awkward shapes', () => {
  for (const [shape, s, seed] of [
    [[8, 8, 8], 3, 2],
    [[7, 5, 11], 4, 3],
    [[1, 6, 9], 5, 4],
    [[13, 13, 13], 1, 5],
    [[3, 3, 3], 8, 6],
  ] as Array<[[number, number, number], number, number]>) {
    const x = random(shape[0] * shape[1] * shape[2], seed);
    const y = random(s * s * s, seed + 100);
    const lhs = dot(trilinearDownRef(x, shape, s), y);
    const rhs = dot(x, trilinearDownBackwardRef(y, shape, s));
    assert.ok(Math.abs(lhs - rhs) <= 1e-4 * (1 + Math.abs(lhs)), `${shape} → ${s}: ${lhs} vs ${rhs}`);
  }
});

test('backward matches finite differences of L(x) = <A x, y>', () => {
  const shape: [number, number, number] = [5, 6, 7];
  const s = 3;
  const x = random(5 * 6 * 7, 7);
  const y = random(27, 8);
  const g = trilinearDownBackwardRef(y, shape, s);
  const rng = new Rng(9);
  for (let t = 0; t < 20; t++) {
    const i = rng.int(x.length);
    const eps = 0.25; // L is linear: central differences are exact up to float32 rounding
    const xp = x.slice();
    xp[i] += eps;
    const xm = x.slice();
    xm[i] -= eps;
    const fd = (dot(trilinearDownRef(xp, shape, s), y) - dot(trilinearDownRef(xm, shape, s), y)) / (2 * eps);
    assert.ok(Math.abs(fd - g[i]) < 1e-4, `voxel ${i}: fd ${fd} vs ${g[i]}`);
  }
});

test.run();
