import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bceLossGradRef, bceLossRef } from '../../src/loss/bce.ref.ts';
import { diceLossGradRef, diceLossRef } from '../../src/loss/dice.ref.ts';
import { supervisedLoss } from '../../src/loss/supervised.ts';
import { full } from '../../src/ops/elementwise.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, gpu, randomArray } from '../helpers.ts';

async function check(p: Float32Array, g: Float32Array, what: string, seed = 1) {
  const gp = await gpu();
  const t = new Tape(gp);
  const tp = Tensor.from(gp, p, [p.length], true);
  const tg = Tensor.from(gp, g, [g.length]);
  const s = supervisedLoss(t, tp, tg);
  const [d, b] = [diceLossRef(p, g), bceLossRef(p, g)];
  assertClose(await s.dice.read(), [d], 1e-4, 1e-6, `${what} dice`);
  assertClose(await s.bce.read(), [b], 1e-4, 1e-6, `${what} bce`);
  assertClose(await s.loss.read(), [(2 * d + b) / 2], 1e-4, 1e-6, `${what} loss`);
  t.backward(s.loss, full(gp, [1], seed));
  const gd = diceLossGradRef(p, g);
  const gb = bceLossGradRef(p, g);
  const grad = await tp.grad!.read();
  assert.ok(grad.every(Number.isFinite), `${what}: finite gradient`);
  assertClose(grad, gd.map((v, i) => seed * (v + gb[i] / 2)), 1e-3, 1e-9, `${what} grad`);
  t.release();
  tp.release();
  tg.release();
}

test('supervised = (2·dice + bce)/2 with parts and gradient: composed path (size not a multiple of 4)', async () => {
  for (const n of [1, 3, 1001]) {
    const p = randomArray(n, 9, 0.01, 0.99);
    await check(p, randomArray(n, 10, 0, 1).map((v) => (v < 0.5 ? 0 : 1)), `n=${n}`);
  }
});

test('fused vec4 path equals the refs (one and several workgroups, a partial last one)', async () => {
  for (const n of [4, 8, 2044, 8192, 20012, 70000]) {
    const p = randomArray(n, n, 0.001, 0.999);
    const g = randomArray(n, n + 1, 0, 1).map((v) => (v < 0.4 ? 0 : v < 0.8 ? 1 : v));
    await check(p, g, `n=${n}`, 1.5);
  }
});

// NOTE: 8192 values per partialSums workgroup and 64 finalize invocations: from 524,289 values on (64³ at
// batch 3) an invocation adds several partials. The tail differs from the rest, so that a partial
// dropped or counted twice moves dice and bce far beyond the tolerance (iid values hid that).
test('fused path with more partial sums than finalize invocations (71 workgroups, a different tail)', async () => {
  const n = 8192 * 70 + 12;
  const p = randomArray(n, 4, 0.001, 0.999);
  const g = randomArray(n, 5, 0, 1).map((v) => (v < 0.5 ? 0 : 1));
  for (let i = 8192 * 64; i < n; i++) [p[i], g[i]] = [0.97, 0];
  await check(p, g, `n=${n}`, 0.5);
});

test('fused path at p = 0 and 1 exactly and empty volumes: finite, PyTorch-clamped', async () => {
  await check(new Float32Array([0, 1, 0, 1, 0, 0, 1, 1]), new Float32Array([1, 0, 0, 1, 0, 1, 1, 0]), 'extremes');
  await check(new Float32Array(8), new Float32Array(8), 'all zero');
});

test('a NaN prediction makes dice, bce and the loss NaN (fused path and composed path)', async () => {
  const gp = await gpu();
  for (const n of [8, 7]) {
    const t = new Tape(gp);
    const p = randomArray(n, 3, 0.1, 0.9);
    p[5] = NaN;
    const tp = Tensor.from(gp, p, [n]);
    const tg = Tensor.from(gp, new Float32Array(n).fill(1), [n]);
    const s = supervisedLoss(t, tp, tg);
    for (const [name, v] of [['dice', s.dice], ['bce', s.bce], ['loss', s.loss]] as const) assert.ok(Number.isNaN((await v.read())[0]), `n=${n} ${name}`);
    t.release();
    tp.release();
    tg.release();
  }
});

test.run();
