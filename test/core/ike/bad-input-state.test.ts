// Issue 4, state: replayed and out-of-window message IDs (RFC 7296 2.1-2.3), forged ICVs (3.14)
// that must leave the IKE SA as it was, and NAT-T keepalives (RFC 3948 2.3) that keep a NAT
// mapping open but never prove the peer alive (RFC 7296 2.4).
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { ExchangeType } from '../../../src-main/core/ike/constants.ts';
import { skSizes } from '../../../src-main/core/ike/protect.ts';
import type { Datagram } from '../../../src-main/core/ike/wire/message.ts';
import { CLI_IKE, CLI_NATT, dropsOf, established, feed, GW_IKE, GW_NATT, halfOpen, openResponse, seal, sent } from './support/craft.ts';
import { Ladder } from './support/net.ts';

const INFO = ExchangeType.INFORMATIONAL;
type Ike = Extract<Datagram, { kind: 'ike' }>;
const is = (exchange: number, response: boolean, messageId: number) => (x: { d: Ike }) =>
  x.d.header.exchangeType === exchange && x.d.header.response === response && x.d.header.messageId === messageId;

/** An established SA on which the client ran one liveness check (request #2, answered). */
function afterClientDpd() {
  const { l, sa } = established();
  l.act((t) => l.initiator.dpd(t));
  l.run(2);
  const req = sent(l, 'i').find(is(INFO, false, 2))!;
  const resp = sent(l, 'r').find(is(INFO, true, 2))!;
  expect(sa).toMatchObject({ expectId: 3, lastInbound: 1 });
  return { l, sa, req, resp };
}

