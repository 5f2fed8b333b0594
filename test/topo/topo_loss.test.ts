import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { full } from '../../src/ops/elementwise.ts';
import { Adam } from '../../src/optim/adam.ts';
import { trilinearDownBackwardRef, trilinearDownRef } from '../../src/resample/trilinear_down.ref.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { diagramLoss, type DiagramLossOptions } from '../../src/topo/diagram_loss.ts';
import { persistence, type Diagrams } from '../../src/topo/persistence.ts';
import { scatterGradRef } from '../../src/topo/scatter_grad.ref.ts';
import { TopoLoss } from '../../src/topo/topo_loss.ts';
import { inThread, type TopoRunner } from '../../src/topo/topo_job.ts';
import { ALL_OPS, transformPlanes } from '../../src/data/augment.ts';
import { prepareTopo } from '../../src/train/batches.ts';
import { DivergedError } from '../../src/util/errors.ts';
import { Rng } from '../../src/util/rng.ts';
import { assertClose, assertRejects, gpu } from '../helpers.ts';

/**
 * A volume of distinct values, a random permutation of (k + 0.35 + 0.3 u_k) / n: gaps of at least 0.4/n,
 * and jittered so that no two L∞ differences in the matching tie (the loss is smooth there).
 */
function distinctVolume(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const order = [...Array(n).keys()];
  r.shuffle(order);
  return Float32Array.from(order, (k) => (k + 0.35 + 0.3 * r.next()) / n);
}

function blobs(side: number, centres: number[][], radius: number): Float32Array {
  const v = new Float32Array(side ** 3);
  for (let z = 0; z < side; z++)
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        let m = 0;
        for (const [cz, cy, cx] of centres) m = Math.max(m, Math.exp(-((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2) / (2 * radius * radius)));
        v[(z * side + y) * side + x] = m;
      }
  return v;
}

function ball(side: number, r0: number, r1: number): Float32Array {
  // a shell between radii r0 and r1 (hollow when r0 > 0): the void is a dimension-2 class
  const v = new Float32Array(side ** 3);
  const c = (side - 1) / 2;
  for (let z = 0; z < side; z++)
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const r = Math.hypot(z - c, y - c, x - c);
        v[(z * side + y) * side + x] = r >= r0 && r <= r1 ? 0.9 : 0.1;
      }
  return v;
}

/**
 * Central differences of the diagram loss at every voxel of v, against the analytic sparse gradient;
 * returns how many voxels carry a gradient.
 */
function checkVoxelGradient(v: Float32Array, shape: [number, number, number], target: Diagrams, opts: DiagramLossOptions,
  grad: { index: Int32Array; value: Float64Array }, eps: number, what: string): number {
  let carrying = 0;
  for (let i = 0; i < v.length; i++) {
    const vp = v.slice();
    const vm = v.slice();
    vp[i] += eps;
    vm[i] -= eps;
    const fd = (diagramLoss(persistence(vp, shape), target, opts).value - diagramLoss(persistence(vm, shape), target, opts).value) / (2 * eps);
    const k = grad.index.indexOf(i);
    const an = k >= 0 ? grad.value[k] : 0;
    assert.ok(Math.abs(fd - an) <= 2e-3 + 1e-3 * Math.abs(fd), `${what} voxel ${i}: fd ${fd}, analytic ${an}`);
    if (an !== 0) carrying++;
  }
  return carrying;
}

test('diagram loss: gradient equals finite differences (all dimensions, q = 2 and 3, total persistence)', () => {
  const shape: [number, number, number] = [5, 6, 4];
  const n = 5 * 6 * 4;
  const target = persistence(distinctVolume(n, 2), shape);
  for (const opts of [
    { dims: [0, 1, 2], q: 2, totalPersistence: 0 },
    { dims: [0, 2], q: 3, totalPersistence: 0.3 }, // NOTE: not q = 1: its optimal matching is rarely unique, so L is kinked almost everywhere
    { dims: [1], q: 2, totalPersistence: 0.5 },
  ] as DiagramLossOptions[]) {
    const v = distinctVolume(n, 1);
    const { grad, value } = diagramLoss(persistence(v, shape), target, opts);
    assert.ok(value > 0);
    const eps = 1e-4; // far below half the smallest gap 0.4/n: the filtration order, hence the pairing, is unchanged
    const checked = checkVoxelGradient(v, shape, target, opts, grad, eps, JSON.stringify(opts));
    assert.ok(checked >= 4, `only ${checked} voxels carry a gradient`);
  }
});

