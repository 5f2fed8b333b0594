// Dimension-1 pairs (edge, square) by matrix reduction over Z/2, with
//   clearing: squares that create voids (found by the dimension-2 union-find) and edges that kill components
//     (dimension 0) have columns that reduce to zero, so they are skipped;
//   compression: their rows are dropped too, which changes no pivot (a boundary's lowest edge is always a
//     positive edge, also after dropping the negative rows; dually for coboundaries);
//   apparent pairs first: (e, σ) with e the youngest edge of σ and σ the oldest square on e is a persistence
//     pair; they are found in one pass in memory order (cache-friendly) and never reduced or stored;
//   memory: the working column is a heap in which equal keys cancel (adding a short column to a long one
//     costs the short one's length); each cell's entry rank and its pivot owner (or CLEARED) share one
//     interleaved array, so a pivot lookup hits the cache line its key came from.
// Within one dimension the filtration order of filtration.ts is (entry rank, cell index), so a cell's key
// is entry·P + index with P the power of two above the grid size (exact in a float64 up to 2^24 voxels per
// volume; the index comes back without a float modulo).
import type { CellGrid } from './cubical_grid.ts';
import { NEG_EDGE, POS_FACE, type PairSink } from './pairs.ts';

export const APPARENT = 4; // cell flag: the edge or square is in an apparent pair
const CLEARED = -0x80000000; // owner slot of a cleared cell (never an owner: those are > −2^31)

export type Dim1Method = 'homology' | 'cohomology';

/** What the reduction needs: the grid, the voxel order and every cell's entry rank. */
export interface CellOrder {
  grid: CellGrid;
  order: Int32Array; // order[r] = the voxel of rank r
  entry: Int32Array; // entry[c] = rank of cell c's entry voxel, or at 2c (two slots per cell: used in place)
}

/**
 * Dimension-1 pairs; `flags` must hold NEG_EDGE and POS_FACE from the dimension-0 and -2 sweeps.
 * NOTE: both methods give the same pairs; which one does less work depends on the construction (64³
 * uniform noise: T 9M merged entries by cohomology vs 38M by homology, V the reverse), so the default is
 * cohomology for T and homology for V. persistence() takes T's cohomology from voxel_cohomology.ts (the
 * same pairs in the same order, read off the voxel ranks); this one serves V, and T by homology.
 */
export function dim1Pairs(f: CellOrder, flags: Uint8Array, sink: PairSink, method?: Dim1Method): void {
  const m = method ?? (f.grid.construction === 'T' ? 'cohomology' : 'homology');
  if (f.order.length * 2 ** Math.ceil(Math.log2(f.grid.size)) > 2 ** 53) throw new Error(`dimension 1: volume too large (${f.order.length} voxels)`);
  // eo[2c] = entry[c]; eo[2c + 1] = the owner of pivot c (homology, by edge cell, cohomology, by square
  // cell): its apparent partner's cell + 1, or −(1 + the offset of its stored reduced column), 0 = none.
  // NOTE: interleaved so that looking up a pivot's owner hits the cache line its key was read from.
  // Cleared cells (negative edges, squares that create voids) carry CLEARED there instead of an owner.
  // An entry array with two slots per cell (spreadToCells(..., 2)) is used in place, else copied.
  const G = f.grid.size;
  let eo = f.entry;
  if (eo.length !== 2 * G) {
    eo = new Int32Array(2 * G);
    for (let c = 0; c < G; c++) eo[2 * c] = f.entry[c];
  }
  // NOTE: branch-free: (f + 3) >> 2 is 1 iff f = flags & 3 is nonzero, and 1 << 31 is CLEARED.
  if (CLEARED !== 1 << 31 || (NEG_EDGE | POS_FACE) !== 3) throw new Error('dimension 1: flag layout changed');
  // NOTE: cohomology reads the owner slots of squares only, and apparentPairs writes every one of them:
  // only homology (whose pivots are edges) needs this pass over all cells.
  if (m === 'homology') for (let c = 0; c < G; c++) eo[2 * c + 1] = (((flags[c] & 3) + 3) >> 2) << 31;
  const squares = apparentPairs(f, flags, eo, m, sink);
  if (m === 'homology') reduceHomology(f, eo, squares, sink);
  else reduceCohomology(f, flags, eo, sink);
}

/** The key multiplier: the power of two above the grid size. */
const keyScale = (g: CellGrid) => 2 ** Math.ceil(Math.log2(g.size + 1));

