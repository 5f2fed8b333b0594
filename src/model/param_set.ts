// The tensors of a network built from a list of ParamSpec (shapr_layout.ts): created and initialised in
// order from one seed, looked up by name, listed for the optimiser and for weights files.
import type { Gpu } from '../gpu/device.ts';
import type { BatchNormState } from '../nn/batch_norm3d.ts';
import { Tensor } from '../tape/tensor.ts';
import { Rng } from '../util/rng.ts';
import type { ParamSpec } from './shapr_layout.ts';

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

export class ParamSet {
  /** Trainable tensors in a fixed order (the optimiser's list). */
  readonly params: Tensor[];
  private readonly all: NamedTensor[];
  private readonly byName = new Map<string, Tensor>();

  /** Creates every tensor of `specs` in order; the same seed gives the same values on every machine. */
  constructor(gpu: Gpu, specs: ParamSpec[], seed: number, private readonly owner: string) {
    const rng = new Rng(seed);
    this.all = specs.map((p) => {
      const tensor = Tensor.from(gpu, initialValues(p, rng), p.shape, p.trainable);
      this.byName.set(p.name, tensor);
      return { name: p.name, tensor, trainable: p.trainable };
    });
    this.params = this.all.filter((n) => n.trainable).map((n) => n.tensor);
  }

  /** Every tensor by name, trainable parameters and BatchNorm running statistics. */
  named(): NamedTensor[] {
    return this.all.slice();
  }

  get(name: string): Tensor {
    const t = this.byName.get(name);
    if (!t) throw new Error(`${this.owner}: no parameter ${name}`);
    return t;
  }

  /** The four tensors of the BatchNorm layer `prefix`. */
  batchNorm(prefix: string): BatchNormState {
    return {
      gamma: this.get(`${prefix}.weight`), beta: this.get(`${prefix}.bias`),
      runningMean: this.get(`${prefix}.running_mean`), runningVar: this.get(`${prefix}.running_var`),
    };
  }

  parameterCount(): number {
    return this.params.reduce((s, p) => s + p.size, 0);
  }

  /** Returns every tensor to the buffer pool; the network is unusable afterwards. */
  dispose(): void {
    for (const n of this.all) n.tensor.release();
  }
}
