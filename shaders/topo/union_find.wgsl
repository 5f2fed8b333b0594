// The parallel part of the superlevel union-find (dimension 0, and dimension 2 by Alexander duality):
//   ascend: each voxel points at its highest neighbour above it (or at itself: a local maximum), so the
//           pointers form a forest whose roots are the local maxima of the total order;
//   jump:   pointer jumping labelOut[v] = labelIn[labelIn[v]] (ping-pong buffers, no races); after
//           ⌈log2 n⌉ + 1 rounds every voxel holds its root: the basin it ascends to;
//   edges:  for each voxel v and each other basin that a neighbour above v belongs to, one record
//           (v, basin of v, that basin), appended with an atomic counter: the only places where, in the
//           sequential sweep, voxel v can merge two components. A few per cent of the voxels on smooth
//           volumes, so the CPU finishes with a union-find over basins along these records only
//           (src/topo/union_find.ts), never a pass over all voxels.
// Total order ("above"): value descending, then flat index ascending (filtration.ts); reverse = 1 flips it
// (the complement's sublevel sweep for dimension 2), and then every voxel on the box's border points at
// the outside, node n, which is above everything.
// Layout: a batch of volumes [B, D, H, W] in C order; this dispatch works on the one starting at `base`,
// n = D·H·W voxels, labels local to it (0..n). Neighbour t in 0..26 is (t/9 − 1, t/3 % 3 − 1, t % 3 − 1)
// in (z, y, x); conn = 6 keeps the face neighbours only. One invocation per voxel on a 2D grid of
// workgroups (grid1d); invocations past n return. records: [segments] counters, then the records; this
// dispatch counts in records[segment] and writes up to `cap` records of 3 words from word `first`
// (the counter keeps counting past cap, so the caller sees an overflow and retries with room).

override WG: u32 = 64;

struct Params {
  d: u32,
  h: u32,
  w: u32,
  n: u32,
  conn: u32,    // 6 or 26
  reverse: u32, // 0: dimension 0 (superlevel); 1: dimension 2 (complement, with the outside)
  base: u32,    // first voxel of this volume in the batch
  segment: u32, // index of this dispatch's counter in records
  first: u32,   // word offset of this dispatch's first record in records
  cap: u32,     // room for this many records
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> volume: array<f32>;          // [n]
@group(0) @binding(2) var<storage, read> labelIn: array<u32>;         // [n + 1]
@group(0) @binding(3) var<storage, read_write> labelOut: array<u32>;  // [n + 1]
@group(0) @binding(4) var<storage, read_write> records: array<atomic<u32>>;

fn voxelIndex(gid: vec3u, groups: vec3u) -> u32 {
  return gid.y * groups.x * WG + gid.x;
}

// u is above v in the total order.
fn above(u: u32, v: u32) -> bool {
  let fu = volume[params.base + u];
  let fv = volume[params.base + v];
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
fn edges(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let v = voxelIndex(gid, groups);
  if (v >= params.n) { return; }
  let c = coords(v);
  let lv = labelIn[v];
  // NOTE: one record per distinct foreign basin: the merge at v does not depend on how many of its
  // neighbours lead to the same basin.
  var seen: array<u32, 26>;
  var k = 0u;
  for (var t = 0u; t < 27u; t++) {
    let u = neighbour(c.x, c.y, c.z, t);
    if (u >= params.n || !above(u, v)) { continue; }
    let lu = labelIn[u];
    if (lu == lv) { continue; }
    var fresh = true;
    for (var s = 0u; s < k; s++) {
      if (seen[s] == lu) { fresh = false; }
    }
    if (!fresh) { continue; }
    seen[k] = lu;
    k++;
    let slot = atomicAdd(&records[params.segment], 1u);
    if (slot < params.cap) {
      let o = params.first + 3u * slot;
      atomicStore(&records[o], v);
      atomicStore(&records[o + 1u], lv);
      atomicStore(&records[o + 2u], lu);
    }
  }
}
