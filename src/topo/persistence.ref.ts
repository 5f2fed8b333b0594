// Reference persistent homology of a volume's superlevel filtration: builds the whole cubical complex,
// sorts every cell by one total order and reduces the full Z/2 boundary matrix column by column.
// Slow (quadratic memory in the worst case) and meant for tests on small volumes only.
import type { Construction } from './cubical_grid.ts';
import { cellCoords, cellFacets, cellGrid } from './cubical_grid.ts';
import { checkVolume } from './arguments.ts';
import type { Diagrams, Pair } from './persistence.ts';
import { sortDiagrams } from './diagrams.ts';

/** Value of every cell and the voxel it takes it from (T: max of touching voxels; V: min of its vertices). */
export function cellValuesRef(
  volume: Float32Array,
  shape: [number, number, number],
  construction: Construction,
): { values: Float64Array; source: Int32Array } {
  const g = cellGrid(shape, construction);
  const [d, h, w] = shape;
  const values = new Float64Array(g.size);
  const source = new Int32Array(g.size);
  // Voxel coordinates along one axis that a cell coordinate c touches.
  const touch = (c: number, n: number): number[] => {
    const ks = construction === 'T' ? (c & 1 ? [(c - 1) / 2] : [c / 2 - 1, c / 2]) : c & 1 ? [(c - 1) / 2, (c + 1) / 2] : [c / 2];
    return ks.filter((k) => k >= 0 && k < n);
  };
  for (let c = 0; c < g.size; c++) {
    const [z, y, x] = cellCoords(g, c);
    let best = construction === 'T' ? -Infinity : Infinity;
    let arg = -1;
    for (const k of touch(z, d)) {
      for (const j of touch(y, h)) {
        for (const i of touch(x, w)) {
          const v = (k * h + j) * w + i;
          const f = volume[v];
          // NOTE: among equal values the smallest flat index wins (v grows in this loop).
          if (construction === 'T' ? f > best : f < best) {
            best = f;
            arg = v;
          }
        }
      }
    }
    values[c] = best;
    source[c] = arg;
  }
  return { values, source };
}

/**
 * All persistence pairs (zero-persistence ones included) of the superlevel filtration, by the textbook
 * reduction. Total order: value descending, then dimension ascending, then flat cell index ascending.
 */
export function persistenceRef(
  volume: Float32Array,
  shape: [number, number, number],
  opts: { construction?: Construction; keepZero?: boolean } = {},
): Diagrams {
  const construction = opts.construction ?? 'T';
  checkVolume(volume, shape);
  const g = cellGrid(shape, construction);
  const { values, source } = cellValuesRef(volume, shape, construction);
  const dimOf = new Uint8Array(g.size);
  for (let c = 0; c < g.size; c++) {
    const [z, y, x] = cellCoords(g, c);
    dimOf[c] = (z & 1) + (y & 1) + (x & 1);
  }
  const cells = Array.from({ length: g.size }, (_, c) => c);
  cells.sort((a, b) => values[b] - values[a] || dimOf[a] - dimOf[b] || a - b);
  const pos = new Int32Array(g.size);
  cells.forEach((c, p) => (pos[c] = p));

  // Column p holds the sorted (ascending) positions of the facets of cells[p]; low = last entry.
  const cols: number[][] = cells.map((c) => cellFacets(g, c).map((f) => pos[f]).sort((a, b) => a - b));
  const lowOwner = new Map<number, number>();
  const paired = new Uint8Array(g.size);
  const dims: Pair[][] = [[], [], [], []];
  const keep = (b: number, d: number) => opts.keepZero || b !== d;
  for (let p = 0; p < g.size; p++) {
    let col = cols[p];
    while (col.length > 0 && lowOwner.has(col[col.length - 1])) {
      col = symDiff(col, cols[lowOwner.get(col[col.length - 1])!]);
    }
    cols[p] = col;
    if (col.length === 0) continue;
    const low = col[col.length - 1];
    lowOwner.set(low, p);
    paired[low] = paired[p] = 1;
    const bc = cells[low];
    const dc = cells[p];
    if (keep(values[bc], values[dc])) {
      dims[dimOf[bc]].push({ birth: values[bc], death: values[dc], birthIndex: source[bc], deathIndex: source[dc] });
    }
  }
  for (let p = 0; p < g.size; p++) {
    if (paired[p]) continue;
    const c = cells[p];
    dims[dimOf[c]].push({ birth: values[c], death: -Infinity, birthIndex: source[c], deathIndex: -1 });
  }
  return sortDiagrams({ dims: dims.slice(0, 3) });
}

/** Symmetric difference of two ascending arrays (Z/2 column addition). */
function symDiff(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
    else {
      i++;
      j++;
    }
  }
  return out;
}
