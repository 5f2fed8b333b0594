// The comparison report: one self-contained HTML file (inline SVG charts and PNG data URIs, no scripts,
// nothing fetched), with the paper-style table, per-class box plots, training curves and examples.
import { METRICS as EVAL_METRICS } from '../eval/metrics.ts';
import { ALL_CLASSES, type Stats } from '../eval/summary.ts';
import { formatPValue, type WilcoxonResult } from '../eval/wilcoxon.ts';
import type { DiagramsJson } from '../topo/persistence.ts';
import type { EpochLog } from '../train/trainer.ts';
import { encodePng, encodeRgbaPng, type GrayImage, type RgbaImage } from '../util/png.ts';
import { boxPlot, diagramPlot, esc, linePlot, type Series } from './svg.ts';
import { outlined } from './views.ts';
import { PRED_COLOR, TRUTH_COLOR } from '../render/raymarch.ts';

/** The metrics' JSON names (metrics.json), in eval's order: one list, so a new metric reaches the report by itself. */
export const METRICS = EVAL_METRICS.map(([, json]) => json);
export type Metric = (typeof METRICS)[number];
const METRIC_TITLES: Record<Metric, string> = {
  iou_error: 'IoU error',
  volume_error: 'relative volume error',
  surface_error: 'relative surface error',
  roughness_error: 'relative roughness error',
  betti_error: 'Betti number error',
};

/** One method (a config trained on one or more folds). */
export interface MethodReport {
  label: string;
  runs: Array<{ dir: string; fold: number; logs: EpochLog[] }>;
  stats: Record<string, Record<Metric, Stats>>; // class ('all' first) → metric → stats
  values: Record<string, Record<Metric, number[]>>; // class → metric → per-sample values (box plots)
}

export interface ExampleReport {
  name: string;
  className: string;
  /** `outline`: the scored shape's slice (1 inside), outlined over the image (truth blue, prediction orange). */
  images: Array<{ caption: string; image: GrayImage; outline?: { mask: GrayImage; truth: boolean } }>;
  /** The true and predicted volumes ([side]³), until drawSurfaces (surfaces.ts) renders them into `surfaces`. */
  volumes: Array<{ label: string; truth: boolean; volume: Float32Array; side: number }>;
  surfaces: Array<{ caption: string; image: RgbaImage }>;
  diagrams: Array<{ title: string; series: Array<{ name: string; points: Array<[number, number | null]> }> }>;
}

export interface ReportInput {
  title: string;
  meta: Record<string, string>;
  methods: MethodReport[];
  tests: Array<{ metric: Metric; a: string; b: string; result: WilcoxonResult | null; pairs: number }>;
  examples: ExampleReport[];
}

const num = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');

/** An <img> of PNG bytes as a data URI (the report fetches nothing). */
function img(png: Buffer, width: number, height: number): string {
  return `<img src="data:image/png;base64,${png.toString('base64')}" width="${width}" height="${height}" alt="">`;
}

/** The slice with the scored shape's outline in the 3D views' colours. */
function outlinedPng(image: GrayImage, o: { mask: GrayImage; truth: boolean }, scale: number): string {
  const rgb = (o.truth ? TRUTH_COLOR : PRED_COLOR).map((c) => Math.round(255 * c)) as [number, number, number];
  const out = outlined(image, o.mask, rgb, scale);
  return img(encodeRgbaPng(out), out.width, out.height);
}

function grayPng(image: GrayImage, scale: number): string {
  // nearest-neighbour upscale so small volumes stay readable
  const [w, h] = [image.width * scale, image.height * scale];
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data[y * w + x] = image.data[Math.floor(y / scale) * image.width + Math.floor(x / scale)];
  }
  return img(encodePng({ width: w, height: h, data }), w, h);
}

