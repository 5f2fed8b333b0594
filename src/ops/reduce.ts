// Full reductions (sum, mean) as a tree of workgroup reductions: each level shrinks the array by
// WG * ITEMS until one value is left. Kernels: shaders/ops/reduce.wgsl.
import type { Gpu } from '../gpu/device.ts';
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';

const WG = 256;
const ITEMS = 16;
const KERNEL = { shader: 'ops/reduce', constants: { WG, ITEMS } };

/** alpha * sum(x) into a new one-element tensor (not recorded). */
export function sumAll(g: Gpu, x: Tensor, alpha = 1): Tensor {
  let n = x.size;
  let input = x.buffer;
  const temps: Tensor[] = [];
  for (;;) {
    const groups = Math.ceil(n / (WG * ITEMS));
    const out = Tensor.empty(g, [groups]);
    const last = groups === 1;
    dispatch(g, { ...KERNEL, entry: 'sumPartial' }, { params: packParams('uf', n, last ? alpha : 1), input, partial: out.buffer }, grid1d(g, groups, 1));
    if (last) {
      temps.forEach((t) => t.release());
      return out;
    }
    temps.push(out);
    input = out.buffer;
    n = groups;
  }
}

function broadcast(g: Gpu, gy: Tensor, like: Tensor, alpha: number): Tensor {
  const gx = Tensor.empty(g, like.shape);
  dispatch(g, { ...KERNEL, entry: 'broadcastBackward' }, { params: packParams('uf', like.size, alpha), gradOut: gy.buffer, gradInput: gx.buffer }, grid1d(g, like.size, WG));
  return gx;
}

/** sum of all elements → shape [1]. */
export function sum(t: Tape, x: Tensor): Tensor {
  return t.record(sumAll(t.gpu, x), [x], (gy) => [broadcast(t.gpu, gy, x, 1)]);
}

/** mean of all elements → shape [1]. */
export function mean(t: Tape, x: Tensor): Tensor {
  const a = 1 / x.size;
  return t.record(sumAll(t.gpu, x, a), [x], (gy) => [broadcast(t.gpu, gy, x, a)]);
}
