import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { full } from '../../src/ops/elementwise.ts';
import { mean, sum, sumAll } from '../../src/ops/reduce.ts';
import { broadcastBackwardRef, sumRef } from '../../src/ops/reduce.ref.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { AWKWARD_SIZES, assertClose, checkGradient, gpu, randomArray } from '../helpers.ts';

test('ref on a hand-checked case', () => {
  assert.is(sumRef(new Float32Array([1, 2, 3.5])), 6.5);
  assert.is(sumRef(new Float32Array([1, 2, 3]), 1 / 3), 2);
});

test('sum and mean equal the ref on awkward sizes (one to several tree levels)', async () => {
  const g = await gpu();
  const t = new Tape(g);
  for (const n of [...AWKWARD_SIZES, 4096, 4097, 65537, 1 << 20]) {
    const a = randomArray(n, n, 0, 1);
    const x = Tensor.from(g, a, [n]);
    assertClose(await sum(t, x).read(), [sumRef(a)], 1e-5, 1e-6, `sum n=${n}`);
    assertClose(await mean(t, x).read(), [sumRef(a, 1 / n)], 1e-5, 1e-7, `mean n=${n}`);
    t.release();
    x.release();
  }
});

test('sum over 16M elements within 1e-5 relative error of the float64 reference', async () => {
  const g = await gpu();
  const n = 16 * 1024 * 1024 + 3;
  const a = randomArray(n, 16, -0.5, 1);
  const x = Tensor.from(g, a, [n]);
  const s = sumAll(g, x);
  const got = (await s.read())[0];
  const want = sumRef(a);
  assert.ok(Math.abs(got - want) <= 1e-5 * Math.abs(want), `got ${got}, want ${want}`);
  s.release();
  x.release();
});

test('NaN propagates through a sum instead of vanishing', async () => {
  const g = await gpu();
  const a = randomArray(5000, 2);
  a[4321] = NaN;
  const s = sumAll(g, Tensor.from(g, a, [a.length]));
  assert.ok(Number.isNaN((await s.read())[0]));
});

test('gradients of sum and mean: broadcastBackward equals the ref on awkward sizes, and accumulates', async () => {
  const g = await gpu();
  for (const n of AWKWARD_SIZES) {
    const t = new Tape(g);
    const x = Tensor.from(g, randomArray(n, 5), [n], true);
    t.backward(mean(t, x), full(g, [1], 2));
    assertClose(await x.grad!.read(), broadcastBackwardRef(n, 2, 1 / n), 1e-6, 0, `mean grad n=${n}`);
    t.backward(sum(t, x), full(g, [1], -1.5)); // accumulates into the same .grad
    const want = broadcastBackwardRef(n, 2, 1 / n).map((v, i) => v + broadcastBackwardRef(n, -1.5)[i]);
    assertClose(await x.grad!.read(), want, 1e-6, 0, `accumulated grad n=${n}`);
    t.release();
    x.release();
  }
});

test('finite differences of sum and mean equal their GPU gradients', async () => {
  const g = await gpu();
  const n = 13;
  const xh = randomArray(n, 6);
  for (const [op, alpha] of [[sum, 1], [mean, 1 / n]] as const) {
    const t = new Tape(g);
    const x = Tensor.from(g, xh, [n], true);
    t.backward(op(t, x), full(g, [1], 1));
    await checkGradient((v) => sumRef(v, alpha), xh, await x.grad!.read(), { eps: 1e-2, rtol: 1e-4, atol: 1e-6, count: n });
    t.release();
    x.release();
  }
});

test.run();
