// The report's 3D views: every example's truth and predictions drawn at the Otsu threshold of the metrics,
// in the truth's and the predictions' colours, and none (said why) without a GPU.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../../src/data/synthetic.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { GpuError } from '../../src/gpu/device.ts';
import { compareRuns } from '../../src/report/compare.ts';
import { renderReport } from '../../src/report/report.ts';
import { drawSurfaces, SURFACE_PX } from '../../src/report/surfaces.ts';
import { TRAIN_DEFAULTS } from '../../src/train/config.ts';
import type { RgbaImage } from '../../src/util/png.ts';
import { writeReport } from '../../harness/commands/compare.ts';
import { gpu } from '../helpers.ts';

const SIDE = 16;
const DATA = { data: 'synthetic', syntheticCount: 2, syntheticSeed: 3, side: SIDE };

/** A finished run on the synthetic cells whose test predictions are `predict(truth)`. */
function fakeRun(dir: string, lambda: number, predict: (t: Float32Array) => Float32Array): void {
  mkdirSync(join(dir, 'predictions'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TRAIN_DEFAULTS, ...DATA, lambda }));
  const samples = generateDataset({ n: DATA.syntheticCount, size: SIDE, seed: DATA.syntheticSeed });
  const rows = samples.map((s) => ({ name: s.name, className: s.className, fold: 0, iou_error: 0.2, volume_error: 0.1, surface_error: 0.2, roughness_error: 0.3 }));
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(rows));
  for (const s of samples) writeFileSync(join(dir, 'predictions', `${s.name}.tif`), encodeTiff(predict(s.target), s.shape, 'float32'));
}

/** Pixels whose colour is that of the surface: orange (red ≫ blue) or blue (blue ≫ red); the background is grey-blue. */
function surfacePixels(img: RgbaImage): { orange: number; blue: number } {
  let orange = 0;
  let blue = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const [r, , b] = img.data.subarray(4 * i, 4 * i + 3);
    if (r - b > 60) orange++;
    if (b - r > 60) blue++;
  }
  return { orange, blue };
}

function withRuns(fn: (root: string, dirs: string[]) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'topo-shapr-surfaces-'));
    try {
      const good = join(root, 'good');
      const flat = join(root, 'flat');
      fakeRun(good, 0, (t) => t.map((v) => 0.1 + 0.8 * v)); // the truth, rescaled: the same shape after Otsu
      fakeRun(flat, 0.1, (t) => new Float32Array(t.length).fill(0.4)); // a collapsed prediction: empty for the metrics
      await fn(root, [good, flat]);
    } finally {
      rmSync(root, { recursive: true });
    }
  };
}

test('each example gets the truth and every prediction in 3D; a constant prediction shows no surface', withRuns(async (_root, dirs) => {
  const input = compareRuns(dirs, { examples: 2 });
  assert.is(input.examples.length, 2);
  for (const e of input.examples) assert.equal(e.volumes.map((v) => [v.label, v.truth]), [['truth', true], ...input.methods.map((m) => [m.label, false])]);
  await drawSurfaces(input, await gpu());
  for (const e of input.examples) {
    assert.is(e.volumes.length, 0, 'the volumes are let go');
    assert.is(e.surfaces.length, 3);
    const [truth, good, flat] = e.surfaces.map((s) => s.image);
    for (const s of e.surfaces) assert.is(s.image.width * s.image.height * 4, SURFACE_PX * SURFACE_PX * 4);
    const t = surfacePixels(truth);
    const g = surfacePixels(good);
    const f = surfacePixels(flat);
    assert.ok(t.blue > 0.05 * SURFACE_PX ** 2 && t.orange === 0, `${e.name} truth: ${JSON.stringify(t)}`);
    assert.ok(g.orange > 0.05 * SURFACE_PX ** 2 && g.blue === 0, `${e.name} prediction: ${JSON.stringify(g)}`);
    // the same shape after Otsu: its silhouette covers about as many pixels as the truth's
    assert.ok(Math.abs(g.orange - t.blue) < 0.1 * t.blue, `${e.name}: ${g.orange} against ${t.blue} surface pixels`);
    assert.equal(f, { orange: 0, blue: 0 }, `${e.name} constant prediction`);
  }
  const html = renderReport(input);
  assert.is(html.match(/<figcaption>[^<]* 3D<\/figcaption>/g)?.length, 6);
}));

test('without a GPU the report keeps its slices and says why it has no 3D views', withRuns(async (root, dirs) => {
  const out = join(root, 'report.html');
  await writeReport(dirs, out, {}, new GpuError('no WebGPU adapter here'));
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<th>3D views<\/th><td>none: no WebGPU adapter here<\/td>/);
  assert.not.match(html, / 3D<\/figcaption>/);
  assert.match(html, /truth max-proj y<\/figcaption>/);
}));

test.run();
