// Wasserstein matcher: hand-checked cases, brute force (dense Hungarian / threshold matching) on random small
// diagrams, the robustness rules, the certificate's ability to reject, and the reference values of
// ../shared/reference/persistence-T (a few copied into test/fixtures/wasserstein_small.json).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { DIAGONAL, UNMATCHED_ESSENTIAL, matchingCost, wasserstein, type DiagramInput } from '../../src/topo/wasserstein.ts';
import { wassersteinRef } from '../../src/topo/wasserstein.ref.ts';
import { certifyMatching, repairViolations, solveWasserstein } from '../../src/topo/wasserstein_ssp.ts';
import { ArcList } from '../../src/topo/wasserstein_search.ts';
import { arcGraph, arcShare } from '../../src/topo/wasserstein_auction.ts';
import { KdTree } from '../../src/topo/kd_tree.ts';
import { smallCases } from '../../harness/bench/wasserstein_cases.ts';
import { Rng } from '../../src/util/rng.ts';

const close = (x: number, y: number, rel = 1e-12) => Math.abs(x - y) <= rel * Math.max(1, Math.abs(y));
type P = [number, number | null];

test('hand-checked: one pair, one point against nothing', () => {
  // (1,0) vs (0.9,0.1): matched at L∞ distance 0.1, cheaper than 0.5² + 0.4² through the diagonal
  const r = wasserstein([[1, 0]], [[0.9, 0.1]]);
  assert.ok(close(r.distance, 0.1));
  assert.equal([...r.matching.aToB], [0]);
  // far apart: both to the diagonal, W2 = sqrt(0.05² + 0.05²)
  const s = wasserstein([[1, 0.9]], [[0.2, 0.1]]);
  assert.ok(close(s.distance, Math.sqrt(0.005)));
  assert.equal([...s.matching.aToB], [DIAGONAL]);
  for (const q of [1, 2, Infinity]) assert.ok(close(wasserstein([[1, 0]], [], { q }).distance, 0.5));
  assert.ok(close(wasserstein([[1, 0], [3, 1]], [], { q: 1 }).distance, 1.5));
});

// Random small diagrams with the awkward cases mixed in: quantised values (ties), duplicates, diagonal points.
function randomDiagram(rng: Rng, n: number): P[] {
  const out: P[] = [];
  for (let i = 0; i < n; i++) {
    const b = rng.int(3) === 0 ? rng.int(5) / 4 : rng.next();
    const d = rng.int(6) === 0 ? b : rng.int(4) === 0 ? b - rng.int(4) / 8 : b - rng.next() * rng.next();
    out.push([b, d]);
    if (rng.int(5) === 0) out.push([b, d]);
  }
  return out;
}

test('equals brute force on 600 random small diagrams (q = 1, 2, ∞), empties and ties included', () => {
  const rng = new Rng(7);
  for (let t = 0; t < 600; t++) {
    const A = randomDiagram(rng, rng.int(9)), B = randomDiagram(rng, rng.int(9));
    for (const q of [1, 2, Infinity]) {
      const r = wasserstein(A, B, { q });
      const ref = wassersteinRef(A, B, q);
      assert.ok(close(r.cost, ref), `case ${t} q=${q}: ${r.cost} vs ${ref}`);
      assert.ok(r.certified, `case ${t} q=${q} not certified`);
      assert.ok(close(matchingCost(A, B, r.matching, q), r.cost), `case ${t} q=${q}: matching cost`);
    }
  }
});

test('larger random diagrams (60–90 points, clustered near the diagonal) equal brute force', () => {
  const rng = new Rng(11);
  for (let t = 0; t < 6; t++) {
    const gen = (n: number): P[] => Array.from({ length: n }, () => {
      const b = rng.next() * 0.1;
      return [b, b - (rng.int(8) === 0 ? 0.05 : 0.005) * rng.next()];
    });
    const A = gen(60 + rng.int(30)), B = gen(60 + rng.int(30));
    for (const q of [1, 2, Infinity]) {
      const r = wasserstein(A, B, { q });
      const ref = wassersteinRef(A, B, q);
      assert.ok(close(r.cost, ref, 1e-11) && r.certified, `case ${t} q=${q}`);
      if (q === Infinity) continue;
      // the other start (no auction: v = pB, nearest free partners) must reach the same optimum
      const f = (D: P[]) => [Float64Array.from(D.map((p) => p[0])), Float64Array.from(D.map((p) => p[1] as number))];
      const [ax, ay] = f(A), [bx, by] = f(B);
      const g = solveWasserstein(ax, ay, bx, by, q, { start: 'greedy' });
      assert.ok(close(g.cost, ref, 1e-11) && g.certified, `case ${t} q=${q} greedy start`);
      // small problems bid over explicit arcs; the k-d tree auction (large problems) must agree
      const k = solveWasserstein(ax, ay, bx, by, q, { denseMax: 0 });
      assert.ok(close(k.cost, ref, 1e-11) && k.certified, `case ${t} q=${q} k-d tree auction`);
    }
  }
});

