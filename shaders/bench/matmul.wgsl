// Register-blocked f32 matmul C = A·B, the yardstick for what a compute kernel can reach on an adapter
// (harness/bench/matmul.ts). Layouts: A [M, K], B [K, N], C [M, N], row-major; M % 4 = K % 4 = 0, N % 8 = 0
// (the benchmark picks such sizes, so there are no bounds checks).
// Threads: each invocation computes a 4 × 8 block of C from vec4 loads straight from storage, no
// workgroup memory (on CPU drivers every load is a per-lane memory access, so FLOPs per load rule).
//   blocked:     lanes of a workgroup span both rows and columns (WG_X × WG_Y invocations).
//   textured:    `blocked` with A and B read through textureLoad from rgba32float textures (one texel =
//                one vec4 of the buffer layout): lavapipe fetches texels as a vectorised gather, while it
//                loads storage buffers lane by lane, so this is its fastest variant.
//   blockedRows: a workgroup spans only rows (WG_X = 1 column block), so every B load has the same address
//                across the workgroup (uniform); on a CPU driver that can scalarise uniform loads this is
//                the faster one.

override WG_X: u32 = 8;
override WG_Y: u32 = 8;

struct Params {
  m: u32,
  n: u32,
  k: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;       // [M, K/4]
@group(0) @binding(2) var<storage, read> b: array<vec4f>;       // [K, N/4]
@group(0) @binding(3) var<storage, read_write> c: array<vec4f>; // [M, N/4]
@group(0) @binding(4) var aTex: texture_2d<f32>;                 // A as K/4 × M texels
@group(0) @binding(5) var bTex: texture_2d<f32>;                 // B as N/4 × K texels

// The 4 × 8 block of C: rows r = 0..3, vec4 columns h = 0, 1.
struct Block { c00: vec4f, c01: vec4f, c10: vec4f, c11: vec4f, c20: vec4f, c21: vec4f, c30: vec4f, c31: vec4f }

// acc += A[4 rows, 4 k] · B[4 k, 8 columns]: a_r = row r's 4 values of k, bjh = row j of B, vec4 column h.
fn fmaBlock(acc: Block, a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f,
            b00: vec4f, b01: vec4f, b10: vec4f, b11: vec4f, b20: vec4f, b21: vec4f, b30: vec4f, b31: vec4f) -> Block {
  return Block(
    acc.c00 + a0.x * b00 + a0.y * b10 + a0.z * b20 + a0.w * b30, acc.c01 + a0.x * b01 + a0.y * b11 + a0.z * b21 + a0.w * b31,
    acc.c10 + a1.x * b00 + a1.y * b10 + a1.z * b20 + a1.w * b30, acc.c11 + a1.x * b01 + a1.y * b11 + a1.z * b21 + a1.w * b31,
    acc.c20 + a2.x * b00 + a2.y * b10 + a2.z * b20 + a2.w * b30, acc.c21 + a2.x * b01 + a2.y * b11 + a2.z * b21 + a2.w * b31,
    acc.c30 + a3.x * b00 + a3.y * b10 + a3.z * b20 + a3.w * b30, acc.c31 + a3.x * b01 + a3.y * b11 + a3.z * b21 + a3.w * b31);
}

fn storeBlock(acc: Block, row0: u32, col4: u32) {
  let n4 = params.n / 4u;
  let o = row0 * n4 + col4;
  c[o] = acc.c00; c[o + 1u] = acc.c01;
  c[o + n4] = acc.c10; c[o + n4 + 1u] = acc.c11;
  c[o + 2u * n4] = acc.c20; c[o + 2u * n4 + 1u] = acc.c21;
  c[o + 3u * n4] = acc.c30; c[o + 3u * n4 + 1u] = acc.c31;
}

// NOTE: a struct of named vec4s, not an array: CPU drivers keep dynamically indexed local arrays in
// memory, not registers.
fn block(row0: u32, col4: u32) {
  let k4 = params.k / 4u;
  let n4 = params.n / 4u;
  var acc: Block;
  var ia = row0 * k4;
  var ib = col4;
  for (var kk = 0u; kk < k4; kk++) {
    let b00 = b[ib]; let b01 = b[ib + 1u]; ib += n4;
    let b10 = b[ib]; let b11 = b[ib + 1u]; ib += n4;
    let b20 = b[ib]; let b21 = b[ib + 1u]; ib += n4;
    let b30 = b[ib]; let b31 = b[ib + 1u]; ib += n4;
    acc = fmaBlock(acc, a[ia], a[ia + k4], a[ia + 2u * k4], a[ia + 3u * k4], b00, b01, b10, b11, b20, b21, b30, b31);
    ia += 1u;
  }
  storeBlock(acc, row0, col4);
}

@compute @workgroup_size(WG_X, WG_Y)
fn blocked(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.y * 4u >= params.m || gid.x * 8u >= params.n) { return; }
  block(gid.y * 4u, gid.x * 2u);
}

