// Dimension 0 and dimension 2 of the T-construction, cell-exact (the same pairs and the same NEG_EDGE /
// POS_FACE flags as pairs.ts on the full filtration), but driven by the voxels: when voxel v of rank r
// enters, the cells it brings are the faces of its cube that no earlier voxel touches, and in the total
// order of filtration.ts they come right after v's earlier cells, in (dimension, index) order. So
//   dimension 0: v's new corners (vertices) are born, then its new cube edges, in index order, join them to
//     each other and to the corners it shares with earlier voxels (elder rule on (rank, corner) keys);
//   dimension 2: on the complement, in reverse rank order, v's cube is born, then its new squares, in
//     decreasing index order (+z, +y, +x, −x, −y, −z), join it to the cube across (or the outside).
// The union-finds run over steepest-ascent basins (basins.ts). One raster pass reads each voxel's 26
// neighbours once and settles every voxel whose earlier neighbours (dimension 0: around each shared corner;
// dimension 2: across each new square) lie in a single basin: all those cells are then in one component,
// so which edges merge (and which square first reaches the complement) is decided inside the cube, and the
// only pairs are zero-persistence ones. The other voxels (candidates) keep a record and are finished by a
// rank-order sweep that merges their basins' components: the same merges as a plain cell-by-cell sweep.
// Volumes up to DIRECT_MAX voxels (80³) skip the basins: directSweeps handles every voxel like a candidate,
// with a union-find over voxels, which is faster while its arrays stay in the caches.
import type { CellGrid } from './cubical_grid.ts';
import { neighbourOffsets, resolveBasins, type Basins, type PaddedRanks } from './basins.ts';
import { find, NEG_EDGE, POS_FACE, type PairSink } from './pairs.ts';
import { scratchInt32 } from './scratch.ts';
import { FACE_U, newEdgesThatMerge, starTables, type StarTables } from './star_tables.ts';

const CANDIDATE = 1 << 30; // record flag (the own mask uses bits 0–19)
const OWN_MASK = 0xfffff;
// NOTE: volumes up to this many voxels (80³) take directSweeps. Sweeps' time, direct / basins, measured in the
// seventh session: 64³ smooth 0.84, uniform noise 0.68, the default network's predictions after 10 and 40
// steps 0.62–0.65 (whole calls 0.80–0.89); 80³ whole calls smooth 1.02, uniform 0.83; 96³ smooth 1.20,
// uniform 0.83; 128³ smooth 1.45, uniform 1.01. Up to 2^17 voxels the direct path was already the faster.
const DIRECT_MAX = 1 << 19;

// Per-call arrays reused across calls (scratch.ts): every one is fully written before it is read, except
// the candidate records, which are zeroed.
const earlyScratch = scratchInt32();
const up0Scratch = scratchInt32();
const up2Scratch = scratchInt32();
const id0Scratch = scratchInt32();
const id2Scratch = scratchInt32();
const recScratch = scratchInt32();
const nodeScratch = scratchInt32(); // directSweeps' interleaved parents and ranks

/**
 * Dimension-0 and dimension-2 pairs of the T-construction into sink0 / sink2, setting NEG_EDGE on the edges
 * that merge components and POS_FACE on the squares that create voids. `pr` = paddedRanks(shape, order).
 */