test('points with no arc cheaper than the diagonal leave before the solve (a big noisy diagram vs a few points, either side, or none): brute force, certified', () => {
  const rng = new Rng(23);
  const f = (D: P[]) => [Float64Array.from(D.map((p) => p[0])), Float64Array.from(D.map((p) => p[1] as number))];
  for (let t = 0; t < 8; t++) {
    // A: many small features along the diagonal (ties and duplicates too), a few large ones near B's
    const B: P[] = Array.from({ length: 1 + rng.int(6) }, () => { const b = 0.3 + 0.7 * rng.next(); return [b, b - 0.1 - 0.5 * rng.next()]; });
    const A: P[] = Array.from({ length: 120 + rng.int(60) }, () => { const b = rng.int(4) === 0 ? rng.int(8) / 8 : rng.next(); return [b, b - 0.004 * rng.next()]; });
    for (const [b, d] of B) if (rng.int(2) === 0) A.push([b + 0.02 * (rng.next() - 0.5), (d as number) + 0.02 * (rng.next() - 0.5)]);
    A.push(A[3], A[3]);
    B.push([0.05, 0.049]); // a small point of B far from A's large ones
    for (const q of [1, 2]) {
      const ref = wassersteinRef(A, B, q);
      for (const [X, Y] of [[A, B], [B, A]]) {
        const r = wasserstein(X, Y, { q });
        assert.ok(close(r.cost, ref, 1e-11) && r.certified, `case ${t} q=${q}: ${r.cost} vs ${ref}`);
        assert.ok(close(matchingCost(X, Y, r.matching, q), r.cost), `case ${t} q=${q}: matching cost`);
        const [ax, ay] = f(X), [bx, by] = f(Y);
        const s = solveWasserstein(ax, ay, bx, by, q);
        assert.ok((s.dropped ?? 0) > 100 && close(s.cost, ref, 1e-11) && s.certified, `case ${t} q=${q}: the filter ran (${s.dropped} dropped)`);
      }
    }
  }
  // against an empty diagram every point leaves, with its diagonal cost
  const [ax, ay] = f([[1, 0.5], [0.3, 0.2], [0.3, 0.2]]);
  const e = solveWasserstein(ax, ay, new Float64Array(0), new Float64Array(0), 2);
  assert.equal([e.dropped, e.certified, [...e.mateA]], [3, true, [-1, -1, -1]]);
  assert.ok(close(e.cost, 0.25 ** 2 + 2 * 0.05 ** 2));
});

test('k-d tree bestTwo (with and without hints) and minWeighted equal a scan over all points (ties, an outside option, q = 1, 2, 3)', () => {
  const rng = new Rng(17);
  for (let t = 0; t < 40; t++) {
    const n = 1 + rng.int(120), x = new Float64Array(n), y = new Float64Array(n), w = new Float64Array(n);
    // quantised coordinates and weights: many exact ties
    for (let j = 0; j < n; j++) { x[j] = rng.int(12) / 8; y[j] = rng.int(12) / 8; w[j] = rng.int(3) === 0 ? 0 : rng.int(16) / 64; }
    const tree = new KdTree(x, y);
    tree.refreshWeights(w);
    for (let k = 0; k < 20; k++) {
      const px = rng.next() * 1.6 - 0.1, py = rng.next() * 1.6 - 0.1, q = 1 + rng.int(3), first = rng.next() * 0.5;
      const vals = Array.from({ length: n }, (_, j) => Math.max(Math.abs(px - x[j]), Math.abs(py - y[j])) ** q - w[j]);
      const sorted = [first, ...vals].sort((a, b) => a - b);
      const j1 = tree.bestTwo(px, py, q, w, first);
      assert.ok(close(tree.best[0], sorted[0], 1e-14) && close(tree.best[1], sorted[1], 1e-14), `case ${t}/${k}: best two`);
      assert.ok(j1 < 0 ? tree.best[0] === first : close(vals[j1], sorted[0], 1e-14), `case ${t}/${k}: index of the best`);
      // with hints (the auction passes a bidder's last best two): same values, no point counted twice
      const hint1 = rng.int(3) === 0 ? -1 : rng.int(n), hint2 = n > 1 && rng.int(2) === 0 ? (hint1 + 1 + rng.int(n - 1)) % n : -1;
      const h = tree.bestTwo(px, py, q, w, first, hint1, hint2), j2 = tree.secondIndex;
      assert.ok(close(tree.best[0], sorted[0], 1e-14) && close(tree.best[1], sorted[1], 1e-14), `case ${t}/${k}: best two with hints ${hint1}, ${hint2}`);
      assert.ok(h < 0 ? tree.best[0] === first : close(vals[h], sorted[0], 1e-14), `case ${t}/${k}: index of the best with hints`);
      assert.ok(j2 < 0 ? tree.best[1] === first || tree.best[1] === Infinity : j2 !== h && close(vals[j2], sorted[1], 1e-14),
        `case ${t}/${k}: index of the second`);
      const cap = sorted[1 + rng.int(n)];
      const min = tree.minWeighted(px, py, q, w, cap), jm = tree.bestIndex;
      assert.ok(close(min, Math.min(cap, ...vals), 1e-14), `case ${t}/${k}: minimum below cap`);
      assert.ok(jm < 0 ? vals.every((v) => v >= cap) : vals[jm] === min && min < cap, `case ${t}/${k}: argmin`);
    }
  }
});

