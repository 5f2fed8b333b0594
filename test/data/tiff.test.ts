import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { decodeTiff, readTiff } from '../../src/data/tiff.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { UserError } from '../../src/util/errors.ts';

// Fixture: files written by tifffile / Pillow (harness/fixtures/tiff_variants.py).
const variants = JSON.parse(readFileSync(new URL('../fixtures/tiff_variants.json', import.meta.url), 'utf8'));
const SAMPLE = new URL('../../../shared/data/shapr-sample/', import.meta.url).pathname;

function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((i * 37) % 101) / 100);
}

function throwsUser(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, pattern);
    assert.not.match((err as Error).message, /\n/);
    return;
  }
  assert.unreachable(`expected a UserError matching ${pattern}`);
}

test('writer -> reader round trip: float32 exact, uint8 / uint16 to their quantisation, multi- and single-page', () => {
  const v = ramp(3 * 5 * 7);
  const f = decodeTiff(encodeTiff(v, [3, 5, 7], 'float32'), 'f.tif');
  assert.equal(f.shape, [3, 5, 7]);
  assert.is(f.dtype, 'float32');
  assert.equal([...f.data], [...v]);
  const u = decodeTiff(encodeTiff(v, [3, 5, 7], 'uint8'), 'u.tif');
  assert.is(u.dtype, 'uint8');
  for (let i = 0; i < v.length; i++) assert.ok(Math.abs(u.data[i] - v[i]) <= 0.5 / 255 + 1e-7);
  const w = decodeTiff(encodeTiff(v, [3, 5, 7], 'uint16'), 'w.tif');
  assert.is(w.dtype, 'uint16');
  for (let i = 0; i < v.length; i++) assert.ok(Math.abs(w.data[i] - v[i]) <= 0.5 / 65535 + 1e-7);
  const one = decodeTiff(encodeTiff(v.subarray(0, 35), [1, 5, 7], 'uint8'), 'one.tif');
  assert.equal(one.shape, [1, 5, 7]);
});

test('variants written by tifffile / Pillow: deflate, LZW, big-endian float32 and uint16, single page', () => {
  for (const c of variants.cases) {
    const bytes = Buffer.from(c.b64, 'base64');
    if (c.name.includes('unsupported')) {
      throwsUser(() => decodeTiff(bytes, 'x.tif'), /^x\.tif: unsupported pixel type int16/);
      continue;
    }
    const v = decodeTiff(bytes, 'x.tif');
    const shape = c.shape.length === 2 ? [1, ...c.shape] : c.shape;
    assert.equal(v.shape, shape, c.name);
    for (let i = 0; i < c.values.length; i++) {
      assert.ok(Math.abs(v.data[i] - Math.fround(c.values[i] / c.scale)) < 1e-7, `${c.name} at ${i}: ${v.data[i]}`);
    }
  }
});

test('bad files: one-line errors naming the file (truncated, not a TIFF, empty, missing)', () => {
  const good = encodeTiff(ramp(4 * 8 * 8), [4, 8, 8], 'uint8');
  throwsUser(() => decodeTiff(good.subarray(0, good.length - 100), 'cut.tif'), /^cut\.tif: truncated TIFF/);
  throwsUser(() => decodeTiff(good.subarray(0, 20), 'head.tif'), /^head\.tif: truncated TIFF/);
  throwsUser(() => decodeTiff(new TextEncoder().encode('hello, this is not an image'), 'text.tif'), /^text\.tif: not a TIFF file/);
  throwsUser(() => decodeTiff(new Uint8Array(0), 'empty.tif'), /^empty\.tif: not a TIFF file/);
  throwsUser(() => readTiff('/nonexistent/a.tif'), /^\/nonexistent\/a\.tif: cannot read file \(ENOENT\)/);
  // a directory chain that points back to itself
  const loop = good.slice();
  const view = new DataView(loop.buffer);
  const first = view.getUint32(4, true);
  const n = view.getUint16(first, true);
  view.setUint32(first + 2 + 12 * n, first, true);
  throwsUser(() => decodeTiff(loop, 'loop.tif'), /^loop\.tif: corrupt TIFF \(directory chain loops\)/);
});

const real = existsSync(SAMPLE) ? test : test.skip;

real('real SHAPR sample: 64 pages of 64×64 uint8 (obj), one page (mask)', () => {
  const obj = readTiff(`${SAMPLE}obj/B_keratocytes000673.tif`);
  assert.equal(obj.shape, [64, 64, 64]);
  assert.is(obj.dtype, 'uint8');
  let max = 0;
  for (const x of obj.data) max = Math.max(max, x);
  assert.is(max, 1);
  assert.equal(readTiff(`${SAMPLE}mask/B_keratocytes000673.tif`).shape, [1, 64, 64]);
});

test.run();
