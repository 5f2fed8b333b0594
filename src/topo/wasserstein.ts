// Exact q-Wasserstein and bottleneck distances between two persistence diagrams of one dimension (CPU only),
// with the optimal matching that the topological loss differentiates through.
//
// Rules (each tested in test/topo/wasserstein.test.ts):
// - Ground metric L∞; a point (b, d) may go to the diagonal at cost (|b − d|/2)^q. Points below the diagonal
//   (b < d) are accepted and use the same |b − d|/2.
// - Points on the diagonal (b = d) go to the diagonal at cost 0 and take no part in the solve (never optimal
//   otherwise: pers(y) ≤ ‖x − y‖∞ + pers(x) = ‖x − y‖∞ when pers(x) = 0).
// - Essential classes (death = null or −∞) are matched only with each other, in order of birth (optimal for any
//   convex 1D cost). With different counts the distance is +∞ (essential points then get UNMATCHED_ESSENTIAL),
//   unless opts.essential = 'ignore', which leaves all essential points out (UNMATCHED_ESSENTIAL, cost 0).
// - NaN anywhere, an infinite birth or a death of +∞: RangeError naming the diagram, point and value.
// - Huge or tiny magnitudes: coordinates are scaled by a power of two (exact) so that the largest distance to
//   the diagonal is about 1; costs below 2^-1074 of the largest are lost to underflow. For q > 16 the unit is
//   the bottleneck distance instead (not a power of two), so that what underflows is below 2^-1074 of the total.
// - Exactness: optimal for the costs as evaluated in float64, proven by a dual certificate (wasserstein_ssp.ts);
//   `certified` reports it. Duplicates and ties need no special case.
import { checkOptionNames } from './arguments.ts';
import { solveBottleneck } from './bottleneck.ts';
import { powq } from './kd_tree.ts';
import { solveWasserstein } from './wasserstein_ssp.ts';

export interface DiagramPoint { birth: number; death: number | null }

/** A diagram: flat [b0, d0, b1, d1, ...], or {birth, death} objects, or [birth, death] pairs (the JSON layout);
 * death null or −Infinity marks an essential class. */
export type DiagramInput = Float64Array | Float32Array | ArrayLike<DiagramPoint> | ArrayLike<readonly [number, number | null]>;

/** aToB[i] = index in B, DIAGONAL or UNMATCHED_ESSENTIAL; bToA likewise. */
export interface Matching { aToB: Int32Array; bToA: Int32Array }

export const DIAGONAL = -1;
/** Exponents above this take the bottleneck distance as the unit of the solve (see wasserstein()). */
const LARGE_Q = 16;
export const UNMATCHED_ESSENTIAL = -2;

export interface WassersteinOptions {
  /** Exponent: 2 (default), 1, any finite q ≥ 1, or Infinity for the bottleneck distance. */
  q?: number;
  /** 'match' (default): essential classes matched by birth, +∞ if counts differ; 'ignore': left out. */
  essential?: 'match' | 'ignore';
}

export interface WassersteinResult {
  /** W_q = cost^(1/q); for q = ∞ the bottleneck distance. */
  distance: number;
  /** Σ of matched costs (c^q) = distance^q for finite q; equal to distance for q = ∞. */
  cost: number;
  matching: Matching;
  /** True when the optimality proof (dual certificate / Hall violator) was checked. */
  certified: boolean;
  /** Proven lower bound on cost (finite q); cost − lowerBound is the certified gap. */
  lowerBound: number;
}