test('arcGraph keeps exactly the arcs with c ≤ pA + pB, on both sides', () => {
  const rng = new Rng(13);
  const pts = (n: number) => { const x = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) { x[i] = rng.next(); y[i] = x[i] - 0.3 * rng.next(); } return [x, y]; };
  const [ax, ay] = pts(30), [bx, by] = pts(25);
  const pA = ax.map((x, i) => ((x - ay[i]) / 2) ** 2), pB = bx.map((x, i) => ((x - by[i]) / 2) ** 2);
  const g = arcGraph(ax, ay, bx, by, 2, pA, pB);
  let count = 0;
  for (let i = 0; i < 30; i++) for (let j = 0; j < 25; j++) {
    const c = Math.max(Math.abs(ax[i] - bx[j]), Math.abs(ay[i] - by[j])) ** 2;
    const inA = g.adjA.subarray(g.startA[i], g.startA[i + 1]).includes(j);
    const inB = g.adjB.subarray(g.startB[j], g.startB[j + 1]).includes(i);
    assert.equal(inA, c <= pA[i] + pB[j]);
    assert.equal(inB, inA);
    if (inA) count++;
  }
  assert.ok(count > 20 && count < 30 * 25, `${count} arcs: the test should keep some and drop some`);
});

test('arcShare: exact on small matrices, within 0.05 of arcGraph\'s share on sampled ones (sparse and dense)', () => {
  const rng = new Rng(19);
  for (const [n, m, spread] of [[30, 25, 0.3], [300, 280, 0.02], [300, 280, 0.6]] as const) {
    const pts = (k: number) => { const x = new Float64Array(k), y = new Float64Array(k);
      for (let i = 0; i < k; i++) { x[i] = rng.next(); y[i] = x[i] - spread * rng.next(); } return [x, y]; };
    const [ax, ay] = pts(n), [bx, by] = pts(m);
    const pA = ax.map((x, i) => ((x - ay[i]) / 2) ** 2), pB = bx.map((x, i) => ((x - by[i]) / 2) ** 2);
    const exact = arcGraph(ax, ay, bx, by, 2, pA, pB).adjA.length / (n * m), est = arcShare(ax, ay, bx, by, 2, pA, pB);
    if (n * m <= 1024) assert.is(est, exact);
    else assert.ok(Math.abs(est - exact) < 0.05, `${n}×${m}, spread ${spread}: ${est} vs ${exact}`);
    assert.ok(exact > 0.005 && exact < 0.9, `${exact}: the case should keep some arcs and drop some`);
  }
});

test('16³ diagrams (noise, smoothed noise, prediction vs target): both auctions agree, certified; brute force on the smaller', () => {
  for (const c of smallCases(3)) {
    const f = (D: Float64Array) => [D.filter((_, k) => k % 2 === 0), D.filter((_, k) => k % 2 === 1)];
    const [ax, ay] = f(c.A), [bx, by] = f(c.B);
    for (const q of [1, 2]) {
      const d = solveWasserstein(ax, ay, bx, by, q, { denseArcs: Infinity }), t = solveWasserstein(ax, ay, bx, by, q, { denseMax: 0 });
      assert.ok(d.certified && t.certified && close(d.cost, t.cost, 1e-11), `${c.name} q=${q}: ${d.cost} vs ${t.cost}`);
      const a = solveWasserstein(ax, ay, bx, by, q); // the default picks one of the two by arcShare
      assert.ok(a.certified && close(a.cost, t.cost, 1e-11), `${c.name} q=${q} default: ${a.cost} vs ${t.cost}`);
      // without the second c-transform after the auction: same optimum, and (on the noise pairs) more searches
      const r = solveWasserstein(ax, ay, bx, by, q, { retighten: false });
      assert.ok(r.certified && close(r.cost, t.cost, 1e-11), `${c.name} q=${q} retighten off: ${r.cost} vs ${t.cost}`);
      if (c.name.includes(' noise vs noise')) assert.ok(a.searches < r.searches, `${c.name} q=${q}: ${a.searches} vs ${r.searches} searches`);
      if (ax.length + bx.length <= 150) assert.ok(close(d.cost, wassersteinRef(c.A, c.B, q), 1e-11), `${c.name} q=${q} brute force`);
    }
  }
});