describe('replayed and out-of-window requests (RFC 7296 2.1, 2.3)', () => {
  it('answers a retransmitted request with the cached response, byte for byte, without touching the SA', () => {
    // INFORMATIONAL #2 {} -->  <-- #2 {}   ...   INFORMATIONAL #2 {} (again) -->  <-- the same bytes
    const { l, sa, req, resp } = afterClientDpd();
    const f = feed(l.responder, 4, req.send.bytes, CLI_NATT, GW_NATT);
    expect(f.sends).toHaveLength(1);
    expect(f.sends[0]).toMatchObject({ from: GW_NATT, to: CLI_NATT });
    expect(toHex(f.sends[0]!.bytes)).toBe(toHex(resp.send.bytes));
    expect(f.events).toEqual([]);
    expect(sa).toMatchObject({ expectId: 3, lastInbound: 1 });
    expect(dropsOf(l.responder)).toEqual({});
  });

  it('answers a retransmitted IKE_SA_INIT request with the cached response, byte for byte, and makes no second SA', () => {
    const { l, sa } = halfOpen();
    const f = feed(l.responder, 3, l.wire[0]!.send.bytes, CLI_IKE, GW_IKE);
    expect(f.sends).toHaveLength(1);
    expect(f.sends[0]).toMatchObject({ from: GW_IKE, to: CLI_IKE });
    expect(toHex(f.sends[0]!.bytes)).toBe(toHex(l.wire[1]!.send.bytes));
    expect(l.responder.ikeSas).toEqual([sa]);
    expect(dropsOf(l.responder)).toEqual({});
  });

  // 2.1: a retransmission gets the response to *that* request; once IKE_AUTH (#1) is answered,
  // #0 is out of the window and is dropped (strongSwan: "received message ID 0, expected 2").
  it('drops an IKE_SA_INIT request retransmitted after IKE_AUTH as bad-message-id', () => {
    const { l, sa } = established();
    const f = feed(l.responder, 3, l.wire[0]!.send.bytes, CLI_IKE, GW_IKE);
    expect(f.sends).toEqual([]);
    expect(f.events).toEqual([expect.objectContaining({ kind: 'drop', reason: 'bad-message-id' })]);
    expect(dropsOf(l.responder)).toEqual({ 'bad-message-id': 1 });
    expect(l.responder.ikeSas).toEqual([sa]);
    expect(sa).toMatchObject({ state: 'established', expectId: 2 });
  });

  it('drops a request older than the last one answered (ID - 2) as bad-message-id, without answer', () => {
    const { l, sa } = afterClientDpd();
    const auth = sent(l, 'i').find(is(ExchangeType.IKE_AUTH, false, 1))!;
    const f = feed(l.responder, 4, auth.send.bytes, CLI_NATT, GW_NATT);
    expect(f.sends).toEqual([]);
    expect(f.events).toEqual([expect.objectContaining({ kind: 'drop', reason: 'bad-message-id' })]);
    expect(dropsOf(l.responder)).toEqual({ 'bad-message-id': 1 });
    expect(sa).toMatchObject({ state: 'established', expectId: 3, lastInbound: 1 });
  });

  it('drops authentic requests from the future (ID > the next expected) as bad-message-id, without answer', () => {
    const { l, sa } = afterClientDpd();
    for (const messageId of [4, 100, 0xffffffff]) {
      const f = feed(l.responder, 4, seal(sa, { exchangeType: INFO, messageId }, []), CLI_NATT, GW_NATT);
      expect(f.sends, `#${messageId}`).toEqual([]);
    }
    expect(dropsOf(l.responder)).toEqual({ 'bad-message-id': 3 });
    expect(sa).toMatchObject({ expectId: 3, lastInbound: 1 });
    // The next one in order is still welcome.
    const f = feed(l.responder, 4, seal(sa, { exchangeType: INFO, messageId: 3 }, []), CLI_NATT, GW_NATT);
    expect(openResponse(sa, f.sends[0]!.bytes).header.messageId).toBe(3);
  });

  it('drops a response to a request it never sent as unexpected-response', () => {
    // <-- nothing      INFORMATIONAL response #0 {} -->   (dropped)
    const { l, sa } = afterClientDpd();
    expect(sa.pending).toBeNull();
    for (const messageId of [0, 1]) {
      const f = feed(l.responder, 4, seal(sa, { exchangeType: INFO, messageId, response: true }, []), CLI_NATT, GW_NATT);
      expect(f.sends, `#${messageId}`).toEqual([]);
      expect(f.events, `#${messageId}`).toEqual([expect.objectContaining({ kind: 'drop', reason: 'unexpected-response' })]);
    }
    expect(dropsOf(l.responder)).toEqual({ 'unexpected-response': 2 });
    expect(sa).toMatchObject({ expectId: 3, nextId: 0, lastInbound: 1 });
  });
});

describe('a forged ICV (RFC 7296 3.14, 2.23)', () => {
  it('drops the message as bad-icv, answers nothing, and leaves the SA exactly as it was', () => {
    const { l, sa } = established();
    const good = seal(sa, { exchangeType: INFO, messageId: 2 }, []);
    const { iv } = skSizes(sa.cipher);
    const skBody = 4 + 28 + 4; // non-ESP marker, IKE header, SK generic header
    const flips: [string, number][] = [
      ['the last ICV byte', good.length - 1],
      ['the first IV byte', skBody],
      ['the first ciphertext byte', skBody + iv],
      ["the SK header's Next Payload (in the AAD)", skBody - 4],
      ["the header's Exchange Type (in the AAD)", 4 + 18],
    ];
    const before = { expectId: sa.expectId, lastInbound: sa.lastInbound, dpdAt: sa.dpdAt, lastResponse: sa.lastResponse, peer: sa.peer, local: sa.local };
    expect(before).toMatchObject({ expectId: 2, lastInbound: 0, dpdAt: 30 });
    // From another address too: only an authenticated packet may move the peer (2.23).
    const moved = { address: '198.18.1.77', port: 4500 };
    for (const [name, at] of flips) {
      const bad = good.slice();
      bad[at]! ^= 0x01;
      const f = feed(l.responder, 5, bad, moved, GW_NATT);
      expect(f.sends, name).toEqual([]);
      expect(f.events, name).toEqual([expect.objectContaining({ kind: 'drop', reason: 'bad-icv' })]);
      expect({ expectId: sa.expectId, lastInbound: sa.lastInbound, dpdAt: sa.dpdAt, lastResponse: sa.lastResponse, peer: sa.peer, local: sa.local }, name).toEqual(before);
    }
    expect(dropsOf(l.responder)).toEqual({ 'bad-icv': flips.length });
    // The intact message is the next request: the forgeries used up nothing.
    const f = feed(l.responder, 5, good, CLI_NATT, GW_NATT);
    expect(openResponse(sa, f.sends[0]!.bytes).header).toMatchObject({ exchangeType: INFO, response: true, messageId: 2 });
    expect(sa).toMatchObject({ expectId: 3, lastInbound: 5, dpdAt: 35 });
  });
});

