import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../src/util/crc32.ts';
import { Rng } from '../../src/util/rng.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

test('crc32: the standard check value and the empty input', () => {
  assert.is(crc32(bytes('123456789')), 0xcbf43926);
  assert.is(crc32(new Uint8Array(0)), 0);
  assert.is(crc32(bytes('The quick brown fox jumps over the lazy dog')), 0x414fa339);
});

test('crc32: equals zlib; continuing from a prefix equals the whole; one flipped bit changes it', () => {
  const rng = new Rng(5);
  const data = Uint8Array.from({ length: 1001 }, () => Math.floor(rng.next() * 256));
  assert.is(crc32(data), zlibCrc32(data));
  for (const cut of [0, 1, 500, 1001]) assert.is(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), crc32(data));
  const flipped = data.slice();
  flipped[700] ^= 4;
  assert.is.not(crc32(flipped), crc32(data));
});

test.run();
