// A static 2D k-d tree over diagram points for L∞ queries, as the Wasserstein matcher needs them: weighted
// nearest neighbours (min over j of ‖x − p_j‖∞^q − w_j, bounded per node by the box distance and the node's
// largest weight) and radius queries that skip points already taken. Memory O(n); no query allocates.

const LEAF = 8;

/** Points (x_j, y_j), split at the median of the wider side until a node holds at most LEAF points. */
export class KdTree {
  readonly n: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Point indices; node k holds perm[lo[k] .. hi[k]). */
  readonly perm: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Children of node k (-1 for a leaf); nodes are numbered in pre-order, so children come after parents. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly parent: Int32Array;
  readonly minX: Float64Array;
  readonly maxX: Float64Array;
  readonly minY: Float64Array;
  readonly maxY: Float64Array;
  /** Largest weight in each node (refreshWeights), and each point's leaf. */
  readonly maxW: Float64Array;
  readonly leafOf: Int32Array;
  nodes = 0;
  private stack: Int32Array;
  private lbStack: Float64Array;

  constructor(x: Float64Array, y: Float64Array) {
    const n = x.length;
    this.n = n;
    this.x = x;
    this.y = y;
    this.perm = new Int32Array(n);
    for (let i = 0; i < n; i++) this.perm[i] = i;
    const cap = Math.max(1, 2 * Math.ceil(n / (LEAF / 2)) + 1);
    this.lo = new Int32Array(cap);
    this.hi = new Int32Array(cap);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
    this.parent = new Int32Array(cap);
    this.minX = new Float64Array(cap);
    this.maxX = new Float64Array(cap);
    this.minY = new Float64Array(cap);
    this.maxY = new Float64Array(cap);
    this.maxW = new Float64Array(cap);
    this.leafOf = new Int32Array(n);
    // depth is at most log2(n / LEAF) + a few; two entries per level
    const depth = 4 * (Math.ceil(Math.log2(n + 1)) + 4);
    this.stack = new Int32Array(depth);
    this.lbStack = new Float64Array(depth);
    if (n > 0) this.build(0, n, -1);
  }

