// Transposed 3D convolution (PyTorch ConvTranspose3d, padding 0) for kernel = stride (the SHAPR case:
// (2,1,1) and (2,2,2)), where every output voxel receives exactly one tap:
//   y[b, co, z·kd+i, y·kh+j, x·kw+k] = bias[co] + Σ_ci x[b,ci,z,y,x] · w[ci,co,i,j,k].
// Layouts: input [B, Cin, D, H, W], weight [Cin, Cout, kd, kh, kw], output [B, Cout, D·kd, H·kh, W·kw].
// kw ∈ {1, 2}. Other kernel/stride combinations run as the adjoint of a Conv3d (src/nn/conv_transpose3d.ts).
//
// As in conv3d.wgsl, CPU drivers load lane by lane, so each invocation computes a register block from
// vec4 loads:
// - `packForward` / `packGradInput` repack the weight as vec4 over 4 output (resp. input) channels.
// - `forward` (kw = 1): 8 output channels × 8 input voxels of one row for one tap (workgroup_id.x =
//   channel block · taps + tap): per input channel 2 vec4 of input + 2 vec4 of weights feed 64
//   multiply-adds. `forwardPair` (kw = 2): 4 output channels × 8 voxels × both taps k, so each channel's
//   16 outputs are contiguous and store as 4 vec4 (through `output4`).
// - `gradInput`: 8 input channels × 8 voxels (workgroup_id.x = channel block); per (output channel, tap
//   row) the 8·kw gradOutput values under the block (2 or 4 vec4) and 2·kw vec4 of weights feed 64·kw
//   multiply-adds.
//   NOTE: the channel block on workgroup_id.x, the fastest-varying one, so the workgroups that read the
//   same voxels run one after the other (in cache); 0–30% less CPU than voxel blocks first on the larger
//   layers, where a pass over the volume per channel block came from memory. 8 channels × 8 voxels
//   rather than 4 × 16: 25% fewer loads with the same 64 accumulators, 10–30% less CPU at 40 and 80
//   channels, equal at 10 and 20 even with the padding to 16.
// - `gradWeightMM` + `gradWeightMMReduce`: a split-K matmul; an invocation = one block of 4 or 8 input
//   channels × 4 output channels × 2 taps over one contiguous slice of input rows (see below), a second
//   pass adds the slices' partial sums (no atomics, deterministic).
// - `addBias`: output += bias (used after the adjoint path).
// Bounds: voxels past W and channels past Cin / Cout are computed on clamped addresses and never stored.

override WG: u32 = 64;
// NOTE: overrides rather than Params fields, so each pipeline holds only the load path it uses.
override ALIGNED: bool = false; // rows load as vec4: W % 8 = 0 for forward and gradInput, vw % 4 for gradWeightMM
override KW2: bool = false;     // kw = 2 (else 1)
override CI8: bool = false;     // gradWeightMM: blocks of 8 input channels (else 4)

