// Start for the exact Wasserstein matcher: a forward–reverse auction with ε-scaling (Bertsekas) on the reduced
// problem: points of A bid for points of B (or take their private diagonal at pA), points of B left without a
// partner bid back for points of A (or take their diagonal at pB). Best and second-best partners over a whole
// side come from its k-d tree (weights = the other side's duals), never a matrix. The result is only a
// near-optimal dual v for B and a matching; exactness comes from the shortest-path phase and the certificate.
//
// NOTE (measured on the ~10k-point noise diagrams of harness/bench/wasserstein_cases.ts): the bids take ~70% of the
// matcher's CPU, and their number is the limit, not their cost (a bid visits ~26 points, close to the ~18 that its
// final bound leaves). A bid leaves its bidder exactly ε of slack, so each new phase (ε/6) finds 75–95% of the points
// of A out of ε-complementary slackness and auctions them again (~15 bids each); in the reverse stage the few free
// points of B chain ~360 bids each to a free point of A, the only sinks when n ≈ m. Tried without gain: per-bidder
// shortlists of the k best partners (stale after ~70% of the bids, as prices drift), a k-nearest-neighbour arc graph
// (bids then scan as many partners), raising prices to remove the slack at a phase start, other ε schedules, leaf
// sizes and ε_final, and ending the auction earlier (the exact phase's searches then explore far more).
import { type KdTree, linf, powq } from './kd_tree.ts';

/**
 * NOTE: bids per point before the auction stops where it is (the exact phase finishes from any state): with ε
 * far below the gaps between costs (a diagram with points at 1e-50 and at 1 sets ε from the median), two
 * near-equal options were bid up by ε at a time, 1e48 bids. The benchmark cases take 7–18 bids per point.
 */
const BID_BUDGET = 200;

export interface AuctionResult {
  /** Dual of each point of B (≤ pB). */
  v: Float64Array;
  /** Real pairs (a, b) of the final assignment; -1 = diagonal. */
  mateA: Int32Array;
  mateB: Int32Array;
  bids: number;
}

/**
 * ε = epsStart (at least startEps of the first prices), /FACTOR, ... down to epsFinal; the matching is kept from
 * one ε to the next and only the points no longer within ε of their best option bid again. ε-complementary
 * slackness: each point's cost (pair or diagonal) is within ε of its best option. Tree weights are overwritten.
 */
export function auctionReduced(tree: KdTree, treeA: KdTree, ax: Float64Array, ay: Float64Array, bx: Float64Array,
  by: Float64Array, pA: Float64Array, pB: Float64Array, q: number, epsFinal: number, epsStart: number): AuctionResult {
  const n = pA.length, m = pB.length;
  // NOTE: the first prices are min(pB_j, half the cost to j's nearest point of A), not pB (an empty market's):
  // 35–45% fewer bids on the ~10k-point noise diagrams of harness/bench/wasserstein_cases.ts, about half at 16³.
  const v = Float64Array.from(pB);
  const zero = new Float64Array(n);
  treeA.refreshWeights(zero);
  for (let j = 0; j < m; j++) v[j] = Math.min(v[j], treeA.minWeighted(bx[j], by[j], q, zero, Infinity) / 2);
  epsStart = Math.max(epsStart, startEps(v, epsFinal));
  tree.refreshWeights(v);
  const mateA = new Int32Array(n).fill(-1), mateB = new Int32Array(m).fill(-1);
  const queue = new Int32Array(n + 1);
  // each bidder's best two of its last bid, the next bid's first guesses (see KdTree.bestTwo)
  const hint1 = new Int32Array(n).fill(-1), hint2 = new Int32Array(n).fill(-1);
  let bids = 0;
  const budget = BID_BUDGET * (n + m);
  const cost = (i: number, j: number) => {
    const d = Math.max(Math.abs(ax[i] - bx[j]), Math.abs(ay[i] - by[j]));
    return powq(d, q);
  };
  for (let eps = Math.max(epsStart, epsFinal); ; eps = nextEps(eps, epsFinal)) {
    let qh = 0, qt = 0;
    const push = (k: number) => { queue[qt] = k; qt = qt === n ? 0 : qt + 1; };
    tree.refreshWeights(v);
    for (let i = 0; i < n; i++) {
      const j = mateA[i];
      const mine = j >= 0 ? cost(i, j) - v[j] : pA[i];
      // NOTE: the own pair's value as the first bound (it is one of the options): the tree prunes from the start
      const h1 = tree.minWeighted(ax[i], ay[i], q, v, mine < pA[i] ? mine : pA[i]);
      if (mine > h1 + eps) {
        if (j >= 0) { mateA[i] = -1; mateB[j] = -1; }
        push(i);
      }
    }
    while (qh !== qt && bids < budget) {
      const k = queue[qh];
      qh = qh === n ? 0 : qh + 1;
      if (++bids % (n + m) === 0) tree.refreshWeights(v);
      const j1 = tree.bestTwo(ax[k], ay[k], q, v, pA[k], hint1[k], hint2[k]);
      hint1[k] = j1; hint2[k] = tree.secondIndex;
      if (j1 < 0) continue; // the diagonal is best: stays free
      v[j1] -= tree.best[1] - tree.best[0] + eps;
      tree.lowerWeight(j1, v); // NOTE: bounds kept tight after each bid: 1.6× fewer tree nodes visited
      const old = mateB[j1];
      mateA[k] = j1;
      mateB[j1] = k;
      if (old >= 0) { mateA[old] = -1; push(old); }
    }
    bids += reverseStage(treeA, bx, by, pA, pB, q, eps, v, mateA, mateB, cost, budget - bids);
    if (eps === epsFinal || bids >= budget) break;
  }
  return { v, mateA, mateB, bids };
}

