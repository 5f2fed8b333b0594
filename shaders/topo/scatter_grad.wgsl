// Scatters the sparse gradient of the topological loss into a dense, zero-filled gradient volume:
// gradInput[indices[i]] = values[i] * gradOut[0]. The CPU side has already summed the contributions of
// all pairs per voxel, so indices are unique and no atomics are needed.
// Threads: one invocation per (index, value) entry, on a 2D grid of WG groups (more than 65,535 groups);
// invocations past `count` return.

override WG: u32 = 64;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> indices: array<u32>;         // [count], unique, < len(gradInput)
@group(0) @binding(2) var<storage, read> values: array<f32>;          // [count]
@group(0) @binding(3) var<storage, read> gradOut: array<f32>;         // [1], upstream gradient of the loss
@group(0) @binding(4) var<storage, read_write> gradInput: array<f32>; // [B * s^3], zero-filled

@compute @workgroup_size(WG)
fn scatter(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.count) { return; }
  gradInput[indices[i]] = values[i] * gradOut[0];
}