test('a certificate round repairs duals that violate arcs the searches never generated (brute-force check of every arc)', () => {
  const rng = new Rng(5);
  const pts = (k: number) => {
    const x = new Float64Array(k), y = new Float64Array(k);
    for (let i = 0; i < k; i++) { x[i] = rng.next(); y[i] = x[i] - 0.4 * rng.next(); }
    return [x, y];
  };
  // 90 points of B, so that one point of A can violate more arcs than the 64 a round collects per point
  const [ax, ay] = pts(30), [bx, by] = pts(90);
  for (const q of [1, 2]) {
    const r = solveWasserstein(ax, ay, bx, by, q);
    const pA = ax.map((x, i) => Math.abs(x - ay[i]) ** q / 2 ** q), pB = bx.map((x, j) => Math.abs(x - by[j]) ** q / 2 ** q);
    const A = { n: 30, u: r.u.slice(), p: pA, mate: r.mateA.slice(), side: 0 as const };
    const B = { n: 90, u: r.v.slice(), p: pB, mate: r.mateB.slice(), side: 1 as const };
    // break feasibility: raise three matched points' v (their partners' arcs and others into them become violated)
    // and push one point's u far above every arc
    const raised = [...r.mateB.keys()].filter((j) => r.mateB[j] >= 0).slice(0, 3);
    for (const j of raised) B.u[j] += 0.05;
    A.u[7] = 50;
    const c = (i: number, j: number) => Math.max(Math.abs(ax[i] - bx[j]), Math.abs(ay[i] - by[j])) ** q;
    const tol = 1e-13;
    const bad = (i: number, j: number) => c(i, j) - A.u[i] - B.u[j] < -tol;
    const before = [...Array(30).keys()].map((i) => [...Array(90).keys()].filter((j) => bad(i, j)));
    const arcs = new ArcList(30, 90);
    const violated = repairViolations(ax, ay, bx, by, q, A, B, new KdTree(bx, by), arcs, tol);
    assert.is(violated, before.filter((l) => l.length > 0).length, `q=${q}: points with a violated arc`);
    assert.ok(violated >= 2 && before[7].length > 64, `q=${q}: the case tests something (${violated} points, ${before[7].length} arcs of point 7)`);
    // every arc is now feasible, also those of point 7 beyond the 64 collected, and u stays ≤ its diagonal cost
    for (let i = 0; i < 30; i++) {
      assert.ok(A.u[i] <= pA[i], `q=${q}: u_${i} above its diagonal cost`);
      for (let j = 0; j < 90; j++) assert.not.ok(bad(i, j), `q=${q}: arc ${i}–${j} still violated`);
    }
    // the arcs added are violated ones, all of them where a point had at most 64
    assert.is(arcs.len, before.reduce((s, l) => s + Math.min(64, l.length), 0));
    for (let e = 0; e < arcs.len; e++) assert.ok(before[arcs.a[e]].includes(arcs.b[e]) && arcs.cost[e] === c(arcs.a[e], arcs.b[e]));
    // a matched arc is tight, or was undone on both sides
    let undone = 0;
    for (let i = 0; i < 30; i++) {
      const j = A.mate[i];
      if (j >= 0) assert.ok(Math.abs(c(i, j) - A.u[i] - B.u[j]) <= tol && B.mate[j] === i, `q=${q}: pair ${i}–${j} not tight`);
      else if (r.mateA[i] >= 0) { undone++; assert.is(B.mate[r.mateA[i]], -1); }
    }
    assert.ok(undone >= 1, `q=${q}: some pair was undone`);
  }
});

test('the certificate rejects a non-optimal matching and infeasible duals', () => {
  const rng = new Rng(3);
  const A = Array.from({ length: 40 }, () => { const b = rng.next(); return [b, b - 0.3 * rng.next()]; });
  const B = Array.from({ length: 35 }, () => { const b = rng.next(); return [b, b - 0.3 * rng.next()]; });
  const f = (D: number[][]) => [Float64Array.from(D.map((p) => p[0])), Float64Array.from(D.map((p) => p[1]))];
  const [ax, ay] = f(A), [bx, by] = f(B);
  const r = solveWasserstein(ax, ay, bx, by, 2);
  assert.ok(certifyMatching(ax, ay, bx, by, 2, r.mateA, r.mateB, r.u, r.v).certified);
  // swap the partners of two matched points: a valid matching, but a worse one
  const i1 = r.mateA.findIndex((j) => j >= 0), i2 = r.mateA.findIndex((j, i) => j >= 0 && i > i1);
  const mA = r.mateA.slice(), mB = r.mateB.slice();
  [mA[i1], mA[i2]] = [mA[i2], mA[i1]];
  mB[mA[i1]] = i1; mB[mA[i2]] = i2;
  const bad = certifyMatching(ax, ay, bx, by, 2, mA, mB, r.u, r.v);
  assert.ok(bad.cost > r.cost && !bad.certified);
  // send a matched point to the diagonal instead
  const mA2 = r.mateA.slice(), mB2 = r.mateB.slice();
  mB2[mA2[i1]] = -1; mA2[i1] = -1;
  assert.not.ok(certifyMatching(ax, ay, bx, by, 2, mA2, mB2, r.u, r.v).certified);
  // duals raised above feasibility are clipped by the c-transform, so they prove nothing more
  const u = r.u.map((x) => x + 1);
  assert.ok(certifyMatching(ax, ay, bx, by, 2, r.mateA, r.mateB, u, r.v).lowerBound <= r.cost * (1 + 1e-12));
});