function table(input: ReportInput): string {
  // one p-value column per configuration tested against the first
  const comparisons = [...new Map(input.tests.map((t) => [t.b, { a: t.a, b: t.b }])).values()];
  const rows = METRICS.map((m) => {
    const cells = input.methods.map((meth) => {
      const s = meth.stats.all?.[m];
      return s ? `<td>${num(s.mean)}</td><td>${num(s.median)} [${num(s.q25)}, ${num(s.q75)}]</td><td>${s.n}${s.nan ? ` (+${s.nan} NaN)` : ''}</td>` : '<td colspan="3">–</td>';
    });
    const ps = comparisons.map((c) => {
      const test = input.tests.find((t) => t.metric === m && t.b === c.b);
      return `<td>${test?.result ? `${formatPValue(test.result.pvalue)} (${test.result.method}, n=${test.result.n})` : test?.pairs === 0 ? 'no common samples' : '–'}</td>`;
    });
    return `<tr><th>${METRIC_TITLES[m]}</th>${cells.join('')}${ps.join('')}</tr>`;
  });
  const head = input.methods.map((m) => `<th colspan="3">${esc(m.label)}<br><small>${m.runs.length} fold(s)</small></th>`).join('');
  const sub = input.methods.map(() => '<th>mean</th><th>median [IQR]</th><th>n</th>').join('');
  const pHead = (comparisons.length ? comparisons : [null]).map((c) => `<th rowspan="2">Wilcoxon p${c ? `<br><small>${esc(c.a)} vs ${esc(c.b)}</small>` : ''}</th>`).join('');
  return `<table><tr><th rowspan="2">metric (lower is better)</th>${head}${pHead}</tr><tr>${sub}</tr>${rows.join('')}</table>`;
}

function perClassTable(input: ReportInput): string {
  const classes = [...new Set(input.methods.flatMap((m) => Object.keys(m.stats)))].filter((c) => c !== ALL_CLASSES).sort();
  if (!classes.length) return '';
  const rows = classes.map((c) => `<tr><th>${esc(c)}</th>${input.methods.map((m) => METRICS.map((k) => `<td>${num(m.stats[c]?.[k]?.mean ?? NaN)}</td>`).join('')).join('')}</tr>`);
  const head = input.methods.map((m) => `<th colspan="${METRICS.length}">${esc(m.label)}</th>`).join('');
  const sub = input.methods.map(() => METRICS.map((k) => `<th>${METRIC_TITLES[k].replace('relative ', '')}</th>`).join('')).join('');
  return `<h3>Mean error per class</h3><table><tr><th rowspan="2">class</th>${head}</tr><tr>${sub}</tr>${rows.join('')}</table>`;
}

function boxPlots(input: ReportInput): string {
  const classes = [...new Set(input.methods.flatMap((m) => Object.keys(m.values)))].sort((a, b) => (a === ALL_CLASSES ? -1 : b === ALL_CLASSES ? 1 : a < b ? -1 : 1));
  return METRICS.map((m) =>
    boxPlot(METRIC_TITLES[m], m, input.methods.map((x) => x.label), classes.map((c) => ({ label: c.length > 12 ? c.slice(0, 11) + '…' : c, values: input.methods.map((x) => x.values[c]?.[m] ?? []) }))),
  ).join('');
}

/**
 * The loss curves of one run: `loss` (training and validation) and `topo`, the L_T of both where the
 * topological term is on (its own plot: about 0.01 beside losses about 0.3, it was a flat line at 0).
 * NOTE: the adversarial phase's losses mean other things (train: the generator loss; validation: the
 * supervised loss alone, without λ·L_T), so its epochs are series of their own rather than a continuation
 * whose meaning changes at the phase boundary.
 */
