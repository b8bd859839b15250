// The byte writers the chunk JSON is made with (json-bytes.ts): each writes what JavaScript would.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.ts';
import { hex, hexString, JsonBytes, uint } from '../../../src-main/node/live/json-bytes.ts';

describe('json-bytes', () => {
  it('writes integers as String does, from 0 to 2^53 - 1', () => {
    const r = new Rng(9);
    const b = Buffer.alloc(32);
    const values = [2 ** 53 - 1, 2 ** 32, 2 ** 32 - 1, 2 ** 31, 1e15, 999_999_999_999_999, 1e10, 100, 99, 10, 9, 0];
    for (let v = 0; v < 20_000; v++) values.push(v);
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(r.next() * 10 ** Math.floor(r.next() * 16)));
    for (const v of values) {
      b.fill(0x20);
      const end = uint(b, 3, v);
      expect(b.toString('latin1', 3, end)).toBe(String(v));
      expect(b[2]).toBe(0x20); // nothing before
      expect(b[end]).toBe(0x20); // nor after
    }
  });

  it('writes octets as lowercase hexadecimal, bare or as a JSON string', () => {
    const src = Uint8Array.of(0, 1, 0x7f, 0x80, 0xab, 0xff);
    const b = Buffer.alloc(20);
    expect(b.toString('latin1', 0, hex(b, 0, src, 1, 5))).toBe('017f80ab');
    expect(b.toString('latin1', 0, hexString(b, 0, src, 0, 6))).toBe('"00017f80abff"');
    expect(b.toString('latin1', 0, hexString(b, 0, src, 2, 2))).toBe('""');
  });

  it('grows its block as room is reserved, keeping what was written', () => {
    const j = new JsonBytes(4);
    for (let i = 0; i < 1000; i++) {
      const b = j.reserve(3);
      j.length = uint(b, j.length, i % 10);
    }
    expect(j.text()).toBe(Array.from({ length: 1000 }, (_, i) => String(i % 10)).join(''));
    j.reset();
    expect(j.text()).toBe('');
  });
});
