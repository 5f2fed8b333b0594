import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { convTGeometry, type Triple } from '../../src/nn/conv_geometry.ts';
import { convTranspose3d } from '../../src/nn/conv_transpose3d.ts';
import {
  convTranspose3dGradBiasRef, convTranspose3dGradInputRef, convTranspose3dGradWeightRef, convTranspose3dRef,
} from '../../src/nn/conv_transpose3d.ref.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, checkGradient, gpu, randomArray } from '../helpers.ts';

test('shape errors name the problem: a stride of the wrong length, an empty kernel', () => {
  assert.throws(() => convTGeometry([1, 1, 2, 2, 2], [1, 1, 2, 2, 2], [2, 2] as unknown as Triple), /stride must be three positive integers/);
  assert.throws(() => convTGeometry([1, 1, 2, 2, 2], [1, 1, 0, 2, 2]), /has an empty kernel/);
});

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

test('ref on a hand-checked case: k=(2,1,1), s=(2,1,1) doubles depth', () => {
  const x = new Float32Array([1, 2]); // [1,1,2,1,1]
  const w = new Float32Array([3, -1]); // [1,1,2,1,1]
  const g = convTGeometry([1, 1, 2, 1, 1], [1, 1, 2, 1, 1], [2, 1, 1]);
  assert.equal([g.od, g.oh, g.ow], [4, 1, 1]);
  assert.equal([...convTranspose3dRef(x, w, new Float32Array([0.5]), g)], [3.5, -0.5, 6.5, -1.5]);
  // overlapping taps (k=3, s=2) add up
  const o = convTGeometry([1, 1, 1, 1, 2], [1, 1, 1, 1, 3], [1, 1, 2]);
  assert.equal(o.ow, 5);
  assert.equal([...convTranspose3dRef(new Float32Array([1, 10]), new Float32Array([1, 2, 3]), null, o)], [1, 2, 13, 20, 30]);
});

interface Case { name: string; x: number[]; w: number[]; stride: Triple; bias: boolean }
const CASES: Case[] = [
  { name: '(2,1,1) s(2,1,1) + bias', x: [2, 3, 3, 5, 7], w: [3, 5, 2, 1, 1], stride: [2, 1, 1], bias: true },
  { name: '(2,2,2) s2 + bias', x: [2, 3, 3, 5, 7], w: [3, 4, 2, 2, 2], stride: [2, 2, 2], bias: true },
  { name: '(2,2,2) s2, 1 voxel', x: [1, 5, 1, 1, 1], w: [5, 3, 2, 2, 2], stride: [2, 2, 2], bias: false },
  { name: '(3,1,2) s(2,1,1) overlapping', x: [2, 2, 3, 4, 5], w: [2, 3, 3, 1, 2], stride: [2, 1, 1], bias: true },
  { name: '(2,1,1) s(2,1,1), aligned rows (W = 8)', x: [2, 3, 2, 3, 8], w: [3, 5, 2, 1, 1], stride: [2, 1, 1], bias: true },
  { name: '(2,2,2) s2, aligned rows (W = 16)', x: [1, 5, 2, 2, 16], w: [5, 6, 2, 2, 2], stride: [2, 2, 2], bias: true },
  { name: '(2,1,1) s(2,1,1), 12 channels out', x: [1, 5, 2, 3, 11], w: [5, 12, 2, 1, 1], stride: [2, 1, 1], bias: true },
  // gradWeightMM: unaligned H·W planes, K slices of 3 planes crossing the batch, channels past a block of 4
  { name: '(2,1,1) s(2,1,1), 62 to 63 channels, slices across batch', x: [3, 62, 2, 5, 7], w: [62, 63, 2, 1, 1], stride: [2, 1, 1], bias: false },
  { name: '(3,1,1) s(3,1,1), odd tap count (a pair with a dummy tap)', x: [2, 5, 2, 3, 4], w: [5, 6, 3, 1, 1], stride: [3, 1, 1], bias: true },
  { name: '(2,2,2) s2, 18 to 7 channels (blocks of 8 input channels), aligned rows (W = 4)', x: [2, 18, 2, 3, 4], w: [18, 7, 2, 2, 2], stride: [2, 2, 2], bias: true },
  { name: '(2,2,2) s2, 16 to 5 channels (gradInput in blocks of 8 channels), W = 10', x: [1, 16, 2, 3, 10], w: [16, 5, 2, 2, 2], stride: [2, 2, 2], bias: false },
  { name: '(2,1,1) s(2,1,1), 8 to 3 channels, aligned rows (W = 8)', x: [2, 8, 2, 3, 8], w: [8, 3, 2, 1, 1], stride: [2, 1, 1], bias: true },
  // flat textures (src/gpu/textures.ts) hold 8192 texels per row: gradOutput, input and packed weights
  // each over two rows
  { name: '(2,2,2) s2, aligned rows (W = 32), gradOutput over two texture rows', x: [1, 3, 2, 24, 32], w: [3, 4, 2, 2, 2], stride: [2, 2, 2], bias: true },
  { name: '(2,1,1) s(2,1,1), aligned rows (W = 64), input over two texture rows', x: [1, 5, 2, 64, 64], w: [5, 2, 2, 1, 1], stride: [2, 1, 1], bias: false },
  { name: '(2,2,2) s2, 80 to 80, packed weights over two texture rows (W = 8)', x: [1, 80, 1, 2, 8], w: [80, 80, 2, 2, 2], stride: [2, 2, 2], bias: true },
  { name: '(1,2,2) s(1,2,2), aligned rows (W = 4)', x: [2, 3, 3, 2, 4], w: [3, 5, 1, 2, 2], stride: [1, 2, 2], bias: false },
  // NOTE: gradInput stores 8 input channels per invocation: Cin = 7 leaves the 8th unstored (its guard),
  // and with batch 2 a wrong store would land in the next sample's channel 0
  { name: '(2,2,2) s2, 7 to 4 channels, batch 2 (a block of 8 input channels with one past Cin)', x: [2, 7, 2, 3, 5], w: [7, 4, 2, 2, 2], stride: [2, 2, 2], bias: false },
];

