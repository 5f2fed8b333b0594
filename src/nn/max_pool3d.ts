// MaxPool3d (kernel = stride, no padding) with arg-max indices on the tape. Kernels: shaders/nn/max_pool3d.wgsl.
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';

const WG = 256;
const KERNEL = { shader: 'nn/max_pool3d', constants: { WG } };

export type Triple = [number, number, number];

/** The output shape of maxPool3d on `shape` [B, C, D, H, W] with kernel = stride `k`. */
function maxPool3dShape(shape: readonly number[], k: Triple): number[] {
  if (shape.length !== 5) throw new Error(`maxPool3d: input must be [B, C, D, H, W], got [${shape}]`);
  if (k.length !== 3 || !k.every((v) => Number.isInteger(v) && v >= 1)) throw new Error(`maxPool3d: kernel must be three positive integers, got [${k}]`);
  const out = [shape[0], shape[1], Math.floor(shape[2] / k[0]), Math.floor(shape[3] / k[1]), Math.floor(shape[4] / k[2])];
  if (out.slice(2).some((v) => v === 0)) throw new Error(`maxPool3d: kernel [${k}] larger than input [${shape}]`);
  return out;
}

/**
 * y[b,c,z,y,x] = max over the window x[b, c, z·kd .. z·kd+kd−1, y·kh .., x·kw ..] (kernel = stride = k,
 * rims that do not fill a window are dropped, as PyTorch's floor mode). The gradient goes to the first
 * maximum of each window (PyTorch's tie rule).
 */
export function maxPool3d(t: Tape, x: Tensor, k: Triple): Tensor {
  const g = t.gpu;
  const os = maxPool3dShape(x.shape, k);
  const [b, c, d, h, w] = x.shape;
  const params = packParams('uuuuuuuuuu', b * c, d, h, w, os[2], os[3], os[4], k[0], k[1], k[2]);
  const y = Tensor.empty(g, os);
  const idx = Tensor.empty(g, os); // NOTE: holds u32 indices; only ever bound as array<u32>
  dispatch(g, { ...KERNEL, entry: 'forward' }, { params, input: x.buffer, output: y.buffer, indices: idx.buffer }, grid1d(g, y.size, WG));
  return t.record(y, [x], (gy) => {
    const gx = Tensor.empty(g, x.shape);
    dispatch(g, { ...KERNEL, entry: 'backward' }, { params, gradOutput: gy.buffer, argmax: idx.buffer, gradInput: gx.buffer }, grid1d(g, x.size, WG));
    return [gx];
  }, [idx]);
}
