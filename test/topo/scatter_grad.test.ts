import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { full } from '../../src/ops/elementwise.ts';
import { scatterGrad } from '../../src/topo/scatter_grad.ts';
import { scatterGradRef } from '../../src/topo/scatter_grad.ref.ts';
import { Rng } from '../../src/util/rng.ts';
import { assertClose, gpu, randomArray } from '../helpers.ts';

/** `count` distinct indices below `size`, in random order (a partial Fisher–Yates shuffle). */
function uniqueIndices(size: number, count: number, seed: number): Uint32Array {
  const r = new Rng(seed);
  const all = Uint32Array.from({ length: size }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + r.int(size - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

test('GPU scatter equals the ref: no entry, one, around the workgroup size, every voxel (odd shapes, batched)', async () => {
  const g = await gpu();
  const cases: Array<[number[], number]> = [[[1, 1, 1], 0], [[1, 1, 1], 1], [[5, 7, 9], 63], [[5, 7, 9], 64], [[5, 7, 9], 65], [[2, 5, 7, 9], 630], [[3, 11, 13, 17], 3 * 11 * 13 * 17]];
  for (const [shape, count] of cases) {
    const size = shape.reduce((a, b) => a * b, 1);
    const indices = uniqueIndices(size, count, size + count);
    const values = randomArray(count, count + 1, -3, 3);
    const up = full(g, [1], -2.5); // the upstream gradient scales every entry
    const out = scatterGrad(up, shape, indices, values);
    assert.equal([...out.shape], shape);
    assertClose(await out.read(), scatterGradRef(size, indices, values, -2.5), 0, 0, `[${shape}] ${count} entries`);
    out.release();
    up.release();
  }
});

test('voxels without an entry are zero even in a reused (dirty) buffer', async () => {
  const g = await gpu();
  for (let k = 0; k < 3; k++) {
    const dirty = full(g, [4, 4, 4], 7); // released to the pool, so the next allocation may reuse it
    dirty.release();
    const up = full(g, [1], 1);
    const out = scatterGrad(up, [4, 4, 4], Uint32Array.of(5, 63), Float32Array.of(1, 2));
    assertClose(await out.read(), scatterGradRef(64, Uint32Array.of(5, 63), Float32Array.of(1, 2), 1), 0, 0, `round ${k}`);
    out.release();
    up.release();
  }
});

test('NaN guard: a NaN value or upstream gradient stays NaN where it lands', async () => {
  const g = await gpu();
  const indices = Uint32Array.of(0, 9, 26);
  const values = Float32Array.of(1, NaN, -2);
  for (const gradOut of [1.5, NaN]) {
    const up = full(g, [1], gradOut);
    const out = scatterGrad(up, [3, 3, 3], indices, values);
    const want = scatterGradRef(27, indices, values, gradOut);
    assert.ok(Number.isNaN(want[9]), 'the case');
    assertClose(await out.read(), want, 0, 0, `upstream ${gradOut}`);
    out.release();
    up.release();
  }
});

test.run();
