import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kfold } from '../../src/data/split.ts';
import { UserError } from '../../src/util/errors.ts';

// 135 labels in the real sample's proportions (69 / 31 / 23 / 12), interleaved.
const labels: string[] = [];
for (const [c, n] of [['A', 69], ['B', 31], ['C', 23], ['D', 12]] as const) for (let i = 0; i < n; i++) labels.push(c);
const shuffled = labels.map((c, i) => ({ c, k: (i * 7919) % 135 })).sort((a, b) => a.k - b.k).map((x) => x.c);

test('every sample in exactly one test fold; train/val/test partition each fold at 60/20/20', () => {
  const folds = kfold(shuffled, { k: 5, seed: 3 });
  assert.is(folds.length, 5);
  const testCount = new Array(135).fill(0);
  const valCount = new Array(135).fill(0);
  for (const f of folds) {
    const all = [...f.train, ...f.val, ...f.test].sort((a, b) => a - b);
    assert.equal(all, Array.from({ length: 135 }, (_, i) => i));
    for (const i of f.test) testCount[i]++;
    for (const i of f.val) valCount[i]++;
    assert.is(f.test.length, 27);
    assert.is(f.val.length, 27);
    assert.is(f.train.length, 81);
  }
  assert.ok(testCount.every((c) => c === 1));
  assert.ok(valCount.every((c) => c === 1));
});

test('stratified: each test part holds each class in proportion (±1)', () => {
  const folds = kfold(shuffled, { k: 5, seed: 8 });
  for (const c of ['A', 'B', 'C', 'D']) {
    const total = shuffled.filter((x) => x === c).length;
    for (const f of folds) {
      const n = f.test.filter((i) => shuffled[i] === c).length;
      assert.ok(Math.abs(n - total / 5) <= 1, `class ${c}: ${n} of ${total} in a test part`);
    }
  }
});

test('seeded and reproducible; another seed gives another split', () => {
  assert.equal(kfold(shuffled, { seed: 1 }), kfold(shuffled, { seed: 1 }));
  assert.not.equal(kfold(shuffled, { seed: 1 })[0].test, kfold(shuffled, { seed: 2 })[0].test);
});

test('too few samples or folds is a user error', () => {
  assert.throws(() => kfold(['a', 'b', 'c'], { k: 5 }), (e: unknown) => e instanceof UserError);
  assert.throws(() => kfold(shuffled, { k: 2 }), (e: unknown) => e instanceof UserError);
  // k = 3 on 3 samples: one sample per part
  assert.equal(kfold(['a', 'a', 'b'], { k: 3, seed: 0 }).map((f) => f.test.length), [1, 1, 1]);
});

test.run();