export function starSweeps(g: CellGrid, order: Int32Array, pr: PaddedRanks, flags: Uint8Array, sink0: PairSink, sink2: PairSink,
  direct = order.length <= DIRECT_MAX, wide = false): void {
  if (direct) return directSweeps(g, order, pr, flags, sink0, sink2);
  const [d, h, w] = g.shape;
  const n = order.length;
  const { prank, psy, psz } = pr;
  const t = starTables(g);
  const noff = new Int32Array(27);
  for (let u = 0; u < 27; u++) noff[u] = (((u / 9) | 0) - 1) * psz + ((((u / 3) | 0) % 3) - 1) * psy + (u % 3) - 1;
  // First raster pass: which neighbours entered before each voxel (early, by voxel index) and its
  // steepest-ascent pointers, for dimension 0 (the earliest neighbour) and for dimension 2 (the latest face
  // neighbour, as steepest(…, descending) picks it: faces in index order, the first of equal ranks, i.e. of
  // padding), from one read of the 26 neighbours.
  const earlyOf = earlyScratch.take(n, false);
  const rowOff = Int32Array.from({ length: 9 }, (_, t) => noff[3 * t + 1]); // the row's middle voxel
  const up0 = up0Scratch.take(prank.length, false); // NOTE: only interior entries are written and read
  const up2 = up2Scratch.take(prank.length, false);
  const faceOff = neighbourOffsets(6, psy, psz);
  for (let k = 0, v = 0; k < d; k++) {
    for (let j = 0; j < h; j++) {
      for (let p = (k + 1) * psz + (j + 1) * psy + 1, end = p + w; p < end; p++, v++) {
        const r = prank[p];
        let early = 0;
        let best = r;
        let bu = 13;
        // NOTE: branch-free (ranks are < 2^31, so the sign of the difference says which came first);
        // the running minimum too (in noise its updates are unpredictable branches). The 9 neighbour rows
        // (dz, dy) are looped over, their 3 voxels unrolled (the voxel itself, u = 13, changes nothing).
        for (let t = 0, u = 0; t < 9; t++, u += 3) {
          const q = p + rowOff[t];
          const x0 = prank[q - 1];
          const x1 = prank[q];
          const x2 = prank[q + 1];
          early |= (((x0 - r) >>> 31) | (((x1 - r) >>> 31) << 1) | (((x2 - r) >>> 31) << 2)) << u;
          let lt = (x0 - best) >> 31;
          best ^= (best ^ x0) & lt;
          bu ^= (bu ^ u) & lt;
          lt = (x1 - best) >> 31;
          best ^= (best ^ x1) & lt;
          bu ^= (bu ^ (u + 1)) & lt;
          lt = (x2 - best) >> 31;
          best ^= (best ^ x2) & lt;
          bu ^= (bu ^ (u + 2)) & lt;
        }
        earlyOf[v] = early;
        up0[p] = p + noff[bu];
        // NOTE: the face neighbours again (L1 hits) rather than six tests in the loop above.
        let top = r;
        let bq = p;
        for (let f = 0; f < 6; f++) {
          const q = p + faceOff[f];
          const x = prank[q];
          const gt = (top - x) >> 31;
          top ^= (top ^ x) & gt;
          bq ^= (bq ^ q) & gt;
        }
        up2[p] = bq;
      }
    }
  }
  const b0 = resolveBasins(g.shape, pr, up0, false, id0Scratch.take(prank.length, false));
  const b2 = resolveBasins(g.shape, pr, up2, true, id2Scratch.take(prank.length, false));
  const square = [g.sz, g.sy, 1, -1, -g.sy, -g.sz];
  const id0 = b0.id;
  const id2 = b2.id;
  // Candidates' records, 16 words (one 64-byte cache line) each: dimension 0 at +0: [CANDIDATE | own, 1 +
  // basin of each corner (0: new)] (0 if only a dimension-2 candidate); dimension 2 at +9: [1 + basin across
  // each face (0: not a new square)]; +15: the rank. The sweeps need them in rank order.
  // Packed (when both sweeps have < 2^16 − 1 basins, as smooth volumes do; `wide` forces the above): 8
  // words: [the rank's low bits | own edges << 20, four words of two 16-bit corner basins + 1, three of two
  // face basins + 1]; own corners are the zero corner words, a dimension-0 candidate has a nonzero one.
  // NOTE: half the bytes: the record writes into a fresh array are mostly page faults (smooth 128³: ~45%
  // of this pass), and the candidate sweeps read half as many cache lines.
  // NOTE: a record goes to the bucket of its rank (2^bits ranks, capacity 16·2^bits words at 16·(rank with
  // its low bits cleared)), appended there: the writes stream into ~256 open cache lines, where writing at
  // 16·rank (random over 64n bytes) cost 40% of this pass (smooth 128³); the sweeps order each bucket by
  // rank. ~256 buckets (not more): each open bucket is a page for the TLB. Bucket tails past their fill
  // are never written (nor zeroed, nor faulted in).
  const bits = Math.max(10, Math.ceil(Math.log2(n)) - 8);
  // NOTE: a fresh array, not scratch: kept across calls it would stay alive through dimension 1 and raise
  // the peak by its touched pages (64³ uniform noise: 234 → 290 bytes per voxel); unused bucket tails cost nothing.
  const packed = !wide && b0.age.length < 0xffff && b2.age.length < 0xffff && bits <= 20;
  const S = packed ? 8 : 16;
  const mask = (1 << bits) - 1;
  const rec = new Int32Array(S * n);
  const fb = new Int32Array(6);
  const fill = new Int32Array(((n - 1) >> bits) + 1);
  const reps = new Int32Array(8);
  const lp = new Int32Array(8);
  const keepZero = sink0.keepZero || sink2.keepZero; // zero-persistence pairs (v, v) are only kept then
  for (let k = 0; k < d; k++) {
    for (let j = 0; j < h; j++) {
      for (let i = 0, p = (k + 1) * psz + (j + 1) * psy + 1; i < w; i++, p++) {
        const r = prank[p];
        const v = (k * h + j) * w + i;
        const early = earlyOf[v]; // neighbours that entered before the voxel
        const cube = (2 * k + 1) * g.sz + (2 * j + 1) * g.sy + 2 * i + 1;
        // Dimension 0: the basin of one earlier voxel at each shared corner. The earlier voxels at one corner
        // share its vertex, so they are one component and any of them may stand for it: the voxel's own
        // basin (that of its earliest neighbour) wherever one of them lies in it. So a voxel is a candidate
        // only if some shared corner sees no earlier voxel of its basin (smooth 64³: 35% of the voxels, where
        // one fixed neighbour per corner leaves 47%).
        const own = ~(t.touched[early & 511] | t.touched[512 + ((early >>> 9) & 511)] | t.touched[1024 + (early >>> 18)]) & 0xfffff;
        const home = id0[p];
        // NOTE: branch-free: bit u of hm = neighbour u is in the home basin (padding ids are masked by early).
        let hm = 0;
        for (let tr = 0, u = 0; tr < 9; tr++, u += 3) {
          const q = p + rowOff[tr];
          const z0 = id0[q - 1] ^ home;
          const z1 = id0[q] ^ home;
          const z2 = id0[q + 1] ^ home;
          hm |= (((z0 | -z0) >>> 31) | (((z1 | -z1) >>> 31) << 1) | (((z2 | -z2) >>> 31) << 2)) << u;
        }
        hm = early & ~hm;
        const homeCorners = t.touched[hm & 511] | t.touched[512 + ((hm >>> 9) & 511)] | t.touched[1024 + (hm >>> 18)];
        const many0 = ((~own ^ homeCorners) & 0xff) !== 0;
        if (many0) {
          for (let a = 0; a < 8; a++) {
            if (own & (1 << a)) reps[a] = -1;
            else if (hm & t.cornerMask[a]) reps[a] = home;
            else reps[a] = id0[p + noff[31 - Math.clz32(early & t.cornerMask[a])]];
          }
        }
        if (!many0) markMergingEdges(t, own, lp, flags, cube, keepZero ? sink0 : null, v);
        // Dimension 2: the basins across the new squares (the voxel across enters later, or is outside).
        let first = -1;
        let many = false;
        let firstFace = -1;
        for (let f = 0; f < 6; f++) {
          if (early & (1 << FACE_U[f])) continue;
          const b = id2[p + noff[FACE_U[f]]];
          if (first < 0) {
            first = b;
            firstFace = f;
          } else if (b !== first) many = true;
        }
        if (!many) {
          // The first new square joins the cube to the one component across; the others close nothing.
          if (firstFace >= 0) {
            flags[cube + square[firstFace]] |= POS_FACE;
            if (keepZero) sink2.add(v, v);
          }
        }
        if (!many0 && !many) continue;
        const bucket = r >> bits;
        const o = S * ((bucket << bits) + fill[bucket]++);
        for (let f = 0; f < 6; f++) fb[f] = many && !(early & (1 << FACE_U[f])) ? id2[p + noff[FACE_U[f]]] + 1 : 0;
        if (packed) {
          rec[o] = (r & mask) | ((own >>> 8) << 20);
          for (let a = 0; a < 8; a += 2) rec[o + 1 + (a >> 1)] = many0 ? (reps[a] + 1) | ((reps[a + 1] + 1) << 16) : 0;
          for (let f = 0; f < 6; f += 2) rec[o + 5 + (f >> 1)] = fb[f] | (fb[f + 1] << 16);
          continue;
        }
        if (many0) {
          rec[o] = CANDIDATE | own;
          for (let a = 0; a < 8; a++) rec[o + 1 + a] = reps[a] + 1;
        } else rec[o] = 0;
        for (let f = 0; f < 6; f++) rec[o + 9 + f] = fb[f];
        rec[o + 15] = r;
      }
    }
  }
  dim0Candidates(g, order, t, b0, rec, packed, fill, bits, flags, sink0);
  dim2Candidates(g, order, b2, rec, packed, fill, bits, square, flags, sink2);
}

