import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { trilinearDown } from '../../src/resample/trilinear_down.ts';
import { trilinearDownBackwardRef, trilinearDownRef } from '../../src/resample/trilinear_down.ref.ts';
import { full } from '../../src/ops/elementwise.ts';
import { mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, checkGradient, gpu, randomArray } from '../helpers.ts';

// (shape, s): cubes and non-cubes, s = 1, s = n (identity), odd sizes, one voxel, and s above an axis's length
// (an axis of length 1 is sampled by every output)
// NOTE: both find the corners in integers (i·(n−1) = x0·(s−1) + r), so the kernel's f32 sums differ from
// the ref's float64 ones by rounding only (a few 1e-7 on inputs of magnitude 1).
const CASES: Array<[[number, number, number], number]> = [
  [[1, 1, 1], 1],
  [[5, 5, 5], 1],
  [[4, 4, 4], 4],
  [[7, 9, 11], 3],
  [[16, 16, 16], 8],
  [[17, 13, 19], 6],
  [[64, 64, 64], 16],
  [[1, 6, 9], 5],
  [[3, 3, 3], 8],
  [[1, 1, 1], 3],
];

test('GPU forward equals the ref (batched, odd sizes, s = 1, s = n)', async () => {
  const g = await gpu();
  const t = new Tape(g);
  for (const [shape, s] of CASES) {
    const per = shape[0] * shape[1] * shape[2];
    const batch = 2;
    const x = randomArray(batch * per, per + s, 0, 1);
    const y = await trilinearDown(t, Tensor.from(g, x, [batch, 1, ...shape]), s).read();
    const want = new Float32Array(batch * s ** 3);
    for (let b = 0; b < batch; b++) want.set(trilinearDownRef(x.subarray(b * per, (b + 1) * per), shape, s), b * s ** 3);
    assertClose(y, want, 1e-6, 5e-7, `forward ${shape} → ${s}`);
    t.release();
  }
});

test('GPU backward (per-input gather) equals the ref adjoint', async () => {
  const g = await gpu();
  for (const [shape, s] of CASES) {
    const t = new Tape(g);
    const per = shape[0] * shape[1] * shape[2];
    const x = Tensor.from(g, randomArray(per, 7, 0, 1), [1, ...shape], true);
    const gy = randomArray(s ** 3, 8);
    const loss = sum(t, mul(t, trilinearDown(t, x, s), Tensor.from(g, gy, [1, s, s, s])));
    t.backward(loss, full(g, [1], 1));
    assertClose(await x.grad!.read(), trilinearDownBackwardRef(gy, shape, s), 1e-6, 2e-6, `backward ${shape} → ${s}`);
    t.release();
  }
});

test('NaN guard: a NaN voxel and a NaN output gradient reach exactly what the refs say, forward and backward', async () => {
  const g = await gpu();
  let reached = 0;
  const cases = CASES.filter(([sh]) => sh[0] * sh[1] * sh[2] <= 4096);
  for (const [shape, s] of cases) {
    const what = `${shape} → ${s}`;
    const per = shape[0] * shape[1] * shape[2];
    const x = randomArray(per, 5, 0, 1);
    x[Math.floor(per / 2)] = NaN;
    const gy = randomArray(s ** 3, 6);
    gy[Math.floor(s ** 3 / 3)] = NaN;
    const t = new Tape(g);
    const tx = Tensor.from(g, x, [1, ...shape], true);
    const y = trilinearDown(t, tx, s);
    const want = trilinearDownRef(x, shape, s);
    reached += want.some(Number.isNaN) ? 1 : 0;
    assertClose(await y.read(), want, 1e-6, 5e-7, `${what} forward`);
    t.backward(sum(t, mul(t, y, Tensor.from(g, gy, [1, s, s, s]))), full(g, [1], 1));
    assertClose(await tx.grad!.read(), trilinearDownBackwardRef(gy, shape, s), 1e-6, 2e-6, `${what} backward`);
    t.release();
  }
  assert.ok(reached >= cases.length - 2, `the NaN reached the output in only ${reached} of ${cases.length} cases`);
});

test('finite differences of <w, down(x)> equal the GPU gradient', async () => {
  const g = await gpu();
  const shape: [number, number, number] = [6, 5, 7];
  const s = 4;
  const x = randomArray(6 * 5 * 7, 3, 0, 1);
  const w = randomArray(s ** 3, 4);
  const t = new Tape(g);
  const tx = Tensor.from(g, x, [...shape], true);
  t.backward(sum(t, mul(t, trilinearDown(t, tx, s), Tensor.from(g, w, [s, s, s]))), full(g, [1], 1));
  const f = (v: Float32Array) => trilinearDownRef(v, shape, s).reduce((a, y, i) => a + y * w[i], 0);
  await checkGradient(f, x, await tx.grad!.read(), { eps: 1e-2, rtol: 1e-3, atol: 1e-4, count: 40 });
  t.release();
});

test('a size that is not a positive integer is refused', async () => {
  const g = await gpu();
  const t = new Tape(g);
  for (const s of [1.5, 0, -2]) assert.throws(() => trilinearDown(t, Tensor.from(g, new Float32Array(8), [2, 2, 2]), s), /not a positive integer/);
});

test.run();