test('diagram loss, q = ∞: the gradient goes to the pair that sets the bottleneck, none when a target point does', () => {
  const pair = (birth: number, death: number, birthIndex: number, deathIndex: number) => ({ birth, death, birthIndex, deathIndex });
  const opts: DiagramLossOptions = { dims: [2], q: Infinity, totalPersistence: 0 };
  // the target's (0.9, 0.1) goes to the diagonal at 0.4, a constant: it sets the loss, so no gradient
  const small = { dims: [[], [], [pair(0.3, 0.25, 3, 7)]] };
  const big = { dims: [[], [], [pair(0.9, 0.1, 4, 9)]] };
  let r = diagramLoss(small, big, opts);
  assert.is(r.value, Math.abs(0.9 - 0.1) / 2);
  assert.is(r.grad.index.length, 0);
  // reversed, the prediction's pair sets it: ±1/2 at its birth and death voxels
  r = diagramLoss(big, small, opts);
  assert.equal([[...r.grad.index], [...r.grad.value]], [[4, 9], [0.5, -0.5]]);
  // over dimensions the bottleneck distances add up (as Σ W_q^q does), each with its own pair's gradient
  const two = { dims: [[], [pair(0.6, 0.2, 1, 2)], [pair(0.3, 0.25, 3, 7)]] };
  r = diagramLoss(two, { dims: [[], [], []] }, { dims: [1, 2], q: Infinity, totalPersistence: 0 });
  assert.ok(Math.abs(r.value - (0.2 + 0.025)) < 1e-15, `${r.value}`);
  assert.equal([...r.grad.index], [1, 2, 3, 7]);
  // essential classes in different numbers: an infinite distance, refused rather than dropped
  const ess = { dims: [[pair(0.9, -Infinity, 1, -1), pair(0.5, 0.2, 2, 5)], [], []] };
  const ess2 = { dims: [[pair(0.9, -Infinity, 1, -1), pair(0.8, -Infinity, 3, -1)], [], []] };
  assert.throws(() => diagramLoss(ess, ess2, { dims: [0], q: 2, totalPersistence: 0 }), /dimension 0 has different numbers of essential classes/);
  // and on random volumes the gradient equals finite differences at every voxel
  const shape: [number, number, number] = [4, 5, 3];
  const n = 60;
  for (let seed = 0; seed < 12; seed++) {
    const target = persistence(distinctVolume(n, 100 + seed), shape);
    const v = distinctVolume(n, 200 + seed);
    const o: DiagramLossOptions = { dims: seed % 2 ? [0, 2] : [1], q: Infinity, totalPersistence: 0 };
    const { grad } = diagramLoss(persistence(v, shape), target, o);
    checkVoxelGradient(v, shape, target, o, grad, 1e-4, `seed ${seed}`);
  }
});

test('the tape op: value and gradient equal the CPU composition downsample → diagrams → matching → adjoint', async () => {
  const g = await gpu();
  const side = 9;
  const s = 5;
  const batch = 2;
  const per = side ** 3;
  const vols = [distinctVolume(per, 3), distinctVolume(per, 4)];
  const targets = [distinctVolume(per, 5), distinctVolume(per, 6)];
  const topo = new TopoLoss({ size: s, dims: [0, 1, 2] });
  const t = new Tape(g);
  const x = new Float32Array(batch * per);
  vols.forEach((v, b) => x.set(v, b * per));
  const pred = Tensor.from(g, x, [batch, 1, side, side, side], true);
  const r = await topo.apply(t, pred, targets.map((v, b) => ({ key: `t${b}`, volume: v })));
  t.backward(r.loss, full(g, [1], 3)); // an upstream gradient of 3 must scale everything
  const gpuGrad = await pred.grad!.read();
  let want = 0;
  for (let b = 0; b < batch; b++) {
    const small = trilinearDownRef(vols[b], [side, side, side], s);
    const tgt = persistence(trilinearDownRef(targets[b], [side, side, side], s), [s, s, s], { dims: [0, 1, 2] });
    const l = diagramLoss(persistence(small, [s, s, s], { dims: [0, 1, 2] }), tgt, topo.opts);
    want += l.value / batch;
    const sparse = scatterGradRef(s ** 3, Uint32Array.from(l.grad.index), Float32Array.from(l.grad.value), 3 / batch);
    assertClose(gpuGrad.subarray(b * per, (b + 1) * per), trilinearDownBackwardRef(sparse, [side, side, side], s), 1e-4, 2e-5, `sample ${b}`);
  }
  assert.ok(Math.abs(r.value - want) <= 1e-4 * want, `value ${r.value} vs ${want}`);
  assertClose(await r.loss.read(), [want], 1e-4);
  t.release();
});

