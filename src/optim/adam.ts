// Adam on GPU tensors: one in-place dispatch per parameter tensor (shaders/optim/adam.wgsl).
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { fillInPlace, zeros } from '../ops/elementwise.ts';
import type { Tensor } from '../tape/tensor.ts';

const WG = 256;

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }; // PyTorch's defaults, and SHAPR's (no weight decay)

export class Adam {
  opts: AdamOptions;
  t = 0; // steps taken
  readonly m: Tensor[];
  readonly v: Tensor[];

  constructor(readonly params: Tensor[], opts: Partial<AdamOptions> = {}) {
    this.opts = { ...ADAM_DEFAULTS, ...opts };
    this.m = params.map((p) => zeros(p.gpu, p.shape));
    this.v = params.map((p) => zeros(p.gpu, p.shape));
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    this.t++;
    const { lr, beta1, beta2, eps } = this.opts;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      const params = packParams('uffffffff', p.size, lr, beta1, beta2, 1 - beta1, 1 - beta2, eps, bc1, bc2);
      dispatch(p.gpu, { shader: 'optim/adam', entry: 'step', constants: { WG } },
        { params, grad: p.grad.buffer, param: p.buffer, m: this.m[i].buffer, v: this.v[i].buffer }, grid1d(p.gpu, p.size, WG));
    });
  }

  /** Zeroes the accumulated gradients (in place, no allocation). */
  zeroGrad(): void {
    for (const p of this.params) if (p.grad) fillInPlace(p.grad, 0);
  }
}
