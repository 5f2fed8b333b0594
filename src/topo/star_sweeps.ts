// Dimension 0 and dimension 2 of the T-construction, cell-exact (the same pairs and the same NEG_EDGE /
// POS_FACE flags as pairs.ts on the full filtration), but driven by the voxels: when voxel v of rank r
// enters, the cells it brings are the faces of its cube that no earlier voxel touches, and in the total
// order of filtration.ts they come right after v's earlier cells, in (dimension, index) order. So
//   dimension 0: walk the voxels by rank; add v's new corners (vertices), then union along its new cube
//     edges in index order (elder rule on the vertices' (rank, corner) keys);
//   dimension 2: walk the voxels by reverse rank; v's cube is born, then its new squares, in decreasing
//     index order (+z, +y, +x, −x, −y, −z), union it with the cube across (or the outside, the padding).
// No cell-grid ordering is built: only a padded rank volume, a vertex forest and one ownership word per
// voxel (which of its corners, edges and squares it brings), computed beforehand in memory order.
import type { CellGrid } from './cubical_grid.ts';
import { find, NEG_EDGE, POS_FACE, type PairSink } from './pairs.ts';

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

/** Offsets that describe a voxel's cube in the vertex grid, the padded rank volume and the cell grid. */
interface StarTables {
  cornerDv: Int32Array; // 8 corners in index order: vertex offset
  cornerOthers: Int32Array; // 8 × 7 padded offsets of the other voxels around the corner
  edgeDc: Int32Array; // 12 edges in index order: cell offset from the cube
  edgeDv: Int32Array; // lower vertex offset
  edgeStep: Int32Array; // vertex step to the upper vertex
  edgeOthers: Int32Array; // 12 × 3 padded offsets of the other voxels around the edge
}

function starTables(g: CellGrid, psy: number, psz: number): StarTables {
  const [, h, w] = g.shape;
  const vx = w + 1;
  const vxy = vx * (h + 1);
  const cornerDv: number[] = [];
  const cornerOthers: number[] = [];
  for (let a = 0; a < 8; a++) {
    const [az, ay, ax] = [a >> 2, (a >> 1) & 1, a & 1];
    cornerDv.push(az * vxy + ay * vx + ax);
    for (const dz of [az - 1, az]) for (const dy of [ay - 1, ay]) for (const dx of [ax - 1, ax]) if (dz || dy || dx) cornerOthers.push(dz * psz + dy * psy + dx);
  }
  const edges: Array<{ dc: number; dv: number; step: number; others: number[] }> = [];
  const cst = [1, g.sy, g.sz];
  const pst = [1, psy, psz];
  const vst = [1, vx, vxy];
  for (let axis = 0; axis < 3; axis++) {
    const [f0, f1] = [0, 1, 2].filter((t) => t !== axis);
    for (let a = 0; a < 4; a++) {
      const e0 = a & 1; // side of the cube along the two other (even) axes
      const e1 = a >> 1;
      const others: number[] = [];
      for (const o0 of [e0 - 1, e0]) for (const o1 of [e1 - 1, e1]) if (o0 || o1) others.push(o0 * pst[f0] + o1 * pst[f1]);
      edges.push({ dc: (2 * e0 - 1) * cst[f0] + (2 * e1 - 1) * cst[f1], dv: e0 * vst[f0] + e1 * vst[f1], step: vst[axis], others });
    }
  }
  edges.sort((p, q) => p.dc - q.dc);
  return {
    cornerDv: Int32Array.from(cornerDv),
    cornerOthers: Int32Array.from(cornerOthers),
    edgeDc: Int32Array.from(edges, (e) => e.dc),
    edgeDv: Int32Array.from(edges, (e) => e.dv),
    edgeStep: Int32Array.from(edges, (e) => e.step),
    edgeOthers: Int32Array.from(edges.flatMap((e) => e.others)),
  };
}

/**
 * own[r] = which cells of the voxel of rank r it brings itself: bits 0–7 its corners, 8–19 its cube edges
 * (index order), 20–25 its squares in decreasing index order (+z, +y, +x, −x, −y, −z). Computed in memory
 * order (every read is near the voxel) so that the rank-order sweeps read one word per voxel.
 */
