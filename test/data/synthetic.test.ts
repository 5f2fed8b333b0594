import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classFromName } from '../../src/data/class_names.ts';
import { generateDataset, generateSample, midSlice, SYNTHETIC_CLASSES } from '../../src/data/synthetic.ts';
import { Rng } from '../../src/util/rng.ts';

const S = 24;

test('every class: shapes, values in [0,1] on the 1/255 grid, soft border, mask = middle slice > 0.5', () => {
  for (const cls of SYNTHETIC_CLASSES) {
    const s = generateSample(cls, S, new Rng(11));
    assert.is(s.className, cls);
    assert.equal(s.shape, [S, S, S]);
    assert.is(s.target.length, S ** 3);
    assert.is(s.input.length, 2 * S * S);
    assert.is(s.image.length, S * S);
    let inside = 0;
    let soft = 0;
    for (const v of s.target) {
      assert.ok(v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4, `${cls}: value ${v}`);
      if (v > 0.5) inside++;
      if (v > 0 && v < 1) soft++;
    }
    assert.ok(inside > 20 && inside < 0.5 * S ** 3, `${cls}: ${inside} object voxels`);
    assert.ok(soft > 0, `${cls}: no partial-volume border`);
    const m = midSlice(S) * S * S;
    let area = 0;
    for (let i = 0; i < S * S; i++) {
      assert.is(s.input[i], s.target[m + i] > 0.5 ? 1 : 0, `${cls}: mask at ${i}`);
      assert.is(s.input[S * S + i], s.image[i] * s.input[i]);
      area += s.input[i];
    }
    assert.ok(area >= 4, `${cls}: mask area ${area}`);
    // the image is brighter inside the cell than outside
    let fin = 0;
    let fout = 0;
    for (let i = 0; i < S * S; i++) s.input[i] ? (fin += s.image[i]) : (fout += s.image[i]);
    assert.ok(fin / area > 2 * (fout / (S * S - area)), `${cls}: image contrast`);
  }
});

test('seeded: same seed gives identical samples, another seed different ones', () => {
  const a = generateDataset({ n: 4, size: 16, seed: 3 });
  const b = generateDataset({ n: 4, size: 16, seed: 3 });
  const c = generateDataset({ n: 4, size: 16, seed: 4 });
  for (let i = 0; i < 4; i++) {
    assert.equal([...a[i].target], [...b[i].target]);
    assert.equal([...a[i].input], [...b[i].input]);
    assert.not.equal([...a[i].target], [...c[i].target]);
  }
  // a sample does not depend on how many are generated
  const d = generateDataset({ n: 2, size: 16, seed: 3 });
  assert.equal([...d[1].target], [...a[1].target]);
});

test('datasets cycle through the classes; names carry the class', () => {
  const ds = generateDataset({ n: 23, size: 16, seed: 1 });
  const count = new Map<string, number>();
  for (const s of ds) {
    assert.is(classFromName(s.name), s.className);
    count.set(s.className, (count.get(s.className) ?? 0) + 1);
  }
  assert.is(count.size, 10);
  for (const n of count.values()) assert.ok(n === 2 || n === 3);
  assert.is(new Set(ds.map((s) => s.name)).size, 23);
});

test('shapes differ by class in the expected way (spherocytes round and thick, discocytes flat)', () => {
  // extent along the smallest principal direction relative to the largest, averaged over a few samples
  const flatness = (cls: (typeof SYNTHETIC_CLASSES)[number]) => {
    let sum = 0;
    for (let k = 0; k < 4; k++) {
      const s = generateSample(cls, 32, new Rng(100 + k));
      const pts: number[][] = [];
      for (let i = 0; i < s.target.length; i++) if (s.target[i] > 0.5) pts.push([i % 32, Math.floor(i / 32) % 32, Math.floor(i / 1024)]);
      const mean = [0, 1, 2].map((j) => pts.reduce((a, p) => a + p[j], 0) / pts.length);
      const cov = [0, 1, 2].map((a) => [0, 1, 2].map((b) => pts.reduce((acc, p) => acc + (p[a] - mean[a]) * (p[b] - mean[b]), 0) / pts.length));
      const ev = eigenvaluesSym3(cov);
      sum += Math.sqrt(ev[0] / ev[2]);
    }
    return sum / 4;
  };
  const sphere = flatness('spherocyte');
  const disc = flatness('discocyte');
  assert.ok(sphere > 0.75, `spherocyte ratio ${sphere}`);
  assert.ok(disc < 0.5, `discocyte ratio ${disc}`);
});

// Eigenvalues (ascending) of a symmetric 3×3 matrix (trigonometric method).
function eigenvaluesSym3(a: number[][]): number[] {
  const p1 = a[0][1] ** 2 + a[0][2] ** 2 + a[1][2] ** 2;
  const q = (a[0][0] + a[1][1] + a[2][2]) / 3;
  const p2 = (a[0][0] - q) ** 2 + (a[1][1] - q) ** 2 + (a[2][2] - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  const b = a.map((row, i) => row.map((v, j) => (v - (i === j ? q : 0)) / p));
  const det = b[0][0] * (b[1][1] * b[2][2] - b[1][2] * b[2][1]) - b[0][1] * (b[1][0] * b[2][2] - b[1][2] * b[2][0]) + b[0][2] * (b[1][0] * b[2][1] - b[1][1] * b[2][0]);
  const phi = Math.acos(Math.max(-1, Math.min(1, det / 2))) / 3;
  const e1 = q + 2 * p * Math.cos(phi);
  const e3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  return [e3, 3 * q - e1 - e3, e1];
}

test.run();
