// Exact W_q matching between the finite, off-diagonal points of two diagrams, in three steps, all on L∞ k-d
// trees (memory O(n + m + arcs generated), never a dense matrix):
// 1. a forward–reverse auction with ε-scaling (wasserstein_auction.ts) gives near-optimal duals and a matching
//    (small problems: over the explicit arcs that can matter, c_ij ≤ pA_i + pB_j, found by one dense pass);
// 2. exact primal–dual shortest augmenting paths (Dijkstra with potentials, wasserstein_search.ts) from every
//    point whose complementary slackness is broken, with candidate arcs generated on demand from the trees;
// 3. a certificate over ALL n·m arcs that adds any arc it finds violated and repeats 2 (rarely needed).
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
import { arcGraph, arcShare, auctionGraph, auctionReduced } from './wasserstein_auction.ts';
import { type ArcList, type DijkstraSide, type LazyArcs, SearchSpace } from './wasserstein_search.ts';

/** NOTE: up to 2^18 point pairs (e.g. 500 × 500) the auction bids over explicit arcs (arcGraph, ≤ 24 bytes per
 * pair kept) instead of k-d tree searches: 1.1–1.9× faster on the 16³ diagrams of harness/bench/wasserstein_cases.ts
 * (50–400 points); at 640 × 650 (16³ noise, dimension 1) it was 1.2–1.5× slower, the rows being long (~250 arcs). */
const DENSE_MAX = 2 ** 18;
/** NOTE: ... and only while the explicit graph would keep at most 48 arcs per point (estimated by arcShare): on the
 * 16³ noise diagrams of dimension 0 (34 arcs per point) the explicit graph was 1.5× faster, on those of dimension 2
 * (72 per point) the k-d tree auction was 1.2–1.5× faster. */
const DENSE_ARCS = 48;

/** NOTE: first auction ε = 36·ε_final. With the auction's start (v = half the cost to the nearest partner) the
 * coarse phases from max p / 100 only cost bids: the ~10k-point noise cases need 284–367k bids instead of
 * 468–616k (36 was better than 6 and 216 on all three). */
const START_RATIO = 36;

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
  /** Points sent to the diagonal before the solve, for having no arc cheaper than the two diagonal costs. */
  dropped?: number;
  /** Certificate rounds (1 when the first candidate arcs were enough) and candidate arcs held at the end. */
  rounds: number;
  arcs: number;
  /** The feasible duals that prove it (see certifyMatching). */
  u: Float64Array;
  v: Float64Array;
  /** Shortest-path searches and auction bids run (for benchmarks). */
  searches: number;
  bids: number;
}

/** diagonalCap, and test seams: each of the others forces one path so that the tests can check it against brute force. */
export interface SspOptions {
  /**
   * A bound above the optimum: diagonal costs above it are lowered to it, which changes no optimal matching
   * (sending such a point to the diagonal costs more than the optimum anyway) but keeps the duals, which rise
   * up to the diagonal costs, near the scale of the optimum. NOTE: at q = 300 one persistent point's diagonal
   * cost of 1e132 against an optimum of about 1 left no precision in the reduced costs: wrong matchings.
   */
  diagonalCap?: number;
  /** 'auction' (default): forward–reverse ε-scaling auction first; 'greedy': v = pB, nearest free partners. */
  start?: 'auction' | 'greedy';
  /** Largest n·m for which the auction runs on the explicit arc graph (arcGraph) instead of the k-d trees. */
  denseMax?: number;
  /** Largest estimated number of kept arcs per point for the explicit arc graph (default 48). */
  denseArcs?: number;
  /** Raise v to the c-transform of u after the auction (default true; see solveCore). */
  retighten?: boolean;
}

/** Relative tolerance of a reduced cost (see slack). */
const TOL = 1e-13;

/**
 * Whether the reduced cost c − u − v of an arc is positive beyond `rel` times the largest of its terms (their
 * rounding). NOTE: relative to the arc's own terms: one tolerance from the largest diagonal cost (1e-13 · max p)
 * hid every arc among the small points when two points sat at ±1e6.
 */