test('the gpu engine (WGSL union-find) gives the cpu engine\'s loss and gradient; auto picks per adapter', async () => {
  const g = await gpu();
  const side = 12;
  const s = 8;
  const batch = 3;
  const per = side ** 3;
  const rng = new Rng(9);
  // quantised noise: plateaus and ties in the downsampled volumes too
  const x = Float32Array.from({ length: batch * per }, () => Math.round(rng.next() * 6) / 6);
  const targets = [0, 1, 2].map((b) => ({ key: `t${b}`, volume: blobs(side, [[3 + b, 4, 5], [8, 7, 6 - b]], 1.5) }));
  const run = async (engine: 'cpu' | 'gpu', dims: number[]) => {
    const topo = new TopoLoss({ size: s, dims, engine });
    const t = new Tape(g);
    const pred = Tensor.from(g, x, [batch, 1, side, side, side], true);
    const r = await topo.apply(t, pred, targets);
    t.backward(r.loss, full(g, [1], 1));
    const out = { value: r.value, perDim: r.perDim, grad: await pred.grad!.read() };
    t.release();
    return out;
  };
  for (const dims of [[0], [2], [0, 2]]) {
    const cpu = await run('cpu', dims);
    const gpuRun = await run('gpu', dims);
    assert.ok(cpu.value > 0, `dims ${dims}: a loss to compare`);
    assert.equal(gpuRun.perDim, cpu.perDim, `dims ${dims}`);
    assert.equal(Array.from(gpuRun.grad), Array.from(cpu.grad), `dims ${dims}: gradient`);
  }
  // a NaN prediction is a diverged network on both engines, named by sample and voxel (the GPU engine threw a bare
  // volume error, which training did not report as divergence)
  const xNaN = Float32Array.from(x);
  xNaN.fill(NaN, per, 2 * per);
  for (const engine of ['cpu', 'gpu'] as const) {
    const t = new Tape(g);
    const pred = Tensor.from(g, xNaN, [batch, 1, side, side, side], true);
    await assertRejects(new TopoLoss({ size: s, dims: [0], engine }).apply(t, pred, targets), DivergedError, /^the prediction has NaN at voxel 0 of sample 1/);
    t.release();
  }
  const realGpu = { ...g, isCpu: false };
  const cpuAdapter = { ...g, isCpu: true };
  assert.ok(new TopoLoss({ dims: [0, 2] }).onGpu(realGpu), 'auto: a real GPU runs the union-find');
  assert.not.ok(new TopoLoss({ dims: [0, 2] }).onGpu(cpuAdapter), 'auto: a CPU adapter runs the CPU path');
  assert.not.ok(new TopoLoss({ dims: [0, 1, 2] }).onGpu(realGpu), 'auto: dimension 1 needs the CPU path');
  assert.throws(() => new TopoLoss({ dims: [1], engine: 'gpu' }), /dimension 1/);
});

/** Gradient descent on L_T alone over the voxels of `start`; returns the final volume. */
async function descend(start: Float32Array, target: Float32Array, side: number, dims: number[], steps: number): Promise<Float32Array> {
  const g = await gpu();
  const topo = new TopoLoss({ size: side, dims });
  const v = Tensor.from(g, start, [1, 1, side, side, side], true);
  const opt = new Adam([v], { lr: 0.05 });
  for (let k = 0; k < steps; k++) {
    const t = new Tape(g);
    opt.zeroGrad();
    const r = await topo.apply(t, v, [{ key: 'target', volume: target }]);
    t.backward(r.loss, full(g, [1], 1));
    opt.step();
    t.release();
    if (r.value < 1e-4) break;
  }
  return v.read();
}

function significant(volume: Float32Array, side: number, dim: number, min: number): number {
  return persistence(volume, [side, side, side]).dims[dim].filter((p) => p.death !== -Infinity && p.birth - p.death > min).length;
}

