// 3D convolution (PyTorch Conv3d: cross-correlation, zero padding, stride) and its two gradients.
// Layouts: input [B, Cin, D, H, W], weight [Cout, Cin, kd, kh, kw], output [B, Cout, OD, OH, OW], all NCDHW
// flat f32. Threads: one invocation per element of the tensor being written (output, gradInput or
// weight), 1D over a 2D grid of WG-sized groups. Bounds: taps outside the input are zero padding.

override WG: u32 = 64;

struct Params {
  b: u32, cin: u32, cout: u32,
  d: u32, h: u32, w: u32,
  od: u32, oh: u32, ow: u32,
  kd: u32, kh: u32, kw: u32,
  sd: u32, sh: u32, sw: u32,
  pd: u32, ph: u32, pw: u32,
  hasBias: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;            // [B, Cin, D, H, W]
@group(0) @binding(2) var<storage, read> weight: array<f32>;           // [Cout, Cin, kd, kh, kw]
@group(0) @binding(3) var<storage, read> bias: array<f32>;             // [Cout] (read when hasBias)
@group(0) @binding(4) var<storage, read_write> output: array<f32>;     // [B, Cout, OD, OH, OW]
@group(0) @binding(5) var<storage, read> gradOutput: array<f32>;       // [B, Cout, OD, OH, OW]
@group(0) @binding(6) var<storage, read_write> gradInput: array<f32>;  // [B, Cin, D, H, W]
@group(0) @binding(7) var<storage, read_write> gradWeight: array<f32>; // [Cout, Cin, kd, kh, kw]

fn flat(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
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
