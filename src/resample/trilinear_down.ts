// Trilinear downsampling of a batch of volumes to s³ (PyTorch's align_corners=True), on the tape.
// Kernels: shaders/resample/trilinear_down.wgsl (forward gathers 8 corners; backward gathers per input
// voxel, so the adjoint is exact, deterministic and atomic-free).
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';

const WG = 256;
const KERNEL = { shader: 'resample/trilinear_down', constants: { WG } };

/**
 * x: [B, ..., D, H, W] (leading dims folded into the batch) → [B, ..., s, s, s] where
 * out[i,j,k] = Σ corner weights · x at (i·(D−1)/(s−1), j·(H−1)/(s−1), k·(W−1)/(s−1)).
 */
export function trilinearDown(t: Tape, x: Tensor, s: number): Tensor {
  if (x.shape.length < 3) throw new Error(`trilinearDown: need [..., D, H, W], got [${x.shape}]`);
  const [d, h, w] = x.shape.slice(-3);
  if (!Number.isInteger(s) || s < 1) throw new Error(`trilinearDown: size ${s} is not a positive integer`);
  const lead = x.shape.slice(0, -3);
  const batch = lead.reduce((a, b) => a * b, 1);
  const params = packParams('uuuuuuu', batch, d, h, w, s, s, s);
  const out = Tensor.empty(t.gpu, [...lead, s, s, s]);
  dispatch(t.gpu, { ...KERNEL, entry: 'forward' }, { params, input: x.buffer, output: out.buffer }, grid1d(t.gpu, out.size, WG));
  return t.record(out, [x], (gy) => {
    const gx = Tensor.empty(t.gpu, x.shape);
    dispatch(t.gpu, { ...KERNEL, entry: 'backward' }, { params, gradOutput: gy.buffer, gradInput: gx.buffer }, grid1d(t.gpu, x.size, WG));
    return [gx];
  });
}