/** slot[s] = 1 + the offset of the record of rank (bucket << bits) + s in bucket `bucket` (others stay 0). */
function bucketSlots(rec: Int32Array, packed: boolean, fill: Int32Array, bucket: number, bits: number, slot: Int32Array): void {
  const mask = (1 << bits) - 1;
  const S = packed ? 8 : 16;
  const at = packed ? 0 : 15; // the word holding the rank
  for (let i = 0, o = S * (bucket << bits) + at; i < fill[bucket]; i++, o += S) slot[rec[o] & mask] = o - at + 1;
}

/** The cube cell of voxel v. */
function cubeOf(g: CellGrid, v: number): number {
  const [, h, w] = g.shape;
  const k = (v / (h * w)) | 0;
  const jw = v - k * h * w;
  const j = (jw / w) | 0;
  return (2 * k + 1) * g.sz + (2 * j + 1) * g.sy + 2 * (jw - j * w) + 1;
}

/** Dimension 0 for the candidates, by rank: the cube's corners grouped by component, then its new edges. */
function dim0Candidates(g: CellGrid, order: Int32Array, t: StarTables, bs: Basins, rec: Int32Array, packed: boolean, fill: Int32Array, bits: number,
  flags: Uint8Array,
  sink: PairSink): void {
  const { parent, age } = bs;
  const lp = new Int32Array(8); // local forest over the corners
  const comp = new Int32Array(8); // a local root's component (basin forest root), −1 for new corners only
  const cc = new Int32Array(8);
  const rb = new Int32Array(8); // 1 + the basin of each corner (0: new)
  const slot = new Int32Array(1 << bits);
  for (let bk = 0; bk < fill.length; bk++) {
    bucketSlots(rec, packed, fill, bk, bits, slot);
    for (let s = 0; s < slot.length; s++) {
      const o = slot[s] - 1;
      if (o < 0) continue;
      slot[s] = 0;
      let own: number;
      if (packed) {
        if ((rec[o + 1] | rec[o + 2] | rec[o + 3] | rec[o + 4]) === 0) continue;
        own = (rec[o] >>> 20) << 8;
        for (let a = 0; a < 8; a++) {
          const b = (rec[o + 1 + (a >> 1)] >>> ((a & 1) << 4)) & 0xffff;
          rb[a] = b;
          if (b === 0) own |= 1 << a;
        }
      } else {
        if (!(rec[o] & CANDIDATE)) continue;
        own = rec[o] & OWN_MASK;
        for (let a = 0; a < 8; a++) rb[a] = rec[o + 1 + a];
      }
      const r = (bk << bits) + s;
      const v = order[r];
      const cube = cubeOf(g, v);
      if (cornerComponents(own, rb, parent, cc) !== MANY) {
        // NOTE: the corners' basins were different but are one component by now: as in the raster pass, the
        // new edges that merge depend on own alone.
        markMergingEdges(t, own, lp, flags, cube, sink, v);
        continue;
      }
      cornerForest(cc, lp, comp);
      mergeNewEdges(t, own, lp, comp, parent, age, order, flags, cube, sink, v);
    }
  }
}

