// Dimension 0 and dimension 2 persistence pairs with the parallel part on the GPU
// (shaders/topo/union_find.wgsl: steepest ascent to basins by pointer jumping, then the voxels where two
// basins touch), and the sequential part, a union-find over basins along those few edges, on the CPU.
// Gives exactly the pairs of the CPU path (voxel_pairs.ts), generators included: a basin's root is its
// local maximum, which is also the oldest voxel of any component it heads.
// NOTE: on CPU adapters (lavapipe, SwiftShader) the CPU path is faster; persistence() does not call this.
import type { Gpu } from '../gpu/device.ts';
import { allocBuffer, readBuffer, releaseBuffer, upload } from '../gpu/buffers.ts';
import { dispatch, grid1d } from '../gpu/kernel.ts';
import { packParams } from '../gpu/params.ts';
import { checkVolume, type Construction } from './cubical_grid.ts';
import { sortVoxelsDescending } from './filtration.ts';
import { PairSink } from './pairs.ts';
import type { Diagrams, Pair } from './persistence.ts';

const WG = 64;
const SHADER = 'topo/union_find';

/**
 * Persistence diagrams of dimensions 0 and/or 2 (no dimension 1) of the superlevel filtration, same layout
 * and order as persistence(); dims[1] is always empty.
 */
export async function persistenceGpu(
  g: Gpu,
  volume: Float32Array,
  shape: [number, number, number],
  opts: { construction?: Construction; dims?: number[] } = {},
): Promise<Diagrams> {
  checkVolume(volume, shape);
  const dims = opts.dims ?? [0, 2];
  if (dims.includes(1)) throw new Error('persistenceGpu: dimension 1 is CPU-only (use persistence())');
  const construction = opts.construction ?? 'T';
  const order = sortVoxelsDescending(volume);
  const out: Pair[][] = [[], [], []];
  const vol = upload(g, volume);
  try {
    for (const k of [0, 2].filter((d) => dims.includes(d))) {
      const conn = (k === 0) === (construction === 'T') ? 26 : 6;
      const { label, mask } = await basins(g, vol, shape, conn, k === 2);
      const sink = new PairSink(volume, false);
      mergeBasins(volume, shape, order, label, mask, k === 2, sink);
      out[k] = sink.birth.map((b, i) => ({ birth: volume[b], death: volume[sink.death[i]], birthIndex: b, deathIndex: sink.death[i] }));
    }
  } finally {
    releaseBuffer(g, vol);
  }
  if (dims.includes(0)) out[0].push({ birth: volume[order[0]], death: -Infinity, birthIndex: order[0], deathIndex: -1 });
  for (const pairs of out) pairs.sort((a, b) => b.birth - a.birth || b.death - a.death);
  return { dims: out };
}

/** GPU: each voxel's basin (its root in the steepest-ascent forest) and its basin-boundary mask. */
async function basins(g: Gpu, vol: GPUBuffer, shape: [number, number, number], conn: number, reverse: boolean): Promise<{ label: Uint32Array; mask: Uint32Array }> {
  const [d, h, w] = shape;
  const n = d * h * w;
  const params = packParams('uuuuuu', d, h, w, n, conn, reverse ? 1 : 0);
  let a = allocBuffer(g, 4 * (n + 1));
  let b = allocBuffer(g, 4 * (n + 1));
  const mask = allocBuffer(g, 4 * n);
  const grid = grid1d(g, n + 1, WG);
  dispatch(g, { shader: SHADER, entry: 'ascend', constants: { WG } }, { params, volume: vol, labelOut: a }, grid);
  // NOTE: a forest of depth ≤ n is flat after ⌈log2 n⌉ rounds of synchronous pointer jumping.
  for (let r = Math.ceil(Math.log2(n + 1)) + 1; r > 0; r--) {
    dispatch(g, { shader: SHADER, entry: 'jump', constants: { WG } }, { params, labelIn: a, labelOut: b }, grid);
    [a, b] = [b, a];
  }
  dispatch(g, { shader: SHADER, entry: 'boundary', constants: { WG } }, { params, volume: vol, labelIn: a, mask }, grid);
  const label = await readBuffer(g, a, n + 1, Uint32Array);
  const m = await readBuffer(g, mask, n, Uint32Array);
  for (const buf of [a, b, mask]) releaseBuffer(g, buf);
  return { label, mask: m };
}

/**
 * CPU: the union-find over basins. Voxels are visited in the sweep's order (by rank for dimension 0,
 * reverse rank for dimension 2); at voxel v each masked neighbour's basin merges with v's, elder rule.
 */
function mergeBasins(
  volume: Float32Array,
  shape: [number, number, number],
  order: Int32Array,
  label: Uint32Array,
  mask: Uint32Array,
  reverse: boolean,
  sink: PairSink,
): void {
  const [, h, w] = shape;
  const n = order.length;
  const rank = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) rank[order[r]] = r;
  rank[n] = reverse ? n : -1; // the outside (node n) is the oldest in the reverse sweep
  const parent = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) parent[i] = i;
  const find = (x: number) => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  // Older root: smaller rank in the forward sweep, larger rank in the reverse one.
  const older = (a: number, b: number) => (reverse ? rank[a] > rank[b] : rank[a] < rank[b]);
  for (let s = 0; s < n; s++) {
    const v = order[reverse ? n - 1 - s : s];
    const m = mask[v];
    if (m === 0) continue;
    const i = v % w;
    const j = ((v - i) / w) % h;
    const k = (v - i - j * w) / (w * h);
    for (let t = 0; t < 27; t++) {
      if (!(m & (1 << t))) continue;
      const u = (k + Math.floor(t / 9) - 1) * h * w + (j + (Math.floor(t / 3) % 3) - 1) * w + (i + (t % 3) - 1);
      const a = find(label[v]);
      const b = find(label[u]);
      if (a === b) continue;
      const [old, young] = older(a, b) ? [a, b] : [b, a];
      parent[young] = old;
      if (reverse) sink.add(v, young);
      else sink.add(young, v);
    }
  }
}
