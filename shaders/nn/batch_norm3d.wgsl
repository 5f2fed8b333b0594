// BatchNorm3d over x: [B, C, D, H, W], statistics per channel c over the N = B * S elements of that channel
// (S = D * H * W), optionally fused with the ReLU that follows it in every SHAPR encoder block.
//   training: mean, biased var of the batch; running stats updated with momentum and the UNBIASED variance
//   eval:     mean = runningMean, var = runningVar
//   y = gamma * (x - mean) * invStd + beta,  invStd = 1 / sqrt(var + eps);  FUSE_RELU: y = max(y, 0)
// Backward (xhat = (x - mean) * invStd, sums over the channel's N elements; with FUSE_RELU dy is first zeroed
// where the output is not > 0, the ReLU's gradient):
//   dbeta = sum(dy), dgamma = sum(dy * xhat)
//   training: dx = gamma * invStd * (dy - dbeta / N - xhat * dgamma / N);  eval: dx = gamma * invStd * dy
// Threads: the per-channel reductions run in two levels. Level 1 (statsPartial, gradPartial): workgroup
// (chunk, c, b) reduces a contiguous chunk of up to CHUNK elements of the plane (b, c) (each invocation
// ITEMS loads strided by WG, then a workgroup-memory tree); level 2 (statsFinal, gradFinal):
// one invocation per channel runs through its B * chunks partials (a few hundred at most, no barriers).
// The elementwise passes (normalize, gradInput) run a (ceil(S / (WG * PER)), B * C) grid: the channel comes
// from the workgroup id and each invocation handles PER elements strided by WG, so the per-channel values
// are loaded once per PER elements (lavapipe pays for every load, uniform ones included).
// Bounds: elements past the plane's end are skipped; invocations past S (or past C) return.
// vec4 path: when S % 4 == 0 (every plane starts on a 16-byte boundary) the entries ending in 4 read and
// write vec4s through the *4 aliases of the same bindings, ~3x faster on lavapipe, which bounds-checks each
// load; CHUNK still counts scalars (4 * WG * ITEMS), the loads move 4 at a time. The TS side picks the
// path and passes consistent WG / ITEMS / CHUNK to every entry of one call.

override WG: u32 = 256;    // workgroup size; a power of two in the level-1 reductions (their tree)
override ITEMS: u32 = 32;  // loads per invocation in the level-1 reductions
override CHUNK: u32 = 2048; // scalars per chunk: WG * ITEMS (scalar path) or 4 * WG * ITEMS (vec4 path) of the level-1 entries
override PER: u32 = 4;     // elements per invocation in normalize and gradInput
override FUSE_RELU: bool = false;

struct Params {
  channels: u32,  // C
  spatial: u32,   // S = D * H * W
  batch: u32,     // B
  chunks: u32,    // per plane: ceil(S / CHUNK)
  eps: f32,
  momentum: f32,
  training: u32,  // 1: batch statistics, 0: running statistics
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
@group(0) @binding(12) var<storage, read> activation: array<f32>;       // [B, C, D, H, W] forward's output (FUSE_RELU)

// vec4 aliases (used by the *4 entries only; an entry never uses both names of a binding)
@group(0) @binding(1) var<storage, read> input4: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> output4: array<vec4f>;
@group(0) @binding(9) var<storage, read> gradOutput4: array<vec4f>;
@group(0) @binding(12) var<storage, read> activation4: array<vec4f>;

var<workgroup> scratchA: array<f32, WG>;
var<workgroup> scratchB: array<f32, WG>;
var<workgroup> scratchN: array<f32, WG>;

// dy with the fused ReLU's mask applied.
fn gradAt(a: u32) -> f32 {
  let dy = gradOutput[a];
  if (FUSE_RELU) { return select(0.0, dy, activation[a] > 0.0); }
  return dy;
}

// partial[c, j] = (sum, M2 about the chunk's mean) of chunk j = b * chunks + wid.x of channel c = wid.y.
// NOTE: one read per element: each invocation runs Welford's update over its ITEMS elements, and the tree
// merges (count, mean, M2) triples with Chan's formula; statsFinal merges chunks the same way. This avoids
// the cancellation of sum(x^2) - N mean^2 on large volumes.
@compute @workgroup_size(WG)
fn statsPartial(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let l = lid.x;
  let start = wid.x * CHUNK;
  let len = min(CHUNK, params.spatial - start);
  let base = (wid.z * params.channels + wid.y) * params.spatial + start;
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
  mergeStats(l, wid, n, mean, m2);
}

// Merges the invocations' (count, mean, M2) with Chan's formula and writes the chunk's (sum, M2).
fn mergeStats(l: u32, wid: vec3u, n: f32, mean: f32, m2: f32) {
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
    let p = (wid.y * params.batch * params.chunks + wid.z * params.chunks + wid.x) * 2u;
    partial[p] = scratchA[0] * scratchN[0];
    partial[p + 1u] = scratchB[0];
  }
}

