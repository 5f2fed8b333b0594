import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { add, mul, scale } from '../../src/ops/elementwise.ts';
import { full } from '../../src/ops/elementwise.ts';
import { mean } from '../../src/ops/reduce.ts';
import { Adam, ADAM_DEFAULTS } from '../../src/optim/adam.ts';
import { adamStepRef } from '../../src/optim/adam.ref.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, gpu, randomArray } from '../helpers.ts';

test('ref: the first step moves each parameter by lr against the gradient sign', () => {
  const p = new Float32Array([1, 1]);
  adamStepRef(p, new Float32Array([3, -0.2]), new Float32Array(2), new Float32Array(2), 1, ADAM_DEFAULTS);
  assertClose(p, [1 - 1e-3, 1 + 1e-3], 1e-6);
});

test('GPU Adam equals the ref over several steps on awkward sizes: parameters and both moments', async () => {
  const g = await gpu();
  for (const n of [1, 7, 257, 1001]) {
    const p0 = randomArray(n, n);
    const p = Tensor.from(g, p0, [n], true);
    const opt = new Adam([p], { lr: 0.01 });
    const ref = { p: p0.slice(), m: new Float32Array(n), v: new Float32Array(n) };
    for (let step = 1; step <= 5; step++) {
      const grad = randomArray(n, 100 * n + step);
      p.grad?.release();
      p.grad = Tensor.from(g, grad, [n]);
      opt.step();
      adamStepRef(ref.p, grad, ref.m, ref.v, step, opt.opts);
    }
    assertClose(await p.read(), ref.p, 1e-5, 1e-6, `n=${n}`);
    assertClose(await opt.m[0].read(), ref.m, 1e-5, 1e-7, `m n=${n}`);
    assertClose(await opt.v[0].read(), ref.v, 1e-5, 1e-9, `v n=${n}`);
  }
});

test('NaN guard: a NaN gradient makes its own parameter and moments NaN, and no other', async () => {
  const g = await gpu();
  const n = 257;
  const p0 = randomArray(n, 3);
  const p = Tensor.from(g, p0, [n], true);
  const opt = new Adam([p], { lr: 0.01 });
  const ref = { p: p0.slice(), m: new Float32Array(n), v: new Float32Array(n) };
  const grad = randomArray(n, 4);
  grad[100] = NaN;
  p.grad = Tensor.from(g, grad, [n]);
  opt.step();
  adamStepRef(ref.p, grad, ref.m, ref.v, 1, opt.opts);
  assert.ok(Number.isNaN(ref.p[100]) && ref.p.filter(Number.isNaN).length === 1, 'the case');
  assertClose(await p.read(), ref.p, 1e-5, 1e-6, 'parameters');
  assertClose(await opt.m[0].read(), ref.m, 1e-5, 1e-7, 'm');
  assertClose(await opt.v[0].read(), ref.v, 1e-5, 1e-9, 'v');
});

test('the tape trains a linear map with Adam to a small loss', async () => {
  const g = await gpu();
  // Fit y = a * x + b elementwise over 64 features from one fixed batch; loss = mean((a x + b - y)^2).
  const n = 64;
  const x = Tensor.from(g, randomArray(n, 1, -2, 2), [n]);
  const aTrue = randomArray(n, 2);
  const bTrue = randomArray(n, 3);
  const xs = await x.read();
  const y = Tensor.from(g, xs.map((v, i) => aTrue[i] * v + bTrue[i]), [n]);
  const a = Tensor.from(g, new Float32Array(n), [n], true);
  const b = Tensor.from(g, new Float32Array(n), [n], true);
  const opt = new Adam([a, b], { lr: 0.05 });
  const t = new Tape(g);
  let first = NaN;
  let last = NaN;
  for (let step = 0; step < 300; step++) {
    opt.zeroGrad();
    const diff = add(t, add(t, mul(t, a, x), b), scale(t, y, -1));
    const loss = mean(t, mul(t, diff, diff));
    t.backward(loss, t.own(full(g, [1], 1)));
    opt.step();
    if (step === 0 || step === 299) {
      const l = (await loss.read())[0];
      if (step === 0) first = l;
      else last = l;
    }
    t.release();
  }
  assert.ok(first > 0.1, `initial loss ${first}`);
  assert.ok(last < 1e-3, `final loss ${last} (from ${first})`);
});

test.run();
