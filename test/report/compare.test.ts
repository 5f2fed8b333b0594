// The comparison report's data: runs grouped into methods, undefined errors kept out of the statistics.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareRuns, methodKey } from '../../src/report/compare.ts';
import { renderReport } from '../../src/report/report.ts';
import { configJson, TRAIN_DEFAULTS } from '../../src/train/config.ts';
import { UserError } from '../../src/util/errors.ts';
import { writeReport } from '../../harness/commands/compare.ts';
import { assertRejects, inTempDir } from '../helpers.ts';

/** A metrics.json row with fixed errors. */
const row = (name: string) => ({ name, className: 'A', fold: 0, iou_error: 0.2, volume_error: 0.1, surface_error: 0.2, roughness_error: 0.3 });

/** writeReport's GPU where none may be asked for (these reports have no example pictures). */
const NO_GPU = () => Promise.reject(new Error('asked for a GPU'));

function fakeRun(dir: string, lambda: number, metrics: object[]): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TRAIN_DEFAULTS, lambda }));
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics));
  return dir;
}

test('an undefined error (null in metrics.json) and a metric a run does not have are NaN: counted apart, not as 0', () =>
  inTempDir('compare', (root) => {
    const row = (name: string, iou: number, rough: number | null, betti?: number) =>
      ({ name, className: 'A', fold: 0, iou_error: iou, volume_error: 0.1, surface_error: 0.2, roughness_error: rough, ...(betti === undefined ? {} : { betti_error: betti }) });
    // a run written before the Betti error existed, and one with it; each has one sample with a NaN roughness error
    const base = fakeRun(join(root, 'base'), 0, [row('s1', 0.2, 0.5), row('s2', 0.4, null), row('s3', 0.3, 1.5)]);
    const topo = fakeRun(join(root, 'topo'), 0.1, [row('s1', 0.1, null, 0), row('s2', 0.3, 0.2, 2), row('s3', 0.2, 0.4, 1)]);
    // the report's training time is the runs' logged epochs (npm start's own wall time said 0 s on a rerun)
    writeFileSync(join(base, 'log.jsonl'), '{"epoch":0,"seconds":50}\n{"epoch":1,"seconds":40}\n');
    writeFileSync(join(topo, 'log.jsonl'), '{"epoch":0,"seconds":70.4}\n');
    const r = compareRuns([base, topo], { examples: 0 });
    assert.is(r.meta['training time'], '2.7 min (2 runs, 3 epochs)');
    const [b, t] = r.methods.map((m) => m.stats.all);
    assert.equal([b.roughness_error.n, b.roughness_error.nan, b.roughness_error.mean], [2, 1, 1]);
    assert.equal([t.roughness_error.n, t.roughness_error.nan], [2, 1]);
    assert.ok(Math.abs(t.roughness_error.mean - 0.3) < 1e-12);
    assert.equal([b.betti_error.n, b.betti_error.nan], [0, 3]);
    assert.equal([t.betti_error.n, t.betti_error.nan, t.betti_error.mean], [3, 0, 1]);
    // the Wilcoxon test pairs only samples with both values defined
    const pairs = Object.fromEntries(r.tests.map((x) => [x.metric, x.pairs]));
    assert.equal([pairs.iou_error, pairs.roughness_error, pairs.betti_error], [3, 1, 0]);
    // equal in every pair (volume error 0.1 throughout): no test rather than p = NaN
    const result = Object.fromEntries(r.tests.map((x) => [x.metric, x.result]));
    assert.ok(result.iou_error && result.iou_error.n === 3);
    assert.is(result.volume_error, null);
  }));

