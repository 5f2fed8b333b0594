// The shortest augmenting path step of the Wasserstein matcher (Hungarian / Jonker–Volgenant style) on a sparse,
// growing set of candidate arcs, with each point's private diagonal as an extra way out. The same code searches
// from a point of A over B or from a point of B over A: the duals enter only as u_i + v_j ≤ c_ij, symmetric.

/** One side of the bipartite problem: duals u (≤ p), diagonal costs p, partners (-1 = diagonal). */
export interface DijkstraSide {
  n: number;
  u: Float64Array;
  p: Float64Array;
  mate: Int32Array;
  /** 0 for A (rows of the arc list), 1 for B. */
  side: 0 | 1;
}

/**
 * Arcs generated on demand for the points of one side: every j missing from i's list satisfies
 * c_ij − u_j ≥ level[i] (true when it was generated and kept true while the other side's duals only fall), so
 * while scanning i at distance d the missing arcs lead no nearer than d + level[i] − u_i; expand(i) raises the
 * level and adds the arcs below it.
 */
export interface LazyArcs {
  level: Float64Array;
  expand(i: number): void;
}

/** Candidate arcs (i in A, j in B, cost), with a linked list per point on each side; grows by doubling. */
export class ArcList {
  len = 0;
  a = new Int32Array(16);
  b = new Int32Array(16);
  cost = new Float64Array(16);
  nextA = new Int32Array(16);
  nextB = new Int32Array(16);
  readonly headA: Int32Array;
  readonly headB: Int32Array;

  constructor(n: number, m: number) {
    this.headA = new Int32Array(n).fill(-1);
    this.headB = new Int32Array(m).fill(-1);
  }

  add(i: number, j: number, c: number): void {
    if (this.len === this.a.length) this.grow();
    const e = this.len++;
    this.a[e] = i; this.b[e] = j; this.cost[e] = c;
    this.nextA[e] = this.headA[i]; this.headA[i] = e;
    this.nextB[e] = this.headB[j]; this.headB[j] = e;
  }

  has(i: number, j: number): boolean {
    for (let e = this.headA[i]; e >= 0; e = this.nextA[e]) if (this.b[e] === j) return true;
    return false;
  }

  private grow(): void {
    const cap = this.a.length * 2;
    const g32 = (x: Int32Array) => { const y = new Int32Array(cap); y.set(x); return y; };
    this.a = g32(this.a); this.b = g32(this.b); this.nextA = g32(this.nextA); this.nextB = g32(this.nextB);
    const c = new Float64Array(cap); c.set(this.cost); this.cost = c;
  }
}

/** Arcs plus the per-search scratch (distances, labels, a binary heap), reset after each search in O(touched). */
export class SearchSpace {
  readonly arcs: ArcList;
  private dist: [Float64Array, Float64Array];
  private done: [Uint8Array, Uint8Array];
  private pred: [Int32Array, Int32Array];
  private touched: [Int32Array, Int32Array];
  private hKey = new Float64Array(64);
  private hId = new Int32Array(64);
  private hLen = 0;
  private roots = new Int32Array(1);

  constructor(n: number, m: number) {
    this.arcs = new ArcList(n, m);
    this.dist = [new Float64Array(n).fill(Infinity), new Float64Array(m).fill(Infinity)];
    this.done = [new Uint8Array(n), new Uint8Array(m)];
    this.pred = [new Int32Array(n), new Int32Array(m)];
    this.touched = [new Int32Array(n), new Int32Array(m)];
  }

  /** One search from the free point `root` of S over O; returns after augmenting and updating the duals. */
  search(S: DijkstraSide, O: DijkstraSide, root: number, lazy?: LazyArcs): void {
    this.roots[0] = root;
    const end = this.dijkstra(S, O, this.roots, 1, lazy);
    const predO = this.pred[O.side];
    let j: number;
    if (end >= 0) j = end;
    else {
      const i = -1 - end;
      j = S.mate[i];
      S.mate[i] = -1;
      if (i === root) return;
    }
    for (;;) {
      const i = predO[j];
      const nextJ = S.mate[i];
      S.mate[i] = j;
      O.mate[j] = i;
      if (i === root) return;
      j = nextJ;
    }
  }

