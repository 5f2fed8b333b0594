// 3D convolution (PyTorch Conv3d: cross-correlation, zero padding, stride) and its two gradients.
// Layouts: input [B, Cin, D, H, W], weight [Cout, Cin, kd, kh, kw], output [B, Cout, OD, OH, OW], all NCDHW
// flat f32.
//
// Why the kernels look like this: CPU drivers (lavapipe) run invocations as SIMD lanes and perform every
// buffer load lane by lane (with a bounds check) while arithmetic is vectorised, so speed follows FLOPs
// per load instruction. Each invocation therefore computes a register block, loads whole vec4s, and the
// blocks are written out by hand (dynamically indexed local arrays would live in memory).
//
// Fast path, kw = 3 and stride 1 along W:
// - `packWeights` copies the weight into `packed` [Cout/4, Cin, kd, kh, 3] of vec4 (4 output channels
//   per vec4, zero past Cout), or for gradInput its adjoint (channels swapped, taps flipped: params.flip).
// - `forward`: one invocation = 4 output channels × 16 consecutive voxels of one output row
//   (workgroup_id.z = channel block). Per input row: 18 input values (four vec4 + two scalars when rows
//   are 16-byte aligned) and 3 vec4 of weights feed 192 multiply-adds. gradInput of a stride-1
//   convolution is the same convolution of gradOutput with the packed adjoint and padding k − 1 − p.
// - `forwardRows`: for Cout = 1, kh = 3 (the 64³ output layer): 1 channel × 4 rows × 16 voxels, so each
//   loaded input row serves up to 3 output rows; weights packed as one vec4 (kx = 0..2) per (ci, kz, ky).
// - `gradWeightMM` (pw = 1, OW = W) + `gradWeightMMReduce`: the weight gradient as a split-K matmul over
//   the B·OD·OH output rows: an invocation = one weight block (4 output channels × 9 taps of one input
//   channel and kz; `gradWeightMMRows` for Cout = 1: 9 taps over bands of 4 rows) over one contiguous
//   slice of rows; a second pass adds the slices' partial sums (no atomics, deterministic).
// Naive entries (one invocation per element written) cover every other shape.
// Bounds: taps outside the input read as zero; voxels past the row end and channels past Cout are
// computed on clamped addresses and never stored.

override WG: u32 = 64;
// NOTE: alignment is an override, not a Params field, so each pipeline holds only the load path it uses
// (the unaligned paths unroll to many scalar loads; keeping both doubled LLVM compile times).
override ALIGNED: bool = false; // rows load as vec4: forward needs alignedRows (conv3d.ts), gradWeightMM* W % 4 = 0

