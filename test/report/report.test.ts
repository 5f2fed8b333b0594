// The report's loss curves: the adversarial phase's epochs are series of their own (they log other quantities
// under the same names: the generator loss, and a validation loss without λ·L_T).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { curveSeries } from '../../src/report/report.ts';
import type { EpochLog } from '../../src/train/trainer.ts';

const log = (epoch: number, loss: number, topo: number, phase?: 'adversarial'): EpochLog => {
  const common = { epoch, val: { loss: loss + 0.1, dice: loss, bce: 0, topo: topo / 2 }, lr: 1e-3, seconds: 1, improved: false };
  return phase ? { ...common, phase, train: { loss, supervised: loss, discriminator: 0.7, adversarial: 0.7 } } : { ...common, train: { loss, dice: loss, bce: 0, topo } };
};

test('supervised and adversarial epochs are separate series; L_T (train and validation) only from the supervised epochs, in a plot of its own', () => {
  const { loss, topo } = curveSeries([log(0, 0.9, 0.02), log(1, 0.8, 0.01), log(2, 0.5, 0.3, 'adversarial')]);
  assert.equal(loss.map((x) => x.name), ['train', 'validation', 'adversarial: generator', 'adversarial: validation (supervised)']);
  assert.equal(topo.map((x) => x.name), ['train L_T', 'validation L_T']);
  assert.equal(loss[0].x, [1, 2]);
  assert.equal(topo[0].y, [0.02, 0.01]);
  assert.equal(topo[1].y, [0.01, 0.005]);
  assert.equal(loss[2].x, [3]);
  assert.equal(loss[3].y, [0.6]);
  // a baseline without the adversarial phase: two series, and no L_T plot
  const base = curveSeries([log(0, 0.9, 0)]);
  assert.equal([base.loss.map((x) => x.name), base.topo], [['train', 'validation'], []]);
});

test.run();
