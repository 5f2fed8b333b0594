// GPU union-find (shaders/topo/union_find.wgsl + CPU basin merge) against the CPU path: the same pairs,
// birth/death voxels included, for dimensions 0 and 2, both constructions, awkward shapes, ties, plateaus.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gpu } from '../helpers.ts';
import { persistence, type Construction, type Diagrams } from '../../src/topo/persistence.ts';
import { persistenceGpu } from '../../src/topo/union_find.ts';
import { Rng } from '../../src/util/rng.ts';

const keys = (d: Diagrams, k: number) =>
  d.dims[k].map((p) => `${p.birth},${p.death},${p.birthIndex},${p.deathIndex}`).sort();

test('GPU basins + CPU merge equal the CPU union-find, generators included', async () => {
  const g = await gpu();
  const rng = new Rng(23);
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [1, 1, 7], [2, 3, 1], [5, 5, 5], [3, 11, 7], [1, 17, 13], [9, 9, 9], [16, 16, 16]];
  let checked = 0;
  for (const shape of shapes) {
    const n = shape[0] * shape[1] * shape[2];
    for (const kind of [0, 1, 2]) {
      const vol = new Float32Array(n);
      for (let i = 0; i < n; i++) vol[i] = kind === 0 ? rng.next() : kind === 1 ? rng.int(3) / 3 : rng.next() < 0.5 ? 0.5 : rng.next();
      for (const c of ['T', 'V'] as Construction[]) {
        const got = await persistenceGpu(g, vol, shape, { construction: c });
        const want = persistence(vol, shape, { construction: c, dims: [0, 2] });
        for (const k of [0, 2]) assert.equal(keys(got, k), keys(want, k), `[${shape}] kind ${kind} ${c} dim ${k}`);
        checked += got.dims[0].length + got.dims[2].length;
      }
    }
  }
  assert.ok(checked > 500, `only ${checked} pairs compared`);
  let threw = false;
  try {
    await persistenceGpu(g, new Float32Array(1), [1, 1, 1], { dims: [1] });
  } catch {
    threw = true;
  }
  assert.ok(threw, 'dimension 1 must be refused');
});

test.run();
