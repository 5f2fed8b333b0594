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
// - `gradWeightPartial` + `gradWeightReduce`: a reduction over B·OD·OH·OW. workgroup_id.y picks a weight
//   block (4 output channels, one input channel, one kz; or 1 output channel for Cout = 1 with 4-row
//   tiles); invocations split the (b, z, row, 8-voxel chunk) tiles and write partial sums, which the
//   second pass adds up (no atomics, deterministic).
// Naive entries (one invocation per element written) cover every other shape.
// Bounds: taps outside the input read as zero; voxels past the row end and channels past Cout are
// computed on clamped addresses and never stored.

override WG: u32 = 64;
// NOTE: alignment is an override, not a Params field, so each pipeline holds only the load path it uses
// (the unaligned paths unroll to many scalar loads; keeping both doubled LLVM compile times).
override ALIGNED: bool = false; // rows load as vec4: forward needs wideAligned, the others aligned

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
  aligned: u32,     // 1: pw = 1, W % 8 = 0, OW = W: rows of 8 load as vec4 (the TS side sets ALIGNED)
  xBlocks: u32,     // ceil(OW / 8)
  invocations: u32, // gradWeightPartial: invocations per weight block
  wideAligned: u32, // 1: pw = 1, W % 16 = 0, OW = W: rows of 16 load as vec4 (ALIGNED for `forward`)
  wideBlocks: u32,  // ceil(OW / 16)
  packRows: u32,    // packWeights for forwardRows (Cout = 1): one vec4 (kx = 0, 1, 2, 0) per (ci, kz, ky)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;            // [B, Cin, D, H, W]
@group(0) @binding(2) var<storage, read> weight: array<f32>;           // [Cout, Cin, kd, kh, kw]
@group(0) @binding(3) var<storage, read> bias: array<f32>;             // [Cout] (read when hasBias)
@group(0) @binding(4) var<storage, read_write> output: array<f32>;     // [B, Cout, OD, OH, OW]
@group(0) @binding(5) var<storage, read> gradOutput: array<f32>;       // [B, Cout, OD, OH, OW]
@group(0) @binding(6) var<storage, read_write> gradInput: array<f32>;  // [B, Cin, D, H, W]
@group(0) @binding(7) var<storage, read_write> gradWeight: array<f32>; // [Cout, Cin, kd, kh, kw]
@group(0) @binding(8) var<storage, read> input4: array<vec4f>;         // the input buffer again, as vec4
@group(0) @binding(9) var<storage, read> gradOutput4: array<vec4f>;    // gradOutput again, as vec4
@group(0) @binding(10) var<storage, read_write> partial: array<f32>;   // [blocks, invocations, 36]
@group(0) @binding(11) var<storage, read_write> packedOut: array<vec4f>; // [Cout/4, Cin, kd, kh, 3]
@group(0) @binding(12) var<storage, read> packed: array<vec4f>;        // packedOut, read by the convs

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
    packedOut[i] = v;
    return;
  }
  for (var c = 0u; c < 4u; c++) {
    let co = cb * 4u + c;
    if (co < p.cout && kx < p.kw) { v[c] = weight[co * p.wStrideOut + ci * p.wStrideIn + src]; }
  }
  packedOut[i] = v;
}

// Ten consecutive values row[x0 − pw .. x0 − pw + 9] (zero outside [0, W) or when !valid), as 3 vec4
// (the last two lanes unused), and the same row shifted by one and two for taps kx = 1, 2.
struct Row { a0: vec4f, b0: vec4f, a1: vec4f, b1: vec4f, a2: vec4f, b2: vec4f }

fn at(rowBase: u32, xi: i32, valid: bool) -> f32 {
  let ok = valid && xi >= 0 && xi < i32(params.w);
  return select(0.0, input[select(0u, rowBase + u32(xi), ok)], ok);
}

