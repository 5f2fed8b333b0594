// `npm run bench [-- --only NAME[,NAME]] [--quick] [--out DIR] [--set NAME='ARGS'] [--merge] [--list]`: runs the benchmarks of harness/bench/,
// each in its own Node process (so peak memory is per benchmark and one crash does not end the run), prints
// their JSON rows on stdout, fits the exponent of time versus size where it applies, and writes
// harness/results/<adapter>.md (+ .jsonl with the raw rows).
// --quick: everything small (under a minute in all); checks that each benchmark runs and gives finite numbers,
// asserts no timing, writes no results unless --out is given. Used by CI to keep the harness from rotting.
// --timeout S: seconds per benchmark before it is killed (rows printed so far are kept; default 3600, quick 120).
// --set NAME='ARGS' replaces a benchmark's arguments (e.g. a reduced run); --merge keeps the rows of the
// benchmarks not run now from the existing results of the same adapter. --render rewrites the markdown (and
// the exponent fits) from the adapter's existing .jsonl without running anything.
// The adapter is the one the GPU code picks (TOPO_SHAPR_ADAPTER=swiftshader|lavapipe|NAME chooses).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { getGpu } from '../src/gpu/device.ts';
import { adapterKey, argValue, fitExponent, nonFiniteFields, parseRows, resultsMarkdown, round, type Row } from './bench/common.ts';
import { exitWhenFlushed } from './exit.ts';
import { writeFileAtomic } from '../src/util/atomic.ts';
import { parseArgs } from 'node:util';

interface BenchSpec {
  name: string; // what --only selects and rows carry as "bench"
  script: string; // harness/bench/<stem>.ts, run with tsx
  full: string[]; // arguments of the full run
  quick: string[]; // arguments of the --quick run
  cpuOnly?: boolean; // runs no GPU code: its rows say adapter "cpu", and its numbers do not depend on the adapter
  /** Time versus size fit: x of a row (null: no point), rows grouped by `group`. */
  fit?: { label: string; x: (r: Row) => number | null; group: (r: Row) => string };
}

const num = (v: unknown) => (typeof v === 'number' ? v : null);

export const BENCHES: BenchSpec[] = [
  { name: 'matmul', script: 'harness/bench/matmul.ts', full: ['1024', '5'], quick: ['128', '1'] },
  { name: 'conv', script: 'harness/bench/conv.ts', full: ['--batch', '1,6', '--reps', '3', '--no-matmul'], quick: ['--batch', '1', '--reps', '1', '--only', 'conv 2->10', '--no-matmul'] },
  { name: 'shapr-step', script: 'harness/bench/shapr_step.ts', full: [], quick: ['--quick'] },
  {
    name: 'persistence', script: 'harness/bench/persistence.ts', full: ['--sizes', '16,24,32,48,64,96,128'], quick: ['--sizes', '8,12', '--reps', '1'], cpuOnly: true,
    fit: { label: 'voxels', x: (r) => (num(r.size) ? num(r.size)! ** 3 : null), group: (r) => `${r.kind ?? ''} ${r.construction ?? ''} dims ${Array.isArray(r.dims) ? r.dims.join(',') : r.dims ?? ''}`.trim() },
  },
  // Dimension 2 alone, the topological loss's default
  { name: 'persistence-dim2', script: 'harness/bench/persistence.ts', full: ['--sizes', '16,32,64,128', '--dims', '2'], quick: ['--sizes', '8', '--dims', '2', '--reps', '1'], cpuOnly: true },
  // The WGSL union-find (dims 0 and 2) on this adapter: what the topological loss's per-adapter choice rests on.
  { name: 'persistence-gpu', script: 'harness/bench/persistence.ts', full: ['--gpu', '--sizes', '16,32,64'], quick: ['--gpu', '--sizes', '8', '--reps', '1'] },
  {
    name: 'wasserstein', script: 'harness/bench/wasserstein.ts', full: [], quick: ['--quick'], cpuOnly: true,
    fit: { label: 'points', x: (r) => num(r.points) ?? num(r.size) ?? num(r.n), group: (r) => `${r.kind ?? ''} ${r.q ?? ''}`.trim() },
  },
  { name: 'topo-loss', script: 'harness/bench/topo_loss.ts', full: [], quick: ['--quick'] },
  { name: 'interpolation', script: 'harness/bench/interpolation.ts', full: [], quick: ['--quick'], cpuOnly: true },
];

interface Outcome {
  spec: BenchSpec;
  rows: Row[];
  process: Row | null; // the _process row of harness/bench/process_report.ts
  code: number | null;
  seconds: number;
  load: [number, number]; // 1-minute load average before and after
}

