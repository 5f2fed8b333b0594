// topo-shapr analyse-interpolation: options of the other data source are refused, not ignored.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) => spawnSync('node', ['harness/bin/topo-shapr.js', 'analyse-interpolation', ...args], { encoding: 'utf8' });

test('--count, --side and --seed only with --data synthetic; --limit only with a data folder', () => {
  for (const [args, message] of [
    [['--data', 'some/folder', '--count', '5'], /^topo-shapr: --count: only used with --data synthetic$/],
    [['--data', 'some/folder', '--seed', '2'], /^topo-shapr: --seed: only used with --data synthetic$/],
    [['--data', 'synthetic', '--limit', '3'], /^topo-shapr: --limit: only used with --data DIR$/],
  ] as const) {
    const r = run(...args);
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr.trim(), message);
  }
});

test.run();