/** Validates a diagram and returns it flat, [b0, d0, ...], with essential deaths as −Infinity. */
export function toPairs(d: DiagramInput, name = 'diagram'): Float64Array {
  let out: Float64Array;
  if (d === null || typeof d !== 'object' || typeof (d as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError(`${name}: expected a flat Float64Array, [birth, death] pairs or {birth, death} points, got ${d === null ? 'null' : typeof d === 'object' ? d.constructor?.name : typeof d}`);
  }
  if (d instanceof Float64Array || d instanceof Float32Array) {
    if (d.length % 2 !== 0) throw new RangeError(`${name}: flat diagram has odd length ${d.length}`);
    out = Float64Array.from(d);
  } else {
    out = new Float64Array(2 * d.length);
    for (let i = 0; i < d.length; i++) {
      const p = d[i] as DiagramPoint | readonly [number, number | null];
      const b = Array.isArray(p) ? p[0] : (p as DiagramPoint).birth;
      const e = Array.isArray(p) ? p[1] : (p as DiagramPoint).death;
      if (typeof b !== 'number' || (e !== null && typeof e !== 'number'))
        throw new RangeError(`${name}: point ${i} is not a (birth, death) pair of numbers`);
      out[2 * i] = b;
      out[2 * i + 1] = e === null ? -Infinity : e;
    }
  }
  for (let i = 0; i < out.length; i += 2) {
    const b = out[i], e = out[i + 1];
    if (Number.isNaN(b) || Number.isNaN(e)) throw new RangeError(`${name}: point ${i / 2} has NaN`);
    if (!Number.isFinite(b)) throw new RangeError(`${name}: point ${i / 2} has an infinite birth (${b})`);
    if (e === Infinity) throw new RangeError(`${name}: point ${i / 2} has death +Infinity (only −∞ is essential)`);
  }
  return out;
}

/**
 * Throws unless the finite points off the diagonal of both diagrams point one way, birth > death (superlevel,
 * as persistence() gives them) or birth < death (sublevel): a superlevel diagram against a sublevel one, or
 * one that mixes the two, gives a number without meaning and no error.
 */
function checkOneDirection(A: Float64Array, B: Float64Array): void {
  const first = new Map<string, string>(); // each direction's first point
  for (const [name, P] of [['A', A], ['B', B]] as const) {
    for (let i = 0; i < P.length; i += 2) {
      if (P[i + 1] === -Infinity || P[i] === P[i + 1]) continue;
      const kind = P[i] > P[i + 1] ? 'birth > death' : 'birth < death';
      if (!first.has(kind)) first.set(kind, `diagram ${name}'s point ${i / 2}, (${P[i]}, ${P[i + 1]})`);
    }
  }
  if (first.size === 2) {
    const [[k1, at1], [k2, at2]] = [...first];
    throw new RangeError(`wasserstein: the diagrams mix ${k1} (${at1}) and ${k2} (${at2}); give both in one convention (negate a sublevel diagram's values)`);
  }
}

/** Exact W_q (q ≥ 1) or bottleneck (q = Infinity) distance between two diagrams of one dimension, with the
 * optimal matching. Memory O(n + m). */
export function wasserstein(a: DiagramInput, b: DiagramInput, opts: WassersteinOptions = {}): WassersteinResult {
  checkOptionNames(opts, ['q', 'essential'], 'wasserstein');
  const q = opts.q ?? 2;
  // NOTE: a number: `true` ran as q = 1, "2" as 2
  if (!(typeof q === 'number' && q >= 1)) throw new RangeError(`wasserstein: q must be a number ≥ 1 or Infinity, got ${JSON.stringify(q)}`);
  if (opts.essential !== undefined && opts.essential !== 'match' && opts.essential !== 'ignore') {
    throw new RangeError(`wasserstein: essential must be 'match' or 'ignore', got ${JSON.stringify(opts.essential)}`);
  }
  const A = toPairs(a, 'diagram A'), B = toPairs(b, 'diagram B');
  checkOneDirection(A, B);
  const nA = A.length / 2, nB = B.length / 2;
  const aToB = new Int32Array(nA).fill(DIAGONAL), bToA = new Int32Array(nB).fill(DIAGONAL);

  const split = (P: Float64Array) => {
    const fin: number[] = [], ess: number[] = [];
    for (let i = 0; i < P.length / 2; i++) {
      if (P[2 * i + 1] === -Infinity) ess.push(i);
      else if (P[2 * i] !== P[2 * i + 1]) fin.push(i);
    }
    const x = new Float64Array(fin.length), y = new Float64Array(fin.length);
    fin.forEach((i, t) => { x[t] = P[2 * i]; y[t] = P[2 * i + 1]; });
    ess.sort((s, t) => P[2 * s] - P[2 * t] || s - t);
    return { fin, ess, x, y };
  };
  const SA = split(A), SB = split(B);
  // NOTE: scale by an exact power of two so that the largest cost that counts is about 1: then no cost
  // overflows, and only costs below 2^-1074 of the largest underflow, for any q. What counts: the distance to
  // the diagonal of the finite points off it and, when essential classes are matched, the differences of
  // their matched births (not the births: two classes born at 3e38 made every finite cost underflow at
  // q = 10; a point on the diagonal or an ignored essential class of 1e300 did too). The coordinates stay
  // below 2^1000, and the factor is applied as two halves (2^1030 for subnormal diagrams is not a double).
  const matchEssential = opts.essential !== 'ignore';
  const essPaired = matchEssential && SA.ess.length === SB.ess.length;
  let top = 0, coord = 0;
  for (const P of [A, B]) {
    for (let i = 0; i < P.length; i += 2) {
      if (P[i + 1] === -Infinity) {
        if (matchEssential) coord = Math.max(coord, Math.abs(P[i]));
        continue;
      }
      if (P[i] === P[i + 1]) continue;
      // NOTE: halves first: |1e308 − (−1e308)| overflows
      top = Math.max(top, Math.abs(P[i] / 2 - P[i + 1] / 2));
      coord = Math.max(coord, Math.abs(P[i]), Math.abs(P[i + 1]));
    }
  }
  if (essPaired) SA.ess.forEach((i, t) => { top = Math.max(top, Math.abs(A[2 * i] / 2 - B[2 * SB.ess[t]] / 2)); });
  // NOTE: for a large q the unit is the bottleneck distance instead: the costs of an optimal matching are then
  // all near or below 1, and the ones lost to underflow are below 2^-1074 of the total (with the largest
  // persistence as the unit, at q = 300 a 0.025 point beside a 0.4 one underflowed: distance 0, certified).
  // Costs far above the optimum are capped (powq), which no optimal matching meets.
  // The unit is B itself, not a power of two near it (0.8^5000 underflows too): the last factor s3 rounds;
  // also when B equals the largest diagonal distance (a lone point at q = 3000 came out 0, certified).
  let unit = top, s3 = 1, exact = false;
  if (q !== Infinity && q > LARGE_Q && top > 0) {
    let b = solveBottleneck(SA.x, SA.y, SB.x, SB.y).value;
    if (essPaired) SA.ess.forEach((i, t) => { b = Math.max(b, Math.abs(A[2 * i] - B[2 * SB.ess[t]])); });
    if (b > 0 && b < Infinity) [unit, exact] = [b, true];
  }
  const fit = 1000 - Math.ceil(Math.log2(coord));
  let k = unit > 0 ? Math.min(-Math.round(Math.log2(unit)), fit) : 0;
  const exactUnit = exact && -Math.floor(Math.log2(unit)) <= fit;
  if (exactUnit) k = -Math.floor(Math.log2(unit));
  const s1 = 2 ** Math.trunc(k / 2), s2 = 2 ** (k - Math.trunc(k / 2));
  // NOTE: unit·2^k by halves: 2^k is not a double from k = 1024 (a subnormal bottleneck distance gave NaN)
  if (exactUnit) s3 = 1 / (unit * s1 * s2); // in (1/2, 1]
  const scaled = (x: number) => x * s1 * s2 * s3;
  for (const S of [SA, SB]) for (let t = 0; t < S.x.length; t++) { S.x[t] = scaled(S.x[t]); S.y[t] = scaled(S.y[t]); }

  // Essential classes: sorted births matched in order.
  let essCost = 0;
  if (opts.essential === 'ignore' || SA.ess.length !== SB.ess.length) {
    for (const i of SA.ess) aToB[i] = UNMATCHED_ESSENTIAL;
    for (const j of SB.ess) bToA[j] = UNMATCHED_ESSENTIAL;
    if (opts.essential !== 'ignore') essCost = Infinity;
  } else {
    for (let t = 0; t < SA.ess.length; t++) {
      const i = SA.ess[t], j = SB.ess[t];
      aToB[i] = j; bToA[j] = i;
      const d = Math.abs(scaled(A[2 * i]) - scaled(B[2 * j]));
      essCost = q === Infinity ? Math.max(essCost, d) : essCost + powq(d, q);
    }
  }

  let cost: number, lowerBound: number, certified: boolean, mateA: Int32Array, mateB: Int32Array;
  if (q === Infinity) {
    const r = solveBottleneck(SA.x, SA.y, SB.x, SB.y);
    ({ mateA, mateB, certified } = r);
    cost = lowerBound = Math.max(r.value, essCost);
  } else {
    // NOTE: in the bottleneck unit every cost of the bottleneck matching (a pair, or a point to the diagonal)
    // is at most 1, so the optimum is at most the number of points: a bound for the diagonal costs (see
    // SspOptions.diagonalCap)
    const r = solveWasserstein(SA.x, SA.y, SB.x, SB.y, q, exact ? { diagonalCap: 2 * (SA.x.length + SB.x.length) + 2 } : {});
    ({ mateA, mateB, certified } = r);
    cost = r.cost + essCost;
    lowerBound = r.lowerBound + essCost;
  }
  mateA.forEach((j, t) => { if (j >= 0) aToB[SA.fin[t]] = SB.fin[j]; });
  mateB.forEach((i, t) => { if (i >= 0) bToA[SB.fin[t]] = SA.fin[i]; });

  // back to the caller's units: distances scale by 2^-k, q-th powers by 2^-kq (each factor in halves)
  const distance = (q === Infinity ? cost : Math.pow(cost, 1 / q)) / s1 / s2 / s3;
  const unscale = (c: number) => {
    if (q === Infinity || c === 0 || !Number.isFinite(c)) return c / s1 / s2 / s3;
    const back = c * Math.pow(1 / s1, q) * Math.pow(1 / s2, q) * Math.pow(1 / s3, q);
    // NOTE: at a large q a factor overflows where the result underflows (∞ · 0): then by way of the distance
    return Number.isFinite(back) ? back : Math.pow(Math.pow(c, 1 / q) / s1 / s2 / s3, q);
  };
  return { distance, cost: unscale(cost), lowerBound: unscale(lowerBound), matching: { aToB, bToA }, certified };
}

/** Cost of a given matching, Σ c^q (or max c for q = ∞); UNMATCHED_ESSENTIAL points count 0. */
export function matchingCost(a: DiagramInput, b: DiagramInput, matching: Matching, q = 2): number {
  if (!(q >= 1)) throw new RangeError(`matchingCost: q must be ≥ 1 or Infinity, got ${q}`);
  const A = toPairs(a, 'diagram A'), B = toPairs(b, 'diagram B');
  const { aToB, bToA } = matching;
  if (aToB.length !== A.length / 2 || bToA.length !== B.length / 2) {
    throw new RangeError(`matchingCost: the matching covers ${aToB.length} + ${bToA.length} points, the diagrams have ${A.length / 2} + ${B.length / 2}`);
  }
  const inRange = (k: number, n: number) => k === DIAGONAL || k === UNMATCHED_ESSENTIAL || (Number.isInteger(k) && k >= 0 && k < n);
  if (!aToB.every((j) => inRange(j, B.length / 2)) || !bToA.every((i) => inRange(i, A.length / 2))) throw new RangeError('matchingCost: the matching names a point outside the diagrams');
  let total = 0;
  // NOTE: uncapped (powq caps the solver's scaled costs): this is the cost in the caller's units
  const add = (c: number) => { total = q === Infinity ? Math.max(total, c) : total + (q === 2 ? c * c : q === 1 ? c : Math.pow(c, q)); };
  matching.aToB.forEach((j, i) => {
    if (j >= 0) {
      const dd = A[2 * i + 1] === -Infinity && B[2 * j + 1] === -Infinity ? 0 : Math.abs(A[2 * i + 1] - B[2 * j + 1]);
      add(Math.max(Math.abs(A[2 * i] - B[2 * j]), dd));
    } else if (j === DIAGONAL) add(Math.abs(A[2 * i] / 2 - A[2 * i + 1] / 2));
  });
  matching.bToA.forEach((i, j) => { if (i === DIAGONAL) add(Math.abs(B[2 * j] / 2 - B[2 * j + 1] / 2)); });
  return total;
}