function slack(c: number, u: number, v: number, rel = TOL): boolean {
  return c - u - v > rel * Math.max(c, Math.abs(u), Math.abs(v));
}

/** Certificate rounds before giving up (the result then has certified = false; never reached, see repairViolations). */
const MAX_ROUNDS = 20;

/**
 * Solves the finite part exactly; coordinates are (birth, death) of A and B, all finite and off-diagonal.
 * NOTE: a point with no arc cheaper than the two diagonal costs, c_ij ≥ pA_i + pB_j for every partner j, goes
 * to the diagonal in some optimal matching (any pair (i, j) it is in can be split at no loss), so such points
 * leave the problem before it is solved; the certificate then covers all points, with u_i = pA_i (v_j = pB_j)
 * for them. A predicted diagram of 10⁴–10⁵ small features against a cell's few points (the loss's usual pair)
 * shrinks to the handful of points near the target's.
 */
export function solveWasserstein(ax: Float64Array, ay: Float64Array, bx: Float64Array, by: Float64Array,
  q: number, opts: SspOptions = {}): SspResult {
  const n = ax.length, m = bx.length;
  const cap = opts.diagonalCap ?? Infinity;
  const pA = new Float64Array(n), pB = new Float64Array(m);
  for (let i = 0; i < n; i++) pA[i] = Math.min(powq(Math.abs(ax[i] - ay[i]) / 2, q), cap);
  for (let j = 0; j < m; j++) pB[j] = Math.min(powq(Math.abs(bx[j] - by[j]) / 2, q), cap);
  // NOTE: filtering costs about two tree queries per point (the test and a certificate over all points); it
  // pays when half or more of a side's points leave, judged on 32 of them. On 16³ smoothed noise, dimension 2,
  // 21% leave and filtering took 1.8× longer; on two noise diagrams almost none do (16³: 12 of 1,290). A's tree
  // is built only when needed: not when B is empty (a target without cycles or voids) or small enough to make
  // most of A useless.
  const treeB = new KdTree(bx, by);
  let keepA: Int32Array, keepB: Int32Array, subA: KdTree, subB: KdTree;
  if (uselessShare(ax, ay, pA, treeB, pB, q) >= 0.5) {
    ({ keep: keepA, keepOther: keepB, tree: subA } = dropUseless(ax, ay, pA, treeB, bx, by, pB, q));
    subB = new KdTree(pick(bx, keepB), pick(by, keepB));
  } else {
    const treeA = new KdTree(ax, ay);
    if (uselessShare(bx, by, pB, treeA, pA, q) < 0.5) return solveCore(ax, ay, bx, by, pA, pB, treeA, treeB, q, opts);
    ({ keep: keepB, keepOther: keepA, tree: subB } = dropUseless(bx, by, pB, treeA, ax, ay, pA, q));
    subA = new KdTree(pick(ax, keepA), pick(ay, keepA));
  }
  const r = solveCore(subA.x, subA.y, subB.x, subB.y, pick(pA, keepA), pick(pB, keepB), subA, subB, q, opts);
  const mateA = new Int32Array(n).fill(-1), mateB = new Int32Array(m).fill(-1);
  const u = Float64Array.from(pA), v = Float64Array.from(pB);
  keepA.forEach((i, t) => {
    u[i] = r.u[t];
    if (r.mateA[t] >= 0) { mateA[i] = keepB[r.mateA[t]]; mateB[keepB[r.mateA[t]]] = i; }
  });
  keepB.forEach((j, t) => { v[j] = r.v[t]; });
  const cert = certifyMatching(ax, ay, bx, by, q, mateA, mateB, u, v, treeB, cap);
  return { ...r, mateA, mateB, cost: cert.cost, lowerBound: cert.lowerBound, certified: cert.certified, u: cert.u, v: cert.v,
    dropped: n - keepA.length + m - keepB.length };
}

const pick = (v: Float64Array, keep: Int32Array) => Float64Array.from(keep, (k) => v[k]);

/**
 * The useful points of side S (tested against the other side's full tree T), a tree over them, and the useful
 * points of the other side, tested against S's kept points only: that is enough, since a dropped point of S
 * has no cheap arc to any point.
 */
