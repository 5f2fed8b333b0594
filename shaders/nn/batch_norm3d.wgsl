// BatchNorm3d over x: [B, C, D, H, W], statistics per channel c over the N = B * S elements of that channel
// (S = D * H * W), optionally fused with the ReLU that follows it in every SHAPR encoder block.
//   training: mean, biased var of the batch; running stats updated with momentum and the UNBIASED variance
//   eval:     mean = runningMean, var = runningVar
//   y = gamma * (x - mean) * invStd + beta,  invStd = 1 / sqrt(var + eps);  fuseRelu: y = max(y, 0)
// Backward (xhat = (x - mean) * invStd, sums over the channel's N elements; with fuseRelu dy is first zeroed
// where the output is not > 0, the ReLU's gradient):
//   dbeta = sum(dy), dgamma = sum(dy * xhat)
//   training: dx = gamma * invStd * (dy - dbeta / N - xhat * dgamma / N);  eval: dx = gamma * invStd * dy
// Threads: the per-channel reductions run in two levels. Level 1 (statsPartial, gradPartial): workgroup
// (chunk, c, b) reduces a contiguous chunk of up to CHUNK = WG * ITEMS elements of the plane (b, c) (each
// invocation ITEMS elements strided by WG, then a workgroup-memory tree); level 2 (statsFinal, gradFinal):
// one workgroup per channel combines its B * chunks partials. The elementwise passes (normalize, gradInput)
// run a (ceil(S / WG), B * C) grid, so the channel comes from the workgroup id, not a per-element division.
// Bounds: elements past the plane's end are skipped; invocations past S return.

override WG: u32 = 256;   // power of two
override ITEMS: u32 = 16;

struct Params {
  channels: u32,  // C
  spatial: u32,   // S = D * H * W
  batch: u32,     // B
  chunks: u32,    // per plane: ceil(S / (WG * ITEMS))
  eps: f32,
  momentum: f32,
  training: u32,  // 1: batch statistics, 0: running statistics
  fuseRelu: u32,  // 1: output max(y, 0)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;             // [B, C, D, H, W]
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;     // [C, B * chunks, 2]
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;       // [C, 2]: mean, invStd
@group(0) @binding(4) var<storage, read_write> runningMean: array<f32>; // [C]
@group(0) @binding(5) var<storage, read_write> runningVar: array<f32>;  // [C]
@group(0) @binding(6) var<storage, read> gamma: array<f32>;             // [C]
@group(0) @binding(7) var<storage, read> beta: array<f32>;              // [C]
@group(0) @binding(8) var<storage, read_write> output: array<f32>;      // [B, C, D, H, W] (y, or dx in gradInput)
@group(0) @binding(9) var<storage, read> gradOutput: array<f32>;        // [B, C, D, H, W]
@group(0) @binding(10) var<storage, read_write> gradGamma: array<f32>;  // [C]
@group(0) @binding(11) var<storage, read_write> gradBeta: array<f32>;   // [C]
@group(0) @binding(12) var<storage, read> activation: array<f32>;       // [B, C, D, H, W] forward's output y

var<workgroup> scratchA: array<f32, WG>;
var<workgroup> scratchB: array<f32, WG>;
var<workgroup> scratchN: array<f32, WG>;

// Elements in chunk j (0 <= j < B * chunks) of a channel.
fn chunkLength(j: u32) -> u32 {
  return min(WG * ITEMS, params.spatial - (j % params.chunks) * WG * ITEMS);
}

fn count() -> f32 {
  return f32(params.batch * params.spatial);
}

// First element of chunk (wid.x) of plane (b = wid.z, c = wid.y).
fn chunkBase(wid: vec3u) -> u32 {
  return (wid.z * params.channels + wid.y) * params.spatial + wid.x * WG * ITEMS;
}

// dy with the fused ReLU's mask applied.
fn gradAt(a: u32) -> f32 {
  let dy = gradOutput[a];
  if (params.fuseRelu == 1u) { return select(0.0, dy, activation[a] > 0.0); }
  return dy;
}

// partial[c, j] = (sum, M2 about the chunk's mean) of chunk j of channel c.
// NOTE: one read per element: each invocation runs Welford's update over its ITEMS elements, and the tree
// merges (count, mean, M2) triples with Chan's formula; statsFinal merges chunks the same way. This avoids
// the cancellation of sum(x^2) - N mean^2 on large volumes.
@compute @workgroup_size(WG)
fn statsPartial(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let l = lid.x;
  let j = wid.z * params.chunks + wid.x; // this chunk's number within the channel
  let len = chunkLength(j);
  let base = chunkBase(wid);
  var n = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  for (var i = 0u; i < ITEMS; i++) {
    let k = i * WG + l;
    if (k < len) {
      let x = input[base + k];
      n += 1.0;
      let d = x - mean;
      mean += d / n;
      m2 += d * (x - mean);
    }
  }
  scratchN[l] = n;
  scratchA[l] = mean;
  scratchB[l] = m2;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (l < s) {
      let nb = scratchN[l + s];
      if (nb > 0.0) {
        let na = scratchN[l];
        let nt = na + nb;
        let d = scratchA[l + s] - scratchA[l];
        scratchA[l] += d * nb / nt;
        scratchB[l] += scratchB[l + s] + d * d * na * nb / nt;
        scratchN[l] = nt;
      }
    }
    workgroupBarrier();
  }
  if (l == 0u) {
    let p = (wid.y * params.batch * params.chunks + j) * 2u;
    partial[p] = scratchA[0] * scratchN[0];
    partial[p + 1u] = scratchB[0];
  }
}