/** A floor for auctionReduced's first ε: 15 × the mean first price, but at most 6^4·ε_final. NOTE: 36·ε_final
 * alone (ε_final from the median diagonal cost) started far too fine where most points hug the diagonal and a few
 * are far (the bench's synthetic 10k: 517k bids, 247k with the floor; torus/discocyte dim 1: 148k → 97k); the
 * cap keeps the phase count ≤ 5, as each phase costs n searches (synthetic 1000 went from 17 to 28 ms with 7
 * phases); on the noise diagrams the floor stays below 36·ε_final and changes nothing. It costs
 * stomatocyte/shell dim 0 (~1000 points) 26% more bids. */
function startEps(v: Float64Array, epsFinal: number): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j];
  return v.length === 0 ? 0 : Math.min(15 * s / v.length, 1296 * epsFinal);
}

/** ε-scaling factor (4 and 10 were no faster on the noise diagrams of harness/bench/wasserstein_cases.ts). */
const FACTOR = 6;

/** The next ε of the scaling. NOTE: within a relative 1e-9 of epsFinal it is epsFinal: with epsStart = 36·epsFinal
 * and factor 6, rounding made the third ε a hair above epsFinal and cost a fourth, whole phase (12% of the bids). */
function nextEps(eps: number, epsFinal: number): number {
  const next = eps / FACTOR;
  return next <= epsFinal * (1 + 1e-9) ? epsFinal : next;
}

// Points of B left without a partner while their dual is below their diagonal cost bid for points of A: object j
// takes the point a1 with the smallest c − u_a, lowering u_a1 so that j is only ε better than its second choice;
// a1's previous partner is left and bids in turn. Keeps ε-complementary slackness on both sides.
function reverseStage(treeA: KdTree, bx: Float64Array, by: Float64Array,
  pA: Float64Array, pB: Float64Array, q: number, eps: number, v: Float64Array, mateA: Int32Array, mateB: Int32Array,
  cost: (i: number, j: number) => number, limit: number): number {
  const n = pA.length, m = pB.length;
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = mateA[i] >= 0 ? cost(i, mateA[i]) - v[mateA[i]] : pA[i];
  treeA.refreshWeights(u);
  const queue = new Int32Array(m + 1);
  const hint1 = new Int32Array(m).fill(-1), hint2 = new Int32Array(m).fill(-1);
  let qh = 0, qt = 0, bids = 0;
  const push = (j: number) => { queue[qt] = j; qt = qt === m ? 0 : qt + 1; };
  for (let j = 0; j < m; j++) if (mateB[j] < 0 && v[j] < pB[j] - eps) push(j);
  while (qh !== qt && bids < limit) {
    const j = queue[qh];
    qh = qh === m ? 0 : qh + 1;
    if (++bids % (n + m) === 0) treeA.refreshWeights(u);
    const a1 = treeA.bestTwo(bx[j], by[j], q, u, pB[j], hint1[j], hint2[j]);
    hint1[j] = a1; hint2[j] = treeA.secondIndex;
    if (a1 < 0) { v[j] = pB[j]; continue; } // its diagonal is best
    v[j] = Math.min(pB[j], treeA.best[1] + eps);
    u[a1] = cost(a1, j) - v[j];
    treeA.lowerWeight(a1, u);
    const old = mateA[a1];
    mateA[a1] = j;
    mateB[j] = a1;
    if (old >= 0) { mateB[old] = -1; if (v[old] < pB[old] - eps) push(old); }
  }
  return bids;
}