@compute @workgroup_size(1, WG_Y)
fn blockedRows(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  if (gid.y * 4u >= params.m || wid.x * 8u >= params.n) { return; }
  block(gid.y * 4u, wid.x * 2u);
}

@compute @workgroup_size(WG_X, WG_Y)
fn textured(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.y * 4u >= params.m || gid.x * 8u >= params.n) { return; }
  let row0 = i32(gid.y * 4u);
  let col4 = i32(gid.x * 2u);
  var acc: Block;
  for (var kk = 0; kk < i32(params.k / 4u); kk++) {
    let kr = kk * 4;
    acc = fmaBlock(acc,
      textureLoad(aTex, vec2i(kk, row0), 0), textureLoad(aTex, vec2i(kk, row0 + 1), 0),
      textureLoad(aTex, vec2i(kk, row0 + 2), 0), textureLoad(aTex, vec2i(kk, row0 + 3), 0),
      textureLoad(bTex, vec2i(col4, kr), 0), textureLoad(bTex, vec2i(col4 + 1, kr), 0),
      textureLoad(bTex, vec2i(col4, kr + 1), 0), textureLoad(bTex, vec2i(col4 + 1, kr + 1), 0),
      textureLoad(bTex, vec2i(col4, kr + 2), 0), textureLoad(bTex, vec2i(col4 + 1, kr + 2), 0),
      textureLoad(bTex, vec2i(col4, kr + 3), 0), textureLoad(bTex, vec2i(col4 + 1, kr + 3), 0));
  }
  storeBlock(acc, u32(row0), u32(col4));
}

// The same 4 × 8 block written with loops over local arrays (relies on the driver unrolling them).
@compute @workgroup_size(WG_X, WG_Y)
fn blockedLoop(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.y * 4u >= params.m || gid.x * 8u >= params.n) { return; }
  let row0 = gid.y * 4u;
  let col4 = gid.x * 2u;
  let k4 = params.k / 4u;
  let n4 = params.n / 4u;
  var acc: array<array<vec4f, 2>, 4>;
  for (var kk = 0u; kk < k4; kk++) {
    var bv: array<array<vec4f, 2>, 4>;
    for (var j = 0u; j < 4u; j++) {
      let base = (kk * 4u + j) * n4 + col4;
      bv[j][0] = b[base];
      bv[j][1] = b[base + 1u];
    }
    for (var r = 0u; r < 4u; r++) {
      let av = a[(row0 + r) * k4 + kk];
      for (var h = 0u; h < 2u; h++) {
        acc[r][h] += av.x * bv[0][h] + av.y * bv[1][h] + av.z * bv[2][h] + av.w * bv[3][h];
      }
    }
  }
  for (var r = 0u; r < 4u; r++) {
    c[(row0 + r) * n4 + col4] = acc[r][0];
    c[(row0 + r) * n4 + col4 + 1u] = acc[r][1];
  }
}
