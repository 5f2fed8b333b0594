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

/** Training produced a non-finite value (NaN or ±Inf): the run diverged (the trainer adds where and what to do). */
export class DivergedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'DivergedError';
  }
}
