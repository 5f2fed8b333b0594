// What every benchmark shares: timing (warm-up, repeats, median and spread), peak memory (CPU heap / RSS and
// the GPU buffer pool's bytes), the power-law fit of time versus size, JSON-lines rows on stdout and the
// markdown table the runner (harness/bench.ts) writes to harness/results/<adapter-slug>.md.
// Pure helpers (stats, fit, markdown) take no GPU, so the tests run them on synthetic timings.
import { poolStats } from '../../src/gpu/buffers.ts';
import { quantile } from '../../src/util/quantile.ts';

/** One result row, as printed on stdout: {"bench": NAME, "adapter": ..., "median_ms": ..., ...}. */
export type Row = Record<string, unknown> & { bench: string };

export interface TimingOptions {
  warmup?: number; // untimed runs first (pipeline compiles, pool fill); default 1
  repeats?: number; // timed runs; default 5
}

/** Median and spread of the timed runs, in milliseconds, with the raw samples. */
export interface Timing {
  median_ms: number;
  spread_ms: number; // interquartile range of the samples (0 for fewer than 2)
  min_ms: number;
  samples_ms: number[];
  cpu_ms: number; // median process CPU time (user + system, all threads) per run
}

/** Median of a list (mean of the two middle values for an even count); NaN for an empty list. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * Spread of timings: the interquartile range (q75 − q25).
 * NOTE: robust to the one slow run a shared CPU machine produces now and then, unlike the standard deviation.
 */
export function spread(values: readonly number[]): number {
  return values.length < 2 ? 0 : quantile(values, 0.75) - quantile(values, 0.25);
}

/** Times `run` (awaited; it must finish its GPU work itself, e.g. with sync) after `warmup` untimed runs. */
export async function timeRuns(run: () => Promise<unknown> | unknown, opts: TimingOptions = {}): Promise<Timing> {
  const warmup = opts.warmup ?? 1;
  const repeats = Math.max(1, opts.repeats ?? 5);
  for (let i = 0; i < warmup; i++) await run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    memory.sample();
  }
  return { median_ms: median(wall), spread_ms: spread(wall), min_ms: Math.min(...wall), samples_ms: wall, cpu_ms: median(cpu) };
}

/** A Timing as row fields, rounded for printing (raw samples left out). */
export function timingFields(t: Timing): Record<string, number> {
  return { median_ms: round(t.median_ms), spread_ms: round(t.spread_ms), min_ms: round(t.min_ms), cpu_ms: round(t.cpu_ms), repeats: t.samples_ms.length };
}

/** Rounds to 4 significant digits (3 decimals at most for values ≥ 1), keeping JSON rows short. */
export function round(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  return Number(v.toPrecision(Math.abs(v) >= 1000 ? 7 : 4));
}

/**
 * Peak memory tracker. RSS peak is the kernel's high-water mark for the process; the V8 heap is sampled
 * (after every timed run, and every 50 ms while the event loop is free); GPU bytes come from the buffer
 * pool, which never frees, so its live bytes are the peak of everything allocated through it.
 */
export class MemoryPeak {
  private heap = 0;
  private gpu0 = poolStats().bytesLive;

  /** Restarts the heap and GPU counters (the RSS high-water mark cannot be reset). */
  reset(): void {
    this.heap = process.memoryUsage().heapUsed;
    this.gpu0 = poolStats().bytesLive;
  }

  sample(): void {
    this.heap = Math.max(this.heap, process.memoryUsage().heapUsed);
  }

  /** Fields for a row: rss_peak_mb (process), heap_peak_mb (since reset), gpu_mb (pool bytes allocated since reset), gpu_pool_mb (pool total). */
  fields(): Record<string, number> {
    this.sample();
    const mb = (b: number) => round(b / 2 ** 20);
    const pool = poolStats().bytesLive;
    return { rss_peak_mb: mb(process.resourceUsage().maxRSS * 1024), heap_peak_mb: mb(this.heap), gpu_mb: mb(pool - this.gpu0), gpu_pool_mb: mb(pool) };
  }
}

/** The process-wide tracker timeRuns samples into. */
export const memory = new MemoryPeak();
setInterval(() => memory.sample(), 50).unref();

/** Least-squares fit of log t = log c + k·log n: the empirical exponent k of time versus size. */
export interface PowerFit {
  exponent: number;
  coefficient: number; // c in t ≈ c·n^k
  r2: number; // coefficient of determination in log–log space
  points: number;
}

