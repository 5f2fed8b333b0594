import { test } from 'uvu';
import { writeBuffer } from '../../src/gpu/buffers.ts';
import * as assert from 'uvu/assert';
import { batchNorm3d, createBatchNorm, type BatchNormState } from '../../src/nn/batch_norm3d.ts';
import { batchNorm3dBackwardRef, batchNorm3dRef } from '../../src/nn/batch_norm3d.ref.ts';
import { full } from '../../src/ops/elementwise.ts';
import { reluBackwardRef, reluRef } from '../../src/ops/elementwise.ref.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, checkGradient, gpu, randomArray } from '../helpers.ts';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

test('ref on a hand-checked case: batch statistics, running stats with unbiased variance, eval', () => {
  const x = new Float32Array([1, 2, 3, 6]); // [B=2, C=1, 1, 1, 2]: mean 3, biased var 3.5, unbiased 14/3
  const r = batchNorm3dRef(x, [2, 1, 1, 1, 2], new Float32Array([2]), new Float32Array([0.5]), new Float32Array([0]), new Float32Array([1]), true);
  const s = Math.sqrt(3.5 + 1e-5);
  assertClose(r.y, [2 * -2 / s + 0.5, 2 * -1 / s + 0.5, 0.5, 2 * 3 / s + 0.5], 1e-6);
  assertClose(r.runningMean, [0.3], 1e-7);
  assertClose(r.runningVar, [0.9 + 0.1 * 14 / 3], 1e-7);
  const e = batchNorm3dRef(x, [2, 1, 1, 1, 2], new Float32Array([1]), new Float32Array([0]), new Float32Array([1]), new Float32Array([4]), false);
  assertClose(e.y, [0, 0.5, 1, 2.5].map((v) => v * 2 / Math.sqrt(4 + 1e-5)), 1e-6);
  assertClose(e.runningVar, [4], 0);
});

async function upload(g: Awaited<ReturnType<typeof gpu>>, c: number, seed: number): Promise<{ bn: BatchNormState; host: Float32Array[] }> {
  const host = [randomArray(c, seed, 0.5, 2), randomArray(c, seed + 1, -1, 1), randomArray(c, seed + 2, -1, 1), randomArray(c, seed + 3, 0.5, 3)];
  const bn = createBatchNorm(g, c);
  const ts = [bn.gamma, bn.beta, bn.runningMean, bn.runningVar];
  host.forEach((h, i) => writeBuffer(g, ts[i].buffer, h));
  return { bn, host };
}

// Planes of S = D·H·W elements: odd S takes the scalar path (chunks of 2048), S % 4 == 0 the vec4 path
// (chunks of 8192); shapes with several chunks per plane and several planes per channel exercise the
// two-level combine; offset 100 checks that the variance does not cancel; one voxel per plane (S = 1) and
// more channels than a workgroup's 64 (the final combines over several workgroups).
const SHAPES: Array<[number[], number]> = [
  [[3, 5, 3, 7, 11], 0], [[2, 3, 5, 33, 37], 100], [[1, 2, 1, 1, 3], 0], [[5, 3, 1, 1, 1], 0], [[2, 70, 1, 3, 5], 0], // scalar
  [[2, 3, 5, 8, 9], 0], [[1, 2, 3, 80, 81], 100], [[3, 1, 1, 4, 1], 0], [[2, 67, 1, 2, 2], 0], // vec4
];

test('GPU forward and backward equal the ref (training and eval, fused ReLU, odd and multi-chunk sizes)', async () => {
  const g = await gpu();
  for (const [shape, offset] of SHAPES) {
    for (const [training, relu] of [[true, false], [false, false], [true, true], [false, true]]) {
      const what = `[${shape}] ${training ? 'train' : 'eval'}${relu ? ' +relu' : ''}`;
      const xh = randomArray(size(shape), 7, -2 + offset, 2 + offset);
      const gyh = randomArray(size(shape), 8);
      const { bn, host } = await upload(g, shape[1], 11);
      const ref = batchNorm3dRef(xh, shape, host[0], host[1], host[2], host[3], training);
      const t = new Tape(g);
      const x = Tensor.from(g, xh, shape, true);
      const y = batchNorm3d(t, x, bn, { training, relu });
      assertClose(await y.read(), relu ? reluRef(ref.y) : ref.y, 1e-4, 1e-4, `${what} y`);
      assertClose(await bn.runningMean.read(), ref.runningMean, 1e-5, 1e-5, `${what} running mean`);
      assertClose(await bn.runningVar.read(), ref.runningVar, 1e-4, 1e-5, `${what} running var`);
      t.backward(y, Tensor.from(g, gyh, shape));
      const gyRef = relu ? reluBackwardRef(ref.y, gyh) : gyh;
      const gr = batchNorm3dBackwardRef(xh, shape, host[0], ref.mean, ref.invStd, gyRef, training);
      assertClose(await x.grad!.read(), gr.dx, 1e-3, 1e-4, `${what} dx`);
      assertClose(await bn.gamma.grad!.read(), gr.dgamma, 1e-4, 1e-3, `${what} dgamma`);
      assertClose(await bn.beta.grad!.read(), gr.dbeta, 1e-4, 1e-3, `${what} dbeta`);
      t.release();
      for (const v of [x, bn.gamma, bn.beta, bn.runningMean, bn.runningVar]) v.release();
    }
  }
});