function dropUseless(sx: Float64Array, sy: Float64Array, pS: Float64Array, T: KdTree, ox: Float64Array, oy: Float64Array, pO: Float64Array,
  q: number): { keep: Int32Array; keepOther: Int32Array; tree: KdTree } {
  const keep = usefulPoints(sx, sy, pS, T, pO, q);
  const tree = new KdTree(pick(sx, keep), pick(sy, keep));
  return { keep, keepOther: usefulPoints(ox, oy, pO, tree, pick(pS, keep), q), tree };
}

/** Whether point i has an arc cheaper than both diagonal costs to some point of the other side's tree. */
function useful(x: Float64Array, y: Float64Array, p: Float64Array, i: number, other: KdTree, pOther: Float64Array, q: number): boolean {
  other.minWeighted(x[i], y[i], q, pOther, p[i]);
  return other.bestIndex >= 0;
}

/** The points of one side that are useful (see useful). */
function usefulPoints(x: Float64Array, y: Float64Array, p: Float64Array, other: KdTree, pOther: Float64Array, q: number): Int32Array {
  const keep = new Int32Array(x.length);
  let k = 0;
  if (other.n === 0) return keep.subarray(0, 0);
  other.refreshWeights(pOther);
  for (let i = 0; i < x.length; i++) if (useful(x, y, p, i, other, pOther, q)) keep[k++] = i;
  return keep.subarray(0, k);
}

/** The share of not-useful points among up to 32 evenly spaced ones of a side (0 for an empty side). */
function uselessShare(x: Float64Array, y: Float64Array, p: Float64Array, other: KdTree, pOther: Float64Array, q: number): number {
  const n = x.length;
  if (n === 0) return 0;
  if (other.n === 0) return 1;
  other.refreshWeights(pOther);
  const k = Math.min(n, 32);
  let useless = 0;
  for (let t = 0; t < k; t++) if (!useful(x, y, p, Math.floor((t * n) / k), other, pOther, q)) useless++;
  return useless / k;
}

