// Dimension-1 pairs (edge, square) by matrix reduction over Z/2, with
//   clearing: squares that create voids (found by the dimension-2 union-find) and edges that kill components
//     (dimension 0) have columns that reduce to zero, so they are skipped;
//   compression: their rows are dropped too, which changes no pivot (a boundary's lowest edge is always a
//     positive edge, also after dropping the negative rows; dually for coboundaries);
//   apparent pairs first: (e, σ) with e the youngest edge of σ and σ the oldest square on e is a persistence
//     pair; they are found in one pass in memory order (cache-friendly) and never reduced or stored.
// Within one dimension the filtration order of filtration.ts is (entry rank, cell index), so a cell's key
// is entry·G + index (exact in a float64 for any grid that fits in memory).
import type { CellGrid } from './cubical_grid.ts';
import { NEG_EDGE, POS_FACE, type PairSink } from './pairs.ts';

const APPARENT = 4; // cell flag: the edge or square is in an apparent pair

export type Dim1Method = 'homology' | 'cohomology';

/** What the reduction needs: the grid, the voxel order and every cell's entry rank. */
export interface CellOrder {
  grid: CellGrid;
  order: Int32Array; // order[r] = the voxel of rank r
  entry: Int32Array; // entry[c] = rank of cell c's entry voxel
}

/**
 * Dimension-1 pairs; `flags` must hold NEG_EDGE and POS_FACE from the dimension-0 and -2 sweeps.
 * NOTE: both methods give the same pairs; which one does less work depends on the construction (64³
 * uniform noise: T 9M merged entries by cohomology vs 38M by homology, V the reverse), so the default is
 * cohomology for T and homology for V.
 */
export function dim1Pairs(f: CellOrder, flags: Uint8Array, sink: PairSink, method?: Dim1Method): void {
  const m = method ?? (f.grid.construction === 'T' ? 'cohomology' : 'homology');
  // owner: homology, by edge cell → its square's cell + 1; cohomology, by square cell → its edge's cell + 1
  // (0 = none, so the array needs no fill).
  const owner = new Int32Array(f.grid.size);
  const squares = apparentPairs(f, flags, owner, m, sink);
  if (m === 'homology') reduceHomology(f, flags, owner, squares, sink);
  else reduceCohomology(f, flags, owner, sink);
}

/** The odd-coordinate mask of cell c (bit 0 x, bit 1 y, bit 2 z). */
function oddMask(g: CellGrid, c: number): number {
  return ((c % g.gx) & 1) | (((((c / g.gx) | 0) % g.gy) & 1) << 1) | ((((c / g.sz) | 0) & 1) << 2);
}

/** Reduces the remaining square columns (boundaries, pivot = youngest edge), oldest square first. */
function reduceHomology(f: CellOrder, flags: Uint8Array, owner: Int32Array, todo: Float64Array, sink: PairSink): void {
  const { grid: g, entry, order } = f;
  const G = g.size;
  const stored = new Store(G); // reduced columns by square cell
  const cols = new Column();
  // The square's compressed boundary as negated edge keys (so the youngest edge comes first).
  const boundary = (c: number, into: Float64Array): number => {
    const m = oddMask(g, c);
    const s1 = m & 1 ? 1 : g.sy; // the square's two odd axes
    const s2 = m & 4 ? g.sz : g.sy;
    let n = 0;
    for (let t = 0; t < 4; t++) {
      const q = c + (t & 1 ? 1 : -1) * (t < 2 ? s1 : s2);
      if (!(flags[q] & NEG_EDGE)) into[n++] = -(entry[q] * G + q);
    }
    return sortSmall(into, n);
  };
  for (let k = 0; k < todo.length; k++) {
    const c = todo[k] % G | 0;
    cols.len = boundary(c, cols.cur);
    while (cols.len > 0) {
      const o = owner[-cols.cur[0] % G | 0] - 1;
      if (o < 0) break;
      const st = stored.get(o);
      if (st) cols.add(st, st.length);
      else cols.add(cols.tmp, boundary(o, cols.tmp));
    }
    if (cols.len === 0) throw new Error(`dimension-1 reduction: square ${c} reduced to zero`);
    const e = -cols.cur[0] % G | 0;
    owner[e] = c + 1;
    stored.set(c, cols.copy());
    sink.add(order[entry[e]], order[entry[c]]);
  }
}

