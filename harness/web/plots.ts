// The page's two charts on 2D canvases: a persistence diagram (prediction against ground truth) and the
// live loss curves of in-page training.
import type { DiagramsJson } from '../../src/topo/persistence.ts';

const AXIS = '#9aa3b2';
const GRID = 'rgba(154,163,178,0.18)';
const FONT = '12px system-ui, sans-serif';
const STRONG = 0.1; // persistence (birth − death) above which the legend counts a pair as a real feature

export interface DiagramSeries {
  label: string;
  color: string;
  marker: 'dot' | 'cross';
  diagrams: DiagramsJson;
}

interface Frame {
  ctx: CanvasRenderingContext2D;
  x: (v: number) => number;
  y: (v: number) => number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function frame(canvas: HTMLCanvasElement, xr: [number, number], yr: [number, number], legendLines = 0): Frame {
  const ctx = canvas.getContext('2d')!;
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  ctx.font = FONT;
  const left = 44;
  const top = 10;
  const right = w - 10;
  const bottom = h - 36 - 16 * legendLines;
  const x = (v: number) => left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * (right - left);
  const y = (v: number) => bottom - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * (bottom - top);
  ctx.strokeStyle = AXIS;
  ctx.strokeRect(left, top, right - left, bottom - top);
  return { ctx, x, y, left, top, right, bottom };
}

/**
 * Superlevel-set persistence diagram of dimension `dim`: birth on x, death on y (birth ≥ death, so points
 * lie below the diagonal); the essential class (death = −∞) is drawn as a triangle on the bottom edge.
 */
export function drawDiagram(canvas: HTMLCanvasElement, series: DiagramSeries[], dim: number): void {
  const f = frame(canvas, [0, 1], [0, 1], series.length);
  const { ctx } = f;
  ctx.strokeStyle = GRID;
  for (let v = 0.25; v < 1; v += 0.25) {
    ctx.beginPath();
    ctx.moveTo(f.x(v), f.top);
    ctx.lineTo(f.x(v), f.bottom);
    ctx.moveTo(f.left, f.y(v));
    ctx.lineTo(f.right, f.y(v));
    ctx.stroke();
  }
  ctx.strokeStyle = AXIS;
  ctx.beginPath();
  ctx.moveTo(f.x(0), f.y(0));
  ctx.lineTo(f.x(1), f.y(1));
  ctx.stroke();
  ctx.fillStyle = AXIS;
  ctx.textAlign = 'center';
  ctx.fillText('birth', (f.left + f.right) / 2, f.bottom + 30);
  for (const v of [0, 0.5, 1]) ctx.fillText(String(v), f.x(v), f.bottom + 14);
  ctx.save();
  ctx.translate(12, (f.top + f.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('death', 0, 0);
  ctx.restore();
  ctx.textAlign = 'right';
  for (const v of [0, 0.5, 1]) ctx.fillText(String(v), f.left - 4, f.y(v) + 4);
  // the legend goes under the axes: points crowd every corner of the plot
  let legendY = f.bottom + 48;
  for (const s of series) {
    const pairs = s.diagrams[String(dim)] ?? [];
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    for (const [b, d] of pairs) {
      const px = f.x(Math.min(1, Math.max(0, b)));
      if (d === null) {
        const py = f.bottom;
        ctx.beginPath();
        ctx.moveTo(px, py - 9);
        ctx.lineTo(px - 5, py);
        ctx.lineTo(px + 5, py);
        ctx.closePath();
        ctx.stroke();
        continue;
      }
      const py = f.y(Math.min(1, Math.max(0, d)));
      ctx.beginPath();
      if (s.marker === 'dot') ctx.arc(px, py, 3, 0, 2 * Math.PI), ctx.fill();
      else ctx.moveTo(px - 4, py - 4), ctx.lineTo(px + 4, py + 4), ctx.moveTo(px - 4, py + 4), ctx.lineTo(px + 4, py - 4), ctx.stroke();
    }
    ctx.textAlign = 'left';
    if (s.marker === 'dot') ctx.beginPath(), ctx.arc(f.left + 4, legendY - 4, 3, 0, 2 * Math.PI), ctx.fill();
    else ctx.beginPath(), ctx.moveTo(f.left + 1, legendY - 7), ctx.lineTo(f.left + 7, legendY - 1), ctx.moveTo(f.left + 1, legendY - 1), ctx.lineTo(f.left + 7, legendY - 7), ctx.stroke();
    const strong = pairs.filter(([b, d]) => d === null || b - d >= STRONG).length;
    ctx.fillText(`${s.label}: ${pairs.length} pair${pairs.length === 1 ? '' : 's'}, ${strong} with persistence ≥ ${STRONG}`, f.left + 14, legendY);
    legendY += 16;
  }
}

export interface LossSeries {
  label: string;
  color: string;
  values: number[];
}

/** Loss against step for each series, on shared axes that fit all of them. */
export function drawLoss(canvas: HTMLCanvasElement, series: LossSeries[]): void {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const steps = Math.max(2, ...series.map((s) => s.values.length));
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (hi - lo < 1e-6) (lo -= 0.05), (hi += 0.05);
  const pad = (hi - lo) * 0.08;
  const f = frame(canvas, [1, steps], [lo - pad, hi + pad], series.length);
  const { ctx } = f;
  ctx.fillStyle = AXIS;
  ctx.textAlign = 'center';
  ctx.fillText('step', (f.left + f.right) / 2, f.bottom + 30);
  ctx.fillText('1', f.x(1), f.bottom + 14);
  ctx.fillText(String(steps), f.x(steps), f.bottom + 14);
  ctx.textAlign = 'right';
  if (all.length) {
    ctx.fillText(hi.toFixed(3), f.left - 4, f.y(hi) + 4);
    ctx.fillText(lo.toFixed(3), f.left - 4, f.y(lo) + 4);
  }
  if (!series.length) {
    ctx.textAlign = 'center';
    ctx.fillText('loss per step appears here while training', (f.left + f.right) / 2, (f.top + f.bottom) / 2);
  }
  let legendY = f.bottom + 48;
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    s.values.forEach((v, i) => (i ? ctx.lineTo(f.x(i + 1), f.y(v)) : ctx.moveTo(f.x(i + 1), f.y(v))));
    ctx.stroke();
    ctx.lineWidth = 1;
    ctx.textAlign = 'left';
    const last = s.values.length ? `: ${s.values[0].toFixed(4)} → ${s.values[s.values.length - 1].toFixed(4)}` : '';
    ctx.fillRect(f.left, legendY - 6, 10, 3);
    ctx.fillText(s.label + last, f.left + 14, legendY);
    legendY += 16;
  }
}
