import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readBuffer } from '../../src/gpu/buffers.ts';
import { maxPool3d, type Triple } from '../../src/nn/max_pool3d.ts';
import { maxPool3dBackwardRef, maxPool3dRef } from '../../src/nn/max_pool3d.ref.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, checkGradient, gpu, randomArray } from '../helpers.ts';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

test('ref on a hand-checked case: first maximum wins ties, rims dropped', () => {
  // [1, 1, 1, 3, 5] pooled by (1, 2, 2): windows cols 0-1 and 2-3; row 2 and col 4 are dropped
  const x = new Float32Array([1, 4, 4, 2, 9, 4, 0, 4, 3, 9, 9, 9, 9, 9, 9]);
  const r = maxPool3dRef(x, [1, 1, 1, 3, 5], [1, 2, 2]);
  assert.equal(r.shape, [1, 1, 1, 1, 2]);
  assert.equal([...r.y], [4, 4]);
  assert.equal([...r.indices], [1, 2]);
  assert.equal([...maxPool3dBackwardRef(r.indices, new Float32Array([5, 7]), 15)], [0, 5, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

const CASES: Array<[number[], Triple]> = [
  [[2, 3, 1, 9, 11], [1, 2, 2]],
  [[1, 2, 5, 7, 9], [2, 2, 2]],
  [[3, 1, 4, 16, 6], [2, 2, 2]],
  [[1, 1, 2, 3, 2], [2, 2, 2]], // one output voxel (and a dropped rim)
];

test('GPU forward, indices and backward equal the ref (odd sizes, many ties)', async () => {
  const g = await gpu();
  for (const [shape, k] of CASES) {
    for (const quantised of [false, true]) {
      const what = `[${shape}] k=[${k}]${quantised ? ' ties' : ''}`;
      let xh = randomArray(size(shape), 3, -2, 2);
      if (quantised) xh = xh.map((v) => Math.round(v)); // values in {-2..2}: most windows tie
      const ref = maxPool3dRef(xh, shape, k);
      const t = new Tape(g);
      const x = Tensor.from(g, xh, shape, true);
      const y = maxPool3d(t, x, k);
      assert.equal([...y.shape], ref.shape, what);
      assertClose(await y.read(), ref.y, 0, 0, `${what} y`);
      const gyh = randomArray(y.size, 4);
      t.backward(y, Tensor.from(g, gyh, y.shape));
      assertClose(await x.grad!.read(), maxPool3dBackwardRef(ref.indices, gyh, xh.length), 0, 0, `${what} dx`);
      const idx = await readBuffer(g, (y.node!.saved![0]).buffer, y.size, Uint32Array);
      assert.equal([...idx], [...ref.indices], `${what} indices`);
      t.release();
      x.release();
    }
  }
});

test('a NaN in a window wins it (the last NaN, as PyTorch): GPU and ref, values, indices and backward', async () => {
  const g = await gpu();
  const shape = [1, 1, 1, 2, 6]; // three (1, 2, 2) windows: NaN not first, two NaNs, none
  const xh = new Float32Array([1, 5, NaN, 2, 0, 3, 0, NaN, 4, NaN, 1, 2]);
  const ref = maxPool3dRef(xh, shape, [1, 2, 2]);
  assert.equal([...ref.indices], [7, 9, 5]);
  assert.ok(Number.isNaN(ref.y[0]) && Number.isNaN(ref.y[1]) && ref.y[2] === 3);
  const t = new Tape(g);
  const x = Tensor.from(g, xh, shape, true);
  const y = maxPool3d(t, x, [1, 2, 2]);
  assertClose(await y.read(), ref.y, 0, 0, 'y');
  assert.equal([...(await readBuffer(g, y.node!.saved![0].buffer, y.size, Uint32Array))], [...ref.indices]);
  const gyh = new Float32Array([1, 2, 3]);
  t.backward(y, Tensor.from(g, gyh, y.shape));
  assertClose(await x.grad!.read(), maxPool3dBackwardRef(ref.indices, gyh, xh.length), 0, 0, 'dx');
  t.release();
  x.release();
});

test('ref gradient equals finite differences', async () => {
  const shape = [1, 2, 2, 5, 4];
  const xh = randomArray(size(shape), 5, -2, 2);
  const k: Triple = [2, 2, 2];
  const w = randomArray(size(maxPool3dRef(xh, shape, k).shape), 6);
  const f = (v: Float32Array) => maxPool3dRef(v, shape, k).y.reduce((s, y, i) => s + y * w[i], 0);
  const gx = maxPool3dBackwardRef(maxPool3dRef(xh, shape, k).indices, w, xh.length);
  await checkGradient(f, xh, gx, { eps: 1e-3, count: xh.length });
});

test('rejects bad shapes', async () => {
  const g = await gpu();
  const t = new Tape(g);
  const x = Tensor.from(g, new Float32Array(8), [1, 1, 1, 2, 4]);
  assert.throws(() => maxPool3d(t, x, [2, 2, 2]), /larger than input/);
  assert.throws(() => maxPool3d(t, x.view([2, 4]), [1, 2, 2]), /\[B, C, D, H, W\]/);
  assert.throws(() => maxPool3d(t, x, [2, 2] as unknown as Triple), /kernel must be three positive integers/);
  t.release();
  x.release();
});

test.run();
