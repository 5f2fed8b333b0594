// The adversarial losses of SHAPR's optional GAN fine-tuning, built from the BCE kernel on the tape.
import { add, full, scale } from '../ops/elementwise.ts';
import type { Tape } from '../tape/tape.ts';
import type { Tensor } from '../tape/tensor.ts';
import { bceLoss } from './bce.ts';

/** BCE of discriminator outputs d [B, 1] against the constant label (1 = real, 0 = fake). */
function bceToLabel(t: Tape, d: Tensor, label: 0 | 1): Tensor {
  return bceLoss(t, d, t.own(full(t.gpu, d.shape, label)));
}

/**
 * The generator's loss (10 · supervised + adversarial) / 11, adversarial = BCE(D(G(x)), real). dFake must be
 * D applied to the generator's soft output (no threshold), so that the adversarial term reaches the generator.
 */
export function generatorLoss(t: Tape, supervised: Tensor, dFake: Tensor): { loss: Tensor; adversarial: Tensor } {
  const adversarial = bceToLabel(t, dFake, 1);
  return { loss: scale(t, add(t, scale(t, supervised, 10), adversarial), 1 / 11), adversarial };
}

/** The discriminator's loss (BCE(D(real), 1) + BCE(D(fake), 0)) / 2. */
export function discriminatorLoss(t: Tape, dReal: Tensor, dFake: Tensor): Tensor {
  return scale(t, add(t, bceToLabel(t, dReal, 1), bceToLabel(t, dFake, 0)), 0.5);
}
