// The SHAPR reconstruction network on the GPU: parameters created from the layout in shapr_layout.ts,
// initialised like PyTorch's defaults, and a forward pass recorded on the tape (every layer a WGSL kernel).
import type { Gpu } from '../gpu/device.ts';
import { type BatchNormState, batchNorm3d } from '../nn/batch_norm3d.ts';
import { conv3d } from '../nn/conv3d.ts';
import { convTranspose3d } from '../nn/conv_transpose3d.ts';
import { maxPool3d } from '../nn/max_pool3d.ts';
import { sigmoid } from '../ops/elementwise.ts';
import type { Tape } from '../tape/tape.ts';
import { Tensor } from '../tape/tensor.ts';
import { Rng } from '../util/rng.ts';
import { type LayerSpec, type ParamSpec, type ShaprConfig, type SummaryRow, layerParams, shaprLayers, shaprSummary } from './shapr_layout.ts';

export type { ShaprConfig, SummaryRow };
export { SHAPR_DEFAULTS } from './shapr_layout.ts';

export interface NamedTensor {
  name: string;
  tensor: Tensor;
  trainable: boolean;
}

/**
 * Initial values of one parameter. NOTE: 'kaiming' is PyTorch's default for Conv3d/ConvTranspose3d weights
 * and biases: kaiming_uniform_(a = √5) gives U(−b, b) with b = gain·√(3/fanIn), gain = √(2/(1+5)), i.e.
 * b = 1/√fanIn; the bias uses the same bound. BatchNorm: gamma 1, beta 0, running mean 0, running var 1.
 */
export function initialValues(p: ParamSpec, rng: Rng): Float32Array {
  const n = p.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (p.init === 'ones') out.fill(1);
  if (p.init === 'kaiming') {
    const bound = 1 / Math.sqrt(p.fanIn);
    for (let i = 0; i < n; i++) out[i] = rng.uniform(-bound, bound);
  }
  return out;
}

export class Shapr {
  readonly config: ShaprConfig;
  readonly layers: LayerSpec[];
  /** Trainable tensors in a fixed order (the optimiser's list). */
  readonly params: Tensor[];
  private readonly all: NamedTensor[];
  private readonly byName = new Map<string, Tensor>();

  /** A freshly initialised network; the same seed gives the same weights on every machine. */
  constructor(readonly gpu: Gpu, config: ShaprConfig, seed: number) {
    this.config = { side: config.side, filters: config.filters };
    this.layers = shaprLayers(this.config);
    const rng = new Rng(seed);
    this.all = this.layers.flatMap(layerParams).map((p) => {
      const tensor = Tensor.from(gpu, initialValues(p, rng), p.shape, p.trainable);
      this.byName.set(p.name, tensor);
      return { name: p.name, tensor, trainable: p.trainable };
    });
    this.params = this.all.filter((n) => n.trainable).map((n) => n.tensor);
  }

  /** Every tensor of the model by name, trainable parameters and BatchNorm running statistics. */
  named(): NamedTensor[] {
    return this.all.slice();
  }

  private p(name: string): Tensor {
    const t = this.byName.get(name);
    if (!t) throw new Error(`Shapr: no parameter ${name}`);
    return t;
  }

  private bn(prefix: string): BatchNormState {
    return {
      gamma: this.p(`${prefix}.weight`), beta: this.p(`${prefix}.bias`),
      runningMean: this.p(`${prefix}.running_mean`), runningVar: this.p(`${prefix}.running_var`),
    };
  }

  /**
   * input [B, 2, 1, side, side] (channel 0 = mask, channel 1 = image × mask) → [B, 1, side, side, side] in
   * (0, 1). training: BatchNorm uses batch statistics and updates its running statistics; else running ones.
   */
  forward(t: Tape, input: Tensor, training: boolean): Tensor {
    const s = this.config.side;
    const want = [input.shape[0], 2, 1, s, s];
    if (input.shape.length !== 5 || input.shape.some((v, i) => v !== want[i])) {
      throw new Error(`Shapr.forward: input must be [B, 2, 1, ${s}, ${s}], got [${input.shape}]`);
    }
    let x = input;
    for (const l of this.layers) {
      switch (l.kind) {
        case 'enc':
          for (const i of [0, 1]) {
            x = conv3d(t, x, this.p(`${l.name}.conv${i}.weight`), null, { padding: [0, 1, 1] });
            x = batchNorm3d(t, x, this.bn(`${l.name}.bn${i}`), { training, relu: true }); // BN → ReLU, fused
          }
          break;
        case 'pool':
          x = maxPool3d(t, x, l.k);
          break;
        case 'conv':
          x = sigmoid(t, conv3d(t, x, this.p(`${l.name}.weight`), null, { padding: l.padding }));
          break;
        case 'convT':
          x = convTranspose3d(t, x, this.p(`${l.name}.weight`), this.p(`${l.name}.bias`), { stride: l.k });
          break;
      }
    }
    return x;
  }

  /** Layers, output shapes at batch 1 and trainable parameters per layer. */
  summary(): Array<{ layer: string; outShape: number[]; params: number }> {
    return shaprSummary(this.config).map(({ layer, outShape, params }) => ({ layer, outShape, params }));
  }

  /** Number of trainable parameters (417,880 at side 64, filters 10). */
  parameterCount(): number {
    return this.params.reduce((s, p) => s + p.size, 0);
  }

  /** Returns every tensor of the model to the buffer pool; the model is unusable afterwards. */
  dispose(): void {
    for (const n of this.all) n.tensor.release();
  }
}