const MANY = -2; // cornerComponents: the shared corners are in more than one component

/**
 * The component of each shared corner of a cube (cc[a]: the root of 1 + its representative rb[a] − 1 in
 * `parent`; −1 for a new corner, bit a of own). Returns the one component they share, −1 when there is no
 * shared corner, or MANY. NOTE: consecutive corners often share a representative: one find for a run.
 * Shared by both dimension-0 sweeps.
 */
function cornerComponents(own: number, rb: Int32Array, parent: Int32Array, cc: Int32Array): number {
  let lastB = -1;
  let lastC = -1;
  let first = -1;
  let many = false;
  for (let a = 0; a < 8; a++) {
    cc[a] = -1;
    if (own & (1 << a)) continue;
    const b = rb[a] - 1;
    if (b !== lastB) {
      lastB = b;
      lastC = find(parent, b);
    }
    cc[a] = lastC;
    if (first < 0) first = lastC;
    else if (lastC !== first) many = true;
  }
  return many ? MANY : first;
}

/**
 * The local forest over a cube's corners before its new edges: corners of one component (cc[a], −1 for a
 * new corner) hang under the first of them, whose comp entry names the component; new corners stay alone
 * (comp −1). Shared by both dimension-0 sweeps, for the voxels that merge components.
 */
