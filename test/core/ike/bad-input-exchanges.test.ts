// Issue 4, exchanges: a wrong pre-shared key (RFC 7296 2.21.2), proposals we do not share (2.7,
// 2.21.3), KE payloads we cannot use (1.2, 3.4), COOKIE (2.6) and INITIAL_CONTACT (2.4). Each
// checks the exact answer, what state is left, and the drops counted.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { DhGroup, ExchangeType, NotifyError, NotifyStatus, PayloadType as T } from '../../../src-main/core/ike/constants.ts';
import { notify } from '../../../src-main/core/ike/exchanges/build.ts';
import type { IkeEvent } from '../../../src-main/core/ike/io.ts';
import { encodeMessage } from '../../../src-main/core/ike/wire/message.ts';
import type { Payload } from '../../../src-main/core/ike/wire/payloads.ts';
import {
  authPayloads, CLI_IKE, CLI_NATT, dropsOf, feed, GW_IKE, GW_NATT, halfOpen, ike, openResponse, seal, sent,
} from './support/craft.ts';
import { Ladder, type LadderOptions } from './support/net.ts';

const types = (payloads: readonly Payload[]) => payloads.map((p) => p.type);
const CURVE25519_ONLY = { ike: { proposals: ['aes128-sha256-prfsha256-curve25519'] } };

/** The client's first IKE_SA_INIT request of a fresh Ladder (not delivered), decoded too. */
function firstInit(o: LadderOptions = {}) {
  const l = new Ladder(o);
  l.connect();
  const bytes = l.wire[0]!.send.bytes;
  return { l, bytes, d: ike(bytes, false) };
}

/** An unprotected IKE_SA_INIT answer: SPIr zero, message ID 0, the R flag; its payloads. */
function plainAnswer(bytes: Uint8Array, spiI: Uint8Array): readonly Payload[] {
  const d = ike(bytes, false);
  expect(d.header).toMatchObject({ exchangeType: ExchangeType.IKE_SA_INIT, response: true, initiator: false, messageId: 0 });
  expect(toHex(d.header.spiI)).toBe(toHex(spiI));
  expect(toHex(d.header.spiR)).toBe('0000000000000000');
  return d.payloads;
}

const rEvents = (l: Ladder): IkeEvent[] => l.events.filter((e) => e.by === 'r').map((e) => e.event);

describe('a wrong pre-shared key (RFC 7296 2.21.2)', () => {
  it('answers with an encrypted N(AUTHENTICATION_FAILED) alone, and the SA is gone', () => {
    // IKE_AUTH SK { IDi, IDr, AUTH(wrong key), CP, N(INITIAL_CONTACT), SA, TSi, TSr } -->
    //                                                  <-- SK { N(AUTHENTICATION_FAILED) }
    const { l, sa } = halfOpen();
    const request = seal(sa, { exchangeType: ExchangeType.IKE_AUTH, messageId: 1 }, authPayloads(l, sa, 'not-the-psk'));
    const f = feed(l.responder, 2, request, CLI_NATT, GW_NATT);
    expect(f.sends).toHaveLength(1);
    expect(f.sends[0]).toMatchObject({ from: GW_NATT, to: CLI_NATT });
    const resp = openResponse(sa, f.sends[0]!.bytes);
    expect(resp.header).toMatchObject({ exchangeType: ExchangeType.IKE_AUTH, response: true, initiator: false, messageId: 1 });
    expect(resp.payloads).toEqual([notify(NotifyError.AUTHENTICATION_FAILED)]);
    expect(f.events).toContainEqual({ kind: 'ike-down', sa: sa.name, reason: 'auth-failed' });
    expect(f.events.map((e) => e.kind)).not.toContain('ike-up');
    expect(dropsOf(l.responder)).toEqual({ 'auth-failed': 1 });
    expect(l.responder.ikeSas).toEqual([]);
    // Nothing left to answer from: the same request again is a stray.
    expect(feed(l.responder, 3, request, CLI_NATT, GW_NATT).sends).toEqual([]);
    expect(dropsOf(l.responder)).toEqual({ 'auth-failed': 1, 'unknown-spi': 1 });
  });
});

