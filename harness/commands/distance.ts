// `topo-shapr distance A.json B.json [--dim D] [--q 2|1|inf] [--matching]`: the exact Wasserstein (or bottleneck)
// distance between two persistence diagram files, in the layout `topo-shapr persistence` prints
// ({"0": [[birth, death|null], ...], "1": ..., "2": ...}, or that object under "diagrams"). One JSON object per
// dimension on stdout: {"dim", "q", "distance", "certified"} (+ "matching": {"aToB", "bToA"}, -1 = diagonal,
// -2 = unmatched essential class). Essential classes are matched by birth; different counts give null (+∞).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { wasserstein } from '../../src/topo/wasserstein.ts';
import { fileError, readFileError, UserError } from '../../src/util/errors.ts';

interface DistanceFlags {
  dim?: string; // one dimension; default: every dimension present in either file
  q: string; // '2' (default), '1', any number ≥ 1, or 'inf' for the bottleneck distance
  essential: string; // 'match' (default) or 'ignore'
  matching: boolean; // also print the optimal matching
}

type DiagramFile = Record<string, Array<[number, number | null]>>;

export function register(program: Command): void {
  program
    .command('distance')
    .description('exact q-Wasserstein / bottleneck distance between two persistence diagram JSON files')
    .addHelpText('after', '\nPrints one JSON object per dimension: {"dim", "q", "distance", "certified"}. "certified": the matching was\nchecked optimal after it was found (a dual certificate; bottleneck: the next smaller value was\nproven infeasible by a Hall violator); "distance" null means +∞ (different counts of essential classes).')
    .argument('<a>', 'diagram file (JSON, as printed by `topo-shapr persistence`)')
    .argument('<b>', 'diagram file')
    .option('--dim <D>', 'homology dimension (default: every dimension present)')
    .option('--q <q>', 'exponent: any number ≥ 1 (2, 1, ...), or inf (bottleneck)', '2')
    .option('--essential <how>', "essential classes (death null): 'match' them by birth (a different count: distance null, i.e. +∞), or 'ignore' them (the finite parts only, as POT or Hera compare)", 'match')
    .option('--matching', 'also print the matching (index in the other diagram, -1 = diagonal, -2 = an ignored or unmatched essential class)', false)
    .action((fileA: string, fileB: string, flags: DistanceFlags) => {
      const q = parseQ(flags.q);
      if (flags.essential !== 'match' && flags.essential !== 'ignore') throw new UserError(`--essential must be 'match' or 'ignore', got '${flags.essential}'`);
      const A = readDiagrams(fileA), B = readDiagrams(fileB);
      const ca = convention(fileA, A), cb = convention(fileB, B);
      if (ca && cb && ca.kind !== cb.kind)
        throw new UserError(`${fileA} and ${fileB} use opposite conventions: ${ca.kind} (${ca.example}) against ${cb.kind} (${cb.example}); negate one file's values first`);
      // NOTE: numeric order ("10" came before "2")
      const present = [...new Set([...Object.keys(A), ...Object.keys(B)])].sort((x, y) => Number(x) - Number(y));
      let dims = present;
      // NOTE: two files without any dimension printed nothing and exited 0
      if (present.length === 0) throw new UserError(`${fileA} and ${fileB}: neither holds a diagram (no dimension keys such as "0")`);
      if (flags.dim !== undefined) {
        if (!/^\d+$/.test(flags.dim)) throw new UserError(`--dim must be a non-negative integer, got '${flags.dim}'`);
        dims = [String(Number(flags.dim))];
        // NOTE: a dimension neither file has gave distance 0 (two empty diagrams)
        if (!(dims[0] in A) && !(dims[0] in B)) {
          throw new UserError(`--dim ${dims[0]}: neither ${fileA} nor ${fileB} has dimension ${dims[0]} (they have ${present.join(', ') || 'none'})`);
        }
      }
      for (const dim of dims) {
        // NOTE: a dimension one file lacks is compared with an empty diagram, and said so: it may not
        // have been computed there (a 2D image's diagrams against a volume's)
        const only = !(dim in A) ? fileB : !(dim in B) ? fileA : null;
        if (only) console.error(`distance: dimension ${dim} is in ${only} only; the other file's is taken as empty`);
        const a = A[dim] ?? [], b = B[dim] ?? [];
        const r = wasserstein(a, b, { q, essential: flags.essential });
        const out: Record<string, unknown> = {
          dim: Number(dim), q: q === Infinity ? 'inf' : q,
          distance: Number.isFinite(r.distance) ? r.distance : null, certified: r.certified,
        };
        if (flags.matching) out.matching = { aToB: [...r.matching.aToB], bToA: [...r.matching.bToA] };
        process.stdout.write(JSON.stringify(out) + '\n');
      }
    });
}

