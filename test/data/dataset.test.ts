import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classFromName, formatClassesCsv, readClassesCsv, sampleClass } from '../../src/data/class_names.ts';
import { loadDataset, validateDataset } from '../../src/data/dataset.ts';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { UserError } from '../../src/util/errors.ts';

const SAMPLE = new URL('../../../shared/data/shapr-sample/', import.meta.url).pathname;
const S = 16;
const samples = generateDataset({ n: 12, size: S, seed: 5 });

// A fresh copy of the small synthetic dataset in a temp folder.
function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-ds-'));
  writeDataset(dir, samples);
  return dir;
}

function expectError(dir: string, pattern: RegExp): void {
  try {
    loadDataset(dir);
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, pattern);
    assert.not.match((err as Error).message, /\n/);
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  assert.unreachable(`expected an error matching ${pattern}`);
}

test('class from file name: trailing number and separators stripped', () => {
  assert.is(classFromName('A_cell_clusters000604'), 'A_cell_clusters');
  assert.is(classFromName('cell_cluster_0007'), 'cell_cluster');
  assert.is(classFromName('discocyte-12'), 'discocyte');
  assert.is(classFromName('0042'), 'unlabelled');
});

test('written synthetic dataset reads back identically, with classes and summary', () => {
  const dir = fresh();
  const ds = loadDataset(dir);
  assert.is(ds.samples.length, samples.length);
  assert.equal(ds.shape, [S, S, S]);
  const byName = new Map(samples.map((s) => [s.name, s]));
  for (const s of ds.samples) {
    const g = byName.get(s.name)!;
    assert.is(s.className, g.className);
    assert.equal([...s.target], [...g.target], s.name);
    assert.equal([...s.input], [...g.input], s.name);
    assert.equal([...s.image], [...g.image], s.name);
  }
  assert.is(ds.summary.classesFrom, 'classes.csv');
  assert.is(Object.values(ds.summary.perClass).reduce((a, b) => a + b, 0), 12);
  assert.is(ds.summary.perClass.spherocyte, 2); // 12 samples cycle through 10 classes
  assert.is(ds.summary.perClass.discocyte, 1);
  assert.is(ds.summary.maskMidSliceIou, 1);
  // without classes.csv the class comes from the file-name prefix: the same labels
  unlinkSync(join(dir, 'classes.csv'));
  const again = loadDataset(dir);
  assert.is(again.summary.classesFrom, 'file names');
  assert.equal(again.samples.map((s) => s.className), ds.samples.map((s) => s.className));
  rmSync(dir, { recursive: true, force: true });
});