fn loadRow(rowBase: u32, x0: i32, valid: bool) -> Row {
  let p = params;
  var lo: vec4f;
  var mid: vec4f;
  var hi: vec2f;
  if (ALIGNED) {
    // NOTE: x0 % 8 = 0 and pw = 1: row[x0 − 1], two aligned vec4 at x0, then row[x0 + 8].
    let base = select(0u, rowBase + u32(x0), valid);
    let z = select(0.0, 1.0, valid);
    let v0 = input4[base / 4u] * z;
    let v1 = input4[base / 4u + 1u] * z;
    lo = vec4f(at(rowBase, x0 - 1, valid), v0.xyz);
    mid = vec4f(v0.w, v1.xyz);
    hi = vec2f(v1.w, at(rowBase, x0 + 8, valid));
  } else {
    let xs = x0 - i32(p.pw);
    lo = vec4f(at(rowBase, xs, valid), at(rowBase, xs + 1, valid), at(rowBase, xs + 2, valid), at(rowBase, xs + 3, valid));
    mid = vec4f(at(rowBase, xs + 4, valid), at(rowBase, xs + 5, valid), at(rowBase, xs + 6, valid), at(rowBase, xs + 7, valid));
    hi = vec2f(at(rowBase, xs + 8, valid), at(rowBase, xs + 9, valid));
  }
  return Row(lo, mid, vec4f(lo.yzw, mid.x), vec4f(mid.yzw, hi.x), vec4f(lo.zw, mid.xy), vec4f(mid.zw, hi));
}

// 8 outputs of one channel: .a = voxels 0..3, .b = 4..7.
struct Acc { a: vec4f, b: vec4f }

// acc += Σ_kx w[kx] · row shifted by kx
fn taps(acc: Acc, w0: f32, w1: f32, w2: f32, r: Row) -> Acc {
  return Acc(acc.a + w0 * r.a0 + w1 * r.a1 + w2 * r.a2, acc.b + w0 * r.b0 + w1 * r.b1 + w2 * r.b2);
}

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
    let v0 = input4[i4] * z;
    let v1 = input4[i4 + 1u] * z;
    let v2 = input4[i4 + 2u] * z;
    let v3 = input4[i4 + 3u] * z;
    q0 = vec4f(at(rowBase, x0 - 1, valid), v0.xyz);
    q1 = vec4f(v0.w, v1.xyz);
    q2 = vec4f(v1.w, v2.xyz);
    q3 = vec4f(v2.w, v3.xyz);
    q4 = vec2f(v3.w, at(rowBase, x0 + 16, valid));
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
        let w0 = packed[wi];
        let w1 = packed[wi + 1u];
        let w2 = packed[wi + 2u];
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
      let w0 = packed[wi];
      let w1 = packed[wi + 1u];
      let w2 = packed[wi + 2u];
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

// Eight gradOutput values x0 .. x0+7 of the row at rowBase (zero past OW or when !valid).
fn gradAt(rowBase: u32, x: u32, valid: bool) -> f32 {
  let ok = valid && x < params.ow;
  return select(0.0, gradOutput[select(0u, rowBase + x, ok)], ok);
}

fn loadGradRow(rowBase: u32, x0: u32, valid: bool) -> Acc {
  if (ALIGNED) {
    let i4 = select(0u, (rowBase + x0) / 4u, valid);
    let z = select(0.0, 1.0, valid);
    return Acc(gradOutput4[i4] * z, gradOutput4[i4 + 1u] * z);
  }
  return Acc(vec4f(gradAt(rowBase, x0, valid), gradAt(rowBase, x0 + 1u, valid), gradAt(rowBase, x0 + 2u, valid), gradAt(rowBase, x0 + 3u, valid)),
             vec4f(gradAt(rowBase, x0 + 4u, valid), gradAt(rowBase, x0 + 5u, valid), gradAt(rowBase, x0 + 6u, valid), gradAt(rowBase, x0 + 7u, valid)));
}

// acc[kx] += Σ_v g[v] · row[v + kx]
fn corr(acc: vec3f, g: Acc, r: Row) -> vec3f {
  return acc + vec3f(dot(g.a, r.a0) + dot(g.b, r.b0), dot(g.a, r.a1) + dot(g.b, r.b1), dot(g.a, r.a2) + dot(g.b, r.b2));
}

