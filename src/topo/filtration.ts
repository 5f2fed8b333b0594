// The superlevel filtration of a volume's cubical complex as one explicit total order of all its cells,
// built without comparison sorts: the voxels are radix-sorted, then every cell gets its position by a
// counting sort on the rank of the voxel it enters with. Only the edges and the squares are listed in
// order (the union-finds of pairs.ts walk those); vertices and cubes are only looked up by position.
// Used for the V-construction; the T-construction sweeps voxel stars instead (star_sweeps.ts).
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
import { scratchInt32 } from './scratch.ts';

const keyScratch = scratchInt32();
const keyTmpScratch = scratchInt32();
const idxScratch = scratchInt32();

export interface Filtration {
  grid: CellGrid;
  volume: Float32Array;
  order: Int32Array; // order[r] = the voxel of rank r
  entry: Int32Array; // entry[c] = rank of cell c's entry voxel
  pos: Int32Array; // pos[c] = filtration position of cell c
  edges: Int32Array; // 4·c + odd axis (0 x, 1 y, 2 z) of every edge c, in filtration order
  squares: Int32Array; // 4·c + normal axis (the even one) of every square c, in filtration order
}

/** Voxel indices sorted by value descending, ties by index ascending (stable LSD radix sort, 3 × 11 bits). */
export function sortVoxelsDescending(volume: Float32Array): Int32Array {
  const n = volume.length;
  const bits = new Uint32Array(volume.buffer, volume.byteOffset, n);
  // NOTE: the keys and the first index array are scratch (reused across calls: a fresh array's page faults
  // cost ~15% of this sort at 64³); after the three passes the result is the fresh array.
  const k0 = keyScratch.take(n, false);
  const k1 = keyTmpScratch.take(n, false);
  let key = new Uint32Array(k0.buffer, k0.byteOffset, n);
  let keyTmp = new Uint32Array(k1.buffer, k1.byteOffset, n);
  let idx = idxScratch.take(n, false);
  let idxTmp = new Int32Array(n);
  // NOTE: the three digit histograms are counted in the pass that builds the keys (one read, not three).
  const counts = new Int32Array(3 * 2048);
  for (let i = 0; i < n; i++) {
    // NOTE: -0 is +0 here: equal values are ordered by index, as the GPU union-find's comparisons and the
    // reference do (with -0 just after +0 the generators of volumes with both zeros differed from the GPU's)
    const b = bits[i] === 0x80000000 ? 0 : bits[i];
    // Order-preserving map of float bits to unsigned ints, then complemented for descending order.
    const k = ~(b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
    key[i] = k;
    idx[i] = i;
    counts[k & 2047]++;
    counts[2048 + ((k >>> 11) & 2047)]++;
    counts[4096 + (k >>> 22)]++;
  }
  for (let pass = 0, shift = 0; pass < 3; pass++, shift += 11) {
    const count = counts.subarray(2048 * pass, 2048 * pass + 2048);
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

  // Counting sort by (entry rank, dimension), index ascending within: count, prefix-sum, scatter.
  const { gx, gy, gz, size } = g;
  const cursor = new Int32Array(4 * n + 1); // cursor[4r + d]: next position of a dimension-d cell of rank r
  const eCursor = new Int32Array(n + 1);
  const sCursor = new Int32Array(n + 1);
  let c = 0;
  for (let z = 0; z < gz; z++) {
    for (let y = 0; y < gy; y++) {
      const dzy = (z & 1) + (y & 1);
      for (let x = 0; x < gx; x++, c++) cursor[4 * entry[c] + dzy + (x & 1) + 1]++;
    }
  }
  let nEdges = 0;
  let nSquares = 0;
  for (let r = 0; r < n; r++) {
    eCursor[r] = nEdges;
    sCursor[r] = nSquares;
    nEdges += cursor[4 * r + 2];
    nSquares += cursor[4 * r + 3];
  }
  for (let i = 0; i < 4 * n; i++) cursor[i + 1] += cursor[i];
  const pos = new Int32Array(size);
  const edges = new Int32Array(nEdges);
  const squares = new Int32Array(nSquares);
  c = 0;
  for (let z = 0; z < gz; z++) {
    for (let y = 0; y < gy; y++) {
      const dzy = (z & 1) + (y & 1);
      for (let x = 0; x < gx; x++, c++) {
        const r = entry[c];
        const d = dzy + (x & 1);
        pos[c] = cursor[4 * r + d]++;
        if (d === 1) edges[eCursor[r]++] = 4 * c + (x & 1 ? 0 : y & 1 ? 1 : 2);
        else if (d === 2) squares[sCursor[r]++] = 4 * c + (!(x & 1) ? 0 : !(y & 1) ? 1 : 2);
      }
    }
  }
  return { grid: g, volume, order, entry, pos, edges, squares };
}
