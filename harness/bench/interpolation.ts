// The interpolation analysis as a benchmark: a few synthetic volumes, and per s the time of downsampling +
// diagrams at s³ (median over volumes) next to the diagrams at full resolution, with the mean W2 error.
// The full analysis is `topo-shapr analyse-interpolation` (src/analysis/interpolation.ts).
// Usage: npx tsx harness/bench/interpolation.ts [--count 6] [--side 64] [--sizes 8,16,32] [--quick]
import { pathToFileURL } from 'node:url';
import { analyseVolume, type InterpolationRow } from '../../src/analysis/interpolation.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { argNumbers, argValue, emit, median, memory, round, type Row, spread } from './common.ts';

export function benchInterpolation(count: number, side: number, sizes: number[]): Row[] {
  memory.reset();
  const rows: InterpolationRow[] = [];
  for (const s of generateDataset({ n: count, size: side, seed: 3 })) {
    rows.push(...analyseVolume(s.target, side, s.name, s.className, { sizes }));
    memory.sample();
  }
  return sizes.map((s) => {
    const rs = rows.filter((r) => r.s === s);
    const ms = rs.map((r) => r.msDown + r.msSmall);
    return {
      bench: 'interpolation', adapter: 'cpu', side, s, volumes: rs.length,
      median_ms: round(median(ms)), spread_ms: round(spread(ms)), full_ms: round(median(rs.map((r) => r.msFull))),
      match_ms: round(median(rs.map((r) => r.msMatch))), w2_mean: round(rs.reduce((a, r) => a + r.w2, 0) / rs.length), ...memory.fields(),
    };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const side = Number(argValue(argv, 'side', quick ? '16' : '64'));
  const rows = benchInterpolation(Number(argValue(argv, 'count', quick ? '2' : '6')), side, argNumbers(argv, 'sizes', quick ? [4, 8] : [8, 16, 32]));
  for (const r of rows) emit(r);
}