test('rules: diagonal points, duplicates, empties, points below the diagonal', () => {
  const A: P[] = [[1, 0.5], [0.3, 0.3], [0.7, 0.2]];
  const B: P[] = [[0.9, 0.5], [0.2, 0.2]];
  const r = wasserstein(A, B);
  assert.equal(r.matching.aToB[1], DIAGONAL);
  assert.equal(r.matching.bToA[1], DIAGONAL);
  assert.ok(close(r.distance, wasserstein([[1, 0.5], [0.7, 0.2]], [[0.9, 0.5]]).distance));
  // only diagonal points: distance 0, no loop
  assert.equal(wasserstein([[0.5, 0.5], [0.5, 0.5]], [[1, 1]]).distance, 0);
  assert.equal(wasserstein([], []).distance, 0);
  assert.equal(wasserstein(new Float64Array(0), []).matching.aToB.length, 0);
  // identical diagrams with duplicates: distance 0, each copy matched once
  const D: P[] = [[1, 0], [1, 0], [1, 0], [0.5, 0.25]];
  const s = wasserstein(D, D.slice());
  assert.equal(s.distance, 0);
  assert.equal([...s.matching.aToB].sort(), [0, 1, 2, 3]);
  // a diagram against a copy moved by 1e-9 or 1e-12: a tiny cost beside duals near the diagonal costs was
  // not certified (found by a topology audit); the nearest-neighbour duals certify it
  const near = new Rng(7);
  const base: P[] = Array.from({ length: 50 }, () => { const d = near.next(); return [d + 0.05 + 0.9 * near.next(), d]; });
  for (const moved of [1e-9, 1e-12]) {
    const copy: P[] = base.map(([b, d]) => [b + moved * (near.next() - 0.5), (d as number) + moved * (near.next() - 0.5)]);
    for (const q of [1, 2]) {
      const r = wasserstein(base, copy, { q });
      assert.ok(r.certified && r.lowerBound <= r.cost * (1 + 1e-9) && r.lowerBound >= r.cost * (1 - 1e-9), `moved ${moved}, q=${q}: ${r.cost} ≥ ${r.lowerBound}`);
    }
  }
  // a distance of 0 is optimal whatever the duals: certified (it was not, for any diagram against itself)
  for (const q of [1, 2, 3]) {
    assert.ok(wasserstein(D, D.slice(), { q }).certified, `q = ${q}`);
    const E: P[] = [[0.9, 0.1], [0.8, 0.6], [0.4, 0.35], [0.7, 0.1]];
    assert.ok(wasserstein(E, E.slice(), { q }).certified, `q = ${q}`);
  }
  // below the diagonal: same |b − d|/2 to the diagonal
  assert.ok(close(wasserstein([[0, 1]], []).distance, 0.5));
  // the three input forms agree
  const flat = wasserstein(Float64Array.from([1, 0.5, 0.7, 0.2]), [{ birth: 0.9, death: 0.5 }]);
  assert.ok(close(flat.distance, wasserstein([[1, 0.5], [0.7, 0.2]], [[0.9, 0.5]]).distance));
});

test('rules: huge and tiny magnitudes are exact up to scale', () => {
  const rng = new Rng(5);
  const A = randomDiagram(rng, 12), B = randomDiagram(rng, 10);
  for (const q of [1, 2, Infinity]) {
    const base = wasserstein(A, B, { q }).distance;
    for (const s of [2 ** 900, 1e300, 2 ** -900]) {
      const scaled = (D: P[]) => D.map(([b, d]) => [b * s, (d as number) * s] as P);
      const r = wasserstein(scaled(A), scaled(B), { q });
      assert.ok(Number.isFinite(r.distance) && close(r.distance / s, base, 1e-12), `q=${q} s=${s}`);
      assert.ok(r.certified);
    }
  }
});

test('rules: magnitudes 1e50 apart in one diagram pair (the auction bid ε at a time, forever): brute force', () => {
  // ε comes from the median diagonal cost (1e-50 here), far below the gap between the two near-equal options
  const A: P[] = [[1e-50, 0], [1, 0], [1, 0]];
  const B: P[] = [[1e-50, -1e-50], [1e-50, 0], [1.02, 0], [5e-51, 0], [5e-51, 0], [1.04, 0]];
  // relative to the cost itself (close() allows 1e-12 absolute below 1, which every 1e-50 cost would pass)
  const relClose = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.abs(y);
  for (const q of [1, 2, 3]) {
    const r = wasserstein(A, B, { q });
    assert.ok(r.certified, `q=${q}`);
    assert.ok(relClose(r.cost, wassersteinRef(A, B, q)), `q=${q}: ${r.cost}`);
  }
  const rng = new Rng(9);
  for (let t = 0; t < 20; t++) {
    const D = (k: number): P[] => Array.from({ length: k }, () => {
      const s = rng.next() < 0.5 ? 1e-50 : 1;
      const d = rng.next() * s;
      return [d + rng.next() * s, d];
    });
    const X = D(4 + (t % 5)), Y = D(3 + (t % 7));
    const q = 1 + (t % 3);
    assert.ok(relClose(wasserstein(X, Y, { q }).cost, wassersteinRef(X, Y, q)), `case ${t}`);
  }
});

