// Dimension 0 and dimension 2 pairs straight from the voxels, without the cell grid (for calls that do not
// need dimension 1, such as a loss on voids only). Same diagrams as the cell-level paths:
//   dimension 0: superlevel union-find over voxels, T 26-connected / V 6-connected, voxels in rank order;
//   dimension 2: Alexander duality, union-find over the complement (T 6-connected / V 26-connected) in
//     reverse rank order, on a domain padded by one voxel that is all "outside" and older than every voxel.
// The union-find runs over steepest-ascent basins (basins.ts): a raster pass records, for each voxel that
// sees two or more basins among its earlier neighbours, those basins; the rank-order sweep visits only
// these candidates. At each voxel the components it merges are those of its earlier neighbours, as in a
// plain voxel sweep, so the pairs (elder rule on ranks: value descending, then index ascending) and their
// generators are the same. A component's root is its oldest basin, whose root voxel is its oldest voxel.
import type { Construction } from './cubical_grid.ts';
import { neighbourOffsets, paddedRanks, resolveBasins, steepest, type PaddedRanks } from './basins.ts';
import { find, type PairSink } from './pairs.ts';

/**
 * Dimension-0 and/or dimension-2 pairs of the superlevel filtration from the sorted voxels `order`
 * (value descending, index ascending), into sink0 / sink2 (either may be null).
 */
export function voxelPairs(
  shape: [number, number, number],
  order: Int32Array,
  construction: Construction,
  sink0: PairSink | null,
  sink2: PairSink | null,
): void {
  const pr = paddedRanks(shape, order);
  if (sink0) basinSweep(shape, pr, order, construction === 'T' ? 26 : 6, false, sink0);
  if (sink2) basinSweep(shape, pr, order, construction === 'T' ? 6 : 26, true, sink2);
}

/** Bit u of a 27-bit mask is the neighbour at (dz, dy, dx) = (u/9, u/3 % 3, u % 3) − 1; 13 is the voxel. */
const nbBit = (dz: number, dy: number, dx: number) => 1 << ((dz + 1) * 9 + (dy + 1) * 3 + dx + 1);

/**
 * Neighbour groups whose earlier members are always in one component when the voxel enters: 26-connected,
 * the 8 corners (voxels around one corner are pairwise adjacent); 6-connected, the 6 faces one by one.
 */
function groupMasks(conn: 6 | 26): Int32Array {
  const out: number[] = [];
  if (conn === 6) return Int32Array.from([nbBit(-1, 0, 0), nbBit(0, -1, 0), nbBit(0, 0, -1), nbBit(0, 0, 1), nbBit(0, 1, 0), nbBit(1, 0, 0)]);
  for (let a = 0; a < 8; a++) {
    const [az, ay, ax] = [a >> 2, (a >> 1) & 1, a & 1];
    let m = 0;
    for (const dz of [az - 1, az]) for (const dy of [ay - 1, ay]) for (const dx of [ax - 1, ax]) if (dz || dy || dx) m |= nbBit(dz, dy, dx);
    out.push(m);
  }
  return Int32Array.from(out);
}

/**
 * One sweep: ascending (dimension 0, earlier = smaller rank) or descending (dimension 2 on the complement,
 * earlier = larger rank, the padding being the outside, basin 0).
 */
function basinSweep(shape: [number, number, number], pr: PaddedRanks, order: Int32Array, conn: 6 | 26, descending: boolean, sink: PairSink): void {
  const [d, h, w] = shape;
  const { prank, psy, psz } = pr;
  const n = order.length;
  const { id, age, parent } = resolveBasins(shape, pr, steepest(shape, pr, neighbourOffsets(conn, psy, psz), descending), descending);
  const groups = groupMasks(conn);
  const G = groups.length;
  const noff = new Int32Array(27);
  for (let u = 0; u < 27; u++) noff[u] = (((u / 9) | 0) - 1) * psz + ((((u / 3) | 0) % 3) - 1) * psy + (u % 3) - 1;
  const us = Int32Array.from({ length: 27 }, (_, u) => u).filter((u) => (conn === 26 ? u !== 13 : groups.some((m) => m === 1 << u)));
  const uoff = Int32Array.from(us, (u) => noff[u]);
  // Raster pass: the basin of one earlier neighbour in each group, kept (at 8·r, as 1 + basin) only for the
  // candidates, the voxels that see two basins or more: written at random, read in rank order.
  const rec = new Int32Array(8 * n); // NOTE: 8 words (32 bytes) per rank, so a record never straddles two lines
  const reps = new Int32Array(G);
  for (let k = 1; k <= d; k++) {
    for (let j = 1; j <= h; j++) {
      for (let p = k * psz + j * psy + 1, end = p + w; p < end; p++) {
        const r = prank[p];
        let early = 0;
        // NOTE: branch-free (ranks are < 2^31, so the sign of the difference says which came first).
        if (descending) for (let t = 0; t < us.length; t++) early |= ((r - prank[p + uoff[t]]) >>> 31) << us[t];
        else for (let t = 0; t < us.length; t++) early |= ((prank[p + uoff[t]] - r) >>> 31) << us[t];
        let first = -1;
        let many = false;
        for (let g = 0; g < G; g++) {
          const m = early & groups[g];
          const b = m === 0 ? -1 : id[p + noff[31 - Math.clz32(m)]];
          reps[g] = b;
          if (b < 0) continue;
          if (first < 0) first = b;
          else if (b !== first) many = true;
        }
        if (many) for (let g = 0; g < G; g++) rec[8 * r + g] = reps[g] + 1;
      }
    }
  }
  // Rank-order sweep over the candidates: the elder rule merges their basins' components.
  for (let s = 0; s < n; s++) {
    const r = descending ? n - 1 - s : s;
    let root = -1;
    for (let g = 8 * r; g < 8 * r + G; g++) {
      if (rec[g] === 0) continue;
      const a = find(parent, rec[g] - 1);
      if (root < 0) root = a;
      if (a === root) continue;
      const aOlder = descending ? age[a] > age[root] : age[a] < age[root];
      const young = aOlder ? root : a;
      parent[young] = aOlder ? a : root;
      if (aOlder) root = a;
      // The younger component dies at this voxel (dimension 2: the void it closes dies at its root).
      if (descending) sink.add(order[r], order[age[young]]);
      else sink.add(order[age[young]], order[r]);
    }
  }
}
