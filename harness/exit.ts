// Ending a harness process: Dawn's handles keep Node alive, so the scripts exit explicitly, but
// process.exit drops whatever a pipe has not taken yet (a `persistence ... | python` read stopped at 64 KiB).

import { constants as osConstants } from 'node:os';
import { GpuError } from '../src/gpu/device.ts';
import { fileSystemError, UserError } from '../src/util/errors.ts';

/**
 * The end of a command that threw: a bad input, an unusable GPU (no adapter, device lost) or a failed file
 * operation is the user's to fix, so one line and exit code 1, never a stack trace; anything else is a bug
 * and is thrown on, with its stack.
 */
export function exitOnError(err: unknown): void {
  const user = err instanceof UserError || err instanceof GpuError ? err : fileSystemError(err);
  if (!user) throw err;
  console.error(`topo-shapr: ${user.message}`);
  exitWhenFlushed(1);
}

/** Exits with `code` once stdout and stderr have handed everything written so far to the OS. */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/**
 * Until the returned function is called, SIGINT, SIGTERM (a cluster's preemption or eviction) and SIGHUP (a
 * closed terminal) print `message(signal)` on stderr and exit with 128 + the signal's number, as a shell
 * reports it. NOTE: Node's default for SIGTERM and SIGHUP skips the 'exit' handlers (a training run's .lock
 * was left behind, and a job requeued on another node was refused).
 */
export function onStopSignal(message: (signal: NodeJS.Signals) => string): () => void {
  const stop = (signal: NodeJS.Signals) => {
    console.error(message(signal));
    exitWhenFlushed(128 + osConstants.signals[signal]);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.once(s, stop);
  return () => {
    for (const s of signals) process.removeListener(s, stop);
  };
}
