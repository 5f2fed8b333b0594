import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readBuffer, upload } from '../../src/gpu/buffers.ts';
import { encode, flush } from '../../src/gpu/kernel.ts';
import { FLAT_WIDTH, flatCopy, flatTexture, releaseTexture } from '../../src/gpu/textures.ts';
import { gpu, randomArray } from '../helpers.ts';

// Reads a flat texture back into a buffer, row by row, as the floats it holds.
async function readFlat(t: GPUTexture, floats: number): Promise<Float32Array> {
  const g = await gpu();
  const staging = g.device.createBuffer({ size: t.height * FLAT_WIDTH * 16, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  encode(g, (enc) => enc.copyTextureToBuffer({ texture: t }, { buffer: staging, bytesPerRow: FLAT_WIDTH * 16 }, [FLAT_WIDTH, t.height]));
  flush(g);
  const out = await readBuffer(g, staging, floats, Float32Array);
  staging.destroy();
  return out;
}

for (const floats of [1, 5, 4 * FLAT_WIDTH, 4 * FLAT_WIDTH + 3, 2 * 4 * FLAT_WIDTH + 4 * 17 + 2]) {
  test(`flatCopy puts ${floats} floats in order over ${Math.ceil(floats / 4 / FLAT_WIDTH)} texture row(s)`, async () => {
    const g = await gpu();
    const data = randomArray(floats, floats);
    const buf = upload(g, data);
    const t = flatCopy(g, buf, floats);
    assert.is(t.height, Math.ceil(floats / 4 / FLAT_WIDTH));
    assert.equal([...(await readFlat(t, floats))], [...data]);
    releaseTexture(g, t);
  });
}

test('released flat textures are handed out again (no allocation per step), storage ones separately', async () => {
  const g = await gpu();
  const a = flatTexture(g, 3 * FLAT_WIDTH);
  releaseTexture(g, a);
  const s = flatTexture(g, 3 * FLAT_WIDTH, true);
  assert.ok(s !== a, 'a storage texture is not a plain one');
  assert.is(flatTexture(g, 2 * FLAT_WIDTH + 1), a);
  releaseTexture(g, s);
});

test('a flat texture taller than the adapter allows is refused with the limit named', async () => {
  const g = await gpu();
  assert.throws(() => flatTexture(g, (g.limits.maxTextureDimension2D + 1) * FLAT_WIDTH), /maxTextureDimension2D/);
});

test.run();
