// One step of the training loss on a batch, shared by the Node trainer and the web page: forward,
// Dice + BCE (+ λ·L_T), and, given an optimiser, backward and the update; one read-back for the numbers.
import type { Gpu } from '../gpu/device.ts';
import { supervisedLoss } from '../loss/supervised.ts';
import type { Shapr } from '../model/shapr.ts';
import { add, full, scale } from '../ops/elementwise.ts';
import type { Adam } from '../optim/adam.ts';
import { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';
import type { TopoLoss } from '../topo/topo_loss.ts';
import type { Batch } from './batches.ts';

/** The loss parts of a supervised step or validation pass (topo: L_T before λ, 0 without the term). */
export interface Parts {
  loss: number;
  dice: number;
  bce: number;
  topo: number;
}

/**
 * The loss of `batch` (BatchNorm in training mode when `opt` is given, which then takes a step on it).
 * `topo` adds λ·L_T when given and λ > 0; its targets' diagrams should be prepared (TopoLoss.prepare).
 */
export async function lossStep(g: Gpu, model: Shapr, batch: Batch, topo: TopoLoss | null, lambda: number, opt: Adam | null): Promise<Parts> {
  const t = new Tape(g);
  try {
    t.recording = opt !== null;
    const pred = model.forward(t, batch.input, opt !== null);
    const sup = supervisedLoss(t, pred, batch.target);
    let total = sup.loss;
    let topoValue = 0;
    if (topo && lambda > 0) {
      const r = await topoTerm(t, topo, pred, batch, lambda);
      topoValue = r.value;
      total = add(t, total, r.loss);
    }
    if (opt) {
      opt.zeroGrad();
      t.backward(total, t.own(full(g, [1], 1)));
      opt.step();
    }
    const [lossV, dice, bce] = await Tensor.readAll([total, sup.dice, sup.bce]);
    return { loss: lossV[0], dice: dice[0], bce: bce[0], topo: topoValue };
  } finally {
    t.release();
  }
}

/**
 * λ·L_T of a batch's predictions against its targets (as fed: augmented) on the tape, and L_T's value: the
 * term a topological run adds to its supervised loss, in the supervised and in the adversarial steps.
 */
export async function topoTerm(t: Tape, topo: TopoLoss, pred: Tensor, batch: Batch, lambda: number): Promise<{ loss: Tensor; value: number }> {
  const r = await topo.apply(t, pred, batch.samples.map((s) => ({ key: s.name, volume: s.target })));
  return { loss: scale(t, r.loss, lambda), value: r.value };
}
