// The topological loss of one predicted volume against a target diagram, and its gradient with respect
// to the volume's voxels (CPU). Each dimension contributes W_q(pred, target)^q through the optimal
// matching; optionally the prediction's total persistence Σ (b − d)^q adds μ times itself. The gradient
// of a matched pair goes to its birth and death voxels (Pair.birthIndex / deathIndex).
import { checkDims } from './arguments.ts';
import type { Diagrams, Pair } from './persistence.ts';
import { DIAGONAL, wasserstein } from './wasserstein.ts';

export interface DiagramLossOptions {
  dims: number[]; // homology dimensions compared ([2] by default: the voids, as in the paper)
  q: number; // any q ≥ 1 (2 by default), or Infinity (bottleneck: only the pair attaining the max gets a gradient)
  totalPersistence: number; // μ ≥ 0 (0 by default): weight of the prediction's total persistence
}

/** The defaults of diagramLoss and TopoLoss. */
export const LOSS_DEFAULTS: Readonly<DiagramLossOptions> = { dims: [2], q: 2, totalPersistence: 0 };

export interface DiagramLoss {
  value: number;
  perDim: number[]; // W_q^q of each dimension (index = dimension; 0 where not asked)
  persistence: number; // Σ (b − d)^q of the prediction over the chosen dimensions' finite pairs
  grad: VoxelGrad; // ∂ value / ∂ voxel where it is not zero
}

/** A sparse voxel gradient: voxel indices ascending, and their values. */
export interface VoxelGrad {
  index: Int32Array;
  value: Float64Array;
}

type Point = { birth: number; death: number };

/** |x|^q and its derivative with respect to x. */
function powDeriv(x: number, q: number): [number, number] {
  const a = Math.abs(x);
  if (q === 1) return [a, Math.sign(x)];
  return [a ** q, q * a ** (q - 1) * Math.sign(x)];
}

/**
 * Cost of moving predicted point p onto target point t (L∞ ground metric), or onto the diagonal when t is
 * null, and ∂cost/∂(birth, death).
 */
function pairTerm(p: Point, t: Point | null, q: number): [number, number, number] {
  if (!t) {
    const [c, g] = powDeriv((p.birth - p.death) / 2, q);
    return [c, g / 2, -g / 2];
  }
  const db = p.birth - t.birth;
  const dd = p.death === -Infinity ? 0 : p.death - t.death; // essential classes: births only
  const [cb, gb] = powDeriv(db, q);
  const [cd, gd] = powDeriv(dd, q);
  if (Math.abs(db) > Math.abs(dd)) return [cb, gb, 0];
  if (Math.abs(dd) > Math.abs(db)) return [cd, 0, gd];
  // NOTE: on an exact tie |db| = |dd| the subgradient is split evenly between birth and death.
  return [cb, gb / 2, gd / 2];
}

/** Throws unless dims, q and μ are ones the loss can honour (shared with TopoLoss, which checks when built). */
export function checkLossOptions(opts: DiagramLossOptions, where: string): void {
  checkDims(opts?.dims, where);
  const { q, totalPersistence: mu } = opts;
  if (!(q === Infinity || (typeof q === 'number' && q >= 1))) throw new Error(`${where}: q must be a number ≥ 1 or Infinity, got ${JSON.stringify(q)}`);
  if (!(typeof mu === 'number' && mu >= 0 && Number.isFinite(mu))) throw new Error(`${where}: totalPersistence must be a finite number ≥ 0, got ${JSON.stringify(mu)}`);
}

/**
 * Loss of one predicted diagram set against the target's, with the voxel gradient.
 * NOTE: the gradient accumulates in a dense array over the voxels the pairs name (a predicted 64³ diagram
 * has up to ~10⁵ pairs per dimension early in training: a Map and a closure per pair took most of the time).
 */
