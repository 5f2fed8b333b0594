// Dimension-1 pairs of the T-construction by cohomology (reduction.ts's method: clearing, compression,
// apparent pairs first), read straight off the padded voxel ranks instead of a cell-grid entry array.
// Why: the reduction's random reads are the cofaces of random edges; in the T-construction a square enters
// with the earlier of its two voxels and an edge with the earliest of its four, so one int32 per voxel
// (its rank · 8 | the cleared bits of its three lower faces) answers them from 4 bytes per voxel where
// the cell grid took 8 bytes per cell (64³: 1.1 MB against 17 MB, so the reads mostly hit the L2 cache).
// Squares are numbered 3·(upper voxel) + 2 − normal axis (x 0, y 1, z 2): their keys are entry·P + that
// number and their owners sit in one int32 array of that numbering. Squares of one entry rank are faces of
// one voxel, and there this numbering orders them −z, −y, −x, +x, +y, +z, as the cell index does: the total
// order of filtration.ts, so the pairs (zero-persistence ones included) are the cell-grid cohomology's.
import type { CellGrid } from './cubical_grid.ts';
import type { PaddedRanks } from './basins.ts';
import { NEG_EDGE, POS_FACE, type PairSink } from './pairs.ts';
import { APPARENT, pairByKeys, reduceColumns, withRoom, youngestFirst } from './reduction.ts';
import { scratchInt32 } from './scratch.ts';

const wordScratch = scratchInt32();
const ownerScratch = scratchInt32();
const edgeScratch = scratchInt32();

/**
 * Dimension-1 pairs of the T-construction into `sink`; `flags` must hold NEG_EDGE and POS_FACE from
 * star_sweeps.ts. Marks apparent edges and squares APPARENT in `flags`.
 */
