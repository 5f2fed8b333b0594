// The 3D view's ray-marcher: the shader's frame against its float64 reference, pixel by pixel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { raymarch, raymarchParams, volumeTexels, type Orbit } from '../../src/render/raymarch.ts';
import { raymarchRef } from '../../src/render/raymarch.ref.ts';
import { gpu, randomArray } from '../helpers.ts';

const W = 48;
const H = 40;
const COLOR: [number, number, number] = [0.9, 0.55, 0.3];

/** A ball of radius r (in voxels) around c, with a soft edge, in a [side]³ volume. */
function ball(side: number, c: [number, number, number], r: number): Float32Array {
  const v = new Float32Array(side ** 3);
  for (let z = 0; z < side; z++) for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    const d = Math.hypot(x - c[0], y - c[1], z - c[2]);
    v[(z * side + y) * side + x] = 1 / (1 + Math.exp(2 * (d - r)));
  }
  return v;
}

/** Renders on the GPU and by the reference; returns the share of pixels within `tol` (bytes) and the worst difference. */
async function compare(volume: Float32Array, side: number, orbit: Orbit, threshold: number): Promise<{ within: number; worst: number; surface: number }> {
  const g = await gpu();
  const view = { orbit, threshold, color: COLOR };
  const img = await raymarch(g, volume, side, view, W, H);
  const { texels, empty } = volumeTexels(volume, side);
  const ref = raymarchRef(texels, side, raymarchParams({ ...view, aspect: W / H }, side, empty), W, H);
  let within = 0;
  let worst = 0;
  let surface = 0;
  for (let i = 0; i < W * H; i++) {
    let d = 0;
    for (let k = 0; k < 3; k++) d = Math.max(d, Math.abs(img[4 * i + k] - Math.round(Math.min(1, Math.max(0, ref[3 * i + k])) * 255)));
    if (d <= 3) within++;
    worst = Math.max(worst, d);
    if (Math.abs(ref[3 * i] - ref[3 * i + 2]) > 0.3) surface++; // the orange surface, not the grey-blue background
    assert.is(img[4 * i + 3], 255, 'opaque');
  }
  return { within: within / (W * H), worst, surface: surface / (W * H) };
}

// NOTE: the GPU samples in float32 with its own filter precision, so a ray that grazes the isosurface may
// hit in one and miss in the other: a few silhouette pixels differ a lot, the rest by rounding.
test('a ball, an off-centre blob in an odd-sized volume, noise, and three cameras: the shader equals the reference', async () => {
  const cases: Array<[string, Float32Array, number, Orbit]> = [
    ['ball 16³, default camera', ball(16, [7.5, 7.5, 7.5], 5), 16, { yaw: 0.7, pitch: 0.45, distance: 1.85 }],
    ['blob 5³, from below and close', ball(5, [1, 3, 2], 1.6), 5, { yaw: -2.1, pitch: -0.9, distance: 1.2 }],
    ['noise 7³', randomArray(7 ** 3, 3, 0, 1), 7, { yaw: 0.3, pitch: 0.2, distance: 2.5 }],
  ];
  for (const [what, v, side, orbit] of cases) {
    const r = await compare(v, side, orbit, 0.5);
    assert.ok(r.surface > 0.05, `${what}: the surface covers ${r.surface} of the frame`);
    assert.ok(r.within >= 0.97, `${what}: ${(100 * r.within).toFixed(1)}% of pixels within 3/255 (worst ${r.worst})`);
  }
});

test('edge cases: an empty volume (no surface, no glow), one voxel (a filled cube), a camera inside the cube', async () => {
  const empty = await compare(new Float32Array(6 ** 3), 6, { yaw: 0.7, pitch: 0.45, distance: 1.85 }, 0.5);
  assert.is(empty.surface, 0);
  assert.is(empty.within, 1, `worst ${empty.worst}`);
  const one = await compare(new Float32Array([0.8]), 1, { yaw: 1.1, pitch: 0.3, distance: 2 }, 0.5);
  assert.ok(one.surface > 0.05 && one.within >= 0.97, JSON.stringify(one));
  const inside = await compare(ball(8, [3.5, 3.5, 3.5], 2.5), 8, { yaw: 0.2, pitch: 0.1, distance: 0.3 }, 0.5);
  assert.ok(inside.within >= 0.97, JSON.stringify(inside));
});

test('the 3D view refuses a volume that does not fit its side', () => {
  assert.throws(() => volumeTexels(new Float32Array(7), 2), /3D view: 7 values for a 2³ volume/);
});

test.run();
