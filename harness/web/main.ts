// The web page: loads the default checkpoint, predicts a built-in synthetic cell at once, and shows the
// 3D view, slices, Otsu measures and persistence diagrams; takes the user's own image + mask or checkpoint;
// trains a few steps in the page. State is marked on <body data-status="loading|ready|error">, and what the
// browser test needs is on window.topoShapr (see TopoShaprApi).
import { SHADERS } from 'virtual:shaders';
import { getGpu, type Gpu } from '../../src/gpu/device.ts';
import { registerShaders } from '../../src/gpu/shaders.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { fewerLevels, greyLevels, makeInput, type Sample } from '../../src/data/sample.ts';
import { maskAndImageAtSide } from '../../src/data/resample.ts';
import { Shapr } from '../../src/model/shapr.ts';
import { PRED_COLOR, TRUTH_COLOR } from '../../src/render/raymarch.ts';
import { diagramsToJson, type DiagramsJson } from '../../src/topo/persistence.ts';
import { persistenceGpu } from '../../src/topo/union_find.ts';
import { checkSide, decodeImageFile, maskLabels, sidesAccepted } from './input_files.ts';
import { modelFrom, predictVolume, readCheckpoint, trainSteps, type Checkpoint, type StepLog } from './model_session.ts';
import { analyse, type Analysis } from './analysis.ts';
import { drawDiagram, drawLoss, type DiagramSeries, type LossSeries } from './plots.ts';
import { PLANES, drawImage2d, drawSlice } from './slices_view.ts';
import { VolumeView } from './volume_view.ts';
import { describeGpuProblem } from './webgpu_help.ts';

registerShaders(SHADERS);

export const DEFAULT_WEIGHTS = 'default_model.safetensors';
export const SAMPLE_SEED = 7; // the built-in samples: generateDataset({ n: 10, size: side, seed: 7 })
const TRAIN_SEED = 11; // the in-page training set: 20 other cells

/** What a prediction produced, as plain arrays (what the browser test reads). */
export interface PredictionResult {
  name: string;
  side: number;
  input: number[]; // [2, S, S]
  volume: number[]; // [S, S, S]
  diagrams: DiagramsJson;
  truthDiagrams: DiagramsJson | null;
  otsuThreshold: number;
  volumeVoxels: number;
  surface: number;
  ms: { predict: number; analyse: number };
}

