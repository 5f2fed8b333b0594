// Dimension-1 pairs (edge, square) by reducing the Z/2 boundary matrix of the squares, with
//   clearing: squares that create voids (found by the dimension-2 union-find) reduce to zero, so are skipped;
//   compression: rows of edges that kill components (found by the dimension-0 union-find) are dropped, which
//     changes no pivot (every cycle's lowest edge is a positive edge, also after dropping those rows);
//   apparent pairs first: (e, σ) with e the youngest edge of σ and σ the oldest square on e is a persistence
//     pair; they are found in one pass in memory order (cache-friendly) and never reduced or stored.
// The remaining columns are reduced left to right; a column is an array of filtration positions sorted
// descending, so its pivot is element 0.
import { voxelAtPosition, type Filtration } from './filtration.ts';
import { NEG_EDGE, POS_FACE, type PairSink } from './pairs.ts';

const APPARENT = 4; // cell flag: the edge or square is in an apparent pair

export type Dim1Method = 'homology' | 'cohomology';

/**
 * Dimension-1 pairs. NOTE: both methods give the same pairs; which one does less work depends on the
 * construction (measured on 64³ uniform noise: T 9M merged entries by cohomology vs 38M by homology, V the
 * reverse), so the default is cohomology for T and homology for V.
 */
export function dim1Pairs(f: Filtration, flags: Uint8Array, sink: PairSink, method?: Dim1Method): void {
  const m = method ?? (f.grid.construction === 'T' ? 'cohomology' : 'homology');
  // owner: homology, by edge position → its square's cell; cohomology, by square position → its edge's cell.
  const owner = new Int32Array(f.grid.size).fill(-1);
  apparentPairs(f, flags, owner, m, sink);
  if (m === 'homology') reduceHomology(f, flags, owner, sink);
  else reduceCohomology(f, flags, owner, sink);
}

/** The odd-coordinate mask of cell c (bit 0 x, bit 1 y, bit 2 z). */
function oddMask(f: Filtration, c: number): number {
  const { gx, gy, sz } = f.grid;
  return (c % gx & 1) | ((((c / gx) | 0) % gy & 1) << 1) | ((((c / sz) | 0) & 1) << 2);
}

/** Reduces the remaining square columns (boundaries, pivot = youngest edge), oldest square first. */
function reduceHomology(f: Filtration, flags: Uint8Array, owner: Int32Array, sink: PairSink): void {
  const { pos, squares, order, entry } = f;
  const { sy, sz } = f.grid;
  const stored = new Map<number, Int32Array>(); // reduced columns by square cell
  const cols = new Columns();
  // Writes the square's compressed boundary (edge positions, negated so the youngest comes first).
  const boundary = (c: number, into: Int32Array): number => {
    const m = oddMask(f, c);
    const s1 = m & 1 ? 1 : sy; // the square's two odd axes
    const s2 = m & 4 ? sz : sy;
    let n = 0;
    for (let t = 0; t < 4; t++) {
      const q = c + (t & 1 ? 1 : -1) * (t < 2 ? s1 : s2);
      if (!(flags[q] & NEG_EDGE)) into[n++] = -pos[q];
    }
    return sortSmall(into, n);
  };
  for (let k = 0; k < squares.length; k++) {
    const c = squares[k] >> 2;
    if (flags[c] & (POS_FACE | APPARENT)) continue;
    cols.start((buf) => boundary(c, buf));
    while (cols.len > 0) {
      const o = owner[-cols.pivot()];
      if (o < 0) break;
      const st = stored.get(o);
      if (st) cols.add(st, st.length);
      else cols.add(cols.tmp4, boundary(o, cols.tmp4));
    }
    if (cols.len === 0) throw new Error(`dimension-1 reduction: square ${c} reduced to zero`);
    const piv = -cols.pivot();
    owner[piv] = c;
    stored.set(c, cols.copy());
    sink.add(voxelAtPosition(f, piv), order[entry[c]]);
  }
}

/**
 * Reduces the coboundaries of the remaining positive edges (pivot = oldest square), youngest edge first:
 * clearing skips the negative edges, compression drops the rows of void-creating squares.
 */
