// Soft Dice (soft F1 over the whole batch) on the tape. Sums: src/ops/reduce.ts; the rest: shaders/loss/dice.wgsl.
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { mul } from '../ops/elementwise.ts';
import { sumAll } from '../ops/reduce.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';

const WG = 256;
const KERNEL = { shader: 'loss/dice', constants: { WG } };

export function checkLossShapes(name: string, p: Tensor, target: Tensor): void {
  if (p.size !== target.size) throw new Error(`${name}: prediction [${p.shape}] and target [${target.shape}] differ in size`);
}

/**
 * 1 − F1 with TP = Σ p·g, FP = Σ p·(1−g), FN = Σ (1−p)·g over all elements of the batch;
 * prec = (TP+1)/(TP+FP+1), rec = (TP+1)/(TP+FN+1), F1 = 2·prec·rec/(prec+rec+1e-8). Shape [1].
 * Gradient w.r.t. the prediction only (the target is data).
 */
export function diceLoss(t: Tape, p: Tensor, target: Tensor): Tensor {
  checkLossShapes('diceLoss', p, target);
  const g = t.gpu;
  const pg = t.noGrad(() => mul(t, p, target));
  const sums = [sumAll(g, pg), sumAll(g, p), sumAll(g, target)];
  pg.release();
  const loss = Tensor.empty(g, [1]);
  const coef = Tensor.empty(g, [2]);
  const params = packParams('u', p.size);
  dispatch(g, { ...KERNEL, entry: 'finalize' }, {
    sumPG: sums[0].buffer, sumP: sums[1].buffer, sumG: sums[2].buffer, loss: loss.buffer, coef: coef.buffer,
  }, [1]);
  sums.forEach((s) => s.release());
  return t.record(loss, [p], (gy) => {
    const gx = Tensor.empty(g, p.shape);
    dispatch(g, { ...KERNEL, entry: 'backward' }, { params, gradOutput: gy.buffer, coefIn: coef.buffer, truth: target.buffer, gradInput: gx.buffer }, grid1d(g, p.size, WG));
    return [gx];
  }, [coef]);
}
