// Output paths checked against inputs by real path, so that a symlink or a `..` cannot hide that a command
// would write into its own inputs.
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

/** The real path of `p` through symlinks; for a path that does not exist yet, that of its nearest existing folder plus the rest. */
export function realPath(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(realPath(parent), basename(abs));
}

/** Whether `p` is `dir` or lies inside it, by real paths. */
export function isWithin(p: string, dir: string): boolean {
  const r = relative(realPath(dir), realPath(p));
  return r === '' || (!r.startsWith('..') && !r.startsWith('/'));
}
