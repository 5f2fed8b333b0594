// Ending a harness process: Dawn's handles keep Node alive, so the scripts exit explicitly, but
// process.exit drops whatever a pipe has not taken yet (a `persistence ... | python` read stopped at 64 KiB).

/** Exits with `code` once stdout and stderr have handed everything written so far to the OS. */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
