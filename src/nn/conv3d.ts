// Conv3d on the tape: shape checks, Params packing, dispatches of shaders/nn/conv3d.wgsl, and the
// backward (gradients of input, weight and bias, each only when that input needs one).
import type { Gpu } from '../gpu/device.ts';
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';
import { type ConvGeometry, type Triple, convGeometry } from './conv3d.ref.ts';

export interface Conv3dOptions {
  padding?: [number, number, number];
  stride?: [number, number, number];
}

const WG = 64;
const SHADER = 'nn/conv3d';

export function convParams(c: ConvGeometry, hasBias: boolean): Uint32Array {
  return packParams('uuuuuuuuuuuuuuuuuuu', c.b, c.cin, c.cout, c.d, c.h, c.w, c.od, c.oh, c.ow, c.kd, c.kh, c.kw, c.sd, c.sh, c.sw, c.pd, c.ph, c.pw, hasBias ? 1 : 0);
}

/** y = conv(x, w) + bias into a fresh tensor (not recorded). */
export function conv3dForward(g: Gpu, x: GPUBuffer, w: GPUBuffer, bias: GPUBuffer | null, c: ConvGeometry): Tensor {
  const out = Tensor.empty(g, [c.b, c.cout, c.od, c.oh, c.ow]);
  const n = out.size;
  dispatch(g, { shader: SHADER, entry: 'forward', constants: { WG } },
    { params: convParams(c, bias !== null), input: x, weight: w, bias: bias ?? w, output: out.buffer }, grid1d(g, n, WG));
  return out;
}

/** d loss / d x of conv(x, w) given gy (not recorded). */
export function conv3dGradInput(g: Gpu, gy: GPUBuffer, w: GPUBuffer, c: ConvGeometry): Tensor {
  const gx = Tensor.empty(g, [c.b, c.cin, c.d, c.h, c.w]);
  dispatch(g, { shader: SHADER, entry: 'gradInputNaive', constants: { WG } },
    { params: convParams(c, false), gradOutput: gy, weight: w, gradInput: gx.buffer }, grid1d(g, gx.size, WG));
  return gx;
}

/** d loss / d w of conv(x, w) given x and gy (not recorded). */
export function conv3dGradWeight(g: Gpu, x: GPUBuffer, gy: GPUBuffer, c: ConvGeometry): Tensor {
  const gw = Tensor.empty(g, [c.cout, c.cin, c.kd, c.kh, c.kw]);
  dispatch(g, { shader: SHADER, entry: 'gradWeightNaive', constants: { WG } },
    { params: convParams(c, false), input: x, gradOutput: gy, gradWeight: gw.buffer }, grid1d(g, gw.size, WG));
  return gw;
}

/** d loss / d bias: gy summed over batch and space per output channel (not recorded). */
export function conv3dGradBias(g: Gpu, gy: GPUBuffer, c: ConvGeometry): Tensor {
  const gb = Tensor.empty(g, [c.cout]);
  dispatch(g, { shader: SHADER, entry: 'gradBias' },
    { params: convParams(c, false), gradOutput: gy, gradWeight: gb.buffer }, [c.cout]);
  return gb;
}

/**
 * 3D convolution with PyTorch Conv3d semantics (cross-correlation):
 *   y[b,co,z,y,x] = bias[co] + Σ_{ci,i,j,k} x[b,ci, z·sd+i−pd, y·sh+j−ph, x·sw+k−pw] · w[co,ci,i,j,k]
 * x [B, Cin, D, H, W], w [Cout, Cin, kd, kh, kw], bias [Cout] or null → [B, Cout, D', H', W'] with
 * D' = floor((D + 2pd − kd) / sd) + 1. 'same' padding for an odd kernel is (k − 1) / 2.
 */
export function conv3d(t: Tape, x: Tensor, w: Tensor, bias: Tensor | null, opts: Conv3dOptions = {}): Tensor {
  const c = convGeometry(x.shape, w.shape, opts.padding ?? [0, 0, 0], opts.stride ?? [1, 1, 1]);
  if (bias && (bias.size !== c.cout)) throw new Error(`conv3d: bias has ${bias.size} elements, expected ${c.cout}`);
  const g = t.gpu;
  const y = conv3dForward(g, x.buffer, w.buffer, bias?.buffer ?? null, c);
  const inputs = bias ? [x, w, bias] : [x, w];
  return t.record(y, inputs, (gy) => [
    x.requiresGrad ? conv3dGradInput(g, gy.buffer, w.buffer, c) : null,
    w.requiresGrad ? conv3dGradWeight(g, x.buffer, gy.buffer, c) : null,
    bias?.requiresGrad ? conv3dGradBias(g, gy.buffer, c) : null,
  ]);
}

export type { ConvGeometry, Triple };
