// Linear layer (y = x Wᵀ + b) on the tape, for the discriminator's head. Kernels: shaders/nn/linear.wgsl.
import { dispatch } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';

const WG = 64;
const KERNEL = { shader: 'nn/linear', constants: { WG } };

/**
 * y[b, o] = bias[o] + Σ_k x[b, k] · w[o, k]: x [B, IN], w [OUT, IN], bias [OUT] or null → y [B, OUT]
 * (PyTorch nn.Linear). Gradients for x, w and bias, each only when needed.
 */
export function linear(t: Tape, x: Tensor, w: Tensor, bias: Tensor | null): Tensor {
  const g = t.gpu;
  if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[1]) {
    throw new Error(`linear: input [${x.shape}] and weight [${w.shape}] do not fit [B, IN] x [OUT, IN]`);
  }
  const [batch, inF] = x.shape;
  const outF = w.shape[0];
  if (bias && bias.size !== outF) throw new Error(`linear: bias has ${bias.size} elements, expected ${outF}`);
  const params = packParams('uuuu', batch, inF, outF, bias ? 1 : 0);
  const y = Tensor.empty(g, [batch, outF]);
  const groups = (n: number): [number] => [Math.ceil(n / WG)];
  dispatch(g, { ...KERNEL, entry: 'forward' }, { params, input: x.buffer, weight: w.buffer, bias: (bias ?? w).buffer, output: y.buffer }, groups(y.size));
  const inputs = bias ? [x, w, bias] : [x, w];
  return t.record(y, inputs, (gy) => {
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (x.requiresGrad) {
      gx = Tensor.empty(g, x.shape);
      dispatch(g, { ...KERNEL, entry: 'backwardInput' }, { params, gradOutput: gy.buffer, weight: w.buffer, gradInput: gx.buffer }, groups(gx.size));
    }
    if (w.requiresGrad) {
      gw = Tensor.empty(g, w.shape);
      dispatch(g, { ...KERNEL, entry: 'backwardWeight' }, { params, gradOutput: gy.buffer, input: x.buffer, gradWeight: gw.buffer }, groups(gw.size));
    }
    if (bias?.requiresGrad) {
      gb = Tensor.empty(g, bias.shape);
      dispatch(g, { ...KERNEL, entry: 'backwardBias' }, { params, gradOutput: gy.buffer, gradBias: gb.buffer }, groups(outF));
    }
    return [gx, gw, gb];
  });
}
