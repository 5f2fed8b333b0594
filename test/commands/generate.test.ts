// `topo-shapr generate`: a dataset in SHAPR's layout; --force replaces an earlier one instead of mixing with it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/data/dataset.ts';
import { endedPid, inTempDir } from '../helpers.ts';

const cli = (...args: string[]) => spawnSync('node', ['harness/bin/topo-shapr.js', 'generate', ...args], { encoding: 'utf8' });

test('generate refuses a folder with a dataset; --force replaces it whole (other files stay, a killed writer’s staging folder goes); --size is bounded', () =>
  inTempDir('generate', (dir) => {
    const out = join(dir, 'ds');
    assert.is(cli(out, '--n', '4', '--size', '8').status, 0);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const again = cli(out, '--n', '2', '--size', '8', '--seed', '5');
    assert.is(again.status, 1);
    assert.match(again.stderr, /ds: already holds a dataset \(obj\/ is not empty\); use --force to replace it/);
    // the hidden staging folder of a generate that was killed (its pid has ended) goes with the next write
    const dead = endedPid();
    mkdirSync(join(out, `.writing-${dead}`, 'obj'), { recursive: true });
    writeFileSync(join(out, `.writing-${dead}`, 'obj', 'half.tif'), 'x');
    const forced = cli(out, '--n', '2', '--size', '8', '--seed', '5', '--force');
    assert.is(forced.status, 0, forced.stderr);
    for (const sub of ['obj', 'mask', 'image']) assert.is(readdirSync(join(out, sub)).length, 2, sub);
    assert.is(loadDataset(out).samples.length, 2);
    assert.equal(readdirSync(out).sort(), ['classes.csv', 'generated.json', 'image', 'mask', 'notes.txt', 'obj']);
    assert.equal(JSON.parse(readFileSync(join(out, 'generated.json'), 'utf8')).seed, 5);
    // a dataset generate did not write (no generated.json) is never replaced, also with --force
    rmSync(join(out, 'generated.json'));
    const real = cli(out, '--n', '2', '--size', '8', '--force');
    assert.is(real.status, 1);
    assert.match(real.stderr, /ds: holds a dataset that generate did not write \(no generated\.json\); --force replaces only generated ones/);
    assert.is(loadDataset(out).samples.length, 2, 'kept');
    const big = cli(join(dir, 'big'), '--size', '1000');
    assert.is(big.status, 1);
    assert.match(big.stderr, /--size must be a side the network takes, one of 4, 8, 16, 32, 64; got 1000/);
    assert.match(cli(join(dir, 'odd'), '--size', '7').stderr, /one of 4, 8, 16, 32, 64; got 7/);
    // NOTE: Number('') is 0: an empty seed used to run as seed 0
    for (const [flag, value, message] of [['--seed', '', /--seed must be an integer, got ''/], ['--n', '2.5', /--n must be a positive integer, got '2.5'/],
      ['--size', ' ', /--size must be a positive integer, got ' '/], ['--classes', 'nucleus,', /--classes: unknown class ""/]] as const) {
      const bad = cli(join(dir, 'bad'), '--size', '8', flag, value);
      assert.is(bad.status, 1, `${flag} '${value}'`);
      assert.match(bad.stderr, message);
    }
  }));

test('generate --force that fails part-way (a full disk, a file where a folder is) leaves the old dataset whole', () =>
  inTempDir('generate', (dir) => {
    const out = join(dir, 'ds');
    assert.is(cli(out, '--n', '4', '--size', '8').status, 0);
    const files = () => ['obj', 'mask', 'image'].flatMap((sub) => readdirSync(join(out, sub)).map((f) => `${sub}/${f}:${readFileSync(join(out, sub, f)).length}`)).concat(readdirSync(out).sort());
    const before = files();
    // NOTE: a file-size limit of 20 KiB stops the first 32³ volume (32 KiB), as a full disk would part-way
    const full = spawnSync('bash', ['-c', `ulimit -f 20 && exec node harness/bin/topo-shapr.js generate "${out}" --n 10 --size 32 --force`], { encoding: 'utf8' });
    assert.is(full.status, 1, full.stderr);
    assert.match(full.stderr, /^topo-shapr: .*obj\/\w+\.tif: cannot write: larger than this process may write/m);
    assert.equal(files(), before, 'the old dataset is as it was, and no partial new one lies beside it');
    // image/ replaced by a file: refused by name before anything is removed
    rmSync(join(out, 'image'), { recursive: true });
    writeFileSync(join(out, 'image'), 'x');
    const clash = cli(out, '--n', '3', '--size', '8', '--force');
    assert.is(clash.status, 1);
    assert.match(clash.stderr, /^topo-shapr: .*ds\/image: is a file, not a folder$/m);
    assert.is(readdirSync(join(out, 'obj')).length, 4, 'obj/ kept');
    unlinkSync(join(out, 'image'));
  }));

test.run();