function cornerForest(cc: Int32Array, lp: Int32Array, comp: Int32Array): void {
  for (let a = 0; a < 8; a++) {
    lp[a] = a;
    comp[a] = -1;
    const c = cc[a];
    if (c < 0) continue;
    let q = 0;
    while (q < a && !(lp[q] === q && comp[q] === c)) q++;
    if (q < a) lp[a] = q;
    else comp[a] = c;
  }
}

/**
 * Voxel v whose shared corners are one component (or none): the new edges that merge depend on its own-cell
 * mask alone (memoised in t.negMemo). Marks them negative and, when `sink` is given, records their
 * zero-persistence pairs (v, v). Shared by the raster pass and both dimension-0 sweeps.
 */
function markMergingEdges(t: StarTables, own: number, lp: Int32Array, flags: Uint8Array, cube: number, sink: PairSink | null, v: number): void {
  let neg = own & 0xff ? t.negMemo[own] - 1 : 0; // NOTE: the memo read first (hot), filled on a miss
  if (neg < 0) neg = newEdgesThatMerge(t, own, lp);
  for (let e = 0; neg >> e; e++) {
    if (!(neg & (1 << e))) continue;
    flags[cube + t.edgeDc[e]] |= NEG_EDGE;
    sink?.add(v, v);
  }
}

/**
 * The new edges of voxel v (own bits 8–19) joining the components at its cube's corners: lp is the local
 * forest over the corners, comp[a] the component of local root a (−1: a corner new with v), ageOf[c] the rank
 * of component c's oldest voxel. An edge that merges two components is negative (NEG_EDGE) and kills the
 * younger: the elder rule, where components that were there before are older than new corners (the older
 * the smaller rank), and among new corners the lower index is older. Shared by both dimension-0 sweeps.
 */
function mergeNewEdges(t: StarTables, own: number, lp: Int32Array, comp: Int32Array, parent: Int32Array, ageOf: Int32Array,
  order: Int32Array, flags: Uint8Array, cube: number, sink: PairSink, v: number): void {
  for (let e = 0; e < 12; e++) {
    if (!(own & (1 << (8 + e)))) continue;
    let x = t.edgeLo[e];
    while (lp[x] !== x) x = lp[x];
    let y = t.edgeHi[e];
    while (lp[y] !== y) y = lp[y];
    if (x === y) continue;
    flags[cube + t.edgeDc[e]] |= NEG_EDGE;
    const cx = comp[x];
    const cy = comp[y];
    const xOld = cx >= 0 && cy >= 0 ? ageOf[cx] < ageOf[cy] : cx >= 0 || (cy < 0 && x < y);
    const young = xOld ? y : x;
    const old = xOld ? x : y;
    lp[young] = old;
    if (comp[young] >= 0) {
      parent[comp[young]] = comp[old];
      sink.add(order[ageOf[comp[young]]], v);
    } else sink.add(v, v);
  }
}

/** Dimension 2 for the candidates, by reverse rank: the cube joins the components across its new squares. */
function dim2Candidates(g: CellGrid, order: Int32Array, bs: Basins, rec: Int32Array, packed: boolean, fill: Int32Array, bits: number, square: number[],
  flags: Uint8Array, sink: PairSink): void {
  const { parent, age } = bs;
  const slot = new Int32Array(1 << bits);
  const fb = new Int32Array(6); // 1 + the basin across each face (0: not a new square)
  for (let bk = fill.length - 1; bk >= 0; bk--) {
    bucketSlots(rec, packed, fill, bk, bits, slot);
    for (let s = slot.length - 1; s >= 0; s--) {
      const o = slot[s] - 1;
      if (o < 0) continue;
      slot[s] = 0;
      if (packed) {
        if ((rec[o + 5] | rec[o + 6] | rec[o + 7]) === 0) continue;
        for (let f = 0; f < 6; f++) fb[f] = (rec[o + 5 + (f >> 1)] >>> ((f & 1) << 4)) & 0xffff;
      } else {
        if ((rec[o + 9] | rec[o + 10] | rec[o + 11] | rec[o + 12] | rec[o + 13] | rec[o + 14]) === 0) continue;
        for (let f = 0; f < 6; f++) fb[f] = rec[o + 9 + f];
      }
      const r = (bk << bits) + s;
      const v = order[r];
      const cube = cubeOf(g, v);
      let root = -1;
      for (let f = 0; f < 6; f++) {
        const b = fb[f];
        if (b === 0) continue;
        const a = find(parent, b - 1);
        if (a === root) continue;
        flags[cube + square[f]] |= POS_FACE;
        root = joinAcross(parent, age, root, a, order, sink, v);
      }
    }
  }
}