test('classes.csv overrides the file names and must list every sample', () => {
  const dir = fresh();
  const rows = samples.map((s, i) => `${s.name}.tif,group${i % 2}`);
  writeFileSync(join(dir, 'classes.csv'), ['name,class', ...rows].join('\n'));
  assert.equal(Object.keys(loadDataset(dir).summary.perClass), ['group0', 'group1']);
  assert.not.ok(loadDataset(dir).summary.warnings.some((w) => w.startsWith('classes.csv')));
  // a row that names no sample (a typo): warned of (it was accepted silently)
  writeFileSync(join(dir, 'classes.csv'), ['name,class', ...rows, 'ghost001,group0'].join('\n'));
  assert.ok(loadDataset(dir).summary.warnings.includes('classes.csv: 1 row names no sample (e.g. "ghost001")'), loadDataset(dir).summary.warnings.join('\n'));
  writeFileSync(join(dir, 'classes.csv'), ['name,class', ...rows].join('\n'));
  writeFileSync(join(dir, 'classes.csv'), ['name,class', ...rows.slice(1)].join('\n'));
  expectError(dir, new RegExp(`classes\\.csv: no class for sample "${samples[0].name}"`));
  // quoted fields as spreadsheets write them, comments, blank lines and a header (a split on commas read
  // "Class, A" as the class '"Class' and merged every sample into it)
  let d3 = fresh();
  const quoted = samples.map((s, i) => (i % 2 ? `"${s.name}","Class, A"` : `${s.name} , "say ""B"""`));
  writeFileSync(join(d3, 'classes.csv'), ['# from a spreadsheet', '"name","class"', '', ...quoted].join('\r\n'));
  assert.equal(Object.keys(loadDataset(d3).summary.perClass).sort(), ['Class, A', 'say "B"']);
  // what the writer formats, the reader reads back
  const names = samples.map((s, i) => ({ name: s.name, className: ['a,b', ' c', 'd"e', '#f', 'g'][i % 5] }));
  writeFileSync(join(d3, 'classes.csv'), formatClassesCsv(names));
  assert.equal([...readClassesCsv(join(d3, 'classes.csv'))!.values()], names.map((r) => r.className));
  // a row with three fields, and an unterminated quote: named with their line
  writeFileSync(join(d3, 'classes.csv'), ['name,class', `${samples[0].name},A,B`].join('\n'));
  expectError(d3, /classes\.csv: line 2: expected "name,class", got 3 field\(s\)/);
  d3 = fresh();
  writeFileSync(join(d3, 'classes.csv'), ['name,class', `"${samples[0].name},A`].join('\n'));
  expectError(d3, /classes\.csv: not a valid CSV file \(.*quote/i);
  // "all" names the summary over all samples: a class of that name replaced it in evaluate and compare
  d3 = fresh();
  writeFileSync(join(d3, 'classes.csv'), ['name,class', ...samples.map((s) => `${s.name},all`)].join('\n'));
  expectError(d3, /classes\.csv: line 2: the class name "all" is reserved for all samples together/);
  assert.throws(() => sampleClass('all_0001', null, 'x/classes.csv'), /x\/classes\.csv: the file name of sample "all_0001" gives the class "all", reserved/);
  // unreadable (here a folder): one line naming it, not an EISDIR stack trace
  const dir2 = fresh();
  rmSync(join(dir2, 'classes.csv'));
  mkdirSync(join(dir2, 'classes.csv'));
  expectError(dir2, /classes\.csv: is a folder, not a file/);
});

test('missing partner file names the missing file', () => {
  const dir = fresh();
  const name = samples[3].name;
  unlinkSync(join(dir, 'mask', `${name}.tif`));
  expectError(dir, new RegExp(`mask/${name}\\.tif: missing \\(partner of obj/${name}\\.tif\\)$`));
  // saved in another format: said so
  const dir2 = fresh();
  unlinkSync(join(dir2, 'mask', `${name}.tif`));
  writeFileSync(join(dir2, 'mask', `${name}.png`), 'not read');
  expectError(dir2, new RegExp(`mask/${name}\\.tif: missing \\(partner of obj/${name}\\.tif\\); ${name}\\.png is there, but only TIFF files are read`));
});

test('truncated and non-TIFF files are named', () => {
  let dir = fresh();
  const obj = join(dir, 'obj', `${samples[2].name}.tif`);
  const bytes = readFileSync(obj);
  writeFileSync(obj, bytes.subarray(0, Math.floor(bytes.length / 2)));
  expectError(dir, new RegExp(`obj/${samples[2].name}\\.tif: truncated TIFF`));
  dir = fresh();
  writeFileSync(join(dir, 'image', `${samples[4].name}.tif`), 'not an image at all\n');
  expectError(dir, new RegExp(`image/${samples[4].name}\\.tif: not a TIFF file`));
});

test('wrong shapes are named: a mask of another size, an obj of another depth', () => {
  let dir = fresh();
  writeFileSync(join(dir, 'mask', `${samples[1].name}.tif`), encodeTiff(new Float32Array(8 * 8), [1, 8, 8], 'uint8'));
  expectError(dir, new RegExp(`mask/${samples[1].name}\\.tif: shape 8×8, expected 16×16`));
  dir = fresh();
  writeFileSync(join(dir, 'obj', `${samples[5].name}.tif`), encodeTiff(new Float32Array(12 * S * S), [12, S, S], 'uint8'));
  expectError(dir, new RegExp(`obj/${samples[5].name}\\.tif: shape 12×16×16, expected 16×16×16`));
});

test('NaN and out-of-range float values are named with the voxel', () => {
  let dir = fresh();
  const t = Float32Array.from(samples[0].target);
  t[3 * S * S + 2 * S + 1] = NaN;
  writeFileSync(join(dir, 'obj', `${samples[0].name}.tif`), encodeTiff(t, [S, S, S], 'float32'));
  expectError(dir, new RegExp(`obj/${samples[0].name}\\.tif: contains NaN at \\(z 3, y 2, x 1\\)`));
  dir = fresh();
  writeFileSync(join(dir, 'image', `${samples[0].name}.tif`), encodeTiff(new Float32Array(S * S).fill(200), [1, S, S], 'float32'));
  expectError(dir, /outside \[0, 1\]/);
});

// Labels 0/1 (uint8) or a camera's 0/4095 (uint16) read as empty masks and shapes: training had no foreground.
test('labels stored at or below half of full scale read as those stored at full scale, with one note per folder', () => {
  const dir = fresh();
  const bin = (a: Float32Array) => Float32Array.from(a, (x) => (x > 0.5 ? 1 : 0));
  const mask2 = bin(samples[2].input.subarray(0, S * S));
  const obj2 = bin(samples[2].target);
  const obj3 = bin(samples[3].target);
  const write = (sub: string, name: string, data: Float32Array, shape: [number, number, number], type: 'uint8' | 'uint16', level: number) =>
    writeFileSync(join(dir, sub, `${name}.tif`), encodeTiff(data.map((x) => x * level), shape, type));
  write('mask', samples[2].name, mask2, [1, S, S], 'uint8', 1 / 255);
  write('obj', samples[2].name, obj2, [S, S, S], 'uint16', 4095 / 65535);
  write('obj', samples[3].name, obj3, [S, S, S], 'uint8', 1 / 255);
  // the same labels at full scale: what the rescaled files must read as
  const full = fresh();
  writeFileSync(join(full, 'mask', `${samples[2].name}.tif`), encodeTiff(mask2, [1, S, S], 'uint8'));
  writeFileSync(join(full, 'obj', `${samples[2].name}.tif`), encodeTiff(obj2, [S, S, S], 'uint8'));
  writeFileSync(join(full, 'obj', `${samples[3].name}.tif`), encodeTiff(obj3, [S, S, S], 'uint8'));
  const [ds, ref] = [loadDataset(dir), loadDataset(full)];
  rmSync(dir, { recursive: true, force: true });
  rmSync(full, { recursive: true, force: true });
  for (const k of [2, 3]) {
    assert.equal(ds.samples[k].input, ref.samples[k].input, `input ${k}`);
    assert.equal(ds.samples[k].target, ref.samples[k].target, `target ${k}`);
  }
  const w = ds.summary.warnings;
  assert.ok(w.includes(`mask/${samples[2].name}.tif: largest uint8 value 1 of 255, at or below half of full scale: read relative to it (foreground above half of it)`), w.join('\n'));
  assert.ok(w.includes(`obj: 2 files have their largest value at or below half of full scale (e.g. obj/${samples[2].name}.tif: uint16 value 4095 of 65535): each is read relative to its largest value`), w.join('\n'));
  assert.not.ok(w.some((x) => /empty/.test(x)), w.join('\n'));
  assert.equal(ref.summary.warnings.filter((x) => /half of full scale/.test(x)), []);
});

// mask/ and image/ swapped: inspect said OK, with warnings about masks unlike the middle slice
test('a mask with many more grey levels than its image (mask/ and image/ swapped) is refused by name', () => {
  const dir = fresh();
  for (const s of samples) {
    const [m, i] = [join(dir, 'mask', `${s.name}.tif`), join(dir, 'image', `${s.name}.tif`)];
    const [mb, ib] = [readFileSync(m), readFileSync(i)];
    writeFileSync(m, ib);
    writeFileSync(i, mb);
  }
  expectError(dir, /mask\/\w+\.tif: the mask has \d+ grey levels and its image 2: are mask\/ and image\/ swapped\?/);
});

test('empty and missing folders', () => {
  let dir = fresh();
  for (const s of samples) for (const sub of ['obj', 'mask', 'image']) unlinkSync(join(dir, sub, `${s.name}.tif`));
  expectError(dir, /obj: no \.tif files in folder/);
  dir = fresh();
  rmSync(join(dir, 'image'), { recursive: true });
  expectError(dir, /image: missing folder/);
  expectError(join(tmpdir(), 'no-such-topo-shapr-dir'), /no-such-topo-shapr-dir: no such folder/);
});

const real = existsSync(SAMPLE) ? test : test.skip;

real('real SHAPR sample folder: 135 samples in 4 classes, 64³', () => {
  const s = validateDataset(SAMPLE);
  assert.is(s.count, 135);
  assert.equal(s.shape, [64, 64, 64]);
  assert.equal(s.perClass, { A_cell_clusters: 69, B_keratocytes: 31, C_knizocytes: 23, D_multilobate_cells: 12 });
  assert.ok(s.maskMidSliceIou > 0.95);
});

// The warning about file names that carry no class fired on a valid 6-sample subset of SHAPR's data.
test('file names that give one class per sample are warned about; a small subset of a few classes is not', () => {
  const named = (names: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-ds-'));
    writeDataset(dir, names.map((name, i) => ({ ...samples[i % samples.length], name })));
    rmSync(join(dir, 'classes.csv'));
    const w = loadDataset(dir).summary.warnings;
    rmSync(dir, { recursive: true, force: true });
    return w.some((x) => /classes from \d+ file names: names may not start with a class/.test(x));
  };
  assert.not.ok(named(['A_cell000604', 'A_cell000605', 'B_disc000001', 'C_kni000704', 'D_sph000002', 'D_sph000003']), 'a subset of 4 classes');
  assert.ok(named(['cell_t01_z', 'cell_t02_z', 'cell_t03_z', 'cell_t04_z', 'cell_t05_z', 'cell_t06_z']), 'one class per sample');
  assert.ok(named(Array.from({ length: 24 }, (_, i) => `group${String.fromCharCode(97 + (i % 13))}_${i}`)), '13 classes among 24 samples');
});

test.run();
