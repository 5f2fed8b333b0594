// npm run doctor: which WebGPU adapter this machine gives us, its limits and features, and a smoke
// dispatch. Exit code 1 (with the remedy) when no adapter can be had.
import { getGpu, GpuError } from '../src/gpu/device.ts';
import { requestedAdapter } from '../src/gpu/device_node.ts';
import { sumAll } from '../src/ops/reduce.ts';
import { Tensor } from '../src/tape/tensor.ts';
import { exitWhenFlushed } from './exit.ts';

try {
  const t0 = performance.now();
  const g = await getGpu();
  const acquireMs = performance.now() - t0;
  const n = 1 << 20;
  const x = Tensor.from(g, new Float32Array(n).fill(1), [n]);
  const t1 = performance.now();
  const s = (await sumAll(g, x).read())[0];
  const smokeMs = performance.now() - t1;
  const report = {
    adapter: g.adapterName,
    requested: requestedAdapter(),
    cpuAdapter: g.isCpu,
    vkIcdFilenames: process.env.VK_ICD_FILENAMES ?? null,
    limits: g.limits,
    adapterFeatures: g.features,
    acquireMs: Math.round(acquireMs),
    smoke: { op: 'sum of 2^20 ones', result: s, ok: s === n, ms: Math.round(smokeMs) },
  };
  console.log(JSON.stringify(report, null, 2));
  exitWhenFlushed(s === n ? 0 : 1);
} catch (e) {
  console.error(`doctor: ${e instanceof GpuError ? e.message : (e as Error).stack}`);
  exitWhenFlushed(1);
}
