// Elementwise ops on the tape: add, mul, scale, relu, sigmoid (+ backward), and the fills and
// in-place sums the tape and optimiser use. Kernels: shaders/ops/elementwise.wgsl.
import type { Gpu } from '../gpu/device.ts';
import { dispatch, grid1d, type Binding } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { type Tape, setGradOps } from '../tape/tape.ts';
import { Tensor, type Shape } from '../tape/tensor.ts';

const WG = 256;

function run(g: Gpu, entry: string, n: number, alpha: number, bindings: Record<string, Binding>): void {
  dispatch(g, { shader: 'ops/elementwise', entry, constants: { WG } }, { params: packParams('uf', n, alpha), ...bindings }, grid1d(g, n, WG));
}

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size) throw new Error(`${op}: shapes [${a.shape}] and [${b.shape}] differ`);
}

function binary(entry: 'add' | 'mul', a: Tensor, b: Tensor, shape: Shape = a.shape): Tensor {
  sameShape(entry, a, b);
  const out = Tensor.empty(a.gpu, shape);
  run(a.gpu, entry, a.size, 0, { a: a.buffer, b: b.buffer, out: out.buffer });
  return out;
}

function unary(entry: string, a: Tensor, alpha = 0): Tensor {
  const out = Tensor.empty(a.gpu, a.shape);
  run(a.gpu, entry, a.size, alpha, { a: a.buffer, out: out.buffer });
  return out;
}

/** A tensor of `shape` filled with `value` (not recorded). */
export function full(gpu: Gpu, shape: Shape, value: number): Tensor {
  const out = Tensor.empty(gpu, shape);
  fillInPlace(out, value);
  return out;
}

/** Overwrites every element of t with value (not recorded). */
export function fillInPlace(t: Tensor, value: number): void {
  run(t.gpu, 'fill', t.size, value, { out: t.buffer });
}

export function zeros(gpu: Gpu, shape: Shape): Tensor {
  return full(gpu, shape, 0);
}

/** into += alpha * g, in place (not recorded). */
export function axpyInPlace(into: Tensor, g: Tensor, alpha = 1): void {
  sameShape('axpy', into, g);
  run(into.gpu, 'axpy', into.size, alpha, { a: g.buffer, out: into.buffer });
}

/** Public binary ops want equal shapes, as PyTorch without broadcasting (the gradient sums only need sizes). */
function sameDims(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((n, i) => n !== b.shape[i])) throw new Error(`${op}: shapes [${a.shape}] and [${b.shape}] differ`);
}

/** a + b (same shape). */
export function add(t: Tape, a: Tensor, b: Tensor): Tensor {
  sameDims('add', a, b);
  return t.record(binary('add', a, b), [a, b], (gy) => [gy, gy]);
}

/** a * b elementwise (same shape). */
export function mul(t: Tape, a: Tensor, b: Tensor): Tensor {
  sameDims('mul', a, b);
  return t.record(binary('mul', a, b), [a, b], (gy) => [
    a.requiresGrad ? binary('mul', gy, b, a.shape) : null,
    b.requiresGrad ? binary('mul', gy, a, b.shape) : null,
  ]);
}

/** alpha * a. */
export function scale(t: Tape, a: Tensor, alpha: number): Tensor {
  return t.record(unary('scale', a, alpha), [a], (gy) => [unary('scale', gy, alpha)]);
}

/** max(a, 0); gradient 0 at a <= 0. */
export function relu(t: Tape, a: Tensor): Tensor {
  return t.record(unary('relu', a), [a], (gy) => {
    const gx = Tensor.empty(a.gpu, a.shape);
    run(a.gpu, 'reluBackward', a.size, 0, { a: a.buffer, b: gy.buffer, out: gx.buffer });
    return [gx];
  });
}

/** 1 / (1 + e^-a); gradient y (1 - y). */
export function sigmoid(t: Tape, a: Tensor): Tensor {
  const y = unary('sigmoid', a);
  return t.record(y, [a], (gy) => {
    const gx = Tensor.empty(a.gpu, a.shape);
    run(a.gpu, 'sigmoidBackward', a.size, 0, { a: y.buffer, b: gy.buffer, out: gx.buffer });
    return [gx];
  });
}

/** Same data, new shape; the gradient is reshaped back. */
export function reshape(t: Tape, a: Tensor, shape: Shape): Tensor {
  return t.record(a.view(shape), [a], (gy) => [gy.view(a.shape)]);
}

setGradOps({
  addInPlace: (into, g) => axpyInPlace(into, g, 1),
  add: (a, b) => binary('add', a, b),
  zeros,
});
