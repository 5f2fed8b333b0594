// The web page's Node-testable parts (the page itself runs in Chromium: npm run test:browser): the bundle
// carries every shaders/**/*.wgsl file verbatim and leaves out only Node-only helpers, user files are
// checked and brought to the model's side, and the camera's inverse view-projection unprojects correctly.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { vec4 } from 'gl-matrix';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildWeb } from '../../harness/web/build.ts';
import { collectShaders, shadersPlugin } from '../../harness/web/esbuild_plugins.ts';
import { checkSide, decodeImageFile, maskLabels, sidesAccepted } from '../../harness/web/input_files.ts';
import { DEFAULT_ORBIT, inverseViewProjection, orbitEye } from '../../src/render/raymarch.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { UserError } from '../../src/util/errors.ts';

test('the bundle registers every WGSL file verbatim and stubs only Node-only imports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-web-build-'));
  try {
    const stubbed = await buildWeb(dir);
    const js = readFileSync(join(dir, 'app.js'), 'utf8');
    const shaders = collectShaders('shaders');
    assert.ok(shaders.has('render/raymarch') && shaders.has('nn/conv3d'), [...shaders.keys()].join(', '));
    for (const name of shaders.keys()) assert.ok(js.includes(JSON.stringify(name)), `${name} is not in the bundle`);
    // the virtual module itself, bundled alone and imported: every source byte for byte
    const out = join(dir, 'shaders.mjs');
    await esbuild.build({
      stdin: { contents: "export { SHADERS } from 'virtual:shaders';", resolveDir: '.' },
      bundle: true, format: 'esm', outfile: out, plugins: [shadersPlugin('shaders')], logLevel: 'silent',
    });
    const { SHADERS } = (await import(pathToFileURL(out).href)) as { SHADERS: Record<string, string> };
    assert.equal(Object.keys(SHADERS).sort(), [...shaders.keys()].sort());
    for (const [name, path] of shaders) assert.ok(SHADERS[name] === readFileSync(path, 'utf8'), `${name}: bundled text differs from ${path}`);
    for (const s of stubbed) assert.ok(/^(node:fs|webgpu) \(from src\/(data\/tiff|gpu\/device_node)\.ts\)$/.test(s), `unexpected stand-in: ${s}`);
    assert.not.ok(/from\s*["']webgpu["']/.test(js), 'the bundle imports dawn.node');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('user images: a multiple of the side is accepted, other sizes and empty or full masks are named errors', () => {
  const img = (w: number, h = w) => ({ width: w, height: h, data: new Float32Array(w * h) });
  checkSide('a.png', img(64), 32);
  checkSide('a.png', img(32), 32);
  assert.throws(() => checkSide('odd.png', img(48), 32), (e: Error) => e instanceof UserError && /odd\.png.*48×48/.test(e.message));
  assert.throws(() => checkSide('wide.png', img(64, 32), 32), /wide\.png: image is 64×32/);
  assert.throws(() => checkSide('small.png', img(32), 64), /small\.png: image is 32×32; this model takes 64×64 \(or a multiple, averaged down\)$/);
  assert.is(sidesAccepted(16), '16×16 (or a multiple such as 64×64, averaged down)');
  assert.throws(() => maskLabels('m.tif', img(2)), /m\.tif: the mask is empty/);
  assert.throws(() => maskLabels('m.tif', { ...img(2), data: new Float32Array(4).fill(1 / 255) }), /m\.tif: the mask covers the whole image/);
  // a 0/1 mask stored as uint8 (max 1/255) reads as 0/255 does, as in training (labels.ts); soft values stay
  assert.equal(Array.from(maskLabels('m.tif', { ...img(2), data: Float32Array.of(0, 1 / 255, 1 / 255, 0) })), [0, 1, 1, 0]);
  assert.equal(Array.from(maskLabels('m.tif', { ...img(2), data: Float32Array.of(0, 0.25, 1, 0) })), [0, 0.25, 1, 0]);
});

test('decodeImageFile: a one-page TIFF decodes; a stack, a non-image, raw float values and NaN are named errors', async () => {
  const one = encodeTiff(Uint8Array.of(0, 128, 255, 0, 255, 0), [1, 2, 3], 'uint8');
  const v = await decodeImageFile('one.tif', one);
  assert.is(v.width, 3);
  assert.is(v.height, 2);
  assert.ok(Math.abs(v.data[1] - 128 / 255) < 1e-7);
  const stack = encodeTiff(new Uint8Array(8), [2, 2, 2], 'uint8');
  await decodeImageFile('stack.tif', stack).then(() => assert.unreachable('stack accepted'), (e: Error) => assert.match(e.message, /stack\.tif: TIFF has 2 pages/));
  await decodeImageFile('notes.txt', new TextEncoder().encode('hello')).then(() => assert.unreachable('text accepted'), (e: Error) => assert.match(e.message, /notes\.txt: not a TIFF or PNG file/));
  // float32 values outside [0, 1], or NaN: named with the file before anything runs, as predict does
  const raw = encodeTiff(Float32Array.of(0.5, 100, 0.2, 0.1), [1, 2, 2], 'float32');
  await decodeImageFile('raw.tif', raw).then(() => assert.unreachable('raw values accepted'), (e: Error) => assert.match(e.message, /^raw\.tif: float32 value 100 at \(y 0, x 1\) is outside \[0, 1\]/));
  const nan = encodeTiff(Float32Array.of(0.5, 0.3, NaN, 0.1), [1, 2, 2], 'float32');
  await decodeImageFile('nan.tif', nan).then(() => assert.unreachable('NaN accepted'), (e: Error) => assert.match(e.message, /^nan\.tif: contains NaN at \(y 1, x 0\)/));
});

test('camera: the centre pixel unprojects onto the ray from the eye through the origin', () => {
  const inv = inverseViewProjection(DEFAULT_ORBIT, 1.3);
  const eye = orbitEye(DEFAULT_ORBIT);
  const at = (z: number) => {
    const h = vec4.transformMat4(vec4.create(), [0, 0, z, 1], inv);
    return [h[0] / h[3], h[1] / h[3], h[2] / h[3]];
  };
  const near = at(0);
  const far = at(1);
  const dir = far.map((v, i) => v - near[i]);
  // the origin lies on the line near + t·dir, and near lies between the eye and the origin
  const t = -near.reduce((s, v, i) => s + v * dir[i], 0) / dir.reduce((s, v) => s + v * v, 0);
  const closest = near.map((v, i) => v + t * dir[i]);
  assert.ok(Math.hypot(...closest) < 1e-4, `ray misses the origin by ${Math.hypot(...closest)}`);
  assert.ok(Math.hypot(near[0] - eye[0], near[1] - eye[1], near[2] - eye[2]) < 0.1, 'near point is not at the eye');
});

test.run();
