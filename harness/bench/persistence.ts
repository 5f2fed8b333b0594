// Benchmark of the exact CPU persistence (all three dimensions) on seeded volumes: uniform noise (the worst
// case: tens of thousands of pairs) and Gaussian-smoothed noise (σ = 2 voxels, like a predicted likelihood).
// Prints one JSON object per line. Memory: peak resident-set growth of one call in a fresh process, per voxel.
// Usage: tsx harness/bench/persistence.ts [--sizes 16,32,64] [--construction T|V] [--dims 0,1,2] [--reps N]
//   [--dump DIR] [--gpu]   (--gpu: the WGSL union-find of src/topo/union_find.ts, dims 0 and 2 only)
//   --dump DIR writes each volume (NAME.f32) and its diagrams (NAME.json) for harness/bench/persistence_gudhi.py.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { persistence, type Construction, type Diagrams } from '../../src/topo/persistence.ts';
import { persistenceGpu } from '../../src/topo/union_find.ts';
import { getGpu } from '../../src/gpu/device.ts';
import { diagramsToJson } from '../../src/topo/diagrams.ts';
import { Rng } from '../../src/util/rng.ts';
import { spread } from './common.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** Separable Gaussian blur of an n³ volume (clamped borders), in place. */
function gaussianBlur(v: Float32Array, n: number, sigma: number): void {
  const r = Math.ceil(3 * sigma);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const ksum = k.reduce((a, b) => a + b, 0);
  const tmp = new Float32Array(v.length);
  for (const stride of [1, n, n * n]) {
    for (let i = 0; i < v.length; i++) {
      const c = Math.floor(i / stride) % n;
      let acc = 0;
      for (let d = -r; d <= r; d++) acc += k[d + r] * v[i + (Math.min(n - 1, Math.max(0, c + d)) - c) * stride];
      tmp[i] = acc / ksum;
    }
    v.set(tmp);
  }
}

export function benchVolume(n: number, kind: 'smooth' | 'uniform', seed: number): Float32Array {
  const rng = new Rng(seed);
  const v = Float32Array.from({ length: n * n * n }, () => rng.next());
  if (kind === 'smooth') gaussianBlur(v, n, 2);
  return v;
}

const construction = arg('construction', 'T') as Construction;
const useGpu = process.argv.includes('--gpu');
const dims = useGpu ? [0, 2] : arg('dims', '0,1,2').split(',').map(Number);
const gpuDevice = useGpu ? await getGpu() : null;
const run = async (vol: Float32Array, shape: [number, number, number]): Promise<Diagrams> =>
  gpuDevice ? persistenceGpu(gpuDevice, vol, shape, { construction, dims }) : persistence(vol, shape, { construction, dims });
const child = process.argv.indexOf('--child');
if (child >= 0) {
  // Memory probe: one call in this fresh process; peak RSS growth over the RSS with the volume in place.
  const n = Number(process.argv[child + 1]);
  const vol = benchVolume(n, process.argv[child + 2] as 'smooth' | 'uniform', 1000 + n);
  const before = process.memoryUsage().rss;
  persistence(vol, [n, n, n], { construction, dims });
  console.log(Math.max(0, process.resourceUsage().maxRSS * 1024 - before));
} else {
  const sizes = arg('sizes', '16,32,64').split(',').map(Number);
  const dump = arg('dump', '');
  if (dump) mkdirSync(dump, { recursive: true });
  for (const n of sizes) {
    for (const kind of ['smooth', 'uniform'] as const) {
      const vol = benchVolume(n, kind, 1000 + n);
      const reps = Number(arg('reps', String(n <= 16 ? 200 : n <= 32 ? 30 : n <= 64 ? 7 : 3)));
      const shape: [number, number, number] = [n, n, n];
      for (let w = 0; w < Math.min(3, reps); w++) await run(vol, shape); // JIT warm-up (and shader compiles)
      const times: number[] = [];
      const cpu: number[] = [];
      let d = await run(vol, shape);
      for (let r = 0; r < reps; r++) {
        const t = performance.now();
        const u = process.cpuUsage();
        d = await run(vol, shape);
        const du = process.cpuUsage(u);
        times.push(performance.now() - t);
        cpu.push((du.user + du.system) / 1000);
      }
      times.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      const probe = useGpu ? '0' : execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(n), kind,
        '--construction', construction, '--dims', dims.join(',')], { encoding: 'utf8' });
      const row = {
        bench: 'persistence',
        size: n,
        kind,
        construction,
        dims,
        engine: gpuDevice ? 'wgsl' : 'cpu', // --gpu: the WGSL union-find (dims 0 and 2); else the CPU path
        ...(gpuDevice ? { adapter: gpuDevice.adapterName } : {}),
        median_ms: +times[times.length >> 1].toFixed(2),
        spread_ms: +spread(times).toFixed(2),
        min_ms: +times[0].toFixed(2),
        // NOTE: CPU time of this process (GC threads included) stays meaningful on a loaded machine.
        median_cpu_ms: +cpu[cpu.length >> 1].toFixed(2),
        pairs: d.dims.reduce((s, p) => s + p.length, 0),
        pairs_by_dim: d.dims.map((p) => p.length),
        peak_bytes_per_voxel: useGpu ? null : Math.round(Number(probe.trim()) / vol.length),
      };
      console.log(JSON.stringify(row));
      if (dump) {
        const name = `${kind}${n}`;
        writeFileSync(join(dump, `${name}.f32`), new Uint8Array(vol.buffer));
        writeFileSync(join(dump, `${name}.json`), JSON.stringify({ shape, construction, diagrams: diagramsToJson(d) }));
      }
    }
  }
  if (gpuDevice) process.exit(0); // dawn.node keeps the process alive otherwise
}
