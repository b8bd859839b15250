// The virtual host behind the responder: what it answers (ICMP echo, UDP echo), absorbs (UDP
// discard) and drops (by reason, never throwing), and how it is configured.
//   client 198.18.200.2 ==ESP==> responder --inner IPv4--> VirtualHost 198.18.100.1
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { defaultHostAddress } from '../../../src-main/core/inner/host-address.ts';
import { encodeIcmpEcho } from '../../../src-main/core/inner/icmp.ts';
import { decodeIpv4, encodeIpv4, IpProtocol } from '../../../src-main/core/inner/ipv4-packet.ts';
import { decodeUdp, encodeUdp } from '../../../src-main/core/inner/udp.ts';
import { VirtualHost } from '../../../src-main/core/inner/virtual-host.ts';
import { formatIpv4, parseCidr } from '../../../src-main/core/net/ipv4.ts';
import { CLIENT, h, HOST, PING, PING_REPLY, resealIpv4, UDP_ECHO, UDP_ECHO_REPLY } from './fixtures.ts';

const host = (): VirtualHost => new VirtualHost({ address: '198.18.100.1' });
const udpTo = (port: number, data = h('68656c6c6f'), srcPort = 40000, id = 5): Uint8Array => encodeUdp({ src: CLIENT, dst: HOST, id }, srcPort, port, data);

describe('VirtualHost: answers', () => {
  // ICMP Echo Request (ping) -->   <-- Echo Reply
  it('golden: answers the hand-checked ping with the hand-checked reply', () => {
    const vh = host();
    const out = vh.receive(0, PING);
    expect(out.map(toHex)).toEqual([toHex(PING_REPLY)]);
    expect(vh.counters).toMatchObject({ received: 1, icmpEchoReplies: 1 });
  });

  it('IP Identification counts up per datagram sent and wraps at 16 bits', () => {
    const vh = new VirtualHost({ address: HOST, firstId: 0xfffe });
    const ids = [0, 1, 2].map(() => decodeIpv4(vh.receive(0, PING)[0]!)).map((p) => (p.ok ? p.id : -1));
    expect(ids).toEqual([0xfffe, 0xffff, 0]);
  });

  it('answers a ping whose request carried IP options, without options', () => {
    const b = new Uint8Array(PING.length + 4);
    b.set(PING.subarray(0, 20));
    b.set([1, 1, 1, 0], 20); // NOP NOP NOP End of Option List
    b.set(PING.subarray(20), 24);
    b[0] = 0x46;
    b[3] = 40;
    expect(host().receive(0, resealIpv4(b)).map(toHex)).toEqual([toHex(PING_REPLY)]);
  });

  it('a large ping is echoed in full', () => {
    const data = Uint8Array.from({ length: 65507 }, (_, i) => i * 7);
    const ping = encodeIpv4({ src: CLIENT, dst: HOST, protocol: IpProtocol.ICMP, id: 9 }, encodeIcmpEcho(8, 3, 4, data));
    const [reply] = host().receive(0, ping);
    expect(reply).toHaveLength(65535);
    expect(toHex(reply!.subarray(28, 60))).toBe(toHex(data.subarray(0, 32)));
  });

  // UDP to port 7 -->   <-- the same data back (RFC 862)
  it('golden: UDP echo', () => {
    const vh = host();
    expect(vh.receive(0, UDP_ECHO).map(toHex)).toEqual([toHex(UDP_ECHO_REPLY)]);
    expect(vh.counters.udpEchoReplies).toBe(1);
  });

  it('UDP echo of an empty datagram and of one sent without a checksum', () => {
    const vh = host();
    const [empty] = vh.receive(0, udpTo(7, h('')));
    const u = decodeUdp(HOST, CLIENT, empty!.subarray(20));
    expect(u).toMatchObject({ ok: true, srcPort: 7, dstPort: 40000, length: 8 });
    const noSum = udpTo(7, h('abcd'));
    noSum[26] = 0;
    noSum[27] = 0;
    const [r] = vh.receive(0, noSum);
    expect(decodeUdp(HOST, CLIENT, r!.subarray(20))).toMatchObject({ ok: true, payload: h('abcd') });
  });

  // UDP to port 9 -->   (nothing back, RFC 863)
  it('UDP discard absorbs silently and counts', () => {
    const vh = host();
    expect(vh.receive(0, udpTo(9))).toEqual([]);
    expect(vh.counters.udpDiscarded).toBe(1);
    expect(Object.values(vh.counters.drops).every((n) => n === 0)).toBe(true);
  });

  it('configurable echo and discard ports', () => {
    const vh = new VirtualHost({ address: '198.18.100.1', echoPort: 7007, discardPort: 9009 });
    expect(vh.receive(0, udpTo(7007))).toHaveLength(1);
    expect(vh.receive(0, udpTo(9009))).toEqual([]);
    expect(vh.receive(0, udpTo(7))).toEqual([]);
    expect(vh.counters).toMatchObject({ udpEchoReplies: 1, udpDiscarded: 1, drops: { 'closed-port': 1 } });
  });
});

