// Transposed 3D convolution (PyTorch ConvTranspose3d, padding 0) for kernel = stride (the SHAPR case:
// (2,1,1) and (2,2,2)), where every output voxel receives exactly one tap:
//   y[b, co, z·kd+i, y·kh+j, x·kw+k] = bias[co] + Σ_ci x[b,ci,z,y,x] · w[ci,co,i,j,k].
// Layouts: input [B, Cin, D, H, W], weight [Cin, Cout, kd, kh, kw], output [B, Cout, D·kd, H·kh, W·kw].
// kw ∈ {1, 2}. Other kernel/stride combinations run as the adjoint of a Conv3d (src/nn/conv_transpose3d.ts).
//
// As in conv3d.wgsl, CPU drivers load lane by lane, so each invocation computes a register block from
// vec4 loads:
// - `packForward` / `packGradInput` repack the weight as vec4 over 4 output (resp. input) channels.
// - `forward`: 4 output channels × 16 input voxels of one row for one tap (workgroup_id.z = channel
//   block · taps + tap): per input channel 4 vec4 of input + 1 vec4 of weights feed 64 multiply-adds.
// - `gradInput`: 4 input channels × 16 voxels; per (output channel, tap row) the 16·kw gradOutput values
//   under the block (4 or 8 vec4) and kw vec4 of weights feed 64·kw multiply-adds.
// - `gradWeightPartial` + `gradWeightReduce`: workgroup_id.y = (4 input channels, 4 output channels, tap
//   row (i, j)); each invocation sums 4 × 4 × kw products over its share of 8-voxel input tiles, a
//   second pass adds the partial sums.
// - `addBias`: output += bias (used after the adjoint path).
// Bounds: voxels past W and channels past Cin / Cout are computed on clamped addresses and never stored.

override WG: u32 = 64;
// NOTE: overrides rather than Params fields, so each pipeline holds only the load path it uses.
override ALIGNED: bool = false; // rows load as vec4: W % 16 = 0 for forward / gradInput, W % 8 = 0 for gradWeight
override KW2: bool = false;     // kw = 2 (else 1)

