// MOBIKE (RFC 4555) on the responder: negotiation, UPDATE_SA_ADDRESSES, probes, and when the
// responder follows a new peer address on its own.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { ipv4Bytes, parseIpv4 } from '../../../src-main/core/net/ipv4.ts';
import { NotifyStatus } from '../../../src-main/core/ike/constants.ts';
import { findNotify, notify } from '../../../src-main/core/ike/exchanges/build.ts';
import type { Endpoint } from '../../../src-main/core/ike/io.ts';
import { natDetectionHash, natDetectionNotifies } from '../../../src-main/core/ike/nat-detection.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { seededRandom } from '../crypto/fixtures.ts';
import { feed, openResponse, seal } from './support/craft.ts';
import { CLI, GW, Ladder, at } from './support/net.ts';

const suite = createNobleSuite(seededRandom(7));
const bytesOf = (e: Endpoint) => ({ address: ipv4Bytes(parseIpv4(e.address)!), port: e.port });

function up(mobike: { initiator: boolean; responder: boolean }, dpdS = 0): Ladder {
  const l = new Ladder({ responder: { mobike: mobike.responder, dpd: { delayS: dpdS } }, initiatorPolicy: { mobike: mobike.initiator } });
  l.connect();
  l.run(1);
  expect(l.initiator.phase).toBe('up');
  return l;
}

const kinds = (l: Ladder, by: 'i' | 'r') => l.events.filter((e) => e.by === by).map((e) => e.event.kind);

describe('MOBIKE negotiation (RFC 4555 3.3)', () => {
  it('is in use when both ends say MOBIKE_SUPPORTED in IKE_AUTH', () => {
    const l = up({ initiator: true, responder: true });
    expect(l.responder.ikeSas[0]!.mobike).toBe(true);
    expect(l.initiator.ikeSa!.mobike).toBe(true);
    const authOut = l.events.find((e) => e.by === 'r' && e.event.kind === 'exchange' && e.event.exchange === 'IKE_AUTH' && e.event.dir === 'out')!.event;
    expect(authOut.kind === 'exchange' && authOut.summary).toContain('N(MOBIKE_SUPPORTED)');
  });

  it('is not when the responder has it off, nor when the initiator does not offer it', () => {
    const off = up({ initiator: true, responder: false });
    expect(off.responder.ikeSas[0]!.mobike).toBe(false);
    expect(off.initiator.ikeSa!.mobike).toBe(false);
    expect(off.initiator.roam(off.now, at('198.18.1.9', 4500))).toBe(false);
    const plain = up({ initiator: false, responder: true });
    expect(plain.responder.ikeSas[0]!.mobike).toBe(false);
  });
});

