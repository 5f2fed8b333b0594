// `topo-shapr analyse-interpolation --data DIR|synthetic --sizes 8,12,16,24,32 [--out DIR]`: the paper's
// Appendix A. For every object volume, W2 between the superlevel diagrams at full resolution and after
// trilinear downsampling to s³, per dimension and all together, with the time each took (src/analysis/
// interpolation.ts). Writes OUT/interpolation.{json,md}, the two charts as SVG, and a PNG of both (headless
// Chromium, when installed); prints the summary table.
import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseVolume, type InterpolationRow, summarise, summaryMarkdown, type InterpolationSummary } from '../../src/analysis/interpolation.ts';
import { loadDataset } from '../../src/data/dataset.ts';
import type { Sample } from '../../src/data/sample.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { linePlot } from '../../src/report/svg.ts';
import { makeOutputDir, writeFileAtomic } from '../../src/util/atomic.ts';
import { UserError } from '../../src/util/errors.ts';
import { parseInteger } from './numbers.ts';
import { progress } from '../progress.ts';

interface Flags {
  data: string; // dataset folder (SHAPR layout) or 'synthetic'
  sizes: string; // comma list of s
  out?: string; // output folder (default interpolation-<data name>)
  count: string; // synthetic: number of samples
  side: string; // synthetic: S
  seed: string; // synthetic: generator seed
  limit?: string; // dataset: read at most this many samples
  png: boolean; // render the PNG (needs chromium)
}

export function register(program: Command): void {
  program
    .command('analyse-interpolation')
    .description('W2 between the persistence diagrams of each volume and of its trilinear downsampling to s³ (error and time versus s)')
    .requiredOption('--data <dir>', "dataset folder in SHAPR's layout (obj/ is read), or 'synthetic'")
    .option('--sizes <list>', 'downsampled sides s, comma-separated', '8,12,16,24,32')
    .option('--out <dir>', 'output folder (default: interpolation-<dataset name>)')
    .option('--count <n>', 'synthetic: number of samples', '30')
    .option('--side <n>', 'synthetic: volume side S', '64')
    .option('--seed <n>', 'synthetic: generator seed', '0')
    .option('--limit <n>', 'dataset: read at most n samples')
    .option('--no-png', 'skip the PNG figure (it needs headless chromium)')
    .action((flags: Flags, cmd: Command) => {
      // NOTE: the options of the other source were ignored without a word
      const synthetic = flags.data === 'synthetic';
      const unused = (synthetic ? ['limit'] : ['count', 'side', 'seed']).find((k) => cmd.getOptionValueSource(k) === 'cli');
      if (unused) throw new UserError(`--${unused}: only used with ${synthetic ? '--data DIR' : '--data synthetic'}`);
      const sizes = parseSizes(flags.sizes);
      const samples = loadSamples(flags);
      const side = samples[0].shape[0];
      if (samples.some((s) => s.shape.some((v) => v !== side))) throw new UserError(`${flags.data}: volumes must be cubes of one side, got ${samples[0].shape.join('×')} and others`);
      const bad = sizes.find((s) => s > side);
      if (bad) throw new UserError(`--sizes: ${bad} exceeds the volume side ${side}`);
      const out = resolve(flags.out ?? `interpolation-${flags.data === 'synthetic' ? 'synthetic' : basename(resolve(flags.data))}`);
      makeOutputDir(out);

      const rows: InterpolationRow[] = [];
      const bar = progress();
      bar.start(samples.length, 'volumes');
      for (const [i, s] of samples.entries()) {
        rows.push(...analyseVolume(s.target, side, s.name, s.className, { sizes }));
        bar.update(i + 1);
      }
      bar.stop();
      const summary = summarise(rows);
      const title = `${flags.data === 'synthetic' ? `synthetic (${samples.length} samples)` : basename(resolve(flags.data))}, S = ${side}`;
      writeFileAtomic(join(out, 'interpolation.json'), JSON.stringify({ data: flags.data, side, sizes, summary, rows }, null, 1) + '\n');
      const table = summaryMarkdown(summary);
      writeFileAtomic(join(out, 'interpolation.md'), `# Interpolation analysis: ${title}\n\n${NOTE}\n\n${table}\n`);
      const [err, time] = charts(summary, title);
      writeFileAtomic(join(out, 'interpolation_error.svg'), err);
      writeFileAtomic(join(out, 'interpolation_time.svg'), time);
      const html = `<!doctype html><html><body style="margin:0;background:#fff;display:flex">${err}${time}</body></html>`;
      writeFileAtomic(join(out, 'interpolation.html'), html);
      if (flags.png) {
        const why = renderPng(join(out, 'interpolation.html'), join(out, 'interpolation.png'), 1040, 300);
        if (why) console.error(`topo-shapr: no PNG (${why}); the SVGs and interpolation.html are written`);
      }
      process.stdout.write(`${table}\n\nwritten to ${out}\n`);
    });
}

