// The T-construction's dimension 1 read off the voxel ranks (voxel_cohomology.ts, persistence()'s default)
// must give exactly what the cell-grid cohomology of reduction.ts gives: the same pairs in the same order
// (zero-persistence ones included), and the same APPARENT flags.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cellGrid, spreadToCells } from '../../src/topo/cubical_grid.ts';
import { sortVoxelsDescending } from '../../src/topo/filtration.ts';
import { paddedRanks, voxelRanks } from '../../src/topo/basins.ts';
import { PairSink } from '../../src/topo/pairs.ts';
import { dim1Pairs } from '../../src/topo/reduction.ts';
import { starSweeps } from '../../src/topo/star_sweeps.ts';
import { voxelCohomology } from '../../src/topo/voxel_cohomology.ts';
import { Rng } from '../../src/util/rng.ts';

function bothWays(vol: Float32Array, shape: [number, number, number], keepZero: boolean) {
  const grid = cellGrid(shape, 'T');
  const order = sortVoxelsDescending(vol);
  const pr = paddedRanks(shape, order);
  const swept = new Uint8Array(grid.size);
  starSweeps(grid, order, pr, swept, new PairSink(vol, false), new PairSink(vol, false));
  const cellFlags = swept.slice();
  const voxelFlags = swept.slice();
  const cellSink = new PairSink(vol, keepZero);
  const voxelSink = new PairSink(vol, keepZero);
  dim1Pairs({ grid, order, entry: spreadToCells(grid, voxelRanks(shape, pr), 'min', 2) }, cellFlags, cellSink, 'cohomology');
  voxelCohomology(grid, order, pr, voxelFlags, voxelSink);
  return { cellFlags, voxelFlags, cellSink, voxelSink };
}

test('voxel cohomology: the cell-grid cohomology\'s pairs, order and flags (noise, ties, thin and odd shapes)', () => {
  const rng = new Rng(11);
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [1, 1, 7], [1, 6, 5], [2, 1, 3], [3, 4, 5], [7, 2, 6], [9, 8, 7], [14, 13, 12]];
  let nonzero = 0;
  for (const shape of shapes) {
    const n = shape[0] * shape[1] * shape[2];
    const kinds: Array<[string, () => number]> = [['uniform', () => rng.next()], ['three levels', () => rng.int(3) / 3], ['constant', () => 0.25]];
    for (const [kind, value] of kinds) {
      const vol = Float32Array.from({ length: n }, value);
      for (const keepZero of [false, true]) {
        const r = bothWays(vol, shape, keepZero);
        const what = `[${shape}] ${kind}${keepZero ? ' keepZero' : ''}`;
        assert.equal(r.voxelSink.birth, r.cellSink.birth, `${what}: births`);
        assert.equal(r.voxelSink.death, r.cellSink.death, `${what}: deaths`);
        let diff = -1;
        for (let c = 0; c < r.cellFlags.length && diff < 0; c++) if (r.cellFlags[c] !== r.voxelFlags[c]) diff = c;
        assert.is(diff, -1, `${what}: cell flags differ at cell ${diff}`);
        if (!keepZero) nonzero += r.cellSink.birth.length;
      }
    }
  }
  assert.ok(nonzero > 100, `the volumes have dimension-1 pairs (${nonzero})`);
});

test.run();