  private build(lo: number, hi: number, parent: number): number {
    const k = this.nodes++;
    const { perm, x, y } = this;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = lo; i < hi; i++) {
      const j = perm[i];
      if (x[j] < x0) x0 = x[j];
      if (x[j] > x1) x1 = x[j];
      if (y[j] < y0) y0 = y[j];
      if (y[j] > y1) y1 = y[j];
    }
    this.lo[k] = lo;
    this.hi[k] = hi;
    this.parent[k] = parent;
    this.minX[k] = x0;
    this.maxX[k] = x1;
    this.minY[k] = y0;
    this.maxY[k] = y1;
    if (hi - lo <= LEAF || (x0 === x1 && y0 === y1)) {
      this.left[k] = -1;
      this.right[k] = -1;
      for (let i = lo; i < hi; i++) this.leafOf[perm[i]] = k;
      return k;
    }
    const mid = (lo + hi) >> 1;
    select(perm, x1 - x0 >= y1 - y0 ? x : y, lo, hi - 1, mid);
    this.left[k] = this.build(lo, mid, k);
    this.right[k] = this.build(mid, hi, k);
    return k;
  }

  /** Recomputes every node's largest weight from w (one pass, children before parents). */
  refreshWeights(w: Float64Array): void {
    for (let k = this.nodes - 1; k >= 0; k--) {
      let m = -Infinity;
      if (this.left[k] < 0) {
        for (let i = this.lo[k]; i < this.hi[k]; i++) if (w[this.perm[i]] > m) m = w[this.perm[i]];
      } else {
        m = Math.max(this.maxW[this.left[k]], this.maxW[this.right[k]]);
      }
      this.maxW[k] = m;
    }
  }

  /** After w[j] fell: recomputes the largest weight of j's leaf and of its ancestors, stopping where it is
   * unchanged (O(leaf + depth)); keeps the search bounds tight between refreshWeights passes. */
  lowerWeight(j: number, w: Float64Array): void {
    let k = this.leafOf[j], m = -Infinity;
    for (let i = this.lo[k]; i < this.hi[k]; i++) if (w[this.perm[i]] > m) m = w[this.perm[i]];
    for (;;) {
      if (this.maxW[k] === m) return;
      this.maxW[k] = m;
      k = this.parent[k];
      if (k < 0) return;
      const a = this.maxW[this.left[k]], b = this.maxW[this.right[k]];
      m = a > b ? a : b;
    }
  }

  /** L∞ distance from (px, py) to node k's box (0 inside). NOTE: never exceeds the distance to any point in
   * the box, also in floating point, since fl(a − b) is monotone in both arguments. */
  boxDist(k: number, px: number, py: number): number {
    const dx = Math.max(this.minX[k] - px, px - this.maxX[k], 0);
    const dy = Math.max(this.minY[k] - py, py - this.maxY[k], 0);
    return dx > dy ? dx : dy;
  }

  /**
   * Visits every point j with ‖(px,py) − p_j‖∞^q − w_j < bound(), where w is the array last passed to
   * refreshWeights; visit(j, value) may lower the bound (return the new one). The child with the smaller lower
   * bound (box distance^q − largest weight) is visited first.
   */
  searchWeighted(px: number, py: number, q: number, w: Float64Array, bound: number,
    visit: (j: number, value: number) => number): number {
    if (this.n === 0) return bound;
    let sp = 0;
    const st = this.stack, lb = this.lbStack;
    const { left, right, lo, hi, perm, x, y, maxW } = this;
    st[sp] = 0;
    lb[sp++] = powq(this.boxDist(0, px, py), q) - maxW[0];
    while (sp > 0) {
      const k = st[--sp];
      // NOTE: the bound may have dropped since this node was pushed
      if (lb[sp] >= bound) continue;
      if (left[k] < 0) {
        for (let i = lo[k]; i < hi[k]; i++) {
          const j = perm[i];
          const dx = Math.abs(px - x[j]), dy = Math.abs(py - y[j]);
          const value = powq(dx > dy ? dx : dy, q) - w[j];
          if (value < bound) bound = visit(j, value);
        }
        continue;
      }
      const a = left[k], b = right[k];
      const la = powq(this.boxDist(a, px, py), q) - maxW[a];
      const lbb = powq(this.boxDist(b, px, py), q) - maxW[b];
      // push the less promising child first so the better one is searched first
      if (la <= lbb) {
        if (lbb < bound) { st[sp] = b; lb[sp++] = lbb; }
        if (la < bound) { st[sp] = a; lb[sp++] = la; }
      } else {
        if (la < bound) { st[sp] = a; lb[sp++] = la; }
        if (lbb < bound) { st[sp] = b; lb[sp++] = lbb; }
      }
    }
    return bound;
  }

  /** Results of bestTwo and minWeighted (no allocation per query): best value, second value, best index. */
  readonly best = new Float64Array(2);
  bestIndex = -1;

  /**
   * The two smallest values of ‖(px,py) − p_j‖∞^q − w_j, where an outside option of value `first` (no index)
   * competes for the best: best[0] = h1, best[1] = h2 (Infinity if none), returns the index of h1 or −1 when
   * `first` is best; secondIndex = the index of h2 (−1: `first` or none). The auction's bid: searchWeighted's
   * visiting order, with no callback per point. Optional hints (point indices, −1 for none, hint2 ≠ hint1) are
   * evaluated first. NOTE: a bidder's last best two make h2 nearly final before the tree is entered, so the bound
   * prunes from the start (with the node bound dominated by the largest weight, the first leaves reached are
   * seldom the nearest).
   */
  bestTwo(px: number, py: number, q: number, w: Float64Array, first: number, hint1 = -1, hint2 = -1): number {
    let h1 = first, h2 = Infinity, j1 = -1, j2 = -1;
    const { left, right, lo, hi, perm, x, y, maxW } = this;
    for (let k = 0; k < 2; k++) {
      const j = k === 0 ? hint1 : hint2;
      if (j < 0) continue;
      const dx = Math.abs(px - x[j]), dy = Math.abs(py - y[j]), d = dx > dy ? dx : dy;
      const value = (q === 2 ? d * d : q === 1 ? d : Math.pow(d, q)) - w[j];
      if (value < h1) { h2 = h1; j2 = j1; h1 = value; j1 = j; } else if (value < h2) { h2 = value; j2 = j; }
    }
    if (this.n > 0) {
      let sp = 0;
      const st = this.stack, lb = this.lbStack;
      st[sp] = 0;
      lb[sp++] = this.nodeBound(0, px, py, q) - maxW[0];
      while (sp > 0) {
        const k = st[--sp];
        if (lb[sp] >= h2) continue;
        if (left[k] < 0) {
          for (let i = lo[k]; i < hi[k]; i++) {
            const j = perm[i];
            const dx = Math.abs(px - x[j]), dy = Math.abs(py - y[j]), d = dx > dy ? dx : dy;
            const value = (q === 2 ? d * d : q === 1 ? d : Math.pow(d, q)) - w[j];
            if (value < h2 && j !== hint1 && j !== hint2) {
              if (value < h1) { h2 = h1; j2 = j1; h1 = value; j1 = j; } else { h2 = value; j2 = j; }
            }
          }
          continue;
        }
        const a = left[k], b = right[k];
        const la = this.nodeBound(a, px, py, q) - maxW[a], lbb = this.nodeBound(b, px, py, q) - maxW[b];
        if (la <= lbb) {
          if (lbb < h2) { st[sp] = b; lb[sp++] = lbb; }
          if (la < h2) { st[sp] = a; lb[sp++] = la; }
        } else {
          if (la < h2) { st[sp] = a; lb[sp++] = la; }
          if (lbb < h2) { st[sp] = b; lb[sp++] = lbb; }
        }
      }
    }
    this.best[0] = h1;
    this.best[1] = h2;
    this.secondIndex = j2;
    return j1;
  }

  /** Index of bestTwo's h2 (−1: the outside option, or none). */
  secondIndex = -1;

  /** min(cap, min_j ‖(px,py) − p_j‖∞^q − w_j); bestIndex = its j, or −1 when no point is below cap. As
   * searchWeighted with a running-minimum callback, without the call per point. */
  minWeighted(px: number, py: number, q: number, w: Float64Array, cap: number): number {
    let h1 = cap, j1 = -1;
    if (this.n > 0) {
      let sp = 0;
      const st = this.stack, lb = this.lbStack;
      const { left, right, lo, hi, perm, x, y, maxW } = this;
      st[sp] = 0;
      lb[sp++] = this.nodeBound(0, px, py, q) - maxW[0];
      while (sp > 0) {
        const k = st[--sp];
        if (lb[sp] >= h1) continue;
        if (left[k] < 0) {
          for (let i = lo[k]; i < hi[k]; i++) {
            const j = perm[i];
            const dx = Math.abs(px - x[j]), dy = Math.abs(py - y[j]), d = dx > dy ? dx : dy;
            const value = (q === 2 ? d * d : q === 1 ? d : Math.pow(d, q)) - w[j];
            if (value < h1) { h1 = value; j1 = j; }
          }
          continue;
        }
        const a = left[k], b = right[k];
        const la = this.nodeBound(a, px, py, q) - maxW[a], lbb = this.nodeBound(b, px, py, q) - maxW[b];
        if (la <= lbb) {
          if (lbb < h1) { st[sp] = b; lb[sp++] = lbb; }
          if (la < h1) { st[sp] = a; lb[sp++] = la; }
        } else {
          if (la < h1) { st[sp] = a; lb[sp++] = la; }
          if (lbb < h1) { st[sp] = b; lb[sp++] = lbb; }
        }
      }
    }
    this.bestIndex = j1;
    return h1;
  }

  /** boxDist(k)^q without Math.max's argument list (the searches' inner step). */
  private nodeBound(k: number, px: number, py: number, q: number): number {
    let dx = this.minX[k] - px;
    const ex = px - this.maxX[k];
    if (ex > dx) dx = ex;
    let dy = this.minY[k] - py;
    const ey = py - this.maxY[k];
    if (ey > dy) dy = ey;
    let d = dx > dy ? dx : dy;
    if (!(d > 0)) d = 0;
    return q === 2 ? d * d : q === 1 ? d : Math.pow(d, q);
  }

  /** Calls visit(j) for every point with alive[j] = 1 within L∞ distance ≤ r of (px, py); count[k] must hold
   * the number of alive points in node k (see countAlive / kill). */
  searchRadius(px: number, py: number, r: number, count: Int32Array, alive: Uint8Array,
    visit: (j: number) => boolean): void {
    if (this.n === 0) return;
    let sp = 0;
    const st = this.stack;
    st[sp++] = 0;
    while (sp > 0) {
      const k = st[--sp];
      if (count[k] === 0 || this.boxDist(k, px, py) > r) continue;
      if (this.left[k] < 0) {
        for (let i = this.lo[k]; i < this.hi[k]; i++) {
          const j = this.perm[i];
          if (alive[j] && linf(px, py, this.x[j], this.y[j]) <= r && visit(j)) return;
        }
        continue;
      }
      st[sp++] = this.right[k];
      st[sp++] = this.left[k];
    }
  }

  /** Fills count[k] with the number of points j in node k that have alive[j] = 1. */
  countAlive(alive: Uint8Array, count: Int32Array): void {
    for (let k = this.nodes - 1; k >= 0; k--) {
      if (this.left[k] < 0) {
        let c = 0;
        for (let i = this.lo[k]; i < this.hi[k]; i++) c += alive[this.perm[i]];
        count[k] = c;
      } else count[k] = count[this.left[k]] + count[this.right[k]];
    }
  }

  /** Marks point j dead (or alive again with delta = +1) and updates the counts on its path to the root. */
  kill(j: number, alive: Uint8Array, count: Int32Array, delta: -1 | 1 = -1): void {
    alive[j] = delta > 0 ? 1 : 0;
    for (let k = this.leafOf[j]; k >= 0; k = this.parent[k]) count[k] += delta;
  }
}

