// Register-blocked matmul benchmark: the best plain f32 matmul rate this adapter reaches, the yardstick
// for the convolution kernels (harness/bench/conv.ts). Prints one JSON object per line.
// Usage: npx tsx harness/bench/matmul.ts [size=512] [reps=5]
import { pathToFileURL } from 'node:url';
import { type Gpu, getGpu } from '../../src/gpu/device.ts';
import { allocBuffer, releaseBuffer, writeBuffer } from '../../src/gpu/buffers.ts';
import { dispatch, flush, sync } from '../../src/gpu/kernel.ts';
import { packParams } from '../../src/gpu/params.ts';
import { spread } from './common.ts';

export interface MatmulResult { bench: 'matmul'; variant: string; size: number; ms: number; median_ms: number; spread_ms: number; gflops: number; cpuMs: number; gflopsPerCore: number; adapter: string }

export interface Timing { ms: number; spreadMs: number; cpuMs: number }

/**
 * Median wall time of `reps` timed runs of `run` (each followed by flush + sync), after one warm-up run,
 * and the median process CPU time (user + system, all threads) of the same runs.
 * NOTE: CPU drivers run the kernels on this process' threads, so CPU time is a rate measure that other
 * processes on a shared machine disturb much less than wall time.
 */
export async function timeMedian(g: Gpu, run: () => void, reps: number): Promise<Timing> {
  run();
  await sync(g);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    flush(g);
    await sync(g);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { ms: median(wall), spreadMs: spread(wall), cpuMs: median(cpu) };
}

/** Times C = A·B for n×n matrices with each kernel variant; returns one result per variant. */
export async function benchMatmul(g: Gpu, n = 512, reps = 5): Promise<MatmulResult[]> {
  const a = allocBuffer(g, n * n * 4);
  const b = allocBuffer(g, n * n * 4);
  const c = allocBuffer(g, n * n * 4);
  const data = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  writeBuffer(g, a, data);
  writeBuffer(g, b, data);
  const params = packParams('uuu', n, n, n);
  const variants: Array<[string, [number, number, number]]> = [
    ['blocked', [n / 8 / 8, n / 4 / 8, 1]],
    ['blockedRows', [n / 8, n / 4 / 8, 1]],
    ['blockedLoop', [n / 8 / 8, n / 4 / 8, 1]],
  ];
  const out: MatmulResult[] = [];
  for (const [entry, groups] of variants) {
    const t = await timeMedian(g, () => dispatch(g, { shader: 'bench/matmul', entry, constants: { WG_X: 8, WG_Y: 8 } }, { params, a, b, c }, groups), reps);
    const flops = 2 * n * n * n;
    out.push({
      bench: 'matmul', variant: entry, size: n, ms: +t.ms.toFixed(3), median_ms: +t.ms.toFixed(3), spread_ms: +t.spreadMs.toFixed(3), gflops: +(flops / t.ms / 1e6).toFixed(2),
      cpuMs: +t.cpuMs.toFixed(1), gflopsPerCore: +(flops / t.cpuMs / 1e6).toFixed(2), adapter: g.adapterName,
    });
  }
  for (const buf of [a, b, c]) releaseBuffer(g, buf);
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
