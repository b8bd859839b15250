/**
 * A JSON array built element by element in a growing Buffer (json-bytes.ts), for chunk rows that
 * wait in memory for seconds (session-writer.ts). Strings or arrays kept that long are promoted
 * out of V8's young generation and made the collector's work several times the cost of writing
 * them (BENCHMARKS.md, "The live lab"); bytes in a Buffer are one off-heap block, reused after
 * each flush.
 */
import { JsonBytes } from './json-bytes.ts';

export class JsonArrayBuffer {
  private readonly bytes = new JsonBytes(1024);
  /** Elements pushed since the last `clear`. */
  count = 0;

  /** Appends one element, given as JSON text. */
  push(json: string): void {
    const out = this.bytes;
    const b = out.reserve(1 + Buffer.byteLength(json));
    b[out.length++] = this.count === 0 ? 0x5b : 0x2c; // '[' before the first, ',' between
    out.length += b.write(json, out.length, 'utf8');
    this.count++;
  }

  /** The array's JSON text (`[]` when empty). */
  text(): string {
    return this.count === 0 ? '[]' : `${this.bytes.text()}]`;
  }

  clear(): void {
    this.bytes.reset();
    this.count = 0;
  }
}