export function fitExponent(sizes: readonly number[], times: readonly number[]): PowerFit {
  const pts = sizes.map((n, i) => [n, times[i]] as const).filter(([n, t]) => n > 0 && t > 0 && Number.isFinite(n) && Number.isFinite(t));
  if (pts.length < 2) return { exponent: NaN, coefficient: NaN, r2: NaN, points: pts.length };
  const x = pts.map(([n]) => Math.log(n));
  const y = pts.map(([, t]) => Math.log(t));
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) ** 2;
  }
  if (sxx === 0) return { exponent: NaN, coefficient: NaN, r2: NaN, points: pts.length };
  const k = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { exponent: k, coefficient: Math.exp(my - k * mx), r2, points: pts.length };
}

/** File-name-safe slug of an adapter name: "llvmpipe (LLVM 19.1.7, 256 bits)" → "llvmpipe-llvm-19-1-7-256-bits". */
export function adapterSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown-adapter';
}

/** Short adapter name for file names: the driver family when known (lavapipe, swiftshader), else the slug. */
export function adapterKey(name: string): string {
  const n = name.toLowerCase();
  if (n.includes('swiftshader')) return 'swiftshader';
  if (n.includes('llvmpipe') || n.includes('lavapipe')) return 'lavapipe';
  return adapterSlug(name);
}

/** Prints one row as a JSON line on stdout. */
export function emit(row: Row): void {
  process.stdout.write(JSON.stringify(row) + '\n');
}

/** Parses the JSON-object lines of a benchmark's stdout (other lines are ignored). */
export function parseRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s.startsWith('{')) continue;
    try {
      const o = JSON.parse(s) as Record<string, unknown>;
      if (typeof o.bench === 'string') rows.push(o as Row);
    } catch {
      // not a row: a log line that happens to start with '{'
    }
  }
  return rows;
}

/** Every numeric field of a row that is not a finite number (NaN, ±Infinity, or a non-number `*_ms`). */
export function nonFiniteFields(row: Row): string[] {
  const bad: string[] = [];
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'number' && !Number.isFinite(v)) bad.push(k);
    else if (v === null && /_ms$|_mb$|gflops/.test(k)) bad.push(k);
  }
  return bad;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(round(v));
  if (typeof v === 'string') return v.replace(/\|/g, '\\|');
  return JSON.stringify(v).replace(/\|/g, '\\|');
}

/** A markdown table of rows; columns in first-seen order (`bench` and `adapter` left out: they head the section). */
export function markdownTable(rows: readonly Row[], skip: readonly string[] = ['bench', 'adapter']): string {
  const cols: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!skip.includes(k) && !cols.includes(k)) cols.push(k);
  const lines = [`| ${cols.join(' | ')} |`, `| ${cols.map((c) => (rows.every((r) => typeof r[c] !== 'string') ? '---:' : '---')).join(' | ')} |`];
  for (const r of rows) lines.push(`| ${cols.map((c) => cell(r[c])).join(' | ')} |`);
  return lines.join('\n');
}

export interface ResultsHeader {
  adapter: string;
  date: string; // ISO date-time
  mode: string; // "full" or "quick" and the options
  machine: string; // CPU model and count, Node version
}

/** The whole results file: a header, then one section (heading + table) per benchmark, in first-seen order. */
export function resultsMarkdown(h: ResultsHeader, rows: readonly Row[], notes: Record<string, string[]> = {}): string {
  const out = [`# Benchmarks on ${h.adapter}`, '', `- date: ${h.date}`, `- machine: ${h.machine}`, `- mode: ${h.mode}`,
    '- times: median of the timed runs after warm-up; spread = interquartile range; memory: process RSS high-water mark, V8 heap peak, GPU buffer-pool bytes', ''];
  const names = [...new Set(rows.map((r) => r.bench))];
  for (const n of names) {
    out.push(`## ${n}`, '');
    for (const line of notes[n] ?? []) out.push(line);
    if (notes[n]?.length) out.push('');
    out.push(markdownTable(rows.filter((r) => r.bench === n)), '');
  }
  return out.join('\n');
}

/** Reads `--name value` (or `--name=value`) from argv; `def` if absent. */
export function argValue(argv: readonly string[], name: string, def: string): string {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : def;
}

/** A comma list of numbers from argv (`--sizes 16,32`). */
export function argNumbers(argv: readonly string[], name: string, def: readonly number[]): number[] {
  const v = argValue(argv, name, '');
  if (!v) return [...def];
  const out = v.split(',').map(Number);
  if (out.some((x) => !Number.isFinite(x))) throw new Error(`--${name}: expected numbers separated by commas, got '${v}'`);
  return out;
}
