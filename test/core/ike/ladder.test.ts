// Ladders between WakeLab's initiator and responder, in memory on a virtual clock.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { decodeMessage } from '../../../src-main/core/ike/wire/message.ts';
import { Ladder } from './support/net.ts';

const exchanges = (l: Ladder) =>
  l.wire.map((w) => {
    const d = decodeMessage(w.send.bytes, { natt: w.send.to.port === 4500 || w.send.from.port === 4500 });
    return d.kind === 'ike' ? `${w.by} ${d.header.exchangeType}${d.header.response ? 'r' : ''} #${d.header.messageId}` : `${w.by} ${d.kind}`;
  });

describe('IKE_SA_INIT and IKE_AUTH', () => {
  it('establishes an IKE SA and a CHILD_SA with a virtual IP; both sides agree on keys', () => {
    // IKE_SA_INIT { SA, KE, Ni, N(NAT_D) } -->  <-- { SA, KE, Nr, N(NAT_D) }
    // IKE_AUTH  SK { IDi, IDr, AUTH, CP, N(INITIAL_CONTACT), SA, TSi, TSr } -->  <-- SK { IDr, AUTH, CP, SA, TSi, TSr }
    const l = new Ladder();
    l.connect();
    l.run(1);
    expect(exchanges(l)).toEqual(['i 34 #0', 'r 34r #0', 'i 35 #1', 'r 35r #1']);
    expect(l.initiator.phase).toBe('up');
    const up = l.events.find((e) => e.by === 'r' && e.event.kind === 'ike-up')!.event;
    expect(up).toMatchObject({ kind: 'ike-up', peerId: 'cli.wakelab', virtualIp: '198.18.200.1' });
    const rChild = l.events.find((e) => e.by === 'r' && e.event.kind === 'child-up')!.event;
    const iChild = l.events.find((e) => e.by === 'i' && e.event.kind === 'child-up')!.event;
    if (rChild.kind !== 'child-up' || iChild.kind !== 'child-up') throw new Error('no child');
    // What one side sends with, the other receives with.
    expect(rChild.child.spiIn).toBe(iChild.child.spiOut);
    expect(rChild.child.spiOut).toBe(iChild.child.spiIn);
    expect(toHex(rChild.child.keysIn.encr)).toBe(toHex(iChild.child.keysOut.encr));
    expect(toHex(rChild.child.keysOut.integ!)).toBe(toHex(iChild.child.keysIn.integ!));
    expect(rChild.child.remoteTs).toEqual(['198.18.200.1/32']);
    expect(rChild.child.localTs).toEqual(['198.18.100.0/24']);
    // IKE moved to the NAT-T port after NAT detection, with the non-ESP marker.
    expect(l.wire[2]!.send.to.port).toBe(4500);
  });

  it('answers a wrong pre-shared key with AUTHENTICATION_FAILED and keeps nothing', () => {
    const l = new Ladder({ initiatorPsk: 'wrong' });
    l.connect();
    l.run(1);
    expect(l.initiator.phase).toBe('failed');
    expect(l.responder.ikeSas).toHaveLength(0);
    expect(l.responder.drops.get('auth-failed')).toBe(1);
  });

  it('asks for another group with INVALID_KE_PAYLOAD, and the initiator retries with it', () => {
    const l = new Ladder({ initiatorIke: ['aes128-sha256-prfsha256-modp2048-curve25519'], responder: { ike: { proposals: ['aes128-sha256-prfsha256-curve25519'] } } });
    l.connect();
    l.run(1);
    expect(exchanges(l).slice(0, 3)).toEqual(['i 34 #0', 'r 34r #0', 'i 34 #0']);
    expect(l.initiator.phase).toBe('up');
  });

  it('refuses proposals it does not share with NO_PROPOSAL_CHOSEN', () => {
    const l = new Ladder({ initiatorIke: ['aes256-sha512-prfsha512-ecp384'], responder: { ike: { proposals: ['aes128-sha256-prfsha256-curve25519'] } } });
    l.connect();
    l.run(1);
    expect(l.initiator.phase).toBe('failed');
    expect(l.initiator.failure).toMatch(/14/);
  });

  it('survives a lost response: the initiator retransmits and gets the cached answer, byte for byte', () => {
    const l = new Ladder();
    let dropped = false;
    l.filter = (s) => {
      // Lose the first IKE_AUTH response.
      if (!dropped && s.from.address === '198.18.2.2' && s.bytes.length > 100 && l.wire.length === 4) {
        dropped = true;
        return [];
      }
      return [s];
    };
    l.connect();
    l.run(30);
    expect(dropped).toBe(true);
    expect(l.initiator.phase).toBe('up');
    const authResponses = l.wire.filter((w) => {
      const d = decodeMessage(w.send.bytes, { natt: w.send.from.port === 4500 });
      return w.by === 'r' && d.kind === 'ike' && d.header.exchangeType === 35;
    });
    expect(authResponses.length).toBe(2);
    expect(toHex(authResponses[0]!.send.bytes)).toBe(toHex(authResponses[1]!.send.bytes));
  });
});

