// Dimension 0 and dimension 2 persistence pairs by union-find with the elder rule (CubicalRipser's
// JointPairs and its Alexander-duality case): dimension 0 merges vertices along edges in filtration order;
// dimension 2 merges cubes (and the outside of the box) across squares in reverse filtration order, which is
// dimension 0 of the complement with the dual connectivity (T: 6-connected, V: 26-connected).
import type { Filtration } from './filtration.ts';

/** Cell flags shared with the dimension-1 reduction. */
export const NEG_EDGE = 1; // the edge kills a component (dimension-0 death): its row is compressed away
export const POS_FACE = 2; // the square creates a void (dimension-2 birth): its column is cleared

/** Pairs as filtration positions, with a test for zero persistence. */
export class PairSink {
  birth: number[] = [];
  death: number[] = [];
  constructor(
    private readonly f: Filtration,
    private readonly keepZero: boolean,
  ) {}
  /** Value of the cell at filtration position p (its entry voxel's value). */
  value(p: number): number {
    const f = this.f;
    return f.volume[f.order[f.entry[f.cells[p]]]];
  }
  add(birthPos: number, deathPos: number): void {
    if (!this.keepZero && this.value(birthPos) === this.value(deathPos)) return;
    this.birth.push(birthPos);
    this.death.push(deathPos);
  }
}

/** Root of x with path halving. */
function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    const g = parent[parent[x]];
    parent[x] = g;
    x = g;
  }
  return x;
}

/**
 * Dimension-0 pairs (vertex, edge); marks negative edges in `flags`. Returns the filtration position of the
 * essential class's vertex (the first cell).
 */
export function dim0Pairs(f: Filtration, flags: Uint8Array, sink: PairSink): number {
  const { cells, dims, odd } = f;
  const { sy, sz, size } = f.grid;
  const parent = new Int32Array(size);
  const birth = new Int32Array(size); // filtration position of a root's oldest vertex
  for (let p = 0; p < size; p++) {
    const d = dims[p];
    if (d > 1) continue;
    const c = cells[p];
    if (d === 0) {
      parent[c] = c;
      birth[c] = p;
      continue;
    }
    const m = odd[p];
    const s = m === 1 ? 1 : m === 2 ? sy : sz;
    const a = find(parent, c - s);
    const b = find(parent, c + s);
    if (a === b) continue;
    // Elder rule: the component born later dies here.
    const young = birth[a] > birth[b] ? a : b;
    parent[young] = young === a ? b : a;
    flags[c] |= NEG_EDGE;
    sink.add(birth[young], p);
  }
  return 0;
}

/** Dimension-2 pairs (square, cube) through the dual graph; marks the squares that create voids in `flags`. */
export function dim2Pairs(f: Filtration, flags: Uint8Array, sink: PairSink): void {
  const { cells, dims, odd } = f;
  const { gx, gy, gz, sy, sz, size } = f.grid;
  const outside = size;
  const parent = new Int32Array(size + 1);
  const birth = new Int32Array(size + 1); // in the reverse sweep, a larger position is older
  parent[outside] = outside;
  birth[outside] = size; // NOTE: the outside of the box is older than every cube (it never enters).
  for (let p = size - 1; p >= 0; p--) {
    const d = dims[p];
    if (d < 2) continue;
    const c = cells[p];
    if (d === 3) {
      parent[c] = c;
      birth[c] = p;
      continue;
    }
    const m = odd[p];
    // The square's normal is its one even coordinate; its two cofaces lie at ±1 along it, or outside.
    let lo: number;
    let hi: number;
    if (!(m & 1)) {
      const x = c % gx;
      lo = x > 0 ? c - 1 : outside;
      hi = x < gx - 1 ? c + 1 : outside;
    } else if (!(m & 2)) {
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
    const young = birth[a] < birth[b] ? a : b;
    parent[young] = young === a ? b : a;
    flags[c] |= POS_FACE;
    sink.add(p, birth[young]);
  }
}
