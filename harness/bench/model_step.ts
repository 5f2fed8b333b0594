// Times the SHAPR network on this machine's adapter: forward (inference, no tape) and a full training step
// (forward + Dice/BCE + backward + Adam), median of a few runs after warm-up (the first runs pay the
// pipelines' compiles). Usage: tsx harness/bench/model_step.ts [--side 64] [--filters 10] [--batch 1] [--runs 3]
import { getGpu } from '../../src/gpu/device.ts';
import { dispatchCount, sync } from '../../src/gpu/kernel.ts';
import { supervisedLoss } from '../../src/loss/supervised.ts';
import { Shapr } from '../../src/model/shapr.ts';
import { shaprSummary } from '../../src/model/shapr_layout.ts';
import { full } from '../../src/ops/elementwise.ts';
import { Adam } from '../../src/optim/adam.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { Rng } from '../../src/util/rng.ts';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const side = arg('side', 64);
const filters = arg('filters', 10);
const batch = arg('batch', 1);
const runs = arg('runs', 3);

const g = await getGpu();
const model = new Shapr(g, { side, filters }, 1);
const rng = new Rng(2);
const input = Tensor.from(g, Float32Array.from({ length: batch * 2 * side * side }, () => rng.next()), [batch, 2, 1, side, side]);
const target = Tensor.from(g, Float32Array.from({ length: batch * side ** 3 }, () => (rng.next() < 0.3 ? 1 : 0)), [batch, 1, side, side, side]);
const adam = new Adam(model.params);

async function forward(): Promise<void> {
  const t = new Tape(g);
  t.recording = false;
  model.forward(t, input, false);
  await sync(g);
  t.release();
}

async function step(): Promise<void> {
  const t = new Tape(g);
  const loss = supervisedLoss(t, model.forward(t, input, true), target).loss;
  adam.zeroGrad();
  t.backward(loss, t.own(full(g, [1], 1)));
  adam.step();
  await sync(g);
  t.release();
}

async function time(fn: () => Promise<void>): Promise<{ median: number; first: number; dispatches: number }> {
  const d0 = dispatchCount(g);
  let t0 = performance.now();
  await fn();
  const first = performance.now() - t0;
  const dispatches = dispatchCount(g) - d0;
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], first, dispatches };
}

const gflop = shaprSummary({ side, filters }, batch).reduce((s, r) => s + r.flops, 0) / 1e9;
const f = await time(forward);
const s = await time(step);
console.log(`${g.adapterName}: SHAPR side ${side}, filters ${filters}, batch ${batch} (${gflop.toFixed(2)} GFLOP forward)`);
console.log(`forward:       ${f.median.toFixed(0)} ms median of ${runs} (first ${f.first.toFixed(0)} ms), ${f.dispatches} dispatches, ${(gflop / (f.median / 1e3)).toFixed(2)} GFLOP/s`);
console.log(`training step: ${s.median.toFixed(0)} ms median of ${runs} (first ${s.first.toFixed(0)} ms), ${s.dispatches} dispatches`);
process.exit(0);
