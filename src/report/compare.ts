// Builds the comparison report from run directories: groups runs that differ only in their fold into
// one method, pools their test-fold metrics, pairs samples across methods for the Wilcoxon test, and
// renders examples (slices, projections, persistence diagrams of truth and predictions; surfaces.ts adds 3D views).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { readTiff } from '../data/tiff.ts';
import { ALL_CLASSES, summarize } from '../eval/summary.ts';
import { wilcoxon } from '../eval/wilcoxon.ts';
import { trilinearDownRef } from '../resample/trilinear_down.ref.ts';
import { diagramsToJson, persistence } from '../topo/persistence.ts';
import { checkConfig, configFromJson, unusedFields, type TrainConfig } from '../train/config.ts';
import { loadSamples } from '../train/data.ts';
import type { SampleMetrics } from '../train/finish.ts';
import { RUN_FILES, type EpochLog } from '../train/trainer.ts';
import { fileError, UserError } from '../util/errors.ts';
import { readJsonFile } from '../util/json_file.ts';
import { binarize } from '../eval/otsu.ts';
import { METRICS, type ExampleReport, type Metric, type MethodReport, type ReportInput } from './report.ts';
import { maxProjection, midSlice } from './views.ts';

export interface RunData {
  dir: string;
  config: TrainConfig;
  logs: EpochLog[];
  metrics: SampleMetrics[];
  samples: string | null; // samples.json's fingerprint of the data the run was trained on (null: an older run)
}

function readJson<T>(path: string): T {
  if (!existsSync(path)) throw fileError(path, 'missing (has this run finished training?)');
  return readJsonFile(path, (e) => `not valid JSON (${e.message})`) as T;
}

/**
 * The epochs' seconds summed over all runs' logs, e.g. "1.6 min (3 runs, 24 epochs)". NOTE: from the logs, so
 * that a run resumed or finished by a later command counts whole (npm start's own wall time said 0 s when it
 * only re-made the report of finished runs).
 */
function trainingTime(runs: RunData[]): string {
  const epochs = runs.reduce((n, r) => n + r.logs.length, 0);
  const seconds = runs.reduce((t, r) => t + r.logs.reduce((u, l) => u + (Number.isFinite(l.seconds) ? l.seconds : 0), 0), 0);
  const time = seconds < 120 ? `${seconds.toFixed(0)} s` : seconds < 7200 ? `${(seconds / 60).toFixed(1)} min` : `${(seconds / 3600).toFixed(1)} h`;
  return `${time} (${runs.length} run${runs.length === 1 ? '' : 's'}, ${epochs} epoch${epochs === 1 ? '' : 's'})`;
}

function loadRun(dir: string): RunData {
  if (!existsSync(dir)) throw fileError(dir, 'no such run directory');
  if (!statSync(dir).isDirectory()) throw fileError(dir, 'not a run directory (a file)');
  const configPath = join(dir, RUN_FILES.config);
  const raw = readJson<Record<string, unknown>>(configPath);
  // NOTE: a hand-edited or foreign config.json fails here by name, not as a TypeError deep in the report; a
  // field that a run from an older version lacks takes its default (new options default to off)
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fileError(configPath, 'not a run config (expected a JSON object)');
  const config = configFromJson(raw) as unknown as TrainConfig;
  try {
    checkConfig(config);
  } catch (e) {
    throw fileError(configPath, `not a valid run config: ${(e as Error).message}`);
  }
  const logPath = join(dir, RUN_FILES.log);
  const logs = existsSync(logPath)
    ? readFileSync(logPath, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
        try {
          return JSON.parse(l) as EpochLog;
        } catch {
          throw fileError(logPath, `line ${i + 1} is not valid JSON`);
        }
      })
    : [];
  // NOTE: JSON writes an undefined relative error (NaN) as null, and a run from before a metric existed has none:
  // both become NaN, which the statistics count apart, instead of null entering them as 0.
  const metrics = readJson<SampleMetrics[]>(join(dir, RUN_FILES.metrics));
  if (!Array.isArray(metrics)) throw fileError(join(dir, RUN_FILES.metrics), 'expected a JSON array of per-sample rows');
  metrics.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw fileError(join(dir, RUN_FILES.metrics), `row ${i + 1} is not an object of metrics`);
    for (const m of METRICS) {
      const v: unknown = row[m];
      if (v === null || v === undefined) row[m] = NaN;
      else if (typeof v !== 'number') throw fileError(join(dir, RUN_FILES.metrics), `row ${i + 1}: ${m} is ${JSON.stringify(v)}, not a number or null`);
    }
  });
  const samplesPath = join(dir, RUN_FILES.samples);
  const samples = existsSync(samplesPath) ? JSON.stringify(readJson<unknown>(samplesPath)) : null;
  return { dir, config, logs, metrics, samples };
}

/**
 * What makes two runs the same method: everything but the fold, and but the options training did not use
 * (the topological loss's at λ = 0, the generator's on a data folder). NOTE: npm start's baseline records
 * topoDims [0, 2]; folds added by a plain `train --lambda 0` were another method and never pooled with it.
 */
