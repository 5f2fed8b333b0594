// Exact persistent homology of a volume's superlevel-set filtration, dimensions 0, 1 and 2, on the CPU.
// One total order of the cells (filtration.ts) and three steps:
//   dimension 0: union-find over vertices along edges, elder rule;
//   dimension 2: union-find over cubes (and the outside) across squares in reverse order: Alexander duality;
//   dimension 1: reduction with clearing and compression from those two, apparent pairs first (reduction.ts;
//     for T by cohomology over the voxel ranks, voxel_cohomology.ts).
// Dimensions 0 and 2 run as voxel-star sweeps for T (star_sweeps.ts), over ordered cell lists for V
// (filtration.ts + pairs.ts), and directly on the voxels when dimension 1 is not asked for (voxel_pairs.ts);
// the T and voxel sweeps union steepest-ascent basins (basins.ts) rather than voxels, for cache locality.
// Diagrams equal GUDHI's CubicalComplex(top_dimensional_cells=-v) ('T') and the V-construction of
// ../shared/reference ('V'), pair for pair.
import { cellGrid, spreadToCells, type Construction } from './cubical_grid.ts';
import { checkConstruction, checkDims, checkOptionNames, checkVolume } from './arguments.ts';
import { buildFiltration, sortVoxelsDescending } from './filtration.ts';
import { voxelPairs } from './voxel_pairs.ts';
import { starSweeps } from './star_sweeps.ts';
import { paddedRanks, voxelRanks } from './basins.ts';
import { dim0Pairs, dim2Pairs, newForest, PairSink } from './pairs.ts';
import { dim1Pairs, type Dim1Method } from './reduction.ts';
import { scratchInt32, scratchUint8 } from './scratch.ts';
import { voxelCohomology } from './voxel_cohomology.ts';

export type { Construction } from './cubical_grid.ts';

// The T path's grid-sized arrays, reused across calls (scratch.ts).
const flagsScratch = scratchUint8();
const prankScratch = scratchInt32();
const rankScratch = scratchInt32();
const entryScratch = scratchInt32();
export { diagramsToJson, generatorsToJson, type DiagramsJson } from './diagrams.ts';

/**
 * One persistence pair of the superlevel filtration: birth ≥ death. `birthIndex` / `deathIndex` are flat
 * C-order indices of the voxels whose values are the birth / death values (where gradients go). The
 * essential class of dimension 0 has death = -Infinity and deathIndex = -1.
 */
export interface Pair {
  birth: number;
  death: number;
  birthIndex: number;
  deathIndex: number;
}

/** dims[k] = the pairs of dimension k (empty for a dimension not asked for). */
export interface Diagrams {
  dims: Pair[][];
  /** The dimensions computed (an empty dims[k] of another one was not asked for); absent: not known. */
  computed?: number[];
}

export interface PersistenceOptions {
  construction?: Construction; // 'T' (default): voxels are cubes, 26-connected; 'V': vertices, 6-connected
  dims?: number[]; // dimensions to return (default [0, 1, 2]); dimension 1 computes the other two anyway
  keepZero?: boolean; // keep zero-persistence pairs (default false): then every cell is in one pair
  //   (or is the essential vertex); which zero pairs appear depends on the documented total order
  dim1Method?: Dim1Method; // dimension-1 algorithm (default: the faster one for the construction)
}

/**
 * Persistence diagrams of the superlevel filtration of `volume` (float32, C order, shape [D, H, W]; D = 1
 * for a 2D image). Each dimension's pairs are sorted by birth descending, then death descending, then birth
 * voxel and death voxel ascending.
 */
