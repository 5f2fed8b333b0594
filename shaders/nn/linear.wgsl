// Linear layer y = x W^T + b: x [B, IN], weight [OUT, IN], bias [OUT], y [B, OUT] (row-major).
// Backward: gradInput = gy W [B, IN]; gradWeight = gy^T x [OUT, IN]; gradBias = column sums of gy [OUT].
// Threads: one invocation per element of the tensor being written, each looping over the reduced axis
// (the layer is small: the discriminator's head is Linear(64, 1)). Invocations past the end return.

override WG: u32 = 64;

struct Params {
  batch: u32,
  inFeatures: u32,
  outFeatures: u32,
  hasBias: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;            // [B, IN]
@group(0) @binding(2) var<storage, read> weight: array<f32>;           // [OUT, IN]
@group(0) @binding(3) var<storage, read> bias: array<f32>;             // [OUT] (any buffer when hasBias = 0)
@group(0) @binding(4) var<storage, read_write> output: array<f32>;     // [B, OUT]
@group(0) @binding(5) var<storage, read> gradOutput: array<f32>;       // [B, OUT]
@group(0) @binding(6) var<storage, read_write> gradInput: array<f32>;  // [B, IN]
@group(0) @binding(7) var<storage, read_write> gradWeight: array<f32>; // [OUT, IN]
@group(0) @binding(8) var<storage, read_write> gradBias: array<f32>;   // [OUT]

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= params.batch * params.outFeatures) { return; }
  let b = i / params.outFeatures;
  let o = i - b * params.outFeatures;
  var acc = select(0.0, bias[o], params.hasBias == 1u);
  for (var k = 0u; k < params.inFeatures; k++) {
    acc += input[b * params.inFeatures + k] * weight[o * params.inFeatures + k];
  }
  output[i] = acc;
}

@compute @workgroup_size(WG)
fn backwardInput(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= params.batch * params.inFeatures) { return; }
  let b = i / params.inFeatures;
  let k = i - b * params.inFeatures;
  var acc = 0.0;
  for (var o = 0u; o < params.outFeatures; o++) {
    acc += gradOutput[b * params.outFeatures + o] * weight[o * params.inFeatures + k];
  }
  gradInput[i] = acc;
}

@compute @workgroup_size(WG)
fn backwardWeight(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= params.outFeatures * params.inFeatures) { return; }
  let o = i / params.inFeatures;
  let k = i - o * params.inFeatures;
  var acc = 0.0;
  for (var b = 0u; b < params.batch; b++) {
    acc += gradOutput[b * params.outFeatures + o] * input[b * params.inFeatures + k];
  }
  gradWeight[i] = acc;
}

@compute @workgroup_size(WG)
fn backwardBias(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= params.outFeatures) { return; }
  var acc = 0.0;
  for (var b = 0u; b < params.batch; b++) { acc += gradOutput[b * params.outFeatures + o]; }
  gradBias[o] = acc;
}