struct Params {
  b: u32, cin: u32, cout: u32,
  d: u32, h: u32, w: u32,
  od: u32, oh: u32, ow: u32,
  kd: u32, kh: u32, kw: u32,
  hasBias: u32,
  invocations: u32, // gradWeightMM: K slices (invocations per weight block)
  n: u32,           // addBias: voxels per channel
  total: u32,       // addBias: B · Cout · n
  rowsPer: u32,     // gradWeightMM: rows per K slice
  vh: u32, vw: u32, // gradWeightMM: the input as D × vh rows of vw voxels (vh = 1, vw = H·W when kh = kw = 1)
  voh: u32, vow: u32, // gradWeightMM: the same view of gradOutput
  ciBlock: u32,     // gradWeightMM: input channels per block, 4 or 8 (CI8)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;            // [B, Cin, D, H, W]
@group(0) @binding(2) var inputTex: texture_2d<f32>;                  // the same data as a flat texture
@group(0) @binding(3) var<storage, read> weight: array<f32>;           // [Cin, Cout, kd, kh, kw]
@group(0) @binding(4) var<storage, read> bias: array<f32>;             // [Cout]
@group(0) @binding(5) var<storage, read_write> output: array<f32>;     // [B, Cout, OD, OH, OW]
@group(0) @binding(6) var<storage, read> gradOutput: array<f32>;       // [B, Cout, OD, OH, OW]
@group(0) @binding(7) var gradOutputTex: texture_2d<f32>;             // the same data as a flat texture
@group(0) @binding(8) var<storage, read_write> partial: array<f32>;    // [slices, blocks, 32]
@group(0) @binding(9) var packedOut: texture_storage_2d<rgba32float, write>; // flat
@group(0) @binding(10) var packed: texture_2d<f32>;                    // packedOut, read by the kernels

// Hot loops read vec4 data from flat textures (flatTexel); element-wise (unaligned) paths read the f32 buffers.
//!include gpu/textures

fn flat(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// packed[(cb·Cin + ci)·taps + tap] = w[ci, 4cb .. 4cb+3, tap] (zero past Cout)
@compute @workgroup_size(WG)
fn packForward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * p.kw;
  let i = flat(gid, groups);
  if (i >= ((p.cout + 7u) / 8u) * 2u * p.cin * taps) { return; } // whole blocks of 8 for forward
  let tap = i % taps;
  let ci = (i / taps) % p.cin;
  let cb = i / (taps * p.cin);
  var v = vec4f();
  for (var c = 0u; c < 4u; c++) {
    let co = cb * 4u + c;
    if (co < p.cout) { v[c] = weight[(ci * p.cout + co) * taps + tap]; }
  }
  textureStore(packedOut, flatTexel(i), v);
}

// packed[(cb·Cout + co)·taps + tap] = w[4cb .. 4cb+3, co, tap] (zero past Cin)
@compute @workgroup_size(WG)
fn packGradInput(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * p.kw;
  let i = flat(gid, groups);
  if (i >= ((p.cin + 7u) / 8u) * 2u * p.cout * taps) { return; } // whole blocks of 8 for gradInput
  let tap = i % taps;
  let co = (i / taps) % p.cout;
  let cb = i / (taps * p.cout);
  var v = vec4f();
  for (var c = 0u; c < 4u; c++) {
    let ci = cb * 4u + c;
    if (ci < p.cin) { v[c] = weight[(ci * p.cout + co) * taps + tap]; }
  }
  textureStore(packedOut, flatTexel(i), v);
}

struct Acc { a: vec4f, b: vec4f }

// The input voxels x0 .. x0+7 of the row at rowBase (zero past W).
fn inputAt(i: u32, ok: bool) -> f32 {
  return select(0.0, input[select(0u, i, ok)], ok);
}

fn loadInput(rowBase: u32, x0: u32) -> Acc {
  let p = params;
  if (ALIGNED) { return Acc(flatLoad(inputTex, (rowBase + x0) / 4u), flatLoad(inputTex, (rowBase + x0) / 4u + 1u)); }
  let i = rowBase + x0;
  return Acc(vec4f(inputAt(i, x0 < p.w), inputAt(i + 1u, x0 + 1u < p.w), inputAt(i + 2u, x0 + 2u < p.w), inputAt(i + 3u, x0 + 3u < p.w)),
             vec4f(inputAt(i + 4u, x0 + 4u < p.w), inputAt(i + 5u, x0 + 5u < p.w), inputAt(i + 6u, x0 + 6u < p.w), inputAt(i + 7u, x0 + 7u < p.w)));
}

// gradOutput under an 8-voxel input block for one tap row: .k0 for tap k = 0, .k1 for k = 1 (kw = 2).
struct GradRow { k0: Acc, k1: Acc }

fn gradAt(i: u32, ok: bool) -> f32 {
  return select(0.0, gradOutput[select(0u, i, ok)], ok);
}

fn loadGrad(rowBase: u32, x0: u32) -> GradRow {
  let p = params;
  var r: GradRow;
  if (!KW2) {
    if (ALIGNED) {
      r.k0 = Acc(flatLoad(gradOutputTex, (rowBase + x0) / 4u), flatLoad(gradOutputTex, (rowBase + x0) / 4u + 1u));
      return r;
    }
    let i = rowBase + x0;
    r.k0 = Acc(vec4f(gradAt(i, x0 < p.ow), gradAt(i + 1u, x0 + 1u < p.ow), gradAt(i + 2u, x0 + 2u < p.ow), gradAt(i + 3u, x0 + 3u < p.ow)),
               vec4f(gradAt(i + 4u, x0 + 4u < p.ow), gradAt(i + 5u, x0 + 5u < p.ow), gradAt(i + 6u, x0 + 6u < p.ow), gradAt(i + 7u, x0 + 7u < p.ow)));
    return r;
  }
  // kw = 2: 16 consecutive values, even ones for k = 0, odd ones for k = 1
  let o = rowBase + 2u * x0;
  var v0: vec4f; var v1: vec4f; var v2: vec4f; var v3: vec4f;
  if (ALIGNED) {
    v0 = flatLoad(gradOutputTex, o / 4u); v1 = flatLoad(gradOutputTex, o / 4u + 1u); v2 = flatLoad(gradOutputTex, o / 4u + 2u); v3 = flatLoad(gradOutputTex, o / 4u + 3u);
  } else {
    let x = 2u * x0;
    v0 = vec4f(gradAt(o, x < p.ow), gradAt(o + 1u, x + 1u < p.ow), gradAt(o + 2u, x + 2u < p.ow), gradAt(o + 3u, x + 3u < p.ow));
    v1 = vec4f(gradAt(o + 4u, x + 4u < p.ow), gradAt(o + 5u, x + 5u < p.ow), gradAt(o + 6u, x + 6u < p.ow), gradAt(o + 7u, x + 7u < p.ow));
    v2 = vec4f(gradAt(o + 8u, x + 8u < p.ow), gradAt(o + 9u, x + 9u < p.ow), gradAt(o + 10u, x + 10u < p.ow), gradAt(o + 11u, x + 11u < p.ow));
    v3 = vec4f(gradAt(o + 12u, x + 12u < p.ow), gradAt(o + 13u, x + 13u < p.ow), gradAt(o + 14u, x + 14u < p.ow), gradAt(o + 15u, x + 15u < p.ow));
  }
  r.k0 = Acc(vec4f(v0.xz, v1.xz), vec4f(v2.xz, v3.xz));
  r.k1 = Acc(vec4f(v0.yw, v1.yw), vec4f(v2.yw, v3.yw));
  return r;
}

// (b, z, y, x0) of an input block
struct Block { b: u32, z: u32, y: u32, x0: u32 }

// kw = 2: 4 output channels × 8 input voxels × both taps k of one tap row (workgroup_id.x = channel
// block · kd·kh + tap row): per input channel 2 vec4 of input + 2 vec4 of weights feed 64 multiply-adds,
// and each channel's 16 outputs are contiguous, so they store as 4 vec4 (stores also go lane by lane).
fn put4(i: u32, v: f32) {
  output4[i / 4u][i % 4u] = v;
}

fn storePair(k0: Acc, k1: Acc, o: u32, x0: u32) {
  let p = params;
  if (ALIGNED) {
    // NOTE: W % 8 = 0, so whole blocks and o % 4 = 0
    output4[o / 4u] = vec4f(k0.a.x, k1.a.x, k0.a.y, k1.a.y);
    output4[o / 4u + 1u] = vec4f(k0.a.z, k1.a.z, k0.a.w, k1.a.w);
    output4[o / 4u + 2u] = vec4f(k0.b.x, k1.b.x, k0.b.y, k1.b.y);
    output4[o / 4u + 3u] = vec4f(k0.b.z, k1.b.z, k0.b.w, k1.b.w);
    return;
  }
  for (var v = 0u; v < 8u; v++) {
    if (x0 + v < p.w) {
      put4(o + 2u * v, select(k0.a[v % 4u], k0.b[v % 4u], v >= 4u));
      put4(o + 2u * v + 1u, select(k1.a[v % 4u], k1.b[v % 4u], v >= 4u));
    }
  }
}

@compute @workgroup_size(WG)
fn forwardPair(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
               @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * 2u;
  let xBlocks = (p.w + 7u) / 8u;
  let blk = (wid.y + wid.z * groups.y) * WG + lid.x;
  let t = blk / xBlocks;
  let k = Block(t / (p.d * p.h), (t / p.h) % p.d, t % p.h, (blk % xBlocks) * 8u);
  if (k.b >= p.b) { return; } // no barriers or subgroup ops: padding lanes may leave
  let ij = wid.x % (p.kd * p.kh);
  let cb = wid.x / (p.kd * p.kh);
  var a0: Acc; var a1: Acc; var a2: Acc; var a3: Acc; // k = 0, channels 0..3
  var b0: Acc; var b1: Acc; var b2: Acc; var b3: Acc; // k = 1
  if (p.hasBias != 0u) {
    let c = min(vec4u(0u, 1u, 2u, 3u) + cb * 4u, vec4u(p.cout - 1u));
    a0 = Acc(vec4f(bias[c.x]), vec4f(bias[c.x])); a1 = Acc(vec4f(bias[c.y]), vec4f(bias[c.y]));
    a2 = Acc(vec4f(bias[c.z]), vec4f(bias[c.z])); a3 = Acc(vec4f(bias[c.w]), vec4f(bias[c.w]));
    b0 = a0; b1 = a1; b2 = a2; b3 = a3;
  }
  let plane = p.d * p.h * p.w;
  var xi = ((k.b * p.cin * p.d + k.z) * p.h + k.y) * p.w;
  var wi = cb * p.cin * taps + 2u * ij;
  for (var ci = 0u; ci < p.cin; ci++) {
    let x = loadInput(xi, k.x0);
    let w0 = flatLoad(packed, wi);
    let w1 = flatLoad(packed, wi + 1u);
    a0 = axpy(a0, w0.x, x); a1 = axpy(a1, w0.y, x); a2 = axpy(a2, w0.z, x); a3 = axpy(a3, w0.w, x);
    b0 = axpy(b0, w1.x, x); b1 = axpy(b1, w1.y, x); b2 = axpy(b2, w1.z, x); b3 = axpy(b3, w1.w, x);
    xi += plane;
    wi += taps;
  }
  let i = ij / p.kh;
  let j = ij % p.kh;
  let co = cb * 4u;
  let oplane = p.od * p.oh * p.ow;
  let o = (((k.b * p.cout + co) * p.od + k.z * p.kd + i) * p.oh + k.y * p.kh + j) * p.ow + 2u * k.x0;
  storePair(a0, b0, o, k.x0);
  if (co + 1u < p.cout) { storePair(a1, b1, o + oplane, k.x0); }
  if (co + 2u < p.cout) { storePair(a2, b2, o + 2u * oplane, k.x0); }
  if (co + 3u < p.cout) { storePair(a3, b3, o + 3u * oplane, k.x0); }
}

// One tap's outputs of 4 channels for the 8 input voxels x0.. of one input row.
fn storeTap(acc: Acc, o: u32, x0: u32, kw: u32) {
  let p = params;
  for (var v = 0u; v < 8u; v++) {
    if (x0 + v < p.w) { output[o + v * kw] = select(acc.a[v % 4u], acc.b[v % 4u], v >= 4u); }
  }
}

// 8 output channels × 8 input voxels of one row for one tap (workgroup_id.x = block of 8 channels · taps
// + tap): per input channel 2 vec4 of input + 2 vec4 of weights feed 64 multiply-adds.
@compute @workgroup_size(WG)
fn forward(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
           @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * p.kw;
  let xBlocks = (p.w + 7u) / 8u;
  let blk = (wid.y + wid.z * groups.y) * WG + lid.x;
  let t = blk / xBlocks;
  let k = Block(t / (p.d * p.h), (t / p.h) % p.d, t % p.h, (blk % xBlocks) * 8u);
  if (k.b >= p.b) { return; } // no barriers or subgroup ops: padding lanes may leave
  let tap = wid.x % taps;
  let cb = wid.x / taps;
  var c0: Acc; var c1: Acc; var c2: Acc; var c3: Acc; var c4: Acc; var c5: Acc; var c6: Acc; var c7: Acc;
  if (p.hasBias != 0u) {
    let c = min(vec4u(0u, 1u, 2u, 3u) + cb * 8u, vec4u(p.cout - 1u));
    let d = min(vec4u(4u, 5u, 6u, 7u) + cb * 8u, vec4u(p.cout - 1u));
    c0 = Acc(vec4f(bias[c.x]), vec4f(bias[c.x])); c1 = Acc(vec4f(bias[c.y]), vec4f(bias[c.y]));
    c2 = Acc(vec4f(bias[c.z]), vec4f(bias[c.z])); c3 = Acc(vec4f(bias[c.w]), vec4f(bias[c.w]));
    c4 = Acc(vec4f(bias[d.x]), vec4f(bias[d.x])); c5 = Acc(vec4f(bias[d.y]), vec4f(bias[d.y]));
    c6 = Acc(vec4f(bias[d.z]), vec4f(bias[d.z])); c7 = Acc(vec4f(bias[d.w]), vec4f(bias[d.w]));
  }
  let plane = p.d * p.h * p.w;
  let half = p.cin * taps;
  var xi = ((k.b * p.cin * p.d + k.z) * p.h + k.y) * p.w;
  var wi = 2u * cb * half + tap;
  for (var ci = 0u; ci < p.cin; ci++) {
    let x = loadInput(xi, k.x0);
    let w0 = flatLoad(packed, wi);
    let w4 = flatLoad(packed, wi + half);
    c0 = axpy(c0, w0.x, x); c1 = axpy(c1, w0.y, x); c2 = axpy(c2, w0.z, x); c3 = axpy(c3, w0.w, x);
    c4 = axpy(c4, w4.x, x); c5 = axpy(c5, w4.y, x); c6 = axpy(c6, w4.z, x); c7 = axpy(c7, w4.w, x);
    xi += plane;
    wi += taps;
  }
  let i = tap / (p.kh * p.kw);
  let j = (tap / p.kw) % p.kh;
  let kx = tap % p.kw;
  let co = cb * 8u;
  let oplane = p.od * p.oh * p.ow;
  let o = (((k.b * p.cout + co) * p.od + k.z * p.kd + i) * p.oh + k.y * p.kh + j) * p.ow + k.x0 * p.kw + kx;
  storeTap(c0, o, k.x0, p.kw);
  if (co + 1u < p.cout) { storeTap(c1, o + oplane, k.x0, p.kw); }
  if (co + 2u < p.cout) { storeTap(c2, o + 2u * oplane, k.x0, p.kw); }
  if (co + 3u < p.cout) { storeTap(c3, o + 3u * oplane, k.x0, p.kw); }
  if (co + 4u < p.cout) { storeTap(c4, o + 4u * oplane, k.x0, p.kw); }
  if (co + 5u < p.cout) { storeTap(c5, o + 5u * oplane, k.x0, p.kw); }
  if (co + 6u < p.cout) { storeTap(c6, o + 6u * oplane, k.x0, p.kw); }
  if (co + 7u < p.cout) { storeTap(c7, o + 7u * oplane, k.x0, p.kw); }
}

fn axpy(acc: Acc, w: f32, g: Acc) -> Acc {
  return Acc(acc.a + w * g.a, acc.b + w * g.b);
}

fn storeRow(acc: Acc, o: u32, x0: u32) {
  let p = params;
  for (var v = 0u; v < 8u; v++) {
    if (x0 + v < p.w) { output[o + v] = select(acc.a[v % 4u], acc.b[v % 4u], v >= 4u); }
  }
}

// gradInput[b, ci, z, y, x] = Σ_{co, tap} gradOutput[b, co, z·kd+i, y·kh+j, x·kw+k] · w[ci, co, tap]
// (written to `output`): 8 input channels × 8 voxels per invocation (workgroup_id.x = block of 8
// channels): per (output channel, tap row) 8·kw gradOutput values (2 or 4 vec4) and 2·kw vec4 of weights
// feed 64·kw multiply-adds.
// NOTE: 25% fewer loads than 4 channels × 16 voxels with the same 64 accumulators: 10–25% less CPU at 40
// and 80 channels, equal at 20, and less at 10 even with the padding to 16 channels.
@compute @workgroup_size(WG)
fn gradInput(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
              @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * p.kw;
  let xBlocks = (p.w + 7u) / 8u;
  let blk = (wid.y + wid.z * groups.y) * WG + lid.x;
  let t = blk / xBlocks;
  let k = Block(t / (p.d * p.h), (t / p.h) % p.d, t % p.h, (blk % xBlocks) * 8u);
  if (k.b >= p.b) { return; } // no barriers or subgroup ops: padding lanes may leave
  let cb = wid.x;
  var c0: Acc; var c1: Acc; var c2: Acc; var c3: Acc; var c4: Acc; var c5: Acc; var c6: Acc; var c7: Acc;
  // packGradInput's blocks of 4 input channels 2cb and 2cb + 1
  let half = p.cout * taps;
  var wi = 2u * cb * half;
  for (var co = 0u; co < p.cout; co++) {
    for (var ij = 0u; ij < p.kd * p.kh; ij++) {
      let i = ij / p.kh;
      let j = ij % p.kh;
      let row = (((k.b * p.cout + co) * p.od + k.z * p.kd + i) * p.oh + k.y * p.kh + j) * p.ow;
      let g = loadGrad(row, k.x0);
      let w0 = flatLoad(packed, wi);
      let w4 = flatLoad(packed, wi + half);
      c0 = axpy(c0, w0.x, g.k0); c1 = axpy(c1, w0.y, g.k0); c2 = axpy(c2, w0.z, g.k0); c3 = axpy(c3, w0.w, g.k0);
      c4 = axpy(c4, w4.x, g.k0); c5 = axpy(c5, w4.y, g.k0); c6 = axpy(c6, w4.z, g.k0); c7 = axpy(c7, w4.w, g.k0);
      if (KW2) {
        let v0 = flatLoad(packed, wi + 1u);
        let v4 = flatLoad(packed, wi + half + 1u);
        c0 = axpy(c0, v0.x, g.k1); c1 = axpy(c1, v0.y, g.k1); c2 = axpy(c2, v0.z, g.k1); c3 = axpy(c3, v0.w, g.k1);
        c4 = axpy(c4, v4.x, g.k1); c5 = axpy(c5, v4.y, g.k1); c6 = axpy(c6, v4.z, g.k1); c7 = axpy(c7, v4.w, g.k1);
      }
      wi += p.kw;
    }
  }
  let ci = cb * 8u;
  let plane = p.d * p.h * p.w;
  let o = (((k.b * p.cin + ci) * p.d + k.z) * p.h + k.y) * p.w + k.x0;
  storeRow(c0, o, k.x0);
  if (ci + 1u < p.cin) { storeRow(c1, o + plane, k.x0); }
  if (ci + 2u < p.cin) { storeRow(c2, o + 2u * plane, k.x0); }
  if (ci + 3u < p.cin) { storeRow(c3, o + 3u * plane, k.x0); }
  if (ci + 4u < p.cin) { storeRow(c4, o + 4u * plane, k.x0); }
  if (ci + 5u < p.cin) { storeRow(c5, o + 5u * plane, k.x0); }
  if (ci + 6u < p.cin) { storeRow(c6, o + 6u * plane, k.x0); }
  if (ci + 7u < p.cin) { storeRow(c7, o + 7u * plane, k.x0); }
}

fn storePartial(o: u32, v: vec4f) {
  partial[o] = v.x; partial[o + 1u] = v.y; partial[o + 2u] = v.z; partial[o + 3u] = v.w;
}

@group(0) @binding(11) var<storage, read_write> gradWeight: array<f32>; // [Cin, Cout, kd, kh, kw]
@group(0) @binding(12) var<storage, read_write> output4: array<vec4f>; // output as vec4 (forwardPair)

// output += bias[channel]
@compute @workgroup_size(WG)
fn addBias(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat(gid, groups);
  if (i >= params.total) { return; }
  output[i] += bias[(i / params.n) % params.cout];
}

// ---- gradWeight as a split-K matmul ----
// Invocation id = slice · blocks + block, so the lanes of a SIMD batch are neighbouring weight blocks over
// the same K slice (the same rows, hot in cache). A block = 4 (CI8: 8) input channels × 4 output channels
// × 2 taps: kw = 2: the taps k = 0, 1 of tap row (i, j) (8 interleaved gradOutput values per 4 input
// voxels); kw = 1: tap rows 2p and 2p + 1 (min'd to the last). Per 4 input voxels: 4 (8) vec4 of input +
// 8 vec4 of gradOutput feed 128 (256) multiply-adds into 8 (16) vec4 accumulators (vec4 over the output
// channels, as in a matmul).
fn mmGrad(i: u32, ok: bool) -> f32 {
  return select(0.0, gradOutput[select(0u, i, ok)], ok);
}

// 4 values at i (valid while x + v < n)
fn mmInput4(i: u32, x: u32, n: u32) -> vec4f {
  if (ALIGNED) { return flatLoad(inputTex, i / 4u); }
  return vec4f(inputAt(i, x < n), inputAt(i + 1u, x + 1u < n), inputAt(i + 2u, x + 2u < n), inputAt(i + 3u, x + 3u < n));
}

fn mmGrad4(i: u32, x: u32, n: u32) -> vec4f {
  if (ALIGNED) { return flatLoad(gradOutputTex, i / 4u); }
  return vec4f(mmGrad(i, x < n), mmGrad(i + 1u, x + 1u < n), mmGrad(i + 2u, x + 2u < n), mmGrad(i + 3u, x + 3u < n));
}

// Two taps' gradOutput for 4 voxels of one output channel: .a = tap 0, .b = tap 1.
fn mmGradPair(g0: u32, g1: u32, x: u32, n: u32) -> Acc {
  if (KW2) {
    let v0 = mmGrad4(g0 + 2u * x, 2u * x, 2u * n);
    let v1 = mmGrad4(g0 + 2u * x + 4u, 2u * x + 4u, 2u * n);
    return Acc(vec4f(v0.xz, v1.xz), vec4f(v0.yw, v1.yw));
  }
  return Acc(mmGrad4(g0 + x, x, n), mmGrad4(g1 + x, x, n));
}

// acc (vec4 over 4 output channels) += Σ_v x[v] · (g0[v], g1[v], g2[v], g3[v])
fn mmFma(acc: vec4f, x: vec4f, g0: vec4f, g1: vec4f, g2: vec4f, g3: vec4f) -> vec4f {
  return acc + x.x * vec4f(g0.x, g1.x, g2.x, g3.x) + x.y * vec4f(g0.y, g1.y, g2.y, g3.y)
             + x.z * vec4f(g0.z, g1.z, g2.z, g3.z) + x.w * vec4f(g0.w, g1.w, g2.w, g3.w);
}

@compute @workgroup_size(WG)
fn gradWeightMM(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let kdh = p.kd * p.kh;
  let pairs = select((kdh + 1u) / 2u, kdh, KW2);
  let cobs = (p.cout + 3u) / 4u;
  let cb = select(4u, 8u, CI8);
  let blocks = ((p.cin + cb - 1u) / cb) * cobs * pairs;
  let id = flat(gid, groups);
  if (id >= blocks * p.invocations) { return; }
  let blk = id % blocks;
  let slice = id / blocks;
  let pr = blk % pairs;
  let cob = (blk / pairs) % cobs;
  let cib = blk / (pairs * cobs);
  let t0 = select(2u * pr, pr, KW2);
  let t1 = select(min(2u * pr + 1u, kdh - 1u), pr, KW2);
  let ci = min(vec4u(0u, 1u, 2u, 3u) + cib * cb, vec4u(p.cin - 1u));
  let cj = min(vec4u(4u, 5u, 6u, 7u) + cib * cb, vec4u(p.cin - 1u));
  let co = min(vec4u(0u, 1u, 2u, 3u) + cob * 4u, vec4u(p.cout - 1u));
  let rowsPerSample = p.d * p.vh;
  let rows = p.b * rowsPerSample;
  let r0 = slice * p.rowsPer;
  let r1 = min(r0 + p.rowsPer, rows);
  let plane = rowsPerSample * p.vw;
  let oplane = p.od * p.voh * p.vow;
  // tap offsets inside gradOutput: (i·OH + j)·OW for each tap row
  let off0 = ((t0 / p.kh) * p.voh + t0 % p.kh) * p.vow;
  let off1 = ((t1 / p.kh) * p.voh + t1 % p.kh) * p.vow;
  var a00: vec4f; var a01: vec4f; var a02: vec4f; var a03: vec4f; // tap 0, ci 0..3, over co
  var a10: vec4f; var a11: vec4f; var a12: vec4f; var a13: vec4f; // tap 1
  var b00: vec4f; var b01: vec4f; var b02: vec4f; var b03: vec4f; // CI8: tap 0, ci 4..7
  var b10: vec4f; var b11: vec4f; var b12: vec4f; var b13: vec4f; // CI8: tap 1
  var b = r0 / rowsPerSample;
  var zy = r0 % rowsPerSample;
  var z = zy / p.vh;
  var y = zy % p.vh;
  for (var r = r0; r < r1; r++) {
    let xrow = (b * p.cin * rowsPerSample + zy) * p.vw;
    let grow = ((b * p.cout * p.od + z * p.kd) * p.voh + y * p.kh) * p.vow;
    let gr = vec4u(grow) + co * oplane;
    let xr = vec4u(xrow) + ci * plane;
    let xs = vec4u(xrow) + cj * plane;
    for (var x = 0u; x < p.vw; x += 4u) {
      let x0 = mmInput4(xr.x + x, x, p.vw);
      let x1 = mmInput4(xr.y + x, x, p.vw);
      let x2 = mmInput4(xr.z + x, x, p.vw);
      let x3 = mmInput4(xr.w + x, x, p.vw);
      let g0 = mmGradPair(gr.x + off0, gr.x + off1, x, p.vw);
      let g1 = mmGradPair(gr.y + off0, gr.y + off1, x, p.vw);
      let g2 = mmGradPair(gr.z + off0, gr.z + off1, x, p.vw);
      let g3 = mmGradPair(gr.w + off0, gr.w + off1, x, p.vw);
      a00 = mmFma(a00, x0, g0.a, g1.a, g2.a, g3.a); a01 = mmFma(a01, x1, g0.a, g1.a, g2.a, g3.a);
      a02 = mmFma(a02, x2, g0.a, g1.a, g2.a, g3.a); a03 = mmFma(a03, x3, g0.a, g1.a, g2.a, g3.a);
      a10 = mmFma(a10, x0, g0.b, g1.b, g2.b, g3.b); a11 = mmFma(a11, x1, g0.b, g1.b, g2.b, g3.b);
      a12 = mmFma(a12, x2, g0.b, g1.b, g2.b, g3.b); a13 = mmFma(a13, x3, g0.b, g1.b, g2.b, g3.b);
      if (CI8) {
        let x4 = mmInput4(xs.x + x, x, p.vw);
        let x5 = mmInput4(xs.y + x, x, p.vw);
        let x6 = mmInput4(xs.z + x, x, p.vw);
        let x7 = mmInput4(xs.w + x, x, p.vw);
        b00 = mmFma(b00, x4, g0.a, g1.a, g2.a, g3.a); b01 = mmFma(b01, x5, g0.a, g1.a, g2.a, g3.a);
        b02 = mmFma(b02, x6, g0.a, g1.a, g2.a, g3.a); b03 = mmFma(b03, x7, g0.a, g1.a, g2.a, g3.a);
        b10 = mmFma(b10, x4, g0.b, g1.b, g2.b, g3.b); b11 = mmFma(b11, x5, g0.b, g1.b, g2.b, g3.b);
        b12 = mmFma(b12, x6, g0.b, g1.b, g2.b, g3.b); b13 = mmFma(b13, x7, g0.b, g1.b, g2.b, g3.b);
      }
    }
    // next row: (b, z, y) counters instead of divisions
    zy++; y++;
    if (y == p.vh) { y = 0u; z++; }
    if (zy == rowsPerSample) { zy = 0u; z = 0u; b++; }
  }
  // partial[id][slot][ci of the block][co 0..3]
  let o = id * 8u * cb;
  let o1 = o + 4u * cb;
  storePartial(o, a00); storePartial(o + 4u, a01); storePartial(o + 8u, a02); storePartial(o + 12u, a03);
  storePartial(o1, a10); storePartial(o1 + 4u, a11); storePartial(o1 + 8u, a12); storePartial(o1 + 12u, a13);
  if (CI8) {
    storePartial(o + 16u, b00); storePartial(o + 20u, b01); storePartial(o + 24u, b02); storePartial(o + 28u, b03);
    storePartial(o1 + 16u, b10); storePartial(o1 + 20u, b11); storePartial(o1 + 24u, b12); storePartial(o1 + 28u, b13);
  }
}

// gradWeight[ci, co, i, j, k] = Σ over K slices of gradWeightMM's partial sums; one invocation per weight.
@compute @workgroup_size(WG)
fn gradWeightMMReduce(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let kdh = p.kd * p.kh;
  let taps = kdh * p.kw;
  let n = flat(gid, groups);
  if (n >= p.cin * p.cout * taps) { return; }
  let tap = n % taps;
  let co = (n / taps) % p.cout;
  let ci = n / (taps * p.cout);
  let kw2 = p.kw == 2u;
  let pairs = select((kdh + 1u) / 2u, kdh, kw2);
  // kw = 2: tap = ij·2 + k with pair ij, slot k; kw = 1: tap = ij = 2·pair + slot
  let pr = tap / 2u;
  let slot = tap % 2u;
  let cobs = (p.cout + 3u) / 4u;
  let cb = p.ciBlock;
  let blocks = ((p.cin + cb - 1u) / cb) * cobs * pairs;
  let blk = ((ci / cb) * cobs + co / 4u) * pairs + pr;
  var idx = (blk * 2u + slot) * 4u * cb + (ci % cb) * 4u + co % 4u;
  var acc = 0.0;
  for (var s = 0u; s < p.invocations; s++) {
    acc += partial[idx];
    idx += blocks * 8u * cb;
  }
  gradWeight[n] = acc;
}
