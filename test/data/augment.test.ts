import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyOps, augmentSample, drawOps, transformPlanes } from '../../src/data/augment.ts';
import type { Sample } from '../../src/data/sample.ts';
import { makeInput } from '../../src/data/sample.ts';
import { Rng } from '../../src/util/rng.ts';

const NONE = { flipH: false, flipV: false, rot90: false };

test('by hand on a 2×3 / 2×2 plane: flips, and rot90 as numpy.rot90', () => {
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // [[1,2,3],[4,5,6]]
  assert.equal([...transformPlanes(a, 1, 2, 3, { ...NONE, flipH: true })], [3, 2, 1, 6, 5, 4]);
  assert.equal([...transformPlanes(a, 1, 2, 3, { ...NONE, flipV: true })], [4, 5, 6, 1, 2, 3]);
  const b = Float32Array.from([1, 2, 3, 4]); // np.rot90([[1,2],[3,4]]) = [[2,4],[1,3]]
  assert.equal([...transformPlanes(b, 1, 2, 2, { ...NONE, rot90: true })], [2, 4, 1, 3]);
  // all three: flip W, flip H, then rotate — np.rot90(np.flipud(np.fliplr(b))) = [[3,1],[4,2]]
  assert.equal([...transformPlanes(b, 1, 2, 2, { flipH: true, flipV: true, rot90: true })], [3, 1, 4, 2]);
});

// A sample whose target slice z is the mask times (z + 1): any consistent in-plane transform keeps that.
function tagged(S: number, D: number, rng: Rng): Sample {
  const mask = Float32Array.from({ length: S * S }, () => (rng.next() < 0.4 ? 1 : 0));
  const image = Float32Array.from({ length: S * S }, () => rng.next());
  const target = new Float32Array(D * S * S);
  for (let z = 0; z < D; z++) for (let i = 0; i < S * S; i++) target[z * S * S + i] = (mask[i] * (z + 1)) / D;
  return { name: 't', className: 'c', shape: [D, S, S], input: makeInput(mask, image), target, image };
}

test('input, image and every target slice are transformed together', () => {
  const rng = new Rng(9);
  const S = 7;
  const D = 5;
  for (let trial = 0; trial < 30; trial++) {
    const s = tagged(S, D, rng);
    const a = augmentSample(s, rng);
    for (let z = 0; z < D; z++) {
      for (let i = 0; i < S * S; i++) assert.is(a.target[z * S * S + i], Math.fround((a.input[i] * (z + 1)) / D));
    }
    for (let i = 0; i < S * S; i++) assert.is(a.input[S * S + i], Math.fround(a.image[i] * a.input[i]));
    assert.equal(a.shape, s.shape);
    // the same multiset of values (a permutation of positions)
    assert.equal([...a.image].sort(), [...s.image].sort());
  }
});

test('ops compose as a group: four rotations and double flips are the identity', () => {
  const s = tagged(6, 3, new Rng(2));
  let r = s;
  for (let k = 0; k < 4; k++) r = applyOps(r, { ...NONE, rot90: true });
  assert.equal([...r.target], [...s.target]);
  const once = applyOps(s, { ...NONE, rot90: true });
  assert.not.equal([...once.target], [...s.target]);
  const hh = applyOps(applyOps(s, { ...NONE, flipH: true }), { ...NONE, flipH: true });
  assert.equal([...hh.input], [...s.input]);
  assert.is(applyOps(s, NONE), s);
});

test('each op is drawn with probability 1/3, independently, reproducibly', () => {
  const rng = new Rng(1);
  const n = 6000;
  const hits = { flipH: 0, flipV: 0, rot90: 0 };
  let all = 0;
  for (let i = 0; i < n; i++) {
    const o = drawOps(rng);
    for (const k of ['flipH', 'flipV', 'rot90'] as const) hits[k] += o[k] ? 1 : 0;
    if (o.flipH && o.flipV && o.rot90) all++;
  }
  for (const k of ['flipH', 'flipV', 'rot90'] as const) assert.ok(Math.abs(hits[k] / n - 1 / 3) < 0.025, `${k}: ${hits[k] / n}`);
  assert.ok(Math.abs(all / n - 1 / 27) < 0.01, `all three: ${all / n}`);
  assert.equal(drawOps(new Rng(5)), drawOps(new Rng(5)));
});

test.run();
