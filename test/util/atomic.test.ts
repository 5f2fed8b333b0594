// Output files: written whole or not at all, and a path that cannot be written is one line naming it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { lockFolder, makeOutputDir, removeStaleTemporaries, writeFileAtomic } from '../../src/util/atomic.ts';
import { UserError } from '../../src/util/errors.ts';
import { endedPid, inTempDir } from '../helpers.ts';

test('writeFileAtomic replaces a file whole; failures name the path and leave no temporary file', () =>
  inTempDir('atomic', (dir) => {
    const p = join(dir, 'report.json');
    writeFileAtomic(p, 'old');
    writeFileAtomic(p, new Uint8Array([110, 101, 119]));
    assert.is(readFileSync(p, 'utf8'), 'new');
    // the target is a folder: the rename fails after the temporary file was written
    makeOutputDir(join(dir, 'sub'));
    assert.throws(() => writeFileAtomic(join(dir, 'sub'), 'x'), (e: unknown) => e instanceof UserError && /sub: cannot write: it is a folder \(EISDIR\)/.test((e as Error).message));
    assert.throws(() => writeFileAtomic(join(dir, 'no', 'such', 'f.json'), 'x'), (e: unknown) => e instanceof UserError && /f\.json: cannot write: its folder does not exist \(ENOENT\)/.test((e as Error).message));
    assert.equal(readdirSync(dir).sort(), ['report.json', 'sub'], 'no .tmp left behind');
    // an output folder where a file is
    writeFileSync(join(dir, 'file'), '');
    assert.throws(() => makeOutputDir(join(dir, 'file')), (e: unknown) => e instanceof UserError && /file: cannot create the output folder: a file of that name exists where a folder is needed \(EEXIST\)/.test((e as Error).message));
    assert.throws(() => makeOutputDir(join(dir, 'file', 'x')), (e: unknown) => e instanceof UserError && /\(ENOTDIR\)/.test((e as Error).message));
    // a file under a file: the temporary file cannot be made, nor removed (its removal threw ENOTDIR raw)
    assert.throws(() => writeFileAtomic(join(dir, 'file', 'r.html'), 'x'), (e: unknown) => e instanceof UserError && /r\.html: cannot write: a part of the path is a file, not a folder \(ENOTDIR\)/.test((e as Error).message));
  }));

test('a write cut short (the disk fills up, or a file-size limit) is an error, and the old file stays whole', () =>
  inTempDir('atomic', (dir) => {
    const p = join(dir, 'best.safetensors');
    writeFileAtomic(p, 'old');
    // NOTE: a file-size limit of 100 KiB cuts a 300 kB write short as a nearly full disk does; the first
    // write returns 102,400 and only the next one fails (Node ignores SIGXFSZ)
    const code = `import { writeFileAtomic } from './src/util/atomic.ts';
      try { writeFileAtomic(${JSON.stringify(p)}, new Uint8Array(300000)); console.log('no error'); } catch (e) { console.log(e.message); }`;
    const r = spawnSync('bash', ['-c', `ulimit -f 100 && exec "${process.execPath}" --import tsx --input-type=module -e "$CODE"`], { encoding: 'utf8', env: { ...process.env, CODE: code } });
    assert.match(r.stdout, /best\.safetensors: cannot write: larger than this process may write \(ulimit -f\) \(EFBIG\)/, r.stdout + r.stderr);
    assert.is(readFileSync(p, 'utf8'), 'old');
    assert.equal(readdirSync(dir), ['best.safetensors'], 'no temporary file left');
  }));

test('removeStaleTemporaries removes what killed writers left (files and staging folders), not what live ones are writing', () =>
  inTempDir('atomic', (dir) => {
    // a process that has ended: its pid is free (reuse within this test is not expected)
    const dead = endedPid();
    const files = [`.last.ckpt.safetensors.${dead}.tmp`, `.best.safetensors.${process.pid}.tmp`, '.notes.tmp', 'last.ckpt.safetensors', `.log.jsonl.${process.ppid}.tmp`];
    for (const f of files) writeFileSync(join(dir, f), 'x');
    // staging folders of dataset_writer.ts: a killed writer's, a live one's, and a folder of the user's
    const folders = [`.writing-${dead}`, `.writing-${process.ppid}`, '.writing-notes'];
    for (const f of folders) {
      mkdirSync(join(dir, f, 'obj'), { recursive: true });
      writeFileSync(join(dir, f, 'obj', 'a.tif'), 'x');
    }
    removeStaleTemporaries(dir);
    assert.equal(readdirSync(dir).sort(), [...files.slice(1), ...folders.slice(1)].sort());
  }));

test('a writer killed mid-write leaves the old file whole (the new bytes went to a temporary file)', () =>
  inTempDir('atomic', async (dir) => {
    const p = join(dir, 'last.ckpt.safetensors');
    writeFileAtomic(p, 'old');
    // a child writes 256 MB over it (about half a second), and is killed as soon as its temporary file appears
    const code = `import { writeFileAtomic } from './src/util/atomic.ts'; writeFileAtomic(${JSON.stringify(p)}, new Uint8Array(256 << 20).fill(7));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', (c, signal) => resolve(signal ?? c)));
    let running = true;
    void exited.then(() => (running = false));
    const tmp = () => readdirSync(dir).find((f) => f.endsWith('.tmp'));
    while (running && tmp() === undefined) await new Promise((r) => setTimeout(r, 1));
    const seen = tmp();
    child.kill('SIGKILL');
    assert.is(await exited, 'SIGKILL', 'the writer was killed before it finished');
    assert.ok(seen !== undefined, 'the new bytes go to a temporary file beside the target');
    assert.is(readFileSync(p, 'utf8'), 'old', 'the target is untouched');
    removeStaleTemporaries(dir);
    assert.ok(!existsSync(join(dir, seen!)), 'the killed writer\'s temporary file is removed');
  }));

test('lockFolder: one holder at a time; a lock of an ended process is taken over, one of another host is not', () =>
  inTempDir('lock', (dir) => {
    const release = lockFolder(dir, 'this run directory is');
    assert.throws(() => lockFolder(dir, 'this run directory is'), (e: unknown) => e instanceof UserError && new RegExp(`: this run directory is in use by another process \\(pid ${process.pid}\\)`).test((e as Error).message));
    release();
    assert.ok(!existsSync(join(dir, '.lock')), 'released');
    lockFolder(dir, 'x')(); // free again
    // a killed process's lock
    const dead = endedPid();
    writeFileSync(join(dir, '.lock'), `${dead}@${hostname()}\n`);
    const again = lockFolder(dir, 'x');
    assert.is(readFileSync(join(dir, '.lock'), 'utf8'), `${process.pid}@${hostname()}\n`);
    again();
    writeFileSync(join(dir, '.lock'), '123@other-node\n');
    assert.throws(() => lockFolder(dir, 'this run directory is'), (e: unknown) => e instanceof UserError && /in use by process 123 on other-node .*; if none is running there, delete .*\.lock/.test((e as Error).message));
  }));

test.run();
