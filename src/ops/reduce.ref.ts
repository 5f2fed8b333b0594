// Plain-TS reference for shaders/ops/reduce.wgsl: a float64 sum (the GPU's f32 tree must stay within 1e-5).
export function sumRef(x: Float32Array, alpha = 1): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s * alpha;
}

/** The gradient of alpha · sum(x) over n elements: the upstream gradient gy, times alpha, everywhere. */
export function broadcastBackwardRef(n: number, gy: number, alpha = 1): Float32Array {
  return new Float32Array(n).fill(gy * alpha);
}
