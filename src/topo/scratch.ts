// Scratch typed arrays reused across calls of the CPU persistence path. At 16³ a call spends as much on
// allocating, zeroing and collecting its grid-sized arrays (33³ cells) as on the sweeps, so small arrays
// are kept per module and handed out again; the path is synchronous, so no two calls share one at a time.
// NOTE: arrays above MAX_REUSED elements are allocated fresh every call (64³ and up behave as before and
// no process keeps tens of MB alive after one large call).
const MAX_REUSED = 1 << 20;

/** A reusable Int32Array slot: take(n) returns n elements, zeroed only if `zero` (else contents are stale). */
export class ScratchInt32 {
  private a = new Int32Array(0);
  take(n: number, zero: boolean): Int32Array {
    if (n > MAX_REUSED) return new Int32Array(n);
    if (this.a.length < n) {
      this.a = new Int32Array(n);
      return this.a;
    }
    const out = this.a.length === n ? this.a : this.a.subarray(0, n);
    if (zero) out.fill(0);
    return out;
  }
}

/** A reusable Uint8Array slot (see ScratchInt32). */
export class ScratchUint8 {
  private a = new Uint8Array(0);
  take(n: number, zero: boolean): Uint8Array {
    if (n > MAX_REUSED) return new Uint8Array(n);
    if (this.a.length < n) {
      this.a = new Uint8Array(n);
      return this.a;
    }
    const out = this.a.length === n ? this.a : this.a.subarray(0, n);
    if (zero) out.fill(0);
    return out;
  }
}