test('rules: a few far points among small ones, subnormal diagrams, large q, ignored or diagonal huge points (found by fuzzing)', () => {
  // two shared points at ±1e6 set one tolerance for every arc and hid the small ones: 0.106, certified (scipy: 0.0873)
  const near: P[] = [[0.12, -0.04], [1e6, -1e6]];
  const nearB: P[] = [[0.06, -0.11], [0.14, -0.02], [1e6, -1e6]];
  for (const q of [1, 2, 3]) assert.ok(close(wasserstein(near, nearB, { q }).cost, wassersteinRef(near, nearB, q), 1e-9), `far points, q=${q}`);
  assert.ok(close(wasserstein(near, nearB, { q: 2 }).distance, 0.0873212459828649, 1e-12));
  // every value subnormal: the scale 2^1074 was not a double (NaN)
  for (const q of [1, 2, Infinity]) assert.is(wasserstein([[1e-310, 0]], [[2e-310, 0]], { q }).distance, 1e-310, `subnormal, q=${q}`);
  // an ignored essential class of 1e300, or a diagonal point there, set the scale and every cost underflowed (0)
  assert.is(wasserstein([[1, 0]], [[1e300, null]], { q: 2, essential: 'ignore' }).distance, 0.5);
  assert.is(wasserstein([[1e300, 1e300], [1e-300, 0]], [], { q: 1 }).distance, 5e-301);
  // large q: 0.1^1000 underflowed (0), 10^1000 overflowed (Infinity)
  assert.ok(close(wasserstein([[1, 0.8]], [], { q: 1000 }).distance, 0.1, 1e-12));
  assert.ok(close(wasserstein([[20, 0]], [], { q: 1000 }).distance, 10, 1e-12));
  // large q with points of unlike persistence: the small point's cost underflowed beside the large one's unit
  // (distance 0, certified, at q = 300; found by a CLI audit). Its W_q is the 0.025 it must travel.
  for (const q of [300, 900, 5000]) {
    const r = wasserstein([[0.9, 0.1], [0.2, 0.15]], [[0.9, 0.1]], { q });
    assert.ok(close(r.distance, 0.025, 1e-12) && r.certified, `q=${q}: ${r.distance}`);
    assert.ok(close(wasserstein([[0.9, 0.1], [0.5, 0.4]], [[0.8, 0.3]], { q }).distance, 0.2, 1e-12), `q=${q}`);
  }
  // q above ~2000 where the bottleneck equals the largest diagonal distance: the exact unit was skipped and
  // 0.75^3000 underflowed (distance 0, certified; found by a topology audit)
  for (const q of [3000, 5000, 1e6]) {
    const r = wasserstein([[0.75, 0]], [], { q });
    assert.ok(close(r.distance, 0.375, 1e-12) && r.certified, `lone point, q=${q}: ${r.distance}`);
  }
  // q > 16 with a subnormal bottleneck distance: its unit 2^k (k ≥ 1024) overflowed, and the answer was NaN,
  // certified (found by a review)
  for (const q of [17, 300]) {
    const r = wasserstein([[3e-308, 1e-308]], [], { q });
    assert.ok(close(r.distance, 1e-308, 1e-12) && r.certified, `subnormal unit, q=${q}: ${r.distance}`);
    const two = wasserstein([[3e-308, 1e-308], [2e-308, 0]], [[3e-308, 1.5e-308]], { q });
    // (3, 1) to (3, 1.5) at 0.5, (2, 0) to the diagonal at 1 (in 1e-308)
    assert.ok(close(two.distance, (0.5 ** q + 1) ** (1 / q) * 1e-308, 1e-9) && two.certified, `subnormal unit, two points, q=${q}: ${two.distance}`);
  }
  const rng = new Rng(11);
  const pts = (n: number): P[] => Array.from({ length: n }, () => { const d = rng.next(); return [d + 0.1 + 0.8 * rng.next(), d]; });
  const X5 = pts(5), Y5 = pts(5);
  const b5 = wasserstein(X5, Y5, { q: Infinity }).distance;
  const w5 = wasserstein(X5, Y5, { q: 5000 }).distance;
  assert.ok(w5 >= b5 * (1 - 1e-12) && w5 <= b5 * 10 ** (1 / 5000) * (1 + 1e-12), `5 × 5 at q = 5000: ${w5} against the bottleneck ${b5}`);
  // matched essential classes born at 1e300 or 3e38 (a volume with one saturated voxel) set the scale by their
  // births, and every finite cost underflowed: distance 0, certified. Their cost is the birth difference.
  assert.ok(close(wasserstein([[1e300, null], [1, 0]], [[1e300, null], [1.5, 0]]).distance, 0.5, 1e-12));
  for (const q of [2, 8, 10, 16]) {
    const E = (d: P[]): P[] => [[3e38, null], ...d];
    const X = E(pts(6)), Y = E(pts(7));
    const r = wasserstein(X, Y, { q });
    const ref = wassersteinRef(X, Y, q);
    assert.ok(ref > 0 && Math.abs(r.cost - ref) <= 1e-9 * ref, `essential at 3e38, q=${q}: ${r.cost} against ${ref}`);
  }
  // a persistence above the largest double: the half-difference overflowed (distance +∞)
  for (const q of [1, 2, Infinity]) assert.ok(close(wasserstein([[1e308, -1e308]], [], { q }).distance / 1e308, 1, 1e-12), `q=${q}`);
  assert.ok(close(matchingCost([[1e308, -1e308]], [], { aToB: Int32Array.of(DIAGONAL), bToA: new Int32Array(0) }, 1) / 1e308, 1, 1e-12));
});

