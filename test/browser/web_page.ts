// The browser test (npm run test:browser; not part of npm test's uvu suite): builds the page, serves it on
// 127.0.0.1, drives Debian's headless Chromium (WebGPU on SwiftShader) with playwright-core, and checks that
// the page's prediction equals Node's (dawn.node) for the same weights and input, that its persistence
// diagrams match, that the 3D view is drawn, and that bad input and a missing WebGPU are reported.
// Prints "N passed, N failed" and exits non-zero on a failure.
// Options: --update-docs   also save the page's screenshot as docs/web.png
//          CHROMIUM=/path  another Chromium binary (default /usr/bin/chromium)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { buildWeb, DEFAULT_MODEL } from '../../harness/web/build.ts';
import { portOf, serveDir } from '../../harness/web/server.ts';
import type { PredictionResult, TopoShaprApi } from '../../harness/web/main.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { readTiff } from '../../src/data/tiff.ts';
import { getGpu } from '../../src/gpu/device.ts';
import { loadShapr } from '../../src/model/weights_node.ts';
import { Tape } from '../../src/tape/tape.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { solveBottleneck } from '../../src/topo/bottleneck.ts';
import { diagramsToJson, persistence, type DiagramsJson } from '../../src/topo/persistence.ts';
import { pairKeys } from '../../src/topo/diagrams.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader',
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run',
];
const SAMPLE = 3; // the fixed built-in sample the page and Node both predict
const SAMPLE_SEED = 7; // as harness/web/main.ts
const TOL = 1e-4;
const DOCS_SAMPLE = 7; // the README screenshot's sample (--update-docs) and its diagram dimension
const DOCS_DIM = 0;
const SHAPR_SAMPLE = '../shared/data/shapr-sample'; // real SHAPR files, when present (every dev machine and CI)

type Check = { name: string; ok: boolean; detail: string };
const results: Check[] = [];
function check(name: string, ok: boolean, detail: string): void {
  results.push({ name, ok, detail });
  console.log(`${ok ? '✓' : '✘'} ${name}${detail ? ` — ${detail}` : ''}`);
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Bottleneck distance between two diagrams of one dimension, the essential classes compared by birth. */
function diagramDistance(a: DiagramsJson, b: DiagramsJson, dim: string): number {
  const fin = (d: DiagramsJson) => (d[dim] ?? []).filter((p) => p[1] !== null) as [number, number][];
  const ess = (d: DiagramsJson) => (d[dim] ?? []).filter((p) => p[1] === null).map((p) => p[0]).sort();
  const ea = ess(a);
  const eb = ess(b);
  if (ea.length !== eb.length) return Infinity;
  const fa = fin(a);
  const fb = fin(b);
  const r = solveBottleneck(Float64Array.from(fa, (p) => p[0]), Float64Array.from(fa, (p) => p[1]), Float64Array.from(fb, (p) => p[0]), Float64Array.from(fb, (p) => p[1]));
  return Math.max(fa.length || fb.length ? r.value : 0, maxAbsDiff(ea, eb));
}

/** A grey PNG of an [S, S] image in [0, 1], each pixel repeated f×f times. */
function grayPng(data: ArrayLike<number>, side: number, f: number): Buffer {
  const png = new PNG({ width: side * f, height: side * f });
  for (let y = 0; y < side * f; y++) {
    for (let x = 0; x < side * f; x++) {
      const v = Math.round(data[Math.floor(y / f) * side + Math.floor(x / f)] * 255);
      png.data.set([v, v, v, 255], 4 * (y * side * f + x));
    }
  }
  return PNG.sync.write(png);
}

/** Luminance standard deviation and the share of pixels in the prediction's orange surface colour. */
function imageStats(png: Buffer): { std: number; surface: number; width: number; height: number } {
  const img = PNG.sync.read(png);
  const n = img.width * img.height;
  let sum = 0;
  let sum2 = 0;
  let surface = 0;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [img.data[4 * i], img.data[4 * i + 1], img.data[4 * i + 2]];
    const l = 0.299 * r + 0.587 * g + 0.114 * b;
    sum += l;
    sum2 += l * l;
    if (r > 90 && r > b + 40 && r >= g) surface++;
  }
  const mean = sum / n;
  return { std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), surface: surface / n, width: img.width, height: img.height };
}

async function waitForStatus(page: Page, timeoutMs: number): Promise<string> {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.status ?? ''), null, { timeout: timeoutMs });
  return page.evaluate(() => document.body.dataset.status ?? '');
}