/**
 * Reduces the coboundaries of the remaining positive edges (pivot = oldest square), youngest edge first.
 */
function reduceCohomology(f: CellOrder, flags: Uint8Array, owner: Int32Array, sink: PairSink): void {
  const { grid: g, entry, order } = f;
  const { gx, gy, gz, sy, sz } = g;
  const G = g.size;
  // The edges to reduce: positive and not apparent, youngest first.
  const keys: number[] = [];
  let c = 0;
  for (let z = 0; z < gz; z++) {
    for (let y = 0; y < gy; y++) {
      for (let x = 0; x < gx; x++, c++) {
        if ((x & 1) + (y & 1) + (z & 1) === 1 && !(flags[c] & (NEG_EDGE | APPARENT))) keys.push(entry[c] * G + c);
      }
    }
  }
  const todo = Float64Array.from(keys).sort().reverse();
  const stored = new Store(G); // reduced columns by edge cell
  const cols = new Column();
  // The edge's compressed coboundary: square keys at ±1 along its two even axes, inside the grid.
  const coboundary = (e: number, into: Float64Array): number => {
    const x = e % gx;
    const y = ((e / sy) | 0) % gy;
    const z = (e / sz) | 0;
    let n = 0;
    // Cofaces along each even axis, inside the grid and not cleared.
    if (!(x & 1)) {
      if (x > 0 && !(flags[e - 1] & POS_FACE)) into[n++] = entry[e - 1] * G + e - 1;
      if (x < gx - 1 && !(flags[e + 1] & POS_FACE)) into[n++] = entry[e + 1] * G + e + 1;
    }
    if (!(y & 1)) {
      if (y > 0 && !(flags[e - sy] & POS_FACE)) into[n++] = entry[e - sy] * G + e - sy;
      if (y < gy - 1 && !(flags[e + sy] & POS_FACE)) into[n++] = entry[e + sy] * G + e + sy;
    }
    if (!(z & 1)) {
      if (z > 0 && !(flags[e - sz] & POS_FACE)) into[n++] = entry[e - sz] * G + e - sz;
      if (z < gz - 1 && !(flags[e + sz] & POS_FACE)) into[n++] = entry[e + sz] * G + e + sz;
    }
    return sortSmall(into, n);
  };
  for (let k = 0; k < todo.length; k++) {
    const e = todo[k] % G | 0;
    cols.len = coboundary(e, cols.cur);
    while (cols.len > 0) {
      const o = owner[cols.cur[0] % G | 0] - 1;
      if (o < 0) break;
      const st = stored.get(o);
      if (st) cols.add(st, st.length);
      else cols.add(cols.tmp, coboundary(o, cols.tmp));
    }
    if (cols.len === 0) throw new Error(`dimension-1 reduction: edge ${e} has an essential class`);
    const s = cols.cur[0] % G | 0;
    owner[s] = e + 1;
    stored.set(e, cols.copy());
    sink.add(order[entry[e]], order[entry[s]]);
  }
}

/** Reduced columns by cell, in an array instead of a Map (integer-keyed Maps of 10⁵ entries are slow). */
class Store {
  private readonly slot: Int32Array;
  private readonly cols: Float64Array[] = [];
  constructor(size: number) {
    this.slot = new Int32Array(size); // column index + 1; 0 = none
  }
  get(c: number): Float64Array | undefined {
    const s = this.slot[c];
    return s === 0 ? undefined : this.cols[s - 1];
  }
  set(c: number, col: Float64Array): void {
    this.cols.push(col);
    this.slot[c] = this.cols.length;
  }
}