export interface TopoShaprApi {
  ready: Promise<void>;
  samples(): string[];
  predict(sampleIndex: number): Promise<PredictionResult>;
  train(opts: { steps: number; lambda: number; lr?: number; batchSize?: number; topoDims?: number[] }): Promise<StepLog[]>;
  adapter(): string;
  /** What the page shows now (after a file drop, for instance). */
  current(): { name: string; input: number[]; volume: number[] } | null;
  /** Dimensions 0 and 2 of the current volume by the WGSL union-find (a check of the shader in this browser). */
  gpuDiagrams(): Promise<DiagramsJson>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Current {
  name: string;
  input: Float32Array;
  truth: Float32Array | null;
  volume: Float32Array;
  analysis: Analysis;
}

let gpu: Gpu;
let view: VolumeView;
let checkpoint: Checkpoint;
let model: Shapr;
let samples: Sample[] = [];
let current: Current | null = null;
let busy = Promise.resolve();
let stopTraining = false;
const lossSeries: LossSeries[] = [];

function setStatus(status: 'loading' | 'ready' | 'error' | 'busy', text: string): void {
  if (status !== 'busy') document.body.dataset.status = status;
  $('status').textContent = text;
  $('status').className = `status ${status}`;
}

function showError(e: unknown, fatal: boolean): void {
  const msg = e instanceof Error ? e.message : String(e);
  const box = $('error');
  box.textContent = msg;
  box.hidden = false;
  if (fatal) setStatus('error', 'Error');
  else setStatus('ready', 'Ready (the last action failed; see the message above)');
  if (fatal) console.error(e);
  else console.warn(e);
}

function clearError(): void {
  $('error').hidden = true;
}

/** Runs UI actions one at a time; a failure is shown on the page without leaving the page broken. */
function serial<T>(fn: () => Promise<T>): Promise<T> {
  const run = busy.then(fn);
  busy = run.then(() => undefined, () => undefined);
  return run;
}

function builtInSamples(side: number): Sample[] {
  return generateDataset({ n: 10, size: side, seed: SAMPLE_SEED });
}

async function show(name: string, input: Float32Array, truth: Float32Array | null): Promise<PredictionResult> {
  const side = model.config.side;
  setStatus('busy', `Predicting ${name} on ${gpuName()}…`);
  const t0 = performance.now();
  const volume = await predictVolume(gpu, model, input);
  const t1 = performance.now();
  current = { name, input, truth, volume, analysis: analyse(volume, truth, side) };
  const t2 = performance.now();
  drawAll();
  await view.settled();
  const a = current.analysis;
  setStatus('ready', `Ready: ${name} predicted in ${(t1 - t0).toFixed(0)} ms, analysed in ${(t2 - t1).toFixed(0)} ms`);
  return {
    name, side, input: Array.from(input), volume: Array.from(volume), diagrams: a.pred.diagrams,
    truthDiagrams: a.truth?.diagrams ?? null, otsuThreshold: a.pred.threshold, volumeVoxels: a.pred.measures.volume,
    surface: a.pred.measures.surface, ms: { predict: t1 - t0, analyse: t2 - t1 },
  };
}

function drawAll(): void {
  if (!current) return;
  const side = model.config.side;
  const a = current.analysis;
  const showTruth = ($<HTMLInputElement>('show-truth').checked && current.truth) as boolean;
  // the binarised volume at 0.5: the shape the metrics score (the volume itself at its Otsu threshold drew a
  // hard 0/1 truth most of a voxel too fat, since the ray-marcher interpolates)
  if (showTruth) view.setVolume(Float32Array.from(a.truth!.binary), side, 0.5, TRUTH_COLOR);
  else view.setVolume(Float32Array.from(a.pred.binary), side, 0.5, PRED_COLOR);
  $<HTMLInputElement>('show-truth').disabled = !current.truth;
  drawImage2d($('mask-canvas'), current.input.subarray(0, side * side), side);
  drawImage2d($('image-canvas'), current.input.subarray(side * side), side);
  drawSlices();
  drawDiagramPanel();
  const m = a.pred.measures;
  const t = a.truth?.measures;
  const cell = (v: number | undefined, digits = 0) => (v === undefined ? '—' : v === Infinity ? '– (constant: empty)' : v.toFixed(digits));
  $('measures').innerHTML = `<tr><th></th><th>prediction</th><th>ground truth</th></tr>
    <tr><td>Otsu threshold (of max)</td><td>${cell(a.pred.threshold, 3)}</td><td>${cell(a.truth?.threshold, 3)}</td></tr>
    <tr><td>volume (voxels)</td><td>${cell(m.volume)}</td><td>${cell(t?.volume)}</td></tr>
    <tr><td>surface area (voxels)</td><td>${cell(m.surface)}</td><td>${cell(t?.surface)}</td></tr>
    <tr><td>roughness</td><td>${cell(m.roughness)}</td><td>${cell(t?.roughness)}</td></tr>
    <tr><td>IoU with the truth</td><td>${a.iou === null ? '—' : a.iou.toFixed(3)}</td><td></td></tr>`;
  $('sample-name').textContent = current.name;
}

function drawSlices(): void {
  if (!current) return;
  const side = model.config.side;
  const a = current.analysis;
  PLANES.forEach((p, i) => {
    const slider = $<HTMLInputElement>(`slice-${i}`);
    slider.max = String(side - 1);
    const k = Math.min(side - 1, Number(slider.value));
    $(`slice-label-${i}`).textContent = `${p.name} = ${k}`;
    drawSlice($(`slice-canvas-${i}`), { volume: current!.volume, binary: a.pred.binary, truth: a.truth?.binary ?? null, side }, p.axis, k);
  });
}

function drawDiagramPanel(): void {
  if (!current) return;
  const dim = Number($<HTMLSelectElement>('dim').value);
  const a = current.analysis;
  const series: DiagramSeries[] = [{ label: 'prediction', color: '#f39a4c', marker: 'dot', diagrams: a.pred.diagrams }];
  if (a.truth) series.push({ label: 'ground truth', color: '#4cd3e6', marker: 'cross', diagrams: a.truth.diagrams });
  drawDiagram($('diagram'), series, dim);
}

async function predictSample(index: number): Promise<PredictionResult> {
  const s = samples[index];
  if (!s) throw new Error(`no built-in sample ${index}: give a number from 0 to ${samples.length - 1}`);
  $<HTMLSelectElement>('sample').value = String(index);
  return show(`${s.name} (built-in)`, s.input, s.target);
}

async function useCheckpoint(ck: Checkpoint): Promise<void> {
  const next = modelFrom(gpu, ck);
  model?.dispose();
  model = next;
  checkpoint = ck;
  if (!samples.length || samples[0].shape[0] !== ck.config.side) {
    setStatus('busy', `Generating the built-in synthetic cells at side ${ck.config.side}…`);
    await new Promise((r) => setTimeout(r, 0));
    samples = builtInSamples(ck.config.side);
    $('sample').innerHTML = samples.map((s, i) => `<option value="${i}">${i}: ${s.className}</option>`).join('');
  }
  $('model-info').textContent = `${ck.source}: side ${ck.config.side}, filters ${ck.config.filters}, ${model.parameterCount().toLocaleString('en')} parameters` +
    (ck.weights.metadata.epoch ? `, epoch ${Number(ck.weights.metadata.epoch) + 1}` : '') + ` · GPU: ${gpuName()}`;
  $('drop-hint').textContent = sidesAccepted(ck.config.side);
}

function gpuName(): string {
  const b = gpu.backend;
  return b && !gpu.adapterName.toLowerCase().includes(b.toLowerCase()) ? `${gpu.adapterName} ${b}` : gpu.adapterName;
}

async function fetchCheckpoint(url: string): Promise<Checkpoint> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${url}: cannot fetch the checkpoint (${(e as Error).message})`);
  }
  if (!res.ok) throw new Error(`${url}: cannot fetch the checkpoint (HTTP ${res.status}); build it with npm run build:web`);
  return readCheckpoint(await res.arrayBuffer(), url);
}

/**
 * The user's files: an image and its mask, TIFF or PNG. The mask is the file whose name contains "mask",
 * else the one with far fewer grey levels (SHAPR's dataset names both files alike, in image/ and mask/).
 */
async function loadUserFiles(files: File[]): Promise<void> {
  if (files.length === 1 && /\.safetensors$/i.test(files[0].name)) return loadWeightsFile(files[0]);
  if (files.length !== 2) throw new Error(`drop two files, an image and its mask (got ${files.length}: ${files.map((f) => f.name).join(', ') || 'none'})`);
  const side = model.config.side;
  const decoded = await Promise.all(files.map(async (f) => {
    const raw = await decodeImageFile(f.name, new Uint8Array(await f.arrayBuffer()));
    checkSide(f.name, raw, side);
    return { name: f.name, raw, levels: greyLevels(raw.data) };
  }));
  // NOTE: a 64×64 image with a 32×32 mask was accepted: each was brought to the model's side alone
  if (decoded[0].raw.width !== decoded[1].raw.width) {
    throw new Error(`${decoded[0].name} is ${decoded[0].raw.width}×${decoded[0].raw.height}, ${decoded[1].name} is ${decoded[1].raw.width}×${decoded[1].raw.height}: an image and its mask must have one size`);
  }
  const byName = decoded.filter((d) => /mask/i.test(d.name));
  const [a, b] = decoded;
  const byLevels = fewerLevels(a.levels, b.levels) ? a : fewerLevels(b.levels, a.levels) ? b : null;
  const maskPick = byName.length === 1 ? byName[0] : byLevels;
  if (!maskPick) throw new Error(`${files[0].name}, ${files[1].name}: cannot tell which file is the mask; put "mask" in its file name`);
  const imagePick = decoded.find((d) => d !== maskPick)!;
  // NOTE: as predict reads them (a 64×64 pair for a smaller model averaged down as `resample` does), so
  // that the page and the command give one prediction from one pair of files
  const { mask, image } = maskAndImageAtSide(maskLabels(maskPick.name, maskPick.raw), imagePick.raw.data, imagePick.raw.width, side);
  await show(`${imagePick.name} + mask ${maskPick.name}`, makeInput(mask, image), null);
}

async function loadWeightsFile(file: File): Promise<void> {
  await useCheckpoint(readCheckpoint(new Uint8Array(await file.arrayBuffer()), file.name));
  await predictSample(Number($<HTMLSelectElement>('sample').value) || 0);
}

let trainingSet: Sample[] | null = null;

async function runTraining(lambda: number, steps: number, lr: number, batchSize: number, topoDims: number[]): Promise<StepLog[]> {
  const side = model.config.side;
  if (!trainingSet || trainingSet[0].shape[0] !== side) {
    setStatus('busy', 'Generating 20 training cells…');
    await new Promise((r) => setTimeout(r, 0));
    trainingSet = generateDataset({ n: 20, size: side, seed: TRAIN_SEED });
  }
  const fromScratch = $<HTMLSelectElement>('train-start').value === 'scratch';
  // NOTE: every run starts from the checkpoint (or from the seeded initialisation), so curves compare.
  const trained = fromScratch ? new Shapr(gpu, checkpoint.config, 0) : modelFrom(gpu, checkpoint);
  const series: LossSeries = { label: `${lambda > 0 ? `λ = ${lambda}, H${topoDims.join('+H')}` : 'Dice + BCE'}${fromScratch ? ', from init' : ''}`, color: PALETTE[lossSeries.length % PALETTE.length], values: [] };
  if (lossSeries.length >= 4) lossSeries.shift(); // the plot keeps the last four runs
  lossSeries.push(series);
  stopTraining = false;
  $<HTMLButtonElement>('stop').disabled = false;
  try {
    const logs = await trainSteps(gpu, trained, trainingSet, { steps, lambda, lr, batchSize, topoDims, seed: lossSeries.length }, (l) => {
      series.values.push(l.loss);
      drawLoss($('loss'), lossSeries);
      $('train-info').textContent = `step ${l.step}/${steps}: loss ${l.loss.toFixed(4)} (Dice+BCE ${l.supervised.toFixed(4)}` +
        (lambda > 0 ? `, L_T ${l.topo.toFixed(4)}` : '') + `), ${l.ms.toFixed(0)} ms`;
      setStatus('busy', `Training: step ${l.step} of ${steps}`);
    }, () => stopTraining);
    model.dispose();
    model = trained;
    $('model-info').textContent += ' · now the model trained in the page (Reset returns to the checkpoint)';
    if (current) await show(current.name, current.input, current.truth);
    return logs;
  } catch (e) {
    trained.dispose();
    throw e;
  } finally {
    $<HTMLButtonElement>('stop').disabled = true;
  }
}

const PALETTE = ['#8fb3ff', '#f39a4c', '#7bd88f', '#e879c6', '#f5d76e', '#4cd3e6'];

function bindUi(): void {
  const act = (fn: () => Promise<unknown>) => () => {
    clearError();
    serial(fn).catch((e) => showError(e, false));
  };
  $('sample').addEventListener('change', act(() => predictSample(Number($<HTMLSelectElement>('sample').value))));
  $('dim').addEventListener('change', drawDiagramPanel);
  $('show-truth').addEventListener('change', drawAll);
  PLANES.forEach((_, i) => $(`slice-${i}`).addEventListener('input', drawSlices));
  $('files').addEventListener('change', act(() => loadUserFiles([...($<HTMLInputElement>('files').files ?? [])])));
  $('weights-file').addEventListener('change', act(async () => {
    const f = $<HTMLInputElement>('weights-file').files?.[0];
    if (f) await loadWeightsFile(f);
  }));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => (e.preventDefault(), drop.classList.add('over')));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    act(() => loadUserFiles([...(e.dataTransfer?.files ?? [])]))();
  });
  const num = (id: string, lo: number, hi: number) => {
    const v = Number($<HTMLInputElement>(id).value);
    const raw = $<HTMLInputElement>(id).value.trim();
    if (raw === '' || !(v >= lo && v <= hi)) throw new Error(`${id}: ${raw === '' ? 'empty' : `'${raw}'`}; give a number between ${lo} and ${hi}`);
    return v;
  };
  const dims = () => $<HTMLSelectElement>('topo-dims').value.split(',').map(Number);
  const train = (topo: boolean) => act(() => runTraining(topo ? num('lambda', 0, 100) : 0, Math.round(num('steps', 1, 500)), num('lr', 1e-6, 1), Math.round(num('batch', 1, 16)), dims()));
  $('train-sup').addEventListener('click', train(false));
  $('train-topo').addEventListener('click', train(true));
  $('stop').addEventListener('click', () => (stopTraining = true));
  $('reset').addEventListener('click', act(async () => {
    await useCheckpoint(checkpoint);
    if (current) await show(current.name, current.input, current.truth);
  }));
}

async function start(): Promise<void> {
  setStatus('loading', 'Starting WebGPU…');
  const problem = await describeGpuProblem();
  if (problem) throw new Error(problem);
  gpu = await getGpu();
  view = new VolumeView(gpu, $('view3d'));
  bindUi();
  drawLoss($('loss'), []);
  const params = new URLSearchParams(location.search);
  setStatus('loading', 'Loading the checkpoint…');
  await useCheckpoint(await fetchCheckpoint(params.get('weights') ?? DEFAULT_WEIGHTS));
  const sample = params.get('sample') ?? '0';
  // NOTE: ?sample=abc read as NaN ("no built-in sample NaN")
  if (!/^\d+$/.test(sample)) throw new Error(`?sample=${sample}: give a number from 0 to ${samples.length - 1}`);
  await predictSample(Number(sample));
}

const ready = start();
const api: TopoShaprApi = {
  ready,
  samples: () => samples.map((s) => s.name),
  predict: (i) => ready.then(() => serial(() => predictSample(i))),
  train: (o) => ready.then(() => serial(() => runTraining(o.lambda, o.steps, o.lr ?? 5e-4, o.batchSize ?? 4, o.topoDims ?? [0, 1, 2]))),
  adapter: () => (gpu ? gpuName() : ''),
  current: () => (current ? { name: current.name, input: Array.from(current.input), volume: Array.from(current.volume) } : null),
  gpuDiagrams: () => ready.then(() => serial(async () => {
    const side = Math.round(Math.cbrt(current!.volume.length));
    return diagramsToJson(await persistenceGpu(gpu!, current!.volume, [side, side, side]));
  })),
};
(window as unknown as { topoShapr: TopoShaprApi }).topoShapr = api;
ready.catch((e) => showError(e, true));
