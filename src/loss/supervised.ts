// The supervised loss of SHAPR: (2 · Dice + BCE) / 2, with its two parts kept for logging.
import { add, scale } from '../ops/elementwise.ts';
import type { Tape } from '../tape/tape.ts';
import type { Tensor } from '../tape/tensor.ts';
import { bceLoss } from './bce.ts';
import { diceLoss } from './dice.ts';

export interface SupervisedLoss {
  loss: Tensor; // [1] (2·dice + bce) / 2, recorded on the tape
  dice: Tensor; // [1]
  bce: Tensor; // [1]
}

/** (2·diceLoss + bceLoss) / 2 of prediction p against target (same size). */
export function supervisedLoss(t: Tape, p: Tensor, target: Tensor): SupervisedLoss {
  const dice = diceLoss(t, p, target);
  const bce = bceLoss(t, p, target);
  return { loss: scale(t, add(t, scale(t, dice, 2), bce), 0.5), dice, bce };
}