test('a config.json that is not a run config is named, not a TypeError in the report', () =>
  inTempDir('compare', (root) => {
    const good = fakeRun(join(root, 'good'), 0, []);
    const bad = fakeRun(join(root, 'bad'), 0.1, []);
    // a mistyped folder was reported as a run whose config.json is missing
    assert.throws(() => compareRuns([good, join(root, 'typo')], { examples: 0 }), (e: unknown) => /typo: no such run directory$/.test((e as Error).message));
    assert.throws(() => compareRuns([join(good, 'config.json')], { examples: 0 }), (e: unknown) => /good\/config\.json: not a run directory \(a file\)$/.test((e as Error).message));
    for (const [text, why] of [['[]', /bad\/config\.json: not a run config \(expected a JSON object\)/], ['{"side": 10}', /bad\/config\.json: not a valid run config: --side must be one of 4, 8, 16, 32, 64/], ['{"topoDims": "2"}', /bad\/config\.json: not a valid run config: --topo-dims/]] as const) {
      writeFileSync(join(bad, 'config.json'), text);
      assert.throws(() => compareRuns([good, bad], { examples: 0 }), (e: unknown) => why.test((e as Error).message));
    }
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ ...TRAIN_DEFAULTS, lambda: 0.1 }));
    writeFileSync(join(bad, 'metrics.json'), '{}');
    assert.throws(() => compareRuns([good, bad], { examples: 0 }), (e: unknown) => /bad\/metrics\.json: expected a JSON array/.test((e as Error).message));
    // a value that is not a number or null: named (it was read as NaN: a table of n = 0, exit 0)
    writeFileSync(join(bad, 'metrics.json'), JSON.stringify([{ ...row('s1'), iou_error: 'x' }]));
    assert.throws(() => compareRuns([good, bad], { examples: 0 }), (e: unknown) => /bad\/metrics\.json: row 1: iou_error is "x", not a number or null/.test((e as Error).message));
    writeFileSync(join(bad, 'metrics.json'), '[7]');
    assert.throws(() => compareRuns([good, bad], { examples: 0 }), (e: unknown) => /bad\/metrics\.json: row 1 is not an object of metrics/.test((e as Error).message));
  }));

test('a sample found twice among one method\'s runs (one run given twice) is refused, not counted twice', () => {
  inTempDir('compare', (root) => {
    const base = fakeRun(join(root, 'base'), 0, [row('s1'), row('s2')]);
    const again = fakeRun(join(root, 'again'), 0, [row('s2'), row('s3')]);
    const topo = fakeRun(join(root, 'topo'), 0.1, [row('s1'), row('s2'), row('s3')]);
    assert.throws(() => compareRuns([base, again, topo], { examples: 0 }), (e: unknown) => /again\/metrics\.json: sample s2 is also in .*base\/metrics\.json/.test((e as Error).message));
  });
});

test('a run trained with --q inf (saved as "Infinity", or as null by earlier versions) is compared', () => {
  inTempDir('compare', (root) => {
    const base = fakeRun(join(root, 'base'), 0, [row('s1')]);
    for (const saved of [configJson({ ...TRAIN_DEFAULTS, lambda: 0.1, topoQ: Infinity }), JSON.stringify({ ...TRAIN_DEFAULTS, lambda: 0.1, topoQ: Infinity })]) {
      const inf = fakeRun(join(root, 'inf'), 0.1, [row('s1')]);
      writeFileSync(join(inf, 'config.json'), saved);
      const r = compareRuns([base, inf], { examples: 0 });
      assert.match(r.methods[1].label, /q=Infinity/);
    }
  });
});


