// Issue 4: bad input never crashes the responder and never gets an answer it should not.
// Framing: truncated and oversized datagrams, wrong lengths (RFC 7296 3.1, 3.2), unknown critical
// payloads (2.5), stray SPIs (2.21.4). Every case checks the exact answer (or silence) and the
// drop reason counted (architecture.md, "Habits that follow" 2).
// Exchanges (4-6, 10, 11) are in bad-input-exchanges.test.ts; message IDs, ICVs, keepalives in
// bad-input-state.test.ts.
import { describe, expect, it } from 'vitest';
import { concatBytes as concat, toHex } from '../../../src-main/core/bytes/hex.ts';
import { ExchangeType, NotifyError, NotifyStatus, PayloadType as T } from '../../../src-main/core/ike/constants.ts';
import { notify } from '../../../src-main/core/ike/exchanges/build.ts';
import type { Payload } from '../../../src-main/core/ike/wire/payloads.ts';
import {
  authPayloads, chainOf, CLI_IKE, CLI_NATT, dropsOf, established, feed, GW_IKE, GW_NATT, halfOpen, ike, openResponse,
  prependUnknown, seal, sealRawRequest, sent, withUnknownFirst,
} from './support/craft.ts';
import { Ladder } from './support/net.ts';

const types = (payloads: readonly Payload[]) => payloads.map((p) => p.type);
/** Bytes that are no protocol at all. */
const garbage = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
const withU32 = (b: Uint8Array, at: number, v: number) => {
  const out = b.slice();
  new DataView(out.buffer).setUint32(at, v);
  return out;
};
const withU16 = (b: Uint8Array, at: number, v: number) => {
  const out = b.slice();
  new DataView(out.buffer).setUint16(at, v);
  return out;
};
/** Offsets of each generic payload header in an IKE message without marker (at `base` when marked). */
function payloadOffsets(message: Uint8Array, base = 0): number[] {
  const v = new DataView(message.buffer, message.byteOffset);
  const at: number[] = [];
  for (let o = base + 28, type = message[base + 16]!; type !== T.NONE; ) {
    at.push(o);
    if (type === T.SK) break; // its Next Payload names the first inner payload
    type = message[o]!;
    o += v.getUint16(o + 2);
  }
  return at;
}

/** The client's IKE_SA_INIT request (port 500) of a fresh Ladder, not yet delivered. */
function initRequest(): { l: Ladder; init: Uint8Array } {
  const l = new Ladder();
  l.connect();
  return { l, init: l.wire[0]!.send.bytes };
}

/** The client's IKE_AUTH request (port 4500, with the non-ESP marker) that the half-open SA has not seen. */
function authRequest() {
  const { l, sa } = halfOpen();
  const auth = sent(l, 'i').find((x) => x.d.header.exchangeType === ExchangeType.IKE_AUTH)!.send.bytes;
  return { l, sa, auth };
}