/** solveWasserstein on points that may all take part; pA, pB are their diagonal costs, the trees over them. */
function solveCore(ax: Float64Array, ay: Float64Array, bx: Float64Array, by: Float64Array, pA: Float64Array, pB: Float64Array,
  treeA: KdTree, treeB: KdTree, q: number, opts: SspOptions): SspResult {
  const n = ax.length, m = bx.length;
  // NOTE: reduced costs within TOL of their terms are 0 (see slack), and arcs violated by less are not added
  // (their effect is bounded in the certificate's gap).
  const cost = (i: number, j: number) => powq(linf(ax[i], ay[i], bx[j], by[j]), q);

  const sp = new SearchSpace(n, m);
  const A: DijkstraSide = { n, u: new Float64Array(n), p: pA, mate: new Int32Array(n).fill(-1), side: 0 };
  const B: DijkstraSide = { n: m, u: Float64Array.from(pB), p: pB, mate: new Int32Array(m).fill(-1), side: 1 };

  // Start from the auction's near-optimal v (or v = pB when a side is empty).
  let bids = 0;
  // NOTE: final ε from the typical (median) diagonal cost, not the largest: one far point must not make ε
  // coarser than the costs of the many points near the diagonal. 10·median/(n+m) balanced auction bids against
  // search work on the 32³ reference diagrams; the exact phase makes any ε correct.
  const eps = 10 * medianOf(pA, pB) / (n + m);
  // NOTE: first arc level 4ε above u: after the auction the searches rarely need to look farther
  const gap0 = 4 * eps;
  if (n > 0 && m > 0 && (opts.start ?? 'auction') === 'auction') {
    const arcsMax = (opts.denseArcs ?? DENSE_ARCS) * (n + m);
    const small = n * m <= (opts.denseMax ?? DENSE_MAX) && (n * m <= arcsMax || arcShare(ax, ay, bx, by, q, pA, pB) * n * m <= arcsMax);
    const st = small
      ? auctionGraph(arcGraph(ax, ay, bx, by, q, pA, pB), pA, pB, eps, START_RATIO * eps)
      : auctionReduced(treeB, treeA, ax, ay, bx, by, pA, pB, q, eps, START_RATIO * eps);
    B.u.set(st.v); A.mate.set(st.mateA); B.mate.set(st.mateB);
    bids = st.bids;
  }
  treeB.refreshWeights(B.u);
  // u = exact c-transform of v: feasible on every arc (NOTE: capped by the own pair's value, one of the options,
  // so the tree prunes from the start).
  const bestB = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = A.mate[i];
    A.u[i] = treeB.minWeighted(ax[i], ay[i], q, B.u, j >= 0 ? Math.min(pA[i], cost(i, j) - B.u[j]) : pA[i]);
    bestB[i] = treeB.bestIndex;
  }
  // then v = c-transform of u (only rises, stays feasible): a matched pair is tight when its A point is its B
  // point's best. NOTE: the auction leaves most pairs up to ε slack on the A side; this second transform makes
  // part of them tight again, so fewer are undone below and fewer searches run.
  if (opts.retighten ?? true) {
    treeA.refreshWeights(A.u);
    for (let j = 0; j < m; j++) {
      const i = B.mate[j];
      B.u[j] = treeA.minWeighted(bx[j], by[j], q, A.u, i >= 0 ? Math.min(pB[j], cost(i, j) - A.u[i]) : pB[j]);
    }
  }
  // a matched pair left slack is undone; a free point takes its best partner when that one is free too (tight by
  // construction)
  for (let i = 0; i < n; i++) {
    const j = A.mate[i], bj = bestB[i];
    if (j >= 0 && slack(cost(i, j), A.u[i], B.u[j])) { A.mate[i] = -1; B.mate[j] = -1; }
    if (A.mate[i] < 0 && bj >= 0 && B.mate[bj] < 0) { A.mate[i] = bj; B.mate[bj] = i; }
  }

  // Arcs on demand (see LazyArcs): when a search nears point i's level, double the gap above u_i (at least 4ε)
  // and add every partner below the new level (capped at the diagonal cost: arcs above it never help). NOTE: each phase searches
  // from one side only, so the other side's duals only fall and the k-d tree's node maxima (refreshed at the
  // start of the phase) stay upper bounds; levels are reset at the start of a phase.
  const lazyFor = (S: DijkstraSide, O: DijkstraSide, tree: KdTree, sx: Float64Array, sy: Float64Array): LazyArcs => {
    const level = new Float64Array(S.n).fill(-Infinity);
    const stamp = new Int32Array(O.n);
    let stampId = 0;
    const head = S.side === 0 ? sp.arcs.headA : sp.arcs.headB;
    return {
      level,
      expand(i: number) {
        const u = S.u[i];
        const L = Math.min(S.p[i], u + Math.max(2 * (level[i] - u), gap0, TOL * Math.max(Math.abs(u), S.p[i])));
        stampId++;
        const next = S.side === 0 ? sp.arcs.nextA : sp.arcs.nextB, other = S.side === 0 ? sp.arcs.b : sp.arcs.a;
        for (let e = head[i]; e >= 0; e = next[e]) stamp[other[e]] = stampId;
        tree.searchWeighted(sx[i], sy[i], q, O.u, L, (j) => {
          if (stamp[j] !== stampId) {
            stamp[j] = stampId;
            if (S.side === 0) sp.arcs.add(i, j, cost(i, j)); else sp.arcs.add(j, i, cost(j, i));
          }
          return L;
        });
        level[i] = L;
      },
    };
  };
  const lazyA = lazyFor(A, B, treeB, ax, ay), lazyB = lazyFor(B, A, treeA, bx, by);

  let rounds = 0, searches = 0;
  for (;;) {
    rounds++;
    // Row phase: free points of A whose dual is below their diagonal cost (complementary slackness broken).
    treeB.refreshWeights(B.u);
    lazyA.level.fill(-Infinity);
    for (let i = 0; i < n; i++) if (A.mate[i] < 0 && A.u[i] < pA[i]) { searches++; sp.search(A, B, i, lazyA); }
    // Column phase: first raise each such v_j to its c-transform over A (stays feasible), then search.
    treeA.refreshWeights(A.u);
    lazyB.level.fill(-Infinity);
    for (let j = 0; j < m; j++) {
      if (B.mate[j] >= 0 || B.u[j] >= pB[j]) continue;
      B.u[j] = treeA.minWeighted(bx[j], by[j], q, A.u, pB[j]);
      if (B.u[j] < pB[j]) { searches++; sp.search(B, A, j, lazyB); }
    }

    const violated = repairViolations(ax, ay, bx, by, q, A, B, treeB, sp.arcs, TOL);
    if (violated === 0 || rounds >= MAX_ROUNDS) break;
  }

  const cert = certifyMatching(ax, ay, bx, by, q, A.mate, B.mate, A.u, B.u, treeB, opts.diagonalCap);
  return { mateA: A.mate, mateB: B.mate, cost: cert.cost, lowerBound: cert.lowerBound, certified: cert.certified,
    rounds, arcs: sp.arcs.len, searches, bids, u: cert.u, v: cert.v };
}

