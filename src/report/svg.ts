// Small, dependency-free SVG charts for the HTML report: line plots (training curves, analysis),
// grouped box plots (metrics per class and run), and persistence-diagram scatter plots.
import { quantileSorted } from '../util/quantile.ts';

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

const W = 520;
const H = 300;
const M = { l: 58, r: 14, t: 28, b: 44 };

/** Text escaped for HTML and SVG. */
export function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/**
 * Round tick values covering [lo, hi] with their labels. NOTE: labels carry as many decimals as the step
 * needs (3 significant digits read 1.175 and 1.18 both as 1.18 on a loss axis).
 */
function ticks(lo: number, hi: number, n = 5): Array<{ v: number; label: string }> {
  if (!(hi > lo)) return [{ v: lo, label: fmt(lo) }];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= step0)!;
  const stepExp = Math.floor(Math.log10(step) + 1e-9);
  const label = (v: number) => {
    const a = Math.max(Math.abs(v), Math.abs(lo), Math.abs(hi));
    if (a < 1e4 && a >= 1e-3) return v.toFixed(Math.max(0, -stepExp));
    return v === 0 ? '0' : v.toExponential(Math.max(0, Math.floor(Math.log10(Math.abs(v))) - stepExp));
  };
  const out: Array<{ v: number; label: string }> = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    const r = Number(v.toPrecision(12));
    out.push({ v: r, label: label(r) });
  }
  return out;
}

interface Axes {
  x: (v: number) => number;
  y: (v: number) => number;
  svg: string[];
}