struct Params {
  b: u32, cin: u32, cout: u32,
  d: u32, h: u32, w: u32,
  od: u32, oh: u32, ow: u32,
  kd: u32, kh: u32, kw: u32,
  sd: u32, sh: u32, sw: u32,
  pd: u32, ph: u32, pw: u32,
  hasBias: u32,
  wStrideOut: u32,  // packWeights: weight index step per output channel of this pass
  wStrideIn: u32,   // packWeights: weight index step per reduced channel
  flip: u32,        // packWeights: 1 = taps reversed (gradInput)
  invocations: u32, // gradWeightMM*: K slices (invocations per weight block)
  wideBlocks: u32,  // ceil(OW / 16)
  packRows: u32,    // packWeights for forwardRows (Cout = 1): one vec4 (kx = 0, 1, 2, 0) per (ci, kz, ky)
  rowsPer: u32,     // gradWeightMM: output rows per K slice
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;            // [B, Cin, D, H, W]
@group(0) @binding(2) var<storage, read> weight: array<f32>;           // [Cout, Cin, kd, kh, kw]
@group(0) @binding(3) var<storage, read> bias: array<f32>;             // [Cout] (read when hasBias)
@group(0) @binding(4) var<storage, read_write> output: array<f32>;     // [B, Cout, OD, OH, OW]
@group(0) @binding(5) var<storage, read> gradOutput: array<f32>;       // [B, Cout, OD, OH, OW]
@group(0) @binding(6) var<storage, read_write> gradInput: array<f32>;  // [B, Cin, D, H, W]
@group(0) @binding(7) var<storage, read_write> gradWeight: array<f32>; // [Cout, Cin, kd, kh, kw]
@group(0) @binding(10) var<storage, read_write> partial: array<f32>;   // partial4 as f32 (the reduce)
@group(0) @binding(11) var packedOut: texture_storage_2d<rgba32float, write>; // flat [Cout/4, Cin, kd, kh, 3]
@group(0) @binding(12) var packed: texture_2d<f32>;                    // packedOut, read by the convs
@group(0) @binding(13) var<storage, read_write> partial4: array<vec4f>; // gradWeightMM*: [slices, blocks, 9]
@group(0) @binding(14) var inputTex: texture_2d<f32>;                  // input as a flat texture (ALIGNED)
@group(0) @binding(15) var gradOutputTex: texture_2d<f32>;             // gradOutput as a flat texture (ALIGNED)

//!include gpu/textures

fn flat(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// packed[((cb·Cin + ci)·kd + kz)·kh + ky)·3 + kx] = weights of output channels 4cb .. 4cb+3 at that tap.
@compute @workgroup_size(WG)
fn packWeights(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let i = flat(gid, groups);
  let kvol = p.kd * p.kh * p.kw;
  let tapsPerChannel = p.kd * p.kh * 3u;
  if (i >= ((p.cout + 3u) / 4u) * p.cin * tapsPerChannel) { return; }
  let kx = i % 3u;
  let kyz = (i / 3u) % (p.kd * p.kh); // kz · kh + ky
  let ci = (i / tapsPerChannel) % p.cin;
  let cb = i / (tapsPerChannel * p.cin);
  let tap = kyz * p.kw + kx;
  let src = select(tap, kvol - 1u - tap, p.flip != 0u);
  var v = vec4f();
  if (p.packRows != 0u) {
    // i enumerates (ci, kz, ky) here; lanes are the taps kx of output channel 0
    if (i >= p.cin * p.kd * p.kh) { return; }
    let row = (i % (p.kd * p.kh)) * p.kw;
    let base = (i / (p.kd * p.kh)) * p.wStrideIn;
    for (var x = 0u; x < 3u; x++) {
      let t = row + x;
      v[x] = weight[base + select(t, kvol - 1u - t, p.flip != 0u)];
    }
    textureStore(packedOut, flatTexel(i), v);
    return;
  }
  for (var c = 0u; c < 4u; c++) {
    let co = cb * 4u + c;
    if (co < p.cout && kx < p.kw) { v[c] = weight[co * p.wStrideOut + ci * p.wStrideIn + src]; }
  }
  textureStore(packedOut, flatTexel(i), v);
}

fn at(rowBase: u32, xi: i32, valid: bool) -> f32 {
  let ok = valid && xi >= 0 && xi < i32(params.w);
  return select(0.0, input[select(0u, rowBase + u32(xi), ok)], ok);
}

// 8 outputs of one channel: .a = voxels 0..3, .b = 4..7.
struct Acc { a: vec4f, b: vec4f }

fn store(acc: Acc, o: u32, x0: u32, ow: u32) {
  if (x0 + 8u <= ow) {
    output[o] = acc.a.x; output[o + 1u] = acc.a.y; output[o + 2u] = acc.a.z; output[o + 3u] = acc.a.w;
    output[o + 4u] = acc.b.x; output[o + 5u] = acc.b.y; output[o + 6u] = acc.b.z; output[o + 7u] = acc.b.w;
    return;
  }
  for (var v = 0u; v < 8u; v++) {
    if (x0 + v < ow) { output[o + v] = select(acc.a[v % 4u], acc.b[v % 4u], v >= 4u); }
  }
}

// The (b, z, y, x0) of an 8-voxel output block; b ≥ B for the padding invocations of the last group.
struct Block { b: u32, z: u32, y: u32, x0: u32 }

fn blockOf(blk: u32, rowsPerBlock: u32, xBlocks: u32, vx: u32) -> Block {
  let p = params;
  let xb = blk % xBlocks;
  var t = blk / xBlocks;
  let bands = (p.oh + rowsPerBlock - 1u) / rowsPerBlock;
  let y = (t % bands) * rowsPerBlock;
  t /= bands;
  return Block(t / p.od, t % p.od, y, xb * vx);
}

// Eighteen consecutive values row[x0 − pw .. x0 − pw + 17] as four vec4 per shift kx = 0, 1, 2.
struct Row16 { a0: vec4f, b0: vec4f, c0: vec4f, d0: vec4f, a1: vec4f, b1: vec4f, c1: vec4f, d1: vec4f,
               a2: vec4f, b2: vec4f, c2: vec4f, d2: vec4f }

fn loadRow16(rowBase: u32, x0: i32, valid: bool) -> Row16 {
  let p = params;
  var q0: vec4f; var q1: vec4f; var q2: vec4f; var q3: vec4f; var q4: vec2f;
  if (ALIGNED) {
    // NOTE: x0 % 16 = 0 and pw = 1: row[x0 − 1], four aligned vec4 at x0, then row[x0 + 16].
    let i4 = select(0u, rowBase + u32(x0), valid) / 4u;
    let z = select(0.0, 1.0, valid);
    let v0 = flatLoad(inputTex, i4) * z;
    let v1 = flatLoad(inputTex, i4 + 1u) * z;
    let v2 = flatLoad(inputTex, i4 + 2u) * z;
    let v3 = flatLoad(inputTex, i4 + 3u) * z;
    // the halo values row[x0 − 1] and row[x0 + 16] are the neighbouring texels' .w and .x
    let left = select(0.0, flatLoad(inputTex, max(i4, 1u) - 1u).w, valid && x0 > 0);
    let right = select(0.0, flatLoad(inputTex, i4 + 4u).x, valid && x0 + 16 < i32(p.w));
    q0 = vec4f(left, v0.xyz);
    q1 = vec4f(v0.w, v1.xyz);
    q2 = vec4f(v1.w, v2.xyz);
    q3 = vec4f(v2.w, v3.xyz);
    q4 = vec2f(v3.w, right);
  } else {
    let xs = x0 - i32(p.pw);
    q0 = vec4f(at(rowBase, xs, valid), at(rowBase, xs + 1, valid), at(rowBase, xs + 2, valid), at(rowBase, xs + 3, valid));
    q1 = vec4f(at(rowBase, xs + 4, valid), at(rowBase, xs + 5, valid), at(rowBase, xs + 6, valid), at(rowBase, xs + 7, valid));
    q2 = vec4f(at(rowBase, xs + 8, valid), at(rowBase, xs + 9, valid), at(rowBase, xs + 10, valid), at(rowBase, xs + 11, valid));
    q3 = vec4f(at(rowBase, xs + 12, valid), at(rowBase, xs + 13, valid), at(rowBase, xs + 14, valid), at(rowBase, xs + 15, valid));
    q4 = vec2f(at(rowBase, xs + 16, valid), at(rowBase, xs + 17, valid));
  }
  return Row16(q0, q1, q2, q3,
               vec4f(q0.yzw, q1.x), vec4f(q1.yzw, q2.x), vec4f(q2.yzw, q3.x), vec4f(q3.yzw, q4.x),
               vec4f(q0.zw, q1.xy), vec4f(q1.zw, q2.xy), vec4f(q2.zw, q3.xy), vec4f(q3.zw, q4));
}

// 16 outputs of one channel
struct Acc16 { a: vec4f, b: vec4f, c: vec4f, d: vec4f }

fn taps16(acc: Acc16, w0: f32, w1: f32, w2: f32, r: Row16) -> Acc16 {
  return Acc16(acc.a + w0 * r.a0 + w1 * r.a1 + w2 * r.a2, acc.b + w0 * r.b0 + w1 * r.b1 + w2 * r.b2,
               acc.c + w0 * r.c0 + w1 * r.c1 + w2 * r.c2, acc.d + w0 * r.d0 + w1 * r.d1 + w2 * r.d2);
}

fn store16(acc: Acc16, o: u32, x0: u32, ow: u32) {
  store(Acc(acc.a, acc.b), o, x0, ow);
  if (x0 + 8u < ow) { store(Acc(acc.c, acc.d), o + 8u, x0 + 8u, ow); }
}

// Fast convolution, kw = 3, stride 1 along W: 4 output channels × 16 voxels per invocation
// (per input row: 18 input values and 3 vec4 of weights feed 192 multiply-adds).
@compute @workgroup_size(WG)
fn forward(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
           @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let k = blockOf((wid.x + wid.y * groups.x) * WG + lid.x, 1u, p.wideBlocks, 16u);
  // NOTE: no subgroup or barrier below, so padding lanes leave at once (whole idle SIMD batches skip).
  if (k.b >= p.b) { return; }
  let cb = wid.z;
  let x0 = i32(k.x0);
  var acc0: Acc16; var acc1: Acc16; var acc2: Acc16; var acc3: Acc16;
  if (p.hasBias != 0u) {
    let c = min(vec4u(0u, 1u, 2u, 3u) + cb * 4u, vec4u(p.cout - 1u));
    let b0 = vec4f(bias[c.x]); let b1 = vec4f(bias[c.y]); let b2 = vec4f(bias[c.z]); let b3 = vec4f(bias[c.w]);
    acc0 = Acc16(b0, b0, b0, b0); acc1 = Acc16(b1, b1, b1, b1); acc2 = Acc16(b2, b2, b2, b2); acc3 = Acc16(b3, b3, b3, b3);
  }
  var wi = cb * p.cin * p.kd * p.kh * 3u;
  for (var ci = 0u; ci < p.cin; ci++) {
    let plane = (k.b * p.cin + ci) * p.d;
    for (var kz = 0u; kz < p.kd; kz++) {
      let zi = i32(k.z * p.sd + kz) - i32(p.pd);
      let zok = zi >= 0 && zi < i32(p.d);
      for (var ky = 0u; ky < p.kh; ky++) {
        let yi = i32(k.y * p.sh + ky) - i32(p.ph);
        let ok = zok && yi >= 0 && yi < i32(p.h);
        let r = loadRow16(((plane + u32(zi)) * p.h + u32(yi)) * p.w, x0, ok);
        let w0 = flatLoad(packed, wi);
        let w1 = flatLoad(packed, wi + 1u);
        let w2 = flatLoad(packed, wi + 2u);
        wi += 3u;
        acc0 = taps16(acc0, w0.x, w1.x, w2.x, r);
        acc1 = taps16(acc1, w0.y, w1.y, w2.y, r);
        acc2 = taps16(acc2, w0.z, w1.z, w2.z, r);
        acc3 = taps16(acc3, w0.w, w1.w, w2.w, r);
      }
    }
  }
  let co = cb * 4u;
  let plane = p.od * p.oh * p.ow;
  let o = (((k.b * p.cout + co) * p.od + k.z) * p.oh + k.y) * p.ow + k.x0;
  store16(acc0, o, k.x0, p.ow);
  if (co + 1u < p.cout) { store16(acc1, o + plane, k.x0, p.ow); }
  if (co + 2u < p.cout) { store16(acc2, o + 2u * plane, k.x0, p.ow); }
  if (co + 3u < p.cout) { store16(acc3, o + 3u * plane, k.x0, p.ow); }
}

// Fast convolution for one output channel with kh = 3, stride 1 along H and W: 4 rows × 16 voxels per
// invocation; input rows y0 − ph .. y0 − ph + 5 each serve up to three output rows.
@compute @workgroup_size(WG)
fn forwardRows(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
               @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let k = blockOf((wid.x + wid.y * groups.x) * WG + lid.x, 4u, p.wideBlocks, 16u);
  let live = k.b < p.b;
  let b = select(0u, k.b, live);
  let x0 = i32(k.x0);
  var acc0: Acc16; var acc1: Acc16; var acc2: Acc16; var acc3: Acc16;
  if (p.hasBias != 0u) {
    let bv = vec4f(bias[0]);
    acc0 = Acc16(bv, bv, bv, bv); acc1 = acc0; acc2 = acc0; acc3 = acc0;
  }
  var wi = 0u;
  for (var ci = 0u; ci < p.cin; ci++) {
    let plane = (b * p.cin + ci) * p.d;
    for (var kz = 0u; kz < p.kd; kz++) {
      let zi = i32(k.z * p.sd + kz) - i32(p.pd);
      let zok = live && zi >= 0 && zi < i32(p.d);
      let w0 = flatLoad(packed, wi);
      let w1 = flatLoad(packed, wi + 1u);
      let w2 = flatLoad(packed, wi + 2u);
      wi += 3u;
      let y = i32(k.y) - i32(p.ph);
      let base = (plane + u32(zi)) * p.h;
      let r0 = loadRow16((base + u32(y)) * p.w, x0, zok && y >= 0 && y < i32(p.h));
      let r1 = loadRow16((base + u32(y + 1)) * p.w, x0, zok && y + 1 >= 0 && y + 1 < i32(p.h));
      let r2 = loadRow16((base + u32(y + 2)) * p.w, x0, zok && y + 2 >= 0 && y + 2 < i32(p.h));
      acc0 = taps16(taps16(taps16(acc0, w0.x, w0.y, w0.z, r0), w1.x, w1.y, w1.z, r1), w2.x, w2.y, w2.z, r2);
      let r3 = loadRow16((base + u32(y + 3)) * p.w, x0, zok && y + 3 >= 0 && y + 3 < i32(p.h));
      acc1 = taps16(taps16(taps16(acc1, w0.x, w0.y, w0.z, r1), w1.x, w1.y, w1.z, r2), w2.x, w2.y, w2.z, r3);
      let r4 = loadRow16((base + u32(y + 4)) * p.w, x0, zok && y + 4 >= 0 && y + 4 < i32(p.h));
      acc2 = taps16(taps16(taps16(acc2, w0.x, w0.y, w0.z, r2), w1.x, w1.y, w1.z, r3), w2.x, w2.y, w2.z, r4);
      let r5 = loadRow16((base + u32(y + 5)) * p.w, x0, zok && y + 5 >= 0 && y + 5 < i32(p.h));
      acc3 = taps16(taps16(taps16(acc3, w0.x, w0.y, w0.z, r3), w1.x, w1.y, w1.z, r4), w2.x, w2.y, w2.z, r5);
    }
  }
  if (!live) { return; }
  let o = ((b * p.od + k.z) * p.oh + k.y) * p.ow + k.x0;
  store16(acc0, o, k.x0, p.ow);
  if (k.y + 1u < p.oh) { store16(acc1, o + p.ow, k.x0, p.ow); }
  if (k.y + 2u < p.oh) { store16(acc2, o + 2u * p.ow, k.x0, p.ow); }
  if (k.y + 3u < p.oh) { store16(acc3, o + 3u * p.ow, k.x0, p.ow); }
}

// gradOutput[rowBase + x] (zero past OW or when !valid)
fn gradAt(rowBase: u32, x: u32, valid: bool) -> f32 {
  let ok = valid && x < params.ow;
  return select(0.0, gradOutput[select(0u, rowBase + x, ok)], ok);
}

// ---- gradWeight as a split-K matmul (stride 1, kh = kw = 3, pw = 1, OW = W) ----
// Invocation id = slice · blocks + block (block = (cb, ci, kz), fastest), so the lanes of a SIMD batch
// are neighbouring weight blocks over the same K slice (rows hot in cache). Each invocation sums 4 output
// channels × 3 ky × 3 kx over a contiguous range of output rows, 4 voxels at a time: per step 4 vec4 of
// gradOutput and 3 vec4 of input (one per tap row; the ±1 neighbours come from the previous and the next
// vec4, carried along the row) feed 144 multiply-adds into 9 vec4 accumulators (vec4 over channels).
// Input values row[x .. x+3] (zero outside [0, W) or when !valid).
fn mmRow4(rowBase: u32, x: u32, valid: bool) -> vec4f {
  let p = params;
  if (ALIGNED) {
    let ok = valid && x < p.w;
    return flatLoad(inputTex, select(0u, (rowBase + x) / 4u, ok)) * select(0.0, 1.0, ok);
  }
  let xi = i32(x);
  return vec4f(at(rowBase, xi, valid), at(rowBase, xi + 1, valid), at(rowBase, xi + 2, valid), at(rowBase, xi + 3, valid));
}

fn mmGrad4(rowBase: u32, x: u32) -> vec4f {
  if (ALIGNED) { return flatLoad(gradOutputTex, (rowBase + x) / 4u); }
  return vec4f(gradAt(rowBase, x, true), gradAt(rowBase, x + 1u, true), gradAt(rowBase, x + 2u, true), gradAt(rowBase, x + 3u, true));
}

// acc (vec4 over 4 output channels) += Σ_v s[v] · (g0[v], g1[v], g2[v], g3[v])
fn mmFma(acc: vec4f, s: vec4f, g0: vec4f, g1: vec4f, g2: vec4f, g3: vec4f) -> vec4f {
  return acc + s.x * vec4f(g0.x, g1.x, g2.x, g3.x) + s.y * vec4f(g0.y, g1.y, g2.y, g3.y)
             + s.z * vec4f(g0.z, g1.z, g2.z, g3.z) + s.w * vec4f(g0.w, g1.w, g2.w, g3.w);
}

// The three taps kx of one input row: vec4 row[x − 1 + kx .. x + 2 + kx]; carries row[x − 1] and row[x .. x+3].
struct Carry { l: f32, c: vec4f }
struct Taps3 { s0: vec4f, s1: vec4f, s2: vec4f }

fn shifted(k: Carry, next: vec4f) -> Taps3 {
  return Taps3(vec4f(k.l, k.c.xyz), k.c, vec4f(k.c.yzw, next.x));
}

struct Acc9 { t0: vec4f, t1: vec4f, t2: vec4f }

fn mmTaps(a: Acc9, t: Taps3, g0: vec4f, g1: vec4f, g2: vec4f, g3: vec4f) -> Acc9 {
  return Acc9(mmFma(a.t0, t.s0, g0, g1, g2, g3), mmFma(a.t1, t.s1, g0, g1, g2, g3), mmFma(a.t2, t.s2, g0, g1, g2, g3));
}

@compute @workgroup_size(WG)
fn gradWeightMM(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let blocks = ((p.cout + 3u) / 4u) * p.cin * p.kd;
  let id = flat(gid, groups);
  if (id >= blocks * p.invocations) { return; }
  let blk = id % blocks;
  let slice = id / blocks;
  let kz = blk % p.kd;
  let ci = (blk / p.kd) % p.cin;
  let co = min(vec4u(0u, 1u, 2u, 3u) + (blk / (p.kd * p.cin)) * 4u, vec4u(p.cout - 1u));
  let rowsPerSample = p.od * p.oh;
  let r0 = slice * p.rowsPer;
  let r1 = min(r0 + p.rowsPer, p.b * rowsPerSample);
  let gplane = p.od * p.oh * p.ow;
  var a0: Acc9; var a1: Acc9; var a2: Acc9; // tap rows ky = 0, 1, 2
  var b = r0 / rowsPerSample;
  var z = (r0 % rowsPerSample) / p.oh;
  var y = r0 % p.oh;
  for (var r = r0; r < r1; r++) {
    let zi = i32(z + kz) - i32(p.pd);
    if (zi >= 0 && zi < i32(p.d)) {
      let grow = ((b * p.cout * p.od + z) * p.oh + y) * p.ow;
      let gr = vec4u(grow) + co * gplane;
      let base = ((b * p.cin + ci) * p.d + u32(zi)) * p.h;
      let yi = i32(y) - i32(p.ph);
      let ok0 = yi >= 0 && yi < i32(p.h);
      let ok1 = yi + 1 >= 0 && yi + 1 < i32(p.h);
      let ok2 = yi + 2 >= 0 && yi + 2 < i32(p.h);
      let rb0 = (base + select(0u, u32(yi), ok0)) * p.w;
      let rb1 = (base + select(0u, u32(yi + 1), ok1)) * p.w;
      let rb2 = (base + select(0u, u32(yi + 2), ok2)) * p.w;
      var k0 = Carry(0.0, mmRow4(rb0, 0u, ok0));
      var k1 = Carry(0.0, mmRow4(rb1, 0u, ok1));
      var k2 = Carry(0.0, mmRow4(rb2, 0u, ok2));
      for (var x = 0u; x < p.ow; x += 4u) {
        let g0 = mmGrad4(gr.x, x);
        let g1 = mmGrad4(gr.y, x);
        let g2 = mmGrad4(gr.z, x);
        let g3 = mmGrad4(gr.w, x);
        let n0 = mmRow4(rb0, x + 4u, ok0);
        a0 = mmTaps(a0, shifted(k0, n0), g0, g1, g2, g3);
        k0 = Carry(k0.c.w, n0);
        let n1 = mmRow4(rb1, x + 4u, ok1);
        a1 = mmTaps(a1, shifted(k1, n1), g0, g1, g2, g3);
        k1 = Carry(k1.c.w, n1);
        let n2 = mmRow4(rb2, x + 4u, ok2);
        a2 = mmTaps(a2, shifted(k2, n2), g0, g1, g2, g3);
        k2 = Carry(k2.c.w, n2);
      }
    }
    y++;
    if (y == p.oh) { y = 0u; z++; }
    if (z == p.od) { z = 0u; b++; }
  }
  // partial[id][ky·3 + kx][4 channels]
  let o = id * 9u;
  partial4[o] = a0.t0; partial4[o + 1u] = a0.t1; partial4[o + 2u] = a0.t2;
  partial4[o + 3u] = a1.t0; partial4[o + 4u] = a1.t1; partial4[o + 5u] = a1.t2;
  partial4[o + 6u] = a2.t0; partial4[o + 7u] = a2.t1; partial4[o + 8u] = a2.t2;
}

// The same for Cout = 1 (the 64³ output layer): a block is one input channel and kz, 3 ky × 3 kx taps,
// accumulated per voxel lane (vec4 over 4 voxels, summed at the end) over bands of 4 output rows: per step
// 4 vec4 of gradOutput (one per row) and 6 of input (rows y − ph .. y − ph + 5, each meeting up to three
// output rows) feed 144 multiply-adds.
fn mmGradRow(rowBase: u32, x: u32, ok: bool) -> vec4f {
  return mmGrad4(select(0u, rowBase, ok), x) * select(0.0, 1.0, ok);
}

fn axpy3(a: Acc9, g: vec4f, t: Taps3) -> Acc9 {
  return Acc9(a.t0 + g * t.s0, a.t1 + g * t.s1, a.t2 + g * t.s2);
}

@compute @workgroup_size(WG)
fn gradWeightMMRows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let blocks = p.cin * p.kd;
  let id = flat(gid, groups);
  if (id >= blocks * p.invocations) { return; }
  let blk = id % blocks;
  let slice = id / blocks;
  let kz = blk % p.kd;
  let ci = blk / p.kd;
  let bands = (p.oh + 3u) / 4u;
  let bandsPerSample = p.od * bands;
  let r0 = slice * p.rowsPer;
  let r1 = min(r0 + p.rowsPer, p.b * bandsPerSample);
  var a0: Acc9; var a1: Acc9; var a2: Acc9; // ky = 0, 1, 2; lanes = voxels
  var b = r0 / bandsPerSample;
  var z = (r0 % bandsPerSample) / bands;
  var band = r0 % bands;
  for (var r = r0; r < r1; r++) {
    let zi = i32(z + kz) - i32(p.pd);
    if (zi >= 0 && zi < i32(p.d)) {
      let y0 = band * 4u;
      let grow = ((b * p.od + z) * p.oh + y0) * p.ow;
      let gok1 = y0 + 1u < p.oh; let gok2 = y0 + 2u < p.oh; let gok3 = y0 + 3u < p.oh;
      let base = ((b * p.cin + ci) * p.d + u32(zi)) * p.h;
      let yi = i32(y0) - i32(p.ph);
      var ok: array<bool, 6>;
      var rb: array<u32, 6>;
      for (var j = 0; j < 6; j++) {
        ok[j] = yi + j >= 0 && yi + j < i32(p.h);
        rb[j] = (base + select(0u, u32(yi + j), ok[j])) * p.w;
      }
      var k0 = Carry(0.0, mmRow4(rb[0], 0u, ok[0])); var k1 = Carry(0.0, mmRow4(rb[1], 0u, ok[1]));
      var k2 = Carry(0.0, mmRow4(rb[2], 0u, ok[2])); var k3 = Carry(0.0, mmRow4(rb[3], 0u, ok[3]));
      var k4 = Carry(0.0, mmRow4(rb[4], 0u, ok[4])); var k5 = Carry(0.0, mmRow4(rb[5], 0u, ok[5]));
      for (var x = 0u; x < p.ow; x += 4u) {
        let g0 = mmGrad4(grow, x);
        let g1 = mmGradRow(grow + p.ow, x, gok1);
        let g2 = mmGradRow(grow + 2u * p.ow, x, gok2);
        let g3 = mmGradRow(grow + 3u * p.ow, x, gok3);
        // input row j meets output row j − ky through tap ky
        let n0 = mmRow4(rb[0], x + 4u, ok[0]); let t0 = shifted(k0, n0); k0 = Carry(k0.c.w, n0);
        a0 = axpy3(a0, g0, t0);
        let n1 = mmRow4(rb[1], x + 4u, ok[1]); let t1 = shifted(k1, n1); k1 = Carry(k1.c.w, n1);
        a0 = axpy3(a0, g1, t1); a1 = axpy3(a1, g0, t1);
        let n2 = mmRow4(rb[2], x + 4u, ok[2]); let t2 = shifted(k2, n2); k2 = Carry(k2.c.w, n2);
        a0 = axpy3(a0, g2, t2); a1 = axpy3(a1, g1, t2); a2 = axpy3(a2, g0, t2);
        let n3 = mmRow4(rb[3], x + 4u, ok[3]); let t3 = shifted(k3, n3); k3 = Carry(k3.c.w, n3);
        a0 = axpy3(a0, g3, t3); a1 = axpy3(a1, g2, t3); a2 = axpy3(a2, g1, t3);
        let n4 = mmRow4(rb[4], x + 4u, ok[4]); let t4 = shifted(k4, n4); k4 = Carry(k4.c.w, n4);
        a1 = axpy3(a1, g3, t4); a2 = axpy3(a2, g2, t4);
        let n5 = mmRow4(rb[5], x + 4u, ok[5]); let t5 = shifted(k5, n5); k5 = Carry(k5.c.w, n5);
        a2 = axpy3(a2, g3, t5);
      }
    }
    band++;
    if (band == bands) { band = 0u; z++; }
    if (z == p.od) { z = 0u; b++; }
  }
  // the layout of gradWeightMM with one output channel: lane 0 of each tap's vec4
  let one = vec4f(1.0);
  let o = id * 9u;
  partial4[o] = vec4f(dot(a0.t0, one)); partial4[o + 1u] = vec4f(dot(a0.t1, one)); partial4[o + 2u] = vec4f(dot(a0.t2, one));
  partial4[o + 3u] = vec4f(dot(a1.t0, one)); partial4[o + 4u] = vec4f(dot(a1.t1, one)); partial4[o + 5u] = vec4f(dot(a1.t2, one));
  partial4[o + 6u] = vec4f(dot(a2.t0, one)); partial4[o + 7u] = vec4f(dot(a2.t1, one)); partial4[o + 8u] = vec4f(dot(a2.t2, one));
}


// gradWeight = Σ over K slices of gradWeightMM's partial sums; one invocation per weight.
@compute @workgroup_size(WG)
fn gradWeightMMReduce(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let i = flat(gid, groups);
  if (i >= p.cout * p.cin * p.kd * 9u) { return; }
  let tap = i % 9u;
  let kz = (i / 9u) % p.kd;
  let ci = (i / (9u * p.kd)) % p.cin;
  let co = i / (9u * p.kd * p.cin);
  let blocks = ((p.cout + 3u) / 4u) * p.cin * p.kd;
  let blk = ((co / 4u) * p.cin + ci) * p.kd + kz;
  var j = (blk * 9u + tap) * 4u + co % 4u;
  var acc = 0.0;
  for (var n = 0u; n < p.invocations; n++) {
    acc += partial[j];
    j += blocks * 36u;
  }
  gradWeight[i] = acc;
}

@compute @workgroup_size(WG)
fn forwardNaive(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  var i = flat(gid, groups);
  if (i >= p.b * p.cout * p.od * p.oh * p.ow) { return; }
  let x = i % p.ow; i /= p.ow;
  let y = i % p.oh; i /= p.oh;
  let z = i % p.od; i /= p.od;
  let co = i % p.cout;
  let b = i / p.cout;
  var acc = 0.0;
  if (p.hasBias != 0u) { acc = bias[co]; }
  for (var ci = 0u; ci < p.cin; ci++) {
    for (var kz = 0u; kz < p.kd; kz++) {
      let zi = i32(z * p.sd + kz) - i32(p.pd);
      if (zi < 0 || zi >= i32(p.d)) { continue; }
      for (var ky = 0u; ky < p.kh; ky++) {
        let yi = i32(y * p.sh + ky) - i32(p.ph);
        if (yi < 0 || yi >= i32(p.h)) { continue; }
        for (var kx = 0u; kx < p.kw; kx++) {
          let xi = i32(x * p.sw + kx) - i32(p.pw);
          if (xi < 0 || xi >= i32(p.w)) { continue; }
          let xIdx = (((b * p.cin + ci) * p.d + u32(zi)) * p.h + u32(yi)) * p.w + u32(xi);
          let wIdx = (((co * p.cin + ci) * p.kd + kz) * p.kh + ky) * p.kw + kx;
          acc += input[xIdx] * weight[wIdx];
        }
      }
    }
  }
  output[flat(gid, groups)] = acc;
}

// Output position o along one axis that input position i meets through tap k, or -1.
fn source(i: u32, k: u32, s: u32, pad: u32, n: u32) -> i32 {
  let t = i32(i + pad) - i32(k);
  if (t < 0 || t % i32(s) != 0) { return -1; }
  let o = t / i32(s);
  if (o >= i32(n)) { return -1; }
  return o;
}

@compute @workgroup_size(WG)
fn gradInputNaive(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  var i = flat(gid, groups);
  if (i >= p.b * p.cin * p.d * p.h * p.w) { return; }
  let x = i % p.w; i /= p.w;
  let y = i % p.h; i /= p.h;
  let z = i % p.d; i /= p.d;
  let ci = i % p.cin;
  let b = i / p.cin;
  var acc = 0.0;
  for (var co = 0u; co < p.cout; co++) {
    for (var kz = 0u; kz < p.kd; kz++) {
      let zo = source(z, kz, p.sd, p.pd, p.od);
      if (zo < 0) { continue; }
      for (var ky = 0u; ky < p.kh; ky++) {
        let yo = source(y, ky, p.sh, p.ph, p.oh);
        if (yo < 0) { continue; }
        for (var kx = 0u; kx < p.kw; kx++) {
          let xo = source(x, kx, p.sw, p.pw, p.ow);
          if (xo < 0) { continue; }
          let yIdx = (((b * p.cout + co) * p.od + u32(zo)) * p.oh + u32(yo)) * p.ow + u32(xo);
          let wIdx = (((co * p.cin + ci) * p.kd + kz) * p.kh + ky) * p.kw + kx;
          acc += gradOutput[yIdx] * weight[wIdx];
        }
      }
    }
  }
  gradInput[flat(gid, groups)] = acc;
}

@compute @workgroup_size(WG)
fn gradWeightNaive(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  var i = flat(gid, groups);
  if (i >= p.cout * p.cin * p.kd * p.kh * p.kw) { return; }
  let kx = i % p.kw; i /= p.kw;
  let ky = i % p.kh; i /= p.kh;
  let kz = i % p.kd; i /= p.kd;
  let ci = i % p.cin;
  let co = i / p.cin;
  var acc = 0.0;
  for (var b = 0u; b < p.b; b++) {
    for (var z = 0u; z < p.od; z++) {
      let zi = i32(z * p.sd + kz) - i32(p.pd);
      if (zi < 0 || zi >= i32(p.d)) { continue; }
      for (var y = 0u; y < p.oh; y++) {
        let yi = i32(y * p.sh + ky) - i32(p.ph);
        if (yi < 0 || yi >= i32(p.h)) { continue; }
        for (var x = 0u; x < p.ow; x++) {
          let xi = i32(x * p.sw + kx) - i32(p.pw);
          if (xi < 0 || xi >= i32(p.w)) { continue; }
          let xIdx = (((b * p.cin + ci) * p.d + u32(zi)) * p.h + u32(yi)) * p.w + u32(xi);
          let yIdx = (((b * p.cout + co) * p.od + z) * p.oh + y) * p.ow + x;
          acc += input[xIdx] * gradOutput[yIdx];
        }
      }
    }
  }
  gradWeight[flat(gid, groups)] = acc;
}

// gradBias[co] = Σ over batch and space of gradOutput: one workgroup per channel, each invocation sums a
// strided share, then a workgroup-memory tree. (Only transposed convolutions have a bias in SHAPR.)
override WG_SUM: u32 = 256; // power of two
var<workgroup> scratch: array<f32, WG_SUM>;

@compute @workgroup_size(WG_SUM)
fn gradBias(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let p = params;
  let co = wid.x;
  let n = p.od * p.oh * p.ow;
  var acc = 0.0;
  for (var b = 0u; b < p.b; b++) {
    let base = (b * p.cout + co) * n;
    for (var i = lid.x; i < n; i += WG_SUM) { acc += gradOutput[base + i]; }
  }
  scratch[lid.x] = acc;
  workgroupBarrier();
  for (var s = WG_SUM / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) { scratch[lid.x] += scratch[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { gradWeight[co] = scratch[0]; }
}
