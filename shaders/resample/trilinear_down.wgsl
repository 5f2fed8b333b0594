// Trilinear resampling of a batch of volumes with PyTorch's align_corners=True semantics:
// output index i along an axis of input length n and output length m samples the input at
// c = i * (n - 1) / (m - 1) (c = 0 when m = 1), between x0 = floor(c) and x1 = min(x0 + 1, n - 1) with
// weights 1 - (c - x0) and c - x0; x0 and c − x0 come from integer arithmetic (exact corners). Used to downsample (m <= n) before the topology step.
// Layout: input [B, inD, inH, inW], output [B, outD, outH, outW], C order (channels folded into B).
// Threads: forward = one invocation per output voxel (gathers 8 corners); backward = one invocation per
// INPUT voxel, gathering from the outputs whose corners touch it (at most 3 per axis when m <= n; all of
// them along an axis of length 1),
// so the adjoint needs no atomics and is deterministic. Bounds: invocations past the end return.

override WG: u32 = 256;

struct Params {
  batch: u32,
  inD: u32, inH: u32, inW: u32,
  outD: u32, outH: u32, outW: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;          // [B, inD, inH, inW]
@group(0) @binding(2) var<storage, read_write> output: array<f32>;   // [B, outD, outH, outW]
@group(0) @binding(3) var<storage, read> gradOutput: array<f32>;     // [B, outD, outH, outW]
@group(0) @binding(4) var<storage, read_write> gradInput: array<f32>; // [B, inD, inH, inW]

fn scale(n: u32, m: u32) -> f32 {
  return select(0.0, f32(n - 1u) / f32(m - 1u), m > 1u);
}

// The two corners and weights of output index i along an axis (x0, x1, w0, w1).
struct Corner { x0: u32, x1: u32, w0: f32, w1: f32 }

// NOTE: i·(n−1) = x0·(m−1) + r in integers, so the corner is exact and l = r / (m−1). In f32, as PyTorch
// computes it, c = f32((n−1)/(m−1))·i is off by up to 5e-6 at 64 → 16 (the last output sampled 62.999996:
// voxel 62 with weight 4e-6 and 63 with the rest), and the prediction and its target, downsampled on the
// CPU in float64, disagreed by that much.
fn corner(i: u32, n: u32, m: u32) -> Corner {
  if (m <= 1u) { return Corner(0u, min(1u, n - 1u), 1.0, 0.0); }
  let num = i * (n - 1u);
  let x0 = num / (m - 1u);
  let l = f32(num - x0 * (m - 1u)) / f32(m - 1u);
  return Corner(x0, min(x0 + 1u, n - 1u), 1.0 - l, l);
}

// Weight of input index x in output index i along an axis (both corners may be the same voxel).
fn weight(i: u32, x: u32, n: u32, m: u32) -> f32 {
  let k = corner(i, n, m);
  return select(0.0, k.w0, k.x0 == x) + select(0.0, k.w1, k.x1 == x);
}

fn flat(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let o = flat(gid, groups);
  let per = params.outD * params.outH * params.outW;
  if (o >= params.batch * per) { return; }
  let b = o / per;
  let r = o % per;
  let kd = corner(r / (params.outH * params.outW), params.inD, params.outD);
  let kh = corner((r / params.outW) % params.outH, params.inH, params.outH);
  let kw = corner(r % params.outW, params.inW, params.outW);
  let base = b * params.inD * params.inH * params.inW;
  let zs = array<u32, 2>(kd.x0, kd.x1);
  let ys = array<u32, 2>(kh.x0, kh.x1);
  let xs = array<u32, 2>(kw.x0, kw.x1);
  let wz = array<f32, 2>(kd.w0, kd.w1);
  let wy = array<f32, 2>(kh.w0, kh.w1);
  let wx = array<f32, 2>(kw.w0, kw.w1);
  var acc = 0.0;
  for (var a = 0u; a < 2u; a++) {
    for (var c = 0u; c < 2u; c++) {
      let row = base + (zs[a] * params.inH + ys[c]) * params.inW;
      acc += wz[a] * wy[c] * (wx[0] * input[row + xs[0]] + wx[1] * input[row + xs[1]]);
    }
  }
  output[o] = acc;
}

// The output indices whose corners can touch input index x: c(i) in (x - 1, x + 1), i.e. i within
// [(x - 1) / s, (x + 1) / s]; one extra index each side absorbs rounding.
fn firstOut(x: u32, n: u32, m: u32) -> u32 {
  let s = scale(n, m);
  if (s == 0.0) { return 0u; }
  let lo = (f32(x) - 1.0) / s;
  return u32(max(floor(lo) - 1.0, 0.0));
}

fn lastOut(x: u32, n: u32, m: u32) -> u32 {
  let s = scale(n, m);
  // s = 0: one input voxel along the axis (n = 1), which every output samples, or one output (m = 1).
  if (s == 0.0) { return m - 1u; }
  return min(u32(ceil((f32(x) + 1.0) / s)) + 1u, m - 1u);
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let v = flat(gid, groups);
  let per = params.inD * params.inH * params.inW;
  if (v >= params.batch * per) { return; }
  let b = v / per;
  let r = v % per;
  let z = r / (params.inH * params.inW);
  let y = (r / params.inW) % params.inH;
  let x = r % params.inW;
  let base = b * params.outD * params.outH * params.outW;
  var acc = 0.0;
  for (var i = firstOut(z, params.inD, params.outD); i <= lastOut(z, params.inD, params.outD); i++) {
    let wz = weight(i, z, params.inD, params.outD);
    if (wz == 0.0) { continue; }
    for (var j = firstOut(y, params.inH, params.outH); j <= lastOut(y, params.inH, params.outH); j++) {
      let wy = weight(j, y, params.inH, params.outH);
      if (wy == 0.0) { continue; }
      for (var k = firstOut(x, params.inW, params.outW); k <= lastOut(x, params.inW, params.outW); k++) {
        let wx = weight(k, x, params.inW, params.outW);
        if (wx == 0.0) { continue; }
        acc += wz * wy * wx * gradOutput[base + (i * params.outH + j) * params.outW + k];
      }
    }
  }
  gradInput[v] = acc;
}
