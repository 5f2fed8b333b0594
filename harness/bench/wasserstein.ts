// Benchmark of the exact Wasserstein matcher (CPU), on diagrams computed by persistence() (wasserstein_cases.ts):
// - the training default's size, 16³: noise vs noise, smoothed noise vs smoothed noise, prediction vs target,
//   dimensions 0, 1, 2 (target: < 1 ms); brute force (dense Hungarian) where both diagrams together have ≤ 300
//   points;
// - about 10k points per diagram: uniform noise of 64³ (dim 0), 40³ (dim 1), 44³ (dim 2) (target: < 1 s);
// then seeded synthetic diagrams (most points near the diagonal, a few far from it) at growing sizes with the
// empirical exponent of time vs size, and the ~4k-point reference diagrams of the 32³ cases against POT.
// Prints one JSON object per line: {"bench":"wasserstein","kind":..,"points":N,"q":2,"median_ms":..,"cpu_ms":..}
// ("points": the larger diagram's size; "points_a", "points_b" both).
// Usage: tsx harness/bench/wasserstein.ts [--sizes 100,1000,5000,10000,20000] [--q 2] [--reps 3] [--quick]
//   [--no-reference] [--no-large] [--dump DIR]   (--dump writes A_N.json / B_N.json diagrams, e.g. for POT)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wasserstein } from '../../src/topo/wasserstein.ts';
import { wassersteinRef } from '../../src/topo/wasserstein.ref.ts';
import { Rng } from '../../src/util/rng.ts';
import { largeCases, smallCases, type DiagramCase } from './wasserstein_cases.ts';
import { argNumbers, argValue, emit, fitExponent, round, timeRuns, type Row } from './common.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const sizes = argNumbers(argv, 'sizes', quick ? [100, 1000] : [100, 1000, 5000, 10000, 20000]);
const qArg = argValue(argv, 'q', '2');
const q = qArg === 'inf' ? Infinity : Number(qArg);
const reps = Number(argValue(argv, 'reps', quick ? '1' : '3'));
const dump = argValue(argv, 'dump', '');

/** n points: 90% near the diagonal (persistence ~ |N(0, 0.01)|), 10% far (0.05–0.5); births in [0, 1]. */
export function syntheticDiagram(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const b = rng.next();
    const pers = rng.next() < 0.9 ? Math.abs(0.01 * rng.normal()) : 0.05 + 0.45 * rng.next();
    out[2 * i] = b;
    out[2 * i + 1] = b - pers;
  }
  return out;
}

const qName = q === Infinity ? 'inf' : q;
/** One row for a case: median wall and CPU time per call, with brute force where it is cheap. */
async function caseRow(c: DiagramCase, warmup: number, repeats: number): Promise<Row> {
  let result = wasserstein(c.A, c.B, { q });
  const t = await timeRuns(() => { result = wasserstein(c.A, c.B, { q }); }, { warmup, repeats });
  const nA = c.A.length / 2, nB = c.B.length / 2;
  const row: Row = {
    bench: 'wasserstein', kind: c.name, points: Math.max(nA, nB), points_a: nA, points_b: nB, q: qName,
    median_ms: round(t.median_ms), spread_ms: round(t.spread_ms), cpu_ms: round(t.cpu_ms), distance: result.distance,
    certified: result.certified,
  };
  if (nA + nB <= 300) {
    const ref = wassersteinRef(c.A, c.B, q);
    row.brute_rel_err = Math.abs(result.cost - ref) / Math.max(ref, 1e-300);
  }
  return row;
}
for (const c of smallCases()) emit(await caseRow(c, quick ? 2 : 20, quick ? 5 : 30 * reps));
if (!quick && !argv.includes('--no-large')) for (const c of largeCases()) emit(await caseRow(c, 0, reps));

const toJson = (d: Float64Array) => ({ '0': Array.from({ length: d.length / 2 }, (_, i) => [d[2 * i], d[2 * i + 1]]) });
const times: number[] = [];
for (const n of sizes) {
  const A = syntheticDiagram(n, 1000 + n), B = syntheticDiagram(n, 2000 + n);
  if (dump) {
    mkdirSync(dump, { recursive: true });
    writeFileSync(join(dump, `A_${n}.json`), JSON.stringify(toJson(A)));
    writeFileSync(join(dump, `B_${n}.json`), JSON.stringify(toJson(B)));
  }
  let result = wasserstein(A, B, { q });
  const t = await timeRuns(() => { result = wasserstein(A, B, { q }); }, { warmup: n <= 1000 ? 2 : 0, repeats: n <= 1000 ? 5 * reps : reps });
  times.push(t.median_ms);
  const row: Row = {
    bench: 'wasserstein', kind: 'synthetic', points: n, q: qName,
    median_ms: round(t.median_ms), spread_ms: round(t.spread_ms), cpu_ms: round(t.cpu_ms), distance: result.distance, certified: result.certified,
  };
  if (n <= 300) {
    // brute force: the dense (2n)×(2n) Hungarian (or threshold matching for q = ∞)
    let ref = 0;
    const tr = await timeRuns(() => { ref = wassersteinRef(A, B, q); }, { warmup: 0, repeats: 1 });
    row.brute_ms = round(tr.median_ms);
    row.brute_rel_err = Math.abs(result.cost - ref) / Math.max(ref, 1e-300);
  }
  emit(row);
}
const fit = fitExponent(sizes.filter((n) => n >= 1000), times.filter((_, k) => sizes[k] >= 1000));
emit({ bench: 'wasserstein', kind: 'fit', q: q === Infinity ? 'inf' : q, exponent: round(fit.exponent), r2: round(fit.r2), sizes: sizes.filter((n) => n >= 1000).join(',') });

// The 32³ reference diagrams (dimension 1: ~4k points each) against POT's values, when ../shared is there.
const shared = new URL('../../../shared/reference/persistence-T/index.json', import.meta.url);
if (!quick && !argv.includes('--no-reference') && existsSync(shared) && q === 2) {
  const idx = JSON.parse(readFileSync(shared, 'utf8'));
  for (const w of idx.wasserstein as Array<{ a: string; b: string; dim: number; w: number }>) {
    const A = idx.cases[w.a].diagrams[String(w.dim)], B = idx.cases[w.b].diagrams[String(w.dim)];
    if (A.length < 1000 && B.length < 1000) continue;
    let r = wasserstein(A, B, { q: 2, essential: 'ignore' });
    const t = await timeRuns(() => { r = wasserstein(A, B, { q: 2, essential: 'ignore' }); }, { warmup: 0, repeats: 1 });
    emit({ bench: 'wasserstein', kind: `reference ${w.a}/${w.b} dim ${w.dim}`, points: Math.max(A.length, B.length),
      points_a: A.length, points_b: B.length, q: 2,
      median_ms: round(t.median_ms), spread_ms: 0, cpu_ms: round(t.cpu_ms), rel_err_vs_pot: Math.abs(r.distance - w.w) / w.w, certified: r.certified });
  }
}
