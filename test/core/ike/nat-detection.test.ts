// NAT detection (RFC 7296 2.23): the hash over hand-computed inputs, the verdicts for every case of
// match and mismatch, and the scapy redirect capture's IKE_SA_INIT requests against the addresses
// their datagrams carried.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { ExchangeType, NotifyStatus, PayloadType as T } from '../../../src-main/core/ike/constants.ts';
import { natDetected, natDetectionHash, natDetectionNotifies, type NatEndpoint } from '../../../src-main/core/ike/nat-detection.ts';
import { parseIpv4, parseIpv6 } from '../../../src-main/core/ike/wire/ip.ts';
import { decodeMessage, type Datagram } from '../../../src-main/core/ike/wire/message.ts';
import { readPcap } from '../../../src-main/core/trace/pcap.ts';
import { udpOf } from '../../support/udp-frames.ts';
import { h, seededRandom } from '../crypto/fixtures.ts';

const suite = createNobleSuite(seededRandom(23));
const spiI = h('0102030405060708');
const zero = new Uint8Array(8);
const at = (address: string, port: number): NatEndpoint => ({ address: parseIpv4(address) ?? parseIpv6(address)!, port });

describe('natDetectionHash = SHA-1(SPIi | SPIr | IP | Port)', () => {
  // Expected values from an independent SHA-1 (Python hashlib) over the concatenation written out:
  // 0102030405060708 | 0000000000000000 | c000020a | 01f4
  it('IPv4 192.0.2.10:500, SPIr zero as in the first IKE_SA_INIT request', () => {
    expect(toHex(natDetectionHash(suite, spiI, zero, h('c000020a'), 500))).toBe('9cdaf8713cea81e287d3c0bacb7db468691dfe58');
  });
  it('IPv4 203.0.113.5:4500 and IPv6 2001:db8::1:500', () => {
    expect(toHex(natDetectionHash(suite, spiI, zero, at('203.0.113.5', 4500).address, 4500))).toBe('4bca824bfbeb5878f982dafbf1b1276f16008d9d');
    expect(toHex(natDetectionHash(suite, spiI, zero, at('2001:db8::1', 500).address, 500))).toBe('7fa12a60a3a27ef1b3fed26cc6d5b8fbf553292f');
  });
  it('refuses local misuse, naming the argument', () => {
    expect(() => natDetectionHash(suite, spiI.subarray(1), zero, h('c000020a'), 500)).toThrow(/"spiI" expected 8 bytes/);
    expect(() => natDetectionHash(suite, spiI, zero, h('c00002'), 500)).toThrow(/"address" expected 4 or 16 bytes, got 3/);
    expect(() => natDetectionHash(suite, spiI, zero, h('c000020a'), 65536)).toThrow(/"port"/);
  });
});

