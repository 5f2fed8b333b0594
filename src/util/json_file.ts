// Reading a JSON file that a user may have edited or damaged (Node only: errors.ts stays free of node:fs,
// since the web page bundles it).
import { readFileSync } from 'node:fs';
import { fileError } from './errors.ts';

/**
 * The JSON in file `path`; text that does not parse is a UserError naming the file, with `problem`'s words
 * (what it means for this file). NOTE: the read is outside the parse's try: an unreadable file (EACCES) is
 * its own error (fileSystemError), not a damaged file.
 */
export function readJsonFile(path: string, problem: (parseError: Error) => string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fileError(path, problem(e as Error));
  }
}
