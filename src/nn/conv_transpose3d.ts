// ConvTranspose3d on the tape. A transposed convolution is the adjoint of a Conv3d whose input is this
// op's output: forward = that conv's gradInput, gradInput = that conv's forward, gradWeight = that conv's
// gradWeight with the roles of input and gradOutput swapped. Kernels: shaders/nn/conv3d.wgsl (+ bias in
// shaders/nn/conv_transpose3d.wgsl).
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import type { Tape } from '../tape/tape.ts';
import type { Tensor } from '../tape/tensor.ts';
import type { Gpu } from '../gpu/device.ts';
import { type ConvGeometry } from './conv3d.ref.ts';
import { conv3dForward, conv3dGradBias, conv3dGradInput, conv3dGradWeight } from './conv3d.ts';
import { type ConvTGeometry, convTGeometry } from './conv_transpose3d.ref.ts';

const WG = 256;

/** The Conv3d whose adjoint this transposed convolution is: input = our output, output = our input. */
export function adjointConv(c: ConvTGeometry): ConvGeometry {
  return {
    b: c.b, cin: c.cout, cout: c.cin,
    d: c.od, h: c.oh, w: c.ow, od: c.d, oh: c.h, ow: c.w,
    kd: c.kd, kh: c.kh, kw: c.kw, sd: c.sd, sh: c.sh, sw: c.sw, pd: 0, ph: 0, pw: 0,
  };
}

/** y = convT(x, w) + bias into a fresh tensor (not recorded). */
export function convTForward(g: Gpu, x: GPUBuffer, w: GPUBuffer, bias: GPUBuffer | null, c: ConvTGeometry): Tensor {
  const y = conv3dGradInput(g, x, w, adjointConv(c));
  if (bias) {
    const n = c.od * c.oh * c.ow;
    dispatch(g, { shader: 'nn/conv_transpose3d', entry: 'addBias', constants: { WG } },
      { params: packParams('uuu', n, c.cout, y.size), bias, output: y.buffer }, grid1d(g, y.size, WG));
  }
  return y;
}

/** d loss / d x given gy (not recorded). */
export function convTGradInput(g: Gpu, gy: GPUBuffer, w: GPUBuffer, c: ConvTGeometry): Tensor {
  return conv3dForward(g, gy, w, null, adjointConv(c));
}

/** d loss / d w given x and gy (not recorded). */
export function convTGradWeight(g: Gpu, x: GPUBuffer, gy: GPUBuffer, c: ConvTGeometry): Tensor {
  return conv3dGradWeight(g, gy, x, adjointConv(c));
}

/** d loss / d bias (not recorded). */
export function convTGradBias(g: Gpu, gy: GPUBuffer, c: ConvTGeometry): Tensor {
  return conv3dGradBias(g, gy, { ...adjointConv(c), cout: c.cout, od: c.od, oh: c.oh, ow: c.ow });
}

/**
 * Transposed 3D convolution, PyTorch ConvTranspose3d with padding 0:
 *   y[b,co, z·sd+i, y·sh+j, x·sw+k] += x[b,ci,z,y,x] · w[ci,co,i,j,k];  y += bias[co]
 * x [B, Cin, D, H, W], w [Cin, Cout, kd, kh, kw], bias [Cout] or null → [B, Cout, (D−1)·sd+kd, ...].
 */
export function convTranspose3d(t: Tape, x: Tensor, w: Tensor, bias: Tensor | null, opts: { stride?: [number, number, number] } = {}): Tensor {
  const c = convTGeometry(x.shape, w.shape, opts.stride ?? [1, 1, 1]);
  if (bias && bias.size !== c.cout) throw new Error(`convTranspose3d: bias has ${bias.size} elements, expected ${c.cout}`);
  const g = t.gpu;
  const y = convTForward(g, x.buffer, w.buffer, bias?.buffer ?? null, c);
  const inputs = bias ? [x, w, bias] : [x, w];
  return t.record(y, inputs, (gy) => [
    x.requiresGrad ? convTGradInput(g, gy.buffer, w.buffer, c) : null,
    w.requiresGrad ? convTGradWeight(g, x.buffer, gy.buffer, c) : null,
    bias?.requiresGrad ? convTGradBias(g, gy.buffer, c) : null,
  ]);
}

export type { ConvTGeometry };
