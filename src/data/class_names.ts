// Morphology class of a sample: from a classes.csv beside obj/ mask/ image/, or from the file name.
import { existsSync, readFileSync } from 'node:fs';
import { fileError } from '../util/errors.ts';

/** Label for samples whose file name carries no class. */
export const UNLABELLED = 'unlabelled';

/**
 * The class encoded in a file stem: the stem without its trailing sample number and separators.
 * `A_cell_clusters000604` → `A_cell_clusters`, `discocyte_0007` → `discocyte`, `0007` → `unlabelled`.
 */
export function classFromName(stem: string): string {
  const cls = stem.replace(/\d+$/, '').replace(/[_\-. ]+$/, '');
  return cls.length > 0 ? cls : UNLABELLED;
}

/** Strips a .tif / .tiff extension (any case). */
export function stemOf(fileName: string): string {
  return fileName.replace(/\.tiff?$/i, '');
}

/**
 * Reads `classes.csv`: one `name,class` row per sample (name with or without extension), an optional
 * `name,class` header line, `#` comments and blank lines ignored. Returns null when the file does not exist.
 */
export function readClassesCsv(path: string): Map<string, string> | null {
  if (!existsSync(path)) return null;
  const classes = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fileError(path, `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (i === 0 && cells[0].toLowerCase() === 'name') continue;
    if (cells.length < 2 || cells[0] === '' || cells[1] === '') {
      throw fileError(path, `line ${i + 1}: expected "name,class", got "${line}"`);
    }
    const stem = stemOf(cells[0]);
    if (classes.has(stem)) throw fileError(path, `line ${i + 1}: "${stem}" is listed twice`);
    classes.set(stem, cells[1]);
  }
  return classes;
}

/** Formats a classes.csv for the given samples. */
export function formatClassesCsv(rows: readonly { name: string; className: string }[]): string {
  return ['name,class', ...rows.map((r) => `${r.name},${r.className}`)].join('\n') + '\n';
}