describe('NAT-T keepalives (RFC 3948 2.3, RFC 7296 2.4)', () => {
  const DPD = { delayS: 10, retransmit: { timeoutS: 2, base: 1.8, tries: 3 } };
  const KEEPALIVE = Uint8Array.of(0xff);

  /** The responder's liveness checks (INFORMATIONAL requests it sends) and their times. */
  const dpdsSent = (l: Ladder) => sent(l, 'r').filter((x) => x.d.header.exchangeType === INFO && !x.d.header.response).map((x) => x.t);

  it('counts keepalives and never takes them for proof of life: DPD fires on schedule and the silent peer is cleared', () => {
    const l = new Ladder({ responder: { dpd: DPD } });
    l.connect();
    l.run(1);
    const up = l.events.find((e) => e.by === 'r' && e.event.kind === 'ike-up')!.t;
    l.filter = (s) => (s.from.address === CLI_NATT.address ? [] : [s]); // only keepalives get through
    let sentKeepalives = 0;
    for (let t = 2; t <= 40; t += 2) {
      l.run(t);
      l.act(() => l.responder.receive(l.now, KEEPALIVE, CLI_NATT, GW_NATT));
      sentKeepalives++;
    }
    l.run(45);
    expect(l.responder.keepalives).toBe(sentKeepalives);
    expect(l.events.filter((e) => e.by === 'r' && e.event.kind === 'keepalive')).toHaveLength(sentKeepalives);
    expect(dropsOf(l.responder)).toEqual({});
    // The first check DPD.delayS after the last authenticated packet, then its retransmissions.
    const checks = dpdsSent(l);
    expect(checks).toHaveLength(4);
    expect(checks[0]).toBe(up + 10);
    const down = l.events.find((e) => e.by === 'r' && e.event.kind === 'ike-down')!;
    expect(down.event).toMatchObject({ reason: 'dpd-failed' });
    expect(down.t).toBeCloseTo(up + 10 + 2 + 3.6 + 6.48 + 11.664, 6);
    expect(l.responder.ikeSas).toEqual([]);
  });

  it('lets an authenticated request push the liveness check back, where keepalives did not', () => {
    const l = new Ladder({ responder: { dpd: DPD } });
    l.connect();
    l.run(1);
    for (const t of [2, 4, 6]) {
      l.run(t);
      l.act(() => l.responder.receive(l.now, KEEPALIVE, CLI_NATT, GW_NATT));
    }
    l.run(8);
    l.act((t) => l.initiator.dpd(t)); // INFORMATIONAL #2 {} at t = 8
    l.run(20);
    expect(dpdsSent(l)).toEqual([18]);
    expect(l.responder.keepalives).toBe(3);
  });

  it('drops a lone 0xFF on the IKE port (it is no keepalive there) as truncated', () => {
    const { l } = established();
    const f = feed(l.responder, 2, KEEPALIVE, CLI_IKE, GW_IKE);
    expect(f.sends).toEqual([]);
    expect(f.events).toEqual([expect.objectContaining({ kind: 'drop', reason: 'truncated' })]);
    expect(l.responder.keepalives).toBe(0);
    expect(dropsOf(l.responder)).toEqual({ truncated: 1 });
  });
});

