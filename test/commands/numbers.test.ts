// The command line's numeric option values (harness/commands/numbers.ts): one parser for every command.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { integerOption, numberOption, parseInteger } from '../../harness/commands/numbers.ts';

test('parseInteger: integers within range; empty, blank, fractional, non-numeric and out-of-range values are errors naming the option', () => {
  assert.is(parseInteger('seed', '-3'), -3);
  assert.is(parseInteger('n', '7', 1), 7);
  assert.is(parseInteger('fold', '0', 0), 0);
  assert.is(integerOption('side')('32'), 32);
  for (const [v, min, message] of [
    ['', undefined, /--x must be an integer, got ''/],
    ['  ', 1, /--x must be a positive integer, got '  '/],
    ['2.5', 1, /--x must be a positive integer, got '2.5'/],
    ['abc', undefined, /--x must be an integer, got 'abc'/],
    ['0', 1, /--x must be a positive integer, got '0'/],
    ['-1', 0, /--x must be a non-negative integer, got '-1'/],
    ['1', 2, /--x must be an integer ≥ 2, got '1'/],
    ['Infinity', undefined, /--x must be an integer/],
  ] as const) {
    assert.throws(() => parseInteger('x', v, min), (e: Error) => e.name === 'UserError' && message.test(e.message), `'${v}'`);
  }
});

test('numberOption: numbers and inf; an empty value is an error, not 0', () => {
  assert.is(numberOption('lr')('1e-3'), 1e-3);
  assert.is(numberOption('q')('inf'), Infinity);
  assert.throws(() => numberOption('lambda')(''), /--lambda: '' is not a number/);
  assert.throws(() => numberOption('lambda')('x'), /--lambda: 'x' is not a number/);
});

test.run();
