// A Tensor is a GPU buffer of f32 plus a shape. It knows the tape node that produced it (if any),
// so backward() can walk from a loss to the parameters.
import type { Gpu } from '../gpu/device.ts';
import { allocBuffer, readBuffer, readBuffers, releaseBuffer, upload } from '../gpu/buffers.ts';
import type { Node } from './tape.ts';

export type Shape = readonly number[];

/** Throws unless every dimension is a non-negative integer (else a WebGPU validation error, later). */
function checkShape(shape: Shape): void {
  if (!shape.every((n) => Number.isInteger(n) && n >= 0)) throw new Error(`tensor shape [${shape}] must be non-negative integers`);
}

function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class Tensor {
  grad: Tensor | null = null;
  node: Node | null = null; // the op that produced it, while recorded on a tape
  released = false;
  isView = false; // shares another tensor's buffer (reshape): never frees it
  private base: Tensor | null = null; // the tensor a view shares its buffer with
  constructor(
    readonly gpu: Gpu,
    private readonly buf: GPUBuffer,
    readonly shape: Shape,
    public requiresGrad = false,
  ) {
    checkShape(shape);
  }

  /** The GPU buffer. NOTE: a released tensor's buffer may already hold another tensor's data. */
  get buffer(): GPUBuffer {
    if (this.released || this.base?.released) throw new Error(`use of a released tensor [${this.shape}]`);
    return this.buf;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  /** An uninitialised tensor from the buffer pool. */
  static empty(gpu: Gpu, shape: Shape, requiresGrad = false): Tensor {
    checkShape(shape); // before the allocation
    return new Tensor(gpu, allocBuffer(gpu, sizeOf(shape) * 4), shape, requiresGrad);
  }

  static from(gpu: Gpu, data: Float32Array, shape: Shape, requiresGrad = false): Tensor {
    // NOTE: upload() copies bytes: a Float64Array's would be read as float32 pairs
    if (!(data instanceof Float32Array)) throw new TypeError(`Tensor.from: data must be a Float32Array, got ${(data as unknown as object)?.constructor?.name ?? typeof data}`);
    checkShape(shape);
    if (data.length !== sizeOf(shape)) throw new Error(`data of length ${data.length} does not fit shape [${shape}]`);
    return new Tensor(gpu, upload(gpu, data), shape, requiresGrad);
  }

  async read(): Promise<Float32Array> {
    if (this.released) throw new Error('read of a released tensor');
    return readBuffer(this.gpu, this.buffer, this.size);
  }

  /** Several tensors of one device read back in one submission (see readBuffers). */
  static async readAll(ts: readonly Tensor[]): Promise<Float32Array[]> {
    if (!ts.length) return [];
    if (ts.some((t) => t.released)) throw new Error('read of a released tensor');
    if (ts.some((t) => t.gpu !== ts[0].gpu)) throw new Error('readAll: tensors of different devices');
    return readBuffers(ts[0].gpu, ts.map((t) => ({ buf: t.buffer, count: t.size })));
  }

  /** Same buffer, new shape, not on any tape (use ops' reshape() inside a recorded computation). */
  view(shape: Shape): Tensor {
    if (sizeOf(shape) !== this.size) throw new Error(`cannot view [${this.shape}] as [${shape}]`);
    const t = new Tensor(this.gpu, this.buffer, shape); // (the constructor refuses negative dimensions)
    t.isView = true;
    t.base = this.base ?? this;
    return t;
  }

  /** Returns the buffer (and the gradient's) to the pool. */
  release(): void {
    if (this.released || this.isView) return;
    this.released = true;
    releaseBuffer(this.gpu, this.buf);
    this.grad?.release();
    this.grad = null;
  }
}
