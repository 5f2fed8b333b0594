// Plain-TS reference for shaders/nn/max_pool3d.wgsl.
import type { Triple } from './max_pool3d.ts';

/** Forward: pooled values and the flat input index of each window's first maximum. */
export function maxPool3dRef(x: Float32Array, shape: readonly number[], k: Triple): { y: Float32Array; indices: Uint32Array; shape: number[] } {
  const [b, c, d, h, w] = shape;
  const [od, oh, ow] = [Math.floor(d / k[0]), Math.floor(h / k[1]), Math.floor(w / k[2])];
  const n = b * c * od * oh * ow;
  const y = new Float32Array(n);
  const indices = new Uint32Array(n);
  let o = 0;
  for (let p = 0; p < b * c; p++) {
    for (let z = 0; z < od; z++) for (let yy = 0; yy < oh; yy++) for (let xx = 0; xx < ow; xx++, o++) {
      let best = -Infinity;
      let at = -1;
      for (let i = 0; i < k[0]; i++) for (let j = 0; j < k[1]; j++) for (let l = 0; l < k[2]; l++) {
        const a = ((p * d + z * k[0] + i) * h + yy * k[1] + j) * w + xx * k[2] + l;
        if (at < 0 || x[a] > best || x[a] !== x[a]) {
          best = x[a];
          at = a;
        }
      }
      y[o] = best;
      indices[o] = at;
    }
  }
  return { y, indices, shape: [b, c, od, oh, ow] };
}

/** Backward: gradOutput scattered to the arg-max positions. */
export function maxPool3dBackwardRef(indices: Uint32Array, gy: Float32Array, inputSize: number): Float32Array {
  const gx = new Float32Array(inputSize);
  indices.forEach((a, o) => (gx[a] += gy[o]));
  return gx;
}
