// The three kernels of shaders/topo/union_find.wgsl one at a time against union_find.ref.ts: odd shapes
// down to one voxel, ties and −0 beside +0, constant volumes, both connectivities, both directions, a
// volume that is not the first of its buffer, a record buffer that overflows, and NaN (which must keep
// every pointer in range). Each kernel gets the reference's inputs, so a fault is pinned to one kernel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gpu } from '../helpers.ts';
import { allocBuffer, readBuffer, releaseBuffer, upload, writeBuffer } from '../../src/gpu/buffers.ts';
import { ascend, edges, jump, jumpRounds, type BasinParams } from '../../src/topo/union_find.ts';
import { ascendRef, edgesRef, jumpRef } from '../../src/topo/union_find.ref.ts';
import { Rng } from '../../src/util/rng.ts';

const SHAPES: Array<[number, number, number]> = [[1, 1, 1], [1, 1, 7], [2, 3, 1], [3, 11, 7], [5, 5, 5], [4, 9, 17], [9, 9, 9]];
const KINDS = ['noise', 'three levels', '±0 plateaus', 'constant'] as const;
const SENTINEL = 0xdeadbeef;

function volume(kind: (typeof KINDS)[number], n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => {
    if (kind === 'noise') return rng.next();
    if (kind === 'three levels') return rng.int(3) / 3;
    if (kind === '±0 plateaus') return rng.next() < 0.6 ? (rng.next() < 0.5 ? -0 : 0) : rng.int(2) + 1;
    return 0.25;
  });
}

/** The basins: ascendRef's pointers jumped until nothing moves. */
function rootsRef(labels: Uint32Array): Uint32Array {
  for (;;) {
    const next = jumpRef(labels);
    if (next.every((l, i) => l === labels[i])) return labels;
    labels = next;
  }
}

/** A buffer of `words` sentinel words: whatever a kernel must not touch stays SENTINEL. */
function dirty(g: Awaited<ReturnType<typeof gpu>>, words: number): GPUBuffer {
  const buf = allocBuffer(g, 4 * words);
  writeBuffer(g, buf, new Uint32Array(words).fill(SENTINEL));
  return buf;
}

/** Every case: one volume placed second in a buffer of two, so the kernels' base offset is exercised. */
function* cases(seed: number): Generator<{ values: Float32Array; both: Float32Array; p: BasinParams; what: string }> {
  const rng = new Rng(seed);
  for (const shape of SHAPES) {
    const n = shape[0] * shape[1] * shape[2];
    for (const kind of KINDS) {
      const values = volume(kind, n, rng);
      const both = new Float32Array(2 * n);
      both.set(volume('noise', n, rng)); // the other volume of the buffer, which no kernel may read
      both.set(values, n);
      for (const conn of [6, 26] as const) {
        for (const reverse of [false, true]) {
          const p: BasinParams = { shape, conn, reverse, base: n, segment: 1, first: 4, cap: 27 * n };
          yield { values, both, p, what: `[${shape}] ${kind} conn ${conn}${reverse ? ' reverse' : ''}` };
        }
      }
    }
  }
}

test('ascend equals the ref (labelOut[n] = n written into a dirty buffer)', async () => {
  const g = await gpu();
  let cmp = 0;
  for (const { values, both, p, what } of cases(1)) {
    const n = values.length;
    const vols = upload(g, both);
    const out = dirty(g, n + 1);
    ascend(g, p, vols, out);
    assert.equal([...(await readBuffer(g, out, n + 1, Uint32Array))], [...ascendRef(values, p)], what);
    cmp++;
    releaseBuffer(g, vols);
    releaseBuffer(g, out);
  }
  assert.is(cmp, SHAPES.length * KINDS.length * 4);
});

test('jump equals the ref on arbitrary pointers, and enough rounds flatten any chain', async () => {
  const g = await gpu();
  const rng = new Rng(2);
  for (const n of [1, 2, 63, 64, 65, 1000]) {
    const p: BasinParams = { shape: [1, 1, n], conn: 6, reverse: false, base: 0, segment: 0, first: 0, cap: 0 };
    const labels = Uint32Array.from({ length: n + 1 }, () => rng.int(n + 1));
    const inBuf = upload(g, labels);
    const outBuf = dirty(g, n + 1);
    jump(g, p, inBuf, outBuf);
    assert.equal([...(await readBuffer(g, outBuf, n + 1, Uint32Array))], [...jumpRef(labels)], `n ${n} random pointers`);
    // the deepest forest: a chain n−1 → n−2 → … → 0, each voxel pointing at the one before it
    const chain = Uint32Array.from({ length: n + 1 }, (_, v) => (v === 0 || v === n ? v : v - 1));
    writeBuffer(g, inBuf, chain);
    let [a, c] = [inBuf, outBuf];
    for (let r = jumpRounds(n); r > 0; r--) {
      jump(g, p, a, c);
      [a, c] = [c, a];
    }
    const flat = await readBuffer(g, a, n + 1, Uint32Array);
    assert.equal([...flat], [...rootsRef(chain)], `n ${n} chain after ${jumpRounds(n)} rounds`);
    assert.ok(flat.subarray(0, n).every((l) => l === 0), `n ${n}: every voxel reaches the chain's root`);
    releaseBuffer(g, inBuf);
    releaseBuffer(g, outBuf);
  }
});

