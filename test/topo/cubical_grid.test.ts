import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cellCoords, cellGrid, spreadToCells, type Construction } from '../../src/topo/cubical_grid.ts';
import { Rng } from '../../src/util/rng.ts';

/** Brute force: the min or max of voxelValue over the voxels a cell touches (T) or its vertices (V). */
function spreadBrute(shape: [number, number, number], construction: Construction, voxelValue: Int32Array, combine: 'min' | 'max'): Int32Array {
  const g = cellGrid(shape, construction);
  const [d, h, w] = shape;
  const out = new Int32Array(g.size);
  // The voxel coordinates along one axis of a cell coordinate a.
  const along = (a: number, n: number): number[] =>
    construction === 'T' ? [(a - 1) >> 1, a >> 1].filter((k, i, ks) => k >= 0 && k < n && ks.indexOf(k) === i) : a & 1 ? [(a - 1) >> 1, (a + 1) >> 1] : [a >> 1];
  for (let c = 0; c < g.size; c++) {
    const [z, y, x] = cellCoords(g, c);
    let best = combine === 'min' ? Infinity : -Infinity;
    for (const k of along(z, d)) for (const j of along(y, h)) for (const i of along(x, w)) {
      const v = voxelValue[(k * h + j) * w + i];
      best = combine === 'min' ? Math.min(best, v) : Math.max(best, v);
    }
    out[c] = best;
  }
  return out;
}

test('spreadToCells equals the brute-force min/max over each cell\'s voxels (T and V, 1 and 2 slots, thin shapes)', () => {
  const rng = new Rng(41);
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [1, 1, 5], [1, 4, 1], [3, 1, 1], [2, 3, 4], [5, 4, 3], [6, 6, 6], [1, 7, 9]];
  for (const shape of shapes) {
    const n = shape[0] * shape[1] * shape[2];
    // Ranks with ties (values up to n / 2) to exercise equal neighbours too.
    const values = Int32Array.from({ length: n }, () => rng.int(Math.max(1, n >> 1)));
    for (const construction of ['T', 'V'] as const) {
      for (const combine of ['min', 'max'] as const) {
        const want = spreadBrute(shape, construction, values, combine);
        const one = spreadToCells(cellGrid(shape, construction), values, combine);
        assert.equal(Array.from(one), Array.from(want), `${construction} ${combine} [${shape}]`);
        const two = spreadToCells(cellGrid(shape, construction), values, combine, 2);
        assert.equal(Array.from(two.filter((_, i) => !(i & 1))), Array.from(want), `${construction} ${combine} [${shape}] 2 slots`);
      }
    }
  }
});

test.run();