describe('natDetected', () => {
  const client = at('10.0.0.2', 500); // what the initiator believes it sends from
  const server = at('198.51.100.7', 500);
  // HDR(SPIi, 0), SAi1, KEi, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP) -->
  const request = natDetectionNotifies(suite, spiI, zero, client, server);

  it('the notifies: SOURCE_IP over the sender, DESTINATION_IP over the receiver', () => {
    expect(request.map((n) => n.notifyType)).toEqual([NotifyStatus.NAT_DETECTION_SOURCE_IP, NotifyStatus.NAT_DETECTION_DESTINATION_IP]);
    expect(toHex(request[0]!.data)).toBe('bfe5d53254194a35aadbc5bafafc4a807a30ad68');
    expect(toHex(request[1]!.data)).toBe('b7e5085007db5ba8d2612c7d4a637c23ff7c6712');
  });

  it('no NAT: the datagram carries the addresses that were hashed', () => {
    expect(natDetected(suite, spiI, zero, request, { source: client, destination: server })).toEqual({ peerBehindNat: false, selfBehindNat: false });
  });

  it('the client behind a NAT: the source arrives rewritten', () => {
    expect(natDetected(suite, spiI, zero, request, { source: at('203.0.113.5', 31337), destination: server })).toEqual({ peerBehindNat: true, selfBehindNat: false });
  });

  it('we behind a NAT (port forwarding): the destination differs from what the client addressed', () => {
    expect(natDetected(suite, spiI, zero, request, { source: client, destination: at('192.168.1.10', 500) })).toEqual({ peerBehindNat: false, selfBehindNat: true });
  });

  it('several SOURCE_IP notifies: one matching is enough (2.23)', () => {
    const other = natDetectionNotifies(suite, spiI, zero, at('10.9.9.9', 500), server)[0]!;
    expect(natDetected(suite, spiI, zero, [other, ...request], { source: client, destination: server })?.peerBehindNat).toBe(false);
  });

  it('the SPIs of the header count: the same addresses under another SPIr do not match', () => {
    expect(natDetected(suite, spiI, h('1111111111111111'), request, { source: client, destination: server })).toEqual({ peerBehindNat: true, selfBehindNat: true });
  });

  it('without both kinds of notify there is no verdict', () => {
    expect(natDetected(suite, spiI, zero, [], { source: client, destination: server })).toBeUndefined();
    expect(natDetected(suite, spiI, zero, request.slice(0, 1), { source: client, destination: server })).toBeUndefined();
    expect(natDetected(suite, spiI, zero, request.slice(1), { source: client, destination: server })).toBeUndefined();
  });
});

describe('ikev2_notify_redirect.pcap (secdev/scapy): the IKE_SA_INIT requests from 10.5.2.60:10952', () => {
  const data = new Uint8Array(readFileSync(new URL('../../vectors/scapy/ikev2_notify_redirect.pcap', import.meta.url)));
  const all = readPcap(data).map((p) => {
    const u = udpOf(p)!;
    return { u, d: decodeMessage(u.payload, { natt: false }) as Extract<Datagram, { kind: 'ike' }> };
  });
  const requests = all.filter(({ d }) => d.header.exchangeType === ExchangeType.IKE_SA_INIT && !d.header.response);

  it('DESTINATION_IP matches the gateway it reached; SOURCE_IP does not match 10.5.2.60:10952: the initiator is (or claims to be) behind a NAT', () => {
    expect(requests.map(({ u }) => `${u.src}:${u.srcPort} -> ${u.dst}:${u.dstPort}`)).toEqual(['10.5.2.60:10952 -> 10.5.2.52:500', '10.5.2.60:10952 -> 10.5.2.53:500']);
    for (const { u, d } of requests) {
      const verdict = natDetected(suite, d.header.spiI, d.header.spiR, d.payloads, { source: at(u.src, u.srcPort), destination: at(u.dst, u.dstPort) });
      expect(verdict).toEqual({ peerBehindNat: true, selfBehindNat: false });
    }
  });

  it('the DESTINATION_IP data is exactly SHA-1(SPIi | 0 | 10.5.2.52 | 500)', () => {
    const { u, d } = requests[0]!;
    const dst = d.payloads.flatMap((p) => (p.type === T.N && p.notifyType === NotifyStatus.NAT_DETECTION_DESTINATION_IP ? [p.data] : []));
    expect(dst).toHaveLength(1);
    expect(toHex(dst[0]!)).toBe(toHex(natDetectionHash(suite, d.header.spiI, zero, at(u.dst, u.dstPort).address, u.dstPort)));
  });

  it('the responses (REDIRECT, NO_PROPOSAL_CHOSEN) carry no NAT-D: no verdict', () => {
    for (const { u, d } of all.filter(({ d }) => d.header.response)) {
      expect(natDetected(suite, d.header.spiI, d.header.spiR, d.payloads, { source: at(u.src, u.srcPort), destination: at(u.dst, u.dstPort) })).toBeUndefined();
    }
  });
});