/** Runs one benchmark script in a child process; resolves with its rows once it exits (or is killed at timeout). */
function runOne(spec: BenchSpec, args: string[], timeoutS: number): Promise<Outcome> {
  const load0 = loadavg()[0];
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', './harness/bench/process_report.ts', spec.script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODEVICE_SELECT: '1' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => {
    console.error(`bench: ${spec.name} exceeded ${timeoutS} s, killing it`);
    child.kill('SIGKILL');
  }, timeoutS * 1000);
  return new Promise((done) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      const all = parseRows(out);
      done({
        spec, rows: all.filter((r) => r.bench !== '_process'), process: all.find((r) => r.bench === '_process') ?? null,
        code, seconds: (performance.now() - t0) / 1000, load: [round(load0), round(loadavg()[0])],
      });
    });
  });
}

/** Fills the common fields a script may leave out: adapter, median_ms (from ms), process peak memory. */
function normalise(o: Outcome, adapter: string): Row[] {
  return o.rows.map((r) => {
    const row: Row = { ...r };
    if (row.adapter === undefined) row.adapter = o.spec.cpuOnly ? 'cpu' : adapter;
    if (row.median_ms === undefined && typeof row.ms === 'number') row.median_ms = row.ms;
    if (row.rss_peak_mb === undefined && o.process) row.process_rss_peak_mb = o.process.rss_peak_mb;
    if (row.gpu_mb === undefined && row.gpu_pool_mb === undefined && o.process) row.process_gpu_pool_mb = o.process.gpu_pool_mb;
    return row;
  });
}

/** Exponent fits of median_ms versus size, one per group; as JSON rows and markdown notes. */
function fits(spec: BenchSpec, rows: Row[]): { rows: Row[]; notes: string[] } {
  if (!spec.fit) return { rows: [], notes: [] };
  const { fit } = spec;
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    if (fit.x(r) === null || typeof r.median_ms !== 'number') continue;
    const g = fit.group(r);
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const out: Row[] = [];
  const notes: string[] = [];
  const cpuOf = (r: Row) => (typeof r.cpu_ms === 'number' ? r.cpu_ms : typeof r.median_cpu_ms === 'number' ? r.median_cpu_ms : null);
  for (const [g, rs] of groups) {
    // NOTE: CPU time is fitted too when a script reports it: on a shared machine it is disturbed far less than wall time.
    for (const [clock, time] of [['wall', (r: Row) => r.median_ms as number], ['cpu', cpuOf]] as const) {
      if (rs.some((r) => time(r) === null)) continue;
      const f = fitExponent(rs.map((r) => fit.x(r)!), rs.map((r) => time(r)!));
      if (!Number.isFinite(f.exponent)) continue;
      out.push({ bench: `${spec.name}-exponent`, group: g, versus: fit.label, clock, exponent: round(f.exponent), r2: round(f.r2), points: f.points });
      notes.push(`- ${clock} time ∝ ${fit.label}^${f.exponent.toFixed(2)} (R² ${f.r2.toFixed(3)}, ${f.points} sizes)${g ? ` for ${g}` : ''}`);
    }
  }
  return { rows: out, notes };
}

function writeResults(outDir: string, adapter: string, mode: string, rows: Row[], notes: Record<string, string[]>): void {
  mkdirSync(outDir, { recursive: true });
  const key = adapterKey(adapter);
  const order = (r: Row) => BENCHES.findIndex((b) => b.name === r.bench.replace(/-exponent$/, ''));
  rows.sort((a, b) => order(a) - order(b));
  const header = {
    adapter, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), mode,
    machine: `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`,
  };
  writeFileAtomic(join(outDir, `${key}.md`), resultsMarkdown(header, rows, notes));
  const noteRows = Object.entries(notes).map(([name, lines]) => ({ bench: '_notes', name, lines }));
  writeFileAtomic(join(outDir, `${key}.jsonl`), [...rows, ...noteRows].map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.error(`bench: wrote ${resolve(outDir, `${key}.md`)}`);
}

