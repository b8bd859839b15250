// The Gateway end to end in memory: WakeLab's Initiator sets up the SA, a client DataPlane sends
// through it, and the virtual host behind the Gateway answers (RFC 4303, RFC 3948, RFC 792, RFC 862).
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../../src-main/core/net/ipv4.ts';
import { decodeIpv4 } from '../../../src-main/core/inner/ipv4-packet.ts';
import { ping, udp } from '../esp/support/pair.ts';
import { parseProposals } from '../../../src-main/core/ike/proposal-syntax.ts';
import { Tunnel } from './support/tunnel.ts';

const VIP = '198.18.200.1';
const HOST = '198.18.100.1';

const up = Tunnel.up;

const ipOf = (p: Uint8Array) => {
  const d = decodeIpv4(p);
  if (!d.ok) throw new Error(`not IPv4: ${d.reason}`);
  return d;
};

const drops = (t: Tunnel) => t.events.filter((e) => e.by === 'r' && e.event.kind === 'drop').map((e) => (e.event as { reason: string }).reason);

describe('the Gateway carries ESP to and from its virtual host', () => {
  it('answers a ping through the tunnel: an ICMP echo reply from the virtual host to the virtual IP', () => {
    const t = up();
    expect(t.clientSends(ping(VIP, HOST, 7))).toBe(true);
    t.run(2);
    expect(t.delivered).toHaveLength(1);
    const reply = ipOf(t.delivered[0]!);
    expect([formatIpv4(reply.src), formatIpv4(reply.dst), reply.protocol]).toEqual([HOST, VIP, 1]);
    // ICMP Echo Reply (type 0) with the request's sequence number (RFC 792).
    expect(reply.payload[0]).toBe(0);
    expect((reply.payload[6]! << 8) | reply.payload[7]!).toBe(7);
    // ESP went both ways on UDP 4500 (RFC 3948), starting at sequence number 1 (RFC 4303 3.3.3).
    const esp = t.wire.filter((w) => w.send.to.port === 4500 && w.send.bytes[0] !== 0 && w.t >= 1);
    expect(esp.map((w) => w.by)).toEqual(['i', 'r']);
    expect(esp.map((w) => new DataView(w.send.bytes.buffer, w.send.bytes.byteOffset).getUint32(4))).toEqual([1, 1]);
    expect(t.gateway.host.counters.icmpEchoReplies).toBe(1);
  });

  it('keeps nothing of an ESP datagram once receive returns (transient), so a UDP host may lend it a buffer it reuses', () => {
    const run = (scribble: boolean) => {
      const t = up();
      const g = t.gateway;
      const receive = g.receive.bind(g);
      let lent = 0;
      let kept = 0;
      g.receive = (now, d, from, to) => {
        receive(now, d, from, to);
        // What a batched UDP host does: the next batch overwrites the octets of this one.
        if (!g.transient(d, to)) kept++;
        else if (scribble) {
          lent++;
          d.fill(0xee);
        }
      };
      t.clientSends(ping(VIP, HOST, 7));
      t.clientSends(udp(VIP, HOST, 100, 5, 40000, 7));
      t.run(2);
      t.act((now) => t.initiator.dpd(now));
      t.run(4);
      const traffic = t.events.filter((e) => e.by === 'r' && e.event.kind === 'traffic').map((e) => e.event);
      return { lent, kept, delivered: t.delivered.map((d) => [...d]), traffic };
    };
    const plain = run(false);
    const scribbled = run(true);
    expect(scribbled.lent).toBe(2); // the two ESP packets
    expect(scribbled.kept).toBeGreaterThan(0); // the DPD exchange: IKE is never lent
    expect({ ...scribbled, lent: 0 }).toEqual(plain);
    expect(plain.delivered).toHaveLength(2);
  });

  it('echoes UDP on port 7 and swallows port 9 (RFC 862, RFC 863)', () => {
    const t = up();
    t.clientSends(udp(VIP, HOST, 100, 5, 40000, 7));
    t.clientSends(udp(VIP, HOST, 100, 6, 40000, 9));
    t.run(2);
    expect(t.delivered).toHaveLength(1);
    const echo = ipOf(t.delivered[0]!);
    expect(formatIpv4(echo.dst)).toBe(VIP);
    // The datagram comes back from port 7 to the sender's port, with the same 100 octets.
    expect([(echo.payload[0]! << 8) | echo.payload[1]!, (echo.payload[2]! << 8) | echo.payload[3]!]).toEqual([7, 40000]);
    expect(echo.payload.length).toBe(8 + 100);
    expect(t.gateway.host.counters.udpDiscarded).toBe(1);
  });

  it('pushes downlink traffic to each client on the configured schedule', () => {
    const t = up({ gateway: { virtualHost: { push: [{ port: 5000, bytes: 200, everyS: 10 }] } } });
    t.run(35.5);
    // 10, 20 and 30 s after the CHILD_SA came up.
    expect(t.delivered).toHaveLength(3);
    for (const p of t.delivered) {
      const d = ipOf(p);
      expect([formatIpv4(d.src), formatIpv4(d.dst), d.payload.length]).toEqual([HOST, VIP, 8 + 200]);
    }
  });

  it('takes authenticated ESP as proof of life: no DPD while the client sends, DPD once it stops', () => {
    const t = up({ gateway: { dpd: { delayS: 10 } } });
    for (let s = 1; s <= 30; s += 5) {
      t.run(s);
      t.clientSends(udp(VIP, HOST, 10, s, 40000, 9));
    }
    t.run(35);
    const dpdBy = () => t.events.filter((e) => e.by === 'r' && e.event.kind === 'exchange' && e.event.exchange === 'INFORMATIONAL' && e.event.dir === 'out' && e.event.request);
    expect(dpdBy()).toHaveLength(0);
    t.run(45);
    expect(dpdBy().length).toBeGreaterThanOrEqual(1);
  });

  it('drops replayed, forged and unknown ESP silently, counting each by reason', () => {
    const t = up();
    t.clientSends(ping(VIP, HOST, 1));
    const sent = t.wire.at(-1)!.send;
    t.run(2);
    expect(t.delivered).toHaveLength(1);
    // The same packet again: a replay (RFC 4303 3.4.3), checked before the ICV.
    t.gateway.receive(t.now, sent.bytes, sent.from, sent.to);
    // A new sequence number the sender never sealed: inside the window, so the ICV decides: bad-icv.
    // An SPI nobody holds: unknown-spi.
    const forged = sent.bytes.slice();
    new DataView(forged.buffer).setUint32(4, 50);
    t.gateway.receive(t.now, forged, sent.from, sent.to);
    const stray = sent.bytes.slice();
    stray[0]! ^= 0x55;
    t.gateway.receive(t.now, stray, sent.from, sent.to);
    const out = t.gateway.drain();
    expect(out.filter((o) => o.kind === 'send')).toEqual([]);
    expect(out.flatMap((o) => (o.kind === 'event' && o.event.kind === 'drop' ? [o.event.reason] : []))).toEqual(['esp-replay', 'esp-bad-icv', 'esp-unknown-spi']);
    // Each was still a datagram from the client: reported as traffic (the unknown SPI as invalid).
    expect(out.flatMap((o) => (o.kind === 'event' && o.event.kind === 'traffic' ? [o.event.cls] : []))).toEqual(['invalid', 'invalid', 'invalid']);
    expect(t.gateway.dataPlane.counters().total.dropsIn).toMatchObject({ replay: 1, 'bad-icv': 1, 'unknown-spi': 1 });
  });

  it('rekeys a CHILD_SA whose outbound sequence numbers reach the threshold, and keeps carrying traffic', () => {
    const t = up({ gateway: { esp: { proposals: ['aes128gcm16'], rekeyS: 0, replayWindow: 128, backend: 'noble', seqRekeyThreshold: 3 } } });
    for (let i = 1; i <= 3; i++) t.clientSends(ping(VIP, HOST, i));
    t.run(5);
    expect(t.delivered).toHaveLength(3);
    const rekeyed = t.events.find((e) => e.by === 'r' && e.event.kind === 'child-up' && e.event.rekeyOf !== null);
    expect(rekeyed).toBeDefined();
    expect(t.events.some((e) => e.by === 'r' && e.event.kind === 'child-down' && e.event.reason === 'rekeyed')).toBe(true);
    // The next reply goes out on the new CHILD_SA, from sequence number 1 again.
    t.clientSends(ping(VIP, HOST, 4));
    t.run(6);
    expect(t.delivered).toHaveLength(4);
    const last = t.wire.filter((w) => w.by === 'r' && w.send.bytes[0] !== 0 && w.send.to.port === 4500).at(-1)!.send.bytes;
    const spi = new DataView(last.buffer, last.byteOffset).getUint32(0);
    expect(rekeyed!.event.kind === 'child-up' && spi).toBe(rekeyed!.event.kind === 'child-up' ? rekeyed!.event.child.spiOut : -1);
    expect(new DataView(last.buffer, last.byteOffset).getUint32(4)).toBe(1);
  });

  it('negotiates ESN when the client offers it (RFC 4304; default proposals) and carries traffic with it', () => {
    const esn = Tunnel.up({ gateway: { esp: { rekeyS: 0, replayWindow: 128, backend: 'noble' } }, initiatorPolicy: { espProposals: parseProposals(['aes256gcm16-esn'], 'esp') } });
    expect(esn.gateway.responder.ikeSas[0]!.children[0]!.transforms.esn).toBe(true);
    esn.clientSends(ping(VIP, HOST, 1));
    esn.run(2);
    expect(esn.delivered).toHaveLength(1);
    const plain = Tunnel.up({ gateway: { esp: { rekeyS: 0, replayWindow: 128, backend: 'noble' } }, initiatorPolicy: { espProposals: parseProposals(['aes256gcm16'], 'esp') } });
    expect(plain.gateway.responder.ikeSas[0]!.children[0]!.transforms.esn).toBe(false);
  });

  it('keeps carrying traffic after an IKE SA rekey moved the CHILD_SAs (RFC 7296 2.18)', () => {
    const t = up({ gateway: { ike: { proposals: ['aes128-sha256-prfsha256-curve25519'], rekeyS: 20 } } });
    t.run(25);
    expect(t.events.some((e) => e.by === 'r' && e.event.kind === 'ike-rekeyed')).toBe(true);
    t.clientSends(ping(VIP, HOST, 9));
    t.run(26);
    expect(t.delivered).toHaveLength(1);
    expect(drops(t)).toEqual([]);
  });
});
