// The report's 3D views: every example's truth and predictions drawn as the shapes the metrics score, in the
// truth's and the predictions' colours; without a GPU, none, and the report says why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDataset } from '../../src/data/synthetic.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { GpuError } from '../../src/gpu/device.ts';
import { binarize } from '../../src/eval/otsu.ts';
import { compareRuns } from '../../src/report/compare.ts';
import { renderReport } from '../../src/report/report.ts';
import { drawSurfaces, SURFACE_PX } from '../../src/report/surfaces.ts';
import { TRAIN_DEFAULTS } from '../../src/train/config.ts';
import type { RgbaImage } from '../../src/util/png.ts';
import { writeReport } from '../../harness/commands/compare.ts';
import { gpu, inTempDir } from '../helpers.ts';

const SIDE = 16;
const DATA = { data: 'synthetic', syntheticCount: 2, syntheticSeed: 3, side: SIDE };
const BIN = fileURLToPath(new URL('../../harness/bin/topo-shapr.js', import.meta.url));

/** A finished run on the synthetic cells whose test predictions are `predict(truth)`. */
function fakeRun(dir: string, lambda: number, predict: (t: Float32Array) => Float32Array): void {
  mkdirSync(join(dir, 'predictions'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TRAIN_DEFAULTS, ...DATA, lambda }));
  const samples = generateDataset({ n: DATA.syntheticCount, size: SIDE, seed: DATA.syntheticSeed });
  const rows = samples.map((s) => ({ name: s.name, className: s.className, fold: 0, iou_error: 0.2, volume_error: 0.1, surface_error: 0.2, roughness_error: 0.3 }));
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(rows));
  for (const s of samples) writeFileSync(join(dir, 'predictions', `${s.name}.tif`), encodeTiff(predict(s.target), s.shape, 'float32'));
}

/** Which pixels show the surface: 1 orange (red ≫ blue), 2 blue (blue ≫ red), 0 the grey-blue background. */
function surfaceMap(img: RgbaImage): Uint8Array {
  const out = new Uint8Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) {
    const [r, , b] = img.data.subarray(4 * i, 4 * i + 3);
    out[i] = r - b > 60 ? 1 : b - r > 60 ? 2 : 0;
  }
  return out;
}

/** The truth's scored shape as a hard 0/1 volume (what a 0/255 obj/ file holds). */
const hard = (t: Float32Array) => Float32Array.from(binarize(t));
/**
 * The same scored shape from soft values whose Otsu threshold is far from half the maximum: 0.1 outside,
 * 0.3 inside and one hot voxel of 1 in it (an isosurface at 0.5 would show that voxel alone).
 */
function softWithHotSpot(t: Float32Array): Float32Array {
  const b = binarize(t);
  const v = Float32Array.from(b, (x) => (x ? 0.3 : 0.1));
  v[b.lastIndexOf(1)] = 1;
  return v;
}

function withRuns(fn: (root: string, dirs: string[]) => Promise<void>): () => Promise<void> {
  return () =>
    inTempDir('surfaces', async (root) => {
      const dirs = [join(root, 'hard'), join(root, 'soft'), join(root, 'flat')];
      fakeRun(dirs[0], 0, hard);
      fakeRun(dirs[1], 0.1, softWithHotSpot);
      fakeRun(dirs[2], 0.2, (t) => new Float32Array(t.length).fill(0.4)); // collapsed: empty for the metrics
      await fn(root, dirs);
    });
}

test('each example shows the truth and every prediction as the scored shape; a constant prediction shows nothing', withRuns(async (_root, dirs) => {
  const input = compareRuns(dirs, { examples: 2 });
  assert.is(input.examples.length, 2);
  for (const e of input.examples) assert.equal(e.volumes.map((v) => [v.label, v.truth]), [['truth', true], ...input.methods.map((m) => [m.label, false])]);
  await drawSurfaces(input, await gpu());
  for (const e of input.examples) {
    assert.is(e.volumes.length, 0, 'the volumes are let go');
    assert.equal(e.surfaces.map((s) => [s.image.width, s.image.height, s.image.data.length]), Array(4).fill([SURFACE_PX, SURFACE_PX, 4 * SURFACE_PX ** 2]));
    const [truth, hardView, softView, flatView] = e.surfaces.map((s) => surfaceMap(s.image));
    const covered = truth.filter((x) => x === 2).length;
    assert.ok(covered > 0.05 * SURFACE_PX ** 2, `${e.name}: the truth covers ${covered} pixels`);
    // the soft truth, the hard 0/1 volume and the soft one with a hot spot have the same scored shape, so
    // the same silhouette (drawn at its Otsu threshold, the hard one was fatter; at half its maximum the
    // soft one was a single voxel). Colours differ, and so does which dark pixels pass as surface: 3%.
    const differ = truth.filter((x, i) => (x === 2) !== (hardView[i] === 1)).length;
    assert.ok(differ <= 0.03 * covered, `${e.name}: the hard prediction's silhouette differs from the truth's in ${differ} of ${covered} pixels`);
    assert.equal(e.surfaces[2].image.data, e.surfaces[1].image.data, `${e.name}: the soft prediction is drawn as the hard one`);
    assert.ok(flatView.every((x) => x === 0), `${e.name}: the constant prediction shows no surface`);
    assert.ok(softView.some((x) => x === 1));
  }
  const html = renderReport(input);
  assert.is(html.match(/<figcaption>[^<]* 3D<\/figcaption>/g)?.length, 8);
}));

test('without a GPU the report keeps its slices and says why it has no 3D views (writeReport and the command)', withRuns(async (root, dirs) => {
  const out = join(root, 'report.html');
  await writeReport(dirs, out, {}, () => Promise.reject(new GpuError('no WebGPU adapter here')));
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<th>3D views<\/th><td>none: no WebGPU adapter here<\/td>/);
  assert.not.match(html, / 3D<\/figcaption>/);
  assert.match(html, /truth max-proj y<\/figcaption>/);
  // the command, with an adapter that does not exist
  const cli = join(root, 'cli.html');
  const r = spawnSync(process.execPath, [BIN, 'compare', ...dirs, '--out', cli], { encoding: 'utf8', env: { ...process.env, TOPO_SHAPR_ADAPTER: 'no-such-adapter' } });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /compare: the report has no 3D views \(.*no-such-adapter/);
  assert.match(readFileSync(cli, 'utf8'), /<th>3D views<\/th><td>none: [^<]*no-such-adapter/);
}));

test.run();