  /**
   * Multi-source Dijkstra from the free points `roots[0..k)` of S to the nearest way out at distance D (a free
   * point of O, or a diagonal), then the dual update u += D − d (S), v −= D − d (O, finalised). Afterwards every
   * shortest path is made of tight arcs. Returns the end: j ≥ 0 for a free O-point, −1 − i for i's diagonal.
   */
  dijkstra(S: DijkstraSide, O: DijkstraSide, roots: Int32Array, k: number, lazy?: LazyArcs): number {
    const arcs = this.arcs;
    const distS = this.dist[S.side], distO = this.dist[O.side];
    const doneO = this.done[O.side], predO = this.pred[O.side];
    const tS = this.touched[S.side], tO = this.touched[O.side];
    let nS = 0, nO = 0;
    this.hLen = 0;
    const nOn = O.n, nLazy = O.n + S.n;

    // Reach S-point i at distance d: offer its diagonal and its missing arcs, relax its arcs.
    const scan = (i: number, d: number) => {
      distS[i] = d;
      tS[nS++] = i;
      const slack = S.p[i] - S.u[i];
      this.push(d + (slack > 0 ? slack : 0), nOn + i);
      relax(i, d, -1);
    };
    // Relax i's arcs from the head of its list down to (not including) arc `stop`; offer what is still missing.
    const relax = (i: number, d: number, stop: number) => {
      if (lazy && lazy.level[i] < S.p[i]) {
        const gap = lazy.level[i] - S.u[i];
        this.push(d + (gap > 0 ? gap : 0), nLazy + i);
      }
      const head = S.side === 0 ? arcs.headA : arcs.headB;
      const next = S.side === 0 ? arcs.nextA : arcs.nextB;
      const other = S.side === 0 ? arcs.b : arcs.a;
      const ui = S.u[i];
      for (let e = head[i]; e !== stop && e >= 0; e = next[e]) {
        const j = other[e];
        if (doneO[j]) continue;
        let rc = arcs.cost[e] - ui - O.u[j];
        if (rc < 0) rc = 0; // NOTE: rounding only; feasibility is re-proved by the certificate
        const nd = d + rc;
        if (nd < distO[j]) {
          if (distO[j] === Infinity) tO[nO++] = j;
          distO[j] = nd;
          predO[j] = i;
          this.push(nd, j);
        }
      }
    };

    for (let r = 0; r < k; r++) scan(roots[r], 0);
    let D = 0, endDiag = -1, endFree = -1;
    for (;;) {
      const key = this.hKey[0], id = this.hId[0];
      this.pop();
      if (id >= nLazy) {
        const i = id - nLazy, stop = (S.side === 0 ? arcs.headA : arcs.headB)[i];
        lazy!.expand(i);
        relax(i, distS[i], stop);
        continue;
      }
      if (id >= nOn) { D = key; endDiag = id - nOn; break; }
      if (doneO[id] || key > distO[id]) continue;
      doneO[id] = 1;
      const i = O.mate[id];
      if (i < 0) { D = key; endFree = id; break; }
      scan(i, key);
    }

    // Duals: S-points reached move up by D − d, finalised O-points down by D − d (standard Dijkstra update).
    for (let k = 0; k < nS; k++) { const i = tS[k]; S.u[i] += D - distS[i]; distS[i] = Infinity; }
    for (let k = 0; k < nO; k++) {
      const j = tO[k];
      if (doneO[j]) O.u[j] -= D - distO[j];
      doneO[j] = 0;
      distO[j] = Infinity;
    }

    return endFree >= 0 ? endFree : -1 - endDiag;
  }

  private push(key: number, id: number): void {
    if (this.hLen === this.hKey.length) {
      const k = new Float64Array(this.hLen * 2); k.set(this.hKey); this.hKey = k;
      const d = new Int32Array(this.hLen * 2); d.set(this.hId); this.hId = d;
    }
    let c = this.hLen++;
    const hk = this.hKey, hi = this.hId;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (hk[p] <= key) break;
      hk[c] = hk[p]; hi[c] = hi[p]; c = p;
    }
    hk[c] = key; hi[c] = id;
  }

  private pop(): void {
    const hk = this.hKey, hi = this.hId;
    const last = --this.hLen;
    if (last === 0) return;
    const key = hk[last], id = hi[last];
    let c = 0;
    for (;;) {
      let l = 2 * c + 1;
      if (l >= last) break;
      if (l + 1 < last && hk[l + 1] < hk[l]) l++;
      if (hk[l] >= key) break;
      hk[c] = hk[l]; hi[c] = hi[l]; c = l;
    }
    hk[c] = key; hi[c] = id;
  }
}