describe('liveness checks and deletes', () => {
  it("answers the initiator's DPD, and its own DPD gets answered", () => {
    const l = new Ladder({ responder: { dpd: { delayS: 10 } } });
    l.connect();
    l.run(1);
    l.act((t) => l.initiator.dpd(t));
    l.run(25);
    const infos = exchanges(l).filter((x) => x.includes(' 37'));
    expect(infos).toEqual(['i 37 #2', 'r 37r #2', 'r 37 #0', 'i 37r #0', 'r 37 #1', 'i 37r #1']);
    expect(l.responder.ikeSas[0]!.state).toBe('established');
  });

  it('deletes the SA after its DPD schedule runs out when the client is silent', () => {
    const l = new Ladder({ responder: { dpd: { delayS: 10, retransmit: { timeoutS: 2, base: 1.8, tries: 3 } } } });
    l.connect();
    l.run(1);
    l.filter = (s) => (s.from.address === '198.18.2.2' ? [] : [s]); // the client is gone
    l.run(100);
    const down = l.events.find((e) => e.by === 'r' && e.event.kind === 'ike-down');
    expect(down?.event).toMatchObject({ reason: 'dpd-failed' });
    // 2 + 3.6 + 6.48 + 11.664 = 23.7 s after the first DPD, which went out 10 s after the last packet.
    expect(down!.t).toBeCloseTo(l.events.find((e) => e.by === 'r' && e.event.kind === 'ike-up')!.t + 10 + 23.744, 1);
    expect(l.responder.ikeSas).toHaveLength(0);
  });

  it("handles the initiator's Delete of the IKE SA", () => {
    const l = new Ladder();
    l.connect();
    l.run(1);
    l.act((t) => l.initiator.close(t));
    l.run(5);
    expect(l.initiator.phase).toBe('closed');
    expect(l.responder.ikeSas).toHaveLength(0);
    expect(l.events.filter((e) => e.by === 'r').map((e) => e.event.kind)).toContain('child-down');
  });
});

