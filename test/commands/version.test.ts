// `topo-shapr --version`: one line (the package version, and the commit in a checkout), exit 0; it went on
// to print the help for a missing command and exit 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { toolVersion } from '../../harness/version.ts';

test('--version and -V print the version alone and exit 0', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const checkout = existsSync(new URL('../../.git', import.meta.url));
  for (const flag of ['--version', '-V']) {
    const r = spawnSync(process.execPath, ['harness/bin/topo-shapr.js', flag], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.not.match(r.stderr, /Usage/);
    assert.is(r.stdout, `${toolVersion()}\n`);
    assert.match(r.stdout, new RegExp(`^${version.replace(/\./g, '\\.')}${checkout ? ' \\(git [0-9a-f]{7,}(-dirty)?\\)' : ''}\\n$`));
  }
});

test.run();
