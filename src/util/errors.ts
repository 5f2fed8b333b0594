/** An error caused by the user's input (a file, a flag): printed as one line, no stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A bad input file: the message always starts with the file's path. */
export function fileError(path: string, problem: string): UserError {
  return new UserError(`${path}: ${problem}`);
}

/** The one-line reason of a failed file-system call (its code, e.g. ENOENT, and what that means). */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const what: Record<string, string> = {
    ENOENT: 'its folder does not exist',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'a file of that name exists where a folder is needed',
    EISDIR: 'it is a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOSPC: 'no space left on the disk',
    EROFS: 'read-only file system',
    EFBIG: 'larger than this process may write (ulimit -f)',
  };
  return code ? `${what[code] ?? 'failed'} (${code})` : String(err);
}

const VERBS: Record<string, string> = {
  open: 'open', read: 'read', scandir: 'list the folder', stat: 'read', lstat: 'read', unlink: 'remove', rmdir: 'remove',
  rm: 'remove', mkdir: 'create', rename: 'rename', copyfile: 'copy', write: 'write',
};

/**
 * A failed file-system call that no caller turned into a UserError (an unreadable folder met while listing
 * it, say) as the one line a user needs: its path, what could not be done and why. Null for other errors.
 */
export function fileSystemError(err: unknown): UserError | null {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string' || typeof e.path !== 'string') return null;
  const why = e.code === 'ENOENT' ? 'no such file or folder (ENOENT)' : fsReason(e);
  return fileError(e.path, `cannot ${VERBS[e.syscall ?? ''] ?? 'access'}: ${why}`);
}

/** A file that could not be read, as one line naming it: a folder given for a file is said to be one. */
export function readFileError(path: string, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  return fileError(path, code === 'EISDIR' ? 'is a folder, not a file' : `cannot read file (${code ?? (err as Error).message})`);
}

/** Training produced a non-finite value (NaN or ±Inf): the run diverged (the trainer adds where and what to do). */
export class DivergedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'DivergedError';
  }
}
