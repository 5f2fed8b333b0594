// Sum reduction of a flat f32 array, one tree level per dispatch.
// Threads: each workgroup of WG invocations sums a chunk of WG * ITEMS consecutive elements: every
// invocation adds ITEMS elements strided by WG (coalesced), then a workgroup-memory tree halves WG
// partial sums to one, written to partial[workgroup]. The TS side repeats until one value is left.
// Bounds: elements past n count as 0. The last level multiplies by alpha (1/n for a mean).

override WG: u32 = 256;   // power of two
override ITEMS: u32 = 16;

struct Params {
  n: u32,
  alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;         // [n]
@group(0) @binding(2) var<storage, read_write> partial: array<f32>; // [ceil(n / (WG * ITEMS))]

var<workgroup> scratch: array<f32, WG>;

@compute @workgroup_size(WG)
fn sumPartial(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
              @builtin(num_workgroups) groups: vec3u) {
  let group = wid.x + wid.y * groups.x;
  let base = group * WG * ITEMS + lid.x;
  var acc = 0.0;
  for (var k = 0u; k < ITEMS; k++) {
    let i = base + k * WG;
    if (i < params.n) { acc += input[i]; }
  }
  scratch[lid.x] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) { scratch[lid.x] += scratch[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { partial[group] = scratch[0] * params.alpha; }
}

// Backward of a sum: every element gets alpha * gradOut[0].
@group(0) @binding(3) var<storage, read> gradOut: array<f32>;          // [1]
@group(0) @binding(4) var<storage, read_write> gradInput: array<f32>; // [n]

@compute @workgroup_size(WG)
fn broadcastBackward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.n) { return; }
  gradInput[i] = params.alpha * gradOut[0];
}
