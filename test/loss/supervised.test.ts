import { test } from 'uvu';
import { bceLossGradRef, bceLossRef } from '../../src/loss/bce.ref.ts';
import { diceLossGradRef, diceLossRef } from '../../src/loss/dice.ref.ts';
import { supervisedLoss } from '../../src/loss/supervised.ts';
import { full } from '../../src/ops/elementwise.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, gpu, randomArray } from '../helpers.ts';

test('supervised = (2·dice + bce)/2 with parts and the combined gradient', async () => {
  const gp = await gpu();
  const n = 1001;
  const p = randomArray(n, 9, 0.01, 0.99);
  const g = randomArray(n, 10, 0, 1).map((v) => (v < 0.5 ? 0 : 1));
  const t = new Tape(gp);
  const tp = Tensor.from(gp, p, [1, 1, 7, 11, 13], true);
  const tg = Tensor.from(gp, g, [1, 1, 7, 11, 13]);
  const s = supervisedLoss(t, tp, tg);
  const [d, b] = [diceLossRef(p, g), bceLossRef(p, g)];
  assertClose(await s.dice.read(), [d], 1e-5);
  assertClose(await s.bce.read(), [b], 1e-5);
  assertClose(await s.loss.read(), [(2 * d + b) / 2], 1e-5);
  t.backward(s.loss, full(gp, [1], 1));
  const gd = diceLossGradRef(p, g);
  const gb = bceLossGradRef(p, g);
  assertClose(await tp.grad!.read(), gd.map((v, i) => v + gb[i] / 2), 1e-4, 1e-9, 'grad');
  t.release();
  tp.release();
  tg.release();
});

test.run();