export function persistence(
  volume: Float32Array,
  shape: [number, number, number],
  opts: PersistenceOptions = {},
): Diagrams {
  checkVolume(volume, shape);
  checkOptions(opts);
  const want = new Set(opts.dims ?? [0, 1, 2]);
  const construction = opts.construction ?? 'T';
  const keepZero = opts.keepZero ?? false;
  const sinks = [0, 1, 2].map(() => new PairSink(volume, keepZero));
  let first: number;
  if (!want.has(1) && !keepZero) {
    // NOTE: dimensions 0 and 2 alone need no cell grid (voxel_pairs.ts); zero-persistence pairs differ
    // between the two paths, so keepZero always takes the cell path.
    const order = sortVoxelsDescending(volume);
    voxelPairs(shape, order, construction, want.has(0) ? sinks[0] : null, want.has(2) ? sinks[2] : null);
    first = order[0];
  } else if (construction === 'T') {
    // NOTE: T needs no ordered cell lists: dims 0 and 2 walk the voxels (star_sweeps.ts), dim 1 scans the grid.
    const grid = cellGrid(shape, 'T');
    const order = sortVoxelsDescending(volume);
    const [d, h, w] = shape;
    const pr = paddedRanks(shape, order, prankScratch.take((d + 2) * (h + 2) * (w + 2), false));
    const flags = flagsScratch.take(grid.size, true);
    starSweeps(grid, order, pr, flags, sinks[0], sinks[2]);
    // NOTE: cohomology (the default for T) reads the voxel ranks; homology needs every cell's entry rank.
    if (want.has(1) && (opts.dim1Method ?? 'cohomology') === 'cohomology') voxelCohomology(grid, order, pr, flags, sinks[1]);
    else if (want.has(1)) {
      // NOTE: the entry array's odd slots are left stale here: dim1Pairs writes every one before reading.
      const rank = voxelRanks(shape, pr, rankScratch.take(order.length, false));
      const entry = spreadToCells(grid, rank, 'min', 2, entryScratch.take(2 * grid.size, false));
      dim1Pairs({ grid, order, entry }, flags, sinks[1], opts.dim1Method);
    }
    first = order[0];
  } else {
    const f = buildFiltration(volume, shape, construction);
    const flags = new Uint8Array(f.grid.size);
    const forest = newForest(f);
    if (want.has(0) || want.has(1)) dim0Pairs(f, flags, sinks[0], forest);
    if (want.has(2) || want.has(1)) dim2Pairs(f, flags, sinks[2], forest);
    if (want.has(1)) dim1Pairs(f, flags, sinks[1], opts.dim1Method);
    first = f.order[0];
  }
  return toDiagrams(volume, sinks.map((sink, k) => (want.has(k) ? sink : null)), first);
}

/** Throws on an option persistence() cannot honour (they used to fall back silently to something else). */
function checkOptions(opts: PersistenceOptions): void {
  checkOptionNames(opts, ['construction', 'dims', 'keepZero', 'dim1Method'], 'persistence');
  checkConstruction(opts.construction ?? 'T', 'persistence');
  if (opts.dims !== undefined) checkDims(opts.dims, 'persistence');
  if (opts.keepZero !== undefined && typeof opts.keepZero !== 'boolean') throw new TypeError(`persistence: keepZero must be true or false, got ${JSON.stringify(opts.keepZero)}`);
  const m = opts.dim1Method;
  if (m !== undefined && m !== 'homology' && m !== 'cohomology') throw new Error(`persistence: dim1Method must be 'homology' or 'cohomology', got ${JSON.stringify(m)}`);
}

/**
 * The diagrams of the dimensions that have a sink, sorted by birth then death, descending; dimension 0
 * (when asked for) also gets its essential class, born at voxel `top`. Shared with the GPU union-find.
 */
export function toDiagrams(volume: Float32Array, sinks: Array<PairSink | null>, top: number): Diagrams {
  const dims: Pair[][] = sinks.map((sink, k) => (sink ? sortedPairs(volume, sink, k === 0 ? top : -1) : []));
  return { dims, computed: sinks.flatMap((sink, k) => (sink ? [k] : [])) };
}

/** Persistence of several volumes of one shape, one after the other (TopoPool.persistence: on threads). */
export function persistenceBatch(
  volumes: Float32Array[],
  shape: [number, number, number],
  opts: PersistenceOptions = {},
): Diagrams[] {
  if (!Array.isArray(volumes)) throw new TypeError(`persistenceBatch: volumes must be an array of Float32Array, got ${(volumes as object)?.constructor?.name ?? volumes}`);
  return volumes.map((v) => persistence(v, shape, opts));
}

