// The report's outlined slices: the scored shape's border pixels in colour over the grey slice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { outlined } from '../../src/report/views.ts';

const ORANGE = [240, 150, 80] as const;

test('outlined: border pixels of the mask (next to outside or the edge) in colour, the rest grey, upscaled', () => {
  // 5×4 image; a 3×3 mask block, whose centre (2, 1) alone is interior, and one pixel at the image edge
  const w = 5, h = 4;
  const image = { width: w, height: h, data: Float32Array.from({ length: w * h }, (_, i) => i / (w * h)) };
  const m = new Float32Array(w * h);
  for (let y = 0; y < 3; y++) for (let x = 1; x < 4; x++) m[y * w + x] = 1;
  m[3 * w + 4] = 1;
  const out = outlined(image, { width: w, height: h, data: m }, ORANGE, 2);
  assert.is(out.width, 10);
  assert.is(out.height, 8);
  const px = (x: number, y: number) => Array.from(out.data.subarray(4 * (y * 10 + x), 4 * (y * 10 + x) + 4));
  const grey = (i: number) => Math.round(255 * image.data[i]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const border = m[y * w + x] > 0 && !(x === 2 && y === 1);
      const want = border ? [...ORANGE, 255] : [grey(y * w + x), grey(y * w + x), grey(y * w + x), 255];
      // each source pixel fills a 2×2 block
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) assert.equal(px(2 * x + dx, 2 * y + dy), want, `(${x}, ${y})`);
    }
  }
});

test('outlined: an empty mask, NaN and out-of-range values: a clamped grey image', () => {
  const out = outlined({ width: 3, height: 1, data: new Float32Array([NaN, -2, 7]) }, { width: 3, height: 1, data: new Float32Array(3) }, ORANGE, 1);
  assert.equal(Array.from(out.data), [0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 255]);
});

test.run();
