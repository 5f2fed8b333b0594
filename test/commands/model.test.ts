import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { formatModelSummary } from '../../harness/commands/model.ts';

test('summary at the defaults: every layer, the final shape and 417,880 parameters', () => {
  const s = formatModelSummary({ side: 64, filters: 10 });
  for (const l of ['conv1', 'pool2', 'latent', 'up3', 'conv9', 'out']) assert.match(s, new RegExp(`^${l} `, 'm'));
  assert.match(s, /\[1, 1, 64, 64, 64\]/);
  assert.match(s, /trainable parameters: 417,880$/m);
  assert.match(s, /forward: 1\.63\d GFLOP/);
});

test('CLI: model at a small size, and a bad side as a one-line error with exit code 1', () => {
  const ok = spawnSync('node', ['harness/bin/topo-shapr.js', 'model', '--side', '16', '--filters', '2'], { encoding: 'utf8' });
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /\[1, 1, 16, 16, 16\]/);
  const bad = spawnSync('node', ['harness/bin/topo-shapr.js', 'model', '--side', '48'], { encoding: 'utf8' });
  assert.is(bad.status, 1);
  assert.is(bad.stderr.trim(), 'topo-shapr: model side must be one of 4, 8, 16, 32, 64 (got 48)');
  // --side beside --weights was ignored without a word
  const both = spawnSync('node', ['harness/bin/topo-shapr.js', 'model', '--weights', 'harness/web/assets/default_model.safetensors', '--side', '64'], { encoding: 'utf8' });
  assert.is(both.status, 1);
  assert.match(both.stderr, /--weights takes side and filters from the file; drop --side/);
  const file = spawnSync('node', ['harness/bin/topo-shapr.js', 'model', '--weights', 'harness/web/assets/default_model.safetensors'], { encoding: 'utf8' });
  assert.is(file.status, 0, file.stderr);
  assert.match(file.stdout, /SHAPR \(side 32, filters 4\)/);
});

test.run();
