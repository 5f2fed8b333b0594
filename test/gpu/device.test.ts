import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { acquireGpu, GpuError } from '../../src/gpu/device.ts';
import { allocBuffer, readBuffer, readBuffers, upload } from '../../src/gpu/buffers.ts';
import { dispatch, ShaderError, sync } from '../../src/gpu/kernel.ts';
import { registerShaders } from '../../src/gpu/shaders.ts';
import { packParams } from '../../src/gpu/params.ts';
import { assertRejects, gpu } from '../helpers.ts';

test('an adapter is found, with its real limits', async () => {
  const g = await gpu();
  assert.ok(g.adapterName.length > 0);
  // the defaults are 128 MiB / 16 KiB / 256; we must have asked for at least those
  assert.ok(g.limits.maxStorageBufferBindingSize >= 128 * 1024 * 1024);
  assert.ok(g.limits.maxComputeWorkgroupStorageSize >= 16384);
  assert.ok(g.limits.maxComputeInvocationsPerWorkgroup >= 256);
  assert.is(g.device.limits.maxStorageBufferBindingSize, g.limits.maxStorageBufferBindingSize);
});

test('upload and read back round-trip', async () => {
  const g = await gpu();
  const data = new Float32Array([1.5, -2, NaN, Infinity, 0, 3e-38]);
  const back = await readBuffer(g, upload(g, data), data.length);
  assert.equal([...back].map(String), [...data].map(String));
});

test('readBuffers: several buffers (odd sizes, an empty one) in one read equal one read each; also past the buffer size limit', async () => {
  const g = await gpu();
  const arrays = [[1, 2, 3], [], [4.5], Array.from({ length: 257 }, (_, i) => i / 7), [NaN, -0]].map((a) => Float32Array.from(a));
  const parts = arrays.map((a) => ({ buf: upload(g, a.length ? a : new Float32Array(1)), count: a.length }));
  const together = await readBuffers(g, parts);
  assert.equal(together.map((a) => [...a].map(String)), arrays.map((a) => [...a].map(String)));
  const limit = g.limits.maxBufferSize;
  g.limits.maxBufferSize = 64; // smaller than the parts together: one read each
  try {
    assert.equal((await readBuffers(g, parts)).map((a) => [...a].map(String)), arrays.map((a) => [...a].map(String)));
  } finally {
    g.limits.maxBufferSize = limit;
  }
});

test('a broken shader raises an error naming the file and line', async () => {
  const g = await gpu();
  registerShaders({
    'test/broken': 'override WG: u32 = 64;\n@group(0) @binding(0) var<storage, read_write> out: array<f32>;\n@compute @workgroup_size(WG)\nfn main() {\n  out[0] = undefined_thing;\n}\n',
  });
  dispatch(g, { shader: 'test/broken', entry: 'main' }, { out: allocBuffer(g, 16) }, [1]);
  await assertRejects(sync(g), ShaderError, 'shaders/test/broken.wgsl:5');
});

test('a broken shader used mid-step is still reported by file and line, not by its downstream errors', async () => {
  const g = await gpu();
  registerShaders({
    'test/broken2': 'override WG: u32 = 64;\n@group(0) @binding(0) var<storage, read_write> out: array<f32>;\n@compute @workgroup_size(WG)\nfn main() {\n  let target = 1.0;\n  out[0] = target;\n}\n',
  });
  const buf = allocBuffer(g, 16);
  dispatch(g, { shader: 'test/broken2', entry: 'main' }, { out: buf }, [1]);
  await new Promise((r) => setTimeout(r, 50)); // let Dawn report the invalid objects
  dispatch(g, { shader: 'test/broken2', entry: 'main' }, { out: buf }, [1]); // a later op of the same step
  dispatch(g, { shader: 'ops/elementwise', entry: 'fill', constants: { WG: 256 } }, { params: packParams('uf', 4, 1), out: buf }, [1]);
  await assertRejects(readBuffer(g, buf, 4), ShaderError, 'shaders/test/broken2.wgsl:5');
  assert.equal([...(await readBuffer(g, buf, 4))].length, 4, 'the device stays usable');
});

test('binding a name the shader does not declare is an error naming the shader', async () => {
  const g = await gpu();
  assert.throws(
    () => dispatch(g, { shader: 'ops/elementwise', entry: 'fill' }, { nope: allocBuffer(g, 16) }, [1]),
    /shaders\/ops\/elementwise\.wgsl: no binding named 'nope'/,
  );
});

test('a validation error inside a step surfaces as an exception, not a silent result', async () => {
  const g = await gpu();
  // 'a' is bound to a buffer too small for n = 1024 floats? No: WebGPU bounds-checks reads; use a usage error:
  // bind the same buffer as read-only 'a' and writable 'out' in one dispatch, which WebGPU forbids.
  const buf = allocBuffer(g, 64);
  dispatch(g, { shader: 'ops/elementwise', entry: 'scale', constants: { WG: 256 } }, { params: packParams('uf', 16, 2), a: buf, out: buf }, [1]);
  await assertRejects(sync(g), GpuError, /validation/i);
  await sync(g); // the error is reported once; the device stays usable
});

test('a lost device becomes an error, never a hang', async () => {
  const g = await acquireGpu();
  const buf = upload(g, new Float32Array(4));
  g.device.destroy();
  await g.device.lost;
  try {
    dispatch(g, { shader: 'ops/elementwise', entry: 'fill', constants: { WG: 256 } }, { params: packParams('uf', 4, 1), out: buf }, [1]);
    await readBuffer(g, buf, 4);
    assert.unreachable('no error');
  } catch (e) {
    assert.match((e as Error).message, /lost/);
  }
});

test.run();
