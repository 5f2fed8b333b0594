// Register-blocked matmul benchmark: the best plain f32 matmul rate this adapter reaches, the yardstick
// for the convolution kernels (harness/bench/conv.ts). Prints one JSON object per line.
// Usage: npx tsx harness/bench/matmul.ts [size=512] [reps=5]
import { pathToFileURL } from 'node:url';
import { type Gpu, getGpu } from '../../src/gpu/device.ts';
import { allocBuffer, releaseBuffer, upload } from '../../src/gpu/buffers.ts';
import { vec4Texture } from '../../src/gpu/textures.ts';
import { dispatch, flush, sync } from '../../src/gpu/kernel.ts';
import { packParams } from '../../src/gpu/params.ts';
import { timeRuns, type Timing } from './common.ts';

export interface MatmulResult { bench: 'matmul'; variant: string; size: number; ms: number; median_ms: number; spread_ms: number; gflops: number; cpuMs: number; gflopsPerCore: number; adapter: string }

/**
 * Median wall and CPU time of `reps` runs of `run`, each followed by flush + sync, after one warm-up run
 * (timeRuns). NOTE: CPU drivers run the kernels on this process' threads, so CPU time is a rate measure that
 * other processes on a shared machine disturb much less than wall time.
 */
export function timeGpu(g: Gpu, run: () => void, reps: number): Promise<Timing> {
  return timeRuns(async () => {
    run();
    flush(g);
    await sync(g);
  }, { warmup: 1, repeats: reps });
}

export const MATMUL_VARIANTS = ['blocked', 'blockedRows', 'textured', 'blockedLoop'] as const;
export type MatmulVariant = (typeof MATMUL_VARIANTS)[number];

/** A, B and C of C = A·B on the GPU: A [m, k] and B [k, n] as storage buffers and as textures. */
export interface MatmulOperands {
  m: number; n: number; k: number;
  a: GPUBuffer; b: GPUBuffer; c: GPUBuffer;
  aTex: GPUTexture; bTex: GPUTexture;
}

/** Uploads row-major A [m, k] and B [k, n] (m % 4 = k % 4 = 0, n % 8 = 0) and allocates C. */
export function matmulOperands(g: Gpu, m: number, n: number, k: number, a: Float32Array, b: Float32Array): MatmulOperands {
  if (m % 4 || k % 4 || n % 8) throw new Error(`matmul needs m % 4 = k % 4 = 0 and n % 8 = 0, got ${m}×${k}·${k}×${n}`);
  return {
    m, n, k, a: upload(g, a), b: upload(g, b), c: allocBuffer(g, m * n * 4),
    aTex: vec4Texture(g, k / 4, m, a), bTex: vec4Texture(g, n / 4, k, b),
  };
}

export function releaseMatmulOperands(g: Gpu, o: MatmulOperands): void {
  for (const buf of [o.a, o.b, o.c]) releaseBuffer(g, buf);
  o.aTex.destroy();
  o.bTex.destroy();
}

/** Records C = A·B with one kernel variant of shaders/bench/matmul.wgsl. */
export function matmul(g: Gpu, variant: MatmulVariant, o: MatmulOperands): void {
  const params = packParams('uuu', o.m, o.n, o.k);
  const rowGroups = Math.ceil(o.m / 4 / 8);
  const kernel = { shader: 'bench/matmul', entry: variant, constants: { WG_X: 8, WG_Y: 8 } };
  if (variant === 'textured') {
    dispatch(g, kernel, { params, c: o.c, aTex: o.aTex.createView(), bTex: o.bTex.createView() }, [Math.ceil(o.n / 8 / 8), rowGroups, 1]);
  } else {
    dispatch(g, kernel, { params, a: o.a, b: o.b, c: o.c }, [variant === 'blockedRows' ? o.n / 8 : Math.ceil(o.n / 8 / 8), rowGroups, 1]);
  }
}

/** Times C = A·B for n×n matrices with each kernel variant; returns one result per variant. */
export async function benchMatmul(g: Gpu, n = 512, reps = 5): Promise<MatmulResult[]> {
  const data = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const ops = matmulOperands(g, n, n, n, data, data);
  const out: MatmulResult[] = [];
  for (const variant of MATMUL_VARIANTS) {
    const t = await timeGpu(g, () => matmul(g, variant, ops), reps);
    const flops = 2 * n * n * n;
    out.push({
      bench: 'matmul', variant, size: n, ms: +t.median_ms.toFixed(3), median_ms: +t.median_ms.toFixed(3), spread_ms: +t.spread_ms.toFixed(3), gflops: +(flops / t.median_ms / 1e6).toFixed(2),
      cpuMs: +t.cpu_ms.toFixed(1), gflopsPerCore: +(flops / t.cpu_ms / 1e6).toFixed(2), adapter: g.adapterName,
    });
  }
  releaseMatmulOperands(g, ops);
  return out;
}

/**
 * The best matmul over the variants by GFLOP per CPU-second (the conv benchmark's yardstick; on a shared
 * machine wall time mostly measures the other jobs).
 */
export async function matmulPeak(g: Gpu, n = 512): Promise<MatmulResult> {
  const all = await benchMatmul(g, n);
  return all.reduce((best, r) => (r.gflopsPerCore > best.gflopsPerCore ? r : best));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const g = await getGpu();
  const n = Number(process.argv[2] ?? 512);
  for (const r of await benchMatmul(g, n, Number(process.argv[3] ?? 5))) console.log(JSON.stringify(r));
}
