// ICMP Echo (RFC 792): the request parsed, the reply built byte for byte, and non-echo or damaged
// messages dropped with their reason.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { decodeEchoRequest, encodeEchoReply, encodeIcmpEcho, IcmpType } from '../../../src-main/core/inner/icmp.ts';
import { CLIENT, h, HOST, PING, PING_REPLY, refChecksum, u16 } from './fixtures.ts';

const MSG = PING.subarray(20);

describe('ICMP echo', () => {
  it('golden: parses the hand-checked Echo Request', () => {
    const e = decodeEchoRequest(MSG);
    expect(e).toMatchObject({ ok: true, type: 8, code: 0, identifier: 0x0a0b, sequence: 1 });
    if (e.ok) expect(new TextDecoder().decode(e.data)).toBe('WakeLab!');
  });

  it('golden: the reply swaps addresses, sets Type 0, echoes the rest, checksum recomputed', () => {
    const reply = encodeEchoReply({ src: CLIENT, dst: HOST, tos: 0 }, MSG, 0);
    expect(toHex(reply)).toBe(toHex(PING_REPLY));
    const icmp = reply.subarray(20);
    expect(icmp[0]).toBe(IcmpType.ECHO_REPLY);
    expect(u16(icmp, 2)).toBe(refChecksum(new Uint8Array([...icmp.subarray(0, 2), 0, 0, ...icmp.subarray(4)])));
  });

  it('keeps DSCP and clears ECN in the reply (RFC 3168 5)', () => {
    const reply = encodeEchoReply({ src: CLIENT, dst: HOST, tos: 0xb9 }, MSG, 7);
    expect(reply[1]).toBe(0xb8);
  });

  it('encodeIcmpEcho builds the same message as the capture; odd data lengths verify', () => {
    expect(toHex(encodeIcmpEcho(IcmpType.ECHO_REQUEST, 0x0a0b, 1, h('57616b654c616221')))).toBe(toHex(MSG));
    for (let n = 0; n < 9; n++) {
      const m = encodeIcmpEcho(8, n, 0xffff, new Uint8Array(n).fill(0xa5));
      expect(decodeEchoRequest(m).ok, `data ${n}`).toBe(true);
    }
  });

  it('answers an Echo Request of any Code (replying with Code 0)', () => {
    const m = encodeIcmpEcho(8, 1, 2, h('00'), 5);
    expect(decodeEchoRequest(m)).toMatchObject({ ok: true, code: 5 });
    expect(encodeEchoReply({ src: CLIENT, dst: HOST, tos: 0 }, m, 0)[21]).toBe(0);
  });

  it('drops short, damaged and non-echo messages with their reason', () => {
    for (let n = 0; n < 8; n++) expect(decodeEchoRequest(MSG.subarray(0, n)), `prefix ${n}`).toEqual({ ok: false, reason: 'bad-header' });
    for (let i = 0; i < MSG.length; i++) {
      const b = MSG.slice();
      b[i] = b[i]! ^ 0x10;
      expect(decodeEchoRequest(b), `byte ${i}`).toEqual({ ok: false, reason: 'bad-checksum' });
    }
    expect(decodeEchoRequest(MSG.subarray(0, 15))).toEqual({ ok: false, reason: 'bad-checksum' });
    // Echo Reply, Destination Unreachable (3), Timestamp (13): silently discarded (RFC 1122 3.2.2).
    for (const type of [0, 3, 13]) {
      expect(decodeEchoRequest(encodeIcmpEcho(type, 1, 1, h('0102'))), `type ${type}`).toEqual({ ok: false, reason: 'unsupported-icmp' });
    }
  });
});
