// The topological loss of one predicted volume against a target diagram, and its gradient with respect
// to the volume's voxels (CPU). Each dimension contributes W_q(pred, target)^q through the optimal
// matching; optionally the prediction's total persistence Σ (b − d)^q adds μ times itself. The gradient
// of a matched pair goes to its birth and death voxels (Pair.birthIndex / deathIndex).
import type { Diagrams, Pair } from './persistence.ts';
import { DIAGONAL, wasserstein } from './wasserstein.ts';

export interface DiagramLossOptions {
  dims: number[]; // homology dimensions compared (default in TopoLoss: [2], the voids)
  q: number; // 1, 2 (default) or Infinity (bottleneck: only the pair attaining the max gets a gradient)
  totalPersistence: number; // μ ≥ 0: weight of the prediction's total persistence
}

export interface DiagramLoss {
  value: number;
  perDim: number[]; // W_q^q of each dimension (index = dimension; 0 where not asked)
  persistence: number; // Σ (b − d)^q of the prediction over the chosen dimensions' finite pairs
  grad: Map<number, number>; // voxel index → ∂ value / ∂ voxel
}

type Point = { birth: number; death: number };

/** |x|^q and its derivative with respect to x. */
function powDeriv(x: number, q: number): [number, number] {
  const a = Math.abs(x);
  if (q === 1) return [a, Math.sign(x)];
  return [a ** q, q * a ** (q - 1) * Math.sign(x)];
}

function addGrad(grad: Map<number, number>, voxel: number, g: number): void {
  if (voxel < 0 || g === 0) return;
  grad.set(voxel, (grad.get(voxel) ?? 0) + g);
}

/** Cost of moving predicted point p onto target point t (L∞ ground metric), and ∂cost/∂(birth, death). */
function pairTerm(p: Point, t: Point, q: number): [number, number, number] {
  const db = p.birth - t.birth;
  const dd = p.death === -Infinity ? 0 : p.death - t.death; // essential classes: births only
  const [cb, gb] = powDeriv(db, q);
  const [cd, gd] = powDeriv(dd, q);
  if (Math.abs(db) > Math.abs(dd)) return [cb, gb, 0];
  if (Math.abs(dd) > Math.abs(db)) return [cd, 0, gd];
  // NOTE: on an exact tie |db| = |dd| the subgradient is split evenly between birth and death.
  return [cb, gb / 2, gd / 2];
}

/** Loss of one predicted diagram set against the target's, with the voxel gradient. */
export function diagramLoss(pred: Diagrams, target: Diagrams, opts: DiagramLossOptions): DiagramLoss {
  const q = opts.q;
  const grad = new Map<number, number>();
  const perDim = [0, 0, 0];
  let persistenceSum = 0;
  let bottleneck: { value: number; apply: () => void } = { value: -Infinity, apply: () => {} };
  for (const dim of opts.dims) {
    const P: Pair[] = pred.dims[dim] ?? [];
    const T: Pair[] = target.dims[dim] ?? [];
    const { matching } = wasserstein(P, T, { q });
    let sum = 0;
    const consider = (c: number, apply: () => void) => {
      if (q === Infinity) {
        if (c > bottleneck.value) bottleneck = { value: c, apply };
        sum = Math.max(sum, c);
      } else {
        sum += c;
        apply();
      }
    };
    P.forEach((p, i) => {
      const j = matching.aToB[i];
      if (j >= 0) {
        const qq = q === Infinity ? 1 : q;
        const [c, gb, gd] = pairTerm(p, T[j], qq);
        consider(c, () => {
          addGrad(grad, p.birthIndex, gb);
          addGrad(grad, p.deathIndex, gd);
        });
      } else if (j === DIAGONAL) {
        const [c, g] = powDeriv((p.birth - p.death) / 2, q === Infinity ? 1 : q);
        consider(c, () => {
          addGrad(grad, p.birthIndex, g / 2);
          addGrad(grad, p.deathIndex, -g / 2);
        });
      }
    });
    // target points left to the diagonal cost a constant: no gradient
    T.forEach((t, j) => {
      if (matching.bToA[j] === DIAGONAL) sum = q === Infinity ? Math.max(sum, Math.abs(t.birth - t.death) / 2) : sum + Math.abs((t.birth - t.death) / 2) ** q;
    });
    perDim[dim] = sum;
    if (opts.totalPersistence > 0) {
      for (const p of P) {
        if (p.death === -Infinity) continue;
        const [c, g] = powDeriv(p.birth - p.death, q === Infinity ? 1 : q);
        persistenceSum += c;
        addGrad(grad, p.birthIndex, opts.totalPersistence * g);
        addGrad(grad, p.deathIndex, -opts.totalPersistence * g);
      }
    }
  }
  if (q === Infinity) bottleneck.apply();
  const value = (q === Infinity ? Math.max(...opts.dims.map((d) => perDim[d])) : perDim.reduce((a, b) => a + b, 0)) + opts.totalPersistence * persistenceSum;
  return { value, perDim, persistence: persistenceSum, grad };
}
