// Brute-force references for the Wasserstein matcher, for tests only: the diagonal-augmented (n+m)×(n+m)
// assignment problem as a dense matrix, solved by the plain O(N³) Hungarian algorithm (q finite) or by a
// threshold search over all matrix entries with Kuhn's augmenting paths (bottleneck). Finite points only;
// essential classes are matched by trying every permutation (tests use a handful).
import { toPairs, type DiagramInput } from './wasserstein.ts';

/** Dense augmented cost matrix (row-major N×N, N = n + m) of ground distances; Infinity = forbidden. */
function augmented(A: Float64Array, B: Float64Array): { N: number; d: Float64Array } {
  const n = A.length / 2, m = B.length / 2, N = n + m;
  const d = new Float64Array(N * N).fill(Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++)
      d[i * N + j] = Math.max(Math.abs(A[2 * i] - B[2 * j]), Math.abs(A[2 * i + 1] - B[2 * j + 1]));
    d[i * N + m + i] = Math.abs(A[2 * i] - A[2 * i + 1]) / 2; // a_i to its diagonal copy
  }
  for (let j = 0; j < m; j++) {
    d[(n + j) * N + j] = Math.abs(B[2 * j] - B[2 * j + 1]) / 2; // diagonal copy of b_j to b_j
    for (let k = 0; k < n; k++) d[(n + j) * N + m + k] = 0;
  }
  return { N, d };
}

/** Minimum-cost perfect assignment of an N×N matrix (Hungarian with potentials); returns its cost. */
function hungarian(N: number, c: Float64Array): { cost: number; rowToCol: Int32Array } {
  const u = new Float64Array(N + 1), v = new Float64Array(N + 1);
  const p = new Int32Array(N + 1), way = new Int32Array(N + 1);
  const BIG = 1e300;
  const at = (i: number, j: number) => { const x = c[(i - 1) * N + (j - 1)]; return x === Infinity ? BIG : x; };
  for (let i = 1; i <= N; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(N + 1).fill(Infinity);
    const used = new Uint8Array(N + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= N; j++) {
        if (used[j]) continue;
        const cur = at(i0, j) - u[i0] - v[j];
        if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
        if (minv[j] < delta) { delta = minv[j]; j1 = j; }
      }
      for (let j = 0; j <= N; j++) {
        if (used[j]) { u[p[j]] += delta; v[j] -= delta; } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do { const j1 = way[j0]; p[j0] = p[j1]; j0 = j1; } while (j0);
  }
  const rowToCol = new Int32Array(N);
  let cost = 0;
  for (let j = 1; j <= N; j++) { rowToCol[p[j] - 1] = j - 1; cost += c[(p[j] - 1) * N + (j - 1)]; }
  return { cost, rowToCol };
}

// does a perfect matching exist using only entries ≤ t? (Kuhn's algorithm)
function perfect(N: number, d: Float64Array, t: number): boolean {
  const matchCol = new Int32Array(N).fill(-1);
  const tryRow = (i: number, seen: Uint8Array): boolean => {
    for (let j = 0; j < N; j++) {
      if (d[i * N + j] > t || seen[j]) continue;
      seen[j] = 1;
      if (matchCol[j] < 0 || tryRow(matchCol[j], seen)) { matchCol[j] = i; return true; }
    }
    return false;
  };
  for (let i = 0; i < N; i++) if (!tryRow(i, new Uint8Array(N))) return false;
  return true;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, k) => [...p.slice(0, k), n - 1, ...p.slice(k)]));
}

/** Reference W_q^q (cost) for finite q, or the bottleneck distance for q = Infinity. */
export function wassersteinRef(a: DiagramInput, b: DiagramInput, q = 2): number {
  const P = toPairs(a), Q = toPairs(b);
  const fin = (X: Float64Array, ess: boolean) => {
    const out: number[] = [];
    for (let i = 0; i < X.length; i += 2) if ((X[i + 1] === -Infinity) === ess) out.push(X[i], X[i + 1]);
    return Float64Array.from(out);
  };
  const eA = fin(P, true), eB = fin(Q, true);
  let ess = 0;
  if (eA.length !== eB.length) ess = Infinity;
  else if (eA.length > 0) {
    ess = Infinity;
    for (const perm of permutations(eA.length / 2)) {
      let s = 0;
      perm.forEach((j, i) => {
        const x = Math.abs(eA[2 * i] - eB[2 * j]);
        s = q === Infinity ? Math.max(s, x) : s + Math.pow(x, q);
      });
      ess = Math.min(ess, s);
    }
  }
  const { N, d } = augmented(fin(P, false), fin(Q, false));
  if (q === Infinity) {
    const vals = [...new Set(Array.from(d).filter((x) => x < Infinity))].sort((x, y) => x - y);
    let lo = 0, hi = vals.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (perfect(N, d, vals[mid])) hi = mid; else lo = mid + 1; }
    return Math.max(N === 0 ? 0 : vals[lo], ess);
  }
  const c = d.map((x) => (x === Infinity ? x : Math.pow(x, q)));
  return (N === 0 ? 0 : hungarian(N, c).cost) + ess;
}