export function diagramLoss(pred: Diagrams, target: Diagrams, options: Partial<DiagramLossOptions> = {}): DiagramLoss {
  const opts = { ...LOSS_DEFAULTS, ...options };
  checkLossOptions(opts, 'diagram loss');
  for (const [name, d] of [['prediction', pred], ['target', target]] as const) {
    if (!Array.isArray(d?.dims)) throw new TypeError(`diagram loss: the ${name} is not a Diagrams object ({ dims: Pair[][] })`);
    // NOTE: a dimension not computed reads as an empty diagram: a wrong loss, not an error
    const missing = d.computed ? opts.dims.filter((k) => !d.computed!.includes(k)) : [];
    if (missing.length) throw new Error(`diagram loss: the ${name}'s diagrams hold dimensions [${d.computed!.join(', ')}], not ${missing.join(', ')} (compute them: persistence(…, { dims }))`);
  }
  const q = opts.q;
  const qq = q === Infinity ? 1 : q; // the bottleneck's pair costs are plain L∞ distances
  let top = -1;
  for (const dim of opts.dims) for (const p of pred.dims[dim] ?? []) top = Math.max(top, p.birthIndex, p.deathIndex);
  const dense = new Float64Array(top + 1);
  const add = (p: Pair, gb: number, gd: number) => {
    if (p.birthIndex >= 0) dense[p.birthIndex] += gb;
    if (p.deathIndex >= 0) dense[p.deathIndex] += gd;
  };
  const perDim = [0, 0, 0];
  let persistenceSum = 0;
  for (const dim of opts.dims) {
    // q = ∞: this dimension's term is its bottleneck distance; only the pair attaining it gets a gradient
    // (the first one found on ties), none when a target point left to the diagonal does (a constant)
    let worst = -Infinity;
    let worstGrad: [Pair, number, number] | null = null;
    const P: Pair[] = pred.dims[dim] ?? [];
    const T: Pair[] = target.dims[dim] ?? [];
    const { matching, distance } = wasserstein(P, T, { q });
    // NOTE: volumes always give one essential class in dimension 0 and none above; hand-made diagrams may not
    if (distance === Infinity) throw new Error(`diagram loss: dimension ${dim} has different numbers of essential classes (the distance is infinite)`);
    let sum = 0;
    for (let i = 0; i < P.length; i++) {
      const j = matching.aToB[i];
      const [c, gb, gd] = pairTerm(P[i], j >= 0 ? T[j] : null, qq);
      if (q !== Infinity) {
        sum += c;
        add(P[i], gb, gd);
      } else {
        sum = Math.max(sum, c);
        if (c > worst) {
          worst = c;
          worstGrad = [P[i], gb, gd];
        }
      }
    }
    // target points left to the diagonal cost a constant: no gradient
    T.forEach((t, j) => {
      if (matching.bToA[j] !== DIAGONAL) return;
      const c = Math.abs(t.birth - t.death) / 2;
      if (q !== Infinity) sum += c ** q;
      else {
        sum = Math.max(sum, c);
        if (c > worst) {
          worst = c;
          worstGrad = null;
        }
      }
    });
    perDim[dim] = sum;
    if (worstGrad) add(...worstGrad);
    if (opts.totalPersistence > 0) {
      for (const p of P) {
        if (p.death === -Infinity) continue;
        const [c, g] = powDeriv(p.birth - p.death, qq);
        persistenceSum += c;
        add(p, opts.totalPersistence * g, -opts.totalPersistence * g);
      }
    }
  }
  // Σ over the dimensions of W_q^q, and for q = ∞ of W_∞ (as the README and topo_loss.ts say)
  const value = perDim.reduce((a, b) => a + b, 0) + opts.totalPersistence * persistenceSum;
  let nz = 0;
  for (let v = 0; v <= top; v++) if (dense[v] !== 0) nz++;
  const grad: VoxelGrad = { index: new Int32Array(nz), value: new Float64Array(nz) };
  for (let v = 0, k = 0; v <= top; v++) {
    if (dense[v] === 0) continue;
    grad.index[k] = v;
    grad.value[k++] = dense[v];
  }
  return { value, perDim, persistence: persistenceSum, grad };
}