describe('proposals we do not share (RFC 7296 2.7, 2.21.3)', () => {
  it('answers an IKE_SA_INIT without an acceptable IKE proposal with N(NO_PROPOSAL_CHOSEN) and keeps no state', () => {
    // IKE_SA_INIT { SA(aes256-sha512-ecp384), KE, Ni, N(NAT_D) } -->  <-- { N(NO_PROPOSAL_CHOSEN) }
    const { l, bytes, d } = firstInit({ initiatorIke: ['aes256-sha512-prfsha512-ecp384'], responder: CURVE25519_ONLY });
    const f = feed(l.responder, 0, bytes, CLI_IKE, GW_IKE);
    expect(f.sends).toHaveLength(1);
    expect(plainAnswer(f.sends[0]!.bytes, d.header.spiI)).toEqual([notify(NotifyError.NO_PROPOSAL_CHOSEN)]);
    expect(l.responder.ikeSas).toEqual([]);
    expect(dropsOf(l.responder)).toEqual({});
  });

  it('sets up the IKE SA without an acceptable ESP proposal, answering N(NO_PROPOSAL_CHOSEN) instead of SA, TSi, TSr', () => {
    // IKE_AUTH SK { IDi, IDr, AUTH, CP, N(INITIAL_CONTACT), SA(aes256-sha512), TSi, TSr } -->
    //                                    <-- SK { IDr, AUTH, CP(CFG_REPLY), N(NO_PROPOSAL_CHOSEN) }
    const l = new Ladder({ initiatorEsp: ['aes256-sha512'] });
    l.connect();
    l.run(1);
    const sa = l.responder.ikeSas[0]!;
    const authResponse = sent(l, 'r').find((x) => x.d.header.exchangeType === ExchangeType.IKE_AUTH)!;
    const payloads = openResponse(sa, authResponse.send.bytes).payloads;
    expect(types(payloads)).toEqual([T.IDr, T.AUTH, T.CP, T.N, T.N]);
    expect(payloads[3]).toEqual(notify(NotifyError.NO_PROPOSAL_CHOSEN));
    expect(sa.state).toBe('established');
    expect(sa.children).toEqual([]);
    expect(rEvents(l).map((e) => e.kind)).toContain('ike-up');
    expect(rEvents(l).map((e) => e.kind)).not.toContain('child-up');
    expect(l.initiator.phase).toBe('up');
    expect(dropsOf(l.responder)).toEqual({});
  });
});

describe('KE payloads we cannot use (RFC 7296 1.2, 3.4)', () => {
  it('answers a KE for another group than the one selected with N(INVALID_KE_PAYLOAD) naming the wanted group', () => {
    // IKE_SA_INIT { SA(modp2048, curve25519), KE(modp2048), Ni } -->  <-- { N(INVALID_KE_PAYLOAD, 31) }
    const { l, bytes, d } = firstInit({ initiatorIke: ['aes128-sha256-prfsha256-modp2048-curve25519'], responder: CURVE25519_ONLY });
    expect(d.payloads.find((p) => p.type === T.KE)).toMatchObject({ group: DhGroup.MODP_2048 });
    const f = feed(l.responder, 0, bytes, CLI_IKE, GW_IKE);
    expect(f.sends).toHaveLength(1);
    expect(plainAnswer(f.sends[0]!.bytes, d.header.spiI)).toEqual([notify(NotifyError.INVALID_KE_PAYLOAD, Uint8Array.of(0, DhGroup.CURVE25519))]);
    expect(l.responder.ikeSas).toEqual([]);
    expect(dropsOf(l.responder)).toEqual({});
  });

  const badKe: [string, string, number, Uint8Array][] = [
    ['31 bytes for Curve25519', 'aes128-sha256-prfsha256-curve25519', DhGroup.CURVE25519, new Uint8Array(31).fill(9)],
    ['33 bytes for Curve25519', 'aes128-sha256-prfsha256-curve25519', DhGroup.CURVE25519, new Uint8Array(33).fill(9)],
    ['the Curve25519 point 0 (an all-zero g^ir, RFC 7748 6.1)', 'aes128-sha256-prfsha256-curve25519', DhGroup.CURVE25519, new Uint8Array(32)],
    ['64 bytes for ECP-256 that are not a point on the curve', 'aes128-sha256-prfsha256-ecp256', DhGroup.ECP_256, new Uint8Array(64).fill(1)],
    ['255 bytes for MODP-2048', 'aes128-sha256-prfsha256-modp2048', DhGroup.MODP_2048, new Uint8Array(255).fill(7)],
    ['the value 1 for MODP-2048 (RFC 6989 2.1: 1 < y < p-1)', 'aes128-sha256-prfsha256-modp2048', DhGroup.MODP_2048, Uint8Array.from({ length: 256 }, (_, i) => (i === 255 ? 1 : 0))],
  ];

  it.each(badKe)('drops KE data of %s as bad-ke, with no answer and no state', (_name, proposal, group, data) => {
    const { l, bytes, d } = firstInit({ initiatorIke: [proposal], responder: { ike: { proposals: [proposal] } } });
    const payloads = d.payloads.map((p) => (p.type === T.KE ? { ...p, group, data } : p));
    const forged = encodeMessage({ header: d.header, payloads });
    expect(forged.length).toBe(bytes.length - (d.payloads.find((p) => p.type === T.KE) as { data: Uint8Array }).data.length + data.length);
    const f = feed(l.responder, 0, forged, CLI_IKE, GW_IKE);
    expect(f.sends).toEqual([]);
    expect(f.events).toEqual([expect.objectContaining({ kind: 'drop', reason: 'bad-ke' })]);
    expect(dropsOf(l.responder)).toEqual({ 'bad-ke': 1 });
    expect(l.responder.ikeSas).toEqual([]);
    // No state kept: the genuine request with the same SPIi is answered afresh.
    const g = feed(l.responder, 0, bytes, CLI_IKE, GW_IKE);
    expect(types(ike(g.sends[0]!.bytes, false).payloads)).toEqual([T.SA, T.KE, T.Nonce, T.N, T.N]);
  });
});

