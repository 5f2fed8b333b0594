// Soft Dice loss as soft F1 over the whole batch, p = prediction in [0, 1], g = truth, n elements:
//   TP = Σ p g, FP = Σ p (1 − g) = P − TP, FN = Σ (1 − p) g = G − TP   (P = Σ p, G = Σ g)
//   prec = (TP + 1) / (P + 1), rec = (TP + 1) / (G + 1), loss = 1 − F,  F = 2 prec rec / (prec + rec + 1e-8)
// d loss / d p_i = A g_i + Bc with (∂F/∂prec = 2 rec (rec + e) / s², ∂F/∂rec = 2 prec (prec + e) / s²,
// s = prec + rec + e):  A = −(∂F/∂prec / (P + 1) + ∂F/∂rec / (G + 1)),  Bc = ∂F/∂prec · prec / (P + 1).
// The sums come from src/ops/reduce.ts; `finalize` (one invocation) turns them into the loss and (A, Bc);
// `backward` is elementwise (one invocation per element, 2D grid of WG groups; invocations past n return).

override WG: u32 = 256;

const EPS: f32 = 1e-8;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> sumPG: array<f32>;          // [1] TP
@group(0) @binding(2) var<storage, read> sumP: array<f32>;           // [1]
@group(0) @binding(3) var<storage, read> sumG: array<f32>;           // [1]
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;     // [1]
@group(0) @binding(5) var<storage, read_write> coef: array<f32>;     // [2]: A, Bc
@group(0) @binding(6) var<storage, read> truth: array<f32>;         // [n]
@group(0) @binding(7) var<storage, read> gradOutput: array<f32>;     // [1]
@group(0) @binding(8) var<storage, read> coefIn: array<f32>;         // [2]
@group(0) @binding(9) var<storage, read_write> gradInput: array<f32>; // [n]

@compute @workgroup_size(1)
fn finalize() {
  let tp = sumPG[0];
  let prec = (tp + 1.0) / (sumP[0] + 1.0);
  let rec = (tp + 1.0) / (sumG[0] + 1.0);
  let s = prec + rec + EPS;
  loss[0] = 1.0 - 2.0 * prec * rec / s;
  let dPrec = 2.0 * rec * (rec + EPS) / (s * s);
  let dRec = 2.0 * prec * (prec + EPS) / (s * s);
  coef[0] = -(dPrec / (sumP[0] + 1.0) + dRec / (sumG[0] + 1.0));
  coef[1] = dPrec * prec / (sumP[0] + 1.0);
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.n) { return; }
  gradInput[i] = gradOutput[0] * (coefIn[0] * truth[i] + coefIn[1]);
}