describe('UPDATE_SA_ADDRESSES (RFC 4555 3.5, 3.6)', () => {
  it('moves the IKE SA to the new address, answers with NAT detection and the COOKIE2, and sends there from then on', () => {
    const l = up({ initiator: true, responder: true }, 20);
    const moved = at('198.18.1.9', 4500);
    l.act((t) => expect(l.initiator.roam(t, moved)).toBe(true));
    l.run(2);
    const sa = l.responder.ikeSas[0]!;
    expect(sa.peer).toEqual(moved);
    const update = l.events.find((e) => e.by === 'r' && e.event.kind === 'mobike-update')!.event;
    expect(update).toMatchObject({ kind: 'mobike-update', peer: moved, peerBehindNat: false });
    // The answer carried the COOKIE2 back (the initiator counts a missing or wrong one).
    expect(l.initiator.drops.get('bad-cookie2')).toBeUndefined();
    const answer = l.events.find((e) => e.by === 'r' && e.event.kind === 'exchange' && e.event.exchange === 'INFORMATIONAL' && e.event.dir === 'out')!.event;
    expect(answer.kind === 'exchange' && answer.summary).toBe('N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(COOKIE2)');
    // The responder's next DPD goes to the new address, and is answered from there.
    l.run(25);
    const dpd = l.wire.filter((w) => w.by === 'r' && w.t > 2);
    expect(dpd.length).toBeGreaterThan(0);
    expect(dpd.every((w) => w.send.to.address === moved.address)).toBe(true);
    expect(sa.state).toBe('established');
    expect(kinds(l, 'r')).not.toContain('dpd-failed');
  });

  it('does not move an SA without UPDATE_SA_ADDRESSES when the peer is not behind a NAT (the initiator decides, 3.5)', () => {
    const l = up({ initiator: true, responder: true });
    // A path change the initiator did not announce: its DPD arrives from another address.
    l.filter = (s) => (s.from.address === CLI ? [{ ...s, from: at('198.18.1.77', s.from.port) }] : [s]);
    const before = l.events.length;
    l.act((t) => l.initiator.dpd(t));
    l.run(2);
    expect(l.responder.ikeSas[0]!.peer).toEqual(at(CLI, 4500));
    const after = l.events.slice(before).filter((e) => e.by === 'r').map((e) => e.event.kind);
    expect(after).toContain('exchange');
    expect(after).not.toContain('peer-moved');
  });

  it('still follows a NATed peer to its new mapping on any authenticated packet (RFC 7296 2.23)', () => {
    const l = new Ladder({ responder: { mobike: true, dpd: { delayS: 0 } }, initiatorPolicy: { mobike: true } });
    let port = 40000;
    // A NAT in front of the initiator; its mapping changes after IKE_AUTH.
    l.filter = (s) => {
      if (s.from.address === CLI) return [{ ...s, from: at('198.18.2.1', port + s.from.port) }];
      if (s.to.address === '198.18.2.1') return [{ ...s, to: at(CLI, s.to.port - port) }];
      return [s];
    };
    l.connect();
    l.run(1);
    const sa = l.responder.ikeSas[0]!;
    expect(sa.mobike && sa.peerBehindNat).toBe(true);
    port = 50000;
    l.act((t) => l.initiator.dpd(t));
    l.run(2);
    expect(sa.peer).toEqual(at('198.18.2.1', 54500));
  });

  it('answers a probe (NAT detection without UPDATE_SA_ADDRESSES) with its own hashes and the COOKIE2, moving nothing', () => {
    const l = up({ initiator: true, responder: true });
    const sa = l.responder.ikeSas[0]!;
    const from = at('198.18.1.50', 4500);
    const to = at(GW, 4500);
    const cookie2 = Uint8Array.from({ length: 8 }, (_, i) => i + 1);
    const probe = seal(sa, { exchangeType: 37, messageId: sa.expectId }, [
      ...natDetectionNotifies(suite, sa.spiI, sa.spiR, bytesOf(from), bytesOf(to)),
      notify(NotifyStatus.COOKIE2, cookie2),
    ]);
    const out = feed(l.responder, l.now, probe, from, to);
    expect(out.sends).toHaveLength(1);
    // The answer goes back where the probe came from, though the SA stays where it was.
    expect(out.sends[0]!.to).toEqual(from);
    expect(sa.peer).toEqual(at(CLI, 4500));
    const { payloads } = openResponse(sa, out.sends[0]!.bytes);
    expect(toHex(findNotify(payloads, NotifyStatus.COOKIE2)!.data)).toBe(toHex(cookie2));
    // NAT_DETECTION_DESTINATION_IP hashes the address the probe came from, as the responder saw it.
    const dst = findNotify(payloads, NotifyStatus.NAT_DETECTION_DESTINATION_IP)!;
    expect(toHex(dst.data)).toBe(toHex(natDetectionHash(suite, sa.spiI, sa.spiR, bytesOf(from).address, from.port)));
    const src = findNotify(payloads, NotifyStatus.NAT_DETECTION_SOURCE_IP)!;
    expect(toHex(src.data)).toBe(toHex(natDetectionHash(suite, sa.spiI, sa.spiR, bytesOf(to).address, to.port)));
  });

  it('ignores a COOKIE2 of the wrong size (3.6: 8 to 64 octets), and an UPDATE_SA_ADDRESSES without MOBIKE', () => {
    const l = up({ initiator: true, responder: true });
    const sa = l.responder.ikeSas[0]!;
    const from = at(CLI, 4500);
    const to = at(GW, 4500);
    const short = seal(sa, { exchangeType: 37, messageId: sa.expectId }, [notify(NotifyStatus.COOKIE2, Uint8Array.of(1, 2, 3))]);
    const { payloads } = openResponse(sa, feed(l.responder, l.now, short, from, to).sends[0]!.bytes);
    expect(payloads).toEqual([]);
    const plain = up({ initiator: false, responder: true });
    const psa = plain.responder.ikeSas[0]!;
    const update = seal(psa, { exchangeType: 37, messageId: psa.expectId }, [notify(NotifyStatus.UPDATE_SA_ADDRESSES)]);
    const fed = feed(plain.responder, plain.now, update, at('198.18.1.9', 4500), to);
    expect(openResponse(psa, fed.sends[0]!.bytes).payloads).toEqual([]);
    expect(fed.events.map((e) => e.kind)).not.toContain('mobike-update');
  });
});