export function voxelCohomology(g: CellGrid, order: Int32Array, pr: PaddedRanks, flags: Uint8Array, sink: PairSink): void {
  const n = order.length;
  const { prank, psy, psz } = pr;
  const { gx, gy, gz, sy, sz } = g;
  const np = prank.length;
  // Keys: entry·P + (an edge's cell index or a square's number); P the power of two above both ranges.
  const P = 2 ** Math.ceil(Math.log2(Math.max(g.size, 3 * np) + 1));
  if (n * P > 2 ** 53 || n >= 1 << 28) throw new Error(`dimension 1: volume too large (${n} voxels)`);
  // word[p] = rank·8 | bit a: the square between voxel p and the one before it along axis a is cleared.
  const word = wordScratch.take(np, false);
  for (let p = 0; p < np; p++) word[p] = prank[p] << 3;
  const owner = ownerScratch.take(3 * np, false); // NOTE: every square's slot is written by apparentPairs
  apparentPairs(g, pr, word, owner, flags, order, sink, g.size);

  // The edges to reduce: positive and not apparent, youngest first.
  let cells = edgeScratch.take(Math.min(6 * np, 1 << 20), false); // [cell, entry rank] per edge, grown as needed
  let m = 0;
  for (let z = 0; z < gz; z++) {
    for (let y = 0; y < gy; y++) {
      const zy = (z & 1) + (y & 1);
      if (zy === 2) continue;
      const row = z * sz + y * sy;
      cells = withRoom(cells, 2 * m, 2 * gx);
      // the lower voxel of the edge along each even axis, and the strides of the two even axes
      const pz = z & 1 ? (z + 1) >> 1 : z >> 1;
      const py = y & 1 ? (y + 1) >> 1 : y >> 1;
      const base = pz * psz + py * psy;
      // edges along x (zy 0): even axes y, z; along y or z (zy 1, x even): x and the even one of y, z
      const tu = zy === 0 ? psy : 1;
      const tv = zy === 0 || y & 1 ? psz : psy;
      for (let x = zy === 0 ? 1 : 0; x < gx; x += 2) {
        const c = row + x;
        if (flags[c] & (NEG_EDGE | APPARENT)) continue;
        const p = base + (x & 1 ? (x + 1) >> 1 : x >> 1);
        const r = Math.min(word[p], word[p + tu], word[p + tv], word[p + tu + tv]) >> 3;
        cells[2 * m] = c;
        cells[2 * m + 1] = r;
        m++;
      }
    }
  }
  const todo = youngestFirst(cells, m, n, P);

  // The edge's compressed coboundary: the four squares between its four voxels, if they exist (not two
  // padding voxels) and are not cleared. An edge is named by its cell index (the columns to reduce, and
  // those recorded without additions) or, as apparentPairs records it, by VE + 4·(its first voxel, the
  // lower one along each even axis) + its axis (0 x, 1 y, 2 z), which spares the divisions.
  const VE = g.size;
  if (VE + 4 * np + 4 > 2 ** 31 - 1) throw new Error(`dimension 1: volume too large (${n} voxels)`);
  // by the edge's axis: the padded strides of its two even axes u < v, and those axes
  const tuOf = Int32Array.of(psy, 1, 1);
  const tvOf = Int32Array.of(psz, psz, psy);
  const uOf = Int32Array.of(1, 0, 0);
  const vOf = Int32Array.of(2, 2, 1);
  const coboundary = (e: number, into: Float64Array): number => {
    let p: number;
    let a: number;
    if (e >= VE) {
      p = (e - VE) >> 2;
      a = (e - VE) & 3;
    } else {
      const z = (e / sz) | 0;
      const yx = e - z * sz;
      const y = (yx / sy) | 0;
      const x = yx - y * sy;
      a = x & 1 ? 0 : y & 1 ? 1 : 2;
      p = ((z + (a === 2 ? 1 : 0)) >> 1) * psz + ((y + (a === 1 ? 1 : 0)) >> 1) * psy + ((x + (a === 0 ? 1 : 0)) >> 1);
    }
    const tu = tuOf[a];
    const tv = tvOf[a];
    const u = uOf[a];
    const v = vOf[a];
    const w00 = word[p];
    const w01 = word[p + tu];
    const w10 = word[p + tv];
    const w11 = word[p + tu + tv];
    let k = 0;
    // normal u: (p, p+tu) and (p+tv, p+tu+tv); normal v: (p, p+tv) and (p+tu, p+tu+tv)
    let r = Math.min(w00, w01) >> 3;
    if (r < n && !(w01 & (1 << u))) into[k++] = r * P + 3 * (p + tu) + 2 - u;
    r = Math.min(w10, w11) >> 3;
    if (r < n && !(w11 & (1 << u))) into[k++] = r * P + 3 * (p + tu + tv) + 2 - u;
    r = Math.min(w00, w10) >> 3;
    if (r < n && !(w10 & (1 << v))) into[k++] = r * P + 3 * (p + tv) + 2 - v;
    r = Math.min(w01, w11) >> 3;
    if (r < n && !(w11 & (1 << v))) into[k++] = r * P + 3 * (p + tu + tv) + 2 - v;
    return k;
  };
  // pivot = oldest square, a pair (edge, square)
  reduceColumns(todo, P, 1, owner, 1, coboundary, 'edge', (ke, kq) => pairByKeys(ke, kq, P, order, sink));
}

/**
 * Pairs every apparent (edge, square) pair, scanning the squares in cell memory order: sets the cleared
 * bits of the POS_FACE squares in `word`, flags apparent cells APPARENT, records each apparent square's
 * edge as its owner (1 + VE + 4·first voxel + axis, as the coboundary above reads it) and 0 for every other
 * square. Both cells of an apparent pair enter with one voxel (zero persistence), so the test needs only
 * which of the square's edges are new with it and one index comparison, no keys (0.7× this scan's time at
 * 32³ against comparing the four edges' keys; whole calls 0.90–0.95× at 16³–32³ in alternating runs,
 * unchanged at 64³).
 */