describe('truncated and oversized datagrams (RFC 7296 3.1, 3.2)', () => {
  it('drops every strict prefix of a real IKE_SA_INIT request: no answer, no state', () => {
    const { l, init } = initRequest();
    const r = l.responder;
    for (let n = 0; n < init.length; n++) {
      const f = feed(r, 0, init.subarray(0, n), CLI_IKE, GW_IKE);
      expect(f.sends, `prefix ${n}`).toEqual([]);
      expect(f.events, `prefix ${n}`).toEqual([expect.objectContaining({ kind: 'drop', reason: n < 28 ? 'truncated' : 'bad-length', from: CLI_IKE })]);
    }
    expect(dropsOf(r)).toEqual({ truncated: 28, 'bad-length': init.length - 28 });
    expect(r.ikeSas).toEqual([]);
    // The whole request still gets its answer: the prefixes left nothing behind.
    const f = feed(r, 0, init, CLI_IKE, GW_IKE);
    expect(types(ike(f.sends[0]!.bytes, false).payloads)).toEqual([T.SA, T.KE, T.Nonce, T.N, T.N]);
  });

  it('drops every strict prefix of a real IKE_AUTH request on the NAT-T port: no answer, SA untouched', () => {
    const { l, sa, auth } = authRequest();
    const r = l.responder;
    // 4 bytes of non-ESP marker and 28 of IKE header are needed before the Length can be compared.
    for (let n = 0; n < auth.length; n++) {
      const f = feed(r, 5, auth.subarray(0, n), CLI_NATT, GW_NATT);
      expect(f.sends, `prefix ${n}`).toEqual([]);
      expect(f.events, `prefix ${n}`).toEqual([expect.objectContaining({ kind: 'drop', reason: n < 32 ? 'truncated' : 'bad-length' })]);
    }
    expect(dropsOf(r)).toEqual({ truncated: 32, 'bad-length': auth.length - 32 });
    expect(sa).toMatchObject({ state: 'half-open', expectId: 1, lastInbound: 0, natt: false });
    const f = feed(r, 5, auth, CLI_NATT, GW_NATT);
    expect(f.events.map((e) => e.kind)).toContain('ike-up');
    expect(sa).toMatchObject({ state: 'established', expectId: 2 });
  });

  const oversized: [string, (init: Uint8Array, auth: Uint8Array) => [Uint8Array, 'ike' | 'natt'], string][] = [
    ['IKE_SA_INIT + 16 bytes, Length as sent', (i) => [concat(i, garbage(16)), 'ike'], 'bad-length'],
    ['IKE_SA_INIT + 16 bytes, Length counting them', (i) => [withU32(concat(i, garbage(16)), 24, i.length + 16), 'ike'], 'trailing-bytes'],
    ['IKE_SA_INIT grown to 64 KiB, Length as sent', (i) => [concat(i, garbage(65536 - i.length)), 'ike'], 'bad-length'],
    ['IKE_SA_INIT grown to 64 KiB, Length counting it', (i) => [withU32(concat(i, garbage(65536 - i.length)), 24, 65536), 'ike'], 'trailing-bytes'],
    ['IKE_AUTH + 16 bytes, Length as sent', (_, a) => [concat(a, garbage(16)), 'natt'], 'bad-length'],
    // The SK payload must end the message (3.14): bytes after it, even counted in Length, are refused.
    ['IKE_AUTH grown to 64 KiB, Length counting it', (_, a) => [withU32(concat(a, garbage(65536 - a.length)), 4 + 24, 65536 - 4), 'natt'], 'sk-not-last'],
    ['64 KiB of zeros on port 500', () => [new Uint8Array(65536), 'ike'], 'bad-version'],
    ['64 KiB of zeros on the NAT-T port (marker, then a zero IKE header)', () => [new Uint8Array(65536), 'natt'], 'bad-version'],
  ];

  it.each(oversized)('drops %s, answers nothing', (_name, make, reason) => {
    const { l, sa, auth } = authRequest();
    const init = l.wire[0]!.send.bytes;
    const [bytes, port] = make(init, auth);
    const f = port === 'ike' ? feed(l.responder, 5, bytes, CLI_IKE, GW_IKE) : feed(l.responder, 5, bytes, CLI_NATT, GW_NATT);
    expect(f.sends).toEqual([]);
    expect(f.events).toEqual([expect.objectContaining({ kind: 'drop', reason })]);
    expect(dropsOf(l.responder)).toEqual({ [reason]: 1 });
    expect(l.responder.ikeSas).toEqual([sa]);
    expect(sa).toMatchObject({ state: 'half-open', expectId: 1, lastInbound: 0 });
  });
});