describe('bad input', () => {
  it('never throws on mutated datagrams and counts each drop', () => {
    const l = new Ladder();
    l.connect();
    l.run(1);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (const w of l.wire.filter((x) => x.by === 'i')) {
      for (let k = 0; k < 200; k++) {
        const b = w.send.bytes.slice();
        b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
        const cut = rnd() < 0.2 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
        expect(() => l.responder.receive(l.now, cut, w.send.from, w.send.to)).not.toThrow();
      }
    }
    expect([...l.responder.drops.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
  });
});

describe('rekeys and keepalives we initiate', () => {
  it('rekeys the CHILD_SA: new SA on both sides, the old one deleted (RFC 7296 1.3.3, 2.8)', () => {
    const l = new Ladder();
    l.connect();
    l.run(1);
    const before = l.events.filter((e) => e.by === 'r' && e.event.kind === 'child-up').length;
    l.act((t) => l.initiator.rekeyChildren(t));
    l.run(5);
    const ups = l.events.filter((e) => e.by === 'r' && e.event.kind === 'child-up');
    expect(ups.length).toBe(before + 1);
    const rekeyed = ups.at(-1)!.event;
    if (rekeyed.kind !== 'child-up') throw new Error('no child-up');
    expect(rekeyed.rekeyOf).not.toBeNull();
    expect(l.events.some((e) => e.by === 'r' && e.event.kind === 'child-down')).toBe(true);
    const sa = l.responder.ikeSas[0]!;
    expect(sa.children).toHaveLength(1);
    expect(sa.children[0]!.spiIn).toBe(rekeyed.child.spiIn);
    const iSa = l.initiator.ikeSa!;
    expect(iSa.children).toHaveLength(1);
    expect(iSa.children[0]!.spiOut).toBe(rekeyed.child.spiIn);
    expect(iSa.children[0]!.keysOut.encr).toEqual(sa.children[0]!.keysIn.encr);
  });

  it('rekeys the IKE SA: children move over, the old SA is deleted, the new one carries on (2.18)', () => {
    const l = new Ladder({ responder: { dpd: { delayS: 10 } } });
    l.connect();
    l.run(1);
    const old = l.responder.ikeSas[0]!.name;
    l.act((t) => l.initiator.rekeyIke(t));
    l.run(5);
    expect(l.responder.ikeSas).toHaveLength(1);
    const next = l.responder.ikeSas[0]!;
    expect(next.name).not.toBe(old);
    expect(next.children).toHaveLength(1);
    expect(l.initiator.ikeSa!.name).toBe(next.name);
    expect(l.events.some((e) => e.by === 'r' && e.event.kind === 'ike-down' && e.event.reason === 'rekeyed')).toBe(true);
    // The new SA works: the responder's DPD on it is answered.
    l.run(30);
    expect(l.responder.ikeSas[0]!.state).toBe('established');
    expect(exchanges(l).filter((x) => x.startsWith('i 37r')).length).toBeGreaterThanOrEqual(1);
  });

  it('sends NAT-T keepalives after keepaliveS of silence when behind a NAT, and not otherwise (RFC 3948 4)', () => {
    const nat = (l: Ladder) => {
      // A NAT in front of the initiator: its packets leave from 198.18.2.1:40000+port.
      l.filter = (s) => {
        if (s.from.address === '198.18.1.2') return [{ ...s, from: { address: '198.18.2.1', port: 40000 + s.from.port } }];
        if (s.to.address === '198.18.2.1') return [{ ...s, to: { address: '198.18.1.2', port: s.to.port - 40000 } }];
        return [s];
      };
    };
    // Responder DPD off: its DPDs (and our answers) would count as outbound traffic and move the keepalives.
    const behind = new Ladder({ responder: { dpd: { delayS: 0 } }, initiatorPolicy: { keepaliveS: 20 } });
    nat(behind);
    behind.connect();
    behind.run(61);
    const keepalives = behind.wire.filter((w) => w.by === 'i' && w.send.bytes.length === 1 && w.send.bytes[0] === 0xff);
    expect(keepalives.map((k) => Math.round(k.t))).toEqual([20, 40, 60]);
    expect(behind.responder.keepalives).toBe(3);
    expect(behind.initiator.ikeSa!.selfBehindNat).toBe(true);
    expect(behind.responder.ikeSas[0]!.peerBehindNat).toBe(true);

    const direct = new Ladder({ responder: { dpd: { delayS: 0 } }, initiatorPolicy: { keepaliveS: 20 } });
    direct.connect();
    direct.run(61);
    expect(direct.wire.filter((w) => w.send.bytes.length === 1)).toHaveLength(0);
  });
});

describe('half-open SAs', () => {
  it("are dropped 30 s after IKE_SA_INIT when no IKE_AUTH comes (charon's half_open_timeout)", () => {
    const l = new Ladder();
    l.filter = (s) => (s.to.port === 4500 ? [] : [s]); // IKE_AUTH never arrives
    l.connect();
    l.run(29);
    expect(l.responder.ikeSas).toHaveLength(1);
    expect(l.responder.ikeSas[0]!.state).toBe('half-open');
    l.run(31);
    expect(l.responder.ikeSas).toHaveLength(0);
    expect(l.events.find((e) => e.by === 'r' && e.event.kind === 'ike-down')?.event).toMatchObject({ reason: 'expired' });
  });
});
