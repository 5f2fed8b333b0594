// Plain-TS C = A·B (row-major A [m, k], B [k, n]), the reference for shaders/bench/matmul.wgsl's variants.
export function matmulRef(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p];
      for (let j = 0; j < n; j++) c[i * n + j] += x * b[p * n + j];
    }
  }
  return c;
}