fn storePartial(o: u32, a: vec3f) {
  partial[o] = a.x; partial[o + 1u] = a.y; partial[o + 2u] = a.z;
}

// Partial weight gradients, stride 1, kw = 3, kh = 3, Cout ≥ 2: workgroup_id.y = ((cb·Cin + ci)·kd + kz);
// 4 output channels × 3 ky × 3 kx sums per invocation over whole output rows (8 voxels at a time).
@compute @workgroup_size(WG)
fn gradWeightPartial(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let p = params;
  let inv = wid.x * WG + lid.x;
  if (inv >= p.invocations) { return; }
  let kz = wid.y % p.kd;
  let ci = (wid.y / p.kd) % p.cin;
  let co = min(vec4u(0u, 1u, 2u, 3u) + (wid.y / (p.kd * p.cin)) * 4u, vec4u(p.cout - 1u));
  let rows = p.b * p.od * p.oh;
  let gplane = p.od * p.oh * p.ow;
  var a00: vec3f; var a01: vec3f; var a02: vec3f; var a10: vec3f; var a11: vec3f; var a12: vec3f;
  var a20: vec3f; var a21: vec3f; var a22: vec3f; var a30: vec3f; var a31: vec3f; var a32: vec3f;
  // NOTE: whole rows per invocation, so the integer divisions (scalar per lane on CPUs) run once per row.
  for (var row = inv; row < rows; row += p.invocations) {
   let k0 = blockOf(row * p.xBlocks, 1u, p.xBlocks, 8u);
   let zi = i32(k0.z + kz) - i32(p.pd);
   if (zi < 0 || zi >= i32(p.d)) { continue; }
   for (var x0 = 0u; x0 < p.ow; x0 += 8u) {
    let k = Block(k0.b, k0.z, k0.y, x0);
    let grow = ((k.b * p.cout * p.od + k.z) * p.oh + k.y) * p.ow;
    let g0 = loadGradRow(grow + co.x * gplane, k.x0, true);
    let g1 = loadGradRow(grow + co.y * gplane, k.x0, true);
    let g2 = loadGradRow(grow + co.z * gplane, k.x0, true);
    let g3 = loadGradRow(grow + co.w * gplane, k.x0, true);
    let base = ((k.b * p.cin + ci) * p.d + u32(zi)) * p.h;
    let y = i32(k.y) - i32(p.ph);
    let r0 = loadRow((base + u32(y)) * p.w, i32(k.x0), y >= 0 && y < i32(p.h));
    a00 = corr(a00, g0, r0); a10 = corr(a10, g1, r0); a20 = corr(a20, g2, r0); a30 = corr(a30, g3, r0);
    let r1 = loadRow((base + u32(y + 1)) * p.w, i32(k.x0), y + 1 >= 0 && y + 1 < i32(p.h));
    a01 = corr(a01, g0, r1); a11 = corr(a11, g1, r1); a21 = corr(a21, g2, r1); a31 = corr(a31, g3, r1);
    let r2 = loadRow((base + u32(y + 2)) * p.w, i32(k.x0), y + 2 >= 0 && y + 2 < i32(p.h));
    a02 = corr(a02, g0, r2); a12 = corr(a12, g1, r2); a22 = corr(a22, g2, r2); a32 = corr(a32, g3, r2);
   }
  }
  let o = (wid.y * p.invocations + inv) * 36u;
  storePartial(o, a00); storePartial(o + 3u, a01); storePartial(o + 6u, a02);
  storePartial(o + 9u, a10); storePartial(o + 12u, a11); storePartial(o + 15u, a12);
  storePartial(o + 18u, a20); storePartial(o + 21u, a21); storePartial(o + 24u, a22);
  storePartial(o + 27u, a30); storePartial(o + 30u, a31); storePartial(o + 33u, a32);
}

