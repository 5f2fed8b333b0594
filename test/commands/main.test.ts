// The main job (npm start): its own flags are checked before anything is written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJson, TRAIN_DEFAULTS } from '../../src/train/config.ts';
import { inTempDir } from '../helpers.ts';

const MAIN = fileURLToPath(new URL('../../harness/main.ts', import.meta.url));

/** Runs `fn` on a fresh output path inside a temporary folder, removed afterwards. */
const withOut = (fn: (out: string) => void) => inTempDir('main', (dir) => fn(join(dir, 'run')));

const main = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });

test('--lambda 0 is refused before any data is generated (it compared the baseline with λ = 0.1 silently)', () =>
  withOut((out) => {
    const r = main('--lambda', '0', '--out', out);
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /--lambda: the main job compares λ = 0 with λ > 0/);
    assert.not.ok(existsSync(out), 'nothing written');
  }));

test('a finished run trained with other options is refused, not reported as the new one', () =>
  withOut((out) => {
    mkdirSync(join(out, 'baseline'), { recursive: true });
    writeFileSync(join(out, 'baseline', 'config.json'), configJson({ ...TRAIN_DEFAULTS, side: 16, filters: 4, lambda: 0 }));
    writeFileSync(join(out, 'baseline', 'metrics.json'), '[]');
    const r = main('--out', out, '--synthetic-count', '10');
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /baseline\/config\.json: this run directory was started with other options \(.*--synthetic-count 120 → 10/);
    assert.not.ok(existsSync(join(out, 'report.html')), 'no report of the old run');
  }));

test('cells generated with other options are refused, not reused under a config that says otherwise', () =>
  withOut((out) => {
    mkdirSync(join(out, 'data', 'obj'), { recursive: true });
    writeFileSync(join(out, 'data', 'synthetic.json'), JSON.stringify({ syntheticCount: 20, side: 16, syntheticSeed: 1 }));
    const r = main('--out', out, '--synthetic-count', '30');
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /data: holds cells generated with other options \(--synthetic-count 20 → 30\); use another --out, or delete /);
    assert.not.ok(existsSync(join(out, 'baseline')), 'nothing trained');
  }));

test.run();