/** Every arc that can matter, as CSR on both sides: A-point i's arcs are adjA[startA[i] .. startA[i+1]). */
export interface ArcGraph {
  startA: Int32Array; adjA: Int32Array; costA: Float64Array;
  startB: Int32Array; adjB: Int32Array; costB: Float64Array;
}

/**
 * All arcs with c_ij ≤ pA_i + pB_j, by one dense pass over the n·m pairs (small problems only). NOTE: the arcs
 * left out can neither be in an optimal matching (both points to the diagonal is cheaper) nor be violated by
 * duals with u ≤ pA and v ≤ pB, so the reduced problem has the same optimum and the same dual certificate.
 */
export function arcGraph(ax: Float64Array, ay: Float64Array, bx: Float64Array, by: Float64Array, q: number,
  pA: Float64Array, pB: Float64Array): ArcGraph {
  const n = ax.length, m = bx.length;
  let adj = new Int32Array(Math.max(16, 4 * (n + m))), cst = new Float64Array(adj.length);
  const startA = new Int32Array(n + 1), startB = new Int32Array(m + 1);
  let len = 0;
  for (let i = 0; i < n; i++) {
    const x = ax[i], y = ay[i], p = pA[i];
    for (let j = 0; j < m; j++) {
      const dx = Math.abs(x - bx[j]), dy = Math.abs(y - by[j]);
      const d = dx > dy ? dx : dy;
      const c = powq(d, q);
      if (c > p + pB[j]) continue;
      if (len === adj.length) {
        const a2 = new Int32Array(2 * len); a2.set(adj); adj = a2;
        const c2 = new Float64Array(2 * len); c2.set(cst); cst = c2;
      }
      adj[len] = j; cst[len++] = c;
      startB[j + 1]++;
    }
    startA[i + 1] = len;
  }
  for (let j = 0; j < m; j++) startB[j + 1] += startB[j];
  const adjB = new Int32Array(len), costB = new Float64Array(len), fill = startB.slice(0, m);
  for (let i = 0; i < n; i++) {
    for (let e = startA[i]; e < startA[i + 1]; e++) { const f = fill[adj[e]]++; adjB[f] = i; costB[f] = cst[e]; }
  }
  return { startA, adjA: adj.subarray(0, len), costA: cst.subarray(0, len), startB, adjB, costB };
}

/** The share of the n·m pairs that arcGraph would keep (c_ij ≤ pA_i + pB_j), estimated from `samples` pairs: every
 * row in turn, the column by a multiplicative hash (deterministic; all pairs when n·m ≤ samples). */
export function arcShare(ax: Float64Array, ay: Float64Array, bx: Float64Array, by: Float64Array, q: number,
  pA: Float64Array, pB: Float64Array, samples = 1024): number {
  const n = ax.length, m = bx.length, total = n * m;
  if (total === 0) return 0;
  const count = Math.min(samples, total);
  let kept = 0;
  for (let s = 0; s < count; s++) {
    // NOTE: int32 arithmetic only (a modulo on doubles above 2^31 made each sample ~35 ns)
    const i = s % n, j = count === total ? (s / n) | 0 : (Math.imul(s, 0x9e3779b1) >>> 1) % m;
    if (powq(linf(ax[i], ay[i], bx[j], by[j]), q) <= pA[i] + pB[j]) kept++;
  }
  return kept / count;
}

