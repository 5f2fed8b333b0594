import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { binarize, histogramCounts, histogramEdges, normalizeByMax, otsuThreshold } from '../../src/eval/otsu.ts';

// Fixture: skimage 0.19.3 / numpy 1.24.2 values made by harness/fixtures/eval_reference.py.
const ref = JSON.parse(readFileSync(new URL('../fixtures/eval_reference.json', import.meta.url), 'utf8'));

test('two-valued volume: threshold at the centre of the first bin (first maximum of the variance)', () => {
  const v = new Float32Array([0, 0, 0, 1, 1]);
  assert.is(otsuThreshold(v), 1 / 512);
  assert.equal([...binarize(v)], [0, 0, 0, 1, 1]);
});

test('normalisation: divide by max, NaN -> 0, all-zero stays empty', () => {
  assert.equal([...normalizeByMax(new Float32Array([2, NaN, 4, 1]))], [0.5, 0, 1, 0.25]);
  assert.equal([...binarize(new Float32Array([0, 0, 0]))], [0, 0, 0]);
  assert.equal([...binarize(new Float32Array([NaN, NaN]))], [0, 0]);
  // constant non-zero volume: scikit-image's threshold is the constant itself, so nothing exceeds it (as
  // SHAPR's norm_thres): empty, so that a saturated prediction does not score as a full object
  assert.equal([...binarize(new Float32Array([0.3, 0.3, 0.3]))], [0, 0, 0]);
  assert.equal([...binarize(new Float32Array(8).fill(1))], new Array(8).fill(0));
  // binarisation does not depend on the scale of the volume
  const v = new Float32Array([0.1, 0.7, 0.2, 0.9, 0.05, 0.6]);
  assert.equal([...binarize(v)], [...binarize(v.map((x) => x * 37))]);
});

test('histogram edges and counts equal numpy.histogram on a float32 volume', () => {
  const v = normalizeByMax(Float32Array.from(ref.small.values as number[]));
  let min = Infinity;
  for (const x of v) min = Math.min(min, x);
  const edges = histogramEdges(min, 1);
  assert.equal([...edges], ref.small.edges);
  assert.equal([...histogramCounts(v, edges)], ref.small.counts);
  assert.is(otsuThreshold(v), ref.small.threshold);
});

test('values exactly on bin edges go to the bin above (last bin closed)', () => {
  const edges = histogramEdges(0, 1, 4); // 0, .25, .5, .75, 1
  assert.equal([...histogramCounts(new Float32Array([0, 0.25, 0.5, 0.75, 1, 0.2499]), edges)], [2, 1, 1, 2]);
});

test.run();
