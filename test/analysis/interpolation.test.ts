import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyseVolume, diagramDistance, summarise, summaryMarkdown } from '../../src/analysis/interpolation.ts';
import { persistence } from '../../src/topo/persistence.ts';
import { Rng } from '../../src/util/rng.ts';

const N = 12;
const c = (N - 1) / 2;
const at = (f: (z: number, y: number, x: number) => number) => {
  const v = new Float32Array(N ** 3);
  for (let z = 0; z < N; z++) for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) v[(z * N + y) * N + x] = f(z, y, x);
  return v;
};
// a hollow shell (one void), two separate balls (two components), and smooth noise
const shell = at((z, y, x) => { const r = Math.hypot(z - c, y - c, x - c); return r >= 3 && r <= 5 ? 1 : 0; });
const balls = at((z, y, x) => (Math.hypot(z - c, y - 3, x - 3) < 2.5 || Math.hypot(z - c, y - 8, x - 8) < 2.5 ? 0.9 : 0.05));
const rng = new Rng(5);
const noisy = at(() => rng.next());

test('diagramDistance: zero on identical diagrams, symmetric, all-dims = root of the sum of squares', () => {
  const a = persistence(shell, [N, N, N]);
  const b = persistence(noisy, [N, N, N]);
  assert.is(diagramDistance(a, a).w2, 0);
  const ab = diagramDistance(a, b);
  const ba = diagramDistance(b, a);
  assert.ok(Math.abs(ab.w2 - ba.w2) < 1e-9);
  assert.ok(Math.abs(ab.w2 - Math.hypot(...ab.perDim)) < 1e-12);
  assert.ok(ab.w2 > 0.1, `noise vs shell should be far apart, got ${ab.w2}`);
});

test('s = side gives distance 0; other s give finite, non-negative distances', () => {
  for (const [name, v] of [['shell', shell], ['balls', balls], ['noise', noisy]] as const) {
    const rows = analyseVolume(v, N, name, 'test', { sizes: [3, 6, N] });
    assert.equal(rows.map((r) => r.s), [3, 6, N]);
    const full = rows.find((r) => r.s === N)!;
    assert.is(full.w2, 0, `${name} at s = S`);
    assert.equal(full.points, full.pointsFull);
    for (const r of rows) {
      assert.ok(Number.isFinite(r.w2) && r.w2 >= 0, `${name} s=${r.s}: w2 ${r.w2}`);
      assert.ok(r.w2PerDim.every((d) => Number.isFinite(d) && d >= 0));
    }
  }
});

test('coarse downsampling loses the shell\'s void (dimension 2 error > 0), the full diagram has it', () => {
  const rows = analyseVolume(shell, N, 'shell', 'test', { sizes: [3] });
  assert.is(rows[0].pointsFull[2], 1);
  assert.ok(rows[0].w2PerDim[2] > 0.1, `dim-2 error ${rows[0].w2PerDim[2]}`);
  // the error is the void's persistence / 2 (to the diagonal) when it vanishes entirely
  if (rows[0].points[2] === 0) assert.ok(Math.abs(rows[0].w2PerDim[2] - 0.5) < 1e-6);
});

test('summarise: one entry per s with counts, shares and the markdown table', () => {
  const rows = [shell, balls, noisy].flatMap((v, i) => analyseVolume(v, N, `v${i}`, 'test', { sizes: [4, N] }));
  const sum = summarise(rows);
  assert.equal(sum.map((s) => s.s), [4, N]);
  assert.equal(sum.map((s) => s.n), [3, 3]);
  assert.is(sum[1].w2Max, 0);
  assert.is(sum[1].fractionBelow['0.01'], 1);
  assert.ok(sum[0].w2Mean > 0 && sum[0].w2Max >= sum[0].w2Median);
  const md = summaryMarkdown(sum).split('\n');
  assert.is(md.length, 4);
  assert.ok(md[2].startsWith('| 4 | 3 |'));
});

test.run();
