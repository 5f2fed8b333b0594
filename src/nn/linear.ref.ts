// Plain-TS reference for shaders/nn/linear.wgsl (float64 sums).

/** y = x Wᵀ + b for x [batch, IN], w [OUT, IN]. */
export function linearRef(x: Float32Array, w: Float32Array, bias: Float32Array | null, batch: number, inF: number, outF: number): Float32Array {
  const y = new Float32Array(batch * outF);
  for (let b = 0; b < batch; b++) for (let o = 0; o < outF; o++) {
    let s = bias ? bias[o] : 0;
    for (let k = 0; k < inF; k++) s += x[b * inF + k] * w[o * inF + k];
    y[b * outF + o] = s;
  }
  return y;
}

/** Gradients of x, w and bias given gy [batch, OUT]. */
export function linearBackwardRef(x: Float32Array, w: Float32Array, gy: Float32Array, batch: number, inF: number, outF: number) {
  const dx = new Float32Array(batch * inF);
  const dw = new Float32Array(outF * inF);
  const db = new Float32Array(outF);
  for (let b = 0; b < batch; b++) for (let o = 0; o < outF; o++) {
    const g = gy[b * outF + o];
    db[o] += g;
    for (let k = 0; k < inF; k++) {
      dx[b * inF + k] += g * w[o * inF + k];
      dw[o * inF + k] += g * x[b * inF + k];
    }
  }
  return { dx, dw, db };
}