/** One case on the GPU against the refs; with `poison`, one input voxel and one output gradient are NaN. */
async function checkCase(c: Case, seed: number, poison = false): Promise<void> {
  const g = await gpu();
  const what = `${c.name}${poison ? ' (NaN)' : ''}`;
  const geo = convTGeometry(c.x, c.w, c.stride);
  const x = randomArray(size(c.x), seed++);
  const w = randomArray(size(c.w), seed++);
  const b = c.bias ? randomArray(c.w[1], seed++) : null;
  if (poison) x[Math.floor(x.length / 2)] = NaN;
  const t = new Tape(g);
  const tx = Tensor.from(g, x, c.x, true);
  const tw = Tensor.from(g, w, c.w, true);
  const tb = b ? Tensor.from(g, b, [c.w[1]], true) : null;
  const y = convTranspose3d(t, tx, tw, tb, { stride: c.stride });
  assert.equal(y.shape, [geo.b, geo.cout, geo.od, geo.oh, geo.ow], `${what} shape`);
  const want = convTranspose3dRef(x, w, b, geo);
  if (poison) assert.ok(want.some(Number.isNaN), `${what}: NaN reaches the output`);
  assertClose(await y.read(), want, 1e-4, 1e-5, `${what} forward`);
  const gy = randomArray(y.size, seed++);
  if (poison) gy[Math.floor(gy.length / 3)] = NaN;
  t.backward(y, Tensor.from(g, gy, y.shape));
  assertClose(await tx.grad!.read(), convTranspose3dGradInputRef(gy, w, geo), 1e-4, 1e-5, `${what} gradInput`);
  assertClose(await tw.grad!.read(), convTranspose3dGradWeightRef(x, gy, geo), 1e-4, 1e-4, `${what} gradWeight`);
  if (tb) assertClose(await tb.grad!.read(), convTranspose3dGradBiasRef(gy, geo), 1e-4, 1e-4, `${what} gradBias`);
  t.release();
  for (const v of [tx, tw, tb]) v?.release();
}

test('GPU forward and gradients equal the refs', async () => {
  let seed = 40;
  for (const c of CASES) {
    await checkCase(c, seed);
    seed += 4;
  }
});

test('NaN guard: a NaN input voxel and a NaN output gradient reach exactly what the refs say (each kernel path)', async () => {
  for (const c of CASES.filter((k) => !k.name.includes('texture rows'))) await checkCase(c, 77, true);
});

test('ref gradients equal finite differences of the ref', async () => {
  const c = CASES[3];
  const geo = convTGeometry(c.x, c.w, c.stride);
  const x = randomArray(size(c.x), 7);
  const w = randomArray(size(c.w), 8);
  const b = randomArray(geo.cout, 9);
  const gy = randomArray(geo.b * geo.cout * geo.od * geo.oh * geo.ow, 10);
  const dot = (y: Float32Array) => y.reduce((s, v, i) => s + v * gy[i], 0);
  await checkGradient((v) => dot(convTranspose3dRef(v, w, b, geo)), x, convTranspose3dGradInputRef(gy, w, geo), { count: 30 });
  await checkGradient((v) => dot(convTranspose3dRef(x, v, b, geo)), w, convTranspose3dGradWeightRef(x, gy, geo), { count: 30 });
  await checkGradient((v) => dot(convTranspose3dRef(x, w, v, geo)), b, convTranspose3dGradBiasRef(gy, geo));
});

test.run();
