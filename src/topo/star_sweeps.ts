// Dimension 0 and dimension 2 of the T-construction, cell-exact (the same pairs and the same NEG_EDGE /
// POS_FACE flags as pairs.ts on the full filtration), but driven by the voxels: when voxel v of rank r
// enters, the cells it brings are the faces of its cube that no earlier voxel touches, and in the total
// order of filtration.ts they come right after v's earlier cells, in (dimension, index) order. So
//   dimension 0: walk the voxels by rank; add v's new corners (vertices), then union along its new cube
//     edges in index order (elder rule on the vertices' (rank, corner) keys);
//   dimension 2: walk the voxels by reverse rank; v's cube is born, then its new squares, in decreasing
//     index order (+z, +y, +x, −x, −y, −z), union it with the cube across (or the outside, the padding).
// No cell-grid ordering is built: only a padded rank volume and a vertex forest, all accessed near v.
import type { CellGrid } from './cubical_grid.ts';
import { NEG_EDGE, POS_FACE, type PairSink } from './pairs.ts';

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    const g = parent[parent[x]];
    parent[x] = g;
    x = g;
  }
  return x;
}

/** Padded rank volume: prank[(k+1)·psz + (j+1)·psy + i+1] = rank of voxel (k, j, i); the border gets n. */
export function paddedRanks(shape: [number, number, number], order: Int32Array): { prank: Int32Array; pidx: Int32Array; psy: number; psz: number } {
  const [d, h, w] = shape;
  const n = order.length;
  const psy = w + 2;
  const psz = psy * (h + 2);
  const prank = new Int32Array(psz * (d + 2)).fill(n);
  const pidx = new Int32Array(n); // padded index of the voxel of rank r
  for (let r = 0; r < n; r++) {
    const v = order[r];
    const i = v % w;
    const j = ((v - i) / w) % h;
    const k = (v - i - j * w) / (w * h);
    const p = (k + 1) * psz + (j + 1) * psy + (i + 1);
    prank[p] = r;
    pidx[r] = p;
  }
  return { prank, pidx, psy, psz };
}

