// Numeric option values of the command line, parsed one way by every command.
// NOTE: Number('') is 0 and Number(' 7 ') is 7: an empty value (--seed= or --n '') is an error here,
// never a silent 0.
import { UserError } from '../../src/util/errors.ts';

/** An integer ≥ min (default: any integer), or a UserError naming the option. */
export function parseInteger(name: string, v: string, min = -Infinity): number {
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isInteger(n) || n < min) {
    const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : min > -Infinity ? `an integer ≥ ${min}` : 'an integer';
    throw new UserError(`--${name} must be ${what}, got '${v}'`);
  }
  return n;
}

/** parseInteger as a commander option parser. */
export const integerOption = (name: string, min?: number) => (v: string) => parseInteger(name, v, min);

/** A number (or inf / Infinity) as a commander option parser; the command's own checks set its range. */
export const numberOption = (name: string) => (v: string) => {
  const x = v === 'inf' || v === 'Infinity' ? Infinity : v.trim() === '' ? NaN : Number(v);
  if (Number.isNaN(x)) throw new UserError(`--${name}: '${v}' is not a number`);
  return x;
};
