// Dimension-1 pairs (edge, square) by reducing the Z/2 boundary matrix of the squares, with
//   clearing: squares that create voids (found by the dimension-2 union-find) reduce to zero, so are skipped;
//   compression: rows of edges that kill components (found by the dimension-0 union-find) are dropped, which
//     changes no pivot (every cycle's lowest edge is a positive edge, also after dropping those rows);
//   apparent pairs for free: a column whose lowest edge is not yet owned is paired at once, never stored.
// Columns are arrays of filtration positions sorted descending, so the pivot is element 0.
import type { Filtration } from './filtration.ts';
import { NEG_EDGE, POS_FACE, type PairSink } from './pairs.ts';

export function dim1Pairs(f: Filtration, flags: Uint8Array, sink: PairSink): void {
  const { cells, dims, odd } = f;
  const { sy, sz, size } = f.grid;
  const posOf = new Int32Array(size);
  for (let p = 0; p < size; p++) posOf[cells[p]] = p;
  const owner = new Int32Array(size).fill(-1); // owner[edge position] = square position whose pivot it is
  const stored = new Map<number, Int32Array>(); // reduced columns that differ from the plain boundary
  const scratch = new Int32Array(4);

  // Writes the positions of the square's positive edges to scratch; returns how many.
  const edgesOf = (p: number): number => {
    const c = cells[p];
    const m = odd[p];
    // The two odd axes of the square.
    const s1 = m & 1 ? 1 : sy;
    const s2 = m & 4 ? sz : sy;
    let n = 0;
    let q = c - s1;
    if (!(flags[q] & NEG_EDGE)) scratch[n++] = posOf[q];
    q = c + s1;
    if (!(flags[q] & NEG_EDGE)) scratch[n++] = posOf[q];
    q = c - s2;
    if (!(flags[q] & NEG_EDGE)) scratch[n++] = posOf[q];
    q = c + s2;
    if (!(flags[q] & NEG_EDGE)) scratch[n++] = posOf[q];
    return n;
  };
  const boundary = (p: number): Int32Array => {
    const n = edgesOf(p);
    return scratch.slice(0, n).sort().reverse();
  };

  for (let p = 0; p < size; p++) {
    if (dims[p] !== 2 || flags[cells[p]] & POS_FACE) continue;
    const n = edgesOf(p);
    let pivot = -1;
    for (let i = 0; i < n; i++) if (scratch[i] > pivot) pivot = scratch[i];
    if (pivot >= 0 && owner[pivot] < 0) {
      owner[pivot] = p;
      sink.add(pivot, p);
      continue;
    }
    let col = boundary(p);
    while (col.length > 0) {
      const o = owner[col[0]];
      if (o < 0) break;
      col = symDiffDesc(col, stored.get(o) ?? boundary(o));
    }
    if (col.length === 0) throw new Error(`dimension-1 reduction: square at position ${p} reduced to zero`);
    owner[col[0]] = p;
    stored.set(p, col);
    sink.add(col[0], p);
  }
}

/** Symmetric difference of two arrays sorted descending. */
function symDiffDesc(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x > y) {
      out[n++] = x;
      i++;
    } else if (y > x) {
      out[n++] = y;
      j++;
    } else {
      i++;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++];
  while (j < b.length) out[n++] = b[j++];
  return out.subarray(0, n);
}
