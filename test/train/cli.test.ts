import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { readTiff } from '../../src/data/tiff.ts';
import { Shapr } from '../../src/model/shapr.ts';
import { saveWeights } from '../../src/model/weights_node.ts';
import { gpu } from '../helpers.ts';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, ['harness/bin/topo-shapr.js', ...args]);

test('predict: a weights file and a dataset folder or one image/mask pair give TIFF volumes', async () => {
  const g = await gpu();
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-predict-'));
  writeDataset(join(dir, 'data'), generateDataset({ n: 3, size: 16, seed: 3 }));
  const model = new Shapr(g, { side: 16, filters: 2 }, 1);
  await saveWeights(join(dir, 'w.safetensors'), model);
  const { stdout } = await cli('predict', '--weights', join(dir, 'w.safetensors'), '--data', join(dir, 'data'), '--out', join(dir, 'pred'));
  assert.match(stdout, /wrote 3 volumes .* mean IoU error/);
  const names = readFileSync(join(dir, 'data', 'classes.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  for (const n of names) {
    const v = readTiff(join(dir, 'pred', `${n}.tif`));
    assert.equal(v.shape, [16, 16, 16]);
    assert.ok(v.data.every((x) => x > 0 && x < 1), 'sigmoid outputs');
  }
  await cli('predict', '--weights', join(dir, 'w.safetensors'), '--image', join(dir, 'data', 'image', `${names[0]}.tif`), '--mask', join(dir, 'data', 'mask', `${names[0]}.tif`), '--out', join(dir, 'one'));
  assert.equal([...readTiff(join(dir, 'one', `${names[0]}.tif`)).data], [...readTiff(join(dir, 'pred', `${names[0]}.tif`)).data]);
  // a corrupt weights file: one line naming the file, exit code 1, nothing written
  writeFileSync(join(dir, 'bad.safetensors'), 'not a weights file');
  try {
    await cli('predict', '--weights', join(dir, 'bad.safetensors'), '--data', join(dir, 'data'), '--out', join(dir, 'bad'));
    assert.unreachable('no error');
  } catch (e) {
    const err = e as { code: number; stderr: string };
    assert.is(err.code, 1);
    assert.match(err.stderr, /^topo-shapr: .*bad\.safetensors: /m);
    assert.not.match(err.stderr, /\n\s+at /, 'no stack trace');
    assert.not.ok(existsSync(join(dir, 'bad')));
  }
  model.dispose();
  rmSync(dir, { recursive: true });
});

test('train and compare: a run directory with a wrong config or a missing metrics file is refused by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-cmp-'));
  try {
    await cli('compare', join(dir, 'nothing'));
    assert.unreachable('no error');
  } catch (e) {
    assert.match((e as { stderr: string }).stderr, /nothing\/config\.json: missing/);
  }
  try {
    await cli('train', '--out', join(dir, 'x'), '--side', '10');
    assert.unreachable('no error');
  } catch (e) {
    assert.match((e as { stderr: string }).stderr, /config: side must be a multiple of 4/);
  }
  rmSync(dir, { recursive: true });
});

test('an adapter that does not exist is one line naming it and the adapters there are, exit code 1', async () => {
  try {
    await run(process.execPath, ['harness/bin/topo-shapr.js', 'predict', '--weights', 'w', '--data', 'd', '--out', 'o'], { env: { ...process.env, TOPO_SHAPR_ADAPTER: 'no-such-gpu' } });
    assert.unreachable('no error');
  } catch (e) {
    const err = e as { code: number; stderr: string };
    assert.is(err.code, 1);
    assert.match(err.stderr, /^topo-shapr: no such WebGPU adapter: .*no-such-gpu.*Available adapters/m);
    assert.not.match(err.stderr, /\n\s+at /, 'no stack trace');
  }
});

test.run();