/** Rewrites the results of `adapter` from its .jsonl: CPU-only rows say "cpu", fits recomputed. */
function render(outDir: string, adapter: string): number {
  const file = join(outDir, `${adapterKey(adapter)}.jsonl`);
  if (!existsSync(file)) {
    console.error(`bench: no ${file} to render`);
    return 1;
  }
  const all = parseRows(readFileSync(file, 'utf8'));
  const notes: Record<string, string[]> = {};
  for (const r of all) if (r.bench === '_notes') notes[String(r.name)] = (r.lines as string[]).filter((l) => !/ time ∝ /.test(l));
  const rows = all.filter((r) => r.bench !== '_notes' && !r.bench.endsWith('-exponent'));
  for (const spec of BENCHES) {
    const mine = rows.filter((r) => r.bench === spec.name);
    if (spec.cpuOnly) for (const r of mine) r.adapter = 'cpu';
    const fit = fits(spec, mine);
    rows.push(...fit.rows);
    if (fit.notes.length) notes[spec.name] = [...(notes[spec.name] ?? []), ...fit.notes];
  }
  writeResults(outDir, adapter, 'rendered again from the .jsonl (each section says how it ran)', rows, notes);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  // NOTE: unknown flags are refused: a typo such as --quik ran the full suite for hours and then wrote over
  // the committed results
  try {
    parseArgs({
      args: argv,
      strict: true,
      options: {
        list: { type: 'boolean' }, quick: { type: 'boolean' }, render: { type: 'boolean' }, merge: { type: 'boolean' },
        only: { type: 'string' }, out: { type: 'string' }, timeout: { type: 'string' }, set: { type: 'string', multiple: true },
      },
    });
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 2;
  }
  if (argv.includes('--list')) {
    for (const b of BENCHES) console.log(`${b.name}\t${b.script}`);
    return 0;
  }
  const quick = argv.includes('--quick');
  const only = argValue(argv, 'only', '').split(',').filter(Boolean);
  const unknown = only.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) {
    console.error(`bench: unknown benchmark ${unknown.join(', ')}; one of ${BENCHES.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const outDir = argValue(argv, 'out', quick ? '' : 'harness/results');
  const selected = BENCHES.filter((b) => !only.length || only.includes(b.name));
  const custom = new Map<string, string[]>();
  argv.forEach((a, i) => {
    if (a !== '--set') return;
    const m = /^([\w-]+)=(.*)$/.exec(argv[i + 1] ?? '');
    if (!m) throw new Error(`--set expects NAME='ARGS', got '${argv[i + 1]}'`);
    custom.set(m[1], m[2].split(/\s+/).filter(Boolean));
  });
  const g = await getGpu();
  const adapter = g.adapterName;
  if (argv.includes('--render')) return render(outDir || 'harness/results', adapter);
  console.error(`bench: ${selected.length} benchmark(s) on ${adapter}${quick ? ' (quick)' : ''}`);
  const rows: Row[] = [];
  const notes: Record<string, string[]> = {};
  const failures: string[] = [];
  for (const spec of selected) {
    if (!existsSync(spec.script)) {
      failures.push(`${spec.name}: ${spec.script} is missing`);
      continue;
    }
    const args = custom.get(spec.name) ?? (quick ? spec.quick : spec.full);
    const o = await runOne(spec, args, Number(argValue(argv, 'timeout', quick ? '120' : '3600')));
    const got = normalise(o, adapter);
    const fit = fits(spec, got);
    for (const r of [...got, ...fit.rows]) console.log(JSON.stringify(r));
    rows.push(...got, ...fit.rows);
    notes[spec.name] = [`- arguments: \`${args.join(' ') || '(defaults)'}\`; ${o.seconds.toFixed(1)} s in all; load average ${o.load[0]} → ${o.load[1]} on ${cpus().length} CPUs`, ...fit.notes];
    if (o.code !== 0) failures.push(`${spec.name}: exit code ${o.code}`);
    if (!got.length) failures.push(`${spec.name}: no result rows`);
    for (const r of got) {
      const bad = nonFiniteFields(r);
      if (bad.length) failures.push(`${spec.name}: non-finite ${bad.join(', ')} in ${JSON.stringify(r)}`);
    }
  }
  if (outDir && rows.length) {
    const key = adapterKey(adapter);
    if (argv.includes('--merge') && existsSync(join(outDir, `${key}.jsonl`))) {
      const ran = new Set(selected.map((b) => b.name));
      const base = (r: Row) => (r.bench === '_notes' ? String(r.name) : r.bench.replace(/-exponent$/, ''));
      const old = parseRows(readFileSync(join(outDir, `${key}.jsonl`), 'utf8')).filter((r) => !ran.has(base(r)));
      for (const r of old) if (r.bench === '_notes') notes[String(r.name)] = r.lines as string[];
      rows.unshift(...old.filter((r) => r.bench !== '_notes'));
    }
    writeResults(outDir, adapter, `${quick ? 'quick' : 'full'}${only.length ? ` (--only ${only.join(',')}${argv.includes('--merge') ? ', merged with earlier rows' : ''})` : ''}`, rows, notes);
  }
  for (const f of failures) console.error(`bench: FAILED ${f}`);
  console.error(`bench: ${selected.length - new Set(failures.map((f) => f.split(':')[0])).size} of ${selected.length} benchmark(s) ran cleanly`);
  return failures.length ? 1 : 0;
}

exitWhenFlushed(await main(process.argv.slice(2)));
