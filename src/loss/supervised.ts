// The supervised loss of SHAPR: (2 · Dice + BCE) / 2, with its two parts kept for logging. When the element
// count is a multiple of 4 (every network output) it runs fused on vec4s (shaders/loss/supervised.wgsl:
// two passes forward, one backward); otherwise it composes the separate diceLoss and bceLoss ops.
import { dispatch } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { add, scale } from '../ops/elementwise.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';
import { bceLoss } from './bce.ts';
import { checkLossShapes, diceLoss } from './dice.ts';

const WG = 64;
const ITEMS = 32;
const PER = 4;
const KERNEL = { shader: 'loss/supervised', constants: { WG, ITEMS, PER } };

export interface SupervisedLoss {
  loss: Tensor; // [1] (2·dice + bce) / 2, recorded on the tape
  dice: Tensor; // [1] for logging (fused path: not on the tape; backpropagate through `loss`)
  bce: Tensor; // [1] for logging (likewise)
}

/** (2·diceLoss + bceLoss) / 2 of prediction p against target (same size); see dice.ts and bce.ts. */
export function supervisedLoss(t: Tape, p: Tensor, target: Tensor): SupervisedLoss {
  checkLossShapes('supervisedLoss', p, target);
  if (p.size % 4 !== 0) {
    const dice = diceLoss(t, p, target);
    const bce = bceLoss(t, p, target);
    return { loss: scale(t, add(t, scale(t, dice, 2), bce), 0.5), dice, bce };
  }
  const g = t.gpu;
  const n4 = p.size / 4;
  const groups = Math.ceil(n4 / (WG * ITEMS));
  const backGroups = Math.ceil(n4 / (WG * PER));
  const max = g.limits.maxComputeWorkgroupsPerDimension ?? 65535;
  if (groups > max || backGroups > max) throw new Error(`supervisedLoss: ${p.size} elements are too many for one dispatch`);
  const params = packParams('uu', n4, groups);
  const partial = Tensor.empty(g, [groups, 4]);
  const [lossOut, diceOut, bceOut] = [0, 1, 2].map(() => Tensor.empty(g, [1]));
  const coef = Tensor.empty(g, [2]);
  dispatch(g, { ...KERNEL, entry: 'partialSums' }, { params, input: p.buffer, truth: target.buffer, partial: partial.buffer }, [groups]);
  dispatch(g, { ...KERNEL, entry: 'finalize' }, {
    params, partial: partial.buffer, lossOut: lossOut.buffer, diceOut: diceOut.buffer, bceOut: bceOut.buffer, coef: coef.buffer,
  }, [1]);
  partial.release();
  const loss = t.record(lossOut, [p], (gy) => {
    const gx = Tensor.empty(g, p.shape);
    dispatch(g, { ...KERNEL, entry: 'backward' }, {
      params, input: p.buffer, truth: target.buffer, gradOutput: gy.buffer, coefIn: coef.buffer, gradInput: gx.buffer,
    }, [backGroups]);
    return [gx];
  }, [coef]);
  return { loss, dice: t.own(diceOut), bce: t.own(bceOut) };
}
