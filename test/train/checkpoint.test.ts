// Run checkpoints: a checkpoint of another network is refused by name, before anything is applied.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Shapr } from '../../src/model/shapr.ts';
import { decodeWeights, encodeWeights } from '../../src/model/weights.ts';
import { loadWeights } from '../../src/model/weights_node.ts';
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
    // loaded as weights (predict, the web page): said to be a checkpoint, with the file to load instead
    await loadWeights(path, small).then(() => assert.unreachable('loaded'), (e: Error) =>
      assert.match(e.message, /last\.ckpt\.safetensors: a training checkpoint \(weights with the optimiser state, for resuming\); load the run's best\.safetensors/));
  } finally {
    small.dispose();
    big.dispose();
    rmSync(dir, { recursive: true });
  }
});

test('damaged checkpoint metadata is refused by name before anything is applied (an epoch "3" resumed at "31")', async () => {
  const g = await gpu();
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-ckpt-'));
  const net = new Shapr(g, { side: 8, filters: 2 }, 1);
  try {
    const path = join(dir, 'last.ckpt.safetensors');
    const opt = new Adam(net.params, { lr: 1e-3 });
    opt.t = 12;
    const log = { epoch: 0, train: { loss: 1, dice: 1, bce: 0, topo: 0 }, val: { loss: 1, dice: 1, bce: 0, topo: 0 }, lr: 1e-3, seconds: 1, improved: true };
    await saveCheckpoint(path, net, opt, { epoch: 0, state: initialPlateau(1e-3), logs: [log] });
    const good = decodeWeights(readFileSync(path), path);
    const rewrite = (meta: Record<string, string | undefined>) => {
      const metadata = Object.fromEntries(Object.entries({ ...good.metadata, ...meta }).filter(([, v]) => v !== undefined)) as Record<string, string>;
      // other tensor values, so that a half-applied load would show
      writeFileSync(path, new Uint8Array(encodeWeights([...good.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data.map((x) => 2 * x + 1) })), metadata)));
    };
    const ck = JSON.parse(good.metadata.checkpoint);
    // the saved one loads, and a best of ∞ (JSON null) comes back as ∞
    const fresh = new Adam(net.params, { lr: 1e-3 });
    const back = await loadCheckpoint(path, net, fresh);
    assert.is(back.state.best, Infinity);
    assert.is(fresh.t, 12);
    const before = await net.params[0].read();
    for (const [meta, message] of [
      [{ adamStep: 'abc' }, /adamStep must be a non-negative integer, got "abc"/],
      [{ adamStep: undefined }, /adamStep must be a non-negative integer, got undefined/],
      [{ checkpoint: '{}' }, /epoch must be a non-negative integer, got undefined/],
      [{ checkpoint: JSON.stringify({ ...ck, epoch: '3' }) }, /epoch must be a non-negative integer, got "3"/],
      [{ checkpoint: JSON.stringify({ ...ck, state: undefined }) }, /no schedule state/],
      [{ checkpoint: JSON.stringify({ ...ck, state: { ...ck.state, lr: -1 } }) }, /state\.lr must be a finite number > 0/],
      [{ checkpoint: JSON.stringify({ ...ck, logs: [{ epoch: 0 }] }) }, /logs must be a list of epoch records/],
    ] as const) {
      rewrite(meta);
      try {
        await loadCheckpoint(path, net, new Adam(net.params, { lr: 1e-3 }));
        assert.unreachable(`no error for ${JSON.stringify(meta)}`);
      } catch (e) {
        assert.instance(e, UserError, String(e));
        assert.match((e as Error).message, /last\.ckpt\.safetensors: /);
        assert.match((e as Error).message, message);
      }
    }
    assert.equal([...(await net.params[0].read())], [...before], 'nothing applied');
  } finally {
    net.dispose();
    rmSync(dir, { recursive: true });
  }
});

test.run();