describe('wrong lengths (RFC 7296 3.1, 3.2)', () => {
  it('drops an IKE header Length that is not the size of the message, on either port', () => {
    const { l, sa, auth } = authRequest();
    const init = l.wire[0]!.send.bytes;
    const r = l.responder;
    for (const length of [init.length + 1, init.length - 1, 0, 28, 0xffffffff]) {
      const f = feed(r, 5, withU32(init, 24, length), CLI_IKE, GW_IKE);
      expect(f.sends, `Length ${length}`).toEqual([]);
    }
    for (const length of [auth.length - 4 + 1, auth.length - 4 - 1]) {
      const f = feed(r, 5, withU32(auth, 4 + 24, length), CLI_NATT, GW_NATT);
      expect(f.sends, `Length ${length}`).toEqual([]);
    }
    expect(dropsOf(r)).toEqual({ 'bad-length': 7 });
    expect(r.ikeSas).toEqual([sa]);
    expect(sa).toMatchObject({ state: 'half-open', expectId: 1 });
  });

  it('drops a generic payload header Length below 4, past the end, or cutting the chain short', () => {
    const { l, init } = initRequest();
    const r = l.responder;
    const at = payloadOffsets(init);
    expect(at).toHaveLength(5); // SA, KE, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)
    const len = (i: number) => new DataView(init.buffer).getUint16(at[i]! + 2);
    const last = at.length - 1;
    const cases: [string, Uint8Array, string][] = [
      ['SA Length 0', withU16(init, at[0]! + 2, 0), 'bad-payload-length'],
      ['SA Length 3', withU16(init, at[0]! + 2, 3), 'bad-payload-length'],
      ['SA Length past the end', withU16(init, at[0]! + 2, init.length - at[0]! + 1), 'bad-payload-length'],
      ['SA Length 4 short: its last transform is cut', withU16(init, at[0]! + 2, len(0) - 4), 'malformed-payload'],
      ['last N Length 1 long', withU16(init, at[last]! + 2, len(last) + 1), 'bad-payload-length'],
      ['last N Length 4 short: 4 bytes follow the chain', withU16(init, at[last]! + 2, len(last) - 4), 'trailing-bytes'],
    ];
    for (const [name, bytes, reason] of cases) {
      const f = feed(r, 0, bytes, CLI_IKE, GW_IKE);
      expect(f.sends, name).toEqual([]);
      expect(f.events, name).toEqual([expect.objectContaining({ kind: 'drop', reason })]);
    }
    expect(r.ikeSas).toEqual([]);
  });

  it('drops an SK payload whose Length runs past the message or stops before its end', () => {
    const { l, sa, auth } = authRequest();
    const r = l.responder;
    const [sk] = payloadOffsets(auth, 4);
    const skLength = new DataView(auth.buffer).getUint16(sk! + 2);
    expect(feed(r, 5, withU16(auth, sk! + 2, skLength + 1), CLI_NATT, GW_NATT).sends).toEqual([]);
    expect(feed(r, 5, withU16(auth, sk! + 2, skLength - 1), CLI_NATT, GW_NATT).sends).toEqual([]);
    expect(dropsOf(r)).toEqual({ 'bad-payload-length': 1, 'sk-not-last': 1 });
    expect(sa).toMatchObject({ state: 'half-open', expectId: 1 });
  });

  // 2.21.2, 3.10.1: once the ICV verifies, a badly formed request gets INVALID_SYNTAX in the
  // protected response (strongSwan: task_manager_v2.c parse_message, PARSE_ERROR).
  it('answers an authentic IKE_AUTH whose inner IDi Length runs past the chain with an encrypted N(INVALID_SYNTAX)', () => {
    const { l, sa } = halfOpen();
    const payloads = authPayloads(l, sa);
    const chain = withU16(chainOf(payloads), 2, 0xfff0); // IDi is first
    const f = feed(l.responder, 5, sealRawRequest(sa, ExchangeType.IKE_AUTH, 1, T.IDi, chain), CLI_NATT, GW_NATT);
    expect(dropsOf(l.responder)).toEqual({ 'malformed-inner': 1 });
    expect(f.sends).toHaveLength(1);
    const resp = openResponse(sa, f.sends[0]!.bytes);
    expect(resp.header).toMatchObject({ exchangeType: ExchangeType.IKE_AUTH, response: true, initiator: false, messageId: 1 });
    expect(resp.payloads).toEqual([notify(NotifyError.INVALID_SYNTAX)]);
    expect(f.events.map((e) => e.kind)).not.toContain('ike-up');
  });
});

