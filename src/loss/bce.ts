// Binary cross-entropy (mean) on the tape. Terms and gradient: shaders/loss/bce.wgsl; the sum: src/ops/reduce.ts.
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { sumAll } from '../ops/reduce.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';
import { checkLossShapes } from './dice.ts';

const WG = 256;
const KERNEL = { shader: 'loss/bce', constants: { WG } };

/**
 * mean over elements of −(g·log p + (1−g)·log(1−p)), each log clamped at −100 (PyTorch's
 * binary_cross_entropy). Shape [1]. Gradient w.r.t. the prediction only, with PyTorch's
 * (p − g) / max(p(1−p), 1e-12).
 */
export function bceLoss(t: Tape, p: Tensor, target: Tensor): Tensor {
  checkLossShapes('bceLoss', p, target);
  const g = t.gpu;
  const n = p.size;
  const params = packParams('uf', n, 1 / n);
  const terms = Tensor.empty(g, [n]);
  dispatch(g, { ...KERNEL, entry: 'forward' }, { params, input: p.buffer, truth: target.buffer, terms: terms.buffer }, grid1d(g, n, WG));
  const loss = sumAll(g, terms, 1 / n);
  terms.release();
  return t.record(loss, [p], (gy) => {
    const gx = Tensor.empty(g, p.shape);
    dispatch(g, { ...KERNEL, entry: 'backward' }, { params, input: p.buffer, truth: target.buffer, gradOutput: gy.buffer, gradInput: gx.buffer }, grid1d(g, n, WG));
    return [gx];
  });
}
