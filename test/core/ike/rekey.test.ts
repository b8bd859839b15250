// Rekeys started by the responder, and rekeys both ends start at once (RFC 7296 1.3.2, 1.3.3,
// 2.8.1, 2.8.2, 2.25), as ladders between WakeLab's initiator and responder on a virtual clock.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import type { ChildSa } from '../../../src-main/core/ike/child-sa.ts';
import { nonceLower, lowestIn } from '../../../src-main/core/ike/exchanges/collisions.ts';
import type { IkeSa } from '../../../src-main/core/ike/ike-sa.ts';
import { parseProposals } from '../../../src-main/core/ike/proposal-syntax.ts';
import { decodeMessage } from '../../../src-main/core/ike/wire/message.ts';
import { Ladder, type LadderOptions } from './support/net.ts';

const ESP = ['aes128-sha256'];

/** CREATE_CHILD_SA (36) and INFORMATIONAL (37) as "by type[r] #id". */
const exchanges = (l: Ladder) =>
  l.wire.map((w) => {
    const d = decodeMessage(w.send.bytes, { natt: w.send.to.port === 4500 || w.send.from.port === 4500 });
    return d.kind === 'ike' ? `${w.by} ${d.header.exchangeType}${d.header.response ? 'r' : ''} #${d.header.messageId}` : `${w.by} ${d.kind}`;
  });

const downs = (l: Ladder, by: 'i' | 'r', kind: 'child-down' | 'ike-down') =>
  l.events.filter((e) => e.by === by && e.event.kind === kind).map((e) => (e.event as { reason: string }).reason);

/** The one CHILD_SA pair left on both ends, checked to be the same pair with the same keys. */
function onePair(l: Ladder): { r: ChildSa; i: ChildSa } {
  expect(l.responder.ikeSas.filter((s) => s.state === 'established')).toHaveLength(1);
  const rSa = l.responder.ikeSas.find((s) => s.state === 'established')!;
  const iSa = l.initiator.ikeSa!;
  expect(iSa.name).toBe(rSa.name);
  expect(rSa.children).toHaveLength(1);
  expect(iSa.children).toHaveLength(1);
  const r = rSa.children[0]!;
  const i = iSa.children[0]!;
  expect(r.spiIn).toBe(i.spiOut);
  expect(r.spiOut).toBe(i.spiIn);
  expect(toHex(r.keysIn.encr)).toBe(toHex(i.keysOut.encr));
  expect(toHex(r.keysOut.integ!)).toBe(toHex(i.keysIn.integ!));
  return { r, i };
}

/** The SAs both ends are left with work: each end's DPD is answered. */
function stillTalks(l: Ladder, from: number): void {
  const rSa = l.responder.ikeSas.find((s) => s.state === 'established')!;
  l.act((t) => l.initiator.dpd(t));
  l.run(from + 5);
  const answered = exchanges(l).filter((x) => x === 'r 37r #' + (l.initiator.ikeSa!.nextId - 1));
  expect(answered.length).toBeGreaterThanOrEqual(1);
  expect(l.initiator.ikeSa!.pending).toBeNull();
  expect(rSa.state).toBe('established');
}