/**
 * What makes two runs one method: their config without the fold, the options training did not use, and
 * (with `samplesChecked`: every run has a samples.json, and runs on other samples are refused) the data
 * folder's path: a fold resumed from another copy of the same samples (cluster scratch) became a method of
 * its own. Runs from before samples.json keep the path, their only sign of other data.
 */
export function methodKey(c: TrainConfig, samplesChecked = false): string {
  const { fold: _fold, ...rest } = c;
  if (samplesChecked) delete (rest as Partial<TrainConfig>).data;
  for (const { field } of unusedFields(c)) delete (rest as Partial<TrainConfig>)[field];
  return JSON.stringify(rest);
}

function methodLabel(c: TrainConfig): string {
  if (c.lambda === 0) return 'SHAPR (λ = 0)';
  const dims = c.topoDims.length === 3 ? 'all' : c.topoDims.join(',');
  return `topo λ=${c.lambda} dim ${dims} s=${c.topoSize}${c.topoQ === 2 ? '' : ` q=${c.topoQ}`}`;
}

function methodReport(label: string, runs: RunData[]): MethodReport {
  // NOTE: the same test sample twice (one fold's run given twice) would count twice in the pooled statistics
  const seen = new Map<string, string>();
  for (const r of runs) {
    for (const m of r.metrics) {
      const other = seen.get(m.name);
      if (other !== undefined) throw fileError(join(r.dir, RUN_FILES.metrics), `sample ${m.name} is also in ${join(other, RUN_FILES.metrics)} (the same run or fold given twice?)`);
      seen.set(m.name, r.dir);
    }
  }
  const rows = runs.flatMap((r) => r.metrics);
  const stats = summarize(rows as unknown as Record<Metric, number>[], METRICS, rows.map((r) => r.className));
  const values: MethodReport['values'] = {};
  for (const cls of Object.keys(stats)) {
    const sel = cls === ALL_CLASSES ? rows : rows.filter((r) => r.className === cls);
    values[cls] = Object.fromEntries(METRICS.map((m) => [m, sel.map((r) => r[m])])) as Record<Metric, number[]>;
  }
  return { label, runs: runs.map((r) => ({ dir: r.dir, fold: r.config.fold, logs: r.logs })), stats, values };
}

/**
 * Why the example pictures cannot be drawn, or null: the runs' data folder is not here, or a run's
 * predictions were deleted (both happen to runs copied from a cluster without their bulk).
 */
function missingData(runs: RunData[]): string | null {
  const first = runs[0];
  const data = first.config.data;
  // NOTE: runs made before data folders were stored absolute hold the path as it was typed
  if (data !== 'synthetic' && !existsSync(data)) return `${join(first.dir, 'config.json')}: its data folder ${data} is not found${isAbsolute(data) ? '' : ` from ${process.cwd()} (a relative path there is read from the folder the command runs in)`}`;
  // NOTE: every test sample's file, not only the folder (a copy that left out the .tif files kept it empty)
  for (const r of runs) {
    const gone = r.metrics.map((m) => join(r.dir, 'predictions', `${m.name}.tif`)).find((f) => !existsSync(f));
    if (gone) return `${gone} is not found (the run's predicted volumes)`;
  }
  return null;
}

function examples(groups: Array<{ label: string; runs: RunData[] }>, count: number): ExampleReport[] {
  if (count === 0) return [];
  const first = groups[0].runs[0];
  const samples = loadSamples(first.config);
  const byName = new Map(samples.map((s) => [s.name, s]));
  // one test sample per class, up to `count`
  const seen = new Set<string>();
  const picked = first.metrics.filter((m) => !seen.has(m.className) && seen.add(m.className)).slice(0, count);
  // the diagrams at the topological loss' resolution: that of the first run that has the loss
  const s = (groups.map((g) => g.runs[0]).find((r) => r.config.lambda > 0) ?? first).config.topoSize;
  return picked.map((m) => {
    const sample = byName.get(m.name);
    if (!sample) throw new UserError(`${first.dir}: test sample ${m.name} is not in the run's dataset`);
    const shape = sample.shape;
    const [, h, w] = shape;
    // mid-slices z and y, with the outline of the binarised volume the metrics score
    const slices = (label: string, v: Float32Array, truth: boolean): ExampleReport['images'] => {
      const scored = Float32Array.from(binarize(v));
      return ([0, 1] as const).map((axis) => ({ caption: `${label} ${'zy'[axis]}`, image: midSlice(v, shape, axis), outline: { mask: midSlice(scored, shape, axis), truth } }));
    };
    const images: ExampleReport['images'] = [
      { caption: 'image × mask', image: { width: w, height: h, data: sample.input.slice(h * w) } },
      { caption: 'mask', image: { width: w, height: h, data: sample.input.slice(0, h * w) } },
      ...slices('truth', sample.target, true),
      { caption: 'truth max-proj y', image: maxProjection(sample.target, shape, 1) },
    ];
    const diagramOf = (v: Float32Array) => diagramsToJson(persistence(s === shape[0] ? v : trilinearDownRef(v, shape, s), [s, s, s]));
    const volumes: ExampleReport['volumes'] = [{ label: 'truth', truth: true, volume: sample.target, side: shape[0] }];
    const truthD = diagramOf(sample.target);
    const series: Array<{ name: string; d: ReturnType<typeof diagramOf> }> = [{ name: 'truth', d: truthD }];
    for (const g of groups) {
      const run = g.runs.find((r) => r.metrics.some((x) => x.name === m.name));
      if (!run) continue;
      const pred = readTiff(join(run.dir, 'predictions', `${m.name}.tif`)).data;
      images.push(...slices(g.label, pred, false));
      images.push({ caption: `${g.label} max-proj y`, image: maxProjection(pred, shape, 1) });
      volumes.push({ label: g.label, truth: false, volume: pred, side: shape[0] });
      series.push({ name: g.label, d: diagramOf(pred) });
    }
    const diagrams = [0, 1, 2].map((dim) => ({
      title: `dimension ${dim} at ${s}³`,
      series: series.map((x) => ({ name: x.name, points: x.d[String(dim)] ?? [] })),
    }));
    return { name: m.name, className: m.className, images, volumes, surfaces: [], diagrams };
  });
}

