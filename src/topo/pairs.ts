// Dimension 0 and dimension 2 persistence pairs by union-find with the elder rule (CubicalRipser's
// JointPairs and its Alexander-duality case): dimension 0 merges vertices along edges in filtration order;
// dimension 2 merges cubes (and the outside of the box) across squares in reverse filtration order, which is
// dimension 0 of the complement with the dual connectivity (T: 6-connected, V: 26-connected).
// A component's root is always its oldest cell (the younger root is hung under the older one), so the
// elder rule only compares the roots' filtration positions.
import type { Filtration } from './filtration.ts';

/** Cell flags shared with the dimension-1 reduction. */
export const NEG_EDGE = 1; // the edge kills a component (dimension-0 death): its row is compressed away
export const POS_FACE = 2; // the square creates a void (dimension-2 birth): its column is cleared

/** Pairs as (birth voxel, death voxel); zero-persistence pairs are dropped unless asked for. */
export class PairSink {
  birth: number[] = [];
  death: number[] = [];
  constructor(
    private readonly volume: Float32Array,
    readonly keepZero: boolean,
  ) {}
  add(birthVoxel: number, deathVoxel: number): void {
    // NOTE: the index test first spares the two value loads (random reads) for the many same-voxel pairs.
    if (!this.keepZero && (birthVoxel === deathVoxel || this.volume[birthVoxel] === this.volume[deathVoxel])) return;
    this.birth.push(birthVoxel);
    this.death.push(deathVoxel);
  }
}

/** Root of x with path halving (shared by every union-find of the CPU path). */
export function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    const g = parent[parent[x]];
    parent[x] = g;
    x = g;
  }
  return x;
}

/** A union-find forest over the cell grid (plus one node for the outside), reused by both sweeps. */
export function newForest(f: Filtration): Int32Array {
  return new Int32Array(f.grid.size + 1);
}

/** Dimension-0 pairs (vertex, edge); marks negative edges in `flags`. */
export function dim0Pairs(f: Filtration, flags: Uint8Array, sink: PairSink, parent: Int32Array): void {
  const { pos, edges, entry, order } = f;
  const { gx, gy, gz, sy, sz } = f.grid;
  // Every vertex is its own component from the start: an edge always comes after its two vertices.
  for (let z = 0; z < gz; z += 2) for (let y = 0; y < gy; y += 2) for (let x = 0, c = z * sz + y * sy; x < gx; x += 2) parent[c + x] = c + x;
  const strides = [1, sy, sz];
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k];
    const c = e >> 2;
    const s = strides[e & 3];
    const a = find(parent, c - s);
    const b = find(parent, c + s);
    if (a === b) continue;
    // Elder rule: the component born later dies here.
    const young = pos[a] > pos[b] ? a : b;
    parent[young] = young === a ? b : a;
    flags[c] |= NEG_EDGE;
    sink.add(order[entry[young]], order[entry[c]]);
  }
}

/** Dimension-2 pairs (square, cube) through the dual graph; marks the squares that create voids in `flags`. */
export function dim2Pairs(f: Filtration, flags: Uint8Array, sink: PairSink, parent: Int32Array): void {
  const { pos, squares, entry, order } = f;
  const { gx, gy, gz, sy, sz, size } = f.grid;
  const outside = size;
  parent[outside] = outside;
  for (let z = 1; z < gz; z += 2) for (let y = 1; y < gy; y += 2) for (let x = 1, c = z * sz + y * sy; x < gx; x += 2) parent[c + x] = c + x;
  // NOTE: in the reverse sweep a larger position is older; the outside never enters, so it is the oldest.
  const age = (r: number) => (r === outside ? size : pos[r]);
  for (let k = squares.length - 1; k >= 0; k--) {
    const q = squares[k];
    const c = q >> 2;
    const axis = q & 3;
    // The square's two cofaces lie at ±1 along its normal, or outside the grid.
    let lo: number;
    let hi: number;
    if (axis === 0) {
      const x = c % gx;
      lo = x > 0 ? c - 1 : outside;
      hi = x < gx - 1 ? c + 1 : outside;
    } else if (axis === 1) {
      const y = ((c / sy) | 0) % gy;
      lo = y > 0 ? c - sy : outside;
      hi = y < gy - 1 ? c + sy : outside;
    } else {
      const z = (c / sz) | 0;
      lo = z > 0 ? c - sz : outside;
      hi = z < gz - 1 ? c + sz : outside;
    }
    const a = find(parent, lo);
    const b = find(parent, hi);
    if (a === b) continue;
    const young = age(a) < age(b) ? a : b;
    parent[young] = young === a ? b : a;
    flags[c] |= POS_FACE;
    sink.add(order[entry[c]], order[entry[young]]);
  }
}