/**
 * The cell index of key k (entry·P + index), with invP = 1 / P: exact, since P is a power of two (so is
 * the multiplication that replaces a division).
 */
const cellOfKey = (k: number, P: number, invP: number) => k - Math.floor(k * invP) * P;

/** The odd-coordinate mask of cell c (bit 0 x, bit 1 y, bit 2 z). */
function oddMask(g: CellGrid, c: number): number {
  return ((c % g.gx) & 1) | (((((c / g.gx) | 0) % g.gy) & 1) << 1) | ((((c / g.sz) | 0) & 1) << 2);
}

/** Reduces the remaining square columns (boundaries, pivot = youngest edge), oldest square first. */
function reduceHomology(f: CellOrder, eo: Int32Array, todo: Float64Array, sink: PairSink): void {
  const { grid: g, order } = f;
  const P = keyScale(g);
  // The square's compressed boundary as negated edge keys (so the youngest edge comes first).
  const boundary = (c: number, into: Float64Array): number => {
    const m = oddMask(g, c);
    const s1 = m & 1 ? 1 : g.sy; // the square's two odd axes
    const s2 = m & 4 ? g.sz : g.sy;
    let n = 0;
    for (let t = 0; t < 4; t++) {
      const q = c + (t & 1 ? 1 : -1) * (t < 2 ? s1 : s2);
      if (eo[2 * q + 1] !== CLEARED) into[n++] = -(eo[2 * q] * P + q);
    }
    return n;
  };
  // pivot = youngest edge, a pair (edge, square)
  reduceColumns(todo, P, -1, eo, 2, boundary, 'square', (kc, ke) => pairByKeys(ke, kc, P, order, sink));
}

/**
 * Reduces the coboundaries of the remaining positive edges (pivot = oldest square), youngest edge first.
 */
function reduceCohomology(f: CellOrder, flags: Uint8Array, eo: Int32Array, sink: PairSink): void {
  const { grid: g, order } = f;
  const { gx, gy, gz, sy, sz } = g;
  const P = keyScale(g);
  // The edges to reduce: positive and not apparent, youngest first (edges: exactly one odd coordinate).
  let cells = edgeScratch; // [cell, entry rank] per edge
  let m = 0;
  for (let z = 0; z < gz; z++) {
    for (let y = 0; y < gy; y++) {
      const zy = (z & 1) + (y & 1);
      if (zy === 2) continue;
      const row = z * sz + y * sy;
      cells = withRoom(cells, 2 * m, 2 * gx);
      for (let x = zy === 0 ? 1 : 0; x < gx; x += 2) {
        const c = row + x;
        if (!(flags[c] & (NEG_EDGE | APPARENT))) {
          cells[2 * m] = c;
          cells[2 * m + 1] = eo[2 * c];
          m++;
        }
      }
    }
  }
  if (cells.length <= 1 << 21) edgeScratch = cells;
  const todo = youngestFirst(cells, m, order.length, P);
  // The edge's compressed coboundary: square keys at ±1 along its two even axes, inside the grid.
  const coboundary = (e: number, into: Float64Array): number => {
    const z = (e / sz) | 0; // NOTE: two integer divisions (the coordinates by remainders took four)
    const yx = e - z * sz;
    const y = (yx / sy) | 0;
    const x = yx - y * sy;
    let n = 0;
    // Cofaces along each even axis, inside the grid and not cleared.
    if (!(x & 1)) {
      if (x > 0 && eo[2 * (e - 1) + 1] !== CLEARED) into[n++] = eo[2 * (e - 1)] * P + e - 1;
      if (x < gx - 1 && eo[2 * (e + 1) + 1] !== CLEARED) into[n++] = eo[2 * (e + 1)] * P + e + 1;
    }
    if (!(y & 1)) {
      if (y > 0 && eo[2 * (e - sy) + 1] !== CLEARED) into[n++] = eo[2 * (e - sy)] * P + e - sy;
      if (y < gy - 1 && eo[2 * (e + sy) + 1] !== CLEARED) into[n++] = eo[2 * (e + sy)] * P + e + sy;
    }
    if (!(z & 1)) {
      if (z > 0 && eo[2 * (e - sz) + 1] !== CLEARED) into[n++] = eo[2 * (e - sz)] * P + e - sz;
      if (z < gz - 1 && eo[2 * (e + sz) + 1] !== CLEARED) into[n++] = eo[2 * (e + sz)] * P + e + sz;
    }
    return n;
  };
  // pivot = oldest square, a pair (edge, square)
  // NOTE: a pair within one voxel's star (same entry rank) has zero persistence: skip its random order reads.
  reduceColumns(todo, P, 1, eo, 2, coboundary, 'edge', (ke, kq) => pairByKeys(ke, kq, P, order, sink));
}

