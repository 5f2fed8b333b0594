// Plain-TS reference of the three kernels of shaders/topo/union_find.wgsl, one voxel at a time in the
// kernels' own order of neighbours (t = 0..26: (t/9 − 1, t/3 % 3 − 1, t % 3 − 1) in (z, y, x)), so that
// ties and −0 beside +0 come out as the kernels give them. (NaN is not modelled: WGSL may assume there is
// none, and persistenceGpuBatch refuses such a volume after the fact.)
// `values` is one volume; labels have n + 1 entries, node n being the outside.
import type { BasinParams } from './union_find.ts';

/** What the kernels' Params say of the volume itself (the buffer offsets and record room are the GPU's). */
export type BasinRefParams = Pick<BasinParams, 'shape' | 'conn' | 'reverse'>;

/** (k, j, i) of voxel v: its z, y and x. */
function coords(p: BasinRefParams, v: number): [number, number, number] {
  const [, h, w] = p.shape;
  return [Math.floor(v / (w * h)), Math.floor(v / w) % h, v % w];
}

/** u is above v in the sweep's total order (value descending then index ascending; reversed for dimension 2). */
function above(values: Float32Array, reverse: boolean, u: number, v: number): boolean {
  const fu = values[u];
  const fv = values[v];
  return reverse ? fu < fv || (fu === fv && u > v) : fu > fv || (fu === fv && u < v);
}

/** The neighbours of voxel v that lie inside the box, in the kernels' order. */
function neighbours(p: BasinRefParams, v: number): number[] {
  const [d, h, w] = p.shape;
  const [k, j, i] = coords(p, v);
  const out: number[] = [];
  for (let t = 0; t < 27; t++) {
    const dz = Math.floor(t / 9) - 1;
    const dy = (Math.floor(t / 3) % 3) - 1;
    const dx = (t % 3) - 1;
    const taxi = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
    if (taxi === 0 || (p.conn === 6 && taxi > 1)) continue;
    const [kk, jj, ii] = [k + dz, j + dy, i + dx];
    if (kk < 0 || jj < 0 || ii < 0 || kk >= d || jj >= h || ii >= w) continue;
    out.push((kk * h + jj) * w + ii);
  }
  return out;
}

/** ascend: each voxel's highest neighbour above it, or itself; in reverse the box's border leads outside. */
export function ascendRef(values: Float32Array, p: BasinRefParams): Uint32Array {
  const [d, h, w] = p.shape;
  const n = d * h * w;
  const out = new Uint32Array(n + 1);
  out[n] = n;
  for (let v = 0; v < n; v++) {
    const [k, j, i] = coords(p, v);
    if (p.reverse && (i === 0 || j === 0 || k === 0 || i === w - 1 || j === h - 1 || k === d - 1)) {
      out[v] = n;
      continue;
    }
    let best = v;
    for (const u of neighbours(p, v)) if (above(values, p.reverse, u, best)) best = u;
    out[v] = best;
  }
  return out;
}

/** jump: one synchronous round of pointer jumping. */
export function jumpRef(labels: Uint32Array): Uint32Array {
  return labels.map((l) => labels[l]);
}

/** edges: (v, basin of v, basin of a neighbour above v) once per distinct foreign basin, by v then neighbour order. */
export function edgesRef(values: Float32Array, p: BasinRefParams, labels: Uint32Array): Array<[number, number, number]> {
  const n = values.length;
  const out: Array<[number, number, number]> = [];
  for (let v = 0; v < n; v++) {
    const seen = new Set<number>();
    for (const u of neighbours(p, v)) {
      if (!above(values, p.reverse, u, v) || labels[u] === labels[v] || seen.has(labels[u])) continue;
      seen.add(labels[u]);
      out.push([v, labels[v], labels[u]]);
    }
  }
  return out;
}
