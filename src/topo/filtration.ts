// The superlevel filtration of a volume's cubical complex as one explicit total order of all its cells,
// built without comparison sorts: the voxels are radix-sorted, then the cells are counting-sorted by the
// rank of the voxel they enter with.
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
  odd: Uint8Array; // odd[p] = which grid coordinates of cells[p] are odd: bit 0 x, bit 1 y, bit 2 z
}

/** Voxel indices sorted by value descending, ties by index ascending (stable LSD radix sort, 3 × 11 bits). */
export function sortVoxelsDescending(volume: Float32Array): Int32Array {
  const n = volume.length;
  const bits = new Uint32Array(volume.buffer, volume.byteOffset, n);
  let key = new Uint32Array(n);
  let keyTmp = new Uint32Array(n);
  let idx = new Int32Array(n);
  let idxTmp = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    // Order-preserving map of float bits to unsigned ints, then complemented for descending order.
    // NOTE: -0 sorts just after +0; they are equal values, so any order between them is a valid refinement.
    key[i] = ~(b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
    idx[i] = i;
  }
  const count = new Int32Array(2048);
  for (let shift = 0; shift < 33; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[i] >>> shift) & 2047]++;
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = key[i];
      const q = count[(k >>> shift) & 2047]++;
      keyTmp[q] = k;
      idxTmp[q] = idx[i];
    }
    [key, keyTmp] = [keyTmp, key];
    [idx, idxTmp] = [idxTmp, idx];
  }
  return idx;
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

  // Counting sort of the cells by entry rank, one pass per dimension so that each voxel's bucket ends up
  // in (dimension, index) order: the scatter reads the grid in index order.
  const start = new Int32Array(n + 1);
  for (let c = 0; c < g.size; c++) start[entry[c] + 1]++;
  for (let r = 0; r < n; r++) start[r + 1] += start[r];
  const cells = new Int32Array(g.size);
  const dims = new Uint8Array(g.size);
  const odd = new Uint8Array(g.size);
  const { gx, gy, gz } = g;
  for (let d = 0; d <= 3; d++) {
    let c = 0;
    for (let z = 0; z < gz; z++) {
      for (let y = 0; y < gy; y++) {
        const m = ((z & 1) << 2) | ((y & 1) << 1);
        const dzy = (z & 1) + (y & 1);
        // Along x the dimension alternates dzy, dzy + 1 (x even, odd).
        if (dzy === d) {
          for (let x = 0; x < gx; x += 2) {
            const p = start[entry[c + x]]++;
            cells[p] = c + x;
            dims[p] = d;
            odd[p] = m;
          }
        } else if (dzy + 1 === d) {
          for (let x = 1; x < gx; x += 2) {
            const p = start[entry[c + x]]++;
            cells[p] = c + x;
            dims[p] = d;
            odd[p] = m | 1;
          }
        }
        c += gx;
      }
    }
  }
  return { grid: g, volume, order, entry, cells, dims, odd };
}
