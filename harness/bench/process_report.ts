// Preloaded by the runner (node --import) into every benchmark process: at exit it prints one JSON line with
// the process' peak memory, so scripts that report no memory of their own still get a number.
// NOTE: the buffer pool never frees, so its live bytes at exit are the peak GPU bytes of the whole process.
import { poolStats } from '../../src/gpu/buffers.ts';

const t0 = performance.now();
process.on('exit', (code) => {
  const mb = (b: number) => Number((b / 2 ** 20).toPrecision(4));
  const row = {
    bench: '_process', exit_code: code, wall_s: Number(((performance.now() - t0) / 1000).toFixed(2)),
    rss_peak_mb: mb(process.resourceUsage().maxRSS * 1024), gpu_pool_mb: mb(poolStats().bytesLive),
  };
  // NOTE: stdout to a pipe is synchronous on Linux, so this line is not lost at exit.
  process.stdout.write(JSON.stringify(row) + '\n');
});
