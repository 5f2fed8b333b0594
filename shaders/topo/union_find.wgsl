// The parallel part of the superlevel union-find (dimension 0, and dimension 2 by Alexander duality):
//   ascend:   each voxel points at its highest neighbour above it (or at itself: a local maximum), so the
//             pointers form a forest whose roots are the local maxima of the total order;
//   jump:     pointer jumping labelOut[v] = labelIn[labelIn[v]] (ping-pong buffers, no races); after
//             ⌈log2 n⌉ + 1 rounds every voxel holds its root: the basin it ascends to;
//   boundary: mask[v] has bit t set when neighbour t is above v and lies in another basin: the only places
//             where, in the sequential union-find, voxel v can merge two components.
// The CPU finishes with a union-find over basins along those few edges (src/topo/union_find.ts).
// Total order ("above"): value descending, then flat index ascending (filtration.ts); reverse = 1 flips it
// (the complement's sublevel sweep for dimension 2), and then every voxel on the box's border points at
// the outside, node n, which is above everything.
// Layout: volume [D, H, W] in C order, n = D·H·W. Neighbour t in 0..26 is (t/9 − 1, t/3 % 3 − 1, t % 3 − 1)
// in (z, y, x); conn = 6 keeps the face neighbours only. One invocation per voxel on a 2D grid of
// workgroups (grid1d); invocations past n return.

override WG: u32 = 64;

struct Params {
  d: u32,
  h: u32,
  w: u32,
  n: u32,
  conn: u32,    // 6 or 26
  reverse: u32, // 0: dimension 0 (superlevel); 1: dimension 2 (complement, with the outside)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> volume: array<f32>;          // [n]
@group(0) @binding(2) var<storage, read> labelIn: array<u32>;         // [n + 1]
@group(0) @binding(3) var<storage, read_write> labelOut: array<u32>;  // [n + 1]
@group(0) @binding(4) var<storage, read_write> mask: array<u32>;      // [n]

fn voxelIndex(gid: vec3u, groups: vec3u) -> u32 {
  return gid.y * groups.x * WG + gid.x;
}

// u is above v in the total order.
fn above(u: u32, v: u32) -> bool {
  let fu = volume[u];
  let fv = volume[v];
  if (params.reverse == 0u) {
    return fu > fv || (fu == fv && u < v);
  }
  return fu < fv || (fu == fv && u > v);
}

// Flat index of neighbour t of voxel (k, j, i), or n when it is outside the box or not a neighbour.
fn neighbour(k: i32, j: i32, i: i32, t: u32) -> u32 {
  let dz = i32(t / 9u) - 1;
  let dy = i32((t / 3u) % 3u) - 1;
  let dx = i32(t % 3u) - 1;
  let taxi = abs(dz) + abs(dy) + abs(dx);
  if (taxi == 0 || (params.conn == 6u && taxi > 1)) { return params.n; }
  let kk = k + dz;
  let jj = j + dy;
  let ii = i + dx;
  if (kk < 0 || jj < 0 || ii < 0 || kk >= i32(params.d) || jj >= i32(params.h) || ii >= i32(params.w)) { return params.n; }
  return (u32(kk) * params.h + u32(jj)) * params.w + u32(ii);
}

fn coords(v: u32) -> vec3i {
  let i = v % params.w;
  let j = (v / params.w) % params.h;
  let k = v / (params.w * params.h);
  return vec3i(i32(k), i32(j), i32(i));
}

@compute @workgroup_size(WG)
fn ascend(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let v = voxelIndex(gid, groups);
  if (v == 0u) { labelOut[params.n] = params.n; }
  if (v >= params.n) { return; }
  let c = coords(v);
  if (params.reverse == 1u && (c.x == 0 || c.y == 0 || c.z == 0 || c.x == i32(params.d) - 1 || c.y == i32(params.h) - 1 || c.z == i32(params.w) - 1)) {
    labelOut[v] = params.n;
    return;
  }
  var best = v;
  for (var t = 0u; t < 27u; t++) {
    let u = neighbour(c.x, c.y, c.z, t);
    if (u < params.n && above(u, best)) { best = u; }
  }
  labelOut[v] = best;
}

@compute @workgroup_size(WG)
fn jump(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let v = voxelIndex(gid, groups);
  if (v > params.n) { return; }
  labelOut[v] = labelIn[labelIn[v]];
}

@compute @workgroup_size(WG)
fn boundary(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let v = voxelIndex(gid, groups);
  if (v >= params.n) { return; }
  let c = coords(v);
  let lv = labelIn[v];
  var m = 0u;
  for (var t = 0u; t < 27u; t++) {
    let u = neighbour(c.x, c.y, c.z, t);
    if (u < params.n && above(u, v) && labelIn[u] != lv) { m |= 1u << t; }
  }
  mask[v] = m;
}