function parseQ(s: string): number {
  if (/^(inf|infinity)$/i.test(s)) return Infinity;
  const q = Number(s);
  if (!Number.isFinite(q) || q < 1) throw new UserError(`--q must be a number ≥ 1 or 'inf', got '${s}'`);
  return q;
}

/** Reads and validates a diagram file; every problem is a one-line error naming the file. */
export function readDiagrams(file: string): DiagramFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw readFileError(file, err);
  }
  // NOTE: a volume given for its diagrams printed its binary bytes in the JSON error
  const volume = bytes.subarray(0, 6).toString('latin1') === '\x93NUMPY' || /^(II\*\0|MM\0\*)/.test(bytes.subarray(0, 4).toString('latin1'));
  if (volume || bytes.subarray(0, 512).includes(0)) {
    throw fileError(file, `not a diagram file (${volume ? 'a volume: `topo-shapr persistence FILE > A.json` writes its diagrams' : 'binary data, not JSON text'})`);
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, ''); // NOTE: a byte-order mark (Windows editors) is not JSON
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const hint = /\b(-?Infinity|NaN)\b/.test(text) ? "; JSON has no Infinity or NaN: write an essential class's death as null" : '';
    throw fileError(file, `not valid JSON (${(err as Error).message})${hint}`);
  }
  if (json && typeof json === 'object' && !Array.isArray(json) && 'diagrams' in json) json = (json as { diagrams: unknown }).diagrams;
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw fileError(file, 'expected an object {"0": [[birth, death|null], ...], ...}');
  const out: DiagramFile = {};
  for (const [dim, pairs] of Object.entries(json as Record<string, unknown>)) {
    if (!/^(0|[1-9]\d*)$/.test(dim)) throw fileError(file, `key '${dim}' is not a homology dimension (0, 1, 2, ...)`);
    if (!Array.isArray(pairs)) throw fileError(file, `dimension ${dim} is not a list of pairs`);
    pairs.forEach((p, i) => {
      const ok = Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && (p[1] === null || typeof p[1] === 'number');
      if (!ok) throw fileError(file, `dimension ${dim}, pair ${i}: expected [birth, death|null], got ${JSON.stringify(p)}`);
      if (!Number.isFinite(p[0]) || (p[1] !== null && !Number.isFinite(p[1])))
        throw fileError(file, `dimension ${dim}, pair ${i}: non-finite value in [${p[0]}, ${p[1]}]; write an essential class's death as null`);
    });
    out[dim] = pairs as Array<[number, number | null]>;
  }
  return out;
}

const SUPER = 'birth ≥ death';
const SUB = 'birth ≤ death';

/**
 * Which way the file's finite pairs point: 'birth ≥ death' (superlevel, as `topo-shapr persistence` prints) or
 * 'birth ≤ death' (sublevel, e.g. GUDHI's on the volume itself); null when no pair tells (none off the diagonal).
 * NOTE: the distance is the same for a pair of files in either convention, but a superlevel file against a
 * sublevel one gives a meaningless number without any error: refused, as is a file that mixes the two.
 */
function convention(file: string, d: DiagramFile): { kind: string; example: string } | null {
  const first = new Map<string, string>(); // each kind's first pair
  for (const [dim, pairs] of Object.entries(d)) {
    pairs.forEach(([b, e], i) => {
      if (e === null || b === e) return;
      const kind = b > e ? SUPER : SUB;
      if (!first.has(kind)) first.set(kind, `dimension ${dim}, pair ${i}: [${b}, ${e}]`);
    });
  }
  if (first.size === 2) throw fileError(file, `mixes ${SUPER} (${first.get(SUPER)}) and ${SUB} (${first.get(SUB)}) pairs`);
  const [found] = first;
  return found ? { kind: found[0], example: found[1] } : null;
}