// statsPartial on vec4s: each load brings 4 elements, merged into the running triple as a batch of 4.
@compute @workgroup_size(WG)
fn statsPartial4(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let l = lid.x;
  let start = wid.x * CHUNK;
  let len = min(CHUNK, params.spatial - start) / 4u;
  let base = ((wid.z * params.channels + wid.y) * params.spatial + start) / 4u;
  var n = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  for (var i = 0u; i < ITEMS; i++) {
    let k = i * WG + l;
    if (k < len) {
      let v = input4[base + k];
      let mb = dot(v, vec4f(0.25));
      let e = v - mb;
      let d = mb - mean;
      n += 4.0;
      mean += d * 4.0 / n;
      m2 += dot(e, e) + d * d * (n - 4.0) * 4.0 / n;
    }
  }
  mergeStats(l, wid, n, mean, m2);
}

// stats[c] = (mean, invStd); in training also updates the running statistics. One invocation per channel.
@compute @workgroup_size(WG)
fn statsFinal(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= params.channels) { return; }
  if (params.training == 0u) {
    stats[c * 2u] = runningMean[c];
    stats[c * 2u + 1u] = inverseSqrt(runningVar[c] + params.eps);
    return;
  }
  let chunks = params.batch * params.chunks;
  let first = c * chunks;
  var sum = 0.0;
  for (var j = 0u; j < chunks; j++) { sum += partial[(first + j) * 2u]; }
  let n = f32(params.batch * params.spatial);
  let mean = sum / n;
  // Chan et al.: M2 = sum_j (M2_j + n_j (mean_j - mean)^2)
  var m2 = 0.0;
  for (var j = 0u; j < chunks; j++) {
    let nj = f32(min(CHUNK, params.spatial - (j % params.chunks) * CHUNK));
    let d = partial[(first + j) * 2u] / nj - mean;
    m2 += partial[(first + j) * 2u + 1u] + nj * d * d;
  }
  stats[c * 2u] = mean;
  stats[c * 2u + 1u] = inverseSqrt(m2 / n + params.eps);
  let m = params.momentum;
  runningMean[c] = (1.0 - m) * runningMean[c] + m * mean;
  runningVar[c] = (1.0 - m) * runningVar[c] + m * m2 / max(n - 1.0, 1.0);
}

// output = gamma * (x - mean) * invStd + beta  (then max(., 0) when fused)
@compute @workgroup_size(WG)
fn normalize(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.y % params.channels;
  let spatial = params.spatial;
  let base = wid.y * spatial;
  let mean = stats[c * 2u];
  let scale = gamma[c] * stats[c * 2u + 1u];
  let shift = beta[c];
  for (var k = 0u; k < PER; k++) {
    let s = (wid.x * PER + k) * WG + lid.x;
    if (s < spatial) {
      let y = (input[base + s] - mean) * scale + shift;
      // NOTE: select keeps NaN as NaN (like ops/elementwise relu)
      output[base + s] = select(y, select(y, 0.0, y < 0.0), FUSE_RELU);
    }
  }
}

// partial[c, j] = (sum dy * xhat, sum dy) over chunk j = b * chunks + wid.x of channel c = wid.y.
@compute @workgroup_size(WG)
fn gradPartial(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.y;
  let l = lid.x;
  let start = wid.x * CHUNK;
  let len = min(CHUNK, params.spatial - start);
  let base = (wid.z * params.channels + c) * params.spatial + start;
  let mean = stats[c * 2u];
  let invStd = stats[c * 2u + 1u];
  var accA = 0.0;
  var accB = 0.0;
  for (var i = 0u; i < ITEMS; i++) {
    let k = i * WG + l;
    if (k < len) {
      let a = base + k;
      let dy = gradAt(a);
      accA += dy * (input[a] - mean);
      accB += dy;
    }
  }
  mergeSums(l, wid, accA * invStd, accB);
}

