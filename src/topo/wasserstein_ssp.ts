// Exact W_q matching between the finite, off-diagonal points of two diagrams: a primal–dual shortest-augmenting-
// path solver (Dijkstra with potentials) on a sparse set of candidate arcs taken from an L∞ k-d tree, then a
// certificate over ALL n·m arcs (k-d tree again, never a dense matrix) that adds missed arcs until none is left.
//
// The problem, with c_ij = ‖a_i − b_j‖∞^q and p_i = ((birth − death)/2)^q (distance to the diagonal):
//   min over partial matchings M of  Σ_(i,j)∈M c_ij + Σ_(i free) pA_i + Σ_(j free) pB_j,
// which equals the diagonal-augmented (n+m)×(n+m) assignment problem. Its LP dual is
//   max Σ u_i + Σ v_j  subject to  u_i ≤ pA_i,  v_j ≤ pB_j,  u_i + v_j ≤ c_ij for every i, j,
// so any (u, v) satisfying those bounds is a lower bound on the optimum (weak duality). The solver keeps them
// satisfied on the arcs it holds and tight on M (complementary slackness); the certificate recomputes u as the
// exact c-transform over all j, u_i = min(pA_i, min_j c_ij − v_j), with k-d tree bounds, and proves optimality
// when the primal cost and Σu + Σv agree up to floating-point rounding.
import { KdTree, linf, powq } from './kd_tree.ts';
import { type DijkstraSide, SearchSpace } from './wasserstein_search.ts';

export interface SspResult {
  /** Partner in B of each point of A, -1 = diagonal. */
  mateA: Int32Array;
  /** Partner in A of each point of B, -1 = diagonal. */
  mateB: Int32Array;
  /** Σ matched costs + Σ diagonal costs (the primal value, = W_q^q). */
  cost: number;
  /** Σu + Σv for duals made feasible on every arc: a proven lower bound on the optimum. */
  lowerBound: number;
  certified: boolean;
  /** Certificate rounds (1 when the first candidate arcs were enough) and candidate arcs held at the end. */
  rounds: number;
  arcs: number;
}

export interface SspOptions {
  /** Candidate arcs per point of A at the start (weighted nearest neighbours). */
  neighbours?: number;
  /** Certificate rounds before giving up (the result then has certified = false). */
  maxRounds?: number;
}

