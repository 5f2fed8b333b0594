// Files that must never be seen half-written (checkpoints, reports, configs): write a temporary file
// beside the target, flush it to disk, then rename over the target (atomic on POSIX file systems).
// Failures to write (no such folder, a file where a folder should be, no permission, a full disk) are the
// user's to fix: they come back as one line naming the path, and leave no temporary file behind.
import { accessSync, appendFileSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileError, fsReason as reason } from './errors.ts';

/** The temporary file of `path` while process `pid` writes it. */
const temporary = (path: string, pid: number) => join(dirname(path), `.${basename(path)}.${pid}.tmp`);
/** A temporary file (see temporary) or a staging folder `.writing-PID` (dataset_writer.ts): the writer's pid. */
const TEMPORARY = /^\.(?:.+\.(\d+)\.tmp|writing-(\d+))$/;

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = temporary(path, process.pid);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // NOTE: where the temporary file could not be made (e.g. ENOTDIR) removing it fails too: the first error tells
    }
    throw fileError(path, `cannot write: ${reason(err)}`);
  }
}

/**
 * Writes every byte: a write may write fewer bytes than asked (a disk about to fill up does), and only the
 * next one reports why (ENOSPC, EFBIG). Taking one short write for success renamed half a checkpoint over
 * the whole one.
 */
function writeAll(fd: number, data: Uint8Array): void {
  for (let done = 0; done < data.length;) {
    const n = writeSync(fd, data, done, data.length - done);
    if (n <= 0) throw Object.assign(new Error('no byte written'), { code: 'ENOSPC' });
    done += n;
  }
}

/**
 * Removes the temporary files and staging folders that writers killed mid-write left in `dir` (those of
 * processes no longer running): a run preempted while saving a checkpoint kept one checkpoint-sized file
 * per kill, a killed `generate` a whole hidden copy of the dataset.
 */
export function removeStaleTemporaries(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = TEMPORARY.exec(name);
    const pid = Number(m?.[1] ?? m?.[2]);
    if (!m || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Takes DIR/.lock for this process until the returned release() (a training run: two processes on one run
 * directory interleaved their epochs in one log). The lock names its process and host; one left by a process
 * of this host that has ended (killed) is taken over, one of another host (a shared file system) is refused
 * with what to do.
 */
export function lockFolder(dir: string, what: string): () => void {
  const path = join(dir, '.lock');
  const me = `${process.pid}@${hostname()}`;
  for (;;) {
    try {
      writeFileSync(path, me + '\n', { flag: 'wx' });
      // NOTE: also released when the process exits before release() (Ctrl-C ends a run through process.exit)
      const release = () => {
        process.off('exit', release);
        rmSync(path, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(path, `cannot create: ${reason(err)}`);
    }
    let held: string;
    try {
      held = readFileSync(path, 'utf8');
    } catch {
      continue; // released meanwhile: try again
    }
    const [pid, host] = held.trim().split('@');
    if (host !== hostname()) {
      throw fileError(dir, `${what} in use by process ${pid} on ${host} (${path}); if none is running there, delete ${path}`);
    }
    if (alive(Number(pid))) throw fileError(dir, `${what} in use by another process (pid ${pid}); wait for it or use another folder`);
    rmSync(path, { force: true }); // its process has ended: a stale lock
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // another user's process
  }
}

/** Creates an output folder (and its parents) if needed; a clear error if it cannot be one. */
export function makeOutputDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    // NOTE: a recursive mkdir on a read-only file system says ENOENT: name the existing folder it cannot write in
    const parent = existingAncestor(path);
    if ((err as NodeJS.ErrnoException)?.code === 'ENOENT' && parent && !writable(parent)) {
      throw fileError(path, `cannot create the output folder: ${parent} is not writable (read-only file system or no permission)`);
    }
    throw fileError(path, `cannot create the output folder: ${reason(err)}`);
  }
}

/** The nearest folder above `path` that exists, or null. */
function existingAncestor(path: string): string | null {
  for (let d = dirname(resolve(path)); ; d = dirname(d)) {
    if (existsSync(d)) return d;
    if (dirname(d) === d) return null;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Appends one line (a JSON-lines log); a crash can at worst leave the last line partial. */
export function appendLine(path: string, line: string): void {
  appendFileSync(path, line.endsWith('\n') ? line : line + '\n');
}