/** auctionReduced on an explicit arc graph (see arcGraph): each bid scans the point's arcs. */
export function auctionGraph(g: ArcGraph, pA: Float64Array, pB: Float64Array, epsFinal: number, epsStart: number): AuctionResult {
  const n = pA.length, m = pB.length;
  const { startA, adjA, costA, startB, adjB, costB } = g;
  // first prices like auctionReduced's, min(pB, half the cheapest arc's cost), but over the kept arcs only, so they
  // may start higher (harmless: a warm start). NOTE: without startEps's floor, which cost the 16³ smoothed
  // diagrams 20–50% more bids
  const v = Float64Array.from(pB);
  for (let j = 0; j < m; j++) for (let e = startB[j]; e < startB[j + 1]; e++) if (costB[e] / 2 < v[j]) v[j] = costB[e] / 2;
  const mateA = new Int32Array(n).fill(-1), mateB = new Int32Array(m).fill(-1), mateCost = new Float64Array(n);
  const queue = new Int32Array(n + 1), u = new Float64Array(n), queueB = new Int32Array(m + 1);
  let bids = 0;
  const budget = BID_BUDGET * (n + m);
  for (let eps = Math.max(epsStart, epsFinal); ; eps = nextEps(eps, epsFinal)) {
    let qh = 0, qt = 0;
    for (let i = 0; i < n; i++) {
      let h1 = pA[i];
      for (let e = startA[i]; e < startA[i + 1]; e++) { const val = costA[e] - v[adjA[e]]; if (val < h1) h1 = val; }
      const j = mateA[i];
      if ((j >= 0 ? mateCost[i] - v[j] : pA[i]) > h1 + eps) {
        if (j >= 0) { mateA[i] = -1; mateB[j] = -1; }
        queue[qt] = i; qt = qt === n ? 0 : qt + 1;
      }
    }
    while (qh !== qt && bids < budget) {
      const k = queue[qh];
      qh = qh === n ? 0 : qh + 1;
      bids++;
      let h1 = pA[k], h2 = Infinity, e1 = -1;
      for (let e = startA[k]; e < startA[k + 1]; e++) {
        const val = costA[e] - v[adjA[e]];
        if (val < h1) { h2 = h1; h1 = val; e1 = e; } else if (val < h2) h2 = val;
      }
      if (e1 < 0) continue; // the diagonal is best: stays free
      const j1 = adjA[e1];
      v[j1] -= h2 - h1 + eps;
      const old = mateB[j1];
      mateA[k] = j1; mateCost[k] = costA[e1]; mateB[j1] = k;
      if (old >= 0) { mateA[old] = -1; queue[qt] = old; qt = qt === n ? 0 : qt + 1; }
    }
    // reverse stage, as in reverseStage
    for (let i = 0; i < n; i++) u[i] = mateA[i] >= 0 ? mateCost[i] - v[mateA[i]] : pA[i];
    qh = 0; qt = 0;
    for (let j = 0; j < m; j++) if (mateB[j] < 0 && v[j] < pB[j] - eps) { queueB[qt] = j; qt = qt === m ? 0 : qt + 1; }
    while (qh !== qt && bids < budget) {
      const j = queueB[qh];
      qh = qh === m ? 0 : qh + 1;
      bids++;
      let g1 = pB[j], g2 = Infinity, e1 = -1;
      for (let e = startB[j]; e < startB[j + 1]; e++) {
        const val = costB[e] - u[adjB[e]];
        if (val < g1) { g2 = g1; g1 = val; e1 = e; } else if (val < g2) g2 = val;
      }
      if (e1 < 0) { v[j] = pB[j]; continue; }
      const a1 = adjB[e1];
      v[j] = Math.min(pB[j], g2 + eps);
      u[a1] = costB[e1] - v[j];
      const old = mateA[a1];
      mateA[a1] = j; mateCost[a1] = costB[e1]; mateB[j] = a1;
      if (old >= 0) { mateB[old] = -1; if (v[old] < pB[old] - eps) { queueB[qt] = old; qt = qt === m ? 0 : qt + 1; } }
    }
    if (eps === epsFinal || bids >= budget) break;
  }
  return { v, mateA, mateB, bids };
}