struct Params {
  b: u32, cin: u32, cout: u32,
  d: u32, h: u32, w: u32,
  od: u32, oh: u32, ow: u32,
  kd: u32, kh: u32, kw: u32,
  hasBias: u32,
  aligned: u32,     // 1: W % 8 = 0 (informational; the kernels use the ALIGNED override)
  xBlocks: u32,     // ceil(W / 8)
  invocations: u32, // gradWeightPartial: invocations per weight block
  n: u32,           // addBias: voxels per channel
  total: u32,       // addBias: B · Cout · n
  wideBlocks: u32,  // ceil(W / 16)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;            // [B, Cin, D, H, W]
@group(0) @binding(2) var<storage, read> input4: array<vec4f>;         // the same buffer as vec4
@group(0) @binding(3) var<storage, read> weight: array<f32>;           // [Cin, Cout, kd, kh, kw]
@group(0) @binding(4) var<storage, read> bias: array<f32>;             // [Cout]
@group(0) @binding(5) var<storage, read_write> output: array<f32>;     // [B, Cout, OD, OH, OW]
@group(0) @binding(6) var<storage, read> gradOutput: array<f32>;       // [B, Cout, OD, OH, OW]
@group(0) @binding(7) var<storage, read> gradOutput4: array<vec4f>;    // the same buffer as vec4
@group(0) @binding(8) var<storage, read_write> partial: array<f32>;    // [blocks, invocations, 32]
@group(0) @binding(9) var<storage, read_write> packedOut: array<vec4f>;
@group(0) @binding(10) var<storage, read> packed: array<vec4f>;

fn flat(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// packed[(cb·Cin + ci)·taps + tap] = w[ci, 4cb .. 4cb+3, tap] (zero past Cout)
@compute @workgroup_size(WG)
fn packForward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * p.kw;
  let i = flat(gid, groups);
  if (i >= ((p.cout + 3u) / 4u) * p.cin * taps) { return; }
  let tap = i % taps;
  let ci = (i / taps) % p.cin;
  let cb = i / (taps * p.cin);
  var v = vec4f();
  for (var c = 0u; c < 4u; c++) {
    let co = cb * 4u + c;
    if (co < p.cout) { v[c] = weight[(ci * p.cout + co) * taps + tap]; }
  }
  packedOut[i] = v;
}

// packed[(cb·Cout + co)·taps + tap] = w[4cb .. 4cb+3, co, tap] (zero past Cin)
@compute @workgroup_size(WG)
fn packGradInput(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * p.kw;
  let i = flat(gid, groups);
  if (i >= ((p.cin + 3u) / 4u) * p.cout * taps) { return; }
  let tap = i % taps;
  let co = (i / taps) % p.cout;
  let cb = i / (taps * p.cout);
  var v = vec4f();
  for (var c = 0u; c < 4u; c++) {
    let ci = cb * 4u + c;
    if (ci < p.cin) { v[c] = weight[(ci * p.cout + co) * taps + tap]; }
  }
  packedOut[i] = v;
}

struct Acc { a: vec4f, b: vec4f }

// The input voxels x0 .. x0+7 of the row at rowBase (zero past W).
fn inputAt(i: u32, ok: bool) -> f32 {
  return select(0.0, input[select(0u, i, ok)], ok);
}

fn loadInput(rowBase: u32, x0: u32) -> Acc {
  let p = params;
  if (ALIGNED) { return Acc(input4[(rowBase + x0) / 4u], input4[(rowBase + x0) / 4u + 1u]); }
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
      r.k0 = Acc(gradOutput4[(rowBase + x0) / 4u], gradOutput4[(rowBase + x0) / 4u + 1u]);
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
    v0 = gradOutput4[o / 4u]; v1 = gradOutput4[o / 4u + 1u]; v2 = gradOutput4[o / 4u + 2u]; v3 = gradOutput4[o / 4u + 3u];
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

// (b, z, y, x0) of the 8-voxel input block number blk
struct Block { b: u32, z: u32, y: u32, x0: u32 }

fn blockOf(blk: u32) -> Block {
  let p = params;
  let t = blk / p.xBlocks;
  return Block(t / (p.d * p.h), (t / p.h) % p.d, t % p.h, (blk % p.xBlocks) * 8u);
}

// 16 values of one channel (two 8-voxel halves)
struct Acc16 { lo: Acc, hi: Acc }

fn axpy16(acc: Acc16, w: f32, x: Acc16) -> Acc16 {
  return Acc16(Acc(acc.lo.a + w * x.lo.a, acc.lo.b + w * x.lo.b), Acc(acc.hi.a + w * x.hi.a, acc.hi.b + w * x.hi.b));
}

// (b, z, y, x0) of the 16-voxel input block number blk
fn blockOf16(blk: u32) -> Block {
  let p = params;
  let t = blk / p.wideBlocks;
  return Block(t / (p.d * p.h), (t / p.h) % p.d, t % p.h, (blk % p.wideBlocks) * 16u);
}

// One tap's outputs of 4 channels for the 8 input voxels x0.. of one input row.
fn storeTap(acc: Acc, o: u32, x0: u32, kw: u32) {
  let p = params;
  for (var v = 0u; v < 8u; v++) {
    if (x0 + v < p.w) { output[o + v * kw] = select(acc.a[v % 4u], acc.b[v % 4u], v >= 4u); }
  }
}

// 4 output channels × 16 input voxels of one row for one tap (workgroup_id.z = channel block · taps + tap).
@compute @workgroup_size(WG)
fn forward(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
           @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * p.kw;
  let k = blockOf16((wid.x + wid.y * groups.x) * WG + lid.x);
  if (k.b >= p.b) { return; } // no barriers or subgroup ops: padding lanes may leave
  let tap = wid.z % taps;
  let cb = wid.z / taps;
  var acc0: Acc16; var acc1: Acc16; var acc2: Acc16; var acc3: Acc16;
  if (p.hasBias != 0u) {
    let c = min(vec4u(0u, 1u, 2u, 3u) + cb * 4u, vec4u(p.cout - 1u));
    let b0 = Acc(vec4f(bias[c.x]), vec4f(bias[c.x])); let b1 = Acc(vec4f(bias[c.y]), vec4f(bias[c.y]));
    let b2 = Acc(vec4f(bias[c.z]), vec4f(bias[c.z])); let b3 = Acc(vec4f(bias[c.w]), vec4f(bias[c.w]));
    acc0 = Acc16(b0, b0); acc1 = Acc16(b1, b1); acc2 = Acc16(b2, b2); acc3 = Acc16(b3, b3);
  }
  let plane = p.d * p.h * p.w;
  var xi = ((k.b * p.cin * p.d + k.z) * p.h + k.y) * p.w;
  var wi = cb * p.cin * taps + tap;
  for (var ci = 0u; ci < p.cin; ci++) {
    let x = Acc16(loadInput(xi, k.x0), loadInput(xi, k.x0 + 8u));
    let w = packed[wi];
    acc0 = axpy16(acc0, w.x, x); acc1 = axpy16(acc1, w.y, x); acc2 = axpy16(acc2, w.z, x); acc3 = axpy16(acc3, w.w, x);
    xi += plane;
    wi += taps;
  }
  let i = tap / (p.kh * p.kw);
  let j = (tap / p.kw) % p.kh;
  let kx = tap % p.kw;
  let co = cb * 4u;
  let oplane = p.od * p.oh * p.ow;
  let o = (((k.b * p.cout + co) * p.od + k.z * p.kd + i) * p.oh + k.y * p.kh + j) * p.ow + k.x0 * p.kw + kx;
  storeTap16(acc0, o, k.x0, p.kw);
  if (co + 1u < p.cout) { storeTap16(acc1, o + oplane, k.x0, p.kw); }
  if (co + 2u < p.cout) { storeTap16(acc2, o + 2u * oplane, k.x0, p.kw); }
  if (co + 3u < p.cout) { storeTap16(acc3, o + 3u * oplane, k.x0, p.kw); }
}

fn storeTap16(acc: Acc16, o: u32, x0: u32, kw: u32) {
  storeTap(acc.lo, o, x0, kw);
  if (x0 + 8u < params.w) { storeTap(acc.hi, o + 8u * kw, x0 + 8u, kw); }
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
// (written to `output`); 4 input channels × 16 voxels per invocation, workgroup_id.z = channel block.
@compute @workgroup_size(WG)
fn gradInput(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
             @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * p.kw;
  let k = blockOf16((wid.x + wid.y * groups.x) * WG + lid.x);
  if (k.b >= p.b) { return; } // no barriers or subgroup ops: padding lanes may leave
  let cb = wid.z;
  var acc0: Acc16; var acc1: Acc16; var acc2: Acc16; var acc3: Acc16;
  var wi = cb * p.cout * taps;
  for (var co = 0u; co < p.cout; co++) {
    for (var ij = 0u; ij < p.kd * p.kh; ij++) {
      let i = ij / p.kh;
      let j = ij % p.kh;
      let row = (((k.b * p.cout + co) * p.od + k.z * p.kd + i) * p.oh + k.y * p.kh + j) * p.ow;
      let gl = loadGrad(row, k.x0);
      let gh = loadGrad(row, k.x0 + 8u);
      let g0 = Acc16(gl.k0, gh.k0);
      let w0 = packed[wi];
      acc0 = axpy16(acc0, w0.x, g0); acc1 = axpy16(acc1, w0.y, g0); acc2 = axpy16(acc2, w0.z, g0); acc3 = axpy16(acc3, w0.w, g0);
      if (KW2) {
        let g1 = Acc16(gl.k1, gh.k1);
        let w1 = packed[wi + 1u];
        acc0 = axpy16(acc0, w1.x, g1); acc1 = axpy16(acc1, w1.y, g1); acc2 = axpy16(acc2, w1.z, g1); acc3 = axpy16(acc3, w1.w, g1);
      }
      wi += p.kw;
    }
  }
  let ci = cb * 4u;
  let plane = p.d * p.h * p.w;
  let o = (((k.b * p.cin + ci) * p.d + k.z) * p.h + k.y) * p.w + k.x0;
  storeRow16(acc0, o, k.x0);
  if (ci + 1u < p.cin) { storeRow16(acc1, o + plane, k.x0); }
  if (ci + 2u < p.cin) { storeRow16(acc2, o + 2u * plane, k.x0); }
  if (ci + 3u < p.cin) { storeRow16(acc3, o + 3u * plane, k.x0); }
}

fn storeRow16(acc: Acc16, o: u32, x0: u32) {
  storeRow(acc.lo, o, x0);
  if (x0 + 8u < params.w) { storeRow(acc.hi, o + 8u, x0 + 8u); }
}

fn dots(x: Acc, g0: Acc, g1: Acc, g2: Acc, g3: Acc) -> vec4f {
  return vec4f(dot(x.a, g0.a) + dot(x.b, g0.b), dot(x.a, g1.a) + dot(x.b, g1.b),
               dot(x.a, g2.a) + dot(x.b, g2.b), dot(x.a, g3.a) + dot(x.b, g3.b));
}

fn storePartial(o: u32, v: vec4f) {
  partial[o] = v.x; partial[o + 1u] = v.y; partial[o + 2u] = v.z; partial[o + 3u] = v.w;
}

// Partial sums of gradWeight[ci, co, i, j, k] for 4 input channels × 4 output channels × kw taps of one
// tap row ij: workgroup_id.y = (cib · ceil(Cout/4) + cob) · kd·kh + ij. Partial layout per invocation:
// [k][ci 0..3][co 0..3].
@compute @workgroup_size(WG)
fn gradWeightPartial(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let p = params;
  let inv = wid.x * WG + lid.x;
  if (inv >= p.invocations) { return; }
  let kdh = p.kd * p.kh;
  let ij = wid.y % kdh;
  let cob = (wid.y / kdh) % ((p.cout + 3u) / 4u);
  let cib = wid.y / (kdh * ((p.cout + 3u) / 4u));
  let i = ij / p.kh;
  let j = ij % p.kh;
  let ci = min(vec4u(0u, 1u, 2u, 3u) + cib * 4u, vec4u(p.cin - 1u));
  let co = min(vec4u(0u, 1u, 2u, 3u) + cob * 4u, vec4u(p.cout - 1u));
  let plane = p.d * p.h * p.w;
  let oplane = p.od * p.oh * p.ow;
  let rows = p.b * p.d * p.h;
  var a00: vec4f; var a01: vec4f; var a02: vec4f; var a03: vec4f; // k = 0, ci 0..3, over co
  var a10: vec4f; var a11: vec4f; var a12: vec4f; var a13: vec4f; // k = 1
  // NOTE: whole rows per invocation, so the integer divisions (scalar per lane on CPUs) run once per row.
  for (var row = inv; row < rows; row += p.invocations) {
   let k0 = blockOf(row * p.xBlocks);
   for (var xs = 0u; xs < p.w; xs += 8u) {
    let k = Block(k0.b, k0.z, k0.y, xs);
    let xrow = ((k.b * p.cin * p.d + k.z) * p.h + k.y) * p.w;
    let x0 = loadInput(xrow + ci.x * plane, k.x0);
    let x1 = loadInput(xrow + ci.y * plane, k.x0);
    let x2 = loadInput(xrow + ci.z * plane, k.x0);
    let x3 = loadInput(xrow + ci.w * plane, k.x0);
    let grow = ((k.b * p.cout * p.od + k.z * p.kd + i) * p.oh + k.y * p.kh + j) * p.ow;
    let g0 = loadGrad(grow + co.x * oplane, k.x0);
    let g1 = loadGrad(grow + co.y * oplane, k.x0);
    let g2 = loadGrad(grow + co.z * oplane, k.x0);
    let g3 = loadGrad(grow + co.w * oplane, k.x0);
    a00 += dots(x0, g0.k0, g1.k0, g2.k0, g3.k0); a01 += dots(x1, g0.k0, g1.k0, g2.k0, g3.k0);
    a02 += dots(x2, g0.k0, g1.k0, g2.k0, g3.k0); a03 += dots(x3, g0.k0, g1.k0, g2.k0, g3.k0);
    if (KW2) {
      a10 += dots(x0, g0.k1, g1.k1, g2.k1, g3.k1); a11 += dots(x1, g0.k1, g1.k1, g2.k1, g3.k1);
      a12 += dots(x2, g0.k1, g1.k1, g2.k1, g3.k1); a13 += dots(x3, g0.k1, g1.k1, g2.k1, g3.k1);
    }
   }
  }
  let o = (wid.y * p.invocations + inv) * 32u;
  storePartial(o, a00); storePartial(o + 4u, a01); storePartial(o + 8u, a02); storePartial(o + 12u, a03);
  storePartial(o + 16u, a10); storePartial(o + 20u, a11); storePartial(o + 24u, a12); storePartial(o + 28u, a13);
}

@group(0) @binding(11) var<storage, read_write> gradWeight: array<f32>; // [Cin, Cout, kd, kh, kw]

// gradWeight = Σ over invocations of the partial sums; one invocation per weight.
@compute @workgroup_size(WG)
fn gradWeightReduce(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let taps = p.kd * p.kh * p.kw;
  let n = flat(gid, groups);
  if (n >= p.cin * p.cout * taps) { return; }
  let k = n % p.kw;
  let ij = (n / p.kw) % (p.kd * p.kh);
  let co = (n / taps) % p.cout;
  let ci = n / (taps * p.cout);
  let blockIdx = ((ci / 4u) * ((p.cout + 3u) / 4u) + co / 4u) * p.kd * p.kh + ij;
  var idx = blockIdx * p.invocations * 32u + k * 16u + (ci % 4u) * 4u + co % 4u;
  var acc = 0.0;
  for (var m = 0u; m < p.invocations; m++) {
    acc += partial[idx];
    idx += 32u;
  }
  gradWeight[n] = acc;
}

// output += bias[channel]
@compute @workgroup_size(WG)
fn addBias(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat(gid, groups);
  if (i >= params.total) { return; }
  output[i] += bias[(i / params.n) % params.cout];
}
