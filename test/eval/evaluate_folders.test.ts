import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { evaluateFolders, toJsonRows } from '../../src/eval/evaluate_folders.ts';
import { wilcoxon } from '../../src/eval/wilcoxon.ts';
import { UserError } from '../../src/util/errors.ts';

const S = 16;
const samples = generateDataset({ n: 6, size: S, seed: 2 });
const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-eval-'));
writeDataset(join(dir, 'truth'), samples);
// predictions: the truth as float32, and a second folder with each volume shifted by one slice
mkdirSync(join(dir, 'same'));
mkdirSync(join(dir, 'shift'));
for (const s of samples) {
  writeFileSync(join(dir, 'same', `${s.name}.tif`), encodeTiff(s.target, [S, S, S], 'float32'));
  const shifted = new Float32Array(s.target.length);
  shifted.set(s.target.subarray(S * S), 0);
  writeFileSync(join(dir, 'shift', `${s.name}.tif`), encodeTiff(shifted, [S, S, S], 'float32'));
}
const BIN = fileURLToPath(new URL('../../harness/bin/topo-shapr.js', import.meta.url));

test('truth against itself: all errors 0; a dataset root is read through its obj/ folder', () => {
  const rows = evaluateFolders(join(dir, 'truth'), join(dir, 'same'));
  assert.is(rows.length, 6);
  for (const r of rows) assert.equal([r.iouError, r.volumeError, r.surfaceError, r.roughnessError], [0, 0, 0, 0]);
  assert.equal(rows.map((r) => r.className).sort(), samples.map((s) => s.className).sort());
  // TIFFs beside obj/ (predictions written into the root) are refused as ambiguous, not taken for the truth
  const root = join(dir, 'truth-with-stray');
  writeDataset(root, samples);
  writeFileSync(join(root, `${samples[0].name}.tif`), readFileSync(join(dir, 'shift', `${samples[0].name}.tif`)));
  assert.throws(() => evaluateFolders(root, join(dir, 'same')), (e: unknown) => e instanceof UserError && /truth-with-stray: holds 1 \.tif file\(s\) and an obj\/ folder: give the folder of volumes itself/.test((e as Error).message));
});

test('a shifted prediction has positive IoU error; JSON rows carry the metric names', () => {
  const rows = evaluateFolders(join(dir, 'truth', 'obj'), join(dir, 'shift'));
  for (const r of rows) assert.ok(r.iouError > 0, r.name);
  const json = toJsonRows(rows);
  assert.equal(Object.keys(json[0]), ['name', 'className', 'iou_error', 'volume_error', 'surface_error', 'roughness_error', 'betti_error']);
  assert.is(JSON.stringify(toJsonRows([{ ...rows[0], roughnessError: NaN }])).includes('"roughness_error":null'), true);
});

test('a sample missing from classes.csv is named, as in training (it fell back to its file name)', () => {
  const root = join(dir, 'truth_csv');
  writeDataset(root, samples);
  const csv = readFileSync(join(root, 'classes.csv'), 'utf8').split('\n');
  writeFileSync(join(root, 'classes.csv'), csv.filter((l) => !l.startsWith(`${samples[2].name},`)).join('\n'));
  assert.throws(() => evaluateFolders(root, join(dir, 'same')), (e: unknown) => e instanceof UserError && (e as Error).message.includes(`classes.csv: no class for sample "${samples[2].name}"`));
});

test('predictions without a truth and mis-shaped ones are named; truths without a prediction are left out', () => {
  const bad = join(dir, 'bad');
  mkdirSync(bad);
  for (const s of samples.slice(1)) writeFileSync(join(bad, `${s.name}.tif`), encodeTiff(s.target, [S, S, S], 'uint8'));
  // truths without a prediction are left out (a run predicts its test fold only)
  assert.equal(evaluateFolders(join(dir, 'truth'), bad).map((r) => r.name).sort(), samples.slice(1).map((s) => s.name).sort());
  writeFileSync(join(bad, `${samples[0].name}.tif`), encodeTiff(new Float32Array(8 * S * S), [8, S, S], 'uint8'));
  assert.throws(() => evaluateFolders(join(dir, 'truth'), bad), (e: unknown) => e instanceof UserError && /shape 8×16×16, truth is 16×16×16/.test((e as Error).message));
  writeFileSync(join(bad, 'extra_0001.tif'), encodeTiff(new Float32Array(S * S * S), [S, S, S], 'uint8'));
  unlinkSync(join(bad, `${samples[0].name}.tif`));
  writeFileSync(join(bad, `${samples[0].name}.tif`), encodeTiff(samples[0].target, [S, S, S], 'uint8'));
  assert.throws(() => evaluateFolders(join(dir, 'truth'), bad), (e: unknown) => e instanceof UserError && /extra_0001\.tif: no ground truth/.test((e as Error).message));
});

test('a NaN or infinite voxel in a prediction (or the truth) is named with the voxel, not scored', () => {
  const bad = join(dir, 'nan');
  mkdirSync(bad);
  for (const s of samples) writeFileSync(join(bad, `${s.name}.tif`), encodeTiff(s.target, [S, S, S], 'float32'));
  const v = Float32Array.from(samples[3].target);
  v[(2 * S + 5) * S + 7] = NaN;
  writeFileSync(join(bad, `${samples[3].name}.tif`), encodeTiff(v, [S, S, S], 'float32'));
  assert.throws(() => evaluateFolders(join(dir, 'truth'), bad), (e: unknown) => e instanceof UserError && new RegExp(`nan/${samples[3].name}\\.tif: contains NaN at \\(z 2, y 5, x 7\\)`).test((e as Error).message));
  // and as the truth folder (any finite values allowed there: a score need not lie in [0, 1])
  assert.throws(() => evaluateFolders(bad, join(dir, 'same')), (e: unknown) => e instanceof UserError && /contains NaN/.test((e as Error).message));
});