describe('COOKIE (RFC 7296 2.6)', () => {
  /** With cookieThreshold 0: the client's first request, the cookie it was sent, and a retry maker. */
  function cookied() {
    const l = new Ladder({ responder: { cookieThreshold: 0 } });
    l.connect();
    const first = l.wire[0]!.send.bytes;
    const d = ike(first, false);
    const f = feed(l.responder, 0, first, CLI_IKE, GW_IKE);
    // 2.6: "all other payloads unchanged", the cookie first.
    const retry = (data: Uint8Array) => encodeMessage({ header: d.header, payloads: [notify(NotifyStatus.COOKIE, data), ...d.payloads] });
    return { l, d, f, retry };
  }

  it('with cookieThreshold 0, answers N(COOKIE) and keeps no state; the retry with the cookie gets the SA', () => {
    // IKE_SA_INIT { SA, KE, Ni, N(NAT_D) } -->             <-- { N(COOKIE) }
    // IKE_SA_INIT { N(COOKIE), SA, KE, Ni, N(NAT_D) } -->  <-- { SA, KE, Nr, N(NAT_D) }
    const { l, d, f, retry } = cookied();
    expect(f.sends).toHaveLength(1);
    expect(f.sends[0]).toMatchObject({ from: GW_IKE, to: CLI_IKE });
    const answer = plainAnswer(f.sends[0]!.bytes, d.header.spiI);
    expect(answer).toEqual([expect.objectContaining({ type: T.N, protocolId: 0, notifyType: NotifyStatus.COOKIE })]);
    const cookie = (answer[0] as { data: Uint8Array }).data;
    expect(cookie).toHaveLength(36); // 4-octet secret version | SHA-256 (cookie.ts)
    expect(l.responder.ikeSas).toEqual([]);
    const g = feed(l.responder, 0, retry(cookie), CLI_IKE, GW_IKE);
    expect(types(stateAnswer(g.sends[0]!.bytes))).toEqual([T.SA, T.KE, T.Nonce, T.N, T.N]);
    expect(l.responder.ikeSas.map((s) => s.state)).toEqual(['half-open']);
    expect(dropsOf(l.responder)).toEqual({});
  });

  it('answers a retry with a forged cookie, or with the cookie from another address, with a fresh N(COOKIE) and no state', () => {
    const { l, d, f, retry } = cookied();
    const cookie = (plainAnswer(f.sends[0]!.bytes, d.header.spiI)[0] as { data: Uint8Array }).data;
    const forged = cookie.slice();
    forged[20]! ^= 1;
    const elsewhere = { address: '198.18.1.99', port: 500 };
    for (const [name, bytes, from] of [['forged', retry(forged), CLI_IKE], ['another address', retry(cookie), elsewhere]] as const) {
      const g = feed(l.responder, 0, bytes, from, GW_IKE);
      expect(g.sends, name).toHaveLength(1);
      expect(g.sends[0]!.to, name).toEqual(from);
      expect(plainAnswer(g.sends[0]!.bytes, d.header.spiI).map((p) => (p.type === T.N ? p.notifyType : p.type)), name).toEqual([NotifyStatus.COOKIE]);
      expect(l.responder.ikeSas, name).toEqual([]);
    }
    expect(dropsOf(l.responder)).toEqual({});
  });

  // The Initiator draws a new Ni and KE for its COOKIE retry (2.6 wants "all other payloads
  // unchanged"), so the cookie, a hash over Ni, never verifies and the two loop on N(COOKIE).
  it('sets up the SA through the Initiator, which retries with the cookie', () => {
    const l = new Ladder({ responder: { cookieThreshold: 0 } });
    const sasWhenAnswered: number[] = [];
    l.filter = (s) => {
      if (s.from.address === GW_IKE.address) sasWhenAnswered.push(l.responder.ikeSas.length);
      return [s];
    };
    l.connect();
    l.run(1, 50);
    const i = sent(l, 'i');
    const r = sent(l, 'r');
    const cookie = plainAnswer(r[0]!.send.bytes, i[0]!.d.header.spiI);
    expect(sasWhenAnswered[0]).toBe(0);
    expect(i[1]!.d.payloads).toEqual([...cookie, ...i[0]!.d.payloads]);
    expect(types(r[1]!.d.payloads)).toEqual([T.SA, T.KE, T.Nonce, T.N, T.N]);
    expect(l.initiator.phase).toBe('up');
    expect(l.responder.ikeSas.map((s) => s.state)).toEqual(['established']);
    expect(dropsOf(l.responder)).toEqual({});
  });
});

