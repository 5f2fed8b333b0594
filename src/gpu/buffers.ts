// GPU buffer pool and typed-array transfers. A training step re-uses the same sizes every time, so
// released buffers are kept by byte size and handed out again instead of allocating.
import { type Gpu, checkGpu } from './device.ts';
import { checkCompiles, flush } from './kernel.ts';

const pools = new WeakMap<Gpu, Map<number, GPUBuffer[]>>();
const stats = { created: 0, reused: 0, bytesLive: 0 };

function poolOf(g: Gpu): Map<number, GPUBuffer[]> {
  let p = pools.get(g);
  if (!p) pools.set(g, (p = new Map()));
  return p;
}

/** A storage buffer of at least `bytes` (rounded up to 16), from the pool when one is free. Contents undefined. */
export function allocBuffer(g: Gpu, bytes: number): GPUBuffer {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (size > g.limits.maxStorageBufferBindingSize) {
    throw new Error(`buffer of ${size} bytes exceeds this adapter's maxStorageBufferBindingSize (${g.limits.maxStorageBufferBindingSize})`);
  }
  const free = poolOf(g).get(size);
  if (free?.length) {
    stats.reused++;
    return free.pop()!;
  }
  stats.created++;
  stats.bytesLive += size;
  // NOTE: GPUBufferUsage is a global that dawn.node installs at device creation, so read it here, not at import.
  return g.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
}

/** Returns a buffer to the pool. The caller must not use it again. */
export function releaseBuffer(g: Gpu, buf: GPUBuffer): void {
  const list = poolOf(g).get(buf.size);
  if (list) list.push(buf);
  else poolOf(g).set(buf.size, [buf]);
}

/**
 * Fills every free buffer of the pool with NaN. Tests call it so that a kernel that leaves part of its
 * output unwritten shows up: a reused buffer often still holds the right numbers from an earlier run.
 */
export function scribblePool(g: Gpu): void {
  for (const list of poolOf(g).values()) {
    for (const buf of list) g.device.queue.writeBuffer(buf, 0, new Float32Array(buf.size / 4).fill(NaN));
  }
}

/** Counts memory that another pool of src/gpu/ allocated (flat textures), so poolStats covers all of it. */
export function countAllocation(bytes: number): void {
  stats.created++;
  stats.bytesLive += bytes;
}

/** What the pools have allocated: buffers, and the flat textures of src/gpu/textures.ts (never freed). */
export function poolStats(): Readonly<typeof stats> {
  return stats;
}

/** Uploads a typed array into a new (pooled) storage buffer. */
export function upload(g: Gpu, data: Float32Array | Uint32Array | Int32Array): GPUBuffer {
  const buf = allocBuffer(g, data.byteLength);
  writeBuffer(g, buf, data);
  return buf;
}

export function writeBuffer(g: Gpu, buf: GPUBuffer, data: Float32Array | Uint32Array | Int32Array, offsetBytes = 0): void {
  // NOTE: queue writes land before the next submit; flush first so earlier recorded dispatches see old data.
  flush(g);
  g.device.queue.writeBuffer(buf, offsetBytes, data.buffer, data.byteOffset, data.byteLength);
}

// Map-read staging buffers, kept for re-use: a training step reads back the same sizes every time.
const stagingPool = new WeakMap<Gpu, GPUBuffer[]>();

function takeStaging(g: Gpu, size: number): GPUBuffer {
  let list = stagingPool.get(g);
  if (!list) stagingPool.set(g, (list = []));
  const i = list.findIndex((b) => b.size === size);
  if (i >= 0) return list.splice(i, 1)[0];
  if (list.length > 32) list.shift()!.destroy();
  return g.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
}

/** Reads `count` elements of a buffer back (flushing recorded work first). */
export async function readBuffer<T extends Float32Array | Uint32Array | Int32Array>(
  g: Gpu, buf: GPUBuffer, count: number, ctor: { new (b: ArrayBuffer): T } = Float32Array as never,
): Promise<T> {
  const bytes = count * 4;
  const staging = takeStaging(g, Math.max(16, Math.ceil(bytes / 16) * 16));
  flush(g, (enc) => enc.copyBufferToBuffer(buf, 0, staging, 0, bytes));
  return mapped(g, staging, bytes, ctor);
}

/**
 * Reads the first `count` float32 values of several buffers back in one submission and one mapping.
 * NOTE: a read each cost a submission and a map round trip: three per training step for its loss parts,
 * and one per tensor (hundreds) for a checkpoint.
 */
export async function readBuffers(g: Gpu, parts: ReadonlyArray<{ buf: GPUBuffer; count: number }>): Promise<Float32Array[]> {
  const offsets: number[] = [];
  let total = 0;
  for (const p of parts) {
    offsets.push(total);
    total += p.count * 4;
  }
  // NOTE: beyond one buffer's size limit, one read each
  if (total > (g.limits.maxBufferSize ?? 2 ** 28)) {
    const out: Float32Array[] = [];
    for (const p of parts) out.push(await readBuffer(g, p.buf, p.count));
    return out;
  }
  const staging = takeStaging(g, Math.max(16, Math.ceil(total / 16) * 16));
  flush(g, (enc) => parts.forEach((p, k) => p.count && enc.copyBufferToBuffer(p.buf, 0, staging, offsets[k], p.count * 4)));
  const all = await mapped(g, staging, total, Float32Array);
  return parts.map((p, k) => all.slice(offsets[k] / 4, offsets[k] / 4 + p.count));
}

/** Maps a staging buffer whose copies are submitted and returns its first `bytes` as a typed array. */
async function mapped<T extends Float32Array | Uint32Array | Int32Array>(g: Gpu, staging: GPUBuffer, bytes: number, ctor: { new (b: ArrayBuffer): T }): Promise<T> {
  await checkCompiles(g);
  try {
    await staging.mapAsync(GPUMapMode.READ);
  } catch (e) {
    checkGpu(g);
    throw e;
  }
  checkGpu(g);
  const out = new ctor(staging.getMappedRange().slice(0, bytes));
  staging.unmap();
  stagingPool.get(g)!.push(staging);
  return out;
}