test('CLI: evaluate --json prints the rows; inspect on a broken folder exits 1 with one line', () => {
  const ev = spawnSync(process.execPath, [BIN, 'evaluate', '--truth', join(dir, 'truth'), '--pred', join(dir, 'same'), '--json'], { encoding: 'utf8' });
  assert.is(ev.status, 0, ev.stderr);
  const rows = JSON.parse(ev.stdout);
  assert.is(rows.length, 6);
  assert.is(rows[0].iou_error, 0);
  // progress reaches a log that is not a terminal (stderr; stdout stays JSON)
  assert.match(ev.stderr, /evaluate .*same 6\/6/);
  // a subset of predictions (a run's test fold) is evaluated, and said to be one
  const part = join(dir, 'part');
  mkdirSync(part);
  for (const s of samples.slice(0, 4)) writeFileSync(join(part, `${s.name}.tif`), encodeTiff(s.target, [S, S, S], 'float32'));
  const sub = spawnSync(process.execPath, [BIN, 'evaluate', '--truth', join(dir, 'truth'), '--pred', part, '--json'], { encoding: 'utf8' });
  assert.is(sub.status, 0, sub.stderr);
  assert.is(JSON.parse(sub.stdout).length, 4);
  assert.match(sub.stderr, /4 of the 6 truth volumes have a prediction in .*part: evaluating those/);
  // every fold's predictions against one fold's: the test pairs the samples both hold, by name, and says so
  const fold = join(dir, 'fold');
  mkdirSync(fold);
  // the last four by name, so that pairing by position would pair other samples
  for (const s of [...samples].sort((a, b) => (a.name < b.name ? -1 : 1)).slice(2)) {
    const moved = new Float32Array(s.target.length); // shifted by one voxel along x: other errors than shift/'s
    moved.set(s.target.subarray(1), 0);
    writeFileSync(join(fold, `${s.name}.tif`), encodeTiff(moved, [S, S, S], 'float32'));
  }
  // a missing --against folder is named before the first folder is evaluated (no progress bar of it)
  const missing = spawnSync(process.execPath, [BIN, 'evaluate', '--truth', join(dir, 'truth'), '--pred', join(dir, 'shift'), '--against', join(dir, 'nope')], { encoding: 'utf8' });
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /nope: no such folder/);
  assert.not.match(missing.stderr, /evaluate .*shift/);
  const pair = spawnSync(process.execPath, [BIN, 'evaluate', '--truth', join(dir, 'truth'), '--pred', join(dir, 'shift'), '--against', fold, '--json'], { encoding: 'utf8' });
  assert.is(pair.status, 0, pair.stderr);
  assert.match(pair.stderr, /4 samples are in both .*shift \(6\) and .*fold \(4\): the paired test takes those/);
  const paired = JSON.parse(pair.stdout);
  assert.is(paired.pred.length, 6);
  assert.is(paired.against.length, 4);
  assert.is(paired.paired, 4);
  type Row = { name: string; iou_error: number };
  const byName = new Map((paired.against as Row[]).map((r) => [r.name, r]));
  const matched = (paired.pred as Row[]).filter((r) => byName.has(r.name));
  const expected = wilcoxon(matched.map((r) => r.iou_error), matched.map((r) => byName.get(r.name)!.iou_error));
  const byIndex = wilcoxon((paired.pred as Row[]).slice(0, 4).map((r) => r.iou_error), (paired.against as Row[]).map((r) => r.iou_error));
  assert.not.equal(byIndex.statistic, expected.statistic, 'the case tells pairing by name from pairing by position');
  assert.equal(paired.wilcoxon[0], { metric: 'iou_error', ...expected });
  // the text output: the means beside each test are over the same pairs
  const text = spawnSync(process.execPath, [BIN, 'evaluate', '--truth', join(dir, 'truth'), '--pred', join(dir, 'shift'), '--against', fold], { encoding: 'utf8' });
  assert.is(text.status, 0, text.stderr);
  const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(4);
  assert.match(text.stdout, /vs .*fold, over the 4 samples both hold:/);
  assert.ok(text.stdout.includes(`iou_error       mean ${mean(matched.map((r) => r.iou_error))} vs ${mean(matched.map((r) => byName.get(r.name)!.iou_error))}`), text.stdout);
  const rest = join(dir, 'rest');
  mkdirSync(rest);
  for (const s of samples.slice(4)) writeFileSync(join(rest, `${s.name}.tif`), encodeTiff(s.target, [S, S, S], 'float32'));
  const none = spawnSync(process.execPath, [BIN, 'evaluate', '--truth', join(dir, 'truth'), '--pred', part, '--against', rest], { encoding: 'utf8' });
  assert.is(none.status, 1);
  assert.match(none.stderr, /rest: no sample in common with .*part; the paired test needs predictions of the same samples/);
  assert.is(none.stdout, '', 'nothing printed before the refusal');
  unlinkSync(join(dir, 'truth', 'image', `${samples[2].name}.tif`));
  const ins = spawnSync(process.execPath, [BIN, 'inspect', join(dir, 'truth')], { encoding: 'utf8' });
  assert.is(ins.status, 1);
  const lines = ins.stderr.trim().split('\n');
  assert.is(lines.length, 1, ins.stderr);
  assert.match(lines[0], new RegExp(`image/${samples[2].name}\\.tif: missing \\(partner of`));
  rmSync(dir, { recursive: true, force: true });
});

test.run();