function ownership(shape: [number, number, number], prank: Int32Array, psy: number, psz: number, t: StarTables): Int32Array {
  const [d, h, w] = shape;
  const own = new Int32Array(d * h * w);
  const across = [psz, psy, 1, -1, -psy, -psz];
  for (let k = 0; k < d; k++) {
    for (let j = 0; j < h; j++) {
      for (let i = 0, p = (k + 1) * psz + (j + 1) * psy + 1; i < w; i++, p++) {
        const r = prank[p];
        let m = 0;
        for (let a = 0, o = 0; a < 8; a++, o += 7) {
          let q = o;
          while (q < o + 7 && prank[p + t.cornerOthers[q]] > r) q++;
          if (q === o + 7) m |= 1 << a;
        }
        for (let e = 0, o = 0; e < 12; e++, o += 3) {
          if (prank[p + t.edgeOthers[o]] > r && prank[p + t.edgeOthers[o + 1]] > r && prank[p + t.edgeOthers[o + 2]] > r) m |= 1 << (8 + e);
        }
        for (let f = 0; f < 6; f++) if (prank[p + across[f]] > r) m |= 1 << (20 + f);
        own[r] = m;
      }
    }
  }
  return own;
}

/**
 * Dimension-0 and dimension-2 pairs of the T-construction into sink0 / sink2, setting NEG_EDGE on the edges
 * that merge components and POS_FACE on the squares that create voids.
 */
export function starSweeps(g: CellGrid, order: Int32Array, flags: Uint8Array, sink0: PairSink, sink2: PairSink): void {
  const { prank, pidx, psy, psz } = paddedRanks(g.shape, order);
  const t = starTables(g, psy, psz);
  const own = ownership(g.shape, prank, psy, psz, t);
  starDim0(g, order, own, t, flags, sink0);
  starDim2(g, order, own, prank, pidx, psy, psz, flags, sink2);
}

/** Dimension 0: vertices and edges in filtration order, union-find on a vertex grid, elder rule. */
function starDim0(g: CellGrid, order: Int32Array, own: Int32Array, t: StarTables, flags: Uint8Array, sink: PairSink): void {
  const [d, h, w] = g.shape;
  const vx = w + 1;
  const vxy = vx * (h + 1);
  const parent = new Int32Array(vxy * (d + 1));
  const key = new Int32Array(parent.length); // 8·rank + corner: the vertex's place in the filtration
  const n = order.length;
  for (let r = 0; r < n; r++) {
    const m = own[r];
    const v = order[r];
    const i = v % w;
    const j = ((v - i) / w) % h;
    const k = (v - i - j * w) / (w * h);
    const vbase = k * vxy + j * vx + i;
    const cube = (2 * k + 1) * g.sz + (2 * j + 1) * g.sy + (2 * i + 1);
    for (let a = 0; a < 8; a++) {
      if (!(m & (1 << a))) continue; // an earlier voxel already brought this corner
      const id = vbase + t.cornerDv[a];
      parent[id] = id;
      key[id] = 8 * r + a;
    }
    for (let e = 0; e < 12; e++) {
      if (!(m & (1 << (8 + e)))) continue;
      const lo = vbase + t.edgeDv[e];
      const a = find(parent, lo);
      const b = find(parent, lo + t.edgeStep[e]);
      if (a === b) continue;
      // Elder rule: the component born later dies here.
      const young = key[a] > key[b] ? a : b;
      parent[young] = young === a ? b : a;
      flags[cube + t.edgeDc[e]] |= NEG_EDGE;
      sink.add(order[key[young] >> 3], v);
    }
  }
}

/** Dimension 2: cubes and squares in reverse filtration order, union-find on the padded voxels. */
function starDim2(g: CellGrid, order: Int32Array, own: Int32Array, prank: Int32Array, pidx: Int32Array, psy: number, psz: number, flags: Uint8Array, sink: PairSink): void {
  const [, h, w] = g.shape;
  const n = order.length;
  // NOTE: the whole padding is one component, the outside, rooted at padded index 0 whose rank is n: the
  // oldest in the reverse sweep, where a larger rank is older.
  const parent = new Int32Array(prank.length);
  const across = Int32Array.from([psz, psy, 1, -1, -psy, -psz]);
  const square = Int32Array.from([g.sz, g.sy, 1, -1, -g.sy, -g.sz]);
  for (let r = n - 1; r >= 0; r--) {
    const m = own[r];
    const p = pidx[r];
    const v = order[r];
    parent[p] = p;
    let root = p;
    let cube = -1;
    for (let f = 0; f < 6; f++) {
      if (!(m & (1 << (20 + f)))) continue; // the voxel across entered earlier: the square is not v's
      const q = p + across[f];
      const a = prank[q] === n ? 0 : find(parent, q);
      if (a === root) continue;
      if (cube < 0) {
        const i = v % w;
        const j = ((v - i) / w) % h;
        const k = (v - i - j * w) / (w * h);
        cube = (2 * k + 1) * g.sz + (2 * j + 1) * g.sy + (2 * i + 1);
      }
      flags[cube + square[f]] |= POS_FACE;
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
