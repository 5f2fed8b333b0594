// Elementwise kernels over flat f32 tensors of n elements, and their backward passes.
// Layout: every tensor is a flat array; shapes are the TS side's business.
// Threads: one invocation per element; the dispatch is a 2D grid of WG-sized groups (x * y * WG >= n,
// see grid1d in src/gpu/kernel.ts) so that 16M+ elements fit the 65535-groups-per-dimension limit.
// Bounds: invocations past n return at once.

override WG: u32 = 256;

struct Params {
  n: u32,
  alpha: f32, // scale factor (scale, fill value, axpy weight)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;        // [n]
@group(0) @binding(2) var<storage, read> b: array<f32>;        // [n] (second operand; unused by unary ops)
@group(0) @binding(3) var<storage, read_write> out: array<f32>; // [n]

fn index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// out = a + b
@compute @workgroup_size(WG)
fn add(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = index(gid, groups);
  if (i >= params.n) { return; }
  out[i] = a[i] + b[i];
}

// out = a * b
@compute @workgroup_size(WG)
fn mul(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = index(gid, groups);
  if (i >= params.n) { return; }
  out[i] = a[i] * b[i];
}

// out = alpha * a
@compute @workgroup_size(WG)
fn scale(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = index(gid, groups);
  if (i >= params.n) { return; }
  out[i] = params.alpha * a[i];
}

// out += alpha * a  (gradient accumulation; b unused)
@compute @workgroup_size(WG)
fn axpy(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = index(gid, groups);
  if (i >= params.n) { return; }
  out[i] = out[i] + params.alpha * a[i];
}

// out = alpha (a, b unused)
@compute @workgroup_size(WG)
fn fill(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = index(gid, groups);
  if (i >= params.n) { return; }
  out[i] = params.alpha;
}

// out = max(a, 0)
// NOTE: max(NaN, 0) is implementation-defined in WGSL; the select keeps NaN as NaN like the reference.
@compute @workgroup_size(WG)
fn relu(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = index(gid, groups);
  if (i >= params.n) { return; }
  let x = a[i];
  out[i] = select(x, 0.0, x < 0.0);
}

// out = b where a > 0, else 0   (a = relu input, b = gradient of the output)
@compute @workgroup_size(WG)
fn reluBackward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = index(gid, groups);
  if (i >= params.n) { return; }
  out[i] = select(0.0, b[i], a[i] > 0.0);
}

// out = 1 / (1 + exp(-a)), evaluated without overflow for large |a|
@compute @workgroup_size(WG)
fn sigmoid(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = index(gid, groups);
  if (i >= params.n) { return; }
  let x = a[i];
  let e = exp(-abs(x));
  out[i] = select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

// out = b * y * (1 - y)   (a = sigmoid output y, b = gradient of the output)
@compute @workgroup_size(WG)
fn sigmoidBackward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = index(gid, groups);
  if (i >= params.n) { return; }
  let y = a[i];
  out[i] = b[i] * y * (1.0 - y);
}
