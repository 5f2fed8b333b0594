import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allocBuffer, readBuffer } from '../../src/gpu/buffers.ts';
import { dispatch, ShaderError, sync } from '../../src/gpu/kernel.ts';
import { registerShaders, shaderLine, shaderSource } from '../../src/gpu/shaders.ts';
import { assertRejects, gpu } from '../helpers.ts';

const MAIN = [
  '//!include test/helper_a',
  '@group(0) @binding(0) var<storage, read_write> out: array<f32>;',
  '//!include test/helper_b',
  '@compute @workgroup_size(1)',
  'fn main() {',
  '  out[0] = a() + b();',
  '}',
].join('\n');

registerShaders({
  'test/includer': MAIN,
  'test/helper_a': '//!include test/helper_b\nfn a() -> f32 { return 2.0 * b(); }\n',
  'test/helper_b': 'fn b() -> f32 { return 3.0; }\n',
  'test/includes_broken': '//!include test/helper_broken\n@group(0) @binding(0) var<storage, read_write> out: array<f32>;\n@compute @workgroup_size(1)\nfn main() { out[0] = c(); }\n',
  'test/helper_broken': '// a helper\nfn c() -> f32 {\n  return no_such_thing;\n}\n',
  'test/includes_missing': '//!include test/not_there\n',
});

test('includes are appended once each, after the file, which keeps its own lines', () => {
  const src = shaderSource('test/includer');
  assert.ok(src.startsWith(MAIN), 'the including file comes first, unchanged');
  assert.is(src.split('fn b()').length - 1, 1, 'helper_b, included twice, appears once');
  assert.is(src.split('fn a()').length - 1, 1);
  const lines = src.split('\n');
  const aLine = lines.findIndex((l) => l.startsWith('fn a()')) + 1;
  const bLine = lines.findIndex((l) => l.startsWith('fn b()')) + 1;
  assert.is(shaderLine('test/includer', 6), 'shaders/test/includer.wgsl:6');
  assert.is(shaderLine('test/includer', aLine), 'shaders/test/helper_a.wgsl:2');
  assert.is(shaderLine('test/includer', bLine), 'shaders/test/helper_b.wgsl:1');
});

test('a shader with includes compiles and runs', async () => {
  const g = await gpu();
  const out = allocBuffer(g, 16);
  dispatch(g, { shader: 'test/includer', entry: 'main' }, { out }, [1]);
  assert.is((await readBuffer(g, out, 1))[0], 9);
});

test('an error in an included file is reported by that file and line', async () => {
  const g = await gpu();
  dispatch(g, { shader: 'test/includes_broken', entry: 'main' }, { out: allocBuffer(g, 16) }, [1]);
  await assertRejects(sync(g), ShaderError, 'shaders/test/helper_broken.wgsl:3');
});

test('a missing include names the file', () => {
  assert.throws(() => shaderSource('test/includes_missing'), /shaders\/test\/not_there\.wgsl/);
});

test('the flat-texture helper is shared, not copied: conv shaders get it by include', () => {
  for (const name of ['nn/conv3d', 'nn/conv_transpose3d']) {
    const src = shaderSource(name);
    assert.is(src.split('fn flatTexel(').length - 1, 1, name);
    assert.ok(src.includes('//!include gpu/textures'), name);
  }
});

test.run();
