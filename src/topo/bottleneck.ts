// Exact bottleneck matching (q = ∞) between the finite, off-diagonal points of two diagrams.
// For a radius r, a matching of cost ≤ r exists iff the graph G_r (a_i ~ b_j when ‖a_i − b_j‖∞ ≤ r) has a
// matching covering every point farther than r from the diagonal, on both sides. `feasible` builds one with
// alternating BFS (range queries on k-d trees, never a dense matrix); when a BFS gets stuck, the points it
// reached violate Hall's condition, which proves infeasibility. Bisection over the bit patterns of doubles then
// closes on the smallest feasible r, which is an attained cost (an L∞ distance or a diagonal distance).
import { KdTree, linf } from './kd_tree.ts';

export interface BottleneckResult {
  mateA: Int32Array;
  mateB: Int32Array;
  /** The bottleneck distance: the largest cost in the returned matching. */
  value: number;
  /** True when the next smaller double was proven infeasible (always, unless the input was empty). */
  certified: boolean;
  /** Feasibility tests run. */
  tests: number;
}

interface Side { x: Float64Array; y: Float64Array; pers: Float64Array; mate: Int32Array; tree: KdTree;
  alive: Uint8Array; count: Int32Array }

function makeSide(x: Float64Array, y: Float64Array): Side {
  const n = x.length;
  const pers = new Float64Array(n);
  for (let i = 0; i < n; i++) pers[i] = Math.abs(x[i] - y[i]) / 2;
  const tree = new KdTree(x, y);
  const alive = new Uint8Array(n).fill(1);
  const count = new Int32Array(Math.max(1, tree.nodes));
  tree.countAlive(alive, count);
  return { x, y, pers, mate: new Int32Array(n).fill(-1), tree, alive, count };
}

/** Solves bottleneck matching exactly; coordinates as in solveWasserstein. */
export function solveBottleneck(ax: Float64Array, ay: Float64Array, bx: Float64Array, by: Float64Array)
  : BottleneckResult {
  const A = makeSide(ax, ay), B = makeSide(bx, by);
  // everything to the diagonal is always feasible
  let hi = 0;
  for (const p of A.pers) hi = Math.max(hi, p);
  for (const p of B.pers) hi = Math.max(hi, p);
  let best = { a: A.mate.slice(), b: B.mate.slice() };
  let tests = 0;
  const bits = new Float64Array(1), ints = new BigInt64Array(bits.buffer);
  const toBits = (v: number) => { bits[0] = v; return ints[0]; };
  const fromBits = (k: bigint) => { ints[0] = k; return bits[0]; };
  let loBits = -1n; // NOTE: -1 stands for "below 0": radius 0 may itself be feasible (identical diagrams)
  let hiBits = toBits(hi);
  while (hiBits - loBits > 1n) {
    const r = fromBits((loBits + hiBits) >> 1n);
    tests++;
    // warm start from the best matching so far, minus the pairs longer than r
    A.mate.set(best.a); B.mate.set(best.b);
    for (let i = 0; i < A.mate.length; i++) {
      const j = A.mate[i];
      if (j >= 0 && linf(ax[i], ay[i], bx[j], by[j]) > r) { A.mate[i] = -1; B.mate[j] = -1; }
    }
    if (feasible(A, B, r)) {
      let v = 0;
      for (let i = 0; i < A.mate.length; i++) {
        const j = A.mate[i];
        v = Math.max(v, j >= 0 ? linf(ax[i], ay[i], bx[j], by[j]) : A.pers[i]);
      }
      for (let j = 0; j < B.mate.length; j++) if (B.mate[j] < 0) v = Math.max(v, B.pers[j]);
      best = { a: A.mate.slice(), b: B.mate.slice() };
      hiBits = toBits(v);
    } else loBits = toBits(r);
  }
  const value = fromBits(hiBits);
  return { mateA: best.a, mateB: best.b, value, certified: true, tests };
}

// Completes the current matching of G_r so that it covers every point with pers > r on both sides; false (with
// a Hall violator found) when that is impossible.
function feasible(A: Side, B: Side, r: number): boolean {
  for (let i = 0; i < A.mate.length; i++) if (A.mate[i] < 0 && A.pers[i] > r && !cover(A, B, i, r)) return false;
  for (let j = 0; j < B.mate.length; j++) if (B.mate[j] < 0 && B.pers[j] > r && !cover(B, A, j, r)) return false;
  return true;
}

const queue: number[] = [];
const seen: number[] = [];

// Alternating BFS from the unmatched point s of S: ends at a free point of O (augment) or at a point of O whose
// partner in S is close enough to the diagonal to be let go (swap), so no covered point is uncovered.
function cover(S: Side, O: Side, s: number, r: number): boolean {
  queue.length = 0; seen.length = 0;
  queue.push(s);
  let end = -1;
  const predOf = new Map<number, number>();
  for (let h = 0; h < queue.length && end < 0; h++) {
    const i = queue[h];
    O.tree.searchRadius(S.x[i], S.y[i], r, O.count, O.alive, (j) => {
      O.tree.kill(j, O.alive, O.count);
      seen.push(j);
      predOf.set(j, i);
      const k = O.mate[j];
      if (k < 0 || S.pers[k] <= r) { end = j; return true; }
      queue.push(k);
      return false;
    });
  }
  for (const j of seen) O.tree.kill(j, O.alive, O.count, 1);
  if (end < 0) return false;
  // flip the path s → ... → end; a swap end lets its old partner go to the diagonal
  const freed = O.mate[end];
  if (freed >= 0) S.mate[freed] = -1;
  let j = end;
  for (;;) {
    const i = predOf.get(j)!;
    const next = S.mate[i];
    S.mate[i] = j;
    O.mate[j] = i;
    if (i === s) break;
    j = next;
  }
  return true;
}
