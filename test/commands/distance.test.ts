// `topo-shapr distance`: the library's distance per dimension, and bad diagram files as one line naming the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { wasserstein } from '../../src/topo/wasserstein.ts';

const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-distance-'));
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const cli = (...args: string[]) => spawnSync('node', ['harness/bin/topo-shapr.js', 'distance', ...args], { encoding: 'utf8' });

type Diagram = Array<[number, number | null]>;
const A: Record<string, Diagram> = { '0': [[0.9, null], [0.8, 0.3], [0.5, 0.45]], '2': [[0.7, 0.1]] };
const B: Record<string, Diagram> = { '0': [[0.95, null], [0.7, 0.35]], '1': [[0.6, 0.2]] };
const a = file('a.json', JSON.stringify(A));
const b = file('b.json', JSON.stringify({ diagrams: B }));

test('one JSON line per dimension present in either file, equal to the library; --dim and --q pick', () => {
  const r = cli(a, b);
  assert.is(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.map((x) => x.dim), [0, 1, 2]);
  // a dimension one file lacks is said to be taken as empty
  assert.match(r.stderr, /dimension 1 is in .*b\.json only; the other file's is taken as empty/);
  assert.match(r.stderr, /dimension 2 is in .*a\.json only/);
  assert.not.match(r.stderr, /dimension 0 is in/);
  for (const row of rows) {
    const k = String(row.dim);
    const want = wasserstein(A[k] ?? [], B[k] ?? [], { q: 2 });
    assert.ok(Math.abs(row.distance - want.distance) <= 1e-15 * want.distance, `dim ${k}`);
    assert.is(row.certified, true);
  }
  const one = cli(a, b, '--dim', '2', '--q', 'inf', '--matching');
  assert.is(one.status, 0, one.stderr);
  const row = JSON.parse(one.stdout);
  assert.equal([row.dim, row.q, row.distance, row.matching.aToB], [2, 'inf', 0.3, [-1]]);
  // --essential ignore compares the finite parts only (as the reference's and POT's distances do); an
  // unequal number of essential classes is null (+∞) when they are matched
  const ig = JSON.parse(cli(a, b, '--dim', '0', '--essential', 'ignore').stdout);
  const finite = (d: Diagram) => d.filter((p) => p[1] !== null);
  assert.ok(Math.abs(ig.distance - wasserstein(finite(A['0']), finite(B['0'])).distance) <= 1e-15, JSON.stringify(ig));
  const two = file('two.json', JSON.stringify({ '0': [[0.9, null], [0.8, null]] }));
  assert.equal(JSON.parse(cli(a, two, '--dim', '0').stdout).distance, null);
  assert.is(typeof JSON.parse(cli(a, two, '--dim', '0', '--essential', 'ignore').stdout).distance, 'number');
  assert.match(cli(a, b, '--essential', 'drop').stderr, /--essential must be 'match' or 'ignore', got 'drop'/);
  // a dimension neither file has is refused (it printed distance 0)
  const none = cli(a, b, '--dim', '5');
  assert.is(none.status, 1, none.stdout);
  assert.match(none.stderr, /--dim 5: neither .*a\.json nor .*b\.json has dimension 5 \(they have 0, 1, 2\)/);
  // dimensions in numeric order ("10" came before "2")
  const many = file('many.json', JSON.stringify({ '2': [[0.5, 0.1]], '10': [[0.4, 0.2]] }));
  assert.equal(cli(many, many).stdout.trim().split('\n').map((l) => JSON.parse(l).dim), [2, 10]);
});

test('a byte-order mark (as Windows editors write) is read past, as in classes.csv', () => {
  const bom = file('bom.json', '\uFEFF' + JSON.stringify(A));
  const r = cli(bom, a, '--dim', '0');
  assert.is(r.status, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).distance, 0);
});

test('bad files: one line naming the file and the problem, exit code 1', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['inf.json', '{"0": [[1, Infinity]]}', /inf\.json: not valid JSON .*write an essential class's death as null/],
    ['huge.json', '{"0": [[1, 1e999]]}', /huge\.json: dimension 0, pair 0: non-finite value in \[1, Infinity\]; write an essential class's death as null/],
    ['key.json', '{"01": [[1, 0]]}', /key\.json: key '01' is not a homology dimension/],
    ['str.json', '{"0": [["1", "0"]]}', /str\.json: dimension 0, pair 0: expected \[birth, death\|null\]/],
    ['mixed.json', '{"0": [[0.9, 0.1], [0.2, 0.6]]}', /mixed\.json: mixes birth ≥ death \(dimension 0, pair 0: \[0\.9, 0\.1\]\) and birth ≤ death \(dimension 0, pair 1: \[0\.2, 0\.6\]\) pairs/],
    // a volume given for its diagrams: its binary bytes were printed in the JSON error
    ['cell.npy', Buffer.from("\x93NUMPY\x01\x00v\x00{'descr': '<f4'}", 'latin1'), /cell\.npy: not a diagram file \(a volume: `topo-shapr persistence FILE > A\.json` writes its diagrams\)$/],
    ['blob.bin', 'ab\x00cd', /blob\.bin: not a diagram file \(binary data, not JSON text\)$/],
  ];
  for (const [name, text, message] of cases) {
    const r = cli(file(name, text), a);
    assert.is(r.status, 1, `${name}: ${r.stdout}`);
    const lines = r.stderr.trim().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0], message);
  }
  // a folder given for a file (it was "cannot read file (EISDIR)")
  const folder = cli(dirname(a), a);
  assert.match(folder.stderr, /: is a folder, not a file$/m);
  // two files without any dimension: refused (printed nothing, exit 0)
  const none = cli(file('none.json', '{}'), file('none2.json', '{}'));
  assert.is(none.status, 1);
  assert.match(none.stderr, /none\.json and .*none2\.json: neither holds a diagram/);
});

test('a superlevel file against a sublevel one is refused; two sublevel files give the distance of their negations', () => {
  const sub = file('sub.json', JSON.stringify({ '0': [[-0.9, null], [-0.8, -0.3], [-0.5, -0.45]], '2': [[-0.7, -0.1]] }));
  const r = cli(a, sub);
  assert.is(r.status, 1);
  assert.match(r.stderr, /a\.json and .*sub\.json use opposite conventions: birth ≥ death \(dimension 0, pair 1: \[0\.8, 0\.3\]\) against birth ≤ death/);
  const subB = file('subB.json', JSON.stringify({ '0': [[-0.95, null], [-0.7, -0.35]], '1': [[-0.6, -0.2]] }));
  const neg = cli(sub, subB), pos = cli(a, b);
  assert.is(neg.status, 0, neg.stderr);
  assert.is(neg.stdout, pos.stdout);
});

test.after(() => rmSync(dir, { recursive: true }));
test.run();
