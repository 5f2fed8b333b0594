// MaxPool3d with kernel = stride = (KD, KH, KW), no padding: x [B, C, D, H, W] -> y [B, C, OD, OH, OW] with
// OD = floor(D / KD) (likewise OH, OW); indices[o] = flat index into x of the window's maximum.
// Ties: the first maximum in (d, h, w) scan order wins (strict >), as PyTorch; a NaN wins over any number
// (the last NaN, as PyTorch), so a diverged activation is not hidden.
// Backward: windows do not overlap, so each input element belongs to at most one window; one invocation
// per INPUT element gathers gradOutput of its window if it is that window's arg-max (no atomics, no races).
// Elements outside every window (the floor-truncated rims) get 0.
// Threads: one invocation per output (forward) / input (backward) element on a 2D grid of WG groups;
// invocations past the end return.

//!include gpu/float

override WG: u32 = 256;

struct Params {
  planes: u32, // B * C
  d: u32, h: u32, w: u32,
  od: u32, oh: u32, ow: u32,
  kd: u32, kh: u32, kw: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;          // [B, C, D, H, W]
@group(0) @binding(2) var<storage, read_write> output: array<f32>;   // [B, C, OD, OH, OW]
@group(0) @binding(3) var<storage, read_write> indices: array<u32>;  // [B, C, OD, OH, OW], into input
@group(0) @binding(4) var<storage, read> gradOutput: array<f32>;     // [B, C, OD, OH, OW]
@group(0) @binding(5) var<storage, read> argmax: array<u32>;         // [B, C, OD, OH, OW] (forward's indices)
@group(0) @binding(6) var<storage, read_write> gradInput: array<f32>; // [B, C, D, H, W]

fn flatIndex(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let o = flatIndex(gid, groups);
  let outPlane = params.od * params.oh * params.ow;
  if (o >= params.planes * outPlane) { return; }
  let plane = o / outPlane;
  var r = o - plane * outPlane;
  let z = r / (params.oh * params.ow);
  r -= z * params.oh * params.ow;
  let y = r / params.ow;
  let x = r - y * params.ow;
  let base = plane * params.d * params.h * params.w;
  var best = input[base + ((z * params.kd) * params.h + y * params.kh) * params.w + x * params.kw];
  var bestAt = base + ((z * params.kd) * params.h + y * params.kh) * params.w + x * params.kw;
  for (var i = 0u; i < params.kd; i++) {
    for (var j = 0u; j < params.kh; j++) {
      for (var k = 0u; k < params.kw; k++) {
        let at = base + ((z * params.kd + i) * params.h + y * params.kh + j) * params.w + x * params.kw + k;
        let v = input[at];
        if (v > best || isNan(v)) {
          best = v;
          bestAt = at;
        }
      }
    }
  }
  output[o] = best;
  indices[o] = bestAt;
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flatIndex(gid, groups);
  let inPlane = params.d * params.h * params.w;
  if (i >= params.planes * inPlane) { return; }
  let plane = i / inPlane;
  var r = i - plane * inPlane;
  let z = r / (params.h * params.w);
  r -= z * params.h * params.w;
  let y = r / params.w;
  let x = r - y * params.w;
  let oz = z / params.kd;
  let oy = y / params.kh;
  let ox = x / params.kw;
  var g = 0.0;
  if (oz < params.od && oy < params.oh && ox < params.ow) {
    let o = ((plane * params.od + oz) * params.oh + oy) * params.ow + ox;
    if (argmax[o] == i) { g = gradOutput[o]; }
  }
  gradInput[i] = g;
}
