// Dimension 0 and dimension 2 persistence pairs with the parallel part on the GPU
// (shaders/topo/union_find.wgsl: steepest ascent to basins by pointer jumping, then one record per voxel
// and neighbouring basin where two basins touch), and the sequential part, the elder-rule union-find over
// basins along those records, on the CPU. The CPU sorts only the records (a few per cent of the voxels on
// smooth volumes) and passes over the voxels only linearly (forest set-up, prefix sum, value checks), and one read-back brings the
// records of every volume and dimension of a batch at once.
// Gives exactly the pairs of the CPU path (voxel_pairs.ts), generators included: a basin's root is its
// local maximum, which is also the oldest voxel of any component it heads.
// NOTE: on CPU adapters (lavapipe, SwiftShader) the CPU path is faster (atomics and dispatches are slow
// there); gpuUnionFindPays() is the per-adapter choice that the topological loss makes.
import type { Gpu } from '../gpu/device.ts';
import { allocBuffer, readBuffer, releaseBuffer, upload, writeBuffer } from '../gpu/buffers.ts';
import { dispatch, flush, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { type Construction } from './cubical_grid.ts';
import { checkConstruction, checkDims, checkOptionNames, checkShape, checkVolume } from './arguments.ts';
import { sortVoxelsDescending } from './filtration.ts';
import { find, PairSink } from './pairs.ts';
import { toDiagrams, type Diagrams } from './persistence.ts';

const WG = 64;
const SHADER = 'topo/union_find';

export interface GpuPersistenceOptions {
  construction?: Construction; // 'T' (default) or 'V'
  dims?: number[]; // a subset of [0, 2] (default both); dimension 1 needs the CPU path
}

/** A volume of a batch holds NaN or ±Infinity (the topological loss reports it as a diverged network). */
export class NonFiniteVolume extends RangeError {
  constructor(readonly volume: number, readonly index: number, readonly value: number) {
    super(`persistenceGpu: volume ${volume} of the batch has ${value} at flat index ${index} (values must be finite)`);
  }
}

/** Whether the GPU union-find is the faster choice on this adapter: on real GPUs, not on CPU adapters. */
export function gpuUnionFindPays(g: Gpu): boolean {
  return !g.isCpu;
}

/**
 * Persistence diagrams of dimensions 0 and/or 2 (no dimension 1) of the superlevel filtration of a batch of
 * volumes that live on the GPU: `volumes` holds `batch` volumes of `shape` back to back (float32, C order).
 * Same layout and order as persistence(); dims[1] is always empty. One read-back where the batch's basin
 * records fit in one storage binding (more for a batch too large for it, and again for volumes full of
 * tiny basins that overflowed their first room).
 */
export async function persistenceGpuBatch(
  g: Gpu,
  volumes: GPUBuffer,
  shape: [number, number, number],
  batch: number,
  opts: GpuPersistenceOptions = {},
): Promise<Diagrams[]> {
  checkOptionNames(opts, ['construction', 'dims'], 'persistenceGpu');
  const dims = opts.dims ?? [0, 2];
  if (Array.isArray(dims) && dims.includes(1)) throw new Error('persistenceGpu: dimension 1 is CPU-only (use persistence())');
  checkDims(dims, 'persistenceGpu', [0, 2]);
  const construction = opts.construction ?? 'T';
  checkConstruction(construction, 'persistenceGpu');
  checkShape(shape, 'persistenceGpu: ');
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`persistenceGpu: batch must be a positive integer, got ${batch}`);
  const n = shape[0] * shape[1] * shape[2];
  if (volumes.size < 4 * batch * n) throw new Error(`persistenceGpu: the buffer holds ${volumes.size} bytes, ${batch} volumes of [${shape}] need ${4 * batch * n}`);
  const ks = [0, 2].filter((k) => dims.includes(k));
  const labels = [allocBuffer(g, 4 * (n + 1)), allocBuffer(g, 4 * (n + 1))];
  try {
    // NOTE: smoothed volumes need far fewer records than this; uniform noise about 2.7 per voxel in T's
    // dimension 0. An overflow is detected by the counter and those volumes are redone with room.
    const runs = await collectAll(g, volumes, labels, shape, batch, ks, construction, 2 * n + 64);
    // NaN or ±Infinity: refused after the fact, naming the volume of the batch and the voxel
    for (const run of runs) {
      const bad = run.values.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new NonFiniteVolume(run.first + Math.floor(bad / n), bad % n, run.values[bad]);
    }
    return runs.flatMap((run) => Array.from({ length: run.values.length / n }, (_, b) => {
      const values = run.values.subarray(b * n, (b + 1) * n);
      const sinks: Array<PairSink | null> = [null, null, null];
      ks.forEach((k, i) => {
        const seg = b * ks.length + i;
        const recs = run.records.subarray(seg * 3 * run.cap, seg * 3 * run.cap + 3 * run.counts[seg]);
        sinks[k] = mergeBasins(values, recs, k === 2);
      });
      return toDiagrams(values, sinks, dims.includes(0) ? oldest(values) : -1);
    }));
  } finally {
    for (const buf of labels) releaseBuffer(g, buf);
  }
}

