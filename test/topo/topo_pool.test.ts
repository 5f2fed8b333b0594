import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { full } from '../../src/ops/elementwise.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { persistence, persistenceBatch, type PersistenceOptions } from '../../src/topo/persistence.ts';
import { inThread, runTopoJob, type TopoJob, type TopoJobOptions } from '../../src/topo/topo_job.ts';
import { TopoLoss } from '../../src/topo/topo_loss.ts';
import { TopoPool } from '../../src/topo/topo_pool.ts';
import { Rng } from '../../src/util/rng.ts';
import { assertRejects, gpu } from '../helpers.ts';

const OPTS: TopoJobOptions = { construction: 'T', dims: [0, 1, 2], q: 2, totalPersistence: 0.1 };
const PH: PersistenceOptions = { construction: 'T', dims: [0, 1, 2] }; // OPTS's persistence options

/** Quantised noise (ties, plateaus) of an odd shape. */
function noise(shape: [number, number, number], seed: number, levels = 7): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => Math.round(r.next() * levels) / levels);
}

/** A job's result without its timings, which differ run to run. */
const numbers = (r: { diagrams: unknown; loss: unknown }) => ({ diagrams: r.diagrams, loss: r.loss });

test('topo pool: the worker threads give the in-thread results, in job order, for more jobs than threads', async () => {
  const shape: [number, number, number] = [7, 5, 9];
  const target = persistence(noise(shape, 1), shape, PH);
  const jobs: TopoJob[] = [];
  for (let k = 0; k < 5; k++) {
    jobs.push({ kind: 'loss', pred: noise(shape, 10 + k), shape, target, opts: OPTS });
    jobs.push({ kind: 'diagrams', volume: noise(shape, 20 + k, 3), shape, opts: { ...PH, construction: 'V' } });
  }
  // the GPU engine's jobs carry diagrams instead of a volume
  jobs.push({ kind: 'loss', pred: persistence(noise(shape, 30), shape, PH), shape, target, opts: { ...OPTS, q: Infinity } });
  const pool = new TopoPool(2);
  try {
    const got = await pool.run(jobs);
    const want = jobs.map(runTopoJob);
    assert.equal(got.length, jobs.length);
    got.forEach((r, i) => assert.equal(numbers(r), numbers(want[i]), `job ${i} (${jobs[i].kind})`));
    assert.ok(want.every((r) => (r.loss ? r.loss.grad.index.length > 0 && r.loss.value > 0 : r.diagrams!.dims[1].length > 0)), 'something to compare');
  } finally {
    await pool.close();
  }
});

test('topo pool: persistence of a batch equals persistenceBatch (both constructions, chosen dimensions, every option)', async () => {
  const shape: [number, number, number] = [6, 9, 4];
  const volumes = [1, 2, 3].map((k) => noise(shape, 50 + k, 5));
  const pool = new TopoPool(2);
  try {
    assert.equal(await pool.persistence(volumes, shape), persistenceBatch(volumes, shape));
    assert.equal(await pool.persistence(volumes, shape, { construction: 'V', dims: [1] }), persistenceBatch(volumes, shape, { construction: 'V', dims: [1] }));
    // every option persistence() takes: keepZero and dim1Method were dropped on the way to the threads
    for (const opts of [{ keepZero: true }, { dim1Method: 'homology' as const, dims: [1] }, { keepZero: true, construction: 'V' as const, dims: [0, 2] }]) {
      const want = persistenceBatch(volumes, shape, opts);
      assert.equal(await pool.persistence(volumes, shape, opts), want, JSON.stringify(opts));
    }
    assert.ok(persistenceBatch(volumes, shape, { keepZero: true })[0].dims[0].length > persistenceBatch(volumes, shape)[0].dims[0].length, 'keepZero keeps more pairs');
  } finally {
    await pool.close();
  }
});

test('topo pool: a failing job rejects with its message, the pool goes on; closed pools refuse work', async () => {
  const pool = new TopoPool(1);
  const shape: [number, number, number] = [3, 3, 3];
  const bad: TopoJob = { kind: 'diagrams', volume: new Float32Array(5), shape, opts: PH };
  await assertRejects(pool.run([bad]), Error, /volume has 5 values, shape \[3, 3, 3\] needs 27/);
  // the error keeps its class across the thread (a TypeError was an Error with its message)
  const badOption = { ...PH, keepZero: 'yes' } as unknown as PersistenceOptions;
  const e = await pool.run([{ kind: 'diagrams', volume: noise(shape, 3), shape, opts: badOption }]).catch((x: unknown) => x);
  assert.ok(e instanceof TypeError && /keepZero must be true or false/.test(e.message), String(e));
  const ok = await pool.run([{ kind: 'diagrams', volume: noise(shape, 3), shape, opts: PH }]);
  assert.equal(ok[0].diagrams, persistence(noise(shape, 3), shape, PH));
  await pool.close();
  await assertRejects(pool.run([bad]), Error, /closed/);
  assert.throws(() => new TopoPool(0), /positive integer/);
});

test('topo loss on a pool: the same loss and gradient as in the main thread', async () => {
  const g = await gpu();
  const side = 10;
  const batch = 3;
  const per = side ** 3;
  const x = noise([batch * side, side, side], 5, 9);
  const targets = [0, 1, 2].map((b) => ({ key: `t${b}`, volume: noise([side, side, side], 40 + b, 1) }));
  const run = async (pool: TopoPool | null) => {
    const topo = new TopoLoss({ size: 6, dims: [0, 1, 2] }, pool ?? inThread);
    const t = new Tape(g);
    const pred = Tensor.from(g, x, [batch, 1, side, side, side], true);
    const r = await topo.apply(t, pred, targets);
    t.backward(r.loss, full(g, [1], 1));
    const out = { value: r.value, perDim: r.perDim, grad: Array.from(await pred.grad!.read()) };
    t.release();
    return out;
  };
  const pool = new TopoPool(2);
  try {
    const want = await run(null);
    assert.ok(want.value > 0 && want.grad.some((v) => v !== 0), 'a loss to compare');
    assert.equal(await run(pool), want);
    assert.equal(per * batch, want.grad.length);
  } finally {
    await pool.close();
  }
});

test.run();
