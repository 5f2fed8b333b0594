import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { erfc, formatPValue, rankData, signedRankPmf, wilcoxon } from '../../src/eval/wilcoxon.ts';

// Fixture: scipy 1.10.1 stats.wilcoxon (defaults) values made by harness/fixtures/eval_reference.py.
const ref = JSON.parse(readFileSync(new URL('../fixtures/eval_reference.json', import.meta.url), 'utf8'));

test('by hand: all 6 differences positive -> exact two-sided p = 2/2^6', () => {
  const r = wilcoxon([1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0]);
  assert.is(r.method, 'exact');
  assert.is(r.statistic, 0);
  assert.is(r.pvalue, 2 / 64);
});

test('ranks average ties; the null pmf sums to 1 and is symmetric', () => {
  assert.equal(rankData([3, 1, 3, 2]), [3.5, 1, 3.5, 2]);
  const pmf = signedRankPmf(10);
  assert.is(pmf.length, 56);
  assert.ok(Math.abs(pmf.reduce((s, x) => s + x, 0) - 1) < 1e-15);
  assert.is(pmf[3], pmf[52]);
});

test('erfc against known values', () => {
  assert.ok(Math.abs(erfc(0) - 1) < 1e-16);
  assert.ok(Math.abs(erfc(1) / 0.15729920705028513 - 1) < 1e-14);
  assert.ok(Math.abs(erfc(3) / 2.209049699858544e-5 - 1) < 1e-13);
  assert.ok(Math.abs(erfc(6) / 2.1519736712498913e-17 - 1) < 1e-13);
});

test('statistic and p-value equal scipy.stats.wilcoxon (exact, approx, ties, zeros)', () => {
  for (const c of ref.wilcoxon) {
    const r = wilcoxon(c.x, c.y);
    assert.ok(Math.abs(r.statistic - c.statistic) < 1e-9, `${c.label}: T ${r.statistic} vs ${c.statistic}`);
    assert.ok(Math.abs(r.pvalue - c.pvalue) <= 1e-12 + 1e-10 * c.pvalue, `${c.label}: p ${r.pvalue} vs ${c.pvalue}`);
  }
});

// compare printed p = 1.49e-8 beside p = 0.00000560 in one table
test('formatPValue: three significant digits, exponent form below 0.001', () => {
  assert.equal([0.5, 0.0123, 0.001, 5.6e-6, 1.49e-8, 1].map(formatPValue), ['0.500', '0.0123', '0.00100', '5.60e-6', '1.49e-8', '1.00']);
});

test.run();
