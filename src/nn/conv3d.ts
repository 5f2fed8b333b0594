// Conv3d on the tape: shape checks, Params packing, dispatches of shaders/nn/conv3d.wgsl, and the
// backward (gradients of input, weight and bias, each only when that input needs one).
import type { Gpu } from '../gpu/device.ts';
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { flatCopy, flatTexture, releaseTexture } from '../gpu/textures.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';
import { type ConvGeometry, type Triple, convGeometry } from './conv_geometry.ts';

export interface Conv3dOptions {
  padding?: [number, number, number];
  stride?: [number, number, number];
}

const WG = 64;
const SHADER = 'nn/conv3d';

/** Whether input rows (and output rows) load as aligned vec4 in rows of 16 (see loadRow16 in the WGSL). */
function alignedRows(c: ConvGeometry): boolean {
  return c.pw === 1 && c.w % 16 === 0 && c.ow === c.w && c.kw === 3 && c.sw === 1;
}

/** Params of shaders/nn/conv3d.wgsl for a pass over geometry `c` (see the WGSL header for each field). */
function convParams(c: ConvGeometry, extra: Partial<{ hasBias: boolean; wStrideOut: number; wStrideIn: number; flip: boolean; invocations: number; packRows: boolean; rowsPer: number }> = {}): Uint32Array {
  const kvol = c.kd * c.kh * c.kw;
  return packParams('u'.repeat(26),
    c.b, c.cin, c.cout, c.d, c.h, c.w, c.od, c.oh, c.ow, c.kd, c.kh, c.kw, c.sd, c.sh, c.sw, c.pd, c.ph, c.pw,
    extra.hasBias ? 1 : 0, extra.wStrideOut ?? c.cin * kvol, extra.wStrideIn ?? kvol, extra.flip ? 1 : 0,
    extra.invocations ?? 0, Math.ceil(c.ow / 16), extra.packRows ? 1 : 0, extra.rowsPer ?? 0);
}

/** Weights repacked for the blocked kernels into a flat texture (4 output channels per texel; see packWeights in the WGSL). */
function packWeights(g: Gpu, w: GPUBuffer, c: ConvGeometry, extra: Parameters<typeof convParams>[1]): GPUTexture {
  const n = extra?.packRows ? c.cin * c.kd * c.kh : Math.ceil(c.cout / 4) * c.cin * c.kd * c.kh * 3;
  const packed = flatTexture(g, n, true);
  dispatch(g, { shader: SHADER, entry: 'packWeights', constants: { WG } },
    { params: convParams(c, extra), weight: w, packedOut: packed.createView() }, grid1d(g, n, WG));
  return packed;
}

/** The blocked kernels: conv of geometry c (kw = 3, sw = 1), optionally as gradInput (adjoint packing). */
function blockedConv(g: Gpu, x: GPUBuffer, w: GPUBuffer, bias: GPUBuffer | null, c: ConvGeometry, out: Tensor, extra: Parameters<typeof convParams>[1]): void {
  const rows = c.cout === 1 && c.kh === 3 && c.sh === 1;
  const aligned = alignedRows(c);
  const packed = packWeights(g, w, c, { ...extra, packRows: rows });
  // NOTE: aligned rows are read from a texture copy of x (cheaper loads on CPU drivers), unaligned ones
  // element by element from the buffer
  const xTex = flatCopy(g, x, c.b * c.cin * c.d * c.h * c.w, aligned);
  const blocks = c.b * c.od * Math.ceil(c.oh / (rows ? 4 : 1)) * Math.ceil(c.ow / 16);
  const [gx, gy] = grid1d(g, blocks, WG);
  dispatch(g, { shader: SHADER, entry: rows ? 'forwardRows' : 'forward', constants: { WG, ALIGNED: aligned ? 1 : 0 } },
    { params: convParams(c, { hasBias: bias !== null }), input: x, inputTex: xTex.createView(), packed: packed.createView(), bias: bias ?? w, output: out.buffer },
    [gx, gy, rows ? 1 : Math.ceil(c.cout / 4)]);
  // NOTE: safe: a later dispatch or copy that reuses them is recorded after this one
  releaseTexture(g, packed);
  releaseTexture(g, xTex);
}

const strideOne = (c: ConvGeometry) => c.sd === 1 && c.sh === 1 && c.sw === 1;

// NOTE: SwiftShader's shader compiler (Chromium's WebGPU without a GPU, or TOPO_SHAPR_ADAPTER=swiftshader)
// takes minutes on the blocked kernels; there the naive ones run (the web page, harness/web/).
const blockedOk = (g: Gpu) => !/swiftshader/i.test(`${g.adapterName} ${g.backend}`);

/** y = conv(x, w) + bias into a fresh tensor (not recorded). */
export function conv3dForward(g: Gpu, x: GPUBuffer, w: GPUBuffer, bias: GPUBuffer | null, c: ConvGeometry): Tensor {
  const out = Tensor.empty(g, [c.b, c.cout, c.od, c.oh, c.ow]);
  if (c.kw === 3 && c.sw === 1 && blockedOk(g)) {
    blockedConv(g, x, w, bias, c, out, {});
    return out;
  }
  dispatch(g, { shader: SHADER, entry: 'forwardNaive', constants: { WG } },
    { params: convParams(c, { hasBias: bias !== null }), input: x, weight: w, bias: bias ?? w, output: out.buffer }, grid1d(g, out.size, WG));
  return out;
}