/** Solves the finite part exactly; coordinates are (birth, death) of A and B, all finite and off-diagonal. */
export function solveWasserstein(ax: Float64Array, ay: Float64Array, bx: Float64Array, by: Float64Array,
  q: number, opts: SspOptions = {}): SspResult {
  const n = ax.length, m = bx.length;
  const K = opts.neighbours ?? 6;
  const pA = new Float64Array(n), pB = new Float64Array(m);
  let scale = 0;
  for (let i = 0; i < n; i++) { pA[i] = powq(Math.abs(ax[i] - ay[i]) / 2, q); scale = Math.max(scale, pA[i]); }
  for (let j = 0; j < m; j++) { pB[j] = powq(Math.abs(bx[j] - by[j]) / 2, q); scale = Math.max(scale, pB[j]); }
  // NOTE: arcs violated by less than tol are not added (their effect is bounded in the certificate's gap).
  const tol = 1e-13 * scale;
  const cost = (i: number, j: number) => powq(linf(ax[i], ay[i], bx[j], by[j]), q);

  const sp = new SearchSpace(n, m);
  const A: DijkstraSide = { n, u: new Float64Array(n), p: pA, mate: new Int32Array(n).fill(-1), side: 0 };
  const B: DijkstraSide = { n: m, u: Float64Array.from(pB), p: pB, mate: new Int32Array(m).fill(-1), side: 1 };
  const tree = new KdTree(bx, by);
  tree.refreshWeights(B.u);

  // Start: v = pB (every free point of B is then in complementary slackness), u = c-transform over the K best
  // candidates; a point whose best partner is free takes it at once.
  const bestJ = new Int32Array(K), bestV = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    let cnt = 0;
    tree.searchWeighted(ax[i], ay[i], q, B.u, pA[i], (j, value) => {
      // keep the K smallest values in bestV (sorted); the search bound is the K-th once K are held
      if (cnt === K && value >= bestV[K - 1]) return bestV[K - 1];
      let s = cnt < K ? cnt++ : K - 1;
      while (s > 0 && bestV[s - 1] > value) { bestV[s] = bestV[s - 1]; bestJ[s] = bestJ[s - 1]; s--; }
      bestV[s] = value;
      bestJ[s] = j;
      return cnt === K ? Math.min(bestV[K - 1], pA[i]) : pA[i];
    });
    for (let s = 0; s < cnt; s++) sp.arcs.add(i, bestJ[s], cost(i, bestJ[s]));
    A.u[i] = cnt > 0 ? Math.min(pA[i], bestV[0]) : pA[i];
    if (cnt > 0 && bestV[0] < pA[i] && B.mate[bestJ[0]] < 0) { A.mate[i] = bestJ[0]; B.mate[bestJ[0]] = i; }
  }

  const maxRounds = opts.maxRounds ?? 50;
  let rounds = 0, lowerBound = -Infinity;
  const uFeas = new Float64Array(n);
  const found: number[] = [];
  for (;;) {
    // Restore complementary slackness: free points whose dual is below their diagonal cost.
    for (let i = 0; i < n; i++) if (A.mate[i] < 0 && A.u[i] < pA[i]) sp.search(A, B, i);
    for (let j = 0; j < m; j++) if (B.mate[j] < 0 && B.u[j] < pB[j]) sp.search(B, A, j);
    rounds++;

    // Certificate: exact c-transform of v over all of B; collect the arcs it shows to be violated.
    for (let j = 0; j < m; j++) if (B.u[j] > pB[j]) B.u[j] = pB[j];
    tree.refreshWeights(B.u);
    let violated = 0;
    for (let i = 0; i < n; i++) {
      let best = pA[i];
      found.length = 0;
      tree.searchWeighted(ax[i], ay[i], q, B.u, A.u[i], (j, value) => {
        if (value < best) best = value;
        if (value < A.u[i] - tol && found.length < 64) found.push(j);
        return A.u[i];
      });
      uFeas[i] = Math.min(A.u[i], best);
      if (found.length === 0) continue;
      violated++;
      for (const j of found) if (!sp.arcs.has(i, j)) sp.arcs.add(i, j, cost(i, j));
      // Lower u_i to feasibility; a matched arc that is no longer tight is undone, freeing both ends.
      A.u[i] = uFeas[i];
      const j0 = A.mate[i];
      if (j0 >= 0 && cost(i, j0) - A.u[i] - B.u[j0] > tol) { A.mate[i] = -1; B.mate[j0] = -1; }
    }
    if (violated === 0 || rounds >= maxRounds) {
      let s = 0;
      for (let i = 0; i < n; i++) s += uFeas[i];
      for (let j = 0; j < m; j++) s += B.u[j];
      lowerBound = s;
      if (violated === 0) break;
      if (rounds >= maxRounds) break;
    }
  }

  let primal = 0, mag = 0;
  for (let i = 0; i < n; i++) {
    primal += A.mate[i] >= 0 ? cost(i, A.mate[i]) : pA[i];
    mag += Math.abs(uFeas[i]);
  }
  for (let j = 0; j < m; j++) {
    if (B.mate[j] < 0) primal += pB[j];
    mag += Math.abs(B.u[j]);
  }
  // NOTE: the gap allowed is 1e-9 relative plus the rounding of the two sums (each term off by a few ulps).
  const slack = 1e-9 * primal + 8 * Number.EPSILON * (n + m + 2) * (mag + primal);
  const certified = lowerBound > -Infinity && primal - lowerBound <= slack;
  return { mateA: A.mate, mateB: B.mate, cost: primal, lowerBound, certified, rounds, arcs: sp.arcs.len };
}