test('q from 8 to 300: optimal and certified, against an exact rational Hungarian (found by fuzzing)', () => {
  // The expected distances come from an exact Hungarian over Python Fractions on the diagonal-augmented
  // problem (the fuzzing audit's reference), not from this code.
  const cases: Array<[P[], P[], number, number]> = [
    // q = 8: a 1e-18 rounding of c − v beside duals of 2e-8 read as a violation; repairing it undid the tight
    // pair (0.62, 0.49)–(0.62, 0.51), which the next search re-made, until the round limit (0.27000086, uncertified)
    [[[0.62, 0.49], [0.94, 0.5]], [[0.62, 0.51], [0.96, 0.23], [0.69, 0.56]], 8, 0.27000038080554456],
    // q = 40 and 300: diagonal costs up to 1e132 against an optimum of about 1 in the bottleneck unit left no
    // precision in the reduced costs (0.2200 and 0.1600, uncertified)
    [[[0.83, 0.06], [0.38, 0.16], [0.69, 0.32], [0.4, 0.18], [0.26, 0.01], [0.42, 0.11], [0.63, 0.38]],
      [[0.73, 0.65], [0.87, 0.43], [0.81, 0.63], [0.54, 0.34], [1.0, 0.2], [0.26, 0.24], [0.26, 0.07]], 40, 0.18044644992271894],
    [[[0.61, 0.1], [0.34, 0.29], [0.97, 0.14], [0.54, 0.09], [0.18, 0.17]], [[0.84, 0.11], [0.63, 0.25], [0.52, 0.24], [0.87, 0.69]], 300, 0.15034697427632637],
  ];
  for (const [a, b, q, want] of cases) {
    const r = wasserstein(a, b, { q });
    assert.ok(close(r.distance, want, 1e-12) && r.certified, `q=${q}: ${r.distance} (certified: ${r.certified}), exact ${want}`);
  }
});

test('rules: NaN and infinite coordinates are errors; essential classes match by birth', () => {
  assert.throws(() => wasserstein([[NaN, 0]], []), /NaN/);
  assert.throws(() => wasserstein([[Infinity, 0]], []), /infinite birth/);
  assert.throws(() => wasserstein([], [[1, Infinity]]), /death \+Infinity/);
  assert.throws(() => wasserstein([[1, 0]], [], { q: 0.5 }), /q must be/);
  // essential (null / −∞) matched in birth order, only with each other
  const A: P[] = [[1, null], [0.4, null], [0.8, 0.1]];
  const B: DiagramInput = [{ birth: 0.5, death: -Infinity }, { birth: 0.9, death: null }, { birth: 0.8, death: 0.2 }];
  const r = wasserstein(A, B, { q: 1 });
  assert.equal([...r.matching.aToB], [1, 0, 2]);
  assert.ok(close(r.cost, 0.1 + 0.1 + 0.1));
  assert.ok(close(r.cost, wassersteinRef(A, B, 1)));
  // different numbers of essential classes: +∞, or left out with essential: 'ignore'
  const c = wasserstein([[1, null], [0.5, null]], [[1, null]]);
  assert.equal(c.distance, Infinity);
  assert.equal(c.matching.aToB[0], UNMATCHED_ESSENTIAL);
  const d = wasserstein([[1, null], [0.5, null]], [[1, null]], { essential: 'ignore' });
  assert.equal(d.distance, 0);
  assert.equal(wasserstein([[1, null]], [[0.7, null]], { q: Infinity }).distance, 0.30000000000000004);
});

interface RefEntry { a: string; b: string; dim: number; q: number; w: number; A: P[]; B: P[] }

