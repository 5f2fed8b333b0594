import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Shapr } from '../../src/model/shapr.ts';
import { decodeWeights, encodeModel, encodeWeights, WEIGHTS_FORMAT } from '../../src/model/weights.ts';
import { loadShapr, loadWeights, saveWeights } from '../../src/model/weights_node.ts';
import { UserError } from '../../src/util/errors.ts';
import { gpu } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-weights-'));
const CONFIG = { side: 8, filters: 2 };

async function allValues(m: Shapr): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const n of m.named()) out.set(n.name, [...(await n.tensor.read())]);
  return out;
}

test('encode/decode on a hand-built file: header layout, 8-byte alignment, little-endian data', () => {
  const buf = encodeWeights([{ name: 'a', shape: [2], data: new Float32Array([1, -2]) }, { name: 'b', shape: [1, 1], data: new Float32Array([0.5]) }], { k: 'v' });
  const view = new DataView(buf);
  const n = view.getUint32(0, true);
  assert.is(n % 8, 0);
  assert.is(view.getUint32(4, true), 0);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, n)));
  assert.equal(header.a, { dtype: 'F32', shape: [2], data_offsets: [0, 8] });
  assert.equal(header.b.data_offsets, [8, 12]);
  assert.equal(Object.keys(header.__metadata__), ['k', 'data_crc32']);
  assert.is(header.__metadata__.k, 'v');
  assert.match(header.__metadata__.data_crc32, /^[0-9a-f]{8}$/);
  assert.is(view.getFloat32(8 + n + 4, true), -2);
  assert.is(buf.byteLength, 8 + n + 12);
  const d = decodeWeights(buf, 'x');
  assert.equal([...d.tensors.get('b')!.data], [0.5]);
});

test('encoding refuses what decoding would refuse (non-finite values, repeated or reserved names): no unloadable file', () => {
  const t = (name: string, data = new Float32Array([1])) => ({ name, shape: [1], data });
  assert.throws(() => encodeWeights([t('a', new Float32Array([NaN]))], {}), /a holds a non-finite value \(NaN\) at 0/);
  assert.throws(() => encodeWeights([t('a', new Float32Array([Infinity]))], {}), /non-finite value \(Infinity\)/);
  assert.throws(() => encodeWeights([t('a'), t('a')], {}), /"a" is reserved or repeated/);
  assert.throws(() => encodeWeights([t('__metadata__')], {}), /"__metadata__" is reserved or repeated/);
});

test('save → load round trip restores every tensor (incl. BatchNorm running stats) exactly', async () => {
  const g = await gpu();
  const a = new Shapr(g, CONFIG, 1);
  const b = new Shapr(g, CONFIG, 2);
  const path = join(dir, 'a.safetensors');
  await saveWeights(path, a, { epoch: '3' });
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temp file left');
  const meta = await loadWeights(path, b);
  assert.is(meta.epoch, '3');
  assert.is(meta.format, WEIGHTS_FORMAT);
  assert.equal(await allValues(b), await allValues(a));
  const { model: c } = await loadShapr(g, path);
  assert.equal(c.config, CONFIG);
  assert.equal(await allValues(c), await allValues(a));
  [a, b, c].forEach((m) => m.dispose());
});

// Each corruption must throw a UserError that names the file and the problem, and leave the model as it was.
test('corrupt, truncated and mismatched files are rejected without touching the model', async () => {
  const g = await gpu();
  const src = new Shapr(g, CONFIG, 1);
  const good = new Uint8Array(await encodeModel(src));
  src.dispose();
  const n = new DataView(good.buffer).getUint32(0, true);
  const headerText = new TextDecoder().decode(good.subarray(8, 8 + n));
  // NOTE: these edits drop the checksum (a file without one is accepted), so each reaches the check it is for.
  const withHeader = (edit: (h: Record<string, any>) => void, keepCrc = false) => {
    const h = JSON.parse(headerText);
    if (!keepCrc) delete h.__metadata__.data_crc32;
    edit(h);
    const json = new TextEncoder().encode(JSON.stringify(h).padEnd(Math.ceil(JSON.stringify(h).length / 8) * 8));
    const out = new Uint8Array(8 + json.length + good.length - 8 - n);
    new DataView(out.buffer).setUint32(0, json.length, true);
    out.set(json, 8);
    out.set(good.subarray(8 + n), 8 + json.length);
    return out;
  };
  const nan = withHeader(() => {});
  new DataView(nan.buffer).setFloat32(nan.length - 4, NaN, true);
  const flipped = good.slice();
  flipped[8 + n + 5] ^= 0x10;
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty', new Uint8Array(0), /too short/],
    ['truncated data', good.subarray(0, good.length - 3), /truncated|data section/],
    ['truncated header', good.subarray(0, 40), /truncated/],
    ['garbage', new TextEncoder().encode('this is not a weights file at all'), /implausible/],
    ['bad JSON', (() => { const b = good.slice(); b[8] = 0x7b + 1; return b; })(), /not valid UTF-8 JSON/],
    ['wrong dtype', withHeader((h) => (h['conv1.conv0.weight'].dtype = 'F16')), /dtype "F16"/],
    ['bad offsets', withHeader((h) => (h['out.weight'].data_offsets[1] += 4)), /out\.weight/],
    ['NaN value', nan, /non-finite/],
    ['flipped data bit', flipped, /fails the CRC-32 check \(stored [0-9a-f]{8}, computed [0-9a-f]{8}\): the file is damaged/],
    ['edited metadata', withHeader((h) => (h.__metadata__.format += ' '), true), /fails the CRC-32 check/],
    ['other config', withHeader((h) => (h.__metadata__.config = JSON.stringify({ side: 16, filters: 2 }))), /side 16, filters 2; the model has side 8/],
    ['missing tensor', withHeader((h) => { const sz = h['out.weight'].data_offsets; delete h['out.weight']; h.extra = { dtype: 'F32', shape: [(sz[1] - sz[0]) / 4], data_offsets: sz }; }), /lacks tensors: out\.weight/],
    ['wrong shape', withHeader((h) => (h['out.weight'].shape = [2, 1, 3, 3, 3])), /out\.weight has shape \[2,1,3,3,3\]/],
    ['not ours', withHeader((h) => delete h.__metadata__.format), /not a topo-shapr weights file/],
  ];
  const target = new Shapr(g, CONFIG, 9);
  const before = await allValues(target);
  for (const [what, bytes, re] of cases) {
    const path = join(dir, `${what.replace(/ /g, '_')}.safetensors`);
    writeFileSync(path, bytes);
    try {
      await loadWeights(path, target);
      assert.unreachable(`${what}: accepted`);
    } catch (e) {
      assert.instance(e, UserError, `${what}: ${e}`);
      const msg = (e as Error).message;
      assert.ok(msg.startsWith(path), `${what}: message does not name the file: ${msg}`);
      assert.match(msg, re, `${what}: ${msg}`);
      assert.not.match(msg, /\n/);
    }
  }
  assert.equal(await allValues(target), before, 'model unchanged');
  await loadWeights(join(dir, 'missing'), target).then(() => assert.unreachable(), (e) => assert.match(e.message, /no such weights file/));
  target.dispose();
  assert.ok(readFileSync(join(dir, 'empty.safetensors')).length === 0);
});

test.after(() => rmSync(dir, { recursive: true }));

test.run();