/** One volume given on the host (uploads it; see persistenceGpuBatch). */
export async function persistenceGpu(
  g: Gpu,
  volume: Float32Array,
  shape: [number, number, number],
  opts: GpuPersistenceOptions = {},
): Promise<Diagrams> {
  checkVolume(volume, shape);
  const buf = upload(g, volume);
  try {
    return (await persistenceGpuBatch(g, buf, shape, 1, opts))[0];
  } finally {
    releaseBuffer(g, buf);
  }
}

/** One (volume, dimension) of a batch, as the kernels see it: the Params struct of union_find.wgsl. */
export interface BasinParams {
  shape: readonly [number, number, number];
  conn: 6 | 26; // neighbours: face-adjacent, or every voxel sharing a corner
  reverse: boolean; // false: dimension 0 (superlevel); true: dimension 2 (the complement, with the outside as node n)
  base: number; // first voxel of this volume in the volumes buffer
  segment: number; // index of this volume and dimension's record counter (edges)
  first: number; // word offset of its first record in the records buffer (edges)
  cap: number; // room for this many records (edges)
}

function params(p: BasinParams): Uint32Array {
  const [d, h, w] = p.shape;
  return packParams('uuuuuuuuuu', d, h, w, d * h * w, p.conn, p.reverse ? 1 : 0, p.base, p.segment, p.first, p.cap);
}

const voxelGrid = (g: Gpu, p: BasinParams) => grid1d(g, p.shape[0] * p.shape[1] * p.shape[2] + 1, WG);

/** Rounds of jump() that flatten any forest over n voxels and the outside. */
export const jumpRounds = (n: number): number => Math.ceil(Math.log2(n + 1)) + 1;

/** Kernel ascend: labelOut[v] = the neighbour above voxel v that is highest in the order, or v (n for the box's border in reverse); labelOut[n] = n. */
export function ascend(g: Gpu, p: BasinParams, volumes: GPUBuffer, labelOut: GPUBuffer): void {
  dispatch(g, { shader: SHADER, entry: 'ascend', constants: { WG } }, { params: params(p), volume: volumes, labelOut }, voxelGrid(g, p));
}

/** Kernel jump: labelOut[v] = labelIn[labelIn[v]] for v = 0..n. */
export function jump(g: Gpu, p: BasinParams, labelIn: GPUBuffer, labelOut: GPUBuffer): void {
  dispatch(g, { shader: SHADER, entry: 'jump', constants: { WG } }, { params: params(p), labelIn, labelOut }, voxelGrid(g, p));
}

/**
 * Kernel edges: for each voxel v and each basin other than v's own that a neighbour above v lies in, one
 * record (v, basin of v, that basin), appended at records[first + 3·slot] while slot < cap; the counter
 * records[segment] counts every record, so a count over cap tells the caller to retry with room.
 */
export function edges(g: Gpu, p: BasinParams, volumes: GPUBuffer, labelIn: GPUBuffer, records: GPUBuffer): void {
  dispatch(g, { shader: SHADER, entry: 'edges', constants: { WG } }, { params: params(p), volume: volumes, labelIn, records }, voxelGrid(g, p));
}

interface Collected {
  first: number; // the batch index of its first volume
  counts: Uint32Array; // records per (volume, dimension) segment
  cap: number; // room per segment
  records: Uint32Array; // segment s: records [s·cap, s·cap + counts[s]), 3 words each
  values: Float32Array; // the volumes, read back with the records
}

/**
 * The records of every volume of the batch, as few runs of collect() as fit: one where the whole batch's
 * records fit in one storage binding (the usual case: one read-back), else as many volumes per run as fit
 * (noise-like 64³ volumes need ~14 MB each at first). A run whose volumes overflow their room is redone
 * with room for the fullest segment, in smaller runs if need be. In batch order.
 */
async function collectAll(g: Gpu, volumes: GPUBuffer, labels: GPUBuffer[], shape: [number, number, number], batch: number,
  ks: number[], construction: Construction, cap0: number): Promise<Collected[]> {
  const n = shape[0] * shape[1] * shape[2];
  const limit = Math.floor(g.limits.maxStorageBufferBindingSize / 4) - 8; // words (and the header's rounding)
  const perVolume = (cap: number) => ks.length * (3 * cap + 1) + n; // words: records, counters, values
  const fitting = (cap: number) => Math.floor((limit - ks.length) / perVolume(cap));
  const out: Collected[] = [];
  const todo: Array<[number, number, number]> = [[0, batch, cap0]]; // [first, count, cap], a stack
  while (todo.length > 0) {
    const [first, count, cap] = todo.pop()!;
    const fit = fitting(cap);
    if (fit < 1) {
      throw new Error(`persistenceGpu: volume ${first} of [${shape}] needs ${4 * perVolume(cap)} bytes of basin records, ` +
        `over this adapter's maxStorageBufferBindingSize (${g.limits.maxStorageBufferBindingSize}); use persistence() on the CPU for it`);
    }
    if (count > fit) {
      // NOTE: pushed last first, so runs come off the stack in batch order
      for (let b = first + Math.floor((count - 1) / fit) * fit; b >= first; b -= fit) todo.push([b, Math.min(fit, first + count - b), cap]);
      continue;
    }
    const run = await collect(g, volumes, labels, shape, first, count, ks, construction, cap);
    const over = Math.max(...run.counts);
    if (over > cap) todo.push([first, count, over]);
    else out.push(run);
  }
  return out;
}