// Sums the invocations' two accumulators and writes the chunk's pair.
fn mergeSums(l: u32, wid: vec3u, a: f32, b: f32) {
  scratchA[l] = a;
  scratchB[l] = b;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (l < s) {
      scratchA[l] += scratchA[l + s];
      scratchB[l] += scratchB[l + s];
    }
    workgroupBarrier();
  }
  if (l == 0u) {
    let p = (wid.y * params.batch * params.chunks + wid.z * params.chunks + wid.x) * 2u;
    partial[p] = scratchA[0];
    partial[p + 1u] = scratchB[0];
  }
}

fn gradAt4(a: u32) -> vec4f {
  let dy = gradOutput4[a];
  if (FUSE_RELU) { return select(vec4f(0.0), dy, activation4[a] > vec4f(0.0)); }
  return dy;
}

@compute @workgroup_size(WG)
fn gradPartial4(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.y;
  let l = lid.x;
  let start = wid.x * CHUNK;
  let len = min(CHUNK, params.spatial - start) / 4u;
  let base = ((wid.z * params.channels + c) * params.spatial + start) / 4u;
  let mean = stats[c * 2u];
  let invStd = stats[c * 2u + 1u];
  var accA = 0.0;
  var accB = 0.0;
  for (var i = 0u; i < ITEMS; i++) {
    let k = i * WG + l;
    if (k < len) {
      let dy = gradAt4(base + k);
      accA += dot(dy, input4[base + k] - mean);
      accB += dot(dy, vec4f(1.0));
    }
  }
  mergeSums(l, wid, accA * invStd, accB);
}

// gradGamma[c], gradBeta[c]; one invocation per channel.
@compute @workgroup_size(WG)
fn gradFinal(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= params.channels) { return; }
  let chunks = params.batch * params.chunks;
  var accA = 0.0;
  var accB = 0.0;
  for (var j = c * chunks; j < (c + 1u) * chunks; j++) {
    accA += partial[j * 2u];
    accB += partial[j * 2u + 1u];
  }
  gradGamma[c] = accA;
  gradBeta[c] = accB;
}

// gradInput (written to output) from dy, the statistics and the per-channel sums.
@compute @workgroup_size(WG)
fn gradInput(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.y % params.channels;
  let spatial = params.spatial;
  let base = wid.y * spatial;
  let invStd = stats[c * 2u + 1u];
  let mean = stats[c * 2u];
  let scale = gamma[c] * invStd;
  let training = params.training == 1u;
  let n = f32(params.batch * spatial);
  // dx = scale * (dy - dbeta / N - xhat * dgamma / N) = scale * dy + a * (x - mean) + b in training
  let a = select(0.0, -scale * gradGamma[c] * invStd / n, training);
  let b = select(0.0, -scale * gradBeta[c] / n, training);
  for (var k = 0u; k < PER; k++) {
    let s = (wid.x * PER + k) * WG + lid.x;
    if (s < spatial) {
      let i = base + s;
      output[i] = scale * gradAt(i) + a * (input[i] - mean) + b;
    }
  }
}

@compute @workgroup_size(WG)
fn normalize4(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.y % params.channels;
  let spatial = params.spatial / 4u;
  let base = wid.y * spatial;
  let mean = stats[c * 2u];
  let scale = gamma[c] * stats[c * 2u + 1u];
  let shift = beta[c];
  for (var k = 0u; k < PER; k++) {
    let s = (wid.x * PER + k) * WG + lid.x;
    if (s < spatial) {
      let y = (input4[base + s] - mean) * scale + shift;
      output4[base + s] = select(y, select(y, vec4f(0.0), y < vec4f(0.0)), FUSE_RELU);
    }
  }
}

@compute @workgroup_size(WG)
fn gradInput4(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let c = wid.y % params.channels;
  let spatial = params.spatial / 4u;
  let base = wid.y * spatial;
  let invStd = stats[c * 2u + 1u];
  let mean = stats[c * 2u];
  let scale = gamma[c] * invStd;
  let training = params.training == 1u;
  let n = f32(params.batch * params.spatial);
  let a = select(0.0, -scale * gradGamma[c] * invStd / n, training);
  let b = select(0.0, -scale * gradBeta[c] / n, training);
  for (var k = 0u; k < PER; k++) {
    let s = (wid.x * PER + k) * WG + lid.x;
    if (s < spatial) {
      let i = base + s;
      output4[i] = scale * gradAt4(i) + a * (input4[i] - mean) + b;
    }
  }
}
