// Start for the exact Wasserstein matcher: a forward auction with ε-scaling (Bertsekas) on the diagonal-augmented
// assignment problem, as Hera does. Bidders are the points of A and the diagonal copies Δb of B; objects are the
// points of B and the diagonal copies Δa of A. a may take any b (cost c_ab) or its own Δa (cost pA_a); Δb may
// take b (cost pB_b) or any Δa (cost 0), so for Δb only the two cheapest Δa prices matter (a segment tree).
// Best and second-best objects over all of B come from the k-d tree, never a matrix. The result is only a
// near-optimal dual v for B; exactness comes from the shortest-path phase and the certificate after it.
import type { KdTree } from './kd_tree.ts';

export interface AuctionResult {
  /** Reduced dual of each b: −price + (cheapest Δa price), capped at pB (see wasserstein_ssp.ts). */
  v: Float64Array;
  /** Real pairs (a, b) of the final assignment; -1 = diagonal. */
  mateA: Int32Array;
  mateB: Int32Array;
  bids: number;
}

/** Runs ε = scale/8, /6, ... down to epsFinal; tree is the k-d tree over B (its weights are overwritten). */
export function auctionStart(tree: KdTree, ax: Float64Array, ay: Float64Array, pA: Float64Array,
  pB: Float64Array, q: number, scale: number, epsFinal: number, epsStart = scale / 100, factor = 6): AuctionResult {
  const n = pA.length, m = pB.length;
  const negPriceB = new Float64Array(m); // −price of b: the tree's weights, so value = c + price
  tree.refreshWeights(negPriceB);
  const pool = new MinTree(n); // prices of the Δa
  const ownerB = new Int32Array(m), ownerD = new Int32Array(n); // bidder id: a, or n + b for Δb
  const queue = new Int32Array(n + m + 1);
  let bids = 0;
  for (let eps = Math.max(epsStart, epsFinal); ; eps = Math.max(epsFinal, eps / factor)) {
    ownerB.fill(-1);
    ownerD.fill(-1);
    let qh = 0, qt = 0;
    const push = (k: number) => { queue[qt] = k; qt = qt === n + m ? 0 : qt + 1; };
    for (let k = 0; k < n + m; k++) push(k);
    while (qh !== qt) {
      const k = queue[qh];
      qh = qh === n + m ? 0 : qh + 1;
      // NOTE: prices only rise, so stale node maxima of −price still bound it, but loosely: refresh now and then.
      if (++bids % (n + m) === 0) tree.refreshWeights(negPriceB);
      // best (w1, object o1) and second-best w2; objects: b = 0..m-1, Δa = m + a
      let w1 = Infinity, w2 = Infinity, o1 = -1;
      if (k < n) {
        w1 = pA[k] + pool.value(k);
        o1 = m + k;
        tree.searchWeighted(ax[k], ay[k], q, negPriceB, Infinity, (j, value) => {
          if (value < w1) { w2 = w1; w1 = value; o1 = j; } else if (value < w2) w2 = value;
          return w2;
        });
      } else {
        const b = k - n;
        const [d1, i1, d2] = pool.twoSmallest();
        const own = pB[b] - negPriceB[b];
        if (own <= d1) { w1 = own; o1 = b; w2 = d1; } else { w1 = d1; o1 = m + i1; w2 = Math.min(own, d2); }
      }
      // NOTE: an object with no competitor (w2 = ∞) is raised by ε only; its price never matters then.
      const raise = (Number.isFinite(w2) ? w2 - w1 : 0) + eps;
      let old: number;
      if (o1 < m) { negPriceB[o1] -= raise; old = ownerB[o1]; ownerB[o1] = k; }
      else { pool.set(o1 - m, pool.value(o1 - m) + raise); old = ownerD[o1 - m]; ownerD[o1 - m] = k; }
      if (old >= 0) push(old);
    }
    if (eps === epsFinal) break;
  }
  const mateA = new Int32Array(n).fill(-1), mateB = new Int32Array(m).fill(-1);
  for (let j = 0; j < m; j++) if (ownerB[j] >= 0 && ownerB[j] < n) { mateB[j] = ownerB[j]; mateA[ownerB[j]] = j; }
  const s = n > 0 ? pool.twoSmallest()[0] : 0;
  const v = new Float64Array(m);
  for (let j = 0; j < m; j++) v[j] = Math.min(pB[j], negPriceB[j] + s);
  return { v, mateA, mateB, bids };
}

/** Point updates and the two smallest values with the argmin, over a fixed array (a segment tree). */
class MinTree {
  private size: number;
  private val: Float64Array;
  private idx: Int32Array;

  constructor(n: number) {
    let size = 1;
    while (size < n) size *= 2;
    this.size = size;
    this.val = new Float64Array(2 * size).fill(Infinity);
    this.idx = new Int32Array(2 * size).fill(-1);
    for (let i = 0; i < n; i++) { this.val[size + i] = 0; this.idx[size + i] = i; }
    for (let k = size - 1; k >= 1; k--) this.pull(k);
  }

  private pull(k: number): void {
    const l = 2 * k, r = l + 1;
    const t = this.val[l] <= this.val[r] ? l : r;
    this.val[k] = this.val[t];
    this.idx[k] = this.idx[t];
  }

  value(i: number): number { return this.val[this.size + i]; }

  set(i: number, x: number): void {
    let k = this.size + i;
    this.val[k] = x;
    for (k >>= 1; k >= 1; k >>= 1) this.pull(k);
  }

  /** [smallest, its index, second smallest] (Infinity when missing). */
  twoSmallest(): [number, number, number] {
    const i = this.idx[1];
    if (i < 0) return [Infinity, -1, Infinity];
    // second smallest: the best sibling along the root-to-leaf path of the argmin
    let second = Infinity;
    for (let k = this.size + i; k > 1; k >>= 1) second = Math.min(second, this.val[k ^ 1]);
    return [this.val[1], i, second];
  }
}
