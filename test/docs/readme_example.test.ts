// The README's example of the topology API from one's own code runs as printed (it is the one place that
// shows the functions together, and nothing else would notice it going stale).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('README: the example of persistence, wasserstein and diagramLoss from your own code runs and prints sound numbers', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('From your own code');
  assert.ok(at >= 0, 'the README has its example');
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  assert.ok(code, 'a ts block after it');
  // NOTE: in the checkout's root, where the example's './src/…' imports point (a dot file, ignored by git)
  const file = join(ROOT, `.readme-example-${process.pid}.ts`);
  writeFileSync(file, code!);
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.voids > 100, `uniform noise at 16³ has hundreds of voids: ${out.voids}`);
    assert.ok(out.distance > 0 && Number.isFinite(out.distance) && out.certified === true, JSON.stringify(out));
    assert.ok(out.toDiagonal >= 0 && out.toDiagonal <= out.voids && out.loss > 0, JSON.stringify(out));
  } finally {
    rmSync(file, { force: true });
  }
});

test.run();
