// Shared test helpers: the process' GPU, seeded inputs, tolerant comparison, finite-difference checks, an ended pid,
// a temporary folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { type Gpu, getGpu } from '../src/gpu/device.ts';
import { Rng } from '../src/util/rng.ts';
import '../src/ops/elementwise.ts'; // registers the tape's gradient sums

export const gpu: () => Promise<Gpu> = getGpu;

/** The pid of a process that has ended (its reuse within a test is not expected): for stale temporaries and locks. */
export function endedPid(): string {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
}

/** Runs fn (sync or async) in a fresh folder `topo-shapr-NAME-…` under the system's temporary folder, removed afterwards. */
export async function inTempDir(name: string, fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `topo-shapr-${name}-`));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

/** Uniform random values in [lo, hi) from a seeded stream. */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.next();
  return a;
}

/** Awaits `p` and asserts that it rejects with an instance of `kind` whose message matches `message`. */
export async function assertRejects(p: Promise<unknown>, kind: new (...args: never[]) => Error, message: string | RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, kind);
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable(`no error (expected ${kind.name}: ${message})`);
}

/** Sizes every elementwise-style kernel must handle: 1, primes, and around the workgroup size. */
export const AWKWARD_SIZES = [1, 2, 7, 255, 256, 257, 307, 1023, 4099];

/** Asserts |a - b| <= atol + rtol |b| elementwise (NaN must match NaN, ±∞ the same ∞), naming the first offender. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6, what = ''): void {
  assert.is(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if ((Number.isNaN(e) && Number.isNaN(a)) || a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.unreachable(`${what} element ${i}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

/**
 * Like assertClose, but `got` may also be NaN where `mayBeNaN(i)`: every NaN of the ref must be there (no
 * NaN turned into a number), and no other.
 */
export function assertNaNWithin(got: Float32Array, want: Float32Array, mayBeNaN: (i: number) => boolean, rtol: number, atol: number, what: string): void {
  const extra = Array.from(got.keys()).filter((i) => Number.isNaN(got[i]) && !Number.isNaN(want[i]));
  const bad = extra.find((i) => !mayBeNaN(i));
  assert.ok(bad === undefined, `${what} element ${bad}: got NaN, expected ${want[bad ?? 0]}`);
  const keep = (a: Float32Array) => a.filter((_, i) => !extra.includes(i));
  assertClose(keep(got), keep(want), rtol, atol, what);
}

/**
 * Central finite differences of a scalar function f(x) at x, on `count` seeded coordinates (all if
 * count >= x.length), compared with the analytic gradient. f is evaluated in float64 by the caller's choice.
 */
export async function checkGradient(
  f: (x: Float32Array) => Promise<number> | number,
  x: Float32Array,
  analytic: Float32Array,
  { eps = 1e-2, rtol = 2e-2, atol = 1e-3, count = 24, seed = 1 } = {},
): Promise<void> {
  const r = new Rng(seed);
  const idx = count >= x.length ? [...x.keys()] : Array.from({ length: count }, () => r.int(x.length));
  for (const i of idx) {
    const xp = x.slice();
    const xm = x.slice();
    xp[i] += eps;
    xm[i] -= eps;
    const fd = ((await f(xp)) - (await f(xm))) / (2 * eps);
    const an = analytic[i];
    if (!(Math.abs(fd - an) <= atol + rtol * Math.abs(fd))) {
      assert.unreachable(`gradient at ${i}: finite difference ${fd}, analytic ${an}`);
    }
  }
}
