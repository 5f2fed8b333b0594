import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { add, axpyInPlace, fillInPlace, full, mul, relu, reshape, scale, sigmoid } from '../../src/ops/elementwise.ts';
import { addRef, axpyRef, fillRef, mulRef, reluBackwardRef, reluRef, scaleRef, sigmoidBackwardRef, sigmoidRef } from '../../src/ops/elementwise.ref.ts';
import { sum } from '../../src/ops/reduce.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { AWKWARD_SIZES, assertClose, checkGradient, gpu, randomArray } from '../helpers.ts';

test('refs on a hand-checked case', () => {
  const a = new Float32Array([-2, 0, 3]);
  const b = new Float32Array([1, 5, -1]);
  assert.equal([...addRef(a, b)], [-1, 5, 2]);
  assert.equal([...mulRef(a, b)], [-2, 0, -3]);
  assert.equal([...scaleRef(a, 0.5)], [-1, 0, 1.5]);
  assert.equal([...reluRef(a)], [0, 0, 3]);
  assert.equal([...reluBackwardRef(a, b)], [0, 0, -1]);
  assertClose(sigmoidRef(new Float32Array([0, 100, -100])), [0.5, 1, 0], 0, 1e-7);
  assertClose(sigmoidBackwardRef(new Float32Array([0.5]), new Float32Array([2])), [0.5]);
});

test('GPU forward ops equal the refs on awkward sizes', async () => {
  const g = await gpu();
  const t = new Tape(g);
  for (const n of AWKWARD_SIZES) {
    const a = randomArray(n, n, -4, 4);
    const b = randomArray(n, n + 1, -4, 4);
    const ta = Tensor.from(g, a, [n]);
    const tb = Tensor.from(g, b, [n]);
    assertClose(await add(t, ta, tb).read(), addRef(a, b), 1e-6, 0, `add n=${n}`);
    assertClose(await mul(t, ta, tb).read(), mulRef(a, b), 1e-6, 0, `mul n=${n}`);
    assertClose(await scale(t, ta, -0.3).read(), scaleRef(a, -0.3), 1e-6, 0, `scale n=${n}`);
    assertClose(await relu(t, ta).read(), reluRef(a), 0, 0, `relu n=${n}`);
    assertClose(await sigmoid(t, ta).read(), sigmoidRef(a), 1e-6, 1e-7, `sigmoid n=${n}`);
    t.release();
    ta.release();
    tb.release();
  }
});

test('NaN and extreme inputs: sigmoid saturates without overflow, relu and sigmoid keep NaN', async () => {
  const g = await gpu();
  const t = new Tape(g);
  const a = new Float32Array([NaN, 1e30, -1e30, 88.8, -88.8, -0]);
  const x = Tensor.from(g, a, [a.length]);
  const s = await sigmoid(t, x).read();
  assert.ok(Number.isNaN(s[0]));
  assertClose(s.slice(1), [1, 0, 1, sigmoidRef(new Float32Array([-88.8]))[0], 0.5], 1e-6, 1e-30);
  const r = await relu(t, x).read();
  assert.ok(Number.isNaN(r[0]));
  assert.equal([...r.slice(1)], [1e30 as number, 0, Math.fround(88.8), 0, 0].map(Math.fround));
  t.release();
});

test('fill and axpy (in place) equal the refs on awkward sizes, with NaN carried by axpy', async () => {
  const g = await gpu();
  for (const n of AWKWARD_SIZES) {
    const x = Tensor.from(g, randomArray(n, n + 2), [n]);
    fillInPlace(x, -2.5);
    assertClose(await x.read(), fillRef(n, -2.5), 0, 0, `fill n=${n}`);
    const into = randomArray(n, n + 3);
    const gh = randomArray(n, n + 4);
    gh[n - 1] = NaN;
    const ti = Tensor.from(g, into, [n]);
    axpyInPlace(ti, Tensor.from(g, gh, [n]), 0.75);
    assertClose(await ti.read(), axpyRef(into, gh, 0.75), 1e-6, 1e-7, `axpy n=${n}`);
    x.release();
    ti.release();
  }
});

test('relu and sigmoid backward kernels equal the refs on awkward sizes (relu at exactly 0, NaN input)', async () => {
  const g = await gpu();
  for (const n of AWKWARD_SIZES) {
    const x = randomArray(n, n + 5, -3, 3);
    for (let i = 0; i < n; i += 3) x[i] = i % 2 ? -0 : 0; // relu's kink: gradient 0 there, as PyTorch
    x[n >> 1] = NaN;
    const gy = randomArray(n, n + 6);
    for (const [name, op] of [['relu', relu], ['sigmoid', sigmoid]] as const) {
      const t = new Tape(g);
      const tx = Tensor.from(g, x, [n], true);
      const y = op(t, tx);
      t.backward(y, Tensor.from(g, gy, [n]));
      const got = await tx.grad!.read();
      if (name === 'relu') assertClose(got, reluBackwardRef(x, gy), 0, 0, `relu backward n=${n}`);
      else assertClose(got, sigmoidBackwardRef(await y.read(), gy), 1e-6, 1e-7, `sigmoid backward n=${n}`);
      t.release();
      tx.release();
    }
  }
});