/** L∞ distance between two points. */
export function linf(ax: number, ay: number, bx: number, by: number): number {
  const dx = Math.abs(ax - bx), dy = Math.abs(ay - by);
  return dx > dy ? dx : dy;
}

/** Costs of other exponents are capped here: far above any optimum the matcher solves (its unit makes that at
 * most the number of points), so no optimal matching meets the cap, and no diagonal cost is +∞ (∞ − ∞ made NaN
 * duals at large q). q = 1 and 2 need no cap: their diagonal costs stay near 1 and a pair cost of +∞ is pruned. */
const COST_CAP = 2 ** 1000;

/** d^q for the exponents the matcher uses (capped, see COST_CAP); NOTE: q = 1 and 2 skip Math.pow (exact and
 * faster). */
export function powq(d: number, q: number): number {
  if (q === 2) return d * d;
  if (q === 1) return d;
  const c = Math.pow(d, q);
  return c < COST_CAP ? c : COST_CAP;
}

// Hoare-style quickselect: puts the k-th smallest (by key[perm[i]]) at position k within perm[lo..hi].
function select(perm: Int32Array, key: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const pivot = key[perm[(lo + hi) >> 1]];
    let i = lo, j = hi;
    while (i <= j) {
      while (key[perm[i]] < pivot) i++;
      while (key[perm[j]] > pivot) j--;
      if (i <= j) {
        const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        i++; j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
