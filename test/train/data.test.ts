// What a run trains on: the volumes' shape against the network's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { generateDataset } from '../../src/data/synthetic.ts';
import { encodeTiff } from '../../src/data/tiff_writer.ts';
import { checkTrainShape } from '../../src/train/data.ts';
import { UserError } from '../../src/util/errors.ts';

const BIN = fileURLToPath(new URL('../../harness/bin/topo-shapr.js', import.meta.url));

test('checkTrainShape: cubic volumes of a supported side, and the run\'s side when one is given', () => {
  checkTrainShape('d', [16, 16, 16]);
  checkTrainShape('d', [64, 64, 64], 64);
  const refused = (shape: number[], side: number | undefined, message: RegExp) =>
    assert.throws(() => checkTrainShape('d', shape, side), (e: Error) => e instanceof UserError && message.test(e.message));
  refused([32, 64, 64], 64, /^d: volumes are 32×64×64; the network takes cubic volumes of side 4, 8, 16, 32, 64/);
  refused([48, 48, 48], undefined, /volumes are 48×48×48; the network takes cubic volumes/);
  refused([16, 16, 16], 32, /configured for side 32 \(use --side 16\)/);
});

// inspect said OK to volumes that train then refused (with a hint to use the side already in use).
test('inspect refuses volumes the network cannot take, and says OK to those it can', () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-shape-'));
  try {
    const samples = generateDataset({ n: 3, size: 8, seed: 4 });
    writeDataset(join(dir, 'ok'), samples);
    const ok = spawnSync(process.execPath, [BIN, 'inspect', join(dir, 'ok')], { encoding: 'utf8' });
    assert.is(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /3 samples, obj 8×8×8, mask and image 8×8 — OK/);
    writeDataset(join(dir, 'cropped'), samples);
    for (const s of samples) writeFileSync(join(dir, 'cropped', 'obj', `${s.name}.tif`), encodeTiff(s.target.subarray(0, 4 * 64), [4, 8, 8], 'float32'));
    const bad = spawnSync(process.execPath, [BIN, 'inspect', join(dir, 'cropped')], { encoding: 'utf8' });
    assert.is(bad.status, 1);
    assert.match(bad.stderr, /cropped: volumes are 4×8×8; the network takes cubic volumes of side/);
    assert.not.match(bad.stdout, /OK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
