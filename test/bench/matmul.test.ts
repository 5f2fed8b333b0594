import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MATMUL_VARIANTS, matmul, matmulOperands, releaseMatmulOperands } from '../../harness/bench/matmul.ts';
import { matmulRef } from '../../harness/bench/matmul.ref.ts';
import { readBuffer, writeBuffer } from '../../src/gpu/buffers.ts';
import { assertClose, gpu, randomArray } from '../helpers.ts';

// The yardstick kernels must compute a product, or the conv benchmark's "fraction of the best matmul" means
// nothing. Shapes: one 4 × 8 block, rectangular sizes that leave partial workgroups, and k of one vec4.
for (const [m, n, k] of [[4, 8, 4], [36, 72, 20], [68, 8, 132], [8, 136, 4]]) {
  test(`every matmul variant equals the TS reference at ${m}×${k}·${k}×${n}`, async () => {
    const g = await gpu();
    const a = randomArray(m * k, m + n);
    const b = randomArray(k * n, k + 7);
    const want = matmulRef(a, b, m, n, k);
    const ops = matmulOperands(g, m, n, k, a, b);
    for (const variant of MATMUL_VARIANTS) {
      writeBuffer(g, ops.c, new Float32Array(m * n).fill(Number.NaN)); // a variant that skips a block fails
      matmul(g, variant, ops);
      assertClose(await readBuffer(g, ops.c, m * n), want, 1e-5, 1e-5, variant);
    }
    releaseMatmulOperands(g, ops);
  });
}

test('matmul refuses shapes its blocks do not tile', async () => {
  const g = await gpu();
  assert.throws(() => matmulOperands(g, 6, 8, 4, new Float32Array(24), new Float32Array(32)), /m % 4/);
});

test.run();
