// Persistence on shapes with a known answer (a solid torus has one long 1-cycle, a hollow shell one long
// void) and Euler-characteristic consistency: at every threshold t, Σ_k (−1)^k β_k(t) read off the
// diagrams equals the Euler characteristic of the cells with value ≥ t.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { persistence, type Construction, type Diagrams } from '../../src/topo/persistence.ts';
import { cellValuesRef } from '../../src/topo/persistence.ref.ts';
import { cellDim, cellGrid } from '../../src/topo/cubical_grid.ts';
import { Rng } from '../../src/util/rng.ts';

/** A soft indicator volume of n³ from a signed distance (negative inside), plus seeded noise. */
function shapeVolume(n: number, sdf: (z: number, y: number, x: number) => number, noise: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const v = new Float32Array(n * n * n);
  const c = (n - 1) / 2;
  for (let z = 0; z < n; z++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const d = sdf(z - c, y - c, x - c);
        v[(z * n + y) * n + x] = 1 / (1 + Math.exp(2 * d)) + noise * (rng.next() - 0.5);
      }
    }
  }
  return v;
}

const long = (d: Diagrams, k: number, min: number) => d.dims[k].filter((p) => p.birth - p.death > min);

test('solid torus: one long 1-cycle, no long void, one long component', () => {
  const n = 24;
  const torus = shapeVolume(n, (z, y, x) => Math.hypot(Math.hypot(y, x) - 6.5, z) - 2.5, 0.1, 1);
  for (const c of ['T', 'V'] as Construction[]) {
    const d = persistence(torus, [n, n, n], { construction: c });
    assert.is(long(d, 1, 0.5).length, 1, `${c}: long 1-cycles`);
    assert.is(long(d, 2, 0.5).length, 0, `${c}: long voids`);
    assert.is(long(d, 0, 0.5).length, 1, `${c}: long components (the essential one)`);
  }
});

test('hollow shell: one long void, no long 1-cycle', () => {
  const n = 24;
  const shell = shapeVolume(n, (z, y, x) => Math.abs(Math.hypot(z, y, x) - 7) - 2, 0.1, 2);
  for (const c of ['T', 'V'] as Construction[]) {
    const d = persistence(shell, [n, n, n], { construction: c });
    const voids = long(d, 2, 0.5);
    assert.is(voids.length, 1, `${c}: long voids`);
    // The void dies at the centre's value, at a voxel near the centre.
    const i = voids[0].deathIndex;
    const [z, y, x] = [Math.floor(i / (n * n)), Math.floor(i / n) % n, i % n];
    assert.ok(Math.hypot(z - 11.5, y - 11.5, x - 11.5) < 5, `${c}: void dies at (${z},${y},${x})`);
    assert.is(long(d, 1, 0.5).length, 0, `${c}: long 1-cycles`);
  }
});

test('Euler characteristic from the diagrams equals that of every superlevel set', () => {
  const rng = new Rng(11);
  const cases: Array<[[number, number, number], (i: number) => number]> = [
    [[6, 7, 5], () => rng.next()],
    [[8, 8, 8], () => rng.int(4) / 4],
    [[1, 15, 12], () => rng.int(3) / 3],
    [[12, 12, 12], () => Math.fround(rng.next() * rng.next())],
  ];
  for (const [shape, gen] of cases) {
    const vol = Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, i) => gen(i));
    for (const c of ['T', 'V'] as Construction[]) {
      const d = persistence(vol, shape, { construction: c });
      const { values } = cellValuesRef(vol, shape, c);
      const g = cellGrid(shape, c);
      const thresholds = [...new Set(vol)].sort((a, b) => b - a);
      for (const t of thresholds) {
        let chi = 0;
        for (let cell = 0; cell < g.size; cell++) if (values[cell] >= t) chi += cellDim(g, cell) & 1 ? -1 : 1;
        let fromDiagrams = 0;
        d.dims.forEach((pairs, k) => {
          const alive = pairs.filter((p) => p.birth >= t && p.death < t).length;
          fromDiagrams += k & 1 ? -alive : alive;
        });
        assert.is(fromDiagrams, chi, `[${shape}] ${c} at t = ${t}`);
      }
    }
  }
});

test.run();