test('a prediction equal to its target costs exactly nothing: both go through the same downsampling kernel', async () => {
  // NOTE: the target was downsampled on the CPU in float64: 64 → 16 on noise gave L_T 1.2e-3 (q = 1; 4e-5
  // once the corners were exact), with full-size gradients of random sign.
  const g = await gpu();
  const side = 64;
  const vol = distinctVolume(side ** 3, 12);
  for (const q of [1, 2]) {
    const topo = new TopoLoss({ size: 16, dims: [0, 1, 2], q, engine: 'cpu' });
    const t = new Tape(g);
    const pred = Tensor.from(g, vol, [1, 1, side, side, side], true);
    const r = await topo.apply(t, pred, [{ key: 'same', volume: vol }]);
    assert.is(r.value, 0, `q = ${q}`);
    t.backward(r.loss, full(g, [1], 1));
    assert.ok((await pred.grad!.read()).every((v) => v === 0), `q = ${q}: a zero gradient`);
    t.release();
    pred.release();
  }
});

test('the target cache refuses a key reused for another volume, and takes flips and rotations of its own', async () => {
  const g = await gpu();
  const side = 8;
  const vol = distinctVolume(side ** 3, 5);
  const flipped = transformPlanes(vol, side, side, side, { flipH: true, flipV: false, rot90: false });
  const topo = new TopoLoss({ size: 4, dims: [0, 2] });
  await topo.prepare(g, [{ key: 'a', volume: vol }]);
  await topo.prepare(g, [{ key: 'a', volume: flipped }]); // the same target, augmented
  for (const ops of ALL_OPS) await topo.prepare(g, [{ key: 'a', volume: transformPlanes(vol, side, side, side, ops) }]);
  await assertRejects(topo.prepare(g, [{ key: 'a', volume: distinctVolume(side ** 3, 6) }]), Error, /target key 'a' was cached for another volume/);
  // the same values elsewhere: a shuffle, or the volume shifted by one voxel (Σv and Σv² let them through)
  const shuffled = Float32Array.from(new Rng(3).shuffle([...vol]));
  const shifted = vol.map((_, i) => vol[(i + 1) % vol.length]);
  for (const other of [shuffled, shifted]) await assertRejects(topo.prepare(g, [{ key: 'a', volume: other }]), Error, /target key 'a' was cached for another volume/);
  await assertRejects(topo.prepare(g, [{ key: 'b', volume: new Float32Array(100) }]), Error, /target 'b' has 100 values, not a cube/);
});

test('a prediction equal to a flipped or rotated target costs exactly nothing; prepareTopo computes every orientation up front', async () => {
  // NOTE: the downsampling kernel is not exactly equivariant: with the unflipped target's diagrams cached for
  // all orientations, q = 1 gave L_T ~1e-5 and full-size gradients for a prediction equal to its flipped target
  const g = await gpu();
  const side = 32;
  const vol = distinctVolume(side ** 3, 14);
  const sample = { name: 'cell', className: 'x', shape: [side, side, side] as [number, number, number], input: new Float32Array(2 * side * side), target: vol, image: new Float32Array(side * side) };
  for (const size of [16, side]) {
    let diagramJobs = 0;
    const counting: TopoRunner = { run: (jobs) => { diagramJobs += jobs.filter((j) => j.kind === 'diagrams').length; return inThread.run(jobs); } };
    const topo = new TopoLoss({ size, dims: [0, 2], q: 1, engine: 'cpu' }, counting);
    await prepareTopo(g, topo, [sample], true);
    // downsampled: one target per orientation; the full volume: its values only move, one target
    assert.is(diagramJobs, size < side ? 8 : 1, `size ${size}: targets computed up front`);
    for (const ops of ALL_OPS) {
      const fed = transformPlanes(vol, side, side, side, ops);
      const t = new Tape(g);
      const pred = Tensor.from(g, fed, [1, 1, side, side, side], true);
      const r = await topo.apply(t, pred, [{ key: 'cell', volume: fed }]);
      assert.is(r.value, 0, `size ${size}, ${JSON.stringify(ops)}`);
      t.backward(r.loss, full(g, [1], 1));
      assert.ok((await pred.grad!.read()).every((v) => v === 0), `size ${size}, ${JSON.stringify(ops)}: a zero gradient`);
      t.release();
      pred.release();
    }
    assert.is(diagramJobs, size < side ? 8 : 1, `size ${size}: no target computed during the steps`);
  }
});

test('descending L_T (dimension 0) merges two blobs into one', async () => {
  const side = 10;
  const two = blobs(side, [[3, 3, 3], [6, 6, 6]], 1.2);
  const one = blobs(side, [[4.5, 4.5, 4.5]], 2);
  assert.is(significant(two, side, 0, 0.2), 1, 'start: a second component');
  const out = await descend(two, one, side, [0], 200);
  assert.is(significant(out, side, 0, 0.05), 0, 'end: one component');
});

