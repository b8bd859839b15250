/**
 * A JSON array built element by element in a growing Buffer, for chunk rows that wait in memory
 * for seconds (session-writer.ts). Strings or arrays kept that long are promoted out of V8's young
 * generation and made the collector's work several times the cost of writing them (BENCHMARKS.md,
 * "The live lab"); bytes in a Buffer are one off-heap block, reused after each flush.
 */
export class JsonArrayBuffer {
  private buf = Buffer.allocUnsafe(1024);
  private length = 0;
  /** Elements pushed since the last `clear`. */
  count = 0;

  /** Appends one element, given as JSON text. */
  push(json: string): void {
    const need = this.length + 1 + Buffer.byteLength(json);
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    this.buf[this.length++] = this.count === 0 ? 0x5b : 0x2c; // '[' before the first, ',' between
    this.length += this.buf.write(json, this.length, 'utf8');
    this.count++;
  }

  /** The array's JSON text (`[]` when empty). */
  text(): string {
    return this.count === 0 ? '[]' : `${this.buf.toString('utf8', 0, this.length)}]`;
  }

  clear(): void {
    this.length = 0;
    this.count = 0;
  }
}