function apparentPairs(g: CellGrid, pr: PaddedRanks, word: Int32Array, owner: Int32Array, flags: Uint8Array, order: Int32Array,
  sink: PairSink, VE: number): void {
  const { gx, gy, gz, sy, sz } = g;
  const { psy, psz } = pr;
  const t = [1, psy, psz]; // padded voxel strides by axis
  const s = [1, sy, sz]; // cell strides by axis
  // per row, by side of the square in cell-index order (−a2, −a1, +a1, +a2): the edge's cell offset, the voxel
  // offset across it, and the axis of that offset
  const sideCell = new Int32Array(4);
  const sideVox = new Int32Array(4);
  const sideAxis = new Int32Array(4); // (the edge runs along the other odd axis, a1 + a2 − this)
  for (let z = 0; z < gz; z++) {
    for (let y = 0; y < gy; y++) {
      const zy = (z & 1) + (y & 1);
      if (zy === 0) continue;
      const nrm = zy === 2 ? 0 : !(y & 1) ? 1 : 2; // the normal axis (the even one)
      const a1 = nrm === 0 ? 1 : 0; // the two odd axes
      const a2 = nrm === 2 ? 1 : 2;
      const t1 = t[a1];
      const t2 = t[a2];
      const s1 = s[a1];
      const s2 = s[a2];
      const tn = t[nrm];
      sideCell.set([-s2, -s1, s1, s2]);
      sideVox.set([-t2, -t1, t1, t2]);
      sideAxis.set([a2, a1, a1, a2]);
      // the upper voxel (along the normal) of this row's first square
      const pz = z & 1 ? (z + 1) >> 1 : (z >> 1) + 1;
      const py = y & 1 ? (y + 1) >> 1 : (y >> 1) + 1;
      const x0 = zy === 2 ? 0 : 1;
      for (let x = x0, c = z * sz + y * sy + x0, pB = pz * psz + py * psy + 1; x < gx; x += 2, c += 2, pB++) {
        const sq = 3 * pB + 2 - nrm;
        owner[sq] = 0;
        if (flags[c] & POS_FACE) {
          word[pB] |= 1 << nrm;
          continue;
        }
        // s enters with the earlier voxel V of A and B. An edge of s on side g (±a1, ±a2) enters with the
        // earliest of V, V + g and the later voxel's neighbour across g: new with V if both of those are
        // later (rank above V's: word > V's word | 7), else before it. The youngest edge is the new one of
        // largest cell index (sides in index order: −a2, −a1, +a1, +a2). If none is new, an older coface
        // of the youngest edge (between its entry voxel and a neighbour) entered before s: not apparent.
        const pA = pB - tn;
        const wA = word[pA];
        const wB = word[pB];
        const aFirst = wA < wB;
        const T = (aFirst ? wA : wB) | 7;
        // NOTE: branch-free: (T − x) & (T − y) is negative iff both words exceed T.
        let mask = ((T - word[pA - t2]) & (T - word[pB - t2])) >>> 31;
        mask |= (((T - word[pA - t1]) & (T - word[pB - t1])) >>> 31) << 1;
        mask |= (((T - word[pA + t1]) & (T - word[pB + t1])) >>> 31) << 2;
        mask |= (((T - word[pA + t2]) & (T - word[pB + t2])) >>> 31) << 3;
        if (mask === 0) continue;
        const side = 31 - Math.clz32(mask);
        const e = c + sideCell[side];
        if (flags[e] & NEG_EDGE) continue;
        // e's only other coface entering with V is the square between V and V + g (the rest enter later):
        // s is e's oldest coface iff its number is the smaller.
        const off = sideVox[side];
        const pV = aFirst ? pA : pB;
        if (3 * (off > 0 ? pV + off : pV) + 2 - sideAxis[side] < sq) continue;
        owner[sq] = VE + 4 * (off > 0 ? pA : pA + off) + a1 + a2 - sideAxis[side] + 1;
        flags[c] |= APPARENT;
        flags[e] |= APPARENT;
        if (sink.keepZero) {
          const v = order[T >> 3]; // a zero-persistence pair: e and s both enter with V
          sink.add(v, v);
        }
      }
    }
  }
}
