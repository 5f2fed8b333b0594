import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import UTIF from 'utif';
import { decodeTiff, lzwDecode, packBitsDecode, readTiff } from '../../src/data/tiff.ts';
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

test('variants written by tifffile / Pillow: deflate, LZW, big-endian, tiles with a predictor, pages that are not slices', () => {
  for (const c of variants.cases) {
    const bytes = Buffer.from(c.b64, 'base64');
    if (c.name.includes('unsupported')) {
      throwsUser(() => decodeTiff(bytes, 'x.tif'), /^x\.tif: unsupported pixel type int16/);
      continue;
    }
    if (c.error) {
      throwsUser(() => decodeTiff(bytes, 'x.tif'), new RegExp(`^x\\.tif: ${c.error}`));
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

// Damaged directories: utif allocates what a count says (2 GB, or a V8 abort, for one wrong byte), and a
// compressed page may claim any size whatever the file's length.
test('a directory entry whose values run past the file, and an image size too large to hold, are refused at once', () => {
  const good = encodeTiff(ramp(2 * 8 * 8), [2, 8, 8], 'uint8');
  const entry = (bytes: Uint8Array, tag: number) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const dir = view.getUint32(4, true);
    for (let e = dir + 2; e < dir + 2 + 12 * view.getUint16(dir, true); e += 12) if (view.getUint16(e, true) === tag) return { view, e };
    throw new Error(`no tag ${tag}`);
  };
  const counted = good.slice();
  const { view, e } = entry(counted, 257); // ImageLength: one value, now 0x92000001 of them
  view.setUint32(e + 4, 0x92000001, true);
  throwsUser(() => decodeTiff(counted, 'count.tif'), /^count\.tif: corrupt TIFF \(directory 0, tag 257: 2449473537 values end at byte \d+, file has \d+\)/);
  const deflate = new Uint8Array(Buffer.from(variants.cases.find((c: { name: string }) => c.name === 'uint16 deflate').b64, 'base64'));
  for (const tag of [256, 257]) {
    const { view: v, e: at } = entry(deflate, tag);
    if (v.getUint16(at + 2, true) === 3) v.setUint16(at + 8, 60000, true);
    else v.setUint32(at + 8, 60000, true);
  }
  throwsUser(() => decodeTiff(deflate, 'huge.tif'), /^huge\.tif: 3 page\(s\) of 60000×60000 pixels are 10800000000 values, more than this reader takes/);
  const zeroRows = good.slice();
  const rows = entry(zeroRows, 278); // RowsPerStrip 0: it read as "1 strips, its size needs Infinity"
  rows.view.setUint32(rows.e + 8, 0, true);
  throwsUser(() => decodeTiff(zeroRows, 'rows.tif'), /^rows\.tif: page 0 has strips of 8×0 pixels \(a corrupt RowsPerStrip\)$/);
});

test('corrupt compressed strips are refused, not zero-filled (utif decoded them silently; libtiff refuses them)', () => {
  const fixture = (name: string) => Buffer.from(variants.cases.find((c: { name: string }) => c.name === name).b64, 'base64');
  const firstStrip = (bytes: Uint8Array) => {
    const ifd = UTIF.decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)[0];
    return [(ifd.t273 as number[])[0], (ifd.t279 as number[])[0]];
  };
  // LZW: after the clear code and a literal, all-ones codes name entries the table does not have yet
  const lzw = new Uint8Array(fixture('uint8 LZW (Pillow)'));
  const [off, count] = firstStrip(lzw);
  const bad = lzw.slice();
  bad.fill(0xff, off + 2, off + count);
  throwsUser(() => decodeTiff(bad, 'lzw.tif'), /^lzw\.tif: corrupt LZW data in page 0, strip 0 \(a code not yet in the table\)/);
  // LZW: clear then end of information: a valid stream that gives none of the strip's 20 bytes
  const short = lzw.slice();
  short.set([0x80, 0x40, 0x40], off);
  throwsUser(() => decodeTiff(short, 'short.tif'), /^short\.tif: corrupt or truncated LZW data in page 0, strip 0: 0 of its 20 bytes/);
  // uncompressed strips are read for their byte counts: a strip count cut short is refused, not read on
  const strips = new Uint8Array(fixture('uint8 strips of 2 rows'));
  assert.equal(Array.from(decodeTiff(strips, 's.tif').data.subarray(0, 5), (v) => Math.round(v * 255)), [0, 1, 2, 3, 4]);
  const view = new DataView(strips.buffer, strips.byteOffset);
  const dir = view.getUint32(4, true);
  for (let e = dir + 2; e < dir + 2 + 12 * view.getUint16(dir, true); e += 12) {
    // StripByteCounts (279): SHORT or LONG, inline for two strips; the first strip's count becomes 9 of 10
    if (view.getUint16(e, true) === 279) view.getUint16(e + 2, true) === 3 ? view.setUint16(e + 8, 9, true) : view.setUint32(e + 8, 9, true);
  }
  throwsUser(() => decodeTiff(strips, 's.tif'), /^s\.tif: truncated pixel data in page 0, strip 0: 9 of its 10 bytes/);
  // deflate: a damaged stream fails its check (pako's message, which it throws as a string, was 'undefined')
  const zip = new Uint8Array(fixture('uint16 deflate'));
  const [zoff, zcount] = firstStrip(zip);
  const zbad = zip.slice();
  for (let i = zoff + 2; i < zoff + zcount; i++) zbad[i] ^= 0x5a;
  throwsUser(() => decodeTiff(zbad, 'zip.tif'), /^zip\.tif: corrupt deflate data in page 0, strip 0 \(.+\)/);
});

test('LZW and PackBits decoding of hand-made streams', () => {
  const lzw = (...b: number[]) => Array.from(lzwDecode(Uint8Array.from(b), 16) ?? [-1]);
  assert.equal(lzw(0x80, 0x40, 0x40), []); // clear, end
  assert.equal(lzw(0x80, 0x10, 0x60, 0x20), [65]); // clear, 'A', end
  assert.equal(lzw(0x80, 0x10, 0x60), [65]); // no end code: what was there
  assert.equal(lzw(0xff, 0x80), [-1]); // a first code that is no literal: refused (null)
  // clear, 'A', 258 (= 'AA', the entry being made: KwKwK), 258, end: 'A' 'AA' 'AA'
  const codes = [256, 65, 258, 258, 257];
  let bits = '';
  for (const c of codes) bits += c.toString(2).padStart(9, '0');
  bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
  const bytes = Array.from({ length: bits.length / 8 }, (_, i) => parseInt(bits.slice(8 * i, 8 * i + 8), 2));
  assert.equal(lzw(...bytes), [65, 65, 65, 65, 65]);
  assert.equal(Array.from(lzwDecode(Uint8Array.from(bytes), 3)!), [65, 65, 65], 'only the first cap bytes');
  const pb = (...b: number[]) => Array.from(packBitsDecode(Uint8Array.from(b), 16));
  assert.equal(pb(2, 10, 11, 12), [10, 11, 12]); // three literals
  assert.equal(pb(0xfd, 7), [7, 7, 7, 7]); // one byte repeated 4 times
  assert.equal(pb(0x80, 1, 9, 9), [9, 9]); // -128 is a no-op
  assert.equal(pb(5, 1), [1]); // a literal run cut short
  assert.equal(pb(0xfe), []); // a repeat without its byte
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