export function curveSeries(logs: readonly EpochLog[]): { loss: Series[]; topo: Series[] } {
  const sup = logs.filter((l) => !l.phase), adv = logs.filter((l) => l.phase === 'adversarial');
  const x = (ls: readonly EpochLog[]) => ls.map((l) => l.epoch + 1);
  const loss = [
    { name: 'train', x: x(sup), y: sup.map((l) => l.train.loss) },
    { name: 'validation', x: x(sup), y: sup.map((l) => l.val.loss) },
  ];
  if (adv.length) {
    loss.push({ name: 'adversarial: generator', x: x(adv), y: adv.map((l) => l.train.loss) });
    loss.push({ name: 'adversarial: validation (supervised)', x: x(adv), y: adv.map((l) => l.val.loss) });
  }
  const topo: Series[] = [];
  if (sup.some((l) => l.train.topo > 0)) topo.push({ name: 'train L_T', x: x(sup), y: sup.map((l) => l.train.topo) });
  if (sup.some((l) => l.val.topo > 0)) topo.push({ name: 'validation L_T', x: x(sup), y: sup.map((l) => l.val.topo) });
  return { loss, topo };
}

function curves(input: ReportInput): string {
  return input.methods
    .flatMap((m) =>
      m.runs.flatMap((r) => {
        const { loss, topo } = curveSeries(r.logs);
        const title = `${m.label} — fold ${r.fold}`;
        return [linePlot(title, 'epoch', 'loss', loss), ...(topo.length ? [linePlot(`${title}: L_T`, 'epoch', 'L_T (before λ)', topo)] : [])];
      }),
    )
    .join('');
}

function examples(input: ReportInput): string {
  return input.examples
    .map((e) => {
      const scale = Math.max(1, Math.round(96 / (e.images[0]?.image.width ?? 96)));
      const figs = e.images.map((i) => `<figure>${i.outline ? outlinedPng(i.image, i.outline, scale) : grayPng(i.image, scale)}<figcaption>${esc(i.caption)}</figcaption></figure>`).join('');
      const views = e.surfaces.map((i) => `<figure>${img(encodeRgbaPng(i.image), i.image.width, i.image.height)}<figcaption>${esc(i.caption)}</figcaption></figure>`).join('');
      const diags = e.diagrams.map((d) => diagramPlot(d.title, d.series)).join('');
      return `<h3>${esc(e.name)} <small>(${esc(e.className)})</small></h3><div class="row">${figs}</div>${views ? `<div class="row">${views}</div>` : ''}<div class="row">${diags}</div>`;
    })
    .join('');
}

/** The whole report as one HTML string. */
export function renderReport(input: ReportInput): string {
  const meta = Object.entries(input.meta).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title><style>
body{font-family:sans-serif;margin:24px;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}
th{background:#f4f4f4}figure{display:inline-block;margin:4px;text-align:center}figcaption{font-size:11px;color:#555}
.row{display:flex;flex-wrap:wrap;gap:6px;align-items:flex-start}svg{margin:4px}small{color:#666}
</style></head><body><h1>${esc(input.title)}</h1><table>${meta}</table>
<h2>Shape errors on the test folds</h2><p>Per-sample errors after max-normalisation and Otsu thresholding, as in SHAPR's evaluation, and the Betti number error (not in the paper): Σ|Δβ| over the counts of components, tunnels and cavities of the two binary shapes. The p-value is a paired two-sided Wilcoxon signed-rank test over the samples both methods predicted; – where no pair differs.</p>${table(input)}${perClassTable(input)}
<h2>Per class</h2><div class="row">${boxPlots(input)}</div>
<h2>Training curves</h2><div class="row">${curves(input)}</div>
<h2>Examples</h2><p>Input image and mask, then mid-slices (z: the image plane; y; outlined: the shape the metrics score) and the maximum projection along y of the true and predicted volumes; in 3D, the shapes the metrics score (after max-normalisation and Otsu; truth blue, predictions orange); persistence diagrams (superlevel, birth ≥ death) of truth and prediction at the loss' resolution, the count of pairs beside each name; a triangle on the bottom edge marks the essential class (a component that never dies) at its birth.</p>${examples(input)}
</body></html>`;
}

export type { DiagramsJson };
