// Dimension 0 and dimension 2 pairs straight from the voxels, without the cell grid (for calls that do not
// need dimension 1, such as a loss on voids only). Same diagrams as the cell-level paths:
//   dimension 0: superlevel union-find over voxels, T 26-connected / V 6-connected, voxels in rank order;
//   dimension 2: Alexander duality, union-find over the complement (T 6-connected / V 26-connected) in
//     reverse rank order, on a domain padded by one voxel that is all "outside" and older than every voxel.
// The union-find runs over steepest-ascent basins (basins.ts): a raster pass lists, for each voxel that
// sees two or more basins among its earlier neighbours, those basins; the rank-order sweep visits only
// these candidates. At each voxel the components it merges are those of its earlier neighbours, as in a
// plain voxel sweep, so the pairs (elder rule on ranks: value descending, then index ascending) and their
// generators are the same. A component's root is its oldest basin, whose root voxel is its oldest voxel.
import type { Construction } from './cubical_grid.ts';
import { basins, neighbourOffsets, paddedRanks, Records, type PaddedRanks } from './basins.ts';
import { find, type PairSink } from './pairs.ts';

/**
 * Dimension-0 and/or dimension-2 pairs of the superlevel filtration from the sorted voxels `order`
 * (value descending, index ascending), into sink0 / sink2 (either may be null).
 */
export function voxelPairs(
  volume: Float32Array,
  shape: [number, number, number],
  order: Int32Array,
  construction: Construction,
  sink0: PairSink | null,
  sink2: PairSink | null,
): void {
  const pr = paddedRanks(shape, order);
  if (sink0) basinSweep(shape, pr, order, neighbourOffsets(construction === 'T' ? 26 : 6, pr.psy, pr.psz), false, sink0);
  if (sink2) basinSweep(shape, pr, order, neighbourOffsets(construction === 'T' ? 6 : 26, pr.psy, pr.psz), true, sink2);
}

/**
 * One sweep: ascending (dimension 0, earlier = smaller rank) or descending (dimension 2 on the complement,
 * earlier = larger rank, the padding being the outside, basin 0).
 */
function basinSweep(shape: [number, number, number], pr: PaddedRanks, order: Int32Array, nb: Int32Array, descending: boolean, sink: PairSink): void {
  const [d, h, w] = shape;
  const { prank, psy, psz } = pr;
  const n = order.length;
  const { id, age, parent } = basins(shape, pr, nb, descending);
  // Raster pass: the distinct basins among each voxel's earlier neighbours; records [count, ids...].
  const at = new Int32Array(n); // at[r] = 1 + offset of the record of the voxel of rank r (0: none)
  const rec = new Records();
  const buf = new Int32Array(nb.length);
  for (let k = 1; k <= d; k++) {
    for (let j = 1; j <= h; j++) {
      for (let p = k * psz + j * psy + 1, end = p + w; p < end; p++) {
        const r = prank[p];
        let m = 0;
        for (let t = 0; t < nb.length; t++) {
          const q = p + nb[t];
          if (descending ? prank[q] <= r : prank[q] >= r) continue;
          const b = id[q];
          let s = 0;
          while (s < m && buf[s] !== b) s++;
          if (s === m) buf[m++] = b;
        }
        if (m < 2) continue; // one basin (or none): nothing to merge
        rec.reserve(m + 1);
        const data = rec.data;
        data[rec.len] = m;
        for (let t = 0; t < m; t++) data[rec.len + 1 + t] = buf[t];
        at[r] = rec.len + 1;
        rec.len += m + 1;
      }
    }
  }
  // Rank-order sweep over the candidates: the elder rule merges their basins' components.
  const data = rec.data;
  for (let s = 0; s < n; s++) {
    const r = descending ? n - 1 - s : s;
    const o = at[r];
    if (o === 0) continue;
    let root = find(parent, data[o]);
    for (let t = 1, m = data[o - 1]; t < m; t++) {
      const a = find(parent, data[o + t]);
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
