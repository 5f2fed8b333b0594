// Kernels whose workgroups are split over x and y once they pass maxComputeWorkgroupsPerDimension
// (grid1d, src/gpu/kernel.ts): each shader rebuilds a flat index from both. Real runs reach that only at
// large sizes (a 64³ batch of 6 on the naive convolutions), so the limit is lowered to 3 here: every op
// must then give, bit for bit, what it gives with one row of workgroups, which its own test compares
// with its reference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Gpu } from '../../src/gpu/device.ts';
import { scribblePool } from '../../src/gpu/buffers.ts';
import { grid1d } from '../../src/gpu/kernel.ts';
import { diceLoss } from '../../src/loss/dice.ts';
import { bceLoss } from '../../src/loss/bce.ts';
import { conv3d } from '../../src/nn/conv3d.ts';
import { convTranspose3d } from '../../src/nn/conv_transpose3d.ts';
import { maxPool3d } from '../../src/nn/max_pool3d.ts';
import { add, axpyInPlace, fillInPlace, full, mul, relu, scale, sigmoid } from '../../src/ops/elementwise.ts';
import { mean, sum } from '../../src/ops/reduce.ts';
import { Adam } from '../../src/optim/adam.ts';
import { trilinearDown } from '../../src/resample/trilinear_down.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { scatterGrad } from '../../src/topo/scatter_grad.ts';
import { persistenceGpu } from '../../src/topo/union_find.ts';
import { gpu, randomArray } from '../helpers.ts';

const LIMIT = 3;

/**
 * Runs `f` with the normal limit and with LIMIT; its outputs must be identical. The pool's free buffers
 * are filled with NaN before each run, so that what a split grid leaves unwritten cannot keep the first
 * run's numbers.
 */
async function sameOnSplitGrid(what: string, f: (g: Gpu) => Promise<ArrayLike<number>[]>): Promise<void> {
  const g = await gpu();
  scribblePool(g);
  const wide = await f(g);
  const saved = g.limits.maxComputeWorkgroupsPerDimension;
  g.limits.maxComputeWorkgroupsPerDimension = LIMIT;
  let split: ArrayLike<number>[];
  try {
    scribblePool(g);
    split = await f(g);
  } finally {
    g.limits.maxComputeWorkgroupsPerDimension = saved;
  }
  assert.is(split.length, wide.length);
  wide.forEach((w, k) => {
    assert.is(split[k].length, w.length, `${what} output ${k}: length`);
    for (let i = 0; i < w.length; i++) {
      if (!Object.is(split[k][i], w[i])) assert.unreachable(`${what} output ${k}, element ${i}: ${split[k][i]} on the split grid, ${w[i]} on one row`);
    }
  });
}

/** Forward outputs and the gradients of Σ outputs·weights with respect to `inputs`. */
async function forwardBackward(g: Gpu, inputs: Tensor[], f: (t: Tape) => Tensor[]): Promise<Float32Array[]> {
  const t = new Tape(g);
  const outs = f(t);
  const weighted = outs.map((y, k) => sum(t, mul(t, y, Tensor.from(g, randomArray(y.size, 50 + k), y.shape))));
  const loss = weighted.reduce((a, b) => add(t, a, b));
  t.backward(loss, full(g, [1], 1));
  const read = [...(await Promise.all(outs.map((y) => y.read()))), ...(await Promise.all(inputs.map((x) => x.grad!.read())))];
  t.release();
  inputs.forEach((x) => x.release());
  return read;
}

