// Transposed 3D convolution helpers (PyTorch ConvTranspose3d, padding 0). The general case runs as the
// adjoint of a Conv3d (shaders/nn/conv3d.wgsl); this file adds the bias.
// Layout: output [B, Cout, N] flat (N = OD·OH·OW). Threads: one invocation per output element.

override WG: u32 = 256;

struct Params {
  n: u32,     // voxels per channel
  cout: u32,
  total: u32, // B · Cout · n
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> bias: array<f32>;         // [Cout]
@group(0) @binding(2) var<storage, read_write> output: array<f32>; // [B, Cout, N]

// output += bias[channel]
@compute @workgroup_size(WG)
fn addBias(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.total) { return; }
  output[i] += bias[(i / params.n) % params.cout];
}
