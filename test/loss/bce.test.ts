import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bceLoss } from '../../src/loss/bce.ts';
import { bceLossGradRef, bceLossRef } from '../../src/loss/bce.ref.ts';
import { full } from '../../src/ops/elementwise.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { AWKWARD_SIZES, assertClose, checkGradient, gpu, randomArray } from '../helpers.ts';

test('ref on a hand-checked case, with PyTorch clamps at p = 0 and 1', () => {
  assertClose([bceLossRef([0.5, 0.9], [1, 0])], [(Math.log(2) + Math.log(10)) / 2], 1e-12);
  assert.is(bceLossRef([0, 1], [1, 0]), 100); // log clamped at −100
  assert.is(bceLossRef([0, 1], [0, 1]), 0);
  assertClose(bceLossGradRef([0, 1, 0.5], [1, 0, 1]), [-1e12 / 3, 1e12 / 3, -2 / 3], 1e-6);
});

async function gpuBce(p: Float32Array, g: Float32Array) {
  const gp = await gpu();
  const t = new Tape(gp);
  const tp = Tensor.from(gp, p, [p.length], true);
  const tg = Tensor.from(gp, g, [g.length]);
  const loss = bceLoss(t, tp, tg);
  t.backward(loss, full(gp, [1], 0.5));
  const out = { loss: (await loss.read())[0], grad: await tp.grad!.read() };
  t.release();
  tp.release();
  tg.release();
  return out;
}

test('GPU loss and gradient equal the ref (awkward sizes)', async () => {
  for (const n of [...AWKWARD_SIZES, 70001]) {
    const p = randomArray(n, n, 0.001, 0.999);
    const g = randomArray(n, n + 3, 0, 1).map((v) => (v < 0.4 ? 0 : v < 0.8 ? 1 : v));
    const r = await gpuBce(p, g);
    assertClose([r.loss], [bceLossRef(p, g)], 1e-4, 1e-6, `loss n=${n}`);
    assertClose(r.grad, bceLossGradRef(p, g).map((v) => 0.5 * v), 1e-4, 1e-9, `grad n=${n}`);
  }
});

test('p = 0 and 1 exactly: finite loss (clamped logs) and finite gradients, no NaN from 0·log 0', async () => {
  const p = new Float32Array([0, 1, 0, 1, 1e-30, 1 - 2 ** -24]);
  const g = new Float32Array([1, 0, 0, 1, 0.5, 1]);
  const r = await gpuBce(p, g);
  assert.ok(Number.isFinite(r.loss) && r.grad.every(Number.isFinite));
  assertClose([r.loss], [bceLossRef(p, g)], 1e-5);
  assertClose(r.grad, bceLossGradRef(p, g).map((v) => 0.5 * v), 1e-5, 1e-6);
});

test('a NaN prediction gives a NaN loss (as PyTorch), not a clamped finite one: GPU and ref', async () => {
  for (const n of [1, 5]) {
    const p = randomArray(n, 11, 0.1, 0.9);
    p[n >> 1] = NaN;
    const g = new Float32Array(n).fill(1);
    g[0] = 0;
    assert.ok(Number.isNaN(bceLossRef(p, g)), `ref n=${n}`);
    assert.ok(Number.isNaN((await gpuBce(p, g)).loss), `GPU n=${n}`);
  }
});

test('ref gradient equals finite differences away from the clamps', async () => {
  const p = randomArray(19, 4, 0.05, 0.95);
  const g = randomArray(19, 5, 0, 1);
  await checkGradient((v) => bceLossRef(v, g), p, bceLossGradRef(p, g), { eps: 1e-4, rtol: 1e-3, atol: 1e-5, count: 19 });
});

test.run();
