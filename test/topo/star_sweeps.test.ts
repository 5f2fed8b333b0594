// The two ways star_sweeps.ts computes dimensions 0 and 2 of the T-construction (the basin sweeps, taken
// above DIRECT_MAX voxels, and the plain voxel sweeps below it) must give the same pairs, generators and
// cell flags: every volume here runs through both (the basin sweeps with both layouts of candidate records).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cellGrid } from '../../src/topo/cubical_grid.ts';
import { sortVoxelsDescending } from '../../src/topo/filtration.ts';
import { paddedRanks } from '../../src/topo/basins.ts';
import { PairSink } from '../../src/topo/pairs.ts';
import { starSweeps } from '../../src/topo/star_sweeps.ts';
import { Rng } from '../../src/util/rng.ts';

function sweep(vol: Float32Array, shape: [number, number, number], direct: boolean, wide = false) {
  const g = cellGrid(shape, 'T');
  const order = sortVoxelsDescending(vol);
  const flags = new Uint8Array(g.size);
  // keepZero: every pair, zero-persistence ones included, so that the comparison sees each merge
  const s0 = new PairSink(vol, true);
  const s2 = new PairSink(vol, true);
  starSweeps(g, order, paddedRanks(shape, order), flags, s0, s2, direct, wide);
  const pairs = (s: PairSink) => s.birth.map((b, i) => `${b},${s.death[i]}`).sort();
  return { flags, p0: pairs(s0), p2: pairs(s2) };
}

function volumes(): Array<{ name: string; shape: [number, number, number]; vol: Float32Array }> {
  const rng = new Rng(7);
  const out: Array<{ name: string; shape: [number, number, number]; vol: Float32Array }> = [];
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [1, 1, 6], [1, 5, 4], [3, 4, 5], [8, 5, 3], [7, 7, 7], [12, 10, 9], [20, 20, 20]];
  for (const shape of shapes) {
    const n = shape[0] * shape[1] * shape[2];
    out.push({ name: `uniform [${shape}]`, shape, vol: Float32Array.from({ length: n }, () => rng.next()) });
    // Quantised: many ties, broken by the voxel index.
    out.push({ name: `quantised [${shape}]`, shape, vol: Float32Array.from({ length: n }, () => rng.int(4) / 4) });
    // Smooth-ish: a sum of two waves (large basins, long merges).
    const [, h, w] = shape;
    out.push({
      name: `waves [${shape}]`,
      shape,
      vol: Float32Array.from({ length: n }, (_, v) => Math.sin(0.7 * (v % w)) + Math.cos(0.5 * Math.floor(v / w) % h) + 0.3 * Math.sin(0.4 * Math.floor(v / (w * h)))),
    });
  }
  out.push({ name: 'constant [4,4,4]', shape: [4, 4, 4], vol: new Float32Array(64).fill(0.5) });
  return out;
}

/**
 * The basin sweeps give the voxel sweeps' pairs and flags `a`, with packed (16-bit basin) candidate records,
 * as these volumes' few basins allow, and with the wide records that volumes with 2^16 basins or more take.
 */
function assertBasinSweepsAgree(name: string, vol: Float32Array, shape: [number, number, number], a: ReturnType<typeof sweep>): void {
  for (const wide of [false, true]) {
    const b = sweep(vol, shape, false, wide);
    const what = `${name}${wide ? ' (wide records)' : ''}`;
    assert.equal(a.p0, b.p0, `${what}: dimension-0 pairs`);
    assert.equal(a.p2, b.p2, `${what}: dimension-2 pairs`);
    let diff = -1;
    for (let c = 0; c < a.flags.length && diff < 0; c++) if (a.flags[c] !== b.flags[c]) diff = c;
    assert.is(diff, -1, `${what}: cell flags differ at cell ${diff}`);
  }
}

test('star sweeps: the voxel sweeps and the basin sweeps give the same pairs and flags (keepZero, ties, thin shapes)', () => {
  for (const { name, shape, vol } of volumes()) {
    const a = sweep(vol, shape, true);
    assertBasinSweepsAgree(name, vol, shape, a);
    // Both paths see every merge: the pairs are not empty where the complex has cells to pair.
    if (vol.length > 1) assert.ok(a.p0.length > 0 && a.p2.length > 0, `${name}: no pairs`);
  }
});

test('star sweeps: the same on volumes above 2^18 voxels (more than 256 rank buckets of candidate records, wider buckets)', () => {
  const rng = new Rng(11);
  const shape: [number, number, number] = [33, 70, 129]; // 297,990 voxels: 2^11-rank buckets
  const n = shape[0] * shape[1] * shape[2];
  const quantised = Float32Array.from({ length: n }, () => rng.int(16) / 16);
  const [, h, w] = shape;
  const waves = Float32Array.from({ length: n }, (_, v) => Math.sin(0.3 * (v % w)) * Math.cos(0.2 * (Math.floor(v / w) % h)) + 0.1 * rng.next());
  for (const [name, vol] of [['quantised', quantised], ['waves', waves]] as const) {
    const a = sweep(vol, shape, true);
    assertBasinSweepsAgree(name, vol, shape, a);
    assert.ok(a.p0.length > 1000 && a.p2.length > 1000, `${name}: too few pairs to compare`);
  }
});

test.run();
