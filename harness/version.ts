// The version that made a result: package.json's, and the git commit when run from a checkout (with
// "-dirty" when it has uncommitted changes), so a report says which code produced it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let cached: string | undefined;

/** E.g. "0.1.0 (git 1b079e5-dirty)", or "0.1.0" outside a git checkout. */
export function toolVersion(): string {
  if (cached !== undefined) return cached;
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  let commit = '';
  // NOTE: only this project's own checkout: installed inside another git repository, git would describe that one
  if (existsSync(join(ROOT, '.git'))) {
    try {
      // NOTE: --exclude '*': the commit alone, also once tags exist (a tag gave 'v0.1.0-1-g2a4bf31')
      commit = execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=7', '--exclude', '*'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      // no git program: the package version alone
    }
  }
  return (cached = commit ? `${version} (git ${commit})` : version);
}
