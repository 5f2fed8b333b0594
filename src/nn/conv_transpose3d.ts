// ConvTranspose3d on the tape. Kernel = stride with kw ≤ 2 (every SHAPR layer) runs the register-blocked
// kernels of shaders/nn/conv_transpose3d.wgsl. Any other case runs as the adjoint of a Conv3d whose input
// is this op's output: forward = that conv's gradInput, gradInput = that conv's forward, gradWeight = that
// conv's gradWeight with input and gradOutput swapped (shaders/nn/conv3d.wgsl).
import type { Gpu } from '../gpu/device.ts';
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { flatCopy, flatTexture, releaseTexture } from '../gpu/textures.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';
import { type ConvGeometry } from './conv_geometry.ts';
import { conv3dForward, conv3dGradBias, conv3dGradInput, conv3dGradWeight, kSlices } from './conv3d.ts';
import { type ConvTGeometry, convTGeometry } from './conv_geometry.ts';

const WG = 64;
const SHADER = 'nn/conv_transpose3d';

/** The Conv3d whose adjoint this transposed convolution is: input = our output, output = our input. */
function adjointConv(c: ConvTGeometry): ConvGeometry {
  return {
    b: c.b, cin: c.cout, cout: c.cin,
    d: c.od, h: c.oh, w: c.ow, od: c.d, oh: c.h, ow: c.w,
    kd: c.kd, kh: c.kh, kw: c.kw, sd: c.sd, sh: c.sh, sw: c.sw, pd: 0, ph: 0, pw: 0,
  };
}

/** The blocked kernels handle kernel = stride (every output voxel gets one tap) with kw ≤ 2. */
function blocked(c: ConvTGeometry): boolean {
  // NOTE: forward and gradInput put their channel blocks (× taps) on workgroup_id.x, at most 65535.
  const fits = Math.ceil(c.cout / 8) * c.kd * c.kh * c.kw <= 65535 && Math.ceil(c.cin / 8) <= 65535;
  return c.kd === c.sd && c.kh === c.sh && c.kw === c.sw && c.kw <= 2 && fits;
}

const planeView = (c: ConvTGeometry) => c.kh === 1 && c.kw === 1;

function params(c: ConvTGeometry, extra: { hasBias?: boolean; invocations?: number; n?: number; total?: number; rowsPer?: number; ciBlock?: number } = {}): Uint32Array {
  const plane = planeView(c);
  return packParams('u'.repeat(22), c.b, c.cin, c.cout, c.d, c.h, c.w, c.od, c.oh, c.ow, c.kd, c.kh, c.kw,
    extra.hasBias ? 1 : 0, extra.invocations ?? 0, extra.n ?? 0, extra.total ?? 0,
    extra.rowsPer ?? 0, plane ? 1 : c.h, plane ? c.h * c.w : c.w, plane ? 1 : c.oh, plane ? c.oh * c.ow : c.ow, extra.ciBlock ?? 4);
}

/** The weight as vec4 over 4 output (forward) or input (gradInput) channels, in whole blocks of 8, in a flat texture. */
function pack(g: Gpu, w: GPUBuffer, c: ConvTGeometry, entry: 'packForward' | 'packGradInput'): GPUTexture {
  const taps = c.kd * c.kh * c.kw;
  const n = (entry === 'packForward' ? Math.ceil(c.cout / 8) * 2 * c.cin : Math.ceil(c.cin / 8) * 2 * c.cout) * taps;
  const packed = flatTexture(g, n, true);
  dispatch(g, { shader: SHADER, entry, constants: { WG } }, { params: params(c), weight: w, packedOut: packed.createView() }, grid1d(g, n, WG));
  return packed;
}

/** y = convT(x, w) + bias into a fresh tensor (not recorded). */
export function convTForward(g: Gpu, x: GPUBuffer, w: GPUBuffer, bias: GPUBuffer | null, c: ConvTGeometry): Tensor {
  if (blocked(c)) {
    const y = Tensor.empty(g, [c.b, c.cout, c.od, c.oh, c.ow]);
    const packed = pack(g, w, c, 'packForward');
    const [gx, gy] = grid1d(g, c.b * c.d * c.h * Math.ceil(c.w / 8), WG);
    const p = params(c, { hasBias: bias !== null });
    const constants = { WG, ALIGNED: c.w % 8 === 0 ? 1 : 0 };
    const xTex = flatCopy(g, x, c.b * c.cin * c.d * c.h * c.w, c.w % 8 === 0);
    const tex = { inputTex: xTex.createView(), packed: packed.createView() };
    // NOTE: kw = 2 runs forwardPair (both taps k per invocation, vec4 stores): 1.6× faster on the
    // 10-channel 32³ layer, whose 64 scalar stores per invocation outweighed its 40 loads.
    if (c.kw === 2) {
      dispatch(g, { shader: SHADER, entry: 'forwardPair', constants },
        { params: p, input: x, ...tex, bias: bias ?? w, output4: y.buffer }, [Math.ceil(c.cout / 4) * c.kd * c.kh, gx, gy]);
    } else {
      dispatch(g, { shader: SHADER, entry: 'forward', constants },
        { params: p, input: x, ...tex, bias: bias ?? w, output: y.buffer }, [Math.ceil(c.cout / 8) * c.kd * c.kh, gx, gy]);
    }
    // NOTE: safe: a later dispatch or copy that reuses them is recorded after this one
    releaseTexture(g, packed);
    releaseTexture(g, xTex);
    return y;
  }
  const y = conv3dGradInput(g, x, w, adjointConv(c));
  if (bias) {
    const n = c.od * c.oh * c.ow;
    dispatch(g, { shader: SHADER, entry: 'addBias', constants: { WG } },
      { params: params(c, { n, total: y.size }), bias, output: y.buffer }, grid1d(g, y.size, WG));
  }
  return y;
}