// Partial weight gradients for Cout = 1, kh = 3, stride 1: workgroup_id.y = ci·kd + kz; tiles of 4 rows
// × 8 voxels, so each of the 6 input rows loaded serves up to 3 taps ky.
@compute @workgroup_size(WG)
fn gradWeightPartialRows(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let p = params;
  let inv = wid.x * WG + lid.x;
  if (inv >= p.invocations) { return; }
  let kz = wid.y % p.kd;
  let ci = wid.y / p.kd;
  let bands = p.b * p.od * ((p.oh + 3u) / 4u);
  var a0: vec3f; var a1: vec3f; var a2: vec3f;
  for (var band = inv; band < bands; band += p.invocations) {
   let k0 = blockOf(band * p.xBlocks, 4u, p.xBlocks, 8u);
   let zi = i32(k0.z + kz) - i32(p.pd);
   if (zi < 0 || zi >= i32(p.d)) { continue; }
   for (var xs = 0u; xs < p.ow; xs += 8u) {
    let k = Block(k0.b, k0.z, k0.y, xs);
    let grow = ((k.b * p.od + k.z) * p.oh + k.y) * p.ow;
    let g0 = loadGradRow(grow, k.x0, true);
    let g1 = loadGradRow(grow + p.ow, k.x0, k.y + 1u < p.oh);
    let g2 = loadGradRow(grow + 2u * p.ow, k.x0, k.y + 2u < p.oh);
    let g3 = loadGradRow(grow + 3u * p.ow, k.x0, k.y + 3u < p.oh);
    let base = ((k.b * p.cin + ci) * p.d + u32(zi)) * p.h;
    let y = i32(k.y) - i32(p.ph);
    let x0 = i32(k.x0);
    // input row y + j meets output row j − ky through tap ky
    let r0 = loadRow((base + u32(y)) * p.w, x0, y >= 0 && y < i32(p.h));
    a0 = corr(a0, g0, r0);
    let r1 = loadRow((base + u32(y + 1)) * p.w, x0, y + 1 >= 0 && y + 1 < i32(p.h));
    a0 = corr(a0, g1, r1); a1 = corr(a1, g0, r1);
    let r2 = loadRow((base + u32(y + 2)) * p.w, x0, y + 2 >= 0 && y + 2 < i32(p.h));
    a0 = corr(a0, g2, r2); a1 = corr(a1, g1, r2); a2 = corr(a2, g0, r2);
    let r3 = loadRow((base + u32(y + 3)) * p.w, x0, y + 3 >= 0 && y + 3 < i32(p.h));
    a0 = corr(a0, g3, r3); a1 = corr(a1, g2, r3); a2 = corr(a2, g1, r3);
    let r4 = loadRow((base + u32(y + 4)) * p.w, x0, y + 4 >= 0 && y + 4 < i32(p.h));
    a1 = corr(a1, g3, r4); a2 = corr(a2, g2, r4);
    let r5 = loadRow((base + u32(y + 5)) * p.w, x0, y + 5 >= 0 && y + 5 < i32(p.h));
    a2 = corr(a2, g3, r5);
   }
  }
  let o = (wid.y * p.invocations + inv) * 9u;
  storePartial(o, a0); storePartial(o + 3u, a1); storePartial(o + 6u, a2);
}

// gradWeight[co, ci, kz, ky, kx] = Σ over invocations of the partial sums; one invocation per weight.
// params.hasBias doubles as the layout flag here: 0 = gradWeightPartial (4 channels per block), 1 = Rows.
@compute @workgroup_size(WG)
fn gradWeightReduce(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let i = flat(gid, groups);
  if (i >= p.cout * p.cin * p.kd * 9u) { return; }
  let tap = i % 9u; // ky · 3 + kx
  let kz = (i / 9u) % p.kd;
  let ci = (i / (9u * p.kd)) % p.cin;
  let co = i / (9u * p.kd * p.cin);
  let rows = p.hasBias != 0u;
  let s = select(36u, 9u, rows);
  let blockIdx = select(((co / 4u) * p.cin + ci) * p.kd + kz, ci * p.kd + kz, rows);
  var j = blockIdx * p.invocations * s + select((co % 4u) * 9u, 0u, rows) + tap;
  var acc = 0.0;
  for (var n = 0u; n < p.invocations; n++) {
    acc += partial[j];
    j += s;
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