/** 2D images: persistence of an H×W image as a 1×H×W volume (dimensions 0 and 1). */
export function persistence2d(
  image: Float32Array,
  shape: [number, number],
  opts: Omit<PersistenceOptions, 'dims'> = {},
): Diagrams {
  if (shape?.length !== 2) throw new Error(`persistence2d: shape must be [H, W], got ${shape ? `[${shape}]` : shape}`);
  // NOTE: not 'dims': an image has dimensions 0 and 1, both computed
  checkOptionNames(opts, ['construction', 'keepZero', 'dim1Method'], 'persistence2d');
  const d = persistence(image, [1, shape[0], shape[1]], { ...opts, dims: [0, 1] });
  return { dims: d.dims.slice(0, 2), computed: [0, 1] };
}

/**
 * The sink's pairs, and the essential class born at voxel `top` if top ≥ 0, sorted by birth descending,
 * then death descending, then birth voxel and death voxel ascending. NOTE: the last two make the order
 * independent of the path that found the pairs: in the order the sinks received them, the GPU union-find
 * listed equal pairs otherwise than the CPU sweep, and the matching's tie-breaks followed the list (other
 * gradients for the same loss).
 * NOTE: a stable LSD radix sort on the values' float32 bits (byte passes, death then birth; a pass in
 * which every key has the same byte is skipped) in place of a comparator sort: the same order.
 */
function sortedPairs(volume: Float32Array, sink: PairSink, top: number): Pair[] {
  const m0 = sink.birth.length;
  const m = m0 + (top >= 0 ? 1 : 0);
  const kb = new Uint32Array(m);
  const kd = new Uint32Array(m);
  for (let i = 0; i < m0; i++) {
    kb[i] = descendingKey(volume[sink.birth[i]]);
    kd[i] = descendingKey(volume[sink.death[i]]);
  }
  if (top >= 0) {
    kb[m0] = descendingKey(volume[top]);
    kd[m0] = descendingKey(-Infinity);
  }
  let idx = new Int32Array(m);
  let tmp = new Int32Array(m);
  for (let i = 0; i < m; i++) idx[i] = i;
  const count = new Int32Array(256);
  for (let pass = 0; pass < 8 && m > 1; pass++) {
    const key = pass < 4 ? kd : kb;
    const shift = 8 * (pass & 3);
    count.fill(0);
    for (let i = 0; i < m; i++) count[(key[i] >>> shift) & 255]++;
    if (count[(key[0] >>> shift) & 255] === m) continue;
    for (let b = 0, sum = 0; b < 256; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const j = idx[i];
      tmp[count[(key[j] >>> shift) & 255]++] = j;
    }
    const t = idx;
    idx = tmp;
    tmp = t;
  }
  // runs of equal (birth, death) values (rare on real data, long on quantised volumes), by their voxels
  const bv = (j: number) => (j === m0 ? top : sink.birth[j]);
  const dv = (j: number) => (j === m0 ? -1 : sink.death[j]);
  for (let s = 0; s < m; ) {
    let e = s + 1;
    while (e < m && kb[idx[e]] === kb[idx[s]] && kd[idx[e]] === kd[idx[s]]) e++;
    if (e - s > 1) idx.set(Array.from(idx.subarray(s, e)).sort((x, y) => bv(x) - bv(y) || dv(x) - dv(y)), s);
    s = e;
  }
  const out: Pair[] = new Array(m);
  for (let i = 0; i < m; i++) {
    const j = idx[i];
    if (j === m0) out[i] = { birth: volume[top], death: -Infinity, birthIndex: top, deathIndex: -1 };
    else {
      const bv = sink.birth[j];
      const dv = sink.death[j];
      out[i] = { birth: volume[bv], death: volume[dv], birthIndex: bv, deathIndex: dv };
    }
  }
  return out;
}

const keyF32 = new Float32Array(1);
const keyU32 = new Uint32Array(keyF32.buffer);

/** A uint32 whose ascending order is the float32 value's descending order (−0 and +0 share one key). */
function descendingKey(x: number): number {
  keyF32[0] = x + 0; // NOTE: −0 + 0 = +0: the comparator sort this replaces saw them as equal
  const b = keyU32[0];
  return ~(b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
}
