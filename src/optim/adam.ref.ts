// Plain-TS reference of one Adam step (same formula as shaders/optim/adam.wgsl), in place.
import type { AdamOptions } from './adam.ts';

export function adamStepRef(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, t: number, o: AdamOptions): void {
  const bc1 = 1 - o.beta1 ** t;
  const bc2 = 1 - o.beta2 ** t;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
    p[i] -= (o.lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + o.eps);
  }
}