/** d loss / d x given gy (not recorded). */
export function convTGradInput(g: Gpu, gy: GPUBuffer, w: GPUBuffer, c: ConvTGeometry): Tensor {
  if (!blocked(c)) return conv3dForward(g, gy, w, null, adjointConv(c));
  const gx = Tensor.empty(g, [c.b, c.cin, c.d, c.h, c.w]);
  const packed = pack(g, w, c, 'packGradInput');
  const [nx, ny] = grid1d(g, c.b * c.d * c.h * Math.ceil(c.w / 8), WG);
  const gyTex = flatCopy(g, gy, c.b * c.cout * c.od * c.oh * c.ow, c.w % 8 === 0);
  dispatch(g, { shader: SHADER, entry: 'gradInput', constants: { WG, ALIGNED: c.w % 8 === 0 ? 1 : 0, KW2: c.kw === 2 ? 1 : 0 } },
    { params: params(c), gradOutput: gy, gradOutputTex: gyTex.createView(), packed: packed.createView(), output: gx.buffer }, [Math.ceil(c.cin / 8), nx, ny]);
  releaseTexture(g, packed);
  releaseTexture(g, gyTex);
  return gx;
}

/**
 * d loss / d w given x and gy (not recorded): a split-K matmul per tap (shaders' gradWeightMM). The input
 * is viewed as D × vh rows of vw voxels: whole H×W planes when kh = kw = 1 (gradOutput's planes then line
 * up voxel for voxel), else rows of W.
 */
export function convTGradWeight(g: Gpu, x: GPUBuffer, gy: GPUBuffer, c: ConvTGeometry): Tensor {
  if (!blocked(c)) return conv3dGradWeight(g, gy, x, adjointConv(c));
  const gw = Tensor.empty(g, [c.cin, c.cout, c.kd, c.kh, c.kw]);
  const [vh, vw] = planeView(c) ? [1, c.h * c.w] : [c.h, c.w];
  const pairs = c.kw === 2 ? c.kd * c.kh : Math.ceil((c.kd * c.kh) / 2);
  // NOTE: blocks of 8 input channels (16 loads per 256 multiply-adds instead of 12 per 128) were up to
  // 40% faster at 40 and 80 channels, equal at 20; at 10 the padding to 16 costs more than they gain.
  const ciBlock = c.cin >= 16 ? 8 : 4;
  const blocks = Math.ceil(c.cin / ciBlock) * Math.ceil(c.cout / 4) * pairs;
  const { rowsPer, slices } = kSlices(c.b * c.d * vh, vw, blocks, 8 * ciBlock);
  const partial = Tensor.empty(g, [slices * blocks * 8 * ciBlock]);
  const p = params(c, { invocations: slices, rowsPer, ciBlock });
  const xTex = flatCopy(g, x, c.b * c.cin * c.d * c.h * c.w, vw % 4 === 0);
  const gyTex = flatCopy(g, gy, c.b * c.cout * c.od * c.oh * c.ow, vw % 4 === 0);
  dispatch(g, { shader: SHADER, entry: 'gradWeightMM', constants: { WG, ALIGNED: vw % 4 === 0 ? 1 : 0, KW2: c.kw === 2 ? 1 : 0, CI8: ciBlock === 8 ? 1 : 0 } },
    { params: p, input: x, inputTex: xTex.createView(), gradOutput: gy, gradOutputTex: gyTex.createView(), partial: partial.buffer }, grid1d(g, blocks * slices, WG));
  releaseTexture(g, xTex);
  releaseTexture(g, gyTex);
  dispatch(g, { shader: SHADER, entry: 'gradWeightMMReduce', constants: { WG } },
    { params: p, partial: partial.buffer, gradWeight: gw.buffer }, grid1d(g, gw.size, WG));
  partial.release(); // NOTE: safe: later dispatches that reuse the buffer run after the reduce
  return gw;
}

/** d loss / d bias (not recorded). */
function convTGradBias(g: Gpu, gy: GPUBuffer, c: ConvTGeometry): Tensor {
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