const input = (g: Gpu, shape: number[], seed: number, lo = -1, hi = 1) => Tensor.from(g, randomArray(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape, true);

test('the limit does split: more than LIMIT workgroups become a 2D grid', async () => {
  const g = await gpu();
  const saved = g.limits.maxComputeWorkgroupsPerDimension;
  g.limits.maxComputeWorkgroupsPerDimension = LIMIT;
  try {
    const [x, y] = grid1d(g, 4099, 64);
    assert.ok(x <= LIMIT && y > 1 && x * y * 64 >= 4099, `[${x}, ${y}]`);
  } finally {
    g.limits.maxComputeWorkgroupsPerDimension = saved;
  }
});

test('elementwise ops, their backward kernels, fill and axpy', () =>
  sameOnSplitGrid('elementwise', async (g) => {
    const a = input(g, [4099], 1);
    const b = input(g, [4099], 2);
    const out = await forwardBackward(g, [a, b], (t) => [add(t, a, b), mul(t, a, b), scale(t, a, -0.5), relu(t, a), sigmoid(t, b)]);
    const c = Tensor.from(g, randomArray(4099, 3), [4099]);
    axpyInPlace(c, Tensor.from(g, randomArray(4099, 4), [4099]), 0.25);
    const d = full(g, [4099], 0);
    fillInPlace(d, 7);
    return [...out, await c.read(), await d.read()];
  }));

test('sum and mean (partial sums over several levels) and their broadcast backward', () =>
  sameOnSplitGrid('reduce', async (g) => {
    const x = input(g, [300001], 5);
    return forwardBackward(g, [x], (t) => [sum(t, x), mean(t, x)]);
  }));

test('dice and bce losses with their gradients', () =>
  sameOnSplitGrid('dice/bce', async (g) => {
    const p = input(g, [4099], 6, 0.01, 0.99);
    const target = Tensor.from(g, randomArray(4099, 7, 0, 1).map((v) => (v < 0.5 ? 0 : 1)), [4099]);
    return forwardBackward(g, [p], (t) => [diceLoss(t, p, target), bceLoss(t, p, target)]);
  }));

test('trilinear downsampling, forward and backward', () =>
  sameOnSplitGrid('trilinear', async (g) => {
    const x = input(g, [2, 1, 17, 17, 17], 8);
    return forwardBackward(g, [x], (t) => [trilinearDown(t, x, 9)]);
  }));

test('max pooling, forward and backward', () =>
  sameOnSplitGrid('max pool', async (g) => {
    const x = input(g, [1, 2, 16, 16, 16], 9);
    return forwardBackward(g, [x], (t) => [maxPool3d(t, x, [2, 2, 2])]);
  }));

test('conv3d: blocked kernels (3×3×3, stride 1) and naive ones (2×2×2, stride 2), all gradients', () =>
  sameOnSplitGrid('conv3d', async (g) => {
    const x = input(g, [2, 3, 10, 12, 12], 10);
    const w3 = input(g, [5, 3, 3, 3, 3], 11);
    const w2 = input(g, [4, 3, 2, 2, 2], 12);
    const b3 = input(g, [5], 13);
    const b2 = input(g, [4], 14);
    return forwardBackward(g, [x, w3, w2, b3, b2], (t) => [
      conv3d(t, x, w3, b3, { padding: [1, 1, 1] }),
      conv3d(t, x, w2, b2, { stride: [2, 2, 2] }),
    ]);
  }));

test('conv_transpose3d: blocked kernels (2×2×2 and 2×2×1 taps) and the adjoint-convolution path (3×3×3, stride 2), all gradients', () =>
  sameOnSplitGrid('conv_transpose3d', async (g) => {
    const x = input(g, [2, 9, 6, 12, 17], 15);
    const w2 = input(g, [9, 4, 2, 2, 2], 16);
    const w1 = input(g, [9, 3, 2, 2, 1], 17);
    const w3 = input(g, [9, 2, 3, 3, 3], 18);
    const b = input(g, [4], 19);
    const b3 = input(g, [2], 20);
    return forwardBackward(g, [x, w2, w1, w3, b, b3], (t) => [
      convTranspose3d(t, x, w2, b, { stride: [2, 2, 2] }),
      convTranspose3d(t, x, w1, null, { stride: [2, 2, 1] }),
      convTranspose3d(t, x, w3, b3, { stride: [2, 2, 2] }),
    ]);
  }));

test('scatter of the topological gradient', () =>
  sameOnSplitGrid('scatter', async (g) => {
    const n = 2 * 17 * 17 * 17;
    const indices = Uint32Array.from({ length: 3000 }, (_, i) => (i * 7919) % n);
    const values = randomArray(3000, 18);
    const out = scatterGrad(Tensor.from(g, new Float32Array(1).fill(1), [1]), [2, 17, 17, 17], indices, values);
    const read = await out.read();
    out.release();
    return [read];
  }));

test('Adam steps', () =>
  sameOnSplitGrid('adam', async (g) => {
    const p = Tensor.from(g, randomArray(4099, 19), [4099], true);
    const opt = new Adam([p], { lr: 0.01 });
    for (let s = 0; s < 3; s++) {
      p.grad = Tensor.from(g, randomArray(4099, 20 + s), [4099]);
      opt.step();
    }
    return [await p.read()];
  }));

test('the GPU union-find (dimensions 0 and 2)', () =>
  sameOnSplitGrid('union-find', async (g) => {
    const d = await persistenceGpu(g, randomArray(9 * 10 * 11, 21, 0, 1), [9, 10, 11]);
    return d.dims.map((pairs) => pairs.flatMap((p) => [p.birth, p.death, p.birthIndex, p.deathIndex]));
  }));

test.run();