/** d loss / d x of conv(x, w) given gy (not recorded). */
export function conv3dGradInput(g: Gpu, gy: GPUBuffer, w: GPUBuffer, c: ConvGeometry): Tensor {
  const gx = Tensor.empty(g, [c.b, c.cin, c.d, c.h, c.w]);
  if (c.kw === 3 && strideOne(c) && c.pd < c.kd && c.ph < c.kh && c.pw < c.kw && blockedOk(g)) {
    // NOTE: the gradient of a stride-1 convolution is a convolution of gy with swapped channels, flipped
    // taps and padding k − 1 − p; its output is x's shape.
    const r: ConvGeometry = {
      ...c, cin: c.cout, cout: c.cin, d: c.od, h: c.oh, w: c.ow, od: c.d, oh: c.h, ow: c.w,
      pd: c.kd - 1 - c.pd, ph: c.kh - 1 - c.ph, pw: c.kw - 1 - c.pw,
    };
    const kvol = c.kd * c.kh * c.kw;
    blockedConv(g, gy, w, null, r, gx, { wStrideOut: kvol, wStrideIn: c.cin * kvol, flip: true });
    return gx;
  }
  dispatch(g, { shader: SHADER, entry: 'gradInputNaive', constants: { WG } },
    { params: convParams(c), gradOutput: gy, weight: w, gradInput: gx.buffer }, grid1d(g, gx.size, WG));
  return gx;
}

/**
 * K slices for a split-K weight gradient over `rows` rows of `rowLen` voxels: about 128 4-voxel steps per
 * slice, but at least ~512 invocations (blocks × slices) in all, and partial sums under 32 MiB.
 */
export function kSlices(rows: number, rowLen: number, blocks: number, partialsPerInvocation: number): { rowsPer: number; slices: number } {
  let rowsPer = Math.max(1, Math.min(rows, Math.round(128 / Math.ceil(rowLen / 4))));
  while (rowsPer > 1 && blocks * Math.ceil(rows / rowsPer) < 512) rowsPer = Math.ceil(rowsPer / 2);
  while (rowsPer < rows && blocks * Math.ceil(rows / rowsPer) * partialsPerInvocation * 4 > 32 << 20) rowsPer *= 2;
  return { rowsPer, slices: Math.ceil(rows / rowsPer) };
}

/** d loss / d w of conv(x, w) given x and gy (not recorded). */
export function conv3dGradWeight(g: Gpu, x: GPUBuffer, gy: GPUBuffer, c: ConvGeometry): Tensor {
  const gw = Tensor.empty(g, [c.cout, c.cin, c.kd, c.kh, c.kw]);
  if (c.kw === 3 && c.kh === 3 && c.pw === 1 && c.ow === c.w && strideOne(c) && blockedOk(g)) {
    const rows = c.cout === 1;
    const blocks = Math.ceil(c.cout / 4) * c.cin * c.kd;
    const { rowsPer, slices } = rows ? kSlices(c.b * c.od * Math.ceil(c.oh / 4), 4 * c.ow, blocks, 36) : kSlices(c.b * c.od * c.oh, c.ow, blocks, 36);
    const partial = Tensor.empty(g, [slices * blocks * 36]);
    const params = convParams(c, { invocations: slices, rowsPer });
    // NOTE: aligned rows are read as vec4 from texture copies (cheaper loads on CPU drivers), unaligned
    // ones element by element from the buffers (the textures are then only bound, never read)
    const aligned = c.w % 4 === 0;
    const xTex = flatCopy(g, x, c.b * c.cin * c.d * c.h * c.w, aligned);
    const gyTex = flatCopy(g, gy, c.b * c.cout * c.od * c.oh * c.ow, aligned);
    dispatch(g, { shader: SHADER, entry: rows ? 'gradWeightMMRows' : 'gradWeightMM', constants: { WG, ALIGNED: aligned ? 1 : 0 } },
      { params, input: x, inputTex: xTex.createView(), gradOutput: gy, gradOutputTex: gyTex.createView(), partial4: partial.buffer }, grid1d(g, blocks * slices, WG));
    releaseTexture(g, xTex);
    releaseTexture(g, gyTex);
    dispatch(g, { shader: SHADER, entry: 'gradWeightMMReduce', constants: { WG } },
      { params, partial: partial.buffer, gradWeight: gw.buffer }, grid1d(g, gw.size, WG));
    partial.release();
    return gw;
  }
  dispatch(g, { shader: SHADER, entry: 'gradWeightNaive', constants: { WG } },
    { params: convParams(c), input: x, gradOutput: gy, gradWeight: gw.buffer }, grid1d(g, gw.size, WG));
  return gw;
}

/** d loss / d bias: gy summed over batch and space per output channel (not recorded). */
export function conv3dGradBias(g: Gpu, gy: GPUBuffer, c: ConvGeometry): Tensor {
  const gb = Tensor.empty(g, [c.cout]);
  dispatch(g, { shader: SHADER, entry: 'gradBias' },
    { params: convParams(c), gradOutput: gy, gradWeight: gb.buffer }, [c.cout]);
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