describe('rekeys the responder starts (1.3.2, 1.3.3)', () => {
  it('rekeys the CHILD_SA on its esp.rekeyS: the initiator answers, the old pair is deleted', () => {
    const l = new Ladder({ responder: { esp: { proposals: ESP, rekeyS: 60 }, dpd: { delayS: 0 } } });
    l.connect();
    l.run(1);
    const first = onePair(l).r.spiIn;
    l.run(61);
    // CREATE_CHILD_SA from the responder (its first request: #0), then its Delete of the old SA (#1).
    expect(exchanges(l).slice(4)).toEqual(['r 36 #0', 'i 36r #0', 'r 37 #1', 'i 37r #1']);
    const { r, i } = onePair(l);
    expect(r.spiIn).not.toBe(first);
    expect(r.createdAt).toBe(60);
    expect(i.transforms.dh).toBeUndefined();
    expect(downs(l, 'r', 'child-down')).toEqual(['rekeyed']);
    expect(downs(l, 'i', 'child-down')).toEqual(['deleted-by-peer']);
    // The new CHILD_SA is due again 60 s later.
    l.run(122);
    expect(downs(l, 'r', 'child-down')).toEqual(['rekeyed', 'rekeyed']);
    onePair(l);
  });

  it('rekeys the CHILD_SA with a new key exchange when its ESP proposal names a group (PFS)', () => {
    const pfs = ['aes128gcm16-curve25519'];
    const l = new Ladder({ responder: { esp: { proposals: pfs, rekeyS: 60 }, dpd: { delayS: 0 } }, initiatorEsp: pfs });
    l.connect();
    l.run(1);
    expect(onePair(l).r.transforms.dh).toBeUndefined();
    l.run(61);
    const { r, i } = onePair(l);
    expect(r.transforms.dh).toBe(31);
    expect(i.transforms.dh).toBe(31);
    expect(r.createdAt).toBe(60);
  });

  it('rekeys the IKE SA on its ike.rekeyS: CHILD_SAs move, the initiator follows, both ends still talk', () => {
    const l = new Ladder({ responder: { ike: { proposals: ['aes128-sha256-prfsha256-curve25519'], rekeyS: 100 }, dpd: { delayS: 0 } } });
    l.connect();
    l.run(1);
    const before = onePair(l);
    const old = l.initiator.ikeSa!.name;
    l.run(101);
    expect(exchanges(l).slice(4)).toEqual(['r 36 #0', 'i 36r #0', 'r 37 #1', 'i 37r #1']);
    const after = onePair(l);
    expect(l.initiator.ikeSa!.name).not.toBe(old);
    // The CHILD_SA is the same one, now under the new IKE SA (2.18).
    expect(after.r.spiIn).toBe(before.r.spiIn);
    expect(downs(l, 'r', 'ike-down')).toEqual(['rekeyed']);
    expect(downs(l, 'i', 'ike-down')).toEqual(['rekeyed']);
    // The responder made the new SA, so it is its initiator now (2.18): its request IDs start at 0.
    expect(l.responder.ikeSas[0]!.role).toBe('initiator');
    expect(l.initiator.ikeSa!.role).toBe('responder');
    stillTalks(l, 101);
  });

  it('asks again with the group the initiator names in INVALID_KE_PAYLOAD', () => {
    const l = new Ladder({
      responder: { ike: { proposals: ['aes128-sha256-prfsha256-modp2048', 'aes128-sha256-prfsha256-curve25519'], rekeyS: 100 }, dpd: { delayS: 0 } },
      initiatorIke: ['aes128-sha256-prfsha256-curve25519'],
    });
    l.connect();
    l.run(1);
    l.run(101);
    // modp2048 first: refused with INVALID_KE_PAYLOAD(curve25519), then the rekey with it works.
    expect(exchanges(l).slice(4, 8)).toEqual(['r 36 #0', 'i 36r #0', 'r 36 #1', 'i 36r #1']);
    expect(downs(l, 'r', 'ike-down')).toEqual(['rekeyed']);
    onePair(l);
  });
});

