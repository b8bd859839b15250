// The generic payload header chain (RFC 7296 3.2): Next Payload, Critical bit, lengths, SK last.
import { describe, expect, it } from 'vitest';
import { Reader } from '../../../../src-main/core/bytes/cursor.ts';
import { toHex } from '../../../../src-main/core/bytes/hex.ts';
import { PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { decodeInnerPayloads, encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { decodePayloads, firstPayloadType, payloadsLength } from '../../../../src-main/core/ike/wire/payload-chain.ts';
import type { Payload } from '../../../../src-main/core/ike/wire/payloads.ts';
import { expectEveryPrefixRejected, fixture } from './codec.ts';

const NONCE = fixture('00112233445566778899aabbccddeeff');

// Inner payloads of a DPD-style INFORMATIONAL with a Delete: N(INITIAL_CONTACT), D(IKE).
const GOLDEN = fixture(`
  2a 00 0008    // N: Next Payload 42 (D), C=0, Payload Length 8
  00 00 4000    //   Protocol ID 0, SPI Size 0, INITIAL_CONTACT (16384)
  28 00 0008    // D: Next Payload 40 (Nonce), Payload Length 8
  01 00 0000    //   IKE SA, SPI Size 0, no SPIs
  00 00 0014    // Nonce: Next Payload NONE, Payload Length 20
  00112233445566778899aabbccddeeff
`);

const VALUE: Payload[] = [
  { type: PayloadType.N, protocolId: 0, spi: new Uint8Array(0), notifyType: 16384, data: new Uint8Array(0) },
  { type: PayloadType.D, protocolId: 1, spiSize: 0, spis: [] },
  { type: PayloadType.Nonce, data: NONCE },
];

const decode = (b: Uint8Array, first: number = PayloadType.N) => decodePayloads(new Reader(b), first);

describe('payload chain', () => {
  it('golden chain: Next Payload links each payload to the next, lengths filled in', () => {
    expect(toHex(encodeInnerPayloads(VALUE))).toBe(toHex(GOLDEN));
    expect(payloadsLength(VALUE)).toBe(GOLDEN.length);
    expect(firstPayloadType(VALUE)).toBe(PayloadType.N);
    expect(firstPayloadType([])).toBe(PayloadType.NONE);
    const d = decode(GOLDEN);
    expect(d.ok && d.value.payloads).toEqual(VALUE);
    expect(d.ok && d.value.bodies.map(toHex)).toEqual(['00004000', '01000000', toHex(NONCE)]);
    expectEveryPrefixRejected(GOLDEN, (b) => decode(b));
  });

  it('an empty chain (first type NONE) needs an empty body', () => {
    expect(decode(new Uint8Array(0), PayloadType.NONE)).toEqual({ ok: true, value: { payloads: [], bodies: [], skipped: [] } });
    expect(decode(new Uint8Array(1), PayloadType.NONE)).toMatchObject({ ok: false, reason: 'trailing-bytes' });
  });

  it('skips an unknown payload without the Critical bit, and records its type', () => {
    const raw = fixture('28 00 0006 abcd  00 00 0014' + toHex(NONCE));
    const d = decode(raw, 200);
    expect(d.ok && d.value).toMatchObject({ payloads: [{ type: PayloadType.Nonce }], skipped: [200] });
    const twoUnknown = fixture('80 00 0006 abcd  00 00 0014' + toHex(NONCE)); // types 200, then 128
    expect(decode(twoUnknown, 200)).toEqual({ ok: true, value: { payloads: [], bodies: [], skipped: [200, 128] } });
  });

  it('refuses an unknown payload with the Critical bit, naming its type', () => {
    const b = fixture('28 80 0006 abcd  00 00 0014' + toHex(NONCE));
    expect(decode(b, 200)).toMatchObject({ ok: false, reason: 'unsupported-critical-payload', payloadType: 200 });
  });

  it('ignores the Critical bit on known payloads (RFC 7296 3.2)', () => {
    const b = fixture('00 80 0014' + toHex(NONCE));
    expect(decode(b, PayloadType.Nonce).ok).toBe(true);
  });

  it('rejects a Payload Length below 4 or past the end', () => {
    expect(decode(fixture('00 00 0003'), PayloadType.Nonce)).toMatchObject({ ok: false, reason: 'bad-payload-length', payloadType: 40 });
    expect(decode(fixture('00 00 0015' + toHex(NONCE)), PayloadType.Nonce)).toMatchObject({ ok: false, reason: 'bad-payload-length' });
  });

  it('a Next Payload that promises more than the bytes hold is truncated', () => {
    expect(decode(fixture('28 00 0014' + toHex(NONCE)), PayloadType.Nonce)).toMatchObject({ ok: false, reason: 'truncated', payloadType: 40 });
  });

  it('names the payload whose body is malformed', () => {
    expect(decode(fixture('00 00 0008 00112233'), PayloadType.Nonce)).toMatchObject({ ok: false, reason: 'malformed-payload', payloadType: 40 });
  });

  it('SK must be last; its Next Payload is the first inner payload', () => {
    const sk = fixture('23 00 0008 a1a2a3a4');
    const d = decode(sk, PayloadType.SK);
    expect(d.ok && d.value.payloads).toEqual([{ type: PayloadType.SK, firstInner: PayloadType.IDi, body: fixture('a1a2a3a4') }]);
    const notLast = fixture('23 00 0008 a1a2a3a4  00 00 0014' + toHex(NONCE));
    expect(decode(notLast, PayloadType.SK)).toMatchObject({ ok: false, reason: 'sk-not-last', payloadType: 46 });
    expect(decodeInnerPayloads(sk, PayloadType.SK)).toMatchObject({ ok: false, reason: 'sk-not-last' });
  });

  it('the encoder puts SK last and writes its first inner type', () => {
    const sk = { type: PayloadType.SK, firstInner: PayloadType.D, body: fixture('a1a2') } as const;
    expect(toHex(encodeInnerPayloads([VALUE[2]!, sk]))).toBe(`2e000014${toHex(NONCE)}2a000006a1a2`);
    expect(() => encodeInnerPayloads([sk, VALUE[2]!])).toThrow(/payloads\[0\]: an SK payload must be the last one/);
  });

  it('refuses a body too large for a 16-bit Payload Length', () => {
    const v = { type: PayloadType.V, vendorId: new Uint8Array(0xfffc) } as const;
    expect(() => encodeInnerPayloads([v])).toThrow(/vendor.vendorId/);
    const n = { type: PayloadType.N, protocolId: 0, spi: new Uint8Array(0), notifyType: 1, data: new Uint8Array(0xfffc) } as const;
    expect(() => encodeInnerPayloads([n])).toThrow(/payloads\[0\]: N body of 65536 bytes exceeds 65531/);
  });
});