test('descending L_T (dimension 2) fills the void of a hollow shell', async () => {
  const side = 9;
  const shell = ball(side, 2, 4);
  const solid = ball(side, 0, 4);
  assert.is(significant(shell, side, 2, 0.5), 1, 'start: one void');
  const out = await descend(shell, solid, side, [2], 200);
  assert.is(significant(out, side, 2, 0.05), 0, 'end: no void');
});

test('options and predictions it cannot honour are refused when given, by name', async () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ dims: [0, 0] }, /dims must be distinct/], // a repeated dimension doubled the gradient, not the loss
    [{ dims: [1.5] }, /dims must be distinct/],
    [{ dims: [] }, /dims must be distinct/],
    [{ size: 0 }, /size must be a positive integer/],
    [{ size: '4' }, /size must be a positive integer, got "4"/],
    [{ q: 0.5 }, /q must be a number ≥ 1/],
    [{ q: NaN }, /q must be a number ≥ 1/],
    [{ totalPersistence: -1 }, /totalPersistence must be a finite number ≥ 0/],
    [{ totalPersistence: NaN }, /totalPersistence must be/],
    [{ construction: 'X' }, /construction must be 'T' or 'V'/],
    [{ engine: 'bogus' }, /engine must be 'auto', 'cpu' or 'gpu'/],
    [{ lambda: 0.1 }, /unknown option 'lambda'/],
  ];
  for (const [opts, msg] of bad) assert.throws(() => new TopoLoss(opts), msg, JSON.stringify(opts));
  const g = await gpu();
  const topo = new TopoLoss({ size: 4, dims: [0] });
  const t = new Tape(g);
  const target = (n: number) => ({ key: `k${n}`, volume: new Float32Array(n) });
  for (const shape of [[1, 2, 6, 6, 6], [1, 1, 6, 4, 6]]) {
    const pred = Tensor.from(g, new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
    await assertRejects(topo.apply(t, pred, [target(216)]), Error, /the prediction must be \[B, 1, S, S, S\] or \[B, S, S, S\]/);
    pred.release();
  }
  t.release();
  const d = persistence(new Float32Array([1, 0, 1]), [1, 1, 3]);
  assert.throws(() => diagramLoss(d, d, { dims: [0, 0], q: 2, totalPersistence: 0 }), /dims must be distinct/);
  assert.throws(() => diagramLoss(d, d, { dims: [0], q: 2, totalPersistence: -1 }), /totalPersistence must be a finite number/);
  // the defaults are TopoLoss's: dims [2], q = 2, μ = 0
  // (a hollow 3³ shell against a solid cube: one void (1, 0) to the diagonal, ((1 − 0)/2)² = 0.25)
  const shell = new Float32Array(27).fill(1);
  shell[13] = 0;
  const [p2, t2] = [persistence(shell, [3, 3, 3]), persistence(new Float32Array(27).fill(1), [3, 3, 3])];
  assert.is(diagramLoss(p2, t2).value, 0.25);
  assert.equal(diagramLoss(p2, t2), diagramLoss(p2, t2, { dims: [2], q: 2, totalPersistence: 0 }));
  assert.throws(() => diagramLoss({} as Diagrams, d, { dims: [0], q: 2, totalPersistence: 0 }), /the prediction is not a Diagrams object/);
  // a dimension the diagrams were not computed in read as empty: a wrong loss, no error (found by a review)
  const only0 = persistence(new Float32Array([1, 0, 1]), [1, 1, 3], { dims: [0] });
  assert.throws(() => diagramLoss(only0, d, { dims: [1, 2], q: 2, totalPersistence: 0 }), /the prediction's diagrams hold dimensions \[0\], not 1, 2/);
  assert.throws(() => diagramLoss(d, only0, { dims: [2], q: 2, totalPersistence: 0 }), /the target's diagrams hold dimensions \[0\], not 2/);
  assert.is(diagramLoss(only0, d, { dims: [0], q: 2, totalPersistence: 0 }).value, 0);
  // diagrams built by hand (no `computed`) are taken as they are
  assert.is(diagramLoss({ dims: [[], [], []] }, { dims: [[], [], []] }, { dims: [2], q: 2, totalPersistence: 0 }).value, 0);
});

test.run();