/** xTicks: false (none), true, or 'whole' for an axis of whole numbers (epochs: a 3-epoch run read 1.5, 2.5). */
function axes(title: string, xLabel: string, yLabel: string, xr: [number, number], yr: [number, number], xTicks: boolean | 'whole' = true, logY = false): Axes {
  const [x0, x1] = xr[0] === xr[1] ? [xr[0] - 1, xr[1] + 1] : xr;
  let [y0, y1] = yr[0] === yr[1] ? [yr[0] - 1, yr[1] + 1] : yr;
  const f = logY ? (v: number) => Math.log10(Math.max(v, 1e-12)) : (v: number) => v;
  [y0, y1] = [f(y0), f(y1)];
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const x = (v: number) => M.l + ((v - x0) / (x1 - x0)) * pw;
  const y = (v: number) => M.t + ph - ((f(v) - y0) / (y1 - y0)) * ph;
  const svg = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`];
  svg.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`);
  svg.push(`<rect x="${M.l}" y="${M.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  for (const { v, label } of ticks(y0, y1)) {
    const yy = M.t + ph - ((v - y0) / (y1 - y0)) * ph;
    // NOTE: a log axis spanning less than a decade has fractional exponents: shown as values
    const text = logY ? (Number.isInteger(v) ? `1e${v}` : fmt(10 ** v)) : label;
    svg.push(`<line x1="${M.l}" x2="${M.l + pw}" y1="${yy}" y2="${yy}" stroke="#eee"/><text x="${M.l - 4}" y="${yy + 4}" text-anchor="end">${text}</text>`);
  }
  if (xTicks) {
    for (const { v, label } of ticks(x0, x1, 6)) {
      if (xTicks === 'whole' && !Number.isInteger(v)) continue;
      svg.push(`<text x="${x(v)}" y="${M.t + ph + 14}" text-anchor="middle">${xTicks === 'whole' ? String(v) : label}</text>`);
    }
  }
  svg.push(`<text x="${M.l + pw / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  svg.push(`<text transform="translate(12 ${M.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  return { x, y, svg };
}

/** `left`: in the top-left corner (a persistence diagram's empty half), else the top-right. */
function legend(svg: string[], names: string[], left = false): void {
  // wide enough for the longest name (about 6 px per character at 11 px sans-serif)
  const wide = Math.min(W / 2, 6 * Math.max(0, ...names.map((n) => n.length)));
  const x = left ? M.l + 8 : W - M.r - 20 - wide;
  // NOTE: on a light backing: the legend sits inside the plot and covered lines and boxes
  if (names.length) svg.push(`<rect x="${x - 4}" y="${M.t + 2}" width="${wide + 22}" height="${14 * names.length + 4}" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>`);
  names.forEach((n, i) => {
    const y = M.t + 12 + 14 * i;
    svg.push(`<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 14}" y="${y + 1}">${esc(n)}</text>`);
  });
}

function extent(values: number[]): [number, number] {
  const v = values.filter(Number.isFinite);
  return v.length ? [Math.min(...v), Math.max(...v)] : [0, 1];
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

/** Lines with markers, one colour per series. */
export function linePlot(title: string, xLabel: string, yLabel: string, series: Series[], opts: { logY?: boolean } = {}): string {
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter((v) => !opts.logY || v > 0);
  const [ylo, yhi] = extent(ys);
  const pad = opts.logY ? 0 : (yhi - ylo) * 0.05;
  const a = axes(title, xLabel, yLabel, extent(xs), [opts.logY ? ylo : ylo - pad, yhi + pad], xs.every(Number.isInteger) ? 'whole' : true, opts.logY);
  series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    const pts = s.x.map((x, k) => [x, s.y[k]] as const).filter(([, y]) => Number.isFinite(y) && (!opts.logY || y > 0));
    a.svg.push(`<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts.map(([x, y]) => `${a.x(x).toFixed(1)},${a.y(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) a.svg.push(`<circle cx="${a.x(x).toFixed(1)}" cy="${a.y(y).toFixed(1)}" r="2" fill="${c}"/>`);
  });
  legend(a.svg, series.map((s) => s.name));
  return a.svg.join('') + '</svg>';
}

export interface BoxGroup {
  label: string; // a category on the x axis (e.g. a class)
  values: number[][]; // one array per series (e.g. per run)
}

/** Box plots (median, IQR, whiskers at 1.5 IQR, outliers) grouped by category, one colour per series. */
export function boxPlot(title: string, yLabel: string, seriesNames: string[], groups: BoxGroup[]): string {
  const all = groups.flatMap((g) => g.values.flat()).filter(Number.isFinite);
  const [lo, hi] = extent(all);
  const a = axes(title, '', yLabel, [0, groups.length], [Math.min(0, lo), hi * 1.05 || 1], false);
  const slot = (a.x(1) - a.x(0)) / (seriesNames.length + 1);
  groups.forEach((g, gi) => {
    const lx = (a.x(gi) + a.x(gi + 1)) / 2;
    const ly = H - M.b + 12;
    // NOTE: labels are slanted so that many class names fit under narrow groups
    a.svg.push(`<text x="${lx}" y="${ly}" text-anchor="end" transform="rotate(-28 ${lx} ${ly})">${esc(g.label)}</text>`);
    g.values.forEach((vals, si) => {
      const v = vals.filter(Number.isFinite).sort((p, q) => p - q);
      if (!v.length) return;
      const c = PALETTE[si % PALETTE.length];
      const cx = a.x(gi) + slot * (si + 1);
      const [q1, med, q3] = [0.25, 0.5, 0.75].map((p) => quantileSorted(v, p));
      const iqr = q3 - q1;
      const wlo = v.find((x) => x >= q1 - 1.5 * iqr)!;
      const whi = [...v].reverse().find((x) => x <= q3 + 1.5 * iqr)!;
      const bw = slot * 0.7;
      a.svg.push(`<line x1="${cx}" x2="${cx}" y1="${a.y(wlo)}" y2="${a.y(whi)}" stroke="${c}"/>`);
      a.svg.push(`<rect x="${cx - bw / 2}" y="${a.y(q3)}" width="${bw}" height="${Math.max(1, a.y(q1) - a.y(q3))}" fill="${c}" fill-opacity="0.25" stroke="${c}"/>`);
      a.svg.push(`<line x1="${cx - bw / 2}" x2="${cx + bw / 2}" y1="${a.y(med)}" y2="${a.y(med)}" stroke="${c}" stroke-width="2"/>`);
      for (const x of v) if (x < wlo || x > whi) a.svg.push(`<circle cx="${cx}" cy="${a.y(x)}" r="1.8" fill="none" stroke="${c}"/>`);
    });
  });
  legend(a.svg, seriesNames);
  return a.svg.join('') + '</svg>';
}

/** Persistence diagrams (birth on x, death on y; superlevel: points lie below the diagonal), one colour per series. */
export function diagramPlot(title: string, series: Array<{ name: string; points: Array<[number, number | null]> }>): string {
  const vals = series.flatMap((s) => s.points.flatMap(([b, d]) => (d === null ? [b] : [b, d])));
  const [lo0, hi0] = extent(vals.length ? vals : [0, 1]);
  const pad = (hi0 - lo0) * 0.05 || 0.05;
  const [lo, hi] = [lo0 - pad, hi0 + pad];
  const a = axes(title, 'birth', 'death', [lo, hi], [lo, hi]);
  a.svg.push(`<line x1="${a.x(lo)}" y1="${a.y(lo)}" x2="${a.x(hi)}" y2="${a.y(hi)}" stroke="#999" stroke-dasharray="4 3"/>`);
  series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    for (const [b, d] of s.points) {
      if (d === null) a.svg.push(`<path d="M${a.x(b) - 4},${a.y(lo) + 4} l4,-8 l4,8 z" fill="${c}"><title>essential, birth ${fmt(b)}</title></path>`);
      else a.svg.push(`<circle cx="${a.x(b).toFixed(1)}" cy="${a.y(d).toFixed(1)}" r="2.5" fill="${c}" fill-opacity="0.6"/>`);
    }
  });
  // NOTE: top left: with birth ≥ death that half is empty (top right covered the points near the maximum)
  legend(a.svg, series.map((s) => `${s.name} (${s.points.length})`), true);
  return a.svg.join('') + '</svg>';
}