describe('VirtualHost: drops (never throws)', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['truncated', PING.subarray(0, 30), 'bad-header'],
    ['empty', new Uint8Array(0), 'bad-header'],
    ['IPv6', h('6000000000083a40' + '00'.repeat(32) + '8000000000000000'), 'bad-header'],
    ['bad IP checksum', Uint8Array.from(PING, (v, i) => (i === 11 ? v ^ 1 : v)), 'bad-checksum'],
    ['bad ICMP checksum', Uint8Array.from(PING, (v, i) => (i === 35 ? v ^ 1 : v)), 'bad-checksum'],
    ['bad UDP checksum', Uint8Array.from(UDP_ECHO, (v, i) => (i === 31 ? v ^ 1 : v)), 'bad-checksum'],
    ['first fragment', resealIpv4(Uint8Array.from(PING, (v, i) => (i === 6 ? 0x20 : v))), 'fragment'],
    ['later fragment', resealIpv4(Uint8Array.from(PING, (v, i) => (i === 7 ? 0x10 : v))), 'fragment'],
    ['wrong destination', encodeIpv4({ src: CLIENT, dst: HOST + 1, protocol: 1, id: 0 }, encodeIcmpEcho(8, 1, 1, h(''))), 'not-for-us'],
    ['broadcast destination', encodeIpv4({ src: CLIENT, dst: 0xffffffff, protocol: 1, id: 0 }, encodeIcmpEcho(8, 1, 1, h(''))), 'not-for-us'],
    // TCP SYN to port 80: no TCP stack, no RST.
    ['TCP', encodeIpv4({ src: CLIENT, dst: HOST, protocol: IpProtocol.TCP, id: 0 }, h('9c400050000000010000000050022000abcd0000')), 'unsupported-protocol'],
    ['GRE', encodeIpv4({ src: CLIENT, dst: HOST, protocol: 47, id: 0 }, h('00000800')), 'unsupported-protocol'],
    ['ICMP echo reply', encodeIpv4({ src: CLIENT, dst: HOST, protocol: 1, id: 0 }, encodeIcmpEcho(0, 1, 1, h(''))), 'unsupported-icmp'],
    ['short ICMP', encodeIpv4({ src: CLIENT, dst: HOST, protocol: 1, id: 0 }, h('0800f7ff')), 'bad-header'],
    ['short UDP', encodeIpv4({ src: CLIENT, dst: HOST, protocol: 17, id: 0 }, h('9c400007')), 'bad-header'],
    ['closed UDP port', udpTo(53), 'closed-port'],
    ['UDP port 0', udpTo(0), 'closed-port'],
    ['echo from port 0', udpTo(7, h('00'), 0), 'echo-refused'],
    ['echo from chargen', udpTo(7, h('00'), 19), 'echo-refused'],
    ['echo from echo', udpTo(7, h('00'), 7), 'echo-refused'],
    ['source 0.0.0.0', encodeIpv4({ src: 0, dst: HOST, protocol: 1, id: 0 }, encodeIcmpEcho(8, 1, 1, h(''))), 'bad-header'],
    ['source loopback', encodeIpv4({ src: 0x7f000001, dst: HOST, protocol: 1, id: 0 }, encodeIcmpEcho(8, 1, 1, h(''))), 'bad-header'],
    ['source multicast', encodeIpv4({ src: 0xe0000001, dst: HOST, protocol: 1, id: 0 }, encodeIcmpEcho(8, 1, 1, h(''))), 'bad-header'],
    ['source is ourselves', encodeIpv4({ src: HOST, dst: HOST, protocol: 1, id: 0 }, encodeIcmpEcho(8, 1, 1, h(''))), 'bad-header'],
  ];

  for (const [name, packet, reason] of cases) {
    it(`${name} -> ${reason}`, () => {
      const vh = host();
      expect(vh.receive(0, packet)).toEqual([]);
      const c = vh.counters;
      expect(c.drops[reason as keyof typeof c.drops]).toBe(1);
      expect(Object.values(c.drops).reduce((a, b) => a + b, 0)).toBe(1);
      expect(c.icmpEchoReplies + c.udpEchoReplies + c.udpDiscarded).toBe(0);
    });
  }

  it('the counters are a snapshot, not a live object', () => {
    const vh = host();
    const before = vh.counters;
    vh.receive(0, udpTo(53));
    expect(before.drops['closed-port']).toBe(0);
    before.drops['closed-port'] = 99;
    expect(vh.counters.drops['closed-port']).toBe(1);
  });
});

