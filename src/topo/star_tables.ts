// Lookup tables of a voxel's star in the T-construction (star_sweeps.ts): which corners and edges of its
// cube an earlier neighbour touches (by 9-bit planes of the 27-neighbour mask), the corners and cell offsets
// of its 12 edges, and, memoised by the mask of the cube's own (new) cells, which new edges merge components
// when every shared corner lies in one component.
import type { CellGrid } from './cubical_grid.ts';

/** Bit u of a 27-bit mask is the neighbour at (dz, dy, dx) = (u/9, u/3 % 3, u % 3) − 1; 13 is the voxel. */
const nbBit = (dz: number, dy: number, dx: number) => 1 << ((dz + 1) * 9 + (dy + 1) * 3 + dx + 1);
export const FACE_U = [22, 16, 14, 12, 10, 4]; // +z, +y, +x, −x, −y, −z: decreasing square index

/** The cube's corners and edges as masks over its 26 neighbours. Corner a = 4·z + 2·y + x (0/1 each). */
export interface StarTables {
  cornerMask: Int32Array; // 8: the other voxels around the corner
  edgeLo: Int32Array; // its lower corner
  edgeHi: Int32Array; // its upper corner
  edgeDc: Int32Array; // cell offset from the cube
  // For each plane dz of the neighbour mask (9 bits): the corners (bits 0–7) and edges (bits 8–19) that an
  // earlier voxel among those bits touches; the voxel's own cells are the ones no plane touches.
  touched: Int32Array;
  // negMemo[own] = negEdges(own) + 1, 0 = not computed yet (shared by all grids with these masks).
  negMemo: Int16Array;
}

// NOTE: the lookup tables depend only on the (grid-independent) neighbour masks: built once per process.
const touchedCache = new Map<string, { touched: Int32Array; negMemo: Int16Array }>();
// The whole tables (edgeDc depends on the grid strides) per grid, rebuilt at most once per shape.
const tablesCache = new Map<string, StarTables>();

/** The tables of grid g (cached per grid strides). */
export function starTables(g: CellGrid): StarTables {
  const gk = `${g.sy} ${g.sz}`;
  let t = tablesCache.get(gk);
  if (!t) {
    if (tablesCache.size >= 64) tablesCache.clear();
    t = buildStarTables(g);
    tablesCache.set(gk, t);
  }
  return t;
}

function buildStarTables(g: CellGrid): StarTables {
  const cornerMask: number[] = [];
  for (let a = 0; a < 8; a++) {
    const [az, ay, ax] = [a >> 2, (a >> 1) & 1, a & 1];
    let m = 0;
    for (const dz of [az - 1, az]) for (const dy of [ay - 1, ay]) for (const dx of [ax - 1, ax]) if (dz || dy || dx) m |= nbBit(dz, dy, dx);
    cornerMask.push(m);
  }
  const edges: Array<{ dc: number; mask: number; lo: number; hi: number }> = [];
  const cst = [1, g.sy, g.sz];
  const bit = [1, 2, 4]; // corner bit of the x, y, z axes
  for (let axis = 0; axis < 3; axis++) {
    const [f0, f1] = [0, 1, 2].filter((t) => t !== axis);
    for (let a = 0; a < 4; a++) {
      const e0 = a & 1; // side of the cube along the two other axes
      const e1 = a >> 1;
      let mask = 0;
      for (const o0 of [e0 - 1, e0]) {
        for (const o1 of [e1 - 1, e1]) {
          if (!o0 && !o1) continue;
          const d = [0, 0, 0];
          d[f0] = o0;
          d[f1] = o1;
          mask |= nbBit(d[2], d[1], d[0]);
        }
      }
      const lo = e0 * bit[f0] + e1 * bit[f1];
      edges.push({ dc: (2 * e0 - 1) * cst[f0] + (2 * e1 - 1) * cst[f1], mask, lo, hi: lo + bit[axis] });
    }
  }
  edges.sort((p, q) => p.dc - q.dc);
  const key = cornerMask.join() + ';' + edges.map((e) => e.mask).join();
  let shared = touchedCache.get(key);
  if (!shared) {
    const touched = new Int32Array(3 * 512);
    for (let z = 0; z < 3; z++) {
      for (let plane = 0; plane < 512; plane++) {
        const m = plane << (9 * z);
        let bits = 0;
        for (let a = 0; a < 8; a++) if (cornerMask[a] & m) bits |= 1 << a;
        edges.forEach((e, i) => {
          if (e.mask & m) bits |= 1 << (8 + i);
        });
        touched[512 * z + plane] = bits;
      }
    }
    // NOTE: own has 20 bits (8 corners, 12 edges): the memo is 2 MB, allocated once per process.
    shared = { touched, negMemo: new Int16Array(1 << 20) };
    touchedCache.set(key, shared);
  }
  return {
    ...shared,
    cornerMask: Int32Array.from(cornerMask),
    edgeLo: Int32Array.from(edges, (e) => e.lo),
    edgeHi: Int32Array.from(edges, (e) => e.hi),
    edgeDc: Int32Array.from(edges, (e) => e.dc),
  };
}

/**
 * The new edges (12-bit mask) that merge components when every shared corner is in one component: then
 * they depend on nothing but which corners and edges are new (`own`). `lp` is scratch for 8 corners.
 */
function negEdges(t: StarTables, own: number, lp: Int32Array): number {
  let shared = -1;
  for (let a = 0; a < 8; a++) {
    lp[a] = a;
    if (own & (1 << a)) continue;
    if (shared < 0) shared = a;
    lp[a] = shared;
  }
  let neg = 0;
  for (let e = 0; e < 12; e++) {
    if (!(own & (1 << (8 + e)))) continue;
    let x = t.edgeLo[e];
    while (lp[x] !== x) x = lp[x];
    let y = t.edgeHi[e];
    while (lp[y] !== y) y = lp[y];
    if (x === y) continue;
    neg |= 1 << e;
    // The shared component is the oldest; among new corners the lower index is older.
    const xOld = x === shared || (y !== shared && x < y);
    if (xOld) lp[y] = x;
    else lp[x] = y;
  }
  return neg;
}

/**
 * negEdges(t, own), memoised in t.negMemo (smooth volumes ask for about half the voxels, with ~200 masks);
 * callers read t.negMemo[own] − 1 themselves first (a call per voxel costs a few per cent at 64³).
 */
export function newEdgesThatMerge(t: StarTables, own: number, lp: Int32Array): number {
  let neg = t.negMemo[own] - 1;
  if (neg < 0) {
    // NOTE: without new corners every new edge joins the one component to itself
    neg = own & 0xff ? negEdges(t, own, lp) : 0;
    t.negMemo[own] = neg + 1;
  }
  return neg;
}
