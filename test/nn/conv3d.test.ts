import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conv3d, kSlices } from '../../src/nn/conv3d.ts';
import { conv3dGradBiasRef, conv3dGradInputRef, conv3dGradWeightRef, conv3dRef } from '../../src/nn/conv3d.ref.ts';
import { type Triple, convGeometry } from '../../src/nn/conv_geometry.ts';
import { full } from '../../src/ops/elementwise.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, assertNaNWithin, checkGradient, gpu, randomArray } from '../helpers.ts';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

test('ref on a hand-checked case: 1x1x3x3 input, 3x3 kernel, same padding and stride 2', () => {
  const x = Float32Array.from({ length: 9 }, (_, i) => i + 1); // 1..9
  const w = new Float32Array(9).fill(0);
  w[4] = 2; // centre tap
  w[5] = 1; // right neighbour
  const g = convGeometry([1, 1, 1, 3, 3], [1, 1, 1, 3, 3], [0, 1, 1]);
  assert.equal([g.od, g.oh, g.ow], [1, 3, 3]);
  assert.equal([...conv3dRef(x, w, new Float32Array([0.5]), g)], [4.5, 7.5, 6.5, 13.5, 16.5, 12.5, 22.5, 25.5, 18.5]);
  const s = convGeometry([1, 1, 1, 3, 3], [1, 1, 1, 3, 3], [0, 1, 1], [1, 2, 2]);
  assert.equal([s.oh, s.ow], [2, 2]);
  assert.equal([...conv3dRef(x, w, null, s)], [4, 6, 22, 18]);
});

test('gradWeight K slices: about 128 vec4 steps each, at least ~512 invocations, bounded partials', () => {
  assert.equal(kSlices(6144, 32, 36, 32), { rowsPer: 16, slices: 384 }); // 16 rows × 8 steps
  assert.equal(kSlices(96, 16, 200, 36), { rowsPer: 32, slices: 3 }); // 32 rows × 4 steps, 600 invocations
  assert.equal(kSlices(10, 1024, 4, 36), { rowsPer: 1, slices: 10 }); // few blocks: one row per slice
  assert.equal(kSlices(3, 8, 1000, 36), { rowsPer: 3, slices: 1 }); // never more rows per slice than rows
  const big = kSlices(1e6, 8, 60000, 36);
  assert.ok(big.slices * 60000 * 36 * 4 <= 32 << 20 && big.rowsPer * big.slices >= 1e6, JSON.stringify(big));
});

test('shape errors name the problem', () => {
  assert.throws(() => convGeometry([1, 2, 3, 3, 3], [4, 3, 1, 1, 1]), /2 channels, weight expects 3/);
  assert.throws(() => convGeometry([1, 2, 3], [4, 2, 1, 1, 1]), /5-D/);
  assert.throws(() => convGeometry([1, 1, 1, 2, 2], [1, 1, 3, 3, 3]), /larger than/);
  // a padding or stride of the wrong length, an empty kernel (it gave zeros of a plausible shape)
  assert.throws(() => convGeometry([1, 1, 5, 5, 5], [1, 1, 3, 3, 3], [1, 1] as unknown as Triple), /padding must be three non-negative integers/);
  assert.throws(() => convGeometry([1, 1, 5, 5, 5], [1, 1, 3, 3, 3], [0, 0, 0], [2] as unknown as Triple), /stride must be three positive integers/);
  assert.throws(() => convGeometry([1, 1, 5, 4, 4], [1, 1, 0, 3, 3]), /has an empty kernel/);
});

