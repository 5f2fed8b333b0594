import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { adapterKey, adapterSlug, fitExponent, markdownTable, median, nonFiniteFields, parseRows, resultsMarkdown, spread, timeRuns } from '../../harness/bench/common.ts';
import { quantile } from '../../src/util/quantile.ts';
import { Rng } from '../../src/util/rng.ts';

test('median, quantile and spread (interquartile range) on hand-checked lists', () => {
  assert.is(median([5, 1, 3]), 3);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.is(quantile([1, 2, 3, 4, 5], 0.25), 2);
  assert.is(spread([1, 2, 3, 4, 5]), 2);
  assert.is(spread([10, 10, 10, 100]), 22.5); // q75 = 32.5, q25 = 10
  assert.is(spread([7]), 0);
});

test('fitExponent recovers the exponent of exact and noisy power laws', () => {
  const n = [16, 32, 64, 128];
  const exact = fitExponent(n, n.map((x) => 3 * x ** 2.5));
  assert.ok(Math.abs(exact.exponent - 2.5) < 1e-12);
  assert.ok(Math.abs(exact.coefficient - 3) < 1e-9);
  assert.ok(Math.abs(exact.r2 - 1) < 1e-12);
  const rng = new Rng(3);
  const sizes = Array.from({ length: 20 }, (_, i) => 100 * 1.3 ** i);
  const noisy = fitExponent(sizes, sizes.map((x) => 0.01 * x ** 1.2 * (1 + 0.1 * (rng.next() - 0.5))));
  assert.ok(Math.abs(noisy.exponent - 1.2) < 0.02, `exponent ${noisy.exponent}`);
  assert.ok(noisy.r2 > 0.99 && noisy.r2 <= 1);
  assert.ok(Number.isNaN(fitExponent([10], [1]).exponent));
  assert.is(fitExponent([10, 20, -1, 40], [1, 2, 5, 0]).points, 2); // non-positive points are dropped
});

test('timeRuns: warm-up runs untimed, median and spread of the timed ones', async () => {
  let calls = 0;
  const t = await timeRuns(() => { calls++; const t0 = performance.now(); while (performance.now() - t0 < 2); }, { warmup: 2, repeats: 3 });
  assert.is(calls, 5);
  assert.is(t.samples_ms.length, 3);
  assert.ok(t.median_ms >= 2 && t.min_ms <= t.median_ms && t.spread_ms >= 0);
});

test('adapter names become file names', () => {
  assert.is(adapterSlug('llvmpipe (LLVM 19.1.7, 256 bits)'), 'llvmpipe-llvm-19-1-7-256-bits');
  assert.is(adapterKey('mesa llvmpipe-llvm-15 llvmpipe: Mesa 25.0.7'), 'lavapipe');
  assert.is(adapterKey('Google SwiftShader Device (Subzero)'), 'swiftshader');
  assert.is(adapterKey('NVIDIA GeForce RTX 4090'), 'nvidia-geforce-rtx-4090');
});

test('parseRows keeps JSON rows with a bench name; nonFiniteFields flags NaN, Infinity and null timings', () => {
  const rows = parseRows('warning: noise\n{"bench":"a","median_ms":1}\n{"not":"a row"}\n{broken\n{"bench":"b","x":2}\n');
  assert.equal(rows.map((r) => r.bench), ['a', 'b']);
  assert.equal(nonFiniteFields({ bench: 'a', median_ms: NaN, gflops: Infinity, size: 3, spread_ms: null }), ['median_ms', 'gflops', 'spread_ms']);
  assert.equal(nonFiniteFields({ bench: 'a', median_ms: 1.5, layer: 'conv' }), []);
});

test('markdown writer: union of columns in first-seen order, numbers right-aligned, pipes escaped', () => {
  const md = markdownTable([
    { bench: 'p', adapter: 'x', size: 16, median_ms: 1.23456 },
    { bench: 'p', adapter: 'x', size: 32, median_ms: 10, note: 'a|b' },
  ]).split('\n');
  assert.equal(md, ['| size | median_ms | note |', '| ---: | ---: | --- |', '| 16 | 1.235 |  |', '| 32 | 10 | a\\|b |']);
  const doc = resultsMarkdown({ adapter: 'lavapipe', date: '2026-11-25', mode: 'quick', machine: 'test' },
    [{ bench: 'a', v: 1 }, { bench: 'b', v: 2 }, { bench: 'a', v: 3 }], { b: ['exponent 2.0'] });
  assert.ok(doc.startsWith('# Benchmarks on lavapipe'));
  assert.ok(doc.indexOf('## a') < doc.indexOf('## b'));
  assert.ok(doc.includes('exponent 2.0\n\n| v |'));
  assert.is(doc.split('\n').filter((l) => l.startsWith('| 1 |') || l.startsWith('| 3 |')).length, 2);
});

// A typo such as --quik ran the full suite for hours and then wrote over the committed results.
test('npm run bench refuses an unknown flag before running anything', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../harness/bench.ts', import.meta.url)), '--quik', '--only', 'matmul'], { encoding: 'utf8' });
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /bench: Unknown option '--quik'/);
  assert.is(r.stdout, '');
});

test.run();