test('edges equals the ref: the same records, the counter, and nothing written outside its segment', async () => {
  const g = await gpu();
  let records = 0;
  for (const { values, both, p, what } of cases(3)) {
    const roots = rootsRef(ascendRef(values, p));
    const want = edgesRef(values, p, roots);
    const words = p.first + 3 * p.cap;
    const vols = upload(g, both);
    const labels = upload(g, roots);
    const out = dirty(g, words);
    writeBuffer(g, out, Uint32Array.of(SENTINEL, 0)); // segment 1's counter starts at 0; segment 0's is not ours
    edges(g, p, vols, labels, out);
    const got = await readBuffer(g, out, words, Uint32Array);
    assert.is(got[0], SENTINEL, `${what}: another segment's counter`);
    assert.is(got[1], want.length, `${what}: count`);
    const triples = (a: ArrayLike<number>, m: number) => Array.from({ length: m }, (_, r) => `${a[3 * r]},${a[3 * r + 1]},${a[3 * r + 2]}`);
    assert.equal(triples(got.subarray(p.first), want.length).sort(), want.map((r) => r.join(',')).sort(), what);
    assert.ok(got.subarray(p.first + 3 * want.length).every((x) => x === SENTINEL), `${what}: written past the records`);
    records += want.length;
    for (const buf of [vols, labels, out]) releaseBuffer(g, buf);
  }
  assert.ok(records > 5000, `only ${records} records compared`);
});

test('edges past its room: the counter counts every record, and only `cap` of them are written', async () => {
  const g = await gpu();
  const values = volume('noise', 5 * 5 * 5, new Rng(4));
  const base: BasinParams = { shape: [5, 5, 5], conn: 26, reverse: false, base: 0, segment: 0, first: 4, cap: 0 };
  const roots = rootsRef(ascendRef(values, base));
  const want = new Set(edgesRef(values, base, roots).map((r) => r.join(',')));
  assert.ok(want.size > 40, `${want.size} records`);
  for (const cap of [0, 1, Math.floor(want.size / 2), want.size - 1]) {
    const p = { ...base, cap };
    const words = p.first + 3 * cap + 30;
    const vols = upload(g, values);
    const labels = upload(g, roots);
    const out = dirty(g, words);
    writeBuffer(g, out, Uint32Array.of(0));
    edges(g, p, vols, labels, out);
    const got = await readBuffer(g, out, words, Uint32Array);
    assert.is(got[0], want.size, `cap ${cap}: the counter`);
    const written = Array.from({ length: cap }, (_, r) => Array.from(got.subarray(p.first + 3 * r, p.first + 3 * r + 3)).join(','));
    assert.ok(written.every((r) => want.has(r)), `cap ${cap}: a written record is not one of the ref's`);
    assert.is(new Set(written).size, cap, `cap ${cap}: a record written twice`);
    assert.ok(got.subarray(p.first + 3 * cap).every((x) => x === SENTINEL), `cap ${cap}: written past the room`);
    for (const buf of [vols, labels, out]) releaseBuffer(g, buf);
  }
});

test('NaN in a volume: whatever the comparisons give, every pointer and record stays in range', async () => {
  const g = await gpu();
  const shape: [number, number, number] = [4, 5, 6];
  const n = 120;
  const values = volume('noise', n, new Rng(5));
  for (const i of [0, 7, 59, 119]) values[i] = NaN;
  for (const conn of [6, 26] as const) {
    for (const reverse of [false, true]) {
      const p: BasinParams = { shape, conn, reverse, base: 0, segment: 0, first: 4, cap: 27 * n };
      const vols = upload(g, values);
      let [a, c] = [dirty(g, n + 1), dirty(g, n + 1)];
      ascend(g, p, vols, a);
      for (let r = jumpRounds(n); r > 0; r--) {
        jump(g, p, a, c);
        [a, c] = [c, a];
      }
      const out = dirty(g, p.first + 3 * p.cap);
      writeBuffer(g, out, Uint32Array.of(0));
      edges(g, p, vols, a, out);
      const labels = await readBuffer(g, a, n + 1, Uint32Array);
      const recs = await readBuffer(g, out, p.first + 3 * p.cap, Uint32Array);
      const what = `conn ${conn}${reverse ? ' reverse' : ''}`;
      assert.ok(labels.every((l) => l <= n), `${what}: a label out of range`);
      assert.ok(recs[0] <= 26 * n, `${what}: ${recs[0]} records`);
      for (let r = 0; r < recs[0]; r++) {
        const [v, lv, lu] = recs.subarray(p.first + 3 * r, p.first + 3 * r + 3);
        assert.ok(v < n && lv <= n && lu <= n, `${what}: record ${r} out of range`);
      }
      for (const buf of [vols, a, c, out]) releaseBuffer(g, buf);
    }
  }
});

test.run();