interface Case { name: string; x: number[]; w: number[]; pad: Triple; stride: Triple; bias: boolean }
const CASES: Case[] = [
  { name: '(1,3,3) same', x: [2, 3, 3, 7, 9], w: [5, 3, 1, 3, 3], pad: [0, 1, 1], stride: [1, 1, 1], bias: false },
  { name: '(3,3,3) same + bias', x: [2, 3, 5, 7, 9], w: [5, 3, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: true },
  { name: '(3,3,3) same, 10 to 1', x: [1, 10, 5, 6, 11], w: [1, 10, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: false },
  { name: '(2,1,1) stride 2', x: [2, 3, 5, 4, 7], w: [5, 3, 2, 1, 1], pad: [0, 0, 0], stride: [2, 1, 1], bias: true },
  { name: '(2,2,2) stride 2 odd sizes', x: [2, 3, 5, 7, 9], w: [4, 3, 2, 2, 2], pad: [0, 0, 0], stride: [2, 2, 2], bias: false },
  { name: '(3,2,3) pad (1,0,2) stride (1,2,3)', x: [1, 2, 4, 7, 10], w: [3, 2, 3, 2, 3], pad: [1, 0, 2], stride: [1, 2, 3], bias: true },
  { name: '1-voxel volume, (1,3,3) same', x: [3, 4, 1, 1, 1], w: [6, 4, 1, 3, 3], pad: [0, 1, 1], stride: [1, 1, 1], bias: false },
  { name: '1-voxel volume, (3,3,3) same', x: [1, 2, 1, 1, 1], w: [3, 2, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: true },
  { name: '(1,3,3) same, aligned rows (W = 16)', x: [2, 3, 3, 5, 16], w: [5, 3, 1, 3, 3], pad: [0, 1, 1], stride: [1, 1, 1], bias: true },
  { name: '(3,3,3) same, 4 to 1, aligned rows (W = 8)', x: [2, 4, 3, 6, 8], w: [1, 4, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: false },
  { name: '(3,3,3) same, 3 to 1, aligned rows (W = 16)', x: [1, 3, 3, 6, 16], w: [1, 3, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: false },
  { name: '(3,3,3) same, 1 to 3 (gradInput has one channel), W = 16', x: [2, 1, 3, 5, 16], w: [3, 1, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: true },
  { name: '(3,3,3) same, 3 to 2, aligned rows (W = 24)', x: [1, 3, 4, 5, 24], w: [2, 3, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: false },
  { name: '(3,3,3) pad 0 (valid)', x: [1, 2, 4, 5, 8], w: [3, 2, 3, 3, 3], pad: [0, 0, 0], stride: [1, 1, 1], bias: false },
  { name: '12 output channels, wide row', x: [1, 5, 2, 3, 37], w: [12, 5, 1, 3, 3], pad: [0, 1, 1], stride: [1, 1, 1], bias: false },
  // K slices of several rows that cross depth and batch boundaries (gradWeightMM: 3 rows per slice)
  { name: '40 to 40 (1,3,3), slices across z and batch', x: [3, 40, 2, 3, 9], w: [40, 40, 1, 3, 3], pad: [0, 1, 1], stride: [1, 1, 1], bias: false },
  { name: '40 to 38 (1,3,3), aligned rows (W = 8), slices across z and batch', x: [3, 40, 2, 3, 8], w: [38, 40, 1, 3, 3], pad: [0, 1, 1], stride: [1, 1, 1], bias: false },
  // flat textures (src/gpu/textures.ts) hold 8192 texels per row: inputs and packed weights over two rows
  { name: '(1,3,3) aligned, input over two texture rows', x: [1, 5, 2, 64, 64], w: [6, 5, 1, 3, 3], pad: [0, 1, 1], stride: [1, 1, 1], bias: true },
  { name: '(1,3,3) 80 to 80, packed weights over two texture rows', x: [1, 80, 1, 2, 16], w: [80, 80, 1, 3, 3], pad: [0, 1, 1], stride: [1, 1, 1], bias: false },
  { name: '(3,3,3) 4 to 1, aligned, input over two texture rows', x: [1, 4, 3, 48, 64], w: [1, 4, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: false },
  { name: '(3,3,3) 48 to 1, bands of 4 rows in slices across z', x: [2, 48, 3, 5, 8], w: [1, 48, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: false },
  // NOTE: one output channel works in bands of 4 rows: H = 4k + 3 leaves a last band of 3 (its guards)
  { name: '(3,3,3) 3 to 1, H = 7 (a last band of 3 rows), W = 8', x: [2, 3, 3, 7, 8], w: [1, 3, 3, 3, 3], pad: [1, 1, 1], stride: [1, 1, 1], bias: true },
];

/** One case on the GPU against the refs; with `poison`, one input voxel and one output gradient are NaN. */
async function checkCase(c: Case, seed: number, poison = false): Promise<void> {
  const g = await gpu();
  const what = `${c.name}${poison ? ' (NaN)' : ''}`;
  const geo = convGeometry(c.x, c.w, c.pad, c.stride);
  const x = randomArray(size(c.x), seed++);
  const w = randomArray(size(c.w), seed++);
  const b = c.bias ? randomArray(c.w[0], seed++) : null;
  if (poison) x[Math.floor(x.length / 2)] = NaN;
  const t = new Tape(g);
  const tx = Tensor.from(g, x, c.x, true);
  const tw = Tensor.from(g, w, c.w, true);
  const tb = b ? Tensor.from(g, b, [c.w[0]], true) : null;
  const y = conv3d(t, tx, tw, tb, { padding: c.pad, stride: c.stride });
  assert.equal(y.shape, [geo.b, geo.cout, geo.od, geo.oh, geo.ow], `${what} shape`);
  const want = conv3dRef(x, w, b, geo);
  if (poison) assert.ok(want.some(Number.isNaN), `${what}: NaN reaches the output`);
  assertClose(await y.read(), want, 1e-4, 1e-5, `${what} forward`);
  const gy = randomArray(y.size, seed++);
  if (poison) gy[Math.floor(gy.length / 3)] = NaN;
  t.backward(y, Tensor.from(g, gy, y.shape));
  assertClose(await tx.grad!.read(), conv3dGradInputRef(gy, w, geo), 1e-4, 1e-5, `${what} gradInput`);
  const gw = conv3dGradWeightRef(x, gy, geo);
  if (!poison) assertClose(await tw.grad!.read(), gw, 1e-4, 1e-4, `${what} gradWeight`);
  else {
    // NOTE: where a kernel masks the padding by multiplying rather than skipping, a NaN meets the padding's
    // taps too (0·NaN = NaN): the weights of a NaN input's channel ci or a NaN gradient's channel co may be NaN
    const perCo = size(c.w) / c.w[0];
    const perCi = perCo / c.w[1];
    const nanChannels = (a: Float32Array, channels: number) => {
      const per = a.length / geo.b / channels;
      return new Set(Array.from(a.keys()).filter((i) => Number.isNaN(a[i])).map((i) => Math.floor(i / per) % channels));
    };
    const nanCo = nanChannels(gy, geo.cout);
    const nanCi = nanChannels(x, geo.cin);
    assertNaNWithin(await tw.grad!.read(), gw, (i) => nanCo.has(Math.floor(i / perCo)) || nanCi.has(Math.floor(i / perCi) % geo.cin), 1e-4, 1e-4, `${what} gradWeight`);
  }
  if (tb) assertClose(await tb.grad!.read(), conv3dGradBiasRef(gy, geo), 1e-4, 1e-4, `${what} gradBias`);
  t.release();
  for (const v of [tx, tw, tb]) v?.release();
}

test('GPU forward, gradInput, gradWeight and gradBias equal the refs', async () => {
  let seed = 10;
  for (const c of CASES) {
    await checkCase(c, seed);
    seed += 4;
  }
});

test('NaN guard: a NaN input voxel and a NaN output gradient reach exactly what the refs say (each kernel path)', async () => {
  const paths = ['(1,3,3) same', '(3,3,3) same + bias', '(2,2,2) stride 2 odd sizes', '1-voxel volume, (3,3,3) same', '(1,3,3) same, aligned rows (W = 16)',
    '(3,3,3) 3 to 1, H = 7 (a last band of 3 rows), W = 8', '40 to 38 (1,3,3), aligned rows (W = 8), slices across z and batch'];
  for (const name of paths) {
    const c = CASES.find((k) => k.name === name);
    assert.ok(c, `no case '${name}'`);
    await checkCase(c, 99, true);
  }
});

test('only the inputs that need a gradient get one', async () => {
  const g = await gpu();
  const t = new Tape(g);
  const tx = Tensor.from(g, randomArray(2 * 3 * 3 * 4 * 5, 1), [2, 3, 3, 4, 5]);
  const tw = Tensor.from(g, randomArray(4 * 3 * 27, 2), [4, 3, 3, 3, 3], true);
  const y = conv3d(t, tx, tw, null, { padding: [1, 1, 1] });
  t.backward(y, full(g, y.shape, 1));
  assert.is(tx.grad, null);
  assert.ok(tw.grad);
  t.release();
});

test('ref gradients equal finite differences of the ref', async () => {
  const c = CASES[5];
  const geo = convGeometry(c.x, c.w, c.pad, c.stride);
  const x = randomArray(size(c.x), 3);
  const w = randomArray(size(c.w), 4);
  const gy = randomArray(geo.b * geo.cout * geo.od * geo.oh * geo.ow, 5);
  const dot = (y: Float32Array) => y.reduce((s, v, i) => s + v * gy[i], 0);
  await checkGradient((v) => dot(conv3dRef(v, w, null, geo)), x, conv3dGradInputRef(gy, w, geo), { eps: 1e-2, count: 30 });
  await checkGradient((v) => dot(conv3dRef(x, v, null, geo)), w, conv3dGradWeightRef(x, gy, geo), { eps: 1e-2, count: 30 });
  const b = randomArray(geo.cout, 6);
  await checkGradient((v) => dot(conv3dRef(x, w, v, geo)), b, conv3dGradBiasRef(gy, geo), { eps: 1e-2 });
});

test.run();
