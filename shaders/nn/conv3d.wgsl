// 3D convolution (PyTorch Conv3d: cross-correlation, zero padding, stride) and its two gradients.
// Layouts: input [B, Cin, D, H, W], weight [Cout, Cin, kd, kh, kw], output [B, Cout, OD, OH, OW], all NCDHW
// flat f32.
//
// Fast path (`forward`, kw = 3 and stride 1 along W): each invocation computes a register block of COB
// output channels × 8 consecutive voxels of one output row. A workgroup's invocations share the channel
// block (workgroup_id.z), so weight loads have the same address in every lane (uniform), while each lane
// loads its own input rows of 10 values (two vec4 + two scalars when rows are 16-byte aligned). On CPU
// drivers every divergent load is a per-lane memory access and arithmetic is vectorised, so the block is
// sized for FLOPs per load. The same entry computes gradInput of a stride-1 convolution: that is a
// convolution of gradOutput with the weight's channels swapped and its taps flipped (params.flip), with
// padding k − 1 − p.
// Weight gradient (`gradWeightPartial` + `gradWeightReduce`): a reduction over B·OD·OH·OW. Invocations
// split the output rows; each keeps COB × KH × 3 partial sums for one input channel and one kz, blocking
// VY output rows so each loaded input row serves up to KH output rows; a second pass sums the partials.
// Naive entries (one invocation per element written) cover every other shape.
// Bounds: taps outside the input read as zero; voxels past the row end and channels past Cout are
// computed on clamped addresses and never stored.

override WG: u32 = 64;
override COB: u32 = 4; // output channels per invocation (1, 2 or 4)
override KH_W: u32 = 3; // kernel height compiled into gradWeightPartial (1..3)
override VY: u32 = 1;  // output rows per invocation in gradWeightPartial (1..4)

