// The SHAPR reconstruction network on the GPU: parameters created from the layout in shapr_layout.ts,
// initialised like PyTorch's defaults, and a forward pass recorded on the tape (every layer a WGSL kernel).
import type { Gpu } from '../gpu/device.ts';
import { type BatchNormState, batchNorm3d } from '../nn/batch_norm3d.ts';
import { conv3d } from '../nn/conv3d.ts';
import { convTranspose3d } from '../nn/conv_transpose3d.ts';
import { maxPool3d } from '../nn/max_pool3d.ts';
import { sigmoid } from '../ops/elementwise.ts';
import type { Tape } from '../tape/tape.ts';
import type { Tensor } from '../tape/tensor.ts';
import { ParamSet, type NamedTensor } from './param_set.ts';
import { type LayerSpec, type ShaprConfig, type SummaryRow, layerParams, shaprLayers, shaprSummary } from './shapr_layout.ts';

export type { ShaprConfig, SummaryRow };
export { SHAPR_DEFAULTS } from './shapr_layout.ts';

export { initialValues, type NamedTensor } from './param_set.ts';

export class Shapr {
  readonly config: ShaprConfig;
  readonly layers: LayerSpec[];
  /** Trainable tensors in a fixed order (the optimiser's list). */
  readonly params: Tensor[];
  private readonly set: ParamSet;

  /** A freshly initialised network; the same seed gives the same weights on every machine. */
  constructor(readonly gpu: Gpu, config: ShaprConfig, seed: number) {
    this.config = { side: config.side, filters: config.filters };
    this.layers = shaprLayers(this.config);
    this.set = new ParamSet(gpu, this.layers.flatMap(layerParams), seed, 'Shapr');
    this.params = this.set.params;
  }

  /** Every tensor of the model by name, trainable parameters and BatchNorm running statistics. */
  named(): NamedTensor[] {
    return this.set.named();
  }

  private p(name: string): Tensor {
    return this.set.get(name);
  }

  private bn(prefix: string): BatchNormState {
    return this.set.batchNorm(prefix);
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
    return this.set.parameterCount();
  }

  /** Returns every tensor of the model to the buffer pool; the model is unusable afterwards. */
  dispose(): void {
    this.set.dispose();
  }
}
