// The persistence command's input side: .npy decoding (versions, dtypes, byte orders), raw float32 with
// --shape, and one-line user errors that name the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { decodeNpy } from '../../src/util/npy.ts';
import { UserError } from '../../src/util/errors.ts';
import { readVolume } from '../../harness/commands/persistence.ts';
import { pairKeys } from '../../src/topo/diagrams.ts';
import { inTempDir } from '../helpers.ts';

/** A .npy file (version 1) with the given descr, shape and raw data bytes. */
function npy(descr: string, shape: number[], data: Uint8Array, fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

const values = [0.25, -1.5, 3, 0.1];
const bytesOf = (kind: 'f4' | 'f8', little: boolean) => {
  const size = kind === 'f4' ? 4 : 8;
  const dv = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, i) => (kind === 'f4' ? dv.setFloat32(i * size, v, little) : dv.setFloat64(i * size, v, little)));
  return new Uint8Array(dv.buffer);
};

test('npy: float32 / float64 in both byte orders, uint8 and uint16 scaled by 1/255 and 1/65535, bool as 0/1', () => {
  const want = values.map(Math.fround);
  for (const [descr, little] of [['<f4', true], ['>f4', false], ['<f8', true], ['>f8', false]] as const) {
    const a = decodeNpy(npy(descr, [1, 2, 2], bytesOf(descr.endsWith('4') ? 'f4' : 'f8', little)), 'x.npy');
    assert.equal(a.shape, [1, 2, 2]);
    assert.equal(Array.from(a.data), want, descr);
  }
  const u = decodeNpy(npy('|u1', [2, 2], new Uint8Array([0, 51, 255, 102])), 'u.npy');
  assert.equal(Array.from(u.data), [0, 0.2, 1, 0.4].map(Math.fround));
  // uint16 (microscopy stacks) in both byte orders, bool (masks); they were refused
  for (const [descr, little] of [['<u2', true], ['>u2', false]] as const) {
    const dv = new DataView(new ArrayBuffer(6));
    [0, 13107, 65535].forEach((v, i) => dv.setUint16(2 * i, v, little));
    assert.equal(Array.from(decodeNpy(npy(descr, [3], new Uint8Array(dv.buffer)), 'u2.npy').data), [0, 0.2, 1].map(Math.fround), descr);
  }
  assert.equal(Array.from(decodeNpy(npy('|b1', [2, 2], new Uint8Array([0, 1, 1, 0])), 'b.npy').data), [0, 1, 1, 0]);
});

