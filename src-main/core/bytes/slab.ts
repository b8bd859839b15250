/**
 * Small byte arrays cut from 64 KiB slabs: an ArrayBuffer of its own per packet cost more than
 * framing or decrypting a small one (BENCHMARKS.md, "ESP per packet"). Each array is a view with
 * its own place in a slab that is never reused, only dropped once full, so nothing aliases and a
 * slab starts zeroed; an array kept alive keeps its slab alive. Large arrays get their own buffer.
 * Each caller makes its own allocator, so a slab holds only that caller's arrays.
 */
export function slabAllocator(slabBytes = 64 * 1024): (n: number) => Uint8Array {
  let slab = new ArrayBuffer(slabBytes);
  let at = 0;
  return (n: number): Uint8Array => {
    if (n > slabBytes / 4) return new Uint8Array(n);
    if (at + n > slabBytes) {
      slab = new ArrayBuffer(slabBytes);
      at = 0;
    }
    const out = new Uint8Array(slab, at, n);
    at += (n + 7) & ~7;
    return out;
  };
}