struct Params {
  b: u32, cin: u32, cout: u32,
  d: u32, h: u32, w: u32,
  od: u32, oh: u32, ow: u32,
  kd: u32, kh: u32, kw: u32,
  sd: u32, sh: u32, sw: u32,
  pd: u32, ph: u32, pw: u32,
  hasBias: u32,
  wStrideOut: u32, // weight index step per output channel of this pass (forward: Cin·kvol; gradInput: kvol)
  wStrideIn: u32,  // weight index step per reduced channel (forward: kvol; gradInput: Cin·kvol)
  flip: u32,       // 1: taps reversed (gradInput)
  aligned: u32,    // 1: pw = 1, W % 8 = 0, OW = W: input rows load as vec4
  xBlocks: u32,    // ceil(OW / 8)
  invocations: u32, // gradWeightPartial: invocations per weight block (partial sums per weight)
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
@group(0) @binding(10) var<storage, read_write> partial: array<f32>;   // [blocks, invocations, COB·KH_W·3]

fn flat(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// Ten consecutive input values row[x0 - pw .. x0 - pw + 9] of the row starting at rowBase (zero outside
// [0, W) and when the row itself is outside the volume: valid = false).
struct Row { a: vec4f, b: vec4f, c: vec4f }

fn loadRow(rowBase: u32, x0: i32, valid: bool) -> Row {
  let p = params;
  var r: Row;
  if (p.aligned != 0u) {
    // NOTE: x0 % 8 = 0 and pw = 1: row[x0-1], then two aligned vec4 at x0, then row[x0+8].
    let base = select(0u, rowBase, valid);
    let v0 = input4[(base + u32(x0)) / 4u];
    let v1 = input4[(base + u32(x0)) / 4u + 1u];
    let lo = select(0.0, input[max(i32(base) + x0 - 1, 0)], valid && x0 > 0);
    let hi = select(0.0, input[base + u32(x0) + 8u - select(1u, 0u, u32(x0) + 8u < p.w)], valid && u32(x0) + 8u < p.w);
    let z = select(vec4f(), vec4f(1.0), valid);
    r.a = vec4f(lo, v0.x, v0.y, v0.z) * z;
    r.b = vec4f(v0.w, v1.x, v1.y, v1.z) * z;
    r.c = vec4f(v1.w, hi, 0.0, 0.0) * z;
    return r;
  }
  var v: array<f32, 12>;
  let xs = x0 - i32(p.pw);
  for (var j = 0; j < 10; j++) {
    let xi = xs + j;
    let ok = valid && xi >= 0 && xi < i32(p.w);
    v[j] = select(0.0, input[select(0u, rowBase + u32(xi), ok)], ok);
  }
  r.a = vec4f(v[0], v[1], v[2], v[3]);
  r.b = vec4f(v[4], v[5], v[6], v[7]);
  r.c = vec4f(v[8], v[9], 0.0, 0.0);
  return r;
}

// Fast convolution, kw = 3, stride 1 along W (forward, or gradInput with params.flip = 1; see the header).
@compute @workgroup_size(WG)
fn forward(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
           @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let blk = (wid.x + wid.y * groups.x) * WG + lid.x;
  let co0 = wid.z * COB;
  let xb = blk % p.xBlocks;
  var t = blk / p.xBlocks;
  let y = t % p.oh; t /= p.oh;
  let z = t % p.od;
  let b = t / p.od;
  let live = b < p.b;
  let bb = select(0u, b, live);
  let x0 = i32(xb * 8u);
  var acc: array<array<vec4f, 2>, 4>;
  if (p.hasBias != 0u) {
    for (var c = 0u; c < COB; c++) {
      let bv = bias[min(co0 + c, p.cout - 1u)];
      acc[c][0] = vec4f(bv);
      acc[c][1] = vec4f(bv);
    }
  }
  let kvolRow = i32(p.kw);
  let kvol = i32(p.kd * p.kh * p.kw);
  for (var ci = 0u; ci < p.cin; ci++) {
    let plane = (bb * p.cin + ci) * p.d;
    for (var kz = 0u; kz < p.kd; kz++) {
      let zi = i32(z * p.sd + kz) - i32(p.pd);
      let zok = live && zi >= 0 && zi < i32(p.d);
      for (var ky = 0u; ky < p.kh; ky++) {
        let yi = i32(y * p.sh + ky) - i32(p.ph);
        let ok = zok && yi >= 0 && yi < i32(p.h);
        let rowBase = select(0u, ((plane + u32(zi)) * p.h + u32(yi)) * p.w, ok);
        let r = loadRow(rowBase, x0, ok);
        let s1a = vec4f(r.a.yzw, r.b.x);
        let s1b = vec4f(r.b.yzw, r.c.x);
        let s2a = vec4f(r.a.zw, r.b.xy);
        let s2b = vec4f(r.b.zw, r.c.xy);
        // weight index of tap (kz, ky, 0) and the step to the next kx (flipped taps run backwards)
        let tap = i32(kz * p.kh + ky) * kvolRow;
        let t0 = select(tap, kvol - 1 - tap, p.flip != 0u);
        let dt = select(1, -1, p.flip != 0u);
        for (var c = 0u; c < COB; c++) {
          let wi = i32(min(co0 + c, p.cout - 1u) * p.wStrideOut + ci * p.wStrideIn) + t0;
          let w0 = weight[wi];
          let w1 = weight[wi + dt];
          let w2 = weight[wi + 2 * dt];
          acc[c][0] += w0 * r.a + w1 * s1a + w2 * s2a;
          acc[c][1] += w0 * r.b + w1 * s1b + w2 * s2b;
        }
      }
    }
  }
  if (!live) { return; }
  for (var c = 0u; c < COB; c++) {
    let co = co0 + c;
    if (co >= p.cout) { break; }
    let o = (((b * p.cout + co) * p.od + z) * p.oh + y) * p.ow + u32(x0);
    for (var v = 0u; v < 8u; v++) {
      if (u32(x0) + v < p.ow) { output[o + v] = acc[c][v / 4u][v % 4u]; }
    }
  }
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

// Eight gradOutput values of one output row, x0 .. x0+7 (zero past OW or for a row outside the volume).
fn loadGradRow(rowBase: u32, x0: u32, valid: bool) -> array<vec4f, 2> {
  let p = params;
  var g: array<vec4f, 2>;
  if (p.ow % 8u == 0u) {
    let i4 = select(0u, (rowBase + x0) / 4u, valid);
    let z = select(vec4f(), vec4f(1.0), valid);
    g[0] = gradOutput4[i4] * z;
    g[1] = gradOutput4[i4 + 1u] * z;
    return g;
  }
  var v: array<f32, 8>;
  for (var j = 0u; j < 8u; j++) {
    let ok = valid && x0 + j < p.ow;
    v[j] = select(0.0, gradOutput[select(0u, rowBase + x0 + j, ok)], ok);
  }
  g[0] = vec4f(v[0], v[1], v[2], v[3]);
  g[1] = vec4f(v[4], v[5], v[6], v[7]);
  return g;
}

// Partial weight gradients, stride 1, kw = 3, kh = KH_W: workgroup_id.y = weight block (channel block of
// COB, input channel ci, tap plane kz); each invocation sums over its share of (b, z, VY-row band,
// 8-voxel chunk) tiles and writes COB × KH_W × 3 partial sums.
@compute @workgroup_size(WG)
fn gradWeightPartial(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let p = params;
  let inv = wid.x * WG + lid.x;
  if (inv >= p.invocations) { return; }
  let kz = wid.y % p.kd;
  let ci = (wid.y / p.kd) % p.cin;
  let co0 = (wid.y / (p.kd * p.cin)) * COB;
  let bands = (p.oh + VY - 1u) / VY;
  let tiles = p.b * p.od * bands * p.xBlocks;
  var acc: array<array<vec3f, 3>, 4>; // [c][ky] over kx
  for (var t = inv; t < tiles; t += p.invocations) {
    let xb = t % p.xBlocks;
    var r = t / p.xBlocks;
    let band = r % bands; r /= bands;
    let z = r % p.od;
    let b = r / p.od;
    let x0 = xb * 8u;
    let y0 = band * VY;
    let zi = i32(z + kz) - i32(p.pd);
    if (zi < 0 || zi >= i32(p.d)) { continue; }
    // gradOutput rows [c][vy]
    var g: array<array<vec4f, 2>, 16>;
    for (var c = 0u; c < COB; c++) {
      let co = min(co0 + c, p.cout - 1u);
      let live = co0 + c < p.cout;
      for (var vy = 0u; vy < VY; vy++) {
        let y = y0 + vy;
        let row = (((b * p.cout + co) * p.od + z) * p.oh + y) * p.ow;
        let gr = loadGradRow(row, x0, live && y < p.oh);
        g[c * VY + vy][0] = gr[0];
        g[c * VY + vy][1] = gr[1];
      }
    }
    let plane = (b * p.cin + ci) * p.d + u32(zi);
    for (var iy = 0u; iy < VY + KH_W - 1u; iy++) {
      let yi = i32(y0 + iy) - i32(p.ph);
      let ok = yi >= 0 && yi < i32(p.h);
      let rw = loadRow(select(0u, (plane * p.h + u32(yi)) * p.w, ok), i32(x0), ok);
      let s1a = vec4f(rw.a.yzw, rw.b.x);
      let s1b = vec4f(rw.b.yzw, rw.c.x);
      let s2a = vec4f(rw.a.zw, rw.b.xy);
      let s2b = vec4f(rw.b.zw, rw.c.xy);
      for (var ky = 0u; ky < KH_W; ky++) {
        // input row iy meets output row vy = iy - ky through tap ky
        if (iy < ky || iy - ky >= VY) { continue; }
        let vy = iy - ky;
        for (var c = 0u; c < COB; c++) {
          let ga = g[c * VY + vy][0];
          let gb = g[c * VY + vy][1];
          acc[c][ky] += vec3f(dot(ga, rw.a) + dot(gb, rw.b), dot(ga, s1a) + dot(gb, s1b), dot(ga, s2a) + dot(gb, s2b));
        }
      }
    }
  }
  let s = COB * KH_W * 3u;
  let o = (wid.y * p.invocations + inv) * s;
  for (var c = 0u; c < COB; c++) {
    for (var ky = 0u; ky < KH_W; ky++) {
      let a = acc[c][ky];
      let j = o + (c * KH_W + ky) * 3u;
      partial[j] = a.x;
      partial[j + 1u] = a.y;
      partial[j + 2u] = a.z;
    }
  }
}

// gradWeight[co, ci, kz, ky, kx] = Σ over invocations of the partial sums; one invocation per weight.
@compute @workgroup_size(WG)
fn gradWeightReduce(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let i = flat(gid, groups);
  if (i >= p.cout * p.cin * p.kd * KH_W * 3u) { return; }
  let kx = i % 3u;
  let ky = (i / 3u) % KH_W;
  let kz = (i / (3u * KH_W)) % p.kd;
  let ci = (i / (3u * KH_W * p.kd)) % p.cin;
  let co = i / (3u * KH_W * p.kd * p.cin);
  let blockIdx = ((co / COB) * p.cin + ci) * p.kd + kz;
  let s = COB * KH_W * 3u;
  var j = blockIdx * p.invocations * s + ((co % COB) * KH_W + ky) * 3u + kx;
  var acc = 0.0;
  for (var n = 0u; n < p.invocations; n++) {
    acc += partial[j];
    j += s;
  }
  gradWeight[i] = acc;
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
