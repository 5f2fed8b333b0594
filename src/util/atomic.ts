// Files that must never be seen half-written (checkpoints, reports, configs): write a temporary file
// beside the target, flush it to disk, then rename over the target (atomic on POSIX file systems).
import { appendFileSync, closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Appends one line (a JSON-lines log); a crash can at worst leave the last line partial. */
export function appendLine(path: string, line: string): void {
  appendFileSync(path, line.endsWith('\n') ? line : line + '\n');
}
