// A Tensor is a GPU buffer of f32 plus a shape. It knows the tape node that produced it (if any),
// so backward() can walk from a loss to the parameters.
import type { Gpu } from '../gpu/device.ts';
import { allocBuffer, readBuffer, releaseBuffer, upload } from '../gpu/buffers.ts';
import type { Node } from './tape.ts';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class Tensor {
  grad: Tensor | null = null;
  node: Node | null = null; // the op that produced it, while recorded on a tape
  released = false;
  isView = false; // shares another tensor's buffer (reshape): never frees it
  constructor(
    readonly gpu: Gpu,
    readonly buffer: GPUBuffer,
    readonly shape: Shape,
    public requiresGrad = false,
  ) {}

  get size(): number {
    return sizeOf(this.shape);
  }

  /** An uninitialised tensor from the buffer pool. */
  static empty(gpu: Gpu, shape: Shape, requiresGrad = false): Tensor {
    return new Tensor(gpu, allocBuffer(gpu, sizeOf(shape) * 4), shape, requiresGrad);
  }

  static from(gpu: Gpu, data: Float32Array, shape: Shape, requiresGrad = false): Tensor {
    if (data.length !== sizeOf(shape)) throw new Error(`data of length ${data.length} does not fit shape [${shape}]`);
    return new Tensor(gpu, upload(gpu, data), shape, requiresGrad);
  }

  async read(): Promise<Float32Array> {
    if (this.released) throw new Error('read of a released tensor');
    return readBuffer(this.gpu, this.buffer, this.size);
  }

  /** Same buffer, new shape, not on any tape (use ops' reshape() inside a recorded computation). */
  view(shape: Shape): Tensor {
    if (sizeOf(shape) !== this.size) throw new Error(`cannot view [${this.shape}] as [${shape}]`);
    const t = new Tensor(this.gpu, this.buffer, shape);
    t.isView = true;
    return t;
  }

  /** Returns the buffer (and the gradient's) to the pool. */
  release(): void {
    if (this.released || this.isView) return;
    this.released = true;
    releaseBuffer(this.gpu, this.buffer);
    this.grad?.release();
    this.grad = null;
  }
}
