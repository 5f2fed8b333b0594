import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diceLoss } from '../../src/loss/dice.ts';
import { diceLossGradRef, diceLossRef } from '../../src/loss/dice.ref.ts';
import { full } from '../../src/ops/elementwise.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { AWKWARD_SIZES, assertClose, checkGradient, gpu, randomArray } from '../helpers.ts';

test('ref on a hand-checked case', () => {
  // TP = 1.5, FP = 0.25, FN = 0.5: prec = 2.5/2.75, rec = 2.5/3, F1 = 2·2.5/(2.75+3)
  assertClose([diceLossRef([0.5, 1, 0, 0.25], [1, 1, 0, 0])], [1 - 5 / 5.75], 1e-7);
  assertClose([diceLossRef([1, 0], [1, 0])], [1 - 4 / 4], 0, 1e-8); // perfect prediction
  assertClose([diceLossRef([0, 0, 0], [0, 0, 0])], [0], 0, 1e-8); // empty vs empty: the +1 keeps it finite
  assertClose([diceLossRef([1, 1], [0, 0])], [1 - 2 * (1 / 3) / (4 / 3)], 1e-7); // prec 1/3, rec 1
});

async function gpuDice(p: Float32Array, g: Float32Array) {
  const gp = await gpu();
  const t = new Tape(gp);
  const tp = Tensor.from(gp, p, [p.length], true);
  const tg = Tensor.from(gp, g, [g.length]);
  const loss = diceLoss(t, tp, tg);
  t.backward(loss, full(gp, [1], 1.5)); // a seed other than 1 checks that gradOutput is applied
  const out = { loss: (await loss.read())[0], grad: await tp.grad!.read() };
  t.release();
  tp.release();
  tg.release();
  return out;
}

test('GPU loss and gradient equal the ref (awkward sizes, a multi-level reduction)', async () => {
  for (const n of [...AWKWARD_SIZES, 70001]) {
    const p = randomArray(n, n, 0, 1);
    const g = randomArray(n, n + 7, 0, 1).map((v) => (v < 0.3 ? 0 : v < 0.6 ? 1 : v));
    const r = await gpuDice(p, g);
    assertClose([r.loss], [diceLossRef(p, g)], 1e-4, 1e-6, `loss n=${n}`);
    assertClose(r.grad, diceLossGradRef(p, g).map((v) => 1.5 * v), 1e-3, 1e-9, `grad n=${n}`);
  }
});

test('p = 0 and 1 exactly and empty volumes stay finite', async () => {
  const cases: Array<[number[], number[]]> = [[[0, 0, 0], [0, 0, 0]], [[1, 1, 1], [1, 1, 1]], [[0, 1, 0], [1, 0, 1]], [[1, 1, 1], [0, 0, 0]]];
  for (const [p, g] of cases) {
    const r = await gpuDice(new Float32Array(p), new Float32Array(g));
    assert.ok(Number.isFinite(r.loss) && r.grad.every(Number.isFinite), `p=${p} g=${g}`);
    assertClose([r.loss], [diceLossRef(p, g)], 1e-5, 1e-6, `p=${p} g=${g}`);
  }
});

test('a NaN prediction gives a NaN loss: GPU and ref', async () => {
  const p = new Float32Array([0.2, NaN, 0.7]);
  const g = new Float32Array([0, 1, 1]);
  assert.ok(Number.isNaN(diceLossRef(p, g)));
  assert.ok(Number.isNaN((await gpuDice(p, g)).loss));
});

test('ref gradient equals finite differences', async () => {
  const p = randomArray(23, 1, 0.05, 0.95);
  const g = randomArray(23, 2, 0, 1).map((v) => (v < 0.5 ? 0 : 1));
  await checkGradient((v) => diceLossRef(v, g), p, diceLossGradRef(p, g), { eps: 1e-3, rtol: 1e-3, atol: 1e-6, count: 23 });
});

test('rejects a size mismatch', async () => {
  const g = await gpu();
  const t = new Tape(g);
  assert.throws(() => diceLoss(t, full(g, [3], 0), full(g, [4], 0)), /differ in size/);
  t.release();
});

test.run();
