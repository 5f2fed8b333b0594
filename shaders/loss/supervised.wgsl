// The supervised loss of SHAPR fused into three passes over vec4s (n % 4 == 0; the TS side composes the
// separate dice and bce ops otherwise), p = prediction in [0, 1], g = target, n elements:
//   dice = 1 − 2·prec·rec/(prec + rec + 1e-8), prec = (TP+1)/(P+1), rec = (TP+1)/(G+1), TP = Σ p g, P = Σ p, G = Σ g
//   bce  = (1/n) Σ −(g log p + (1 − g) log(1 − p)), each log clamped at −100 (PyTorch)
//   loss = (2·dice + bce) / 2
//   d loss / d p_i = (A g_i + Bc) + (p_i − g_i) / max(p_i (1 − p_i), 1e-12) / (2n)
// with A, Bc the dice coefficients derived in shaders/loss/dice.wgsl and PyTorch's BCE gradient.
// Threads: partialSums: workgroup w sums the four quantities over vec4s [w·WG·ITEMS, (w+1)·WG·ITEMS), each
// invocation ITEMS vec4s strided by WG, then a workgroup-memory tree; finalize: one workgroup adds the
// partials and one invocation computes the losses and (A, Bc); backward: one invocation per PER vec4s.
// Bounds: vec4s past n/4 count as 0 / are skipped.

override WG: u32 = 64;   // power of two
override ITEMS: u32 = 32;
override PER: u32 = 4;

const EPS: f32 = 1e-8;

struct Params {
  n4: u32,     // n / 4
  groups: u32, // partialSums workgroups
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<vec4f>;         // [n/4] p
@group(0) @binding(2) var<storage, read> truth: array<vec4f>;         // [n/4] g
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;   // [groups, 4]: Σpg, Σp, Σg, Σbce terms
@group(0) @binding(4) var<storage, read_write> lossOut: array<f32>;   // [1] (2·dice + bce) / 2
@group(0) @binding(5) var<storage, read_write> diceOut: array<f32>;   // [1]
@group(0) @binding(6) var<storage, read_write> bceOut: array<f32>;    // [1]
@group(0) @binding(7) var<storage, read_write> coef: array<f32>;      // [2]: A, Bc
@group(0) @binding(8) var<storage, read> gradOutput: array<f32>;      // [1]
@group(0) @binding(9) var<storage, read> coefIn: array<f32>;          // [2]
@group(0) @binding(10) var<storage, read_write> gradInput: array<vec4f>; // [n/4]

var<workgroup> s0: array<f32, WG>;
var<workgroup> s1: array<f32, WG>;
var<workgroup> s2: array<f32, WG>;
var<workgroup> s3: array<f32, WG>;

//!include gpu/float

// As bce.wgsl's: log clamped at −100, NaN kept.
fn clampedLog(x: vec4f) -> vec4f {
  return select(select(vec4f(-100.0), max(log(x), vec4f(-100.0)), x > vec4f(0.0)), x, isNan4(x));
}

// Sums s0..s3 over the workgroup into element 0.
fn tree(l: u32) {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (l < s) {
      s0[l] += s0[l + s];
      s1[l] += s1[l + s];
      s2[l] += s2[l + s];
      s3[l] += s3[l + s];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn partialSums(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let l = lid.x;
  let base = wid.x * WG * ITEMS + l;
  var pg = vec4f(0.0);
  var ps = vec4f(0.0);
  var gs = vec4f(0.0);
  var bce = vec4f(0.0);
  for (var i = 0u; i < ITEMS; i++) {
    let k = base + i * WG;
    if (k < params.n4) {
      let p = input[k];
      let g = truth[k];
      pg += p * g;
      ps += p;
      gs += g;
      bce -= g * clampedLog(p) + (1.0 - g) * clampedLog(1.0 - p);
    }
  }
  let one = vec4f(1.0);
  s0[l] = dot(pg, one);
  s1[l] = dot(ps, one);
  s2[l] = dot(gs, one);
  s3[l] = dot(bce, one);
  tree(l);
  if (l == 0u) {
    partial[wid.x * 4u] = s0[0];
    partial[wid.x * 4u + 1u] = s1[0];
    partial[wid.x * 4u + 2u] = s2[0];
    partial[wid.x * 4u + 3u] = s3[0];
  }
}

@compute @workgroup_size(WG)
fn finalize(@builtin(local_invocation_id) lid: vec3u) {
  let l = lid.x;
  var a = vec4f(0.0);
  for (var j = l; j < params.groups; j += WG) {
    a += vec4f(partial[j * 4u], partial[j * 4u + 1u], partial[j * 4u + 2u], partial[j * 4u + 3u]);
  }
  s0[l] = a.x;
  s1[l] = a.y;
  s2[l] = a.z;
  s3[l] = a.w;
  tree(l);
  if (l == 0u) {
    let tp = s0[0];
    let p1 = s1[0] + 1.0;
    let g1 = s2[0] + 1.0;
    let prec = (tp + 1.0) / p1;
    let rec = (tp + 1.0) / g1;
    let s = prec + rec + EPS;
    let dice = 1.0 - 2.0 * prec * rec / s;
    let bce = s3[0] / f32(params.n4 * 4u);
    lossOut[0] = dice + 0.5 * bce;
    diceOut[0] = dice;
    bceOut[0] = bce;
    let dPrec = 2.0 * rec * (rec + EPS) / (s * s);
    let dRec = 2.0 * prec * (prec + EPS) / (s * s);
    coef[0] = -(dPrec / p1 + dRec / g1);
    coef[1] = dPrec * prec / p1;
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let gy = gradOutput[0];
  let a = coefIn[0] * gy;
  let b = coefIn[1] * gy;
  let h = 0.5 * gy / f32(params.n4 * 4u);
  let stride = groups.x * WG;
  for (var k = 0u; k < PER; k++) {
    let i = gid.x + k * stride;
    if (i < params.n4) {
      let p = input[i];
      let g = truth[i];
      gradInput[i] = a * g + b + h * (p - g) / max(p * (1.0 - p), vec4f(1e-12));
    }
  }
}
