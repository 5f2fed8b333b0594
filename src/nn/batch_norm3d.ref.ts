// Plain-TS reference for shaders/nn/batch_norm3d.wgsl (float64 arithmetic, results in Float32Array).

// PyTorch's BatchNorm3d defaults (batch_norm3d.ts's MOMENTUM and EPS), written out so the reference stands alone
const momentum = 0.1;
const eps = 1e-5;
export interface BatchNormRefResult {
  y: Float32Array;
  mean: Float64Array; // the statistics used (batch or running)
  invStd: Float64Array;
  runningMean: Float32Array; // after the update (unchanged in eval)
  runningVar: Float32Array;
}

function dims(shape: readonly number[]) {
  const [batch, channels, d, h, w] = shape;
  return { batch, channels, spatial: d * h * w };
}

/** Forward of BatchNorm3d on x: [B, C, D, H, W] (see batchNorm3d in batch_norm3d.ts). */
export function batchNorm3dRef(
  x: Float32Array, shape: readonly number[], gamma: Float32Array, beta: Float32Array,
  runningMean: Float32Array, runningVar: Float32Array, training: boolean,
): BatchNormRefResult {
  const { batch, channels, spatial } = dims(shape);
  const n = batch * spatial;
  const mean = new Float64Array(channels);
  const invStd = new Float64Array(channels);
  const rm = runningMean.slice();
  const rv = runningVar.slice();
  for (let c = 0; c < channels; c++) {
    if (training) {
      let s = 0;
      for (let b = 0; b < batch; b++) for (let i = 0; i < spatial; i++) s += x[(b * channels + c) * spatial + i];
      const m = s / n;
      let q = 0;
      for (let b = 0; b < batch; b++) for (let i = 0; i < spatial; i++) q += (x[(b * channels + c) * spatial + i] - m) ** 2;
      mean[c] = m;
      invStd[c] = 1 / Math.sqrt(q / n + eps);
      rm[c] = (1 - momentum) * rm[c] + momentum * m;
      rv[c] = (1 - momentum) * rv[c] + (momentum * q) / (n - 1);
    } else {
      mean[c] = runningMean[c];
      invStd[c] = 1 / Math.sqrt(runningVar[c] + eps);
    }
  }
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / spatial) % channels;
    y[i] = gamma[c] * (x[i] - mean[c]) * invStd[c] + beta[c];
  }
  return { y, mean, invStd, runningMean: rm, runningVar: rv };
}

/** Backward given the statistics the forward used: gradients of x, gamma and beta. */
export function batchNorm3dBackwardRef(
  x: Float32Array, shape: readonly number[], gamma: Float32Array, mean: Float64Array, invStd: Float64Array,
  gy: Float32Array, training: boolean,
): { dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array } {
  const { batch, channels, spatial } = dims(shape);
  const n = batch * spatial;
  const dg = new Float64Array(channels);
  const db = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / spatial) % channels;
    dg[c] += gy[i] * (x[i] - mean[c]) * invStd[c];
    db[c] += gy[i];
  }
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / spatial) % channels;
    const xhat = (x[i] - mean[c]) * invStd[c];
    dx[i] = training ? gamma[c] * invStd[c] * (gy[i] - db[c] / n - (xhat * dg[c]) / n) : gamma[c] * invStd[c] * gy[i];
  }
  return { dx, dgamma: Float32Array.from(dg), dbeta: Float32Array.from(db) };
}