describe('unknown payloads (RFC 7296 2.5, 3.2)', () => {
  const PRIVATE_USE = 200; // 128-255: private use, unknown to this codec

  it('answers an unknown critical payload in IKE_SA_INIT with an unprotected N(UNSUPPORTED_CRITICAL_PAYLOAD) carrying its type, and keeps no state', () => {
    // IKE_SA_INIT { #200(C), SA, KE, Ni, N(NAT_D) } -->  <-- { N(UNSUPPORTED_CRITICAL_PAYLOAD, 200) }
    const { l, init } = initRequest();
    const f = feed(l.responder, 0, withUnknownFirst(init, PRIVATE_USE, true), CLI_IKE, GW_IKE);
    expect(f.sends).toHaveLength(1);
    expect(f.sends[0]).toMatchObject({ from: GW_IKE, to: CLI_IKE });
    const d = ike(f.sends[0]!.bytes, false);
    expect(d.header).toMatchObject({ exchangeType: ExchangeType.IKE_SA_INIT, response: true, initiator: false, messageId: 0 });
    expect(toHex(d.header.spiI)).toBe(toHex(init.subarray(0, 8)));
    expect(toHex(d.header.spiR)).toBe('0000000000000000');
    expect(d.payloads).toEqual([notify(NotifyError.UNSUPPORTED_CRITICAL_PAYLOAD, Uint8Array.of(PRIVATE_USE))]);
    expect(dropsOf(l.responder)).toEqual({ 'unsupported-critical-payload': 1 });
    expect(l.responder.ikeSas).toEqual([]);
  });

  it('skips the same payload without the critical bit and sets up the SA', () => {
    const { l, init } = initRequest();
    const f = feed(l.responder, 0, withUnknownFirst(init, PRIVATE_USE, false), CLI_IKE, GW_IKE);
    expect(types(ike(f.sends[0]!.bytes, false).payloads)).toEqual([T.SA, T.KE, T.Nonce, T.N, T.N]);
    expect(dropsOf(l.responder)).toEqual({});
    expect(l.responder.ikeSas.map((s) => s.state)).toEqual(['half-open']);
  });

  it('skips an unknown non-critical payload inside SK: IKE_AUTH succeeds', () => {
    const { l, sa } = halfOpen();
    const chain = prependUnknown(T.IDi, chainOf(authPayloads(l, sa)), PRIVATE_USE, false);
    const f = feed(l.responder, 5, sealRawRequest(sa, ExchangeType.IKE_AUTH, 1, PRIVATE_USE, chain), CLI_NATT, GW_NATT);
    // The closing N is IKEV2_MESSAGE_ID_SYNC_SUPPORTED (RFC 6311 4), answering the initiator's.
    expect(types(openResponse(sa, f.sends[0]!.bytes).payloads)).toEqual([T.IDr, T.AUTH, T.CP, T.SA, T.TSi, T.TSr, T.N]);
    expect(sa.state).toBe('established');
    expect(dropsOf(l.responder)).toEqual({});
  });

  it('never answers an unknown critical payload in a response, or outside SK where only SK may be', () => {
    // Only a request gets UNSUPPORTED_CRITICAL_PAYLOAD (2.5), and only IKE_SA_INIT is answered unprotected.
    const { l, sa, auth } = authRequest();
    const init = l.wire[0]!.send.bytes;
    const asResponse = init.slice();
    asResponse[19] = 0x20; // R, not I
    const f1 = feed(l.responder, 5, withUnknownFirst(asResponse, PRIVATE_USE, true), CLI_IKE, GW_IKE);
    const f2 = feed(l.responder, 5, concat(new Uint8Array(4), withUnknownFirst(auth.subarray(4), PRIVATE_USE, true)), CLI_NATT, GW_NATT);
    expect(f1.sends).toEqual([]);
    expect(f2.sends).toEqual([]);
    expect(dropsOf(l.responder)).toEqual({ 'unsupported-critical-payload': 2 });
    expect(sa).toMatchObject({ state: 'half-open', expectId: 1 });
  });

  // 2.5: "MUST reject the entire message and MUST send an UNSUPPORTED_CRITICAL_PAYLOAD notification
  // in a response"; inside SK the answer is the protected IKE_AUTH response (2.21.2).
  it('answers an unknown critical payload inside SK of IKE_AUTH with an encrypted N(UNSUPPORTED_CRITICAL_PAYLOAD)', () => {
    // IKE_AUTH SK { #200(C), IDi, IDr, AUTH, ... } -->  <-- SK { N(UNSUPPORTED_CRITICAL_PAYLOAD, 200) }
    const { l, sa } = halfOpen();
    const chain = prependUnknown(T.IDi, chainOf(authPayloads(l, sa)), PRIVATE_USE, true);
    const f = feed(l.responder, 5, sealRawRequest(sa, ExchangeType.IKE_AUTH, 1, PRIVATE_USE, chain), CLI_NATT, GW_NATT);
    expect(dropsOf(l.responder)).toEqual({ 'malformed-inner': 1 });
    expect(f.sends).toHaveLength(1);
    const resp = openResponse(sa, f.sends[0]!.bytes);
    expect(resp.header).toMatchObject({ exchangeType: ExchangeType.IKE_AUTH, response: true, initiator: false, messageId: 1 });
    expect(resp.payloads).toEqual([notify(NotifyError.UNSUPPORTED_CRITICAL_PAYLOAD, Uint8Array.of(PRIVATE_USE))]);
    expect(f.events.map((e) => e.kind)).not.toContain('ike-up');
  });
});

