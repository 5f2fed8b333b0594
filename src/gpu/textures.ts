// Textures as a second way for kernels to read data. On CPU drivers (lavapipe) a textureLoad is a
// vectorised gather across the SIMD lanes, while a storage-buffer load runs lane by lane, so the hot
// loops of the convolutions read their inputs from textures (1.0–2× less CPU per pass; harness/README.md).
// A flat texture holds a buffer's floats in order, 4 per rgba32float texel, FLAT_WIDTH texels per row:
// texel i sits at (i % FLAT_WIDTH, i / FLAT_WIDTH), which the WGSL computes as (i & 8191, i >> 13)
// (shaders/gpu/textures.wgsl, which the convolutions include; their tests over several texture rows fail if these disagree).
import type { Gpu } from './device.ts';
import { countAllocation } from './buffers.ts';
import { encode } from './kernel.ts';

export const FLAT_WIDTH = 8192; // texels per row; WebGPU guarantees 2D textures this wide

const pools = new WeakMap<Gpu, Map<string, GPUTexture[]>>();

function poolKey(rows: number, storage: boolean): string {
  return `${rows}:${storage ? 's' : 't'}`;
}

function poolOf(g: Gpu): Map<string, GPUTexture[]> {
  let p = pools.get(g);
  if (!p) pools.set(g, (p = new Map()));
  return p;
}

/**
 * A flat texture for at least `texels` texels, from the pool when one is free (contents undefined).
 * `storage`: kernels may also write it (textureStore), e.g. repacked weights.
 */
export function flatTexture(g: Gpu, texels: number, storage = false): GPUTexture {
  const rows = Math.max(1, Math.ceil(texels / FLAT_WIDTH));
  const maxRows = g.limits.maxTextureDimension2D ?? 8192;
  if (rows > maxRows) throw new Error(`flat texture of ${texels} texels needs ${rows} rows, over this adapter's maxTextureDimension2D (${maxRows})`);
  const free = poolOf(g).get(poolKey(rows, storage));
  if (free?.length) return free.pop()!;
  // NOTE: COPY_SRC lets tests and debugging read a flat texture back
  const usage = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC | (storage ? GPUTextureUsage.STORAGE_BINDING : 0);
  countAllocation(FLAT_WIDTH * rows * 16);
  return g.device.createTexture({ size: [FLAT_WIDTH, rows], format: 'rgba32float', usage, label: `flat ${rows} rows` });
}

/** Returns a flat texture to the pool; dispatches recorded before still read it (command order). */
export function releaseTexture(g: Gpu, t: GPUTexture): void {
  if (t === standIns.get(g)) return; // shared, never pooled
  const key = poolKey(t.height, (t.usage & GPUTextureUsage.STORAGE_BINDING) !== 0);
  const list = poolOf(g).get(key);
  if (list) list.push(t);
  else poolOf(g).set(key, [t]);
}

/** Records a copy of the first `floats` floats of `src` into flat texture `dst` (in order with dispatches). */
function copyToFlatTexture(g: Gpu, src: GPUBuffer, floats: number, dst: GPUTexture): void {
  const texels = Math.ceil(floats / 4);
  const full = Math.floor(texels / FLAT_WIDTH);
  const rest = texels - full * FLAT_WIDTH;
  const bytesPerRow = FLAT_WIDTH * 16;
  encode(g, (enc) => {
    if (full > 0) enc.copyBufferToTexture({ buffer: src, bytesPerRow }, { texture: dst }, [FLAT_WIDTH, full]);
    // NOTE: buffers are allocated in multiples of 16 bytes, so a partial last texel is still inside src
    if (rest > 0) enc.copyBufferToTexture({ buffer: src, offset: full * bytesPerRow, bytesPerRow }, { texture: dst, origin: [0, full] }, [rest, 1]);
  });
}

const standIns = new WeakMap<Gpu, GPUTexture>();

/**
 * A flat texture holding a copy of `src`'s first `floats` floats (release it after the last dispatch
 * reading it). `read` = false gives a shared 1×1 stand-in instead, with no copy: for kernels whose unaligned
 * path reads the buffer element by element but whose texture binding must still be filled.
 */
export function flatCopy(g: Gpu, src: GPUBuffer, floats: number, read = true): GPUTexture {
  if (!read) {
    let t = standIns.get(g);
    if (!t) {
      t = g.device.createTexture({ size: [1, 1], format: 'rgba32float', usage: GPUTextureUsage.TEXTURE_BINDING, label: 'flat stand-in' });
      standIns.set(g, t);
    }
    return t;
  }
  const t = flatTexture(g, Math.ceil(floats / 4));
  copyToFlatTexture(g, src, floats, t);
  return t;
}

/** A 2D rgba32float texture (`width` × `height` texels) holding `data`; not pooled: the caller destroys it. */
export function vec4Texture(g: Gpu, width: number, height: number, data: Float32Array): GPUTexture {
  if (data.length !== width * height * 4) throw new Error(`vec4Texture: ${data.length} floats for ${width}×${height} texels`);
  const texture = g.device.createTexture({ size: [width, height], format: 'rgba32float', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
  g.device.queue.writeTexture({ texture }, data.buffer, { offset: data.byteOffset, bytesPerRow: width * 16, rowsPerImage: height }, [width, height]);
  return texture;
}
