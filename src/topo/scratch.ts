// Scratch typed arrays reused across calls of the CPU persistence path: at 16³ allocating, zeroing and
// collecting the grid-sized arrays (33³ cells) every call costs a few per cent of it, so small arrays are
// kept per module and handed out again; the path is synchronous, so no two calls share one at a time.
// NOTE: arrays above MAX_REUSED elements (512 KiB of int32) are allocated fresh every call: from 32³ up the
// grid-sized arrays are, so 64³ and up allocate (and peak) as before, and a process keeps at most a few MB.
const MAX_REUSED = 1 << 17;

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