/** GPU: basins and basin-boundary records of every volume and dimension; one read-back of all of it. */
async function collect(
  g: Gpu,
  volumes: GPUBuffer,
  labels: GPUBuffer[],
  shape: [number, number, number],
  first: number,
  batch: number,
  ks: number[],
  construction: Construction,
  cap: number,
): Promise<Collected> {
  const n = shape[0] * shape[1] * shape[2];
  const segments = batch * ks.length;
  const header = Math.ceil(segments / 4) * 4;
  const recordWords = header + segments * 3 * cap;
  const valueWords = batch * n;
  const out = allocBuffer(g, 4 * (recordWords + valueWords));
  try {
    writeBuffer(g, out, new Uint32Array(header)); // zero the counters
    for (let b = 0; b < batch; b++) {
      ks.forEach((k, i) => {
        const seg = b * ks.length + i;
        const p: BasinParams = {
          shape, conn: (k === 0) === (construction === 'T') ? 26 : 6, reverse: k === 2,
          base: (first + b) * n, segment: seg, first: header + seg * 3 * cap, cap,
        };
        let [a, c] = labels;
        ascend(g, p, volumes, a);
        // NOTE: a forest of depth ≤ n is flat after ⌈log2 n⌉ rounds of synchronous pointer jumping.
        for (let r = jumpRounds(n); r > 0; r--) {
          jump(g, p, a, c);
          [a, c] = [c, a];
        }
        edges(g, p, volumes, a, out);
      });
    }
    flush(g, (enc) => enc.copyBufferToBuffer(volumes, 4 * first * n, out, 4 * recordWords, 4 * valueWords));
    const all = await readBuffer(g, out, recordWords + valueWords, Uint32Array);
    return {
      first,
      counts: all.slice(0, segments),
      cap,
      records: all.subarray(header, recordWords),
      values: new Float32Array(all.buffer, all.byteOffset + 4 * recordWords, valueWords),
    };
  } finally {
    releaseBuffer(g, out);
  }
}

/** The oldest voxel: the largest value, the smallest index among equals. */
function oldest(values: Float32Array): number {
  let top = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[top]) top = i;
  return top;
}

/**
 * CPU: the elder-rule union-find over basins along the records (v, basin of v, other basin). Records are
 * taken in the sweep's order of v (value descending, index ascending for dimension 0; the reverse for
 * dimension 2, where node n is the outside, older than every voxel); at v each record merges two
 * components and the younger root dies. The records of one v may come in any order: the set of roots
 * that die at v does not depend on it.
 */
function mergeBasins(values: Float32Array, recs: Uint32Array, reverse: boolean): PairSink {
  const n = values.length;
  const m = recs.length / 3;
  const order = sweepOrder(values, recs, m, reverse);
  const parent = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) parent[i] = i;
  const older = reverse
    ? (a: number, b: number) => a === n || (b !== n && (values[a] < values[b] || (values[a] === values[b] && a > b)))
    : (a: number, b: number) => values[a] > values[b] || (values[a] === values[b] && a < b);
  const sink = new PairSink(values, false);
  for (let s = 0; s < m; s++) {
    const r = order[s];
    const v = recs[3 * r];
    const a = find(parent, recs[3 * r + 1]);
    const b = find(parent, recs[3 * r + 2]);
    if (a === b) continue;
    const [old, young] = older(a, b) ? [a, b] : [b, a];
    parent[young] = old;
    if (reverse) sink.add(v, young);
    else sink.add(young, v);
  }
  return sink;
}

/**
 * The records' indices ordered by their voxel in the sweep: by value descending, then voxel index ascending
 * (reversed for dimension 2). Linear: a counting sort by voxel, then the stable radix sort of the values.
 */
function sweepOrder(values: Float32Array, recs: Uint32Array, m: number, reverse: boolean): Int32Array {
  const n = values.length;
  const start = new Int32Array(n + 1);
  for (let r = 0; r < m; r++) start[recs[3 * r] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const byVoxel = new Int32Array(m);
  for (let r = 0; r < m; r++) byVoxel[start[recs[3 * r]]++] = r;
  // NOTE: sortVoxelsDescending takes -0 for +0: equal values, ordered by index, as in the shader's comparisons.
  const keys = Float32Array.from(byVoxel, (r) => values[recs[3 * r]]);
  const order = sortVoxelsDescending(keys); // ties keep their position: voxel index ascending
  const out = Int32Array.from(order, (s) => byVoxel[s]);
  return reverse ? out.reverse() : out;
}