// Fortran order (np.asfortranarray, MATLAB exports) was refused; it is brought to C order.
test('npy: a Fortran-ordered array reads as its C-ordered equal (2D and 3D, odd sizes)', () => {
  for (const shape of [[2, 3], [2, 3, 5], [1, 1, 4], [3, 1, 2]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const c = Float32Array.from({ length: n }, (_, i) => i / 8);
    // the same array's values listed with the first index fastest
    const f = new Float32Array(n);
    const idx = (flat: number) => shape.map((_, k) => Math.floor(flat / shape.slice(k + 1).reduce((a, b) => a * b, 1)) % shape[k]);
    for (let i = 0; i < n; i++) {
      const ix = idx(i);
      let at = 0;
      for (let k = shape.length - 1; k >= 0; k--) at = at * shape[k] + ix[k];
      f[at] = c[i];
    }
    const a = decodeNpy(npy('<f4', shape, new Uint8Array(f.buffer), true), 'f.npy');
    assert.equal(a.shape, shape);
    assert.equal(Array.from(a.data), Array.from(c), `shape ${shape}`);
  }
});

test('npy: bad files are user errors naming the file', () => {
  const bad: Array<[Uint8Array, RegExp]> = [
    [new Uint8Array([1, 2, 3]), /bad magic/],
    [npy('<i4', [2], new Uint8Array(8)), /unsupported .npy dtype/],
    [npy('<f4', [2, 2], new Uint8Array(8)), /truncated/],
    // bytes after the data (they were ignored)
    [npy('<f4', [2, 2], new Uint8Array(19)), /3 bytes after the array's data \(4 × 4 bytes\): damaged\?/],
    // a finite float64 beyond float32's range (it was reported as an infinite value)
    [npy('<f8', [1], new Uint8Array(new Float64Array([1e300]).buffer)), /float64 value 1e\+300 at flat index 0 does not fit in float32/],
  ];
  for (const [bytes, re] of bad) {
    try {
      decodeNpy(bytes, 'bad.npy');
      assert.unreachable('no error');
    } catch (err) {
      assert.instance(err, UserError);
      assert.match((err as Error).message, /^bad\.npy: /);
      assert.match((err as Error).message, re);
    }
  }
});

test('readVolume: .npy (2D gets D = 1), raw .f32 with --shape, and its errors', () =>
  inTempDir('cli', (dir) => {
    const p = join(dir, 'img.npy');
    writeFileSync(p, npy('<f4', [2, 2], bytesOf('f4', true)));
    const a = readVolume(p);
    assert.equal(a.shape, [1, 2, 2]);
    assert.equal(readVolume(p, '2,2').shape, [1, 2, 2]);
    assert.throws(() => readVolume(p, '4,1'), (e: Error) => e instanceof UserError && e.message === `${p}: has shape 1,2,2, but --shape says 4,1`);
    const raw = join(dir, 'v.f32');
    writeFileSync(raw, bytesOf('f4', true));
    assert.equal(readVolume(raw, '2,1,2').shape, [2, 1, 2]);
    assert.equal(Array.from(readVolume(raw, '2,2').data), values.map(Math.fround));
    assert.throws(() => readVolume(raw), (e: Error) => e instanceof UserError && e.message.startsWith(raw) && /--shape/.test(e.message));
    assert.throws(() => readVolume(raw, '3,3'), (e: Error) => e instanceof UserError && /needs 36/.test(e.message));
    // digits only: '2e0', '0x2' and '2.0' were read as 2
    for (const flag of ['2e0,2', '0x2,2', '2.0,2']) assert.throws(() => readVolume(raw, flag), (e: Error) => e instanceof UserError && /--shape must be D,H,W or H,W with positive integers/.test(e.message), flag);
    assert.throws(() => readVolume(join(dir, 'missing.npy')), (e: Error) => e instanceof UserError && /ENOENT/.test(e.message));
    // a file of another kind was read as raw float32 (a .json asked for --shape)
    const json = join(dir, 'index.json');
    writeFileSync(json, '{}');
    assert.throws(() => readVolume(json), (e: Error) => e instanceof UserError && /index\.json: unknown kind of file '\.json'/.test(e.message));
    const nan = join(dir, 'nan.f32');
    writeFileSync(nan, new Uint8Array(new Float32Array([1, NaN]).buffer));
    assert.throws(() => readVolume(nan, '1,2'), (e: Error) => e instanceof UserError && /NaN/.test(e.message));
  }));

test('the command prints the GUDHI diagrams for a fixture volume, with generators on request', () =>
  inTempDir('cli', (dir) => {
    const fx = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/persistence_small.json', import.meta.url)), 'utf8'));
    const c = fx.cases.noise5;
    const file = join(dir, 'noise5.f32');
    writeFileSync(file, new Uint8Array(Float32Array.from(c.volume as number[]).buffer));
    const bin = fileURLToPath(new URL('../../harness/bin/topo-shapr.js', import.meta.url));
    const out = JSON.parse(execFileSync('node', [bin, 'persistence', file, '--shape', c.shape.join(','), '--construction', 'V', '--generators'], { encoding: 'utf8' }));
    for (const k of ['0', '1', '2']) {
      assert.equal(pairKeys(out.diagrams[k]), pairKeys(c.V[k]), `dim ${k}`);
      assert.is(out.generators[k].length, out.diagrams[k].length);
    }
    assert.is(out.diagrams['0'][0][1], null);
  }));

test('output larger than a pipe buffer reaches a slow reader whole (process.exit used to drop what the pipe had not taken)', () =>
  inTempDir('cli', (dir) => {
    const file = join(dir, 'noise.f32');
    let seed = 7;
    const vol = Float32Array.from({ length: 24 ** 3 }, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
    writeFileSync(file, new Uint8Array(vol.buffer));
    const bin = fileURLToPath(new URL('../../harness/bin/topo-shapr.js', import.meta.url));
    const whole = execFileSync('node', [bin, 'persistence', file, '--shape', '24,24,24', '--generators'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.ok(whole.length > 1 << 17, `${whole.length} bytes: too short to need a second pipe buffer`);
    // the reader starts only after the writer has filled the pipe and queued the rest
    const piped = execFileSync('bash', ['-c', `node "${bin}" persistence "${file}" --shape 24,24,24 --generators | (sleep 1; wc -c)`], { encoding: 'utf8' });
    assert.is(Number(piped.trim()), Buffer.byteLength(whole));
  }));

test.run();