function reduceCohomology(f: Filtration, flags: Uint8Array, owner: Int32Array, sink: PairSink): void {
  const { pos, edges, order, entry } = f;
  const { gx, gy, gz, sy, sz } = f.grid;
  const stored = new Map<number, Int32Array>(); // reduced columns by edge cell
  const cols = new Columns();
  // The edge's compressed coboundary: squares at ±1 along its two even axes, inside the grid.
  const coboundary = (c: number, into: Int32Array): number => {
    const m = oddMask(f, c);
    let n = 0;
    if (!(m & 1)) {
      const x = c % gx;
      if (x > 0 && !(flags[c - 1] & POS_FACE)) into[n++] = pos[c - 1];
      if (x < gx - 1 && !(flags[c + 1] & POS_FACE)) into[n++] = pos[c + 1];
    }
    if (!(m & 2)) {
      const y = ((c / sy) | 0) % gy;
      if (y > 0 && !(flags[c - sy] & POS_FACE)) into[n++] = pos[c - sy];
      if (y < gy - 1 && !(flags[c + sy] & POS_FACE)) into[n++] = pos[c + sy];
    }
    if (!(m & 4)) {
      const z = (c / sz) | 0;
      if (z > 0 && !(flags[c - sz] & POS_FACE)) into[n++] = pos[c - sz];
      if (z < gz - 1 && !(flags[c + sz] & POS_FACE)) into[n++] = pos[c + sz];
    }
    return sortSmall(into, n);
  };
  for (let k = edges.length - 1; k >= 0; k--) {
    const c = edges[k] >> 2;
    if (flags[c] & (NEG_EDGE | APPARENT)) continue;
    cols.start((buf) => coboundary(c, buf));
    while (cols.len > 0) {
      const o = owner[cols.pivot()];
      if (o < 0) break;
      const st = stored.get(o);
      if (st) cols.add(st, st.length);
      else cols.add(cols.tmp4, coboundary(o, cols.tmp4));
    }
    if (cols.len === 0) throw new Error(`dimension-1 reduction: edge ${c} has an essential class`);
    const piv = cols.pivot();
    owner[piv] = c;
    stored.set(c, cols.copy());
    sink.add(order[entry[c]], voxelAtPosition(f, piv));
  }
}

/** Insertion sort of into[0..n) ascending; returns n. */
function sortSmall(a: Int32Array, n: number): number {
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

/** The column being reduced, ascending keys, pivot first; Z/2 additions by merging into a second buffer. */
class Columns {
  cur = new Int32Array(1024);
  next = new Int32Array(1024);
  len = 0;
  readonly tmp4 = new Int32Array(4);
  start(fill: (buf: Int32Array) => number): void {
    this.len = fill(this.cur);
  }
  pivot(): number {
    return this.cur[0];
  }
  add(b: Int32Array, bl: number): void {
    if (this.next.length < this.len + bl) this.next = new Int32Array(2 * (this.len + bl));
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
  copy(): Int32Array {
    return this.cur.slice(0, this.len);
  }
}

/**
 * Pairs every apparent (edge, square) pair, scanning the squares in memory order (cache-friendly), and
 * flags both cells APPARENT; records them in `owner` the way the chosen reduction indexes it.
 */
function apparentPairs(f: Filtration, flags: Uint8Array, owner: Int32Array, method: Dim1Method, sink: PairSink): void {
  const { pos, order, entry } = f;
  const { gx, gy, gz, sy, sz } = f.grid;
  const g = [gx, gy, gz];
  const st = [1, sy, sz];
  const co = [0, 0, 0];
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
        let best = pos[c - s1];
        let bk = k1;
        let bsign = -1;
        let q = pos[c + s1];
        if (q > best) {
          best = q;
          bsign = 1;
        }
        q = pos[c - s2];
        if (q > best) {
          best = q;
          bk = k2;
          bsign = -1;
        }
        q = pos[c + s2];
        if (q > best) {
          best = q;
          bk = k2;
          bsign = 1;
        }
        const e = c + bsign * st[bk];
        if (flags[e] & NEG_EDGE) continue;
        // The other squares on e (across e along bk, and ±1 along the normal from e) must all be younger.
        const p = pos[c];
        const ck = co[bk] + 2 * bsign;
        if (ck >= 0 && ck < g[bk] && pos[c + 2 * bsign * st[bk]] < p) continue;
        if (co[n] > 0 && pos[e - st[n]] < p) continue;
        if (co[n] < g[n] - 1 && pos[e + st[n]] < p) continue;
        if (method === 'homology') owner[best] = c;
        else owner[p] = e;
        flags[c] |= APPARENT;
        flags[e] |= APPARENT;
        sink.add(order[entry[e]], order[entry[c]]);
      }
    }
  }
}
