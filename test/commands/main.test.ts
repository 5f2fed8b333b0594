// The main job (npm start): its own flags are checked before anything is written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../harness/main.ts', import.meta.url));

test('--lambda 0 is refused before any data is generated (it compared the baseline with λ = 0.1 silently)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-main-'));
  try {
    const out = join(dir, 'run');
    const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--lambda', '0', '--out', out], { encoding: 'utf8' });
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /--lambda: the main job compares λ = 0 with λ > 0/);
    assert.not.ok(existsSync(out), 'nothing written');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test.run();
