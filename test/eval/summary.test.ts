import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describe, summarize } from '../../src/eval/summary.ts';
import { quantileSorted } from '../../src/util/quantile.ts';

test('quartiles by hand (numpy linear): [1,2,3,4] -> 1.75 / 2.5 / 3.25', () => {
  const s = describe([4, 1, 3, 2]);
  assert.equal([s.q25, s.median, s.q75, s.iqr, s.mean], [1.75, 2.5, 3.25, 1.5, 2.5]);
  assert.is(quantileSorted([7], 0.25), 7);
  assert.ok(Number.isNaN(quantileSorted([], 0.5)));
});

test('NaN values are left out and counted', () => {
  const s = describe([NaN, 1, NaN, 3]);
  assert.equal([s.n, s.nan, s.mean, s.median], [2, 2, 2, 2]);
  const e = describe([NaN]);
  assert.ok(Number.isNaN(e.mean) && e.nan === 1 && e.n === 0);
});

test('per-class groups beside "all"', () => {
  const rows = [{ e: 1 }, { e: 2 }, { e: 10 }, { e: 20 }, { e: 30 }];
  const out = summarize(rows, ['e'], ['a', 'a', 'b', 'b', 'b']);
  assert.equal(Object.keys(out), ['all', 'a', 'b']);
  assert.is(out.all.e.n, 5);
  assert.is(out.a.e.mean, 1.5);
  assert.is(out.b.e.median, 20);
});

test.run();