/**
 * Dimension 2's elder rule at a new square of voxel v's cube: the cube's component `root` (−1: none yet)
 * meets component `a` across it; returns the cube's component after. age[c] = the rank of root c's oldest
 * voxel (in the reverse sweep a larger rank is older). Shared by the basin and the voxel sweeps.
 */
function joinAcross(parent: Int32Array, age: Int32Array, root: number, a: number, order: Int32Array, sink: PairSink, v: number): number {
  if (root < 0) {
    sink.add(v, v); // the new cube joins the first component across (a zero-persistence pair)
    return a;
  }
  // The younger component is a void that this square closes; it dies at its oldest voxel's value.
  const aOlder = age[a] > age[root];
  const young = aOlder ? root : a;
  parent[young] = aOlder ? a : root;
  sink.add(v, order[age[young]]);
  return aOlder ? a : root;
}

/**
 * The same pairs and flags as the basin sweeps, by one plain voxel-level union-find per dimension in rank
 * order (reverse rank order for dimension 2), every voxel handled like a candidate: up to DIRECT_MAX voxels,
 * whose arrays stay in the caches, the raster passes and records of the basin path cost more than they save.
 */
function directSweeps(g: CellGrid, order: Int32Array, pr: PaddedRanks, flags: Uint8Array, sink0: PairSink, sink2: PairSink): void {
  const [d, h, w] = g.shape;
  const n = order.length;
  const { prank, psy, psz } = pr;
  const t = starTables(g);
  const noff = new Int32Array(27);
  for (let u = 0; u < 27; u++) noff[u] = (((u / 9) | 0) - 1) * psz + ((((u / 3) | 0) % 3) - 1) * psy + (u % 3) - 1;
  const rowOff = Int32Array.from({ length: 9 }, (_, tr) => noff[3 * tr + 1]); // the row's middle voxel
  // The padded index and the cube cell of each rank (a raster pass).
  const pOf = earlyScratch.take(n, false);
  const cubeOf = recScratch.take(n, false);
  for (let k = 0; k < d; k++) {
    for (let j = 0; j < h; j++) {
      for (let i = 0, p = (k + 1) * psz + (j + 1) * psy + 1; i < w; i++, p++) {
        const r = prank[p];
        pOf[r] = p;
        cubeOf[r] = (2 * k + 1) * g.sz + (2 * j + 1) * g.sy + 2 * i + 1;
      }
    }
  }
  // Node 2p is voxel p: nodes[2p] its parent node, nodes[2p + 1] its rank (age = nodes shifted by one).
  // NOTE: interleaved so that the parent of a neighbour whose rank was just read is in the same cache
  // line (with separate rank and parent arrays the sweeps took 1.1× as long at 64³ on uniform noise, 1.05×
  // smooth).
  const nodes = nodeScratch.take(2 * prank.length, false);
  for (let p = 0; p < prank.length; p++) nodes[2 * p + 1] = prank[p];
  const age = nodes.subarray(1);
  // Dimension 0: nodes[2p] links each entered voxel towards its component's oldest voxel (the root).
  // NOTE: only entered voxels' parents are read.
  const lp = new Int32Array(8);
  const comp = new Int32Array(8); // a local root's component (its root node), −1 for new corners
  const cc = new Int32Array(8); // the component of each shared corner, −1 for a new corner
  const rb = new Int32Array(8); // 1 + the node standing for each corner (0: new)
  const root = (x: number) => {
    while (lp[x] !== x) x = lp[x];
    return x;
  };
  for (let r = 0; r < n; r++) {
    const p = pOf[r];
    const v = order[r];
    let early = 0;
    for (let tr = 0, u = 0; tr < 9; tr++, u += 3) {
      const q = 2 * (p + rowOff[tr]) + 1;
      early |= (((nodes[q - 2] - r) >>> 31) | (((nodes[q] - r) >>> 31) << 1) | (((nodes[q + 2] - r) >>> 31) << 2)) << u;
    }
    const own = ~(t.touched[early & 511] | t.touched[512 + ((early >>> 9) & 511)] | t.touched[1024 + (early >>> 18)]) & 0xfffff;
    // One earlier neighbour at each shared corner stands for it (they all share the corner's vertex).
    // NOTE: first, without finds or branches: if every one of them has the same parent and that parent is a
    // root, they are one component (smooth volumes: nearly every voxel); else the finds below. (One parent
    // alone would prove it too, but the root test keeps the trees flat: without it 1.02–1.05× at 32³–64³.)
    let first = -1;
    if (early !== 0) {
      const u0 = 31 - Math.clz32(early); // any earlier neighbour: stands in for the new corners
      const x0 = nodes[2 * (p + noff[u0])];
      let diff = 0;
      for (let a = 0; a < 8; a++) {
        const m = early & t.cornerMask[a];
        const u = 31 - Math.clz32(m);
        diff |= nodes[2 * (p + noff[u + ((u0 - u) & ((m - 1) >> 31))])] ^ x0;
      }
      if (diff === 0 && nodes[x0] === x0) first = x0;
      else {
        for (let a = 0; a < 8; a++) rb[a] = own & (1 << a) ? 0 : 1 + 2 * (p + noff[31 - Math.clz32(early & t.cornerMask[a])]);
        first = cornerComponents(own, rb, nodes, cc);
      }
    }
    const cube = cubeOf[r];
    if (first !== MANY) {
      // One component (or none) at the shared corners: which new edges merge depends on own alone.
      markMergingEdges(t, own, lp, flags, cube, sink0, v);
      nodes[2 * p] = first >= 0 ? first : 2 * p;
      continue;
    }
    // NOTE: the local forest only for the voxels that merge (in smooth volumes most do not).
    cornerForest(cc, lp, comp);
    mergeNewEdges(t, own, lp, comp, nodes, age, order, flags, cube, sink0, v);
    // The cube's corners are now one component: the voxel joins it (or starts one: a local maximum).
    const top = comp[root(0)];
    nodes[2 * p] = top >= 0 ? top : 2 * p;
  }
  // Dimension 2 on the complement, reverse rank order; every padding cell is the outside (root OUT, age n).
  const OUT = 0; // the node of a padding cell
  for (let p = 0; p < prank.length; p++) nodes[2 * p] = OUT;
  const square = [g.sz, g.sy, 1, -1, -g.sy, -g.sz];
  const fo = Int32Array.from(FACE_U, (u) => 2 * noff[u]); // node offsets of the face neighbours
  for (let r = n - 1; r >= 0; r--) {
    const p = pOf[r];
    const v = order[r];
    const cube = cubeOf[r];
    // NOTE: first, without finds or branches: if the voxels across the new squares (later ones, or padding)
    // have one parent and it is a root, the first new square joins the cube to it and the others close
    // nothing (smooth volumes: nearly every voxel); else square by square below.
    const p2 = 2 * p;
    let late = 0;
    let x0 = -1;
    for (let f = 5; f >= 0; f--) {
      const q = p2 + fo[f];
      const lt = (r - nodes[q + 1]) >> 31; // −1: the square is new (the voxel across enters later)
      late |= lt & (1 << f);
      x0 ^= (x0 ^ nodes[q]) & lt; // ends as the parent across the first new square
    }
    if (late !== 0) {
      let diff = 0;
      for (let f = 0; f < 6; f++) diff |= (nodes[p2 + fo[f]] ^ x0) & -((late >> f) & 1);
      if (diff === 0 && nodes[x0] === x0) {
        flags[cube + square[31 - Math.clz32(late & -late)]] |= POS_FACE;
        if (sink2.keepZero) sink2.add(v, v);
        nodes[p2] = x0;
        continue;
      }
    }
    let rt = -1;
    for (let f = 0; f < 6; f++) {
      const q = p2 + fo[f];
      if (nodes[q + 1] < r) continue; // the square entered with the voxel across
      const a = find(nodes, q);
      if (a === rt) continue;
      flags[cube + square[f]] |= POS_FACE;
      rt = joinAcross(nodes, age, rt, a, order, sink2, v);
    }
    nodes[2 * p] = rt >= 0 ? rt : 2 * p;
  }
}
