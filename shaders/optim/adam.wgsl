// One Adam step (Kingma & Ba), in place on a flat parameter tensor and its two moment buffers.
// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr * (m / bc1) / (sqrt(v / bc2) + eps)
// bc1 = 1 - b1^t and bc2 = 1 - b2^t are computed on the TS side from the step count t, and so are 1 - b1 and
// 1 - b2: in f32, 1 - 0.999 is 0.00099998713 (the f32 of 0.999 is off by 1.3e-8), a coefficient 1.3e-5
// away from the 0.001 that PyTorch multiplies by.
// Threads: one invocation per parameter, 2D grid as in elementwise.wgsl; invocations past n return.

override WG: u32 = 256;

struct Params {
  n: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  oneMinusBeta1: f32,
  oneMinusBeta2: f32,
  eps: f32,
  bc1: f32,
  bc2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;        // [n]
@group(0) @binding(2) var<storage, read_write> param: array<f32>; // [n]
@group(0) @binding(3) var<storage, read_write> m: array<f32>;     // [n]
@group(0) @binding(4) var<storage, read_write> v: array<f32>;     // [n]

@compute @workgroup_size(WG)
fn step(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.n) { return; }
  let g = grad[i];
  let mi = params.beta1 * m[i] + params.oneMinusBeta1 * g;
  let vi = params.beta2 * v[i] + params.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = param[i] - params.lr * (mi / params.bc1) / (sqrt(vi / params.bc2) + params.eps);
}
