// One step of SHAPR's adversarial fine-tuning: a generator update on (10 · supervised + adversarial) / 11,
// then a discriminator update on real volumes against the generator's (detached) predictions.
// NOTE: the published code thresholds the prediction before the discriminator, which cuts the adversarial
// gradient; here D sees G's soft probabilities, so the adversarial term reaches the generator.
import type { Gpu } from '../gpu/device.ts';
import { discriminatorLoss, generatorLoss } from '../loss/adversarial.ts';
import { supervisedLoss } from '../loss/supervised.ts';
import { add, full } from '../ops/elementwise.ts';
import type { Adam } from '../optim/adam.ts';
import { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';
import type { Discriminator } from '../model/discriminator.ts';
import type { Shapr } from '../model/shapr.ts';

export interface GanStepLosses {
  supervised: number; // (2 · dice + bce) / 2 of the prediction (+ λ·L_T in a topological run: `extra`)
  adversarial: number; // BCE(D(G(x)), real)
  generator: number; // (10 · supervised + adversarial) / 11
  discriminator: number; // (BCE(D(real), 1) + BCE(D(fake), 0)) / 2
}

/**
 * Updates the generator (optG) and then the discriminator (optD) on one batch; returns the losses. `extra`
 * adds a term to the supervised loss (a topological run's λ·L_T, so that the phase keeps the objective of
 * the run's supervised epochs).
 */
export async function ganStep(
  g: Gpu, gen: Shapr, disc: Discriminator, optG: Adam, optD: Adam, input: Tensor, target: Tensor,
  extra?: (t: Tape, pred: Tensor) => Promise<Tensor>,
): Promise<GanStepLosses> {
  const t = new Tape(g);
  try {
    const pred = gen.forward(t, input, true);
    const plain = supervisedLoss(t, pred, target).loss;
    const sup = extra ? add(t, plain, await extra(t, pred)) : plain;
    const gl = generatorLoss(t, sup, disc.forward(t, pred, true));
    optG.zeroGrad();
    t.backward(gl.loss, t.own(full(g, [1], 1)));
    optG.step();

    const fake = pred.view(pred.shape); // detached: no tape node, so D's loss does not reach G
    const dl = discriminatorLoss(t, disc.forward(t, target, true), disc.forward(t, fake, true));
    optD.zeroGrad(); // drops what the generator's backward left in D's gradients
    t.backward(dl, t.own(full(g, [1], 1)));
    optD.step();
    const [s, a, gv, dv] = await Tensor.readAll([sup, gl.adversarial, gl.loss, dl]);
    return { supervised: s[0], adversarial: a[0], generator: gv[0], discriminator: dv[0] };
  } finally {
    t.release();
  }
}