describe('other IKE versions (RFC 7296 2.5)', () => {
  const withVersion = (b: Uint8Array, major: number) => {
    const out = b.slice();
    out[17] = major << 4;
    return out;
  };

  it('drops an IKEv1-numbered message as bad-version, without answer', () => {
    const { l, init } = initRequest();
    const f = feed(l.responder, 0, withVersion(init, 1), CLI_IKE, GW_IKE);
    expect(f.sends).toEqual([]);
    expect(dropsOf(l.responder)).toEqual({ 'bad-version': 1 });
    expect(l.responder.ikeSas).toEqual([]);
  });

  // 2.5: a higher major version "MUST drop the message and SHOULD send an unauthenticated Notify
  // message of type INVALID_MAJOR_VERSION"; 3.10.1: the version we speak is in the reply header.
  it('answers an IKE_SA_INIT request of major version 3 with an unprotected N(INVALID_MAJOR_VERSION)', () => {
    const { l, init } = initRequest();
    const f = feed(l.responder, 0, withVersion(init, 3), CLI_IKE, GW_IKE);
    expect(dropsOf(l.responder)).toEqual({ 'bad-version': 1 });
    expect(f.sends).toHaveLength(1);
    const d = ike(f.sends[0]!.bytes, false);
    expect(d.header).toMatchObject({ majorVersion: 2, exchangeType: ExchangeType.IKE_SA_INIT, response: true, initiator: false, messageId: 0 });
    expect(toHex(d.header.spiI)).toBe(toHex(init.subarray(0, 8)));
    expect(d.payloads).toEqual([notify(NotifyError.INVALID_MAJOR_VERSION)]);
    expect(l.responder.ikeSas).toEqual([]);
  });
});

describe('stray SPIs (RFC 7296 2.21.4)', () => {
  it('drops requests and responses for an IKE SA it does not hold as unknown-spi, without answer', () => {
    const { l, sa } = established();
    const r = l.responder;
    const other = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const stray: [string, Uint8Array][] = [
      ['IKE_AUTH request, unknown SPIr', seal(sa, { exchangeType: ExchangeType.IKE_AUTH, messageId: 1, spiR: other }, authPayloads(l, sa))],
      ['INFORMATIONAL request, unknown SPIr', seal(sa, { exchangeType: ExchangeType.INFORMATIONAL, messageId: 2, spiR: other }, [])],
      ['INFORMATIONAL request, our SPIr with another SPIi', seal(sa, { exchangeType: ExchangeType.INFORMATIONAL, messageId: 2, spiI: other }, [])],
      ['INFORMATIONAL response, unknown SPIr', seal(sa, { exchangeType: ExchangeType.INFORMATIONAL, messageId: 0, spiR: other, response: true }, [])],
      ['INFORMATIONAL request, zero SPIr', seal(sa, { exchangeType: ExchangeType.INFORMATIONAL, messageId: 2, spiR: new Uint8Array(8) }, [notify(NotifyStatus.INITIAL_CONTACT)])],
    ];
    for (const [name, bytes] of stray) {
      const f = feed(r, 5, bytes, CLI_NATT, GW_NATT);
      expect(f.sends, name).toEqual([]);
      expect(f.events, name).toEqual([expect.objectContaining({ kind: 'drop', reason: 'unknown-spi' })]);
    }
    expect(dropsOf(r)).toEqual({ 'unknown-spi': stray.length });
    expect(sa).toMatchObject({ state: 'established', expectId: 2, lastInbound: 0 });
    // The SA itself still answers its next request.
    const f = feed(r, 5, seal(sa, { exchangeType: ExchangeType.INFORMATIONAL, messageId: 2 }, []), CLI_NATT, GW_NATT);
    expect(openResponse(sa, f.sends[0]!.bytes).header.messageId).toBe(2);
  });
});