const NOTE = 'W2: 2-Wasserstein distance (L∞ ground metric) between the superlevel diagrams (T-construction) of the full-resolution ' +
  'volume and of its trilinear downsampling (align_corners) to s³; "W2 mean" takes all dimensions together ((Σ_k W2_k²)^½), ' +
  'the per-dimension columns are means over volumes. Times are medians over volumes, in ms, on one CPU thread; ' +
  'speed-up = time at S³ / time at s³ (downsampling + diagrams).';

function parseSizes(v: string): number[] {
  const sizes = v.split(',').map((x) => Number(x.trim()));
  if (!sizes.length || sizes.some((s) => !Number.isInteger(s) || s < 2)) throw new UserError(`--sizes: expected integers ≥ 2 separated by commas, got '${v}'`);
  return [...new Set(sizes)].sort((a, b) => a - b);
}

function loadSamples(flags: Flags): Sample[] {
  if (flags.data === 'synthetic') {
    return generateDataset({ n: parseInteger('count', flags.count, 1), size: parseInteger('side', flags.side, 1), seed: parseInteger('seed', flags.seed) });
  }
  const ds = loadDataset(flags.data, { limit: flags.limit ? parseInteger('limit', flags.limit, 1) : undefined });
  if (!ds.samples.length) throw new UserError(`${flags.data}: no samples`);
  return ds.samples;
}

/** Error versus s (mean W2, all dimensions and each) and time versus s (log scale). */
export function charts(sum: readonly InterpolationSummary[], title: string): [string, string] {
  const x = sum.map((r) => r.s);
  const err = linePlot(`W2 to full resolution: ${title}`, 's (downsampled side)', 'mean W2', [
    { name: 'all dimensions', x, y: sum.map((r) => r.w2Mean) },
    ...[0, 1, 2].map((k) => ({ name: `dimension ${k}`, x, y: sum.map((r) => r.w2PerDimMean[k]) })),
  ]);
  const time = linePlot('Time per volume (median; PH = diagrams)', 's (downsampled side)', 'ms (log scale)', [
    { name: 's³: downsample + PH', x, y: sum.map((r) => r.msTotalMedian) },
    { name: 'S³: PH', x, y: sum.map((r) => r.msFullMedian) },
    { name: 'W2 matching', x, y: sum.map((r) => r.msMatchMedian) },
  ], { logY: true });
  return [err, time];
}

/** Screenshots an HTML file with headless Chromium; returns why not, or null on success. */
export function renderPng(htmlPath: string, pngPath: string, width: number, height: number): string | null {
  const exe = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('which', [c]).status === 0);
  if (!exe) return 'chromium is not installed';
  const profile = mkdtempSync(join(tmpdir(), 'topo-shapr-chromium-'));
  try {
    const r = spawnSync(exe, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--hide-scrollbars',
      `--user-data-dir=${profile}`, `--screenshot=${pngPath}`, `--window-size=${width},${height}`, pathToFileURL(htmlPath).href], { encoding: 'utf8', timeout: 60_000 });
    if (!existsSync(pngPath)) return `chromium failed: ${(r.stderr ?? '').trim().split('\n').pop() ?? r.status}`;
    return null;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