/** `a` if it has `more` elements free after its first `used`, else a copy at least twice as long. */
export function withRoom<T extends Int32Array>(a: T, used: number, more: number): T {
  if (used + more <= a.length) return a;
  const grown = new Int32Array(2 * (a.length + more)) as T;
  grown.set(a.subarray(0, used));
  return grown;
}

/**
 * The keys entry·P + cell of m edges given as [cell, entry rank] pairs in ascending cell order, youngest
 * first (entry rank descending, then cell descending), for the cohomology of either cell source.
 * NOTE: a counting sort on the entry rank (each rank's bucket fills from its end, so ties by cell index
 * come out descending) instead of sorting the keys: O(voxels + edges).
 */
export function youngestFirst(cells: Int32Array, m: number, ranks: number, P: number): Float64Array {
  const count = new Int32Array(ranks);
  for (let i = 0; i < m; i++) count[cells[2 * i + 1]]++;
  for (let r = ranks - 1, run = 0; r >= 0; r--) {
    run += count[r];
    count[r] = run; // the end of rank r's bucket: the number of edges entering at rank r or later
  }
  const todo = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const r = cells[2 * i + 1];
    todo[--count[r]] = r * P + cells[2 * i];
  }
  return todo;
}

/**
 * Reports the pair of the cells with keys kb (birth) and kd (death): their entry voxels, unless they are the
 * same voxel (zero persistence, skipped without random reads of the order unless kept).
 */
export function pairByKeys(kb: number, kd: number, P: number, order: Int32Array, sink: PairSink): void {
  const rb = Math.floor(kb / P);
  const rd = Math.floor(kd / P);
  if (rb !== rd || sink.keepZero) sink.add(order[rb], order[rd]);
}

/**
 * The column reduction both methods share. Each cell of `todo` (keys, in reduction order) loads its column
 * from `columnOf` (keys of the other dimension, times `sign` so that the pivot comes first) and adds the
 * recorded columns of its pivots' owners until it reaches a pivot no column owns; that pivot cell then
 * records it and `pair(key, pivot key)` reports the pair.
 * NOTE: where the time goes (64³ uniform noise, T by cohomology: 79k columns, 488k additions, 356k of them
 * an apparent pair's recomputed coboundary, ~1M heap pushes and as many pops): once the coboundaries were
 * read off the voxel ranks (voxel_cohomology.ts, ~0.8× this dimension's time), mostly the heap: a push
 * meets ~175 keys on average, as the 10,000 longest columns (of 79k) take half the additions and grow past
 * 4,000 keys. Measured without gain (paired runs): the coboundary pushed straight into the heap (no tmp, no
 * closure), a compact entry array for those reads (its build pass costs more), per-apparent-pair records of
 * the other three cofaces written by apparentPairs (smooth 1.25× slower: most are never read), short
 * columns stored by an insertion sort instead of pops, and a branch-free youngest edge in apparentPairs.
 */
export function reduceColumns(todo: Float64Array, P: number, sign: 1 | -1, own: Int32Array, os: 1 | 2, columnOf: (c: number, into: Float64Array) => number,
  what: string, pair: (key: number, pivotKey: number) => void): void {
  const oo = os - 1; // owner slots: own[os·cell + os − 1] (interleaved with the entry ranks when os = 2)
  const invP = 1 / P;
  const stored = store.reset();
  const cols = column.reset();
  for (let k = 0; k < todo.length; k++) {
    const c = cellOfKey(todo[k], P, invP);
    cols.load(cols.tmp, columnOf(c, cols.tmp));
    let piv = cols.pivot();
    let added = false;
    while (piv === piv) {
      const o = own[os * cellOfKey(sign * piv, P, invP) + oo];
      if (o === 0) break;
      added = true;
      if (o < 0) {
        const i = -o - 1; // the stored column's offset: its length, then its keys
        const d = stored.data;
        cols.addCancel(d, i + 1, i + 1 + d[i]);
      } else cols.addOther(cols.tmp, columnOf(o - 1, cols.tmp), piv);
      piv = cols.pivot();
    }
    if (piv !== piv) throw new Error(`dimension-1 reduction: ${what} ${c} reduced to zero (an essential class)`);
    const p = cellOfKey(sign * piv, P, invP);
    // NOTE: a column that needed no addition is recomputed when used, like an apparent pair's.
    if (added) {
      own[os * p + oo] = -1 - stored.push(cols);
    } else own[os * p + oo] = c + 1;
    pair(todo[k], sign * piv);
  }
  stored.reset(); // NOTE: drops a large store or heap now rather than keeping it alive until the next call
  cols.reset();
}

