// The whole network against PyTorch: test/fixtures/shapr_torch_small.json comes from
// harness/fixtures/shapr_torch.py (PyTorch 1.13, torch.nn.functional layers), side 8, filters 1, batch 2.
// Weights, input and target follow the closed formulas of that script, reproduced here.
import { test } from 'uvu';
import { readFileSync } from 'node:fs';
import { writeBuffer } from '../../src/gpu/buffers.ts';
import { supervisedLoss } from '../../src/loss/supervised.ts';
import { Shapr } from '../../src/model/shapr.ts';
import { full } from '../../src/ops/elementwise.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { assertClose, gpu } from '../helpers.ts';

interface Fixture {
  config: { side: number; filters: number };
  batch: number;
  output: number[];
  outputEval: number[];
  losses: { dice: number; bce: number; supervised: number };
  grads: Record<string, number[]>;
  running: Record<string, number[]>;
}
const fx: Fixture = JSON.parse(readFileSync(new URL('../fixtures/shapr_torch_small.json', import.meta.url), 'utf8'));

/** The script's closed-form values of the j-th named tensor. */
function formula(name: string, shape: readonly number[], j: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (name.endsWith('running_mean')) v[i] = 0;
    else if (name.endsWith('running_var')) v[i] = 1;
    else if (name.includes('.bn') && name.endsWith('.weight')) v[i] = 1 + 0.2 * Math.sin(0.9 * i + j);
    else if (name.includes('.bn') && name.endsWith('.bias')) v[i] = 0.1 * Math.cos(1.1 * i + j);
    else if (name.endsWith('.bias')) v[i] = 0.3 * Math.sin(0.7 * i + 1.3 * j + 0.5);
    else v[i] = Math.sin(0.7 * i + 1.3 * j + 0.5) / Math.sqrt(shape[1] * shape.slice(2).reduce((a, b) => a * b, 1));
  }
  return v;
}

test('forward (train and eval), Dice/BCE/supervised, gradients and running stats equal PyTorch', async () => {
  const g = await gpu();
  const { side } = fx.config;
  const m = new Shapr(g, fx.config, 0);
  m.named().forEach((n, j) => writeBuffer(g, n.tensor.buffer, formula(n.name, n.tensor.shape, j)));
  const x = Tensor.from(g, Float32Array.from({ length: fx.batch * 2 * side * side }, (_, i) => 0.5 + 0.5 * Math.sin(0.37 * i)), [fx.batch, 2, 1, side, side]);
  const target = Tensor.from(g, Float32Array.from({ length: fx.batch * side ** 3 }, (_, i) => (Math.sin(0.23 * i) > 0.2 ? 1 : 0)), [fx.batch, 1, side, side, side]);
  const t = new Tape(g);
  const y = m.forward(t, x, true);
  assertClose(await y.read(), fx.output, 1e-4, 1e-6, 'train output');
  const s = supervisedLoss(t, y, target);
  assertClose(await s.dice.read(), [fx.losses.dice], 1e-5, 1e-7, 'dice');
  assertClose(await s.bce.read(), [fx.losses.bce], 1e-5, 1e-7, 'bce');
  assertClose(await s.loss.read(), [fx.losses.supervised], 1e-5, 1e-7, 'supervised');
  t.backward(s.loss, t.own(full(g, [1], 1)));
  const named = new Map(m.named().map((n) => [n.name, n.tensor]));
  for (const [name, want] of Object.entries(fx.grads)) {
    const scaleOf = Math.max(...want.map(Math.abs));
    assertClose(await named.get(name)!.grad!.read(), want, 1e-3, 1e-4 * scaleOf, `grad ${name}`);
  }
  for (const [name, want] of Object.entries(fx.running)) assertClose(await named.get(name)!.read(), want, 1e-5, 1e-6, name);
  t.release();
  const te = new Tape(g);
  te.recording = false;
  assertClose(await m.forward(te, x, false).read(), fx.outputEval, 1e-4, 1e-6, 'eval output');
  te.release();
  [x, target].forEach((v) => v.release());
  m.dispose();
});

test.run();
