// The superlevel filtration of a volume's cubical complex as one explicit total order of all its cells,
// built without sorting the cells: only the voxels are sorted (radix sort), and every cell is placed right
// after the voxel it enters with.
//
// NOTE: the total order (the one comparator every CPU and GPU path shares):
//   1. rank of the cell's entry voxel, where voxels are ranked by value descending, then flat index ascending
//      (the entry voxel is the first of its voxels to enter: T, the max of the voxels it touches; V, the
//      min of its vertices, the last to enter);
//   2. then cell dimension ascending;
//   3. then flat cell index ascending.
// It refines the value order (a cell's value is its entry voxel's value) and puts every face before its
// cofaces, so it is a valid filtration order; its diagram minus zero-persistence pairs is the GUDHI one.
import type { CellGrid, Construction } from './cubical_grid.ts';
import { cellGrid, spreadToCells } from './cubical_grid.ts';

export interface Filtration {
  grid: CellGrid;
  volume: Float32Array;
  order: Int32Array; // order[r] = the voxel of rank r
  entry: Int32Array; // entry[c] = rank of cell c's entry voxel
  cells: Int32Array; // cells[p] = the cell at filtration position p
  dims: Uint8Array; // dims[p] = dimension of cells[p]
}

/** Voxel indices sorted by value descending, ties by index ascending (stable LSD radix sort, 3 × 11 bits). */
export function sortVoxelsDescending(volume: Float32Array): Int32Array {
  const n = volume.length;
  const bits = new Uint32Array(volume.buffer, volume.byteOffset, n);
  const key = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    // Order-preserving map of float bits to unsigned ints, then complemented for descending order.
    // NOTE: -0 sorts just after +0; they are equal values, so any order between them is a valid refinement.
    key[i] = ~(b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
  }
  let idx = new Int32Array(n);
  let tmp = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const count = new Int32Array(2048);
  for (let shift = 0; shift < 33; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[idx[i]] >>> shift) & 2047]++;
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = idx[i];
      tmp[count[(key[v] >>> shift) & 2047]++] = v;
    }
    const t = idx;
    idx = tmp;
    tmp = t;
  }
  return idx;
}

/** The 27 offsets of a voxel's block in the cell grid, sorted by (cell dimension, flat offset). */
function blockOffsets(g: CellGrid): Array<{ dz: number; dy: number; dx: number; off: number; dim: number }> {
  const out = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nz = (dz === 0 ? 1 : 0) + (dy === 0 ? 1 : 0) + (dx === 0 ? 1 : 0);
        // T: the voxel is the all-odd cube, a cell is odd where the offset is 0; V: the reverse.
        const dim = g.construction === 'T' ? nz : 3 - nz;
        out.push({ dz, dy, dx, off: dz * g.sz + dy * g.sy + dx, dim });
      }
    }
  }
  return out.sort((a, b) => a.dim - b.dim || a.off - b.off);
}

export function buildFiltration(
  volume: Float32Array,
  shape: [number, number, number],
  construction: Construction,
): Filtration {
  const g = cellGrid(shape, construction);
  const order = sortVoxelsDescending(volume);
  const n = order.length;
  const rank = new Int32Array(n);
  for (let r = 0; r < n; r++) rank[order[r]] = r;
  const entry = spreadToCells(g, rank, construction === 'T' ? 'min' : 'max');

  const cells = new Int32Array(g.size);
  const dims = new Uint8Array(g.size);
  const offs = blockOffsets(g);
  const [, h, w] = shape;
  const o = construction === 'T' ? 1 : 0;
  let p = 0;
  for (let r = 0; r < n; r++) {
    const v = order[r];
    const i = v % w;
    const j = ((v - i) / w) % h;
    const k = (v - i - j * w) / (w * h);
    const z = 2 * k + o;
    const y = 2 * j + o;
    const x = 2 * i + o;
    const base = z * g.sz + y * g.sy + x;
    for (let t = 0; t < 27; t++) {
      const b = offs[t];
      const zz = z + b.dz;
      const yy = y + b.dy;
      const xx = x + b.dx;
      if (zz < 0 || zz >= g.gz || yy < 0 || yy >= g.gy || xx < 0 || xx >= g.gx) continue;
      const c = base + b.off;
      if (entry[c] !== r) continue;
      cells[p] = c;
      dims[p++] = b.dim;
    }
  }
  if (p !== g.size) throw new Error(`filtration placed ${p} of ${g.size} cells`);
  return { grid: g, volume, order, entry, cells, dims };
}