/**
 * Reduced columns back to back in one growing array (no per-column objects for the GC), each as its
 * length and then its keys, pivot first.
 * NOTE: the length sits next to the keys (not in a separate offsets array) so that adding a stored column
 * costs one cache miss, not two.
 */
class Store {
  data = new Float64Array(1 << 12);
  end = 0;
  /** Empties the store for the next call (dropping a large array rather than keeping it alive). */
  reset(): this {
    this.end = 0;
    if (this.data.length > 1 << 17) this.data = new Float64Array(1 << 12);
    return this;
  }
  /** Appends the reduced column (emptying it); returns its offset (where its length is). */
  push(col: Column): number {
    const at = this.end;
    let n = at + 1;
    for (let t = col.next(); t === t; t = col.next()) {
      if (n === this.data.length) {
        const g = new Float64Array(2 * n);
        g.set(this.data);
        this.data = g;
      }
      this.data[n++] = t;
    }
    this.data[at] = n - at - 1;
    this.end = n;
    if (n + 1 > this.data.length) {
      const g = new Float64Array(2 * n);
      g.set(this.data);
      this.data = g;
    }
    return at;
  }
}

/**
 * The column being reduced, as a binary min-heap of keys in which equal keys cancel in pairs (Z/2): adding
 * a column costs its own length times a log, not the working column's length (long cocycles of smooth
 * volumes grow to thousands of entries).
 */
class Column {
  private h = new Float64Array(1024);
  private size = 0;
  readonly tmp = new Float64Array(4);
  /** Empties the column for the next call (dropping a large heap rather than keeping it alive). */
  reset(): this {
    this.size = 0;
    if (this.h.length > 1 << 17) this.h = new Float64Array(1024);
    return this;
  }
  /** Starts the column from keys a[0..n) (any order). */
  load(a: Float64Array, n: number): void {
    this.size = 0;
    for (let i = 0; i < n; i++) this.push(a[i]);
  }
  /** The lowest key that does not cancel (left in the heap), or NaN if the column is zero. */
  pivot(): number {
    const h = this.h;
    for (;;) {
      if (this.size === 0) return NaN;
      const t = h[0];
      // NOTE: copies of the minimum form a subtree at the root, so one is a child of the root if any.
      if ((this.size > 1 && h[1] === t) || (this.size > 2 && h[2] === t)) {
        this.pop();
        this.pop();
      } else return t;
    }
  }
  /** Adds column b[from..to) whose lowest key b[from] is the current pivot (they cancel). */
  addCancel(b: Float64Array, from: number, to: number): void {
    // NOTE: the first key replaces the cancelled pivot at the root (one sift instead of a pop and a push).
    if (to - from < 2) return this.pop();
    this.replaceTop(b[from + 1]);
    for (let i = from + 2; i < to; i++) this.push(b[i]);
  }
  /** Adds the unsorted column b[0..n), which holds the current pivot `piv` (they cancel). */
  addOther(b: Float64Array, n: number, piv: number): void {
    let i = 0;
    while (i < n && b[i] === piv) i++;
    if (i === n) return this.pop();
    this.replaceTop(b[i]);
    for (i++; i < n; i++) if (b[i] !== piv) this.push(b[i]);
  }
  /** Pops the next key that does not cancel, or NaN when the column is empty. */
  next(): number {
    const t = this.pivot();
    if (t === t) this.pop();
    return t;
  }
  private push(x: number): void {
    if (this.size === this.h.length) {
      const g = new Float64Array(2 * this.size);
      g.set(this.h);
      this.h = g;
    }
    const h = this.h;
    let i = this.size++;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (h[up] <= x) break;
      h[i] = h[up];
      i = up;
    }
    h[i] = x;
  }
  private pop(): void {
    const n = --this.size;
    if (n > 0) this.replaceTop(this.h[n]);
  }
  /** Replaces the root by x and sifts it down. */
  private replaceTop(x: number): void {
    const h = this.h;
    const n = this.size;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1] < h[c]) c++;
      if (h[c] >= x) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = x;
  }
}

