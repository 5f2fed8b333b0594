// Raw file-system errors that reach the command line become one line: the path, what failed and why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSystemError, UserError } from '../../src/util/errors.ts';

const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return assert.unreachable('no error');
};

test('fileSystemError names the path, the operation and the reason; other errors are not its business', () => {
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-errors-'));
  try {
    const file = join(dir, 'log.jsonl');
    writeFileSync(file, '{}');
    const cases: Array<[() => unknown, RegExp]> = [
      [() => readdirSync(file), /log\.jsonl: cannot list the folder: a part of the path is a file, not a folder \(ENOTDIR\)$/],
      [() => readFileSync(join(file, 'config.json')), /log\.jsonl\/config\.json: cannot open: a part of the path is a file, not a folder \(ENOTDIR\)$/],
      [() => readFileSync(join(dir, 'metrics.json')), /metrics\.json: cannot open: no such file or folder \(ENOENT\)$/],
    ];
    for (const [f, message] of cases) {
      const e = fileSystemError(caught(f));
      assert.instance(e, UserError);
      assert.match(e!.message, message);
      assert.ok(e!.message.startsWith(dir), e!.message);
    }
    assert.is(fileSystemError(new RangeError('x')), null);
    assert.is(fileSystemError('a string'), null);
    // NOTE: reading a folder fails on its descriptor, without a path to name: left to the caller's checks
    assert.is(fileSystemError(caught(() => readFileSync(dir))), null);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test.run();
