import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linear } from '../../src/nn/linear.ts';
import { linearBackwardRef, linearRef } from '../../src/nn/linear.ref.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, checkGradient, gpu, randomArray } from '../helpers.ts';

test('ref on a hand-checked case', () => {
  // x = [[1, 2]], w = [[3, 4], [5, 6], [-1, 0]], b = [0.5, 0, 1]
  const y = linearRef(new Float32Array([1, 2]), new Float32Array([3, 4, 5, 6, -1, 0]), new Float32Array([0.5, 0, 1]), 1, 2, 3);
  assert.equal([...y], [11.5, 17, 0]);
  const g = linearBackwardRef(new Float32Array([1, 2]), new Float32Array([3, 4, 5, 6, -1, 0]), new Float32Array([1, 0, 2]), 1, 2, 3);
  assert.equal([...g.dx], [1, 4]);
  assert.equal([...g.dw], [1, 2, 0, 0, 2, 4]);
  assert.equal([...g.db], [1, 0, 2]);
});

test('GPU forward and backward equal the ref (odd sizes, with and without bias)', async () => {
  const g = await gpu();
  for (const [batch, inF, outF] of [[3, 64, 1], [5, 67, 13], [1, 1, 1], [7, 130, 65]]) {
    for (const withBias of [true, false]) {
      const what = `${batch}x${inF}->${outF}${withBias ? '' : ' no bias'}`;
      const xh = randomArray(batch * inF, 1);
      const wh = randomArray(outF * inF, 2);
      const bh = randomArray(outF, 3);
      const gyh = randomArray(batch * outF, 4);
      const t = new Tape(g);
      const x = Tensor.from(g, xh, [batch, inF], true);
      const w = Tensor.from(g, wh, [outF, inF], true);
      const b = withBias ? Tensor.from(g, bh, [outF], true) : null;
      const y = linear(t, x, w, b);
      assertClose(await y.read(), linearRef(xh, wh, withBias ? bh : null, batch, inF, outF), 1e-5, 1e-5, `${what} y`);
      t.backward(y, Tensor.from(g, gyh, [batch, outF]));
      const r = linearBackwardRef(xh, wh, gyh, batch, inF, outF);
      assertClose(await x.grad!.read(), r.dx, 1e-5, 1e-5, `${what} dx`);
      assertClose(await w.grad!.read(), r.dw, 1e-5, 1e-5, `${what} dw`);
      if (b) assertClose(await b.grad!.read(), r.db, 1e-5, 1e-5, `${what} db`);
      t.release();
      for (const v of [x, w, b]) v?.release();
    }
  }
});

test('NaN guard: a NaN input and a NaN output gradient reach exactly what the ref says', async () => {
  const g = await gpu();
  for (const [batch, inF, outF] of [[3, 64, 1], [5, 67, 13], [1, 1, 1], [7, 130, 65]]) {
    const what = `${batch}x${inF}->${outF}`;
    const xh = randomArray(batch * inF, 5);
    xh[Math.floor(xh.length / 2)] = NaN;
    const wh = randomArray(outF * inF, 6);
    const bh = randomArray(outF, 7);
    const gyh = randomArray(batch * outF, 8);
    gyh[batch * outF - 1] = NaN;
    const t = new Tape(g);
    const x = Tensor.from(g, xh, [batch, inF], true);
    const w = Tensor.from(g, wh, [outF, inF], true);
    const b = Tensor.from(g, bh, [outF], true);
    const y = linear(t, x, w, b);
    assertClose(await y.read(), linearRef(xh, wh, bh, batch, inF, outF), 1e-5, 1e-5, `${what} y`);
    t.backward(y, Tensor.from(g, gyh, [batch, outF]));
    const r = linearBackwardRef(xh, wh, gyh, batch, inF, outF);
    assert.ok(r.dx.some(Number.isNaN) && r.dw.some(Number.isNaN) && r.db.some(Number.isNaN), `${what}: the case`);
    assertClose(await x.grad!.read(), r.dx, 1e-5, 1e-5, `${what} dx`);
    assertClose(await w.grad!.read(), r.dw, 1e-5, 1e-5, `${what} dw`);
    assertClose(await b.grad!.read(), r.db, 1e-5, 1e-5, `${what} db`);
    t.release();
    for (const v of [x, w, b]) v.release();
  }
});

test('ref gradients equal finite differences', async () => {
  const [batch, inF, outF] = [2, 5, 3];
  const xh = randomArray(batch * inF, 5);
  const wh = randomArray(outF * inF, 6);
  const bh = randomArray(outF, 7);
  const gy = randomArray(batch * outF, 8);
  const loss = (x: Float32Array, w: Float32Array, b: Float32Array) => linearRef(x, w, b, batch, inF, outF).reduce((s, v, i) => s + v * gy[i], 0);
  const r = linearBackwardRef(xh, wh, gy, batch, inF, outF);
  await checkGradient((v) => loss(v, wh, bh), xh, r.dx, { count: 99 });
  await checkGradient((v) => loss(xh, v, bh), wh, r.dw, { count: 99 });
  await checkGradient((v) => loss(xh, wh, v), bh, r.db, { count: 99 });
});

test('rejects mismatched shapes', async () => {
  const g = await gpu();
  const t = new Tape(g);
  const x = Tensor.from(g, new Float32Array(6), [2, 3]);
  const w = Tensor.from(g, new Float32Array(8), [2, 4]);
  assert.throws(() => linear(t, x, w, null), /do not fit/);
  t.release();
  x.release();
  w.release();
});

test.run();