// NOTE: one store and one working column per process, reset per call (the path is synchronous): at 16³
// allocating them was a visible share of a call.
const store = new Store();
let edgeScratch = new Int32Array(1 << 12); // cohomology's [cell, entry rank] to reduce, unsorted (kept up to 8 MB)
const column = new Column();

/**
 * Pairs every apparent (edge, square) pair, scanning the squares in memory order, flags both cells
 * APPARENT and records the pair in `owner` the way the chosen reduction indexes it; every square's owner
 * slot is written (CLEARED if it creates a void, else 0 unless cohomology records its apparent edge there). Returns the keys of
 * the squares left to reduce (neither cleared nor apparent), ascending; only homology needs them.
 */
function apparentPairs(f: CellOrder, flags: Uint8Array, eo: Int32Array, method: Dim1Method, sink: PairSink): Float64Array {
  const { grid, order } = f;
  const { gx, gy, gz, sy, sz } = grid;
  const P = keyScale(grid);
  const rest: number[] = [];
  // NOTE: within a dimension, a < b in the filtration iff its key entry·P + index is smaller.
  for (let z = 0; z < gz; z++) {
    for (let y = 0; y < gy; y++) {
      // Squares have exactly two odd coordinates: x even in rows with y and z odd, x odd in rows with one.
      const zy = (z & 1) + (y & 1);
      if (zy === 0) continue;
      const n = zy === 2 ? 0 : !(y & 1) ? 1 : 2; // the normal axis (the even one)
      // Per row: the strides and grid sizes of the two odd axes (1, 2) and the normal; the coordinates
      // along them that do not depend on x.
      const s1 = n === 0 ? sy : 1;
      const s2 = n === 2 ? sy : sz;
      const sn = n === 0 ? 1 : n === 1 ? sy : sz;
      const g1 = n === 0 ? gy : gx;
      const g2 = n === 2 ? gy : gz;
      const gn = n === 0 ? gx : n === 1 ? gy : gz;
      const c2 = n === 2 ? y : z;
      for (let x = zy === 2 ? 0 : 1, c = z * sz + y * sy + x; x < gx; x += 2, c += 2) {
        if (flags[c] & POS_FACE) {
          eo[2 * c + 1] = CLEARED;
          continue;
        }
        eo[2 * c + 1] = 0;
        const c1 = n === 0 ? y : x;
        const cn = n === 0 ? x : n === 1 ? y : z;
        // The youngest edge (the largest key): ±1 along one of the two odd axes.
        let e = c - s1;
        let ke = eo[2 * e] * P + e;
        let along2 = false;
        let q = c + s1;
        let kq = eo[2 * q] * P + q;
        if (kq > ke) {
          e = q;
          ke = kq;
        }
        q = c - s2;
        kq = eo[2 * q] * P + q;
        if (kq > ke) {
          e = q;
          ke = kq;
          along2 = true;
        }
        q = c + s2;
        kq = eo[2 * q] * P + q;
        if (kq > ke) {
          e = q;
          along2 = true;
        }
        let apparent = !(flags[e] & NEG_EDGE);
        // The other squares on e (across e, at 2e − c, and ±sn along the normal from e) must all be younger.
        if (apparent) {
          const kc = eo[2 * c] * P + c;
          const ck = (along2 ? c2 : c1) + (e > c ? 2 : -2);
          if (ck >= 0 && ck < (along2 ? g2 : g1) && eo[2 * (2 * e - c)] * P + 2 * e - c < kc) apparent = false;
          else if (cn > 0 && eo[2 * (e - sn)] * P + e - sn < kc) apparent = false;
          else if (cn < gn - 1 && eo[2 * (e + sn)] * P + e + sn < kc) apparent = false;
        }
        if (!apparent) {
          if (method === 'homology') rest.push(eo[2 * c] * P + c);
          continue;
        }
        if (method === 'homology') eo[2 * e + 1] = c + 1;
        else eo[2 * c + 1] = e + 1;
        flags[c] |= APPARENT;
        flags[e] |= APPARENT;
        // NOTE: most apparent pairs lie in one voxel's star (zero persistence): skip the random order reads.
        if (eo[2 * e] !== eo[2 * c] || sink.keepZero) sink.add(order[eo[2 * e]], order[eo[2 * c]]);
      }
    }
  }
  return Float64Array.from(rest).sort();
}
