// The 3D discriminator of SHAPR's optional adversarial fine-tuning, on the GPU (every layer a WGSL kernel):
//   volume [B, 1, s, s, s]
//   → conv1 Enc(1, f) → pool (2,2,2) → conv2 Enc(f, 2f) → pool → … → conv{L+1} Enc(2^(L−1) f, 2^L f)   [B, 2^L f, 4, 4, 4]
//   → head: Conv3d(c, c, 3, same, no bias) → BatchNorm3d → ReLU → Conv3d(c, 1, 3, same, no bias) → Sigmoid
//   → flatten [B, 64] → Linear(64, 1) → Sigmoid                                                        [B, 1]
// with L = log2(s) − 2 poolings (4 at s = 64, as the published code: f = 10 gives channels 10 … 160), so the
// head always sees 4³ = 64 voxels. Enc is the generator's block ((1,3,3) convolutions, BN, ReLU, × 2).
import type { Gpu } from '../gpu/device.ts';
import { type BatchNormState, batchNorm3d } from '../nn/batch_norm3d.ts';
import { conv3d } from '../nn/conv3d.ts';
import { linear } from '../nn/linear.ts';
import { maxPool3d } from '../nn/max_pool3d.ts';
import { reshape, sigmoid } from '../ops/elementwise.ts';
import type { Tape } from '../tape/tape.ts';
import type { Tensor } from '../tape/tensor.ts';
import { ParamSet, type NamedTensor } from './param_set.ts';
import { type ParamSpec, type ShaprConfig, checkConfig } from './shapr_layout.ts';

/** Parameter specs of the discriminator for a configuration, in forward order. */
export function discriminatorParams(c: ShaprConfig): ParamSpec[] {
  checkConfig(c);
  const out: ParamSpec[] = [];
  const p = (name: string, shape: number[], init: ParamSpec['init'], fanIn = 0, trainable = true) => out.push({ name, shape, trainable, init, fanIn });
  const bn = (name: string, ch: number) => {
    p(`${name}.weight`, [ch], 'ones');
    p(`${name}.bias`, [ch], 'zeros');
    p(`${name}.running_mean`, [ch], 'zeros', 0, false);
    p(`${name}.running_var`, [ch], 'ones', 0, false);
  };
  const levels = Math.log2(c.side) - 2;
  let cin = 1;
  for (let i = 0; i <= levels; i++) {
    const cout = c.filters * 2 ** i;
    p(`conv${i + 1}.conv0.weight`, [cout, cin, 1, 3, 3], 'kaiming', cin * 9);
    bn(`conv${i + 1}.bn0`, cout);
    p(`conv${i + 1}.conv1.weight`, [cout, cout, 1, 3, 3], 'kaiming', cout * 9);
    bn(`conv${i + 1}.bn1`, cout);
    cin = cout;
  }
  p('head.conv0.weight', [cin, cin, 3, 3, 3], 'kaiming', cin * 27);
  bn('head.bn0', cin);
  p('head.conv1.weight', [1, cin, 3, 3, 3], 'kaiming', cin * 27);
  p('head.linear.weight', [1, 64], 'kaiming', 64);
  p('head.linear.bias', [1], 'kaiming', 64);
  return out;
}

export class Discriminator {
  readonly config: ShaprConfig;
  readonly params: Tensor[];
  private readonly set: ParamSet;
  private readonly levels: number;

  constructor(readonly gpu: Gpu, config: ShaprConfig, seed: number) {
    this.config = { side: config.side, filters: config.filters };
    this.levels = Math.log2(config.side) - 2;
    this.set = new ParamSet(gpu, discriminatorParams(this.config), seed, 'Discriminator');
    this.params = this.set.params;
  }

  named(): NamedTensor[] {
    return this.set.named();
  }

  parameterCount(): number {
    return this.set.parameterCount();
  }

  private p(name: string): Tensor {
    return this.set.get(name);
  }

  private bn(prefix: string): BatchNormState {
    return this.set.batchNorm(prefix);
  }

  /** volume [B, 1, side, side, side] in [0, 1] → [B, 1], the probability that each volume is real. */
  forward(t: Tape, volume: Tensor, training: boolean): Tensor {
    const s = this.config.side;
    const b = volume.shape[0];
    if (volume.shape.length !== 5 || volume.shape.slice(1).some((v, i) => v !== [1, s, s, s][i])) {
      throw new Error(`Discriminator.forward: input must be [B, 1, ${s}, ${s}, ${s}], got [${volume.shape}]`);
    }
    let x = volume;
    for (let i = 1; i <= this.levels + 1; i++) {
      if (i > 1) x = maxPool3d(t, x, [2, 2, 2]);
      for (const j of [0, 1]) {
        x = conv3d(t, x, this.p(`conv${i}.conv${j}.weight`), null, { padding: [0, 1, 1] });
        x = batchNorm3d(t, x, this.bn(`conv${i}.bn${j}`), { training, relu: true });
      }
    }
    x = conv3d(t, x, this.p('head.conv0.weight'), null, { padding: [1, 1, 1] });
    x = batchNorm3d(t, x, this.bn('head.bn0'), { training, relu: true });
    x = sigmoid(t, conv3d(t, x, this.p('head.conv1.weight'), null, { padding: [1, 1, 1] }));
    x = reshape(t, x, [b, 64]);
    return sigmoid(t, linear(t, x, this.p('head.linear.weight'), this.p('head.linear.bias')));
  }

  dispose(): void {
    this.set.dispose();
  }
}