/**
 * One certificate round of solveCore: the exact c-transform of v over all of B shows which arcs the duals violate
 * (c_ij − u_i − v_j < −tol, tol = rel · max(c_ij, |u_i|, |v_j|, pA_i): the rounding of the arc's own terms, as
 * in slack) although the searches never generated them. Each such arc (up to 64 per point) joins
 * `arcs`, u_i falls to feasibility over every j, and a matched arc no longer tight is undone (freeing both ends,
 * so the next phases search again). Returns the number of points of A that had a violated arc. NOTE: no benchmark
 * case and none of 24k random instances needed a second round (the lazy arcs' invariant, see LazyArcs, keeps the
 * duals feasible up to tol); this round checks that invariant over all n·m arcs instead of trusting it.
 */
export function repairViolations(ax: Float64Array, ay: Float64Array, bx: Float64Array, by: Float64Array, q: number,
  A: DijkstraSide, B: DijkstraSide, treeB: KdTree, arcs: ArcList, rel: number): number {
  const cost = (i: number, j: number) => powq(linf(ax[i], ay[i], bx[j], by[j]), q);
  const found: number[] = [];
  treeB.refreshWeights(B.u);
  let violated = 0;
  for (let i = 0; i < A.n; i++) {
    const tol = rel * Math.max(Math.abs(A.u[i]), A.p[i]);
    // NOTE: first only whether any arc is violated (no callback per point); the arcs are collected when one is
    treeB.minWeighted(ax[i], ay[i], q, B.u, A.u[i] - tol);
    if (treeB.bestIndex < 0) continue;
    let best = A.p[i];
    found.length = 0;
    treeB.searchWeighted(ax[i], ay[i], q, B.u, A.u[i], (j, value) => {
      // NOTE: violated beyond the rounding of c_ij − v_j itself: with |v_j| ≫ |u_i| (q = 8: 0.046 against 2e-8)
      // a tolerance from u_i and p_i alone saw a 1e-18 rounding as a violation, and lowering u_i by it undid a
      // tight matched pair that the next search re-made, round after round, until the round limit
      if (value < A.u[i] - Math.max(tol, rel * Math.max(cost(i, j), Math.abs(B.u[j]))) && found.length < 64) {
        found.push(j);
        if (value < best) best = value;
      }
      return A.u[i];
    });
    if (found.length === 0) continue;
    violated++;
    for (const j of found) if (!arcs.has(i, j)) arcs.add(i, j, cost(i, j));
    // Lower u_i to feasibility; a matched arc that is no longer tight is undone, freeing both ends.
    A.u[i] = Math.min(A.u[i], best);
    const j0 = A.mate[i];
    if (j0 >= 0 && slack(cost(i, j0), A.u[i], B.u[j0], rel)) { A.mate[i] = -1; B.mate[j0] = -1; }
  }
  return violated;
}

export interface Certificate {
  /** Cost of the matching (Σ matched c + Σ diagonal p). */
  cost: number;
  /** Σu + Σv after making (u, v) feasible on every arc: a proven lower bound on the optimum. */
  lowerBound: number;
  certified: boolean;
  /** The feasible duals used. */
  u: Float64Array;
  v: Float64Array;
}

