// Plain-TS reference for shaders/ops/reduce.wgsl: a float64 sum (the GPU's f32 tree must stay within 1e-5).
export function sumRef(x: Float32Array, alpha = 1): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s * alpha;
}