describe('rekey collisions (2.8.1, 2.8.2)', () => {
  it('orders nonces octet by octet, a shorter prefix being the lower', () => {
    const b = (...x: number[]) => Uint8Array.from(x);
    expect(nonceLower(b(1, 9), b(2, 0))).toBe(true);
    expect(nonceLower(b(2, 0), b(1, 9))).toBe(false);
    expect(nonceLower(b(1, 2), b(1, 2, 0))).toBe(true);
    expect(nonceLower(b(1, 2, 0), b(1, 2))).toBe(false);
    expect(nonceLower(b(5), b(5))).toBe(false);
    expect(lowestIn([b(9), b(3)], [b(4), b(8)])).toBe('ours');
    expect(lowestIn([b(9), b(5)], [b(4), b(8)])).toBe('theirs');
  });

  /** Both ends with the same rekey time: their requests cross on the wire. */
  const both = (seeds: readonly [number, number], what: 'esp' | 'ike', extra: LadderOptions = {}) =>
    new Ladder({
      seeds,
      responder: { ike: { proposals: ['aes128-sha256-prfsha256-curve25519'], rekeyS: what === 'ike' ? 100 : 0 }, esp: { proposals: ESP, rekeyS: what === 'esp' ? 60 : 0 }, dpd: { delayS: 0 } },
      initiatorPolicy: { ikeRekeyS: what === 'ike' ? 100 : 0, espRekeyS: what === 'esp' ? 60 : 0, espProposals: parseProposals(ESP, 'esp') },
      ...extra,
    });

  const SEEDS: readonly [number, number][] = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, 100 + n]);

  it('CHILD_SA: one new pair survives, the one with the lowest nonce is closed by its creator, the old one by the other', () => {
    const redundantBy = new Set<string>();
    for (const seeds of SEEDS) {
      const l = both(seeds, 'esp');
      l.connect();
      l.run(1);
      const old = onePair(l).r.spiIn;
      l.run(61);
      // Both requests crossed: each end answered the other's rekey.
      const x = exchanges(l).slice(4);
      expect(x.slice(0, 2).sort()).toEqual(['i 36 #2', 'r 36 #0']);
      const { r } = onePair(l);
      expect(r.spiIn).not.toBe(old);
      const rDowns = downs(l, 'r', 'child-down');
      const iDowns = downs(l, 'i', 'child-down');
      // One end closed its own redundant SA (and the old one went by the other's Delete); the
      // other, which made the survivor, closed the old one (and the peer's redundant one went).
      const closer = rDowns.includes('redundant') ? 'r' : 'i';
      redundantBy.add(closer);
      expect((closer === 'r' ? rDowns : iDowns).sort()).toEqual(['deleted-by-peer', 'redundant']);
      expect((closer === 'r' ? iDowns : rDowns).sort()).toEqual(['deleted-by-peer', 'rekeyed']);
      stillTalks(l, 61);
    }
    // Over these seeds, each end lost at least once: both branches of 2.8.1 ran.
    expect([...redundantBy].sort()).toEqual(['i', 'r']);
  });

  it('IKE SA: one new IKE SA survives with the CHILD_SAs, the redundant one and the old one are deleted', () => {
    const redundantBy = new Set<string>();
    for (const seeds of SEEDS) {
      const l = both(seeds, 'ike');
      l.connect();
      l.run(1);
      const child = onePair(l).r.spiIn;
      const old = l.initiator.ikeSa!.name;
      l.run(101);
      const { r } = onePair(l);
      expect(r.spiIn).toBe(child);
      const rSa: IkeSa = l.responder.ikeSas.find((s) => s.state === 'established')!;
      expect(rSa.name).not.toBe(old);
      // Nothing else is left over: the old SA and the redundant new one are gone on both ends.
      expect(l.responder.ikeSas).toHaveLength(1);
      const rDowns = downs(l, 'r', 'ike-down');
      const iDowns = downs(l, 'i', 'ike-down');
      const closer = rDowns.includes('redundant') ? 'r' : 'i';
      redundantBy.add(closer);
      // The closer deleted its redundant SA; the old one went by the other end's Delete.
      expect((closer === 'r' ? rDowns : iDowns).sort()).toEqual(['redundant', 'rekeyed']);
      // The other deleted the old SA itself; the peer's redundant SA went by the peer's Delete.
      expect((closer === 'r' ? iDowns : rDowns).sort()).toEqual(['deleted-by-peer', 'rekeyed']);
      stillTalks(l, 101);
    }
    expect([...redundantBy].sort()).toEqual(['i', 'r']);
  });

  it('survives a lost response in a CHILD_SA collision: retransmissions settle it the same way', () => {
    for (const seeds of SEEDS.slice(0, 4)) {
      const l = both(seeds, 'esp');
      let lost = 0;
      l.connect();
      l.run(1);
      l.filter = (s) => {
        const d = decodeMessage(s.bytes, { natt: true });
        // The first CREATE_CHILD_SA response from the responder is lost.
        if (d.kind === 'ike' && d.header.exchangeType === 36 && d.header.response && s.from.address === '198.18.2.2' && lost++ === 0) return [];
        return [s];
      };
      l.run(80);
      expect(lost).toBeGreaterThan(0);
      onePair(l);
      stillTalks(l, 80);
    }
  });

  it('refuses an IKE SA rekey while a CHILD_SA rekey of ours is in flight (TEMPORARY_FAILURE, 2.25.2), and both get done', () => {
    // The responder rekeys its CHILD_SA at 60 s; the initiator rekeys the IKE SA at 60 s too.
    const l = new Ladder({
      responder: { ike: { proposals: ['aes128-sha256-prfsha256-curve25519'], rekeyS: 0 }, esp: { proposals: ESP, rekeyS: 60 }, dpd: { delayS: 0 } },
      initiatorPolicy: { ikeRekeyS: 60, espRekeyS: 0, espProposals: parseProposals(ESP, 'esp') },
    });
    l.connect();
    l.run(1);
    const child = onePair(l).r.spiIn;
    const old = l.initiator.ikeSa!.name;
    l.run(90);
    const notifies = l.events.filter((e) => e.event.kind === 'exchange' && e.event.summary.includes('N(TEMPORARY_FAILURE)'));
    expect(notifies.length).toBeGreaterThanOrEqual(1);
    const { r } = onePair(l);
    expect(r.spiIn).not.toBe(child);
    expect(l.initiator.ikeSa!.name).not.toBe(old);
    stillTalks(l, 90);
  });
});
