// SHAPR forward and training step: the default network (side 64, 10 filters) at batch 1, 3 and 6.
//   forward: inference (BatchNorm running statistics, nothing recorded), then a wait for the GPU;
//   step: forward in training mode + (2·Dice + BCE)/2 + backward + Adam, as src/train/trainer.ts runBatch does.
// One JSON row per batch (median_ms / spread_ms are the step's; forward_* the forward's).
// Usage: npx tsx harness/bench/shapr_step.ts [--side 64] [--filters 10] [--batch 1,3,6] [--repeats 3] [--warmup 1] [--quick]
import { pathToFileURL } from 'node:url';
import { type Gpu, getGpu } from '../../src/gpu/device.ts';
import { dispatchCount, sync } from '../../src/gpu/kernel.ts';
import { supervisedLoss } from '../../src/loss/supervised.ts';
import { Shapr } from '../../src/model/shapr.ts';
import { full } from '../../src/ops/elementwise.ts';
import { Adam } from '../../src/optim/adam.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { Rng } from '../../src/util/rng.ts';
import { argNumbers, argValue, emit, memory, round, type Row, timeRuns, timingFields } from './common.ts';

export interface ShaprStepOptions {
  side: number; // 64 in SHAPR
  filters: number; // 10 in SHAPR
  batches: number[]; // 1, 3, 6
  repeats: number;
  warmup: number;
}

/** One training step without the topological term, as src/train/trainer.ts runBatch takes it, then a wait for the GPU. */
export async function supervisedStep(g: Gpu, model: Shapr, adam: Adam, input: Tensor, target: Tensor): Promise<void> {
  const t = new Tape(g);
  const loss = supervisedLoss(t, model.forward(t, input, true), target).loss;
  adam.zeroGrad();
  t.backward(loss, t.own(full(g, [1], 1)));
  adam.step();
  await sync(g);
  t.release();
}

/** Times forward and training step at each batch size; one row per batch, each passed to onRow as it is done. */
export async function benchShaprStep(g: Gpu, o: ShaprStepOptions, onRow: (r: Row) => void = () => {}): Promise<Row[]> {
  const model = new Shapr(g, { side: o.side, filters: o.filters }, 1);
  const adam = new Adam(model.params);
  const rows: Row[] = [];
  const s = o.side;
  for (const batch of o.batches) {
    memory.reset();
    const rng = new Rng(2 + batch);
    // NOTE: a disc mask and a noisy image inside it, like a real input; the targets are 30 % ones.
    const mask = Float32Array.from({ length: s * s }, (_, i) => (Math.hypot((i % s) - s / 2, Math.floor(i / s) - s / 2) < s / 3 ? 1 : 0));
    const inputData = new Float32Array(batch * 2 * s * s);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < s * s; i++) {
        inputData[(2 * b) * s * s + i] = mask[i];
        inputData[(2 * b + 1) * s * s + i] = mask[i] * rng.next();
      }
    }
    const input = Tensor.from(g, inputData, [batch, 2, 1, s, s]);
    const target = Tensor.from(g, Float32Array.from({ length: batch * s ** 3 }, () => (rng.next() < 0.3 ? 1 : 0)), [batch, 1, s, s, s]);

    const forward = async () => {
      const t = new Tape(g);
      t.recording = false;
      model.forward(t, input, false);
      await sync(g);
      t.release();
    };
    let dispatches = 0;
    const step = async () => {
      const d0 = dispatchCount(g);
      await supervisedStep(g, model, adam, input, target);
      dispatches = dispatchCount(g) - d0;
    };
    const f = await timeRuns(forward, { warmup: o.warmup, repeats: o.repeats });
    const st = await timeRuns(step, { warmup: o.warmup, repeats: o.repeats });
    rows.push({
      bench: 'shapr-step', impl: 'webgpu', adapter: g.adapterName, side: s, filters: o.filters, batch,
      ...timingFields(st),
      forward_ms: round(f.median_ms), forward_spread_ms: round(f.spread_ms),
      samples_per_s: round((1000 * batch) / st.median_ms), dispatches, ...memory.fields(),
    });
    onRow(rows[rows.length - 1]);
    input.release();
    target.release();
  }
  model.dispose();
  return rows;
}

/** Options from argv; --quick: side 16, batch 1 and 2, one timed run. */
export function shaprStepOptions(argv: readonly string[]): ShaprStepOptions {
  const quick = argv.includes('--quick');
  return {
    side: Number(argValue(argv, 'side', quick ? '16' : '64')),
    filters: Number(argValue(argv, 'filters', '10')),
    batches: argNumbers(argv, 'batch', quick ? [1, 2] : [1, 3, 6]),
    repeats: Number(argValue(argv, 'repeats', quick ? '1' : '3')),
    warmup: Number(argValue(argv, 'warmup', '1')),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const g = await getGpu();
  await benchShaprStep(g, shaprStepOptions(process.argv.slice(2)), emit);
}
