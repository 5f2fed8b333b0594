// Run checkpoints: a checkpoint of another network is refused by name, before anything is applied.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Shapr } from '../../src/model/shapr.ts';
import { Adam } from '../../src/optim/adam.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.ts';
import { initialPlateau } from '../../src/train/schedule.ts';
import { UserError } from '../../src/util/errors.ts';
import { gpu } from '../helpers.ts';

test('a checkpoint of a network with other filters names both sizes (it named a missing optimiser tensor)', async () => {
  const g = await gpu();
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-ckpt-'));
  const small = new Shapr(g, { side: 8, filters: 2 }, 1);
  const big = new Shapr(g, { side: 8, filters: 4 }, 1);
  try {
    const path = join(dir, 'last.ckpt.safetensors');
    await saveCheckpoint(path, small, new Adam(small.params, { lr: 1e-3 }), { epoch: 0, state: initialPlateau(1e-3), logs: [] });
    const before = await big.params[0].read();
    try {
      await loadCheckpoint(path, big, new Adam(big.params, { lr: 1e-3 }));
      assert.unreachable('no error');
    } catch (e) {
      assert.instance(e, UserError);
      assert.match((e as Error).message, /last\.ckpt\.safetensors: checkpoint of a network with side 8 and filters 2; this run's has side 8 and filters 4/);
    }
    assert.equal([...(await big.params[0].read())], [...before], 'nothing applied');
    // the same network loads
    const ck = await loadCheckpoint(path, small, new Adam(small.params, { lr: 1e-3 }));
    assert.is(ck.epoch, 0);
  } finally {
    small.dispose();
    big.dispose();
    rmSync(dir, { recursive: true });
  }
});

test.run();