// Sums scratchA and scratchB over the workgroup into element 0 of each.
fn treeSum2(l: u32) {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (l < s) {
      scratchA[l] += scratchA[l + s];
      scratchB[l] += scratchB[l + s];
    }
    workgroupBarrier();
  }
}

// stats[c] = (mean, invStd); in training also updates the running statistics. One workgroup per channel.
@compute @workgroup_size(WG)
fn statsFinal(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.x;
  let l = lid.x;
  if (params.training == 0u) {
    if (l == 0u) {
      stats[c * 2u] = runningMean[c];
      stats[c * 2u + 1u] = inverseSqrt(runningVar[c] + params.eps);
    }
    return;
  }
  let chunks = params.batch * params.chunks;
  var acc = 0.0;
  for (var j = l; j < chunks; j += WG) { acc += partial[(c * chunks + j) * 2u]; }
  scratchA[l] = acc;
  scratchB[l] = 0.0;
  treeSum2(l);
  let n = count();
  let mean = scratchA[0] / n;
  workgroupBarrier();
  // Chan et al.: M2 = sum_j (M2_j + n_j (mean_j - mean)^2)
  var m2 = 0.0;
  for (var j = l; j < chunks; j += WG) {
    let p = (c * chunks + j) * 2u;
    let nj = f32(chunkLength(j));
    let d = partial[p] / nj - mean;
    m2 += partial[p + 1u] + nj * d * d;
  }
  scratchA[l] = 0.0;
  scratchB[l] = m2;
  treeSum2(l);
  if (l == 0u) {
    let variance = scratchB[0] / n;
    stats[c * 2u] = mean;
    stats[c * 2u + 1u] = inverseSqrt(variance + params.eps);
    let m = params.momentum;
    runningMean[c] = (1.0 - m) * runningMean[c] + m * mean;
    runningVar[c] = (1.0 - m) * runningVar[c] + m * scratchB[0] / max(n - 1.0, 1.0);
  }
}

// output = gamma * (x - mean) * invStd + beta  (then max(., 0) when fused)
@compute @workgroup_size(WG)
fn normalize(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  if (gid.x >= params.spatial) { return; }
  let i = wid.y * params.spatial + gid.x;
  let c = wid.y % params.channels;
  let y = gamma[c] * (input[i] - stats[c * 2u]) * stats[c * 2u + 1u] + beta[c];
  // NOTE: select keeps NaN as NaN (like ops/elementwise relu)
  output[i] = select(y, select(y, 0.0, y < 0.0), params.fuseRelu == 1u);
}

// partial[c, j] = (sum dy * xhat, sum dy) over chunk j of channel c.
@compute @workgroup_size(WG)
fn gradPartial(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.y;
  let l = lid.x;
  let j = wid.z * params.chunks + wid.x;
  let len = chunkLength(j);
  let base = chunkBase(wid);
  let mean = stats[c * 2u];
  let invStd = stats[c * 2u + 1u];
  var accA = 0.0;
  var accB = 0.0;
  for (var i = 0u; i < ITEMS; i++) {
    let k = i * WG + l;
    if (k < len) {
      let a = base + k;
      let dy = gradAt(a);
      accA += dy * (input[a] - mean) * invStd;
      accB += dy;
    }
  }
  scratchA[l] = accA;
  scratchB[l] = accB;
  treeSum2(l);
  if (l == 0u) {
    let p = (c * params.batch * params.chunks + j) * 2u;
    partial[p] = scratchA[0];
    partial[p + 1u] = scratchB[0];
  }
}

// gradGamma[c], gradBeta[c]; one workgroup per channel.
@compute @workgroup_size(WG)
fn gradFinal(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.x;
  let l = lid.x;
  let chunks = params.batch * params.chunks;
  var accA = 0.0;
  var accB = 0.0;
  for (var j = l; j < chunks; j += WG) {
    let p = (c * chunks + j) * 2u;
    accA += partial[p];
    accB += partial[p + 1u];
  }
  scratchA[l] = accA;
  scratchB[l] = accB;
  treeSum2(l);
  if (l == 0u) {
    gradGamma[c] = scratchA[0];
    gradBeta[c] = scratchB[0];
  }
}

// gradInput (written to output) from dy, the statistics and the per-channel sums.
@compute @workgroup_size(WG)
fn gradInput(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  if (gid.x >= params.spatial) { return; }
  let i = wid.y * params.spatial + gid.x;
  let c = wid.y % params.channels;
  let invStd = stats[c * 2u + 1u];
  let scale = gamma[c] * invStd;
  let dy = gradAt(i);
  if (params.training == 0u) {
    output[i] = scale * dy;
    return;
  }
  let n = count();
  let xhat = (input[i] - stats[c * 2u]) * invStd;
  output[i] = scale * (dy - gradBeta[c] / n - xhat * gradGamma[c] / n);
}