/** Insertion sort of a[0..n) ascending; returns n. */
function sortSmall(a: Float64Array, n: number): number {
  for (let i = 1; i < n; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
  return n;
}

/** The column being reduced (ascending keys, pivot first); Z/2 addition merges into a second buffer. */
class Column {
  cur = new Float64Array(1024);
  next = new Float64Array(1024);
  len = 0;
  readonly tmp = new Float64Array(4);
  add(b: Float64Array, bl: number): void {
    if (this.next.length < this.len + bl) this.next = new Float64Array(2 * (this.len + bl));
    const a = this.cur;
    const out = this.next;
    const al = this.len;
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < al && j < bl) {
      const x = a[i];
      const y = b[j];
      if (x < y) {
        out[n++] = x;
        i++;
      } else if (y < x) {
        out[n++] = y;
        j++;
      } else {
        i++;
        j++;
      }
    }
    while (i < al) out[n++] = a[i++];
    while (j < bl) out[n++] = b[j++];
    this.next = a;
    this.cur = out;
    this.len = n;
  }
  copy(): Float64Array {
    return this.cur.slice(0, this.len);
  }
}

/**
 * Pairs every apparent (edge, square) pair, scanning the squares in memory order, flags both cells
 * APPARENT and records the pair in `owner` the way the chosen reduction indexes it. Returns the keys of
 * the squares left to reduce (neither cleared nor apparent), ascending; only homology needs them.
 */
function apparentPairs(f: CellOrder, flags: Uint8Array, owner: Int32Array, method: Dim1Method, sink: PairSink): Float64Array {
  const { grid, entry, order } = f;
  const { gx, gy, gz, sy, sz } = grid;
  const G = grid.size;
  const g = [gx, gy, gz];
  const st = [1, sy, sz];
  const co = [0, 0, 0];
  const rest: number[] = [];
  // NOTE: within a dimension, a < b in the filtration iff (entry, index) is smaller.
  const older = (a: number, b: number) => entry[a] < entry[b] || (entry[a] === entry[b] && a < b);
  let c = 0;
  for (let z = 0; z < gz; z++) {
    co[2] = z;
    for (let y = 0; y < gy; y++) {
      co[1] = y;
      for (let x = 0; x < gx; x++, c++) {
        if ((x & 1) + (y & 1) + (z & 1) !== 2 || flags[c] & POS_FACE) continue;
        co[0] = x;
        const n = !(x & 1) ? 0 : !(y & 1) ? 1 : 2; // the normal axis
        const k1 = n === 0 ? 1 : 0;
        const k2 = n === 2 ? 1 : 2;
        // The youngest edge: ±1 along one of the two odd axes.
        const s1 = st[k1];
        const s2 = st[k2];
        let e = c - s1;
        let bk = k1;
        let bsign = -1;
        if (older(e, c + s1)) {
          e = c + s1;
          bsign = 1;
        }
        if (older(e, c - s2)) {
          e = c - s2;
          bk = k2;
          bsign = -1;
        }
        if (older(e, c + s2)) {
          e = c + s2;
          bk = k2;
          bsign = 1;
        }
        let apparent = !(flags[e] & NEG_EDGE);
        // The other squares on e (across e along bk, and ±1 along the normal from e) must all be younger.
        if (apparent) {
          const ck = co[bk] + 2 * bsign;
          if (ck >= 0 && ck < g[bk] && older(c + 2 * bsign * st[bk], c)) apparent = false;
          else if (co[n] > 0 && older(e - st[n], c)) apparent = false;
          else if (co[n] < g[n] - 1 && older(e + st[n], c)) apparent = false;
        }
        if (!apparent) {
          if (method === 'homology') rest.push(entry[c] * G + c);
          continue;
        }
        if (method === 'homology') owner[e] = c + 1;
        else owner[c] = e + 1;
        flags[c] |= APPARENT;
        flags[e] |= APPARENT;
        sink.add(order[entry[e]], order[entry[c]]);
      }
    }
  }
  return Float64Array.from(rest).sort();
}