// compare --out RUN/config.json wrote the report over the run's config and ruined the run.
test('compare --out: refused inside a run (also through a symlink), over a file that is not a report, or in a missing folder', () =>
  inTempDir('compare', async (root) => {
    const run = fakeRun(join(root, 'runs', 'a'), 0.1, [row('s1')]);
    const config = readFileSync(join(run, 'config.json'));
    symlinkSync(run, join(root, 'link'));
    writeFileSync(join(root, 'notes.html'), 'my notes');
    const refused = (out: string, message: RegExp) => assertRejects(writeReport([run], out, {}, NO_GPU), UserError, message);
    await refused(join(run, 'config.json'), /lies inside the run .*runs\/a; write the report elsewhere/);
    await refused(join(root, 'link', 'report.html'), /lies inside the run/);
    await refused(join(root, 'notes.html'), /notes\.html: exists and is not an earlier report/);
    await refused(join(root, 'missing', 'report.html'), /no folder .*missing/);
    assert.equal(readFileSync(join(run, 'config.json')), config);
    assert.is(readFileSync(join(root, 'notes.html'), 'utf8'), 'my notes');
    // an earlier report is replaced (the run's data folder is gone: a report without example pictures)
    writeFileSync(join(run, 'config.json'), JSON.stringify({ ...TRAIN_DEFAULTS, lambda: 0.1, data: join(root, 'gone') }));
    writeFileSync(join(root, 'report.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>topo-shapr: old</title>');
    await writeReport([run], join(root, 'report.html'), {}, NO_GPU);
    const html = readFileSync(join(root, 'report.html'), 'utf8');
    assert.not.match(html, /topo-shapr: old/);
    assert.match(html, /<title>topo-shapr: SHAPR with and without/);
    assert.match(html, /gone is not found/);
    assert.not.match(html, /3D views|asked for a GPU/);
    // which code made it: the package version, and the commit in a git checkout (as the tests run in)
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const checkout = existsSync(new URL('../../.git', import.meta.url));
    assert.match(html, new RegExp(`<th>made by</th><td>topo-shapr ${version.replace(/\./g, '\\.')}${checkout ? ' \\(git [0-9a-f]{7,}(-dirty)?\\)' : ''}</td>`));
  }));

// With three configurations the third was left out of the tests without a word.
test('every configuration is tested against the first; runs without common samples say so', () =>
  inTempDir('compare', (root) => {
    const rows = (iou: number[]) => iou.map((v, i) => ({ ...row(`s${i}`), iou_error: v }));
    const a = fakeRun(join(root, 'a'), 0, rows([0.5, 0.4, 0.6, 0.7, 0.3, 0.5]));
    const b = fakeRun(join(root, 'b'), 0.1, rows([0.2, 0.1, 0.3, 0.4, 0.1, 0.2]));
    const c = fakeRun(join(root, 'c'), 0.2, rows([0.6, 0.5, 0.7, 0.8, 0.4, 0.6]));
    const r = compareRuns([a, b, c], { examples: 0 });
    const iou = r.tests.filter((t) => t.metric === 'iou_error');
    assert.equal(iou.map((t) => [t.a, t.b, t.pairs]), [[r.methods[0].label, r.methods[1].label, 6], [r.methods[0].label, r.methods[2].label, 6]]);
    assert.ok(iou.every((t) => t.result && t.result.n === 6));
    const html = renderReport(r);
    assert.ok(html.includes(`${r.methods[0].label} vs ${r.methods[2].label}`), 'a p-value column for the third configuration');
    assert.is(r.meta['test samples'], undefined, 'the same samples everywhere: nothing to say');
    // a configuration with samples the other lacks (another fold): said, in the report's header
    const e = fakeRun(join(root, 'e'), 0.1, rows([0.2, 0.1, 0.3]));
    const part = compareRuns([a, e], { examples: 0 });
    assert.match(part.meta['test samples'], /: 6, .*: 3; 3 in all of them\. The means are over different samples/);
    assert.ok(renderReport(part).includes('3 in all of them'));
    const d = fakeRun(join(root, 'd'), 0.3, [row('other')]);
    const none = compareRuns([a, d], { examples: 0 });
    assert.ok(none.tests.every((t) => t.pairs === 0 && t.result === null));
    assert.ok(renderReport(none).includes('no common samples'));
  }));

test('methodKey: folds pool; options training did not use (topological at λ = 0, generator on a data folder) do not split a method', () => {
  const base = { ...TRAIN_DEFAULTS, lambda: 0 };
  assert.is(methodKey({ ...base, fold: 1 }), methodKey(base));
  assert.is(methodKey({ ...base, topoDims: [0, 2], topoQ: 3, topoSize: 32, topoPersistence: 0.5 }), methodKey(base));
  assert.is.not(methodKey({ ...base, lambda: 0.1, topoDims: [0, 2] }), methodKey({ ...base, lambda: 0.1 }));
  assert.is(methodKey({ ...base, data: '/d', syntheticCount: 7 }), methodKey({ ...base, data: '/d' }));
  assert.is.not(methodKey({ ...base, syntheticCount: 7 }), methodKey(base));
  assert.is.not(methodKey({ ...base, lr: 0.002 }), methodKey(base));
  // the data folder's path counts only where runs' samples are not checked (no samples.json)
  assert.is(methodKey({ ...base, data: '/a' }, true), methodKey({ ...base, data: '/b' }, true));
  assert.is.not(methodKey({ ...base, data: '/a' }), methodKey({ ...base, data: '/b' }));
});

test('runs trained on different samples (samples.json differ) are refused; runs without one are compared', () =>
  inTempDir('compare', (root) => {
    const a = fakeRun(join(root, 'a'), 0, [row('s1'), row('s2')]);
    const b = fakeRun(join(root, 'b'), 0.1, [row('s1'), row('s2')]);
    assert.is(compareRuns([a, b], { examples: 0 }).methods.length, 2);
    writeFileSync(join(a, 'samples.json'), JSON.stringify({ count: 2, sha256: 'aa' }));
    assert.is(compareRuns([a, b], { examples: 0 }).methods.length, 2);
    writeFileSync(join(b, 'samples.json'), JSON.stringify({ count: 2, sha256: 'bb' }));
    assert.throws(() => compareRuns([a, b], { examples: 0 }), (e: Error) => e instanceof UserError && /a and .*b were trained on different samples \(their samples\.json differ\)/.test(e.message));
    writeFileSync(join(b, 'samples.json'), JSON.stringify({ count: 2, sha256: 'aa' }));
    assert.is(compareRuns([a, b], { examples: 0 }).methods.length, 2);
  }));

// Runs copied away from their data (from a cluster) were refused; the statistics need only the runs.
test('runs whose data folder is not here are compared without example pictures, and the report says why', () =>
  inTempDir('compare', (root) => {
    const runOn = (dir: string, lambda: number) => {
      const d = fakeRun(dir, lambda, [row('s1'), row('s2')]);
      writeFileSync(join(d, 'config.json'), JSON.stringify({ ...TRAIN_DEFAULTS, lambda, data: join(root, 'gone') }));
      return d;
    };
    const r = compareRuns([runOn(join(root, 'a'), 0), runOn(join(root, 'b'), 0.1)]);
    assert.is(r.examples.length, 0);
    assert.match(r.meta['example pictures'], /^none: .*a\/config\.json: its data folder .*gone is not found/);
    assert.ok(renderReport(r).includes('example pictures'));
    assert.is(r.methods.length, 2);
  }));

test('runs whose predictions were deleted (or copied without their .tif files) are compared without example pictures, naming the file', () =>
  inTempDir('compare', (root) => {
    const a = fakeRun(join(root, 'a'), 0, [row('s1')]);
    const b = fakeRun(join(root, 'b'), 0.1, [row('s1')]);
    mkdirSync(join(a, 'predictions'));
    writeFileSync(join(a, 'predictions', 's1.tif'), '');
    const r = compareRuns([a, b]);
    assert.is(r.examples.length, 0);
    assert.match(r.meta['example pictures'], /^none: .*\/b\/predictions\/s1\.tif is not found/);
    mkdirSync(join(b, 'predictions'));
    assert.match(compareRuns([a, b]).meta['example pictures'], /^none: .*\/b\/predictions\/s1\.tif is not found/);
  }));

// A fold requeued on another node resumes from another copy of its data (trainer.ts): still the same method.
test('runs of one configuration on data at other paths are one method', () =>
  inTempDir('compare', (root) => {
    const a = fakeRun(join(root, 'a'), 0.1, [row('s1')]);
    const b = fakeRun(join(root, 'b'), 0.1, [row('s2')]);
    writeFileSync(join(a, 'config.json'), JSON.stringify({ ...TRAIN_DEFAULTS, lambda: 0.1, fold: 0, data: join(root, 'data') }));
    writeFileSync(join(b, 'config.json'), JSON.stringify({ ...TRAIN_DEFAULTS, lambda: 0.1, fold: 1, data: join(root, 'scratch') }));
    // without samples.json (older runs) the path is the only sign of other data: two methods
    assert.equal(compareRuns([a, b], { examples: 0 }).methods.map((m) => m.runs.length), [1, 1]);
    for (const d of [a, b]) writeFileSync(join(d, 'samples.json'), JSON.stringify({ count: 2, sha256: 'aa' }));
    assert.equal(compareRuns([a, b], { examples: 0 }).methods.map((m) => m.runs.length), [2]);
  }));

test.run();
