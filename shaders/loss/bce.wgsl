// Binary cross-entropy, mean over n elements: loss = (1/n) Σ −(g log p + (1 − g) log(1 − p)).
// NOTE: as PyTorch, each log is clamped at −100 (so p = 0 or 1 exactly gives a finite loss, never 0 · −inf),
// and the gradient is (p − g) / max(p (1 − p), 1e-12) · gradOutput / n (PyTorch's formula and epsilon).
// Threads: one invocation per element (2D grid of WG groups, as elementwise.wgsl); past n return.
// `terms` writes the per-element terms, summed by src/ops/reduce.ts.

override WG: u32 = 256;

struct Params {
  n: u32,
  invN: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;          // [n] prediction p
@group(0) @binding(2) var<storage, read> truth: array<f32>;         // [n] g
@group(0) @binding(3) var<storage, read_write> terms: array<f32>;    // [n]
@group(0) @binding(4) var<storage, read> gradOutput: array<f32>;     // [1]
@group(0) @binding(5) var<storage, read_write> gradInput: array<f32>; // [n]

//!include gpu/float

// log(x) clamped at −100; x <= 0 (also a flushed subnormal) gives −100 without evaluating log(0); NaN stays
// NaN (as in PyTorch: a diverged prediction must not pass for a finite loss).
fn clampedLog(x: f32) -> f32 {
  return select(select(-100.0, max(log(x), -100.0), x > 0.0), x, isNan(x));
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.n) { return; }
  let p = input[i];
  let g = truth[i];
  terms[i] = -(g * clampedLog(p) + (1.0 - g) * clampedLog(1.0 - p));
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.n) { return; }
  let p = input[i];
  gradInput[i] = gradOutput[0] * params.invN * (p - truth[i]) / max(p * (1.0 - p), 1e-12);
}
