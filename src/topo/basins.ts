// Basins of steepest ascent on the padded rank volume, the locality step of the CPU union-finds for
// dimensions 0 and 2 (the GPU path of union_find.ts does the same in WGSL). Every voxel points to its
// oldest neighbour that entered before it (ascending sweep, dimension 0) or, on the complement, to its
// oldest neighbour that enters after it (descending sweep, dimension 2, where the padding is the outside);
// following the pointers ends at a basin root. A basin is connected at every step of its sweep (each voxel
// joins through its pointer), so a voxel whose earlier neighbours all lie in its own basin merges nothing,
// and only the voxels that see two basins (the candidates) need the union-find, in rank order. All other
// work is raster passes that read neighbours near in memory, instead of ~20 cache misses per voxel.
/** Padded rank volume: prank[(k+1)·psz + (j+1)·psy + i+1] = rank of voxel (k, j, i); the border gets n. */
export interface PaddedRanks {
  prank: Int32Array;
  psy: number;
  psz: number;
}

/** `into` (the padded size) is used instead of a new array if given. */
export function paddedRanks(shape: [number, number, number], order: Int32Array, into?: Int32Array): PaddedRanks {
  const [d, h, w] = shape;
  const n = order.length;
  const psy = w + 2;
  const psz = psy * (h + 2);
  const prank = (into ?? new Int32Array(psz * (d + 2))).fill(n);
  for (let r = 0; r < n; r++) {
    const v = order[r];
    const i = v % w;
    const j = ((v - i) / w) % h;
    const k = (v - i - j * w) / (w * h);
    prank[(k + 1) * psz + (j + 1) * psy + (i + 1)] = r;
  }
  return { prank, psy, psz };
}

/** rank[v] = rank of voxel v, read row by row out of the padded rank volume (no scattered writes). */
export function voxelRanks(shape: [number, number, number], pr: PaddedRanks, into?: Int32Array): Int32Array {
  const [d, h, w] = shape;
  const rank = into ?? new Int32Array(d * h * w);
  for (let k = 0, v = 0; k < d; k++) {
    for (let j = 0; j < h; j++, v += w) {
      const p = (k + 1) * pr.psz + (j + 1) * pr.psy + 1;
      rank.set(pr.prank.subarray(p, p + w), v);
    }
  }
  return rank;
}

/** Flat offsets in the padded grid of the 6 face neighbours or all 26 neighbours (index order). */
export function neighbourOffsets(conn: 6 | 26, psy: number, psz: number): Int32Array {
  const out: number[] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const k = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (k === 0 || (conn === 6 && k > 1)) continue;
        out.push(dz * psz + dy * psy + dx);
      }
    }
  }
  return Int32Array.from(out);
}

/**
 * The basins of one sweep and the union-find over them. `id[p]` = basin of padded voxel p (descending:
 * every padding cell is basin 0, the outside); `age[b]` = rank of basin b's root, its oldest voxel (n for
 * the outside). `parent` is the forest over basins: a component's root is its oldest basin.
 */
export interface Basins {
  id: Int32Array;
  age: Int32Array;
  parent: Int32Array;
}

/**
 * Steepest-ascent pointers of the interior voxels (padded index of the steepest neighbour; p itself at a
 * root): ascending, over neighbours of smaller rank (the earliest one); descending, over neighbours of
 * larger rank or the padding (the latest one: the outside first). Only interior entries are written (and
 * read by resolveBasins), so `into` (the padded size, any contents) may replace the new array.
 */
export function steepest(shape: [number, number, number], pr: PaddedRanks, nb: Int32Array, descending: boolean, into?: Int32Array): Int32Array {
  const [d, h, w] = shape;
  const { prank, psy, psz } = pr;
  const up = into ?? new Int32Array(prank.length);
  for (let k = 1; k <= d; k++) {
    for (let j = 1; j <= h; j++) {
      for (let p = k * psz + j * psy + 1, end = p + w; p < end; p++) {
        const r = prank[p];
        let best = p;
        let br = r;
        // NOTE: branch-free running extremum (ranks and padded indices are < 2^31, so the sign of a
        // difference is the comparison; in noise the updates are unpredictable branches).
        if (descending) {
          for (let t = 0; t < nb.length; t++) {
            const q = p + nb[t];
            const x = prank[q];
            const gt = (br - x) >> 31;
            br ^= (br ^ x) & gt;
            best ^= (best ^ q) & gt;
          }
        } else {
          for (let t = 0; t < nb.length; t++) {
            const q = p + nb[t];
            const x = prank[q];
            const lt = (x - br) >> 31;
            br ^= (br ^ x) & lt;
            best ^= (best ^ q) & lt;
          }
        }
        up[p] = best;
      }
    }
  }
  return up;
}

/**
 * The basins of steepest-ascent pointers `up` (from steepest(), or computed alongside other work). `into`
 * (the padded size, any contents) is used for the ids instead of a new array if given.
 */
export function resolveBasins(shape: [number, number, number], pr: PaddedRanks, up: Int32Array, descending: boolean, into?: Int32Array): Basins {
  const [d, h, w] = shape;
  const { prank, psy, psz } = pr;
  const n = d * h * w;
  // Basin ids by pointer chasing with full path compression; -1 = not resolved yet.
  const id = (into ?? new Int32Array(prank.length)).fill(descending ? 0 : -1);
  const age: number[] = descending ? [n] : [];
  for (let k = 1; k <= d; k++) for (let j = 1; j <= h; j++) id.fill(-1, k * psz + j * psy + 1, k * psz + j * psy + 1 + w);
  for (let k = 1; k <= d; k++) {
    for (let j = 1; j <= h; j++) {
      for (let p = k * psz + j * psy + 1, end = p + w; p < end; p++) {
        if (id[p] >= 0) continue;
        let x = p;
        while (id[x] < 0 && up[x] !== x) x = up[x];
        let b = id[x];
        if (b < 0) {
          b = age.length;
          age.push(prank[x]);
          id[x] = b;
        }
        for (x = p; id[x] < 0; x = up[x]) id[x] = b;
      }
    }
  }
  const parent = new Int32Array(age.length);
  for (let b = 0; b < parent.length; b++) parent[b] = b;
  return { id, age: Int32Array.from(age), parent };
}