test('reshape shares the data and hands the gradient back in the input shape', async () => {
  const g = await gpu();
  const xh = randomArray(24, 9);
  const w = randomArray(24, 10);
  const t = new Tape(g);
  const x = Tensor.from(g, xh, [2, 3, 4], true);
  const y = reshape(t, x, [4, 6]);
  assert.equal([...y.shape], [4, 6]);
  assert.equal([...(await y.read())], [...xh]);
  t.backward(sum(t, mul(t, y, Tensor.from(g, w, [4, 6]))), full(g, [1], 1));
  assert.equal([...x.grad!.shape], [2, 3, 4]);
  await checkGradient((v) => mulRef(v, w).reduce((s, a) => s + a, 0), xh, await x.grad!.read(), { eps: 1e-2, rtol: 1e-4, atol: 1e-6, count: 24 });
  t.release();
  x.release();
});

// d/dx sum(w * f(x)) for each unary op, checked against the refs and finite differences of the refs.
test('gradients: GPU backward equals the ref and finite differences', async () => {
  const g = await gpu();
  const n = 37;
  const x = randomArray(n, 3, -2, 2).map((v) => (Math.abs(v) < 0.05 ? 0.3 : v)); // keep away from relu's kink
  const w = randomArray(n, 4);
  const cases: Array<[string, (t: Tape, a: Tensor) => Tensor, (a: Float32Array) => Float32Array]> = [
    ['relu', relu, reluRef],
    ['sigmoid', sigmoid, sigmoidRef],
    ['scale', (t, a) => scale(t, a, 1.7), (a) => scaleRef(a, 1.7)],
    ['mul-self', (t, a) => mul(t, a, a), (a) => mulRef(a, a)],
    ['add-self', (t, a) => add(t, a, a), (a) => addRef(a, a)],
  ];
  for (const [name, op, ref] of cases) {
    const t = new Tape(g);
    const tx = Tensor.from(g, x, [n], true);
    const tw = Tensor.from(g, w, [n]);
    const loss = sum(t, mul(t, op(t, tx), tw));
    t.backward(loss, full(g, [1], 1));
    const grad = await tx.grad!.read();
    const f = (v: Float32Array) => ref(v).reduce((s, y, i) => s + y * w[i], 0);
    await checkGradient(f, x, grad, { eps: 1e-3, rtol: 1e-2, atol: 1e-4, count: n });
    if (name === 'relu') assertClose(grad, mulRef(reluBackwardRef(x, new Float32Array(n).fill(1)), w), 1e-6, 0, 'relu grad');
    if (name === 'sigmoid') assertClose(grad, sigmoidBackwardRef(sigmoidRef(x), w), 1e-5, 1e-7, 'sigmoid grad');
    t.release();
    tx.release();
    tw.release();
  }
});

// Two distinct operands, both with a gradient: mul's gradient for b is gy·a (an op applied to itself, or
// with a constant, cannot tell gy·a from gy·b).
test('gradients of add and mul with respect to each of two different operands: finite differences', async () => {
  const g = await gpu();
  const n = 29;
  const a = randomArray(n, 5, -2, 2);
  const b = randomArray(n, 6, -2, 2);
  const w = randomArray(n, 7);
  const cases: Array<[(t: Tape, x: Tensor, y: Tensor) => Tensor, (x: Float32Array, y: Float32Array) => Float32Array]> = [
    [add, addRef],
    [mul, mulRef],
  ];
  for (const [op, ref] of cases) {
    const t = new Tape(g);
    const ta = Tensor.from(g, a, [n], true);
    const tb = Tensor.from(g, b, [n], true);
    const loss = sum(t, mul(t, op(t, ta, tb), Tensor.from(g, w, [n])));
    t.backward(loss, full(g, [1], 1));
    const [ga, gb] = [await ta.grad!.read(), await tb.grad!.read()];
    const f = (x: Float32Array, y: Float32Array) => ref(x, y).reduce((s, v, i) => s + v * w[i], 0);
    await checkGradient((x) => f(x, b), a, ga, { eps: 1e-3, rtol: 1e-2, atol: 1e-4, count: n });
    await checkGradient((y) => f(a, y), b, gb, { eps: 1e-3, rtol: 1e-2, atol: 1e-4, count: n });
    t.release();
    ta.release();
    tb.release();
  }
});

test('tensors refuse what WebGPU would misread: other arrays, bad dimensions, released buffers, unequal shapes', async () => {
  const g = await gpu();
  assert.throws(() => Tensor.from(g, new Float64Array([1.5, 2.5]) as unknown as Float32Array, [2]), /must be a Float32Array, got Float64Array/);
  assert.throws(() => Tensor.from(g, [1, 2] as unknown as Float32Array, [2]), /must be a Float32Array, got Array/);
  for (const shape of [[-2, -2], [2.5, 2]]) assert.throws(() => Tensor.from(g, new Float32Array(4), shape), /must be non-negative integers/);
  assert.throws(() => Tensor.empty(g, [-4]), /must be non-negative integers/);
  const a = Tensor.from(g, new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  assert.throws(() => a.view([-2, -3]), /must be non-negative integers/);
  const t = new Tape(g);
  assert.throws(() => add(t, a, Tensor.from(g, new Float32Array(6), [3, 2])), /add: shapes \[2,3\] and \[3,2\] differ/);
  assert.throws(() => mul(t, a, Tensor.from(g, new Float32Array(6), [6])), /mul: shapes/);
  const v = a.view([6]);
  a.release();
  assert.throws(() => add(t, a, a), /use of a released tensor/); // its buffer may already hold another tensor
  assert.throws(() => scale(t, v, 2), /use of a released tensor/); // and so may a view's
  t.release();
});

test.run();