describe('VirtualHost: configuration', () => {
  it('throws INVALID_ARGUMENT naming the field', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ address: '198.18.100' }, /"address" expected an IPv4 address/],
      [{ address: '198.18.100.256' }, /"address"/],
      [{}, /"address"/],
      [{ address: '127.0.0.1' }, /"address" expected a unicast host address, got 127\.0\.0\.1/],
      [{ address: '224.0.0.1' }, /"address"/],
      [{ address: '0.0.0.0' }, /"address"/],
      [{ address: 2 ** 32 }, /"address"/],
      [{ address: HOST, echoPort: 0 }, /"echoPort" expected a whole number from 1 to 65535, got 0/],
      [{ address: HOST, echoPort: 65536 }, /"echoPort"/],
      [{ address: HOST, discardPort: 7.5 }, /"discardPort"/],
      [{ address: HOST, echoPort: 9 }, /"discardPort" must differ from "echoPort"/],
      [{ address: HOST, ttl: 0 }, /"ttl"/],
      [{ address: HOST, firstId: 65536 }, /"firstId"/],
      [null, /options/],
    ];
    for (const [opts, message] of bad) {
      expect(() => new VirtualHost(opts as never), JSON.stringify(opts)).toThrow(message);
      expect(() => new VirtualHost(opts as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('defaults: echo 7, discard 9, TTL 64', () => {
    const vh = host();
    expect([vh.address, vh.echoPort, vh.discardPort, vh.ttl]).toEqual([HOST, 7, 9, 64]);
  });

  it('default address: the first host address of the first localTs network', () => {
    expect(formatIpv4(defaultHostAddress(['198.18.100.0/24', '10.0.0.0/8']))).toBe('198.18.100.1');
    expect(formatIpv4(defaultHostAddress([parseCidr('10.1.2.0/30')!]))).toBe('10.1.2.1');
    expect(formatIpv4(defaultHostAddress(['10.1.2.4/31']))).toBe('10.1.2.4');
    expect(formatIpv4(defaultHostAddress(['10.1.2.7/32']))).toBe('10.1.2.7');
    expect(() => defaultHostAddress([])).toThrow(/"localTs"/);
    expect(() => defaultHostAddress(['not a prefix'])).toThrow(/"localTs"/);
    expect(() => defaultHostAddress(['0.0.0.0/0'])).toThrow(/"localTs.0": the first host address 0\.0\.0\.1/);
  });
});