/** The payloads of an IKE_SA_INIT response that created state (SPIr set). */
function stateAnswer(bytes: Uint8Array): readonly Payload[] {
  const d = ike(bytes, false);
  expect(toHex(d.header.spiR)).not.toBe('0000000000000000');
  return d.payloads;
}

describe('INITIAL_CONTACT (RFC 7296 2.4)', () => {
  it('deletes the older IKE SA of the same identity when a second IKE_AUTH carries INITIAL_CONTACT', () => {
    const l = new Ladder();
    l.connect();
    l.run(1);
    const old = l.responder.ikeSas[0]!;
    // The client starts over (it lost its state) and authenticates as the same identity.
    l.act((t) => l.initiator.connect(t, CLI_IKE, GW_IKE));
    l.run(2);
    expect(l.initiator.phase).toBe('up');
    const fresh = l.responder.ikeSas;
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.name).not.toBe(old.name);
    expect(fresh[0]).toMatchObject({ state: 'established', peerId: 'cli.wakelab' });
    // The stale SA is cleared before the lease, so the client gets its old virtual IP back.
    expect(fresh[0]!.virtualIp).toBe(old.virtualIp);
    expect(old.state).toBe('dead');
    const downs = rEvents(l).filter((e) => e.kind === 'ike-down');
    expect(downs).toEqual([{ kind: 'ike-down', sa: old.name, reason: 'replaced' }]);
    expect(rEvents(l)).toContainEqual(expect.objectContaining({ kind: 'child-down', sa: old.name, reason: 'replaced' }));
    expect(dropsOf(l.responder)).toEqual({});
  });

  it('keeps the older IKE SA when the second IKE_AUTH does not carry INITIAL_CONTACT', () => {
    const l = new Ladder();
    l.connect();
    l.run(1);
    const old = l.responder.ikeSas[0]!;
    // A second IKE_SA_INIT from the initiator, whose IKE_AUTH we replace by one without the notify.
    l.filter = (s) => (s.to.address === GW_NATT.address && s.to.port === GW_NATT.port ? [] : [s]);
    l.act((t) => l.initiator.connect(t, CLI_IKE, GW_IKE));
    l.run(2);
    const second = l.responder.ikeSas.find((s) => s !== old)!;
    expect(second.state).toBe('half-open');
    const payloads = authPayloads(l, second).filter((p) => !(p.type === T.N && p.notifyType === NotifyStatus.INITIAL_CONTACT));
    expect(payloads).toHaveLength(8);
    const f = feed(l.responder, 2, seal(second, { exchangeType: ExchangeType.IKE_AUTH, messageId: 1 }, payloads), CLI_NATT, GW_NATT);
    expect(f.events.map((e) => e.kind)).toContain('ike-up');
    expect(f.events.map((e) => e.kind)).not.toContain('ike-down');
    expect(l.responder.ikeSas.map((s) => s.state)).toEqual(['established', 'established']);
    expect(old.state).toBe('established');
  });
});
