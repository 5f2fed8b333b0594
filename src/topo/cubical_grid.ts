// The cubical complex of a D×H×W volume as a dense grid of cells (Kaczynski–Mrozek–Ślusarek coordinates):
// a cell at grid coordinates (z, y, x) has dimension = the number of odd coordinates, and its faces are the
// cells at ±1 along each odd coordinate.
//   T-construction: grid (2D+1)×(2H+1)×(2W+1); voxel (k, j, i) is the cube at (2k+1, 2j+1, 2i+1); a lower
//     cell enters with the max of the voxels it touches (superlevel), so superlevel sets are 26-connected.
//   V-construction: grid (2D−1)×(2H−1)×(2W−1); voxel (k, j, i) is the vertex at (2k, 2j, 2i); an edge,
//     square or cube enters with the min of its vertices, so superlevel sets are 6-connected.
// In both, x is the fastest axis of the flat cell index, like the volume's C order [D, H, W].

/** Voxels as top cubes ('T', GUDHI's default) or as vertices ('V', CubicalRipser's default). */
export type Construction = 'T' | 'V';

export interface CellGrid {
  construction: Construction;
  shape: [number, number, number]; // [D, H, W] of the volume
  gx: number; // cells along x (W axis)
  gy: number;
  gz: number;
  size: number; // gx·gy·gz
  sy: number; // flat stride of y (= gx)
  sz: number; // flat stride of z (= gx·gy)
}

export function cellGrid(shape: readonly [number, number, number], construction: Construction): CellGrid {
  const [d, h, w] = shape;
  const e = construction === 'T' ? 1 : -1;
  const gx = 2 * w + e;
  const gy = 2 * h + e;
  const gz = 2 * d + e;
  return { construction, shape: [d, h, w], gx, gy, gz, size: gx * gy * gz, sy: gx, sz: gx * gy };
}

/** Grid coordinates of a flat cell index. */
export function cellCoords(g: CellGrid, c: number): [number, number, number] {
  const x = c % g.gx;
  const t = (c - x) / g.gx;
  const y = t % g.gy;
  return [(t - y) / g.gy, y, x];
}

export function cellDim(g: CellGrid, c: number): number {
  const [z, y, x] = cellCoords(g, c);
  return (z & 1) + (y & 1) + (x & 1);
}

/** The faces of cell c (codimension 1): ±1 along each odd coordinate. */
export function cellFacets(g: CellGrid, c: number): number[] {
  const [z, y, x] = cellCoords(g, c);
  const out: number[] = [];
  if (z & 1) out.push(c - g.sz, c + g.sz);
  if (y & 1) out.push(c - g.sy, c + g.sy);
  if (x & 1) out.push(c - 1, c + 1);
  return out;
}

/**
 * For every cell, a value combined over the voxels it belongs to (T: it touches; V: its vertices):
 * `combine` is min or max, applied separably along x, y, z. `voxelValue[v]` is written at voxel v's cell.
 * Returns an array over all cells; with `slots` = 2, cell c's value is at 2c and 2c + 1 is left 0 for the
 * caller (the dimension-1 reduction keeps a second word per cell there). `into` (slots · size elements) is
 * used instead of a new array if given: then the second slots keep whatever they held.
 */
export function spreadToCells(g: CellGrid, voxelValue: Int32Array, combine: 'min' | 'max', slots: 1 | 2 = 1, into?: Int32Array): Int32Array {
  const out = into ?? new Int32Array(slots * g.size);
  const [d, h, w] = g.shape;
  const o = g.construction === 'T' ? 1 : 0;
  for (let k = 0; k < d; k++) {
    for (let j = 0; j < h; j++) {
      const row = (2 * k + o) * g.sz + (2 * j + o) * g.sy + o;
      const src = (k * h + j) * w;
      for (let i = 0; i < w; i++) out[slots * (row + 2 * i)] = voxelValue[src + i];
    }
  }
  // NOTE: -1 for min, 0 for max: the branch-free select below keeps lo iff (lo < hi) === isMin; values
  // are ranks (0 ≤ v < 2^31), so the sign of hi − lo is the comparison (a branch mispredicts on noise).
  const minMask = combine === 'min' ? -1 : 0;
  const { gx, gy, gz, sy, sz } = g;
  // NOTE: the voxel-bearing parity is odd in T and even in V; every other cell along an axis takes the
  // min/max of its (one or two) neighbours along that axis, which after three passes covers the full block.
  // Each pass walks whole rows in memory order (a walk along y or z would touch a new cache line per cell),
  // with the boundary cells (one neighbour: a copy) outside the inner loops.
  // Cells c..c+len (flat indices, step `step`) take the min/max of their neighbours ±st apart.
  const run = (c: number, len: number, step: number, st: number) => {
    const s = slots * st;
    for (let i = slots * c, end = slots * (c + len * step); i < end; i += slots * step) {
      const lo = out[i - s];
      const hi = out[i + s];
      // keep lo iff (lo < hi) === isMin, i.e. iff ((lo - hi) >> 31) === minMask
      const keepLo = ~(((lo - hi) >> 31) ^ minMask);
      out[i] = hi ^ ((hi ^ lo) & keepLo);
    }
  };
  const copy = (c: number, len: number, step: number, from: number) => {
    for (let i = slots * c, end = slots * (c + len * step); i < end; i += slots * step) out[i] = out[i + slots * from];
  };
  // Along x (voxel rows only): T's boundary cells x = 0 and gx − 1 copy their one neighbour.
  const nx = (gx - 1 + 2 * o) >> 1; // target cells per row: x = 1 − o, 3 − o, ... (T: w + 1, V: w − 1)
  for (let z = o; z < gz; z += 2) {
    for (let y = o; y < gy; y += 2) {
      const row = z * sz + y * sy;
      if (o) {
        out[slots * row] = out[slots * (row + 1)];
        out[slots * (row + gx - 1)] = out[slots * (row + gx - 2)];
        run(row + 2, nx - 2, 2, 1);
      } else run(row + 1, nx, 2, 1);
    }
  }
  // Along y (voxel planes only), whole rows at once.
  for (let z = o; z < gz; z += 2) {
    for (let y = 1 - o; y < gy; y += 2) {
      const row = z * sz + y * sy;
      if (y === 0) copy(row, gx, 1, sy);
      else if (y === gy - 1) copy(row, gx, 1, -sy);
      else run(row, gx, 1, sy);
    }
  }
  // Along z, whole planes at once.
  for (let z = 1 - o; z < gz; z += 2) {
    if (z === 0) copy(0, sz, 1, sz);
    else if (z === gz - 1) copy(z * sz, sz, 1, -sz);
    else run(z * sz, sz, 1, sz);
  }
  return out;
}
