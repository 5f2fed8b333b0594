// Morphology class of a sample: from a classes.csv beside obj/ mask/ image/, or from the file name.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ALL_CLASSES } from '../eval/summary.ts';
import { fileError, readFileError } from '../util/errors.ts';

/** Label for samples whose file name carries no class. */
const UNLABELLED = 'unlabelled';

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
 * Reads `classes.csv`: one `name,class` row per sample (name with or without extension; fields may be
 * quoted, as spreadsheets write them: `"A_0001","Class, A"`), an optional `name,class` header line, `#`
 * comment lines and blank lines ignored. Returns null when the file does not exist.
 */
export function readClassesCsv(path: string): Map<string, string> | null {
  if (!existsSync(path)) return null;
  const classes = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw readFileError(path, err);
  }
  // NOTE: a split on commas read "Class, A" as the class '"Class' and silently merged classes.
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { comment: '#', comment_no_infix: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true, bom: true }) as unknown as typeof rows;
  } catch (err) {
    throw fileError(path, `not a valid CSV file (${(err as Error).message})`);
  }
  for (const [k, { record: cells, info }] of rows.entries()) {
    if (k === 0 && cells[0]?.toLowerCase() === 'name') continue;
    if (cells.length !== 2 || cells[0] === '' || cells[1] === '') {
      throw fileError(path, `line ${info.lines}: expected "name,class", got ${cells.length} field(s): ${JSON.stringify(cells)}`);
    }
    const stem = stemOf(cells[0]);
    if (classes.has(stem)) throw fileError(path, `line ${info.lines}: "${stem}" is listed twice`);
    if (cells[1] === ALL_CLASSES) throw fileError(path, `line ${info.lines}: the class name "${ALL_CLASSES}" is reserved for all samples together; rename it`);
    classes.set(stem, cells[1]);
  }
  return classes;
}

/**
 * A sample's class: from classes.csv when there is one (`csv`, read from `csvPath`), else from its file name.
 * NOTE: a class called "all" used to replace the summary over all samples in evaluate and compare.
 */
export function sampleClass(stem: string, csv: Map<string, string> | null, csvPath: string): string {
  const name = csv ? csv.get(stem) : classFromName(stem);
  if (name === undefined) throw fileError(csvPath, `no class for sample "${stem}"`);
  if (name === ALL_CLASSES) throw fileError(csvPath, `the file name of sample "${stem}" gives the class "${ALL_CLASSES}", reserved for all samples together; give its class in this classes.csv`);
  return name;
}

/** A CSV field, quoted when it holds a comma, a quote, a line break or outer spaces. */
const csvField = (s: string) => (/[",\r\n#]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Formats a classes.csv for the given samples (readClassesCsv reads it back unchanged). */
export function formatClassesCsv(rows: readonly { name: string; className: string }[]): string {
  return ['name,class', ...rows.map((r) => `${csvField(r.name)},${csvField(r.className)}`)].join('\n') + '\n';
}
