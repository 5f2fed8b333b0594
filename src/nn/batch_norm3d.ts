// BatchNorm3d on the tape: per-channel batch statistics (training) or running statistics (eval), with the
// running mean/variance updated in place during training. Kernels: shaders/nn/batch_norm3d.wgsl.
import type { Gpu } from '../gpu/device.ts';
import { dispatch } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';

const WG = 256; // elementwise passes
const PER = 4; // loads per invocation in the elementwise passes
// NOTE: level-1 reductions: small workgroups with long loops measured 2-4x faster on lavapipe than 256 x 16
// (fewer barriers and tree levels per element).
const WG_PARTIAL = 64;
const ITEMS = 32; // loads per invocation in the level-1 reductions
const WG_FINAL = 64; // one invocation per channel
const SHADER = 'nn/batch_norm3d';
// PyTorch's defaults, which SHAPR keeps: running = (1 − MOMENTUM)·running + MOMENTUM·batch; EPS is added to the variance
const MOMENTUM = 0.1;
const EPS = 1e-5;

export interface BatchNormOptions {
  training: boolean;
  relu?: boolean; // fuse the ReLU that follows: y = max(BN(x), 0) (one pass less each way)
}

/** The trainable and running tensors of one BatchNorm3d layer, each of shape [C]. */
export interface BatchNormState {
  gamma: Tensor;
  beta: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
}

/** gamma = 1, beta = 0 (trainable), running mean 0 and variance 1, as PyTorch initialises them. */
export function createBatchNorm(gpu: Gpu, channels: number): BatchNormState {
  const fill = (v: number) => new Float32Array(channels).fill(v);
  return {
    gamma: Tensor.from(gpu, fill(1), [channels], true),
    beta: Tensor.from(gpu, fill(0), [channels], true),
    runningMean: Tensor.from(gpu, fill(0), [channels]),
    runningVar: Tensor.from(gpu, fill(1), [channels]),
  };
}

/** Kernel descriptors for one call: the vec4 entries (suffix 4) when every plane is a whole number of vec4s. */
function kernels(spatial: number, relu: boolean) {
  const vec = spatial % 4 === 0;
  const chunk = WG_PARTIAL * ITEMS * (vec ? 4 : 1);
  const sfx = vec ? '4' : '';
  const k = (entry: string, wg = WG) => ({ shader: SHADER, entry, constants: { WG: wg, ITEMS, CHUNK: chunk, PER, FUSE_RELU: relu ? 1 : 0 } });
  return {
    vec, chunk,
    statsPartial: k(`statsPartial${sfx}`, WG_PARTIAL), statsFinal: k('statsFinal', WG_FINAL), normalize: k(`normalize${sfx}`),
    gradPartial: k(`gradPartial${sfx}`, WG_PARTIAL), gradFinal: k('gradFinal', WG_FINAL), gradInput: k(`gradInput${sfx}`),
    /** The binding name of a full-size tensor in this path. */
    name: (n: string) => n + sfx,
  };
}

/**
 * y = gamma (x - mean) / sqrt(var + eps) + beta per channel of x: [B, C, D, H, W].
 * Training: mean and biased variance over B×D×H×W; runningMean/runningVar are updated in place with the
 * unbiased variance (as PyTorch). Eval: the running statistics. Gradients for x, gamma and beta.
 * With `relu`, returns max(y, 0) and backpropagates through it, as relu(batchNorm3d(x)) would.
 */
export function batchNorm3d(t: Tape, x: Tensor, bn: BatchNormState, opts: BatchNormOptions): Tensor {
  const g = t.gpu;
  if (x.shape.length !== 5) throw new Error(`batchNorm3d: input must be [B, C, D, H, W], got [${x.shape}]`);
  const [batch, channels, d, h, w] = x.shape;
  if (bn.gamma.size !== channels) throw new Error(`batchNorm3d: ${bn.gamma.size} gammas for ${channels} channels`);
  const spatial = d * h * w;
  const count = batch * spatial;
  if (opts.training && count < 2) throw new Error(`batchNorm3d: training needs more than 1 value per channel, input [${x.shape}]`);
  const relu = opts.relu ?? false;
  const K = kernels(spatial, relu);
  const v = K.name;
  const chunks = Math.ceil(spatial / K.chunk); // per (b, c) plane
  const training = opts.training ? 1 : 0;
  const params = packParams('uuuuffu', channels, spatial, batch, chunks, EPS, MOMENTUM, training);
  const planes: [number, number] = [Math.ceil(spatial / (K.vec ? 4 : 1) / (WG * PER)), batch * channels];
  const perChannel: [number] = [Math.ceil(channels / WG_FINAL)];

  const stats = Tensor.empty(g, [channels, 2]);
  const partial = Tensor.empty(g, [channels, batch * chunks, 2]);
  if (training) dispatch(g, K.statsPartial, { params, [v('input')]: x.buffer, partial: partial.buffer }, [chunks, channels, batch]);
  dispatch(g, K.statsFinal, {
    params, partial: partial.buffer, stats: stats.buffer, runningMean: bn.runningMean.buffer, runningVar: bn.runningVar.buffer,
  }, perChannel);
  partial.release(); // NOTE: safe: later dispatches that reuse the buffer run after these in the same pass
  const y = Tensor.empty(g, x.shape);
  dispatch(g, K.normalize, {
    params, [v('input')]: x.buffer, stats: stats.buffer, gamma: bn.gamma.buffer, beta: bn.beta.buffer, [v('output')]: y.buffer,
  }, planes);

  return t.record(y, [x, bn.gamma, bn.beta], (gy) => {
    const part = Tensor.empty(g, [channels, batch * chunks, 2]);
    const gGamma = Tensor.empty(g, [channels]);
    const gBeta = Tensor.empty(g, [channels]);
    // NOTE: without the fused ReLU `activation` is unused; any read-only buffer satisfies the binding.
    const activation = relu ? y.buffer : gy.buffer;
    dispatch(g, K.gradPartial, {
      params, [v('input')]: x.buffer, stats: stats.buffer, [v('gradOutput')]: gy.buffer, [v('activation')]: activation, partial: part.buffer,
    }, [chunks, channels, batch]);
    dispatch(g, K.gradFinal, { params, partial: part.buffer, gradGamma: gGamma.buffer, gradBeta: gBeta.buffer }, perChannel);
    part.release();
    let gx: Tensor | null = null;
    if (x.requiresGrad) {
      gx = Tensor.empty(g, x.shape);
      dispatch(g, K.gradInput, {
        params, [v('input')]: x.buffer, stats: stats.buffer, gamma: bn.gamma.buffer, [v('gradOutput')]: gy.buffer,
        [v('activation')]: activation, gradGamma: gGamma.buffer, gradBeta: gBeta.buffer, [v('output')]: gx.buffer,
      }, planes);
    }
    // NOTE: the tape frees only the gradients it uses; drop the others (their dispatches are already recorded).
    const keep = (gt: Tensor, p: Tensor) => (p.requiresGrad ? gt : (gt.release(), null));
    return [gx, keep(gGamma, bn.gamma), keep(gBeta, bn.beta)];
  }, [stats]);
}
