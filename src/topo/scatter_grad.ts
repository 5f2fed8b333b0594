// Dense gradient volume from the sparse voxel gradient of the topological loss (shaders/topo/scatter_grad.wgsl).
import { upload } from '../gpu/buffers.ts';
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { zeros } from '../ops/elementwise.ts';
import { Tensor, type Shape } from '../tape/tensor.ts';

const WG = 64;

/** out = zeros(shape); out[index] = value · gradOut[0] for each entry (indices unique). */
export function scatterGrad(gradOut: Tensor, shape: Shape, indices: Uint32Array, values: Float32Array): Tensor {
  const g = gradOut.gpu;
  const out = zeros(g, shape);
  if (indices.length === 0) return out;
  const idx = new Tensor(g, upload(g, indices), [indices.length]);
  const val = Tensor.from(g, values, [values.length]);
  dispatch(g, { shader: 'topo/scatter_grad', entry: 'scatter', constants: { WG } },
    { params: packParams('u', indices.length), indices: idx.buffer, values: val.buffer, gradOut: gradOut.buffer, gradInput: out.buffer },
    grid1d(g, indices.length, WG));
  idx.release();
  val.release();
  return out;
}