/**
 * Checks that a matching is optimal, given duals (u for A, v for B) that should prove it: v is capped at pB, u is
 * replaced by its exact c-transform min(u_i, pA_i, min_j c_ij − v_j) over ALL j (k-d tree, branch and bound on
 * box distance minus the node's largest v), so Σu + Σv is a lower bound on every matching's cost (LP weak
 * duality). certified = cost − lowerBound ≤ 1e-9·cost + the rounding of the two sums. Any matching, any duals.
 * With a diagonal cap (see SspOptions) the duals are those of the capped problem, whose optimum is no larger,
 * so their sum still bounds the true optimum from below; the cost is the matching's true cost.
 */
export function certifyMatching(ax: Float64Array, ay: Float64Array, bx: Float64Array, by: Float64Array, q: number,
  mateA: Int32Array, mateB: Int32Array, uIn: Float64Array, vIn: Float64Array, treeB?: KdTree, cap = Infinity): Certificate {
  const n = ax.length, m = bx.length;
  const tree = treeB ?? new KdTree(bx, by);
  const v = new Float64Array(m), u = new Float64Array(n);
  let cost = 0, lb = 0, mag = 0;
  for (let j = 0; j < m; j++) {
    const p = powq(Math.abs(bx[j] - by[j]) / 2, q);
    v[j] = Math.min(vIn[j], p, cap);
    if (mateB[j] < 0) cost += p;
    else if (mateA[mateB[j]] !== j) throw new RangeError('certifyMatching: mateA and mateB disagree');
  }
  tree.refreshWeights(v);
  for (let i = 0; i < n; i++) {
    const p = powq(Math.abs(ax[i] - ay[i]) / 2, q);
    const j = mateA[i];
    cost += j >= 0 ? powq(linf(ax[i], ay[i], bx[j], by[j]), q) : p;
    u[i] = tree.minWeighted(ax[i], ay[i], q, v, Math.min(uIn[i], p, cap));
  }
  for (let i = 0; i < n; i++) { lb += u[i]; mag += Math.abs(u[i]); }
  for (let j = 0; j < m; j++) { lb += v[j]; mag += Math.abs(v[j]); }
  // NOTE: the gap allowed is 1e-9 relative plus the rounding of the two sums (each term off by a few ulps); where
  // that rounding alone exceeds 1e-6 of the cost (duals far larger than the cost: two points at ±1e6 among small
  // ones gave 1.6 times the cost), the bound proves nothing and the matching is not called certified
  const tight = (bound: number, size: number) => {
    const round = 8 * Number.EPSILON * (n + m + 2) * (size + cost);
    return cost - bound <= 1e-9 * cost + round && round <= 1e-6 * cost;
  };
  // NOTE: a cost of 0 is optimal whatever the duals, since no cost is negative (a diagram against itself
  // was not certified: its duals are nonzero, and no rounding is below 1e-6 of 0)
  if (cost === 0 || tight(lb, mag)) return { cost, lowerBound: lb, certified: true, u, v };
  // NOTE: duals near the diagonal costs cannot certify a tiny cost in float64 (a diagram against a copy
  // moved by 1e-9: cost 6e-18 beside duals of 0.1). v = 0 with u_i = min(pA_i, min_j c_ij) is feasible too,
  // and as small as the cost when every B point is matched to its nearest A point.
  const zero = new Float64Array(m);
  tree.refreshWeights(zero);
  const u0 = new Float64Array(n);
  let lb0 = 0;
  for (let i = 0; i < n; i++) {
    u0[i] = tree.minWeighted(ax[i], ay[i], q, zero, powq(Math.abs(ax[i] - ay[i]) / 2, q));
    lb0 += u0[i];
  }
  if (tight(lb0, lb0)) return { cost, lowerBound: lb0, certified: true, u: u0, v: zero };
  return { cost, lowerBound: lb, certified: false, u, v };
}

/** Median of the values of two arrays together (0 when both are empty). */
function medianOf(x: Float64Array, y: Float64Array): number {
  const all = new Float64Array(x.length + y.length);
  all.set(x); all.set(y, x.length);
  all.sort();
  return all.length === 0 ? 0 : all[all.length >> 1];
}