test('training updates running stats every call; eval leaves them and uses them', async () => {
  const g = await gpu();
  const shape = [2, 2, 1, 3, 5];
  const xh = randomArray(size(shape), 21, 1, 3);
  const bn = createBatchNorm(g, 2);
  const t = new Tape(g);
  const x = Tensor.from(g, xh, shape);
  let rm: Float32Array = new Float32Array(2);
  let rv: Float32Array = new Float32Array(2).fill(1);
  for (let i = 0; i < 3; i++) {
    batchNorm3d(t, x, bn, { training: true });
    const r = batchNorm3dRef(xh, shape, new Float32Array([1, 1]), new Float32Array(2), rm, rv, true);
    rm = r.runningMean;
    rv = r.runningVar;
  }
  assertClose(await bn.runningMean.read(), rm, 1e-5, 1e-6, 'mean after 3 steps');
  assertClose(await bn.runningVar.read(), rv, 1e-5, 1e-6, 'var after 3 steps');
  const y = await batchNorm3d(t, x, bn, { training: false }).read();
  assertClose(await bn.runningMean.read(), rm, 0, 0, 'eval does not update');
  assertClose(y, batchNorm3dRef(xh, shape, new Float32Array([1, 1]), new Float32Array(2), rm, rv, false).y, 1e-5, 1e-5, 'eval output');
  t.release();
  x.release();
});

test('ref gradients equal finite differences (training and eval)', async () => {
  const shape = [2, 3, 1, 2, 3];
  const n = size(shape);
  const xh = randomArray(n, 31, -2, 2);
  const w = randomArray(n, 32);
  const gamma = randomArray(3, 33, 0.5, 2);
  const beta = randomArray(3, 34);
  const rm = randomArray(3, 35);
  const rv = randomArray(3, 36, 0.5, 2);
  for (const training of [true, false]) {
    const loss = (xx: Float32Array, gm: Float32Array, bt: Float32Array) =>
      batchNorm3dRef(xx, shape, gm, bt, rm, rv, training).y.reduce((s, v, i) => s + v * w[i], 0);
    const f = batchNorm3dRef(xh, shape, gamma, beta, rm, rv, training);
    const gr = batchNorm3dBackwardRef(xh, shape, gamma, f.mean, f.invStd, w, training);
    await checkGradient((v) => loss(v, gamma, beta), xh, gr.dx, { eps: 1e-2, count: n });
    await checkGradient((v) => loss(xh, v, beta), gamma, gr.dgamma, { eps: 1e-2, count: 3 });
    await checkGradient((v) => loss(xh, gamma, v), beta, gr.dbeta, { eps: 1e-2, count: 3 });
  }
});

test('NaN guard: a NaN input stays NaN through the fused ReLU (scalar and vec4 paths), never a silent 0', async () => {
  const g = await gpu();
  // training: the NaN poisons its channel's statistics, so the whole channel is NaN; eval: only its voxel
  for (const shape of [[2, 2, 1, 3, 5], [2, 2, 1, 2, 4]]) {
    for (const [training, relu] of [[true, false], [false, false], [true, true], [false, true]]) {
      const what = `[${shape}] ${training ? 'train' : 'eval'}${relu ? ' +relu' : ''}`;
      const xh = randomArray(size(shape), 41, -2, 2);
      xh[3] = NaN; // batch 0, channel 0
      const { bn, host } = await upload(g, shape[1], 12);
      const ref = batchNorm3dRef(xh, shape, host[0], host[1], host[2], host[3], training);
      const want = relu ? reluRef(ref.y) : ref.y;
      assert.ok(Number.isNaN(want[3]) && want.some((v) => v === 0) === relu && want.some((v) => Number.isFinite(v)), `${what}: the case`);
      const t = new Tape(g);
      const x = Tensor.from(g, xh, shape);
      assertClose(await batchNorm3d(t, x, bn, { training, relu }).read(), want, 1e-4, 1e-4, `${what} y`);
      assertClose(await bn.runningMean.read(), ref.runningMean, 1e-5, 1e-5, `${what} running mean`);
      t.release();
      for (const v of [x, bn.gamma, bn.beta, bn.runningMean, bn.runningVar]) v.release();
    }
  }
});

test('rejects a wrong shape and a single value per channel in training', async () => {
  const g = await gpu();
  const bn = createBatchNorm(g, 2);
  const t = new Tape(g);
  assert.throws(() => batchNorm3d(t, full(g, [2, 3], 1), bn, { training: true }), /\[B, C, D, H, W\]/);
  assert.throws(() => batchNorm3d(t, full(g, [1, 2, 1, 1, 1], 1), bn, { training: true }), /more than 1 value/);
  assert.throws(() => batchNorm3d(t, full(g, [1, 3, 1, 1, 2], 1), bn, { training: true }), /3 channels/);
  t.release();
});

test.run();