/** The report's content for a set of run directories. */
export function compareRuns(dirs: string[], opts: { examples?: number; meta?: Record<string, string> } = {}): ReportInput {
  if (!dirs.length) throw new UserError('compare: give at least one run directory');
  const runs = dirs.map(loadRun);
  // NOTE: runs on different data paired different cells that shared a name in the Wilcoxon test
  const fingerprinted = runs.filter((r) => r.samples !== null);
  const other = fingerprinted.find((r) => r.samples !== fingerprinted[0].samples);
  if (other) throw new UserError(`compare: ${fingerprinted[0].dir} and ${other.dir} were trained on different samples (their ${RUN_FILES.samples} differ); compare runs on the same data`);
  const groups = new Map<string, { label: string; runs: RunData[] }>();
  for (const r of runs) {
    const key = methodKey(r.config, fingerprinted.length === runs.length);
    if (!groups.has(key)) groups.set(key, { label: methodLabel(r.config), runs: [] });
    groups.get(key)!.runs.push(r);
  }
  const list = [...groups.values()];
  // same label for different configs: disambiguate with the first directory
  const counts = new Map<string, number>();
  for (const g of list) counts.set(g.label, (counts.get(g.label) ?? 0) + 1);
  for (const g of list) if (counts.get(g.label)! > 1) g.label = `${g.label} (${g.runs[0].dir})`;
  const methods = list.map((g) => methodReport(g.label, g.runs));
  // NOTE: configurations run on other folds have means over other samples: said, since the table sets
  // them side by side (two folds of λ = 0 against one of λ = 0.1 inflated the gap)
  const names = list.map((g) => new Set(g.runs.flatMap((r) => r.metrics.map((x) => x.name))));
  const common = [...names[0]].filter((n) => names.every((s) => s.has(n))).length;
  const unequal = names.some((s) => s.size !== common)
    ? `${list.map((g, i) => `${g.label}: ${names[i].size}`).join(', ')}; ${common} in all of them. The means are over different samples (other folds?); the Wilcoxon tests pair the samples both configurations have`
    : null;
  const count = opts.examples ?? 3;
  const missing = count > 0 ? missingData(runs) : null;
  // NOTE: every other configuration against the first (the baseline); with three, the third used to be
  // left out of the tests without a word.
  const tests: ReportInput['tests'] = [];
  const [a, ...others] = list;
  for (const b of others) {
    const am = new Map(a.runs.flatMap((r) => r.metrics).map((x) => [x.name, x]));
    const pairs = b.runs.flatMap((r) => r.metrics).filter((x) => am.has(x.name));
    for (const m of METRICS) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (const p of pairs) {
        const va = am.get(p.name)![m];
        if (Number.isFinite(va) && Number.isFinite(p[m])) {
          xs.push(va);
          ys.push(p[m]);
        }
      }
      // no test where no pair differs (n = 0: e.g. a Betti error of 0 on both sides), rather than p = NaN
      const w = xs.length ? wilcoxon(xs, ys) : null;
      const result = w && w.n > 0 ? w : null;
      tests.push({ metric: m, a: a.label, b: b.label, result, pairs: xs.length });
    }
  }
  return {
    title: 'topo-shapr: SHAPR with and without the topological loss',
    // NOTE: runs compared away from their data (copied from a cluster) were refused; the statistics need
    // only the runs, so the report comes without the example pictures and says why
    meta: { runs: dirs.join(', '), generated: new Date().toISOString(), 'training time': trainingTime(runs), ...(unequal ? { 'test samples': unequal } : {}),
      ...(missing ? { 'example pictures': `none: ${missing}` } : {}), ...(opts.meta ?? {}) },
    methods,
    tests,
    examples: examples(list, missing ? 0 : count),
  };
}