/** Dimension-0 pairs of the T-construction; sets NEG_EDGE on the edges that merge components. */
export function starDim0(g: CellGrid, order: Int32Array, prank: Int32Array, pidx: Int32Array, psy: number, psz: number, flags: Uint8Array, sink: PairSink): void {
  const [, h, w] = g.shape;
  const vx = w + 1;
  const vxy = vx * (h + 1);
  const nv = vxy * (g.shape[0] + 1);
  const parent = new Int32Array(nv);
  const key = new Int32Array(nv); // 8·rank + corner: the vertex's place in the filtration
  // The 8 corners in index order: vertex offset, and the 7 other voxels around the corner (padded offsets).
  const corners: Array<{ dv: number; others: number[] }> = [];
  for (let a = 0; a < 8; a++) {
    const az = a >> 2;
    const ay = (a >> 1) & 1;
    const ax = a & 1;
    const others: number[] = [];
    for (const dz of [az - 1, az]) for (const dy of [ay - 1, ay]) for (const dx of [ax - 1, ax]) if (dz || dy || dx) others.push(dz * psz + dy * psy + dx);
    corners.push({ dv: az * vxy + ay * vx + ax, others });
  }
  // The 12 cube edges in index order: cell offset, lower vertex offset, vertex step, 3 other voxels.
  const edges: Array<{ dc: number; dv: number; step: number; others: number[] }> = [];
  for (let axis = 0; axis < 3; axis++) {
    for (let a = 0; a < 4; a++) {
      const e = [0, 0, 0]; // offsets along x, y, z in {0,1} for the two even axes
      const free = [0, 1, 2].filter((t) => t !== axis);
      e[free[0]] = a & 1;
      e[free[1]] = a >> 1;
      const dc = [1, g.sy, g.sz].reduce((s, st, t) => s + (t === axis ? 0 : (2 * e[t] - 1) * st), 0);
      const dv = e[0] + e[1] * vx + e[2] * vxy;
      const others: number[] = [];
      const pst = [1, psy, psz];
      for (const o0 of [e[free[0]] - 1, e[free[0]]]) {
        for (const o1 of [e[free[1]] - 1, e[free[1]]]) if (o0 || o1) others.push(o0 * pst[free[0]] + o1 * pst[free[1]]);
      }
      edges.push({ dc, dv, step: [1, vx, vxy][axis], others });
    }
  }
  edges.sort((p, q) => p.dc - q.dc);
  // Flat copies for the hot loop.
  const cDv = Int32Array.from(corners, (c) => c.dv);
  const cOth = Int32Array.from(corners.flatMap((c) => c.others));
  const eDc = Int32Array.from(edges, (e) => e.dc);
  const eDv = Int32Array.from(edges, (e) => e.dv);
  const eStep = Int32Array.from(edges, (e) => e.step);
  const eOth = Int32Array.from(edges.flatMap((e) => e.others));
  const n = order.length;
  for (let r = 0; r < n; r++) {
    const p = pidx[r];
    const v = order[r];
    const i = v % w;
    const j = ((v - i) / w) % h;
    const k = (v - i - j * w) / (w * h);
    const vbase = k * vxy + j * vx + i;
    const cube = (2 * k + 1) * g.sz + (2 * j + 1) * g.sy + (2 * i + 1);
    for (let a = 0; a < 8; a++) {
      let o = 7 * a;
      const end = o + 7;
      while (o < end && prank[p + cOth[o]] > r) o++;
      if (o < end) continue; // an earlier voxel already brought this corner
      const id = vbase + cDv[a];
      parent[id] = id;
      key[id] = 8 * r + a;
    }
    for (let t = 0; t < 12; t++) {
      let o = 3 * t;
      const end = o + 3;
      while (o < end && prank[p + eOth[o]] > r) o++;
      if (o < end) continue;
      const lo = vbase + eDv[t];
      const a = find(parent, lo);
      const b = find(parent, lo + eStep[t]);
      if (a === b) continue;
      // Elder rule: the component born later dies here.
      const young = key[a] > key[b] ? a : b;
      parent[young] = young === a ? b : a;
      flags[cube + eDc[t]] |= NEG_EDGE;
      sink.add(order[key[young] >> 3], v);
    }
  }
}

/** Dimension-2 pairs of the T-construction; sets POS_FACE on the squares that create voids. */
export function starDim2(g: CellGrid, order: Int32Array, prank: Int32Array, pidx: Int32Array, psy: number, psz: number, flags: Uint8Array, sink: PairSink): void {
  const [, h, w] = g.shape;
  const n = order.length;
  // NOTE: the whole padding is one component, the outside, rooted at padded index 0 whose rank is n: the
  // oldest in the reverse sweep, where a larger rank is older.
  const parent = new Int32Array(prank.length);
  // The six squares in decreasing cell index: padded voxel offset across, and cell offset.
  const across = Int32Array.from([psz, psy, 1, -1, -psy, -psz]);
  const square = Int32Array.from([g.sz, g.sy, 1, -1, -g.sy, -g.sz]);
  for (let r = n - 1; r >= 0; r--) {
    const p = pidx[r];
    const v = order[r];
    const i = v % w;
    const j = ((v - i) / w) % h;
    const k = (v - i - j * w) / (w * h);
    const cube = (2 * k + 1) * g.sz + (2 * j + 1) * g.sy + (2 * i + 1);
    parent[p] = p;
    let root = p;
    for (let t = 0; t < 6; t++) {
      const q = p + across[t];
      const rq = prank[q];
      if (rq <= r) continue; // the square is not v's: the voxel across entered earlier
      const a = rq === n ? 0 : find(parent, q);
      if (a === root) continue;
      flags[cube + square[t]] |= POS_FACE;
      // The younger root (smaller rank) is a void that this square closes; it dies at the root's value.
      if (prank[a] > prank[root]) {
        parent[root] = a;
        sink.add(v, order[prank[root]]);
        root = a;
      } else {
        parent[a] = root;
        sink.add(v, order[prank[a]]);
      }
    }
  }
}