/** docs/web.png: a fresh page on sample DOCS_SAMPLE after a few training steps without and with L_T. */
async function saveDocsScreenshot(context: BrowserContext, url: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${url}?sample=${DOCS_SAMPLE}`);
  if ((await waitForStatus(page, 180_000)) !== 'ready') throw new Error('docs screenshot: the page did not get ready');
  await page.evaluate(async () => {
    const api = (window as unknown as { topoShapr: TopoShaprApi }).topoShapr;
    await api.train({ steps: 6, lambda: 0 });
    await api.train({ steps: 6, lambda: 0.1 });
  });
  await page.locator('#reset').click();
  await page.waitForFunction(() => !document.getElementById('model-info')!.textContent!.includes('trained in the page') &&
    document.getElementById('status')!.textContent!.startsWith('Ready'), null, { timeout: 120_000 });
  await page.selectOption('#dim', String(DOCS_DIM));
  await page.waitForTimeout(300);
  await page.screenshot({ path: 'docs/web.png', fullPage: true });
  await page.close();
  console.log('saved docs/web.png');
}

async function nodePrediction(weights: string, input: Float32Array): Promise<Float32Array> {
  const g = await getGpu();
  const { model } = await loadShapr(g, weights);
  const s = model.config.side;
  const t = new Tape(g);
  t.recording = false;
  const x = Tensor.from(g, input, [1, 2, 1, s, s]);
  const out = await model.forward(t, x, false).read();
  t.release();
  x.release();
  model.dispose();
  return out;
}

async function main(): Promise<void> {
  const updateDocs = process.argv.includes('--update-docs');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (bash harness/setup.sh --browser) or set CHROMIUM`);
  if (!existsSync(DEFAULT_MODEL)) throw new Error(`${DEFAULT_MODEL} is missing: npx tsx harness/web/train_default.ts`);
  const work = mkdtempSync(join(tmpdir(), 'topo-shapr-web-'));
  const dist = join(work, 'dist');
  const t0 = performance.now();
  await buildWeb(dist);
  const server = await serveDir(dist, 0);
  const url = `http://127.0.0.1:${portOf(server)}/`;
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1400, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(url);
    let status: string;
    try {
      status = await waitForStatus(page, 180_000);
    } catch {
      // NOTE: under heavy CPU load Chromium once never started the page script (1 load in ~12); a page
      // that is merely slow or broken fails the same way on the second load, so one reload is no loophole.
      console.error('the page was not ready after 180 s; loading it once more');
      await page.reload();
      status = await waitForStatus(page, 180_000);
    }
    const errorText = await page.locator('#error').textContent();
    check('page loads the default checkpoint and predicts the default sample', status === 'ready',
      `data-status=${status} after ${((performance.now() - t0) / 1000).toFixed(1)} s${status === 'ready' ? '' : `: ${errorText}`}; adapter ${await page.evaluate(() => (window as unknown as { topoShapr: TopoShaprApi }).topoShapr.adapter())}`);
    if (status !== 'ready') return;

    // the fixed sample, predicted in the browser and in Node with the same weights and input
    const r: PredictionResult = await page.evaluate((i) => (window as unknown as { topoShapr: TopoShaprApi }).topoShapr.predict(i), SAMPLE);
    const sample = generateDataset({ n: 10, size: r.side, seed: SAMPLE_SEED })[SAMPLE];
    const inputDiff = maxAbsDiff(r.input, sample.input);
    check('the page builds the same input as Node\'s generator', inputDiff === 0, `${r.name}, max |Δ| ${inputDiff}`);
    const input = Float32Array.from(r.input);
    const nodeVol = await nodePrediction(DEFAULT_MODEL, input);
    const volDiff = maxAbsDiff(r.volume, nodeVol);
    let mean = 0;
    for (const v of nodeVol) mean += v / nodeVol.length;
    check('browser volume equals the Node prediction', volDiff < TOL && nodeVol.length === r.side ** 3,
      `${r.side}³ voxels, max |Δ| ${volDiff.toExponential(2)} (tolerance ${TOL}), mean likelihood ${mean.toFixed(3)}; browser forward ${r.ms.predict.toFixed(0)} ms`);

    const shape: [number, number, number] = [r.side, r.side, r.side];
    const same = diagramsToJson(persistence(Float32Array.from(r.volume), shape));
    const exact = ['0', '1', '2'].every((k) => JSON.stringify(pairKeys(same[k])) === JSON.stringify(pairKeys(r.diagrams[k] ?? [])));
    check('browser diagrams equal Node\'s persistence of the same volume', exact,
      `pairs per dimension ${['0', '1', '2'].map((k) => (r.diagrams[k] ?? []).length).join('/')}`);
    const gpuUf = await page.evaluate(() => (window as unknown as { topoShapr: TopoShaprApi }).topoShapr.gpuDiagrams());
    const gpuExact = ['0', '2'].every((k) => JSON.stringify(pairKeys(same[k])) === JSON.stringify(pairKeys(gpuUf[k] ?? [])));
    check('the WGSL union-find in the browser gives the same dimension-0 and -2 diagrams', gpuExact,
      `pairs ${['0', '2'].map((k) => (gpuUf[k] ?? []).length).join('/')}`);
    const nodeDiagrams = diagramsToJson(persistence(nodeVol, shape));
    const dist = Math.max(...['0', '1', '2'].map((k) => diagramDistance(r.diagrams, nodeDiagrams, k)));
    check('browser diagrams match the diagrams of the Node prediction', dist < TOL, `bottleneck distance ${dist.toExponential(2)} (max over dimensions 0–2)`);
    const truth = diagramsToJson(persistence(sample.target, shape));
    const truthOk = r.truthDiagrams !== null && ['0', '1', '2'].every((k) => JSON.stringify(pairKeys(truth[k])) === JSON.stringify(pairKeys(r.truthDiagrams![k] ?? [])));
    check('ground-truth diagrams shown next to the prediction\'s', truthOk, `${['0', '1', '2'].map((k) => (truth[k] ?? []).length).join('/')} pairs`);
    check('Otsu volume and surface area are reported', r.volumeVoxels > 0 && r.surface > 0 && r.surface <= r.volumeVoxels,
      `threshold ${r.otsuThreshold.toFixed(3)}, ${r.volumeVoxels} voxels, surface ${r.surface}`);

    // the 3D view is drawn: a screenshot of its canvas is not blank and shows the orange surface
    const shot = await page.locator('#view3d').screenshot();
    writeFileSync(join(work, 'view3d.png'), shot);
    const st = imageStats(shot);
    check('3D view screenshot is not blank', st.std > 8 && st.surface > 0.01,
      `${st.width}×${st.height}, luminance std ${st.std.toFixed(1)}, surface pixels ${(100 * st.surface).toFixed(1)} % (${join(work, 'view3d.png')})`);
    // rotating with the mouse changes the picture
    const box = (await page.locator('#view3d').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 40, { steps: 4 });
    await page.mouse.up();
    await page.waitForTimeout(300);
    const shot2 = await page.locator('#view3d').screenshot();
    check('dragging rotates the 3D view', !shot.equals(shot2), '');

    // a bad file is reported on the page, naming the file and the problem
    await page.setInputFiles('#files', [
      { name: 'cell_mask.png', mimeType: 'image/png', buffer: Buffer.from('this is not an image') },
      { name: 'cell.png', mimeType: 'image/png', buffer: Buffer.from('neither is this') },
    ]);
    await page.waitForFunction(() => !document.getElementById('error')!.hidden, null, { timeout: 30_000 });
    const badMsg = (await page.locator('#error').textContent()) ?? '';
    check('a bad file is reported with its name and problem', /cell(_mask)?\.png/.test(badMsg) && /not a TIFF or PNG/.test(badMsg) && (await page.evaluate(() => document.body.dataset.status)) === 'ready', badMsg);

    // the user's own files: the fixed sample as 64×64 PNGs (each pixel doubled) must give the same input
    // and prediction as the built-in sample (8-bit values survive the PNG and the 2×2 averaging exactly)
    await page.setInputFiles('#files', [
      { name: 'cell_mask.png', mimeType: 'image/png', buffer: grayPng(sample.input.subarray(0, r.side * r.side), r.side, 2) },
      { name: 'cell.png', mimeType: 'image/png', buffer: grayPng(sample.image, r.side, 2) },
    ]);
    await page.waitForFunction(() => (window as unknown as { topoShapr: TopoShaprApi }).topoShapr.current()?.name.startsWith('cell.png') ?? false, null, { timeout: 60_000 });
    const dropped = (await page.evaluate(() => (window as unknown as { topoShapr: TopoShaprApi }).topoShapr.current()))!;
    check('a dropped 64×64 PNG image + mask gives the built-in sample\'s input and prediction',
      maxAbsDiff(dropped.input, sample.input) === 0 && maxAbsDiff(dropped.volume, r.volume) < TOL,
      `input max |Δ| ${maxAbsDiff(dropped.input, sample.input)}, volume max |Δ| ${maxAbsDiff(dropped.volume, r.volume).toExponential(2)}`);
    if (existsSync(SHAPR_SAMPLE)) {
      // SHAPR's own files (TIFF, both named alike in image/ and mask/): the mask is told by its few grey levels
      const stem = 'A_cell_clusters000604.tif';
      await page.setInputFiles('#files', [join(SHAPR_SAMPLE, 'image', stem), join(SHAPR_SAMPLE, 'mask', stem)]);
      await page.waitForFunction(() => ((window as unknown as { topoShapr: TopoShaprApi }).topoShapr.current()?.name.startsWith('A_cell') ?? false) || !document.getElementById('error')!.hidden, null, { timeout: 60_000 });
      const cur = (await page.evaluate(() => (window as unknown as { topoShapr: TopoShaprApi }).topoShapr.current()))!;
      const area = cur.input.slice(0, r.side * r.side).reduce((a, b) => a + b, 0);
      // the command line's prediction from the same files and weights (inputs averaged down the same way)
      const cliOut = join(work, 'cli-predict');
      const cli = spawnSync(process.execPath, ['harness/bin/topo-shapr.js', 'predict', '--weights', DEFAULT_MODEL, '--image', join(SHAPR_SAMPLE, 'image', stem), '--mask', join(SHAPR_SAMPLE, 'mask', stem), '--out', cliOut], { encoding: 'utf8' });
      const diff = cli.status === 0 ? maxAbsDiff(cur.volume, readTiff(join(cliOut, stem)).data) : Infinity;
      check('a real SHAPR image + mask pair (64×64 TIFF) is predicted as `predict` predicts it', (await page.locator('#error').isHidden()) && area > 10 && diff <= TOL,
        `${cur.name}: mask area ${area} of ${r.side}², max likelihood ${Math.max(...cur.volume).toFixed(3)}, max |Δ| to predict ${cli.status === 0 ? diff.toExponential(2) : cli.stderr.trim()}${(await page.locator('#error').isHidden()) ? '' : `; error: ${await page.locator('#error').textContent()}`}`);
    }

    // a few training steps with the topological term run in the page
    const tt = performance.now();
    const logs = await page.evaluate(() => (window as unknown as { topoShapr: TopoShaprApi }).topoShapr.train({ steps: 2, lambda: 0.1, batchSize: 1 }));
    check('training steps with λ·L_T run in the page', logs.length === 2 && logs.every((l) => Number.isFinite(l.loss) && l.loss > 0 && l.topo >= 0) && logs.some((l) => l.topo > 0),
      `losses ${logs.map((l) => l.loss.toFixed(4)).join(', ')}, L_T ${logs.map((l) => l.topo.toFixed(4)).join(', ')}, ${((performance.now() - tt) / 1000).toFixed(1)} s`);
    check('no errors in the browser console', consoleErrors.length === 0, consoleErrors.slice(0, 3).join(' | '));

    if (updateDocs) await saveDocsScreenshot(context, url);

    // without WebGPU the page says what to enable
    const bare = await context.newPage();
    await bare.addInitScript(() => Object.defineProperty(navigator, 'gpu', { value: undefined }));
    await bare.goto(url);
    const bareStatus = await waitForStatus(bare, 30_000);
    const bareMsg = (await bare.locator('#error').textContent()) ?? '';
    check('without WebGPU the page shows what to enable', bareStatus === 'error' && /enable-unsafe-webgpu/.test(bareMsg), `data-status=${bareStatus}: ${bareMsg.slice(0, 90)}…`);
  } finally {
    await context?.close();
    server.close();
    // NOTE: the folder (its view3d.png) is kept only for a failed run, to look at
    rmSync(results.length > 0 && results.every((r) => r.ok) ? work : join(work, 'profile'), { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  check('browser test ran to the end', false, (e as Error).stack ?? String(e));
}
const failed = results.filter((r) => !r.ok).length;
console.log(`\n${results.length - failed} passed, ${failed} failed`);
// dawn.node keeps the process alive while a GPU instance exists: exit explicitly.
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
