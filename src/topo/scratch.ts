// Scratch typed arrays reused across calls of the CPU persistence path: at 16³ allocating, zeroing and
// collecting the grid-sized arrays (33³ cells) every call costs a few per cent of it, so small arrays are
// kept per module and handed out again; the path is synchronous, so no two calls share one at a time.
// NOTE: arrays above MAX_REUSED elements (32 MiB of int32) are allocated fresh every call. Up to 64³ every
// grid-sized array is reused (a process working on 64³ volumes keeps ~30 MB): a fresh one costs a page fault
// per 4 KiB on first touch, ~10% of a 64³ smooth call in alternating runs; 128³ (34M-cell grids) allocates
// (and peaks) as before.
const MAX_REUSED = 1 << 23;

/** A reusable typed-array slot: take(n) returns n elements, zeroed only if `zero` (else contents are stale). */
class Scratch<T extends Int32Array | Uint8Array> {
  private a: T;
  constructor(private readonly make: (n: number) => T) {
    this.a = make(0);
  }
  take(n: number, zero: boolean): T {
    if (n > MAX_REUSED) return this.make(n);
    if (this.a.length < n) {
      this.a = this.make(n);
      return this.a;
    }
    const out = this.a.length === n ? this.a : (this.a.subarray(0, n) as T);
    if (zero) out.fill(0);
    return out;
  }
}

export const scratchInt32 = () => new Scratch((n) => new Int32Array(n));
export const scratchUint8 = () => new Scratch((n) => new Uint8Array(n));