test('fixture: reference W2 of small cases (POT emd2) to 1e-9', () => {
  const fx = JSON.parse(readFileSync(new URL('../fixtures/wasserstein_small.json', import.meta.url), 'utf8'));
  for (const e of fx.entries as RefEntry[]) {
    const r = wasserstein(e.A, e.B, { q: e.q, essential: 'ignore' });
    assert.ok(close(r.distance, e.w, 1e-9) && r.certified, `${e.a}/${e.b} dim ${e.dim}: ${r.distance} vs ${e.w}`);
    // and W∞ ≤ W2 for the same diagrams
    assert.ok(wasserstein(e.A, e.B, { q: Infinity, essential: 'ignore' }).distance <= r.distance + 1e-15);
  }
});

const shared = new URL('../../../shared/reference/persistence-T/index.json', import.meta.url);
// NOTE: skipped (and counted so) where ../shared is absent; the fixture test above covers the small cases.
(existsSync(shared) ? test : test.skip)('../shared reference: every W2 entry up to ~1,500 points per diagram to 1e-9', () => {
  const idx = JSON.parse(readFileSync(shared, 'utf8'));
  let checked = 0;
  for (const w of idx.wasserstein as Array<{ a: string; b: string; dim: number; q: number; w: number }>) {
    const A = idx.cases[w.a].diagrams[String(w.dim)], B = idx.cases[w.b].diagrams[String(w.dim)];
    // NOTE: the ~4k-point dimension-1 pairs take seconds each; harness/bench/wasserstein.ts checks them.
    if (A.length > 1500 || B.length > 1500) continue;
    const r = wasserstein(A, B, { q: w.q, essential: 'ignore' });
    assert.ok(close(r.distance, w.w, 1e-9) && r.certified, `${w.a}/${w.b} dim ${w.dim}: ${r.distance} vs ${w.w}`);
    checked++;
  }
  assert.ok(checked >= 12);
});

test('bad diagrams and options are refused by name; a flat Float32Array is read like a Float64Array', () => {
  const A = [[0.9, 0.1], [0.5, 0.4]] as const;
  assert.throws(() => wasserstein(null as unknown as DiagramInput, A), /diagram A: expected a flat Float64Array.*got null/);
  assert.throws(() => wasserstein(A, 'x' as unknown as DiagramInput), /diagram B: expected .* got string/);
  assert.throws(() => wasserstein(A, A, { essential: 'bogus' as 'match' }), /essential must be 'match' or 'ignore'/);
  assert.throws(() => wasserstein(A, A, null as unknown as object), /options must be an object/);
  // a misspelled option or a q that is not a number ran silently (`essentials` matched the essential classes;
  // q: true ran as 1); found by a review
  assert.throws(() => wasserstein(A, A, { essentials: 'ignore' } as object), /wasserstein: unknown option 'essentials' \(options: q, essential\)/);
  for (const q of [true, '2', [3]]) assert.throws(() => wasserstein(A, A, { q: q as unknown as number }), /q must be a number ≥ 1 or Infinity/, JSON.stringify(q));
  // a superlevel diagram against a sublevel one (or one that mixes them) gave a number (0.566 for a point
  // against its mirror image, which is 0 in one convention)
  assert.throws(() => wasserstein([[0.9, 0.1]], [[0.1, 0.9]]), /the diagrams mix birth > death \(diagram A's point 0, \(0.9, 0.1\)\) and birth < death \(diagram B's point 0, \(0.1, 0.9\)\)/);
  assert.throws(() => wasserstein([[0.9, 0.1], [0.2, 0.3]], []), /mix birth > death .* and birth < death \(diagram A's point 1/);
  // either convention alone, diagonal points and essential classes tell nothing
  assert.ok(Math.abs(wasserstein([[0.1, 0.9], [0.5, 0.5]], [[0.2, 0.9]]).distance - wasserstein([[0.9, 0.1]], [[0.9, 0.2]]).distance) < 1e-15);
  assert.is(wasserstein([[1, null], [0.5, 0.5]], [[1, null], [0.2, 0.9]]).certified, true);
  const flat = [0.9, 0.1, 0.5, 0.4, 0.7, 0.2];
  const want = wasserstein(Float64Array.from(flat), A).distance;
  assert.is(wasserstein(Float32Array.from(flat.map(Math.fround)), A).distance, wasserstein(Float64Array.from(flat.map(Math.fround)), A).distance);
  assert.ok(Math.abs(want - wasserstein(Float32Array.from(flat), A).distance) < 1e-7);
  // matchingCost checks what it is handed: q, and a matching of these diagrams
  const r = wasserstein(A, Float64Array.from(flat));
  assert.ok(Math.abs(matchingCost(A, Float64Array.from(flat), r.matching) - r.distance ** 2) < 1e-12);
  assert.throws(() => matchingCost(A, Float64Array.from(flat), r.matching, 0), /q must be ≥ 1/);
  assert.throws(() => matchingCost(A, A, r.matching), /the matching covers 2 \+ 3 points, the diagrams have 2 \+ 2/);
  const off = { aToB: Int32Array.of(7, DIAGONAL), bToA: Int32Array.of(DIAGONAL, DIAGONAL, DIAGONAL) };
  assert.throws(() => matchingCost(A, Float64Array.from(flat), off), /names a point outside the diagrams/);
});

test.run();
