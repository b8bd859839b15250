// Traffic selector narrowing (RFC 7296 2.9): intersections with the allowed IPv4 ranges, protocol and
// ports kept as offered, TS_UNACCEPTABLE as null, and the road-warrior rule for charon's usual offer.
import { describe, expect, it } from 'vitest';
import { parseCidr, parseIpv4 } from '../../../src-main/core/net/ipv4.ts';
import { PayloadType as T } from '../../../src-main/core/ike/constants.ts';
import { narrow, narrowForRoadWarrior, selectorText, type AddressRange } from '../../../src-main/core/ike/traffic-selectors.ts';
import { decodeInnerPayloads, encodeInnerPayloads } from '../../../src-main/core/ike/wire/message.ts';
import type { TrafficSelector } from '../../../src-main/core/ike/wire/ts.ts';

const v4 = (startAddress: string, endAddress: string, ipProtocol = 0, startPort = 0, endPort = 65535): TrafficSelector => ({ kind: 'ipv4', ipProtocol, startPort, endPort, startAddress, endAddress });
const ANY4 = v4('0.0.0.0', '255.255.255.255');
const ANY6: TrafficSelector = { kind: 'ipv6', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '::', endAddress: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' };
const cidr = (text: string) => parseCidr(text)!;
const range = (a: string, b: string): AddressRange => ({ start: parseIpv4(a)!, end: parseIpv4(b)! });
const localTs = [cidr('198.18.2.0/24'), cidr('10.1.0.0/16')];

describe('narrowForRoadWarrior: charon with a virtual IP', () => {
  // IKE_AUTH { IDi, AUTH, CP(CFG_REQUEST), SA, TSi(0.0.0.0/0, ::/0), TSr(0.0.0.0/0, ::/0) } -->
  // <-- IKE_AUTH { IDr, AUTH, CP(CFG_REPLY 198.18.100.1), SA, TSi(198.18.100.1/32), TSr(local_ts) }
  it('TSi 0.0.0.0/0 + TSr 0.0.0.0/0: TSi becomes the assigned address /32, TSr our local networks; IPv6 drops out', () => {
    const n = narrowForRoadWarrior([ANY4, ANY6], [ANY4, ANY6], '198.18.100.1', localTs)!;
    expect(n.tsi).toEqual([v4('198.18.100.1', '198.18.100.1')]);
    expect(n.tsr).toEqual([v4('198.18.2.0', '198.18.2.255'), v4('10.1.0.0', '10.1.255.255')]);
    expect([...n.tsi, ...n.tsr].map(selectorText)).toEqual(['198.18.100.1/32', '198.18.2.0/24', '10.1.0.0/16']);
  });

  it('TSr = the client\'s configured remote_ts: kept where it lies inside ours', () => {
    const n = narrowForRoadWarrior([ANY4], [v4('10.1.0.0', '10.1.255.255')], '198.18.100.7', localTs)!;
    expect(n.tsr.map(selectorText)).toEqual(['10.1.0.0/16']);
    const narrower = narrowForRoadWarrior([ANY4], [v4('10.1.2.0', '10.1.2.255', 17, 53, 53)], '198.18.100.7', localTs)!;
    expect(narrower.tsr).toEqual([v4('10.1.2.0', '10.1.2.255', 17, 53, 53)]);
    expect(selectorText(narrower.tsr[0]!)).toBe('10.1.2.0/24[udp/53]');
  });

  it('TS_UNACCEPTABLE: a TSr outside our networks, or a TSi that does not hold the assigned address', () => {
    expect(narrowForRoadWarrior([ANY4], [v4('192.0.2.0', '192.0.2.255')], '198.18.100.1', localTs)).toBeNull();
    expect(narrowForRoadWarrior([v4('10.9.9.9', '10.9.9.9')], [ANY4], '198.18.100.1', localTs)).toBeNull();
    expect(narrowForRoadWarrior([ANY6], [ANY6], '198.18.100.1', localTs)).toBeNull();
  });

  it('without a virtual IP: TSi kept as offered (any IPv4), or cut to a configured remote_ts', () => {
    const own = v4('192.168.1.5', '192.168.1.5');
    expect(narrowForRoadWarrior([own], [ANY4], null, localTs)!.tsi).toEqual([own]);
    expect(narrowForRoadWarrior([own], [ANY4], null, localTs, [cidr('10.0.0.0/8')])).toBeNull();
  });

  it('refuses a virtual IP that is not an address (local misuse)', () => {
    expect(() => narrowForRoadWarrior([ANY4], [ANY4], '198.18.100', localTs)).toThrow(/"vip"/);
  });

  it('the narrowed selectors make valid TSi/TSr payloads (encode, decode, same value)', () => {
    const n = narrowForRoadWarrior([ANY4], [ANY4], '198.18.100.1', localTs)!;
    const payloads = [{ type: T.TSi, selectors: n.tsi }, { type: T.TSr, selectors: n.tsr }] as const;
    const d = decodeInnerPayloads(encodeInnerPayloads(payloads), T.TSi);
    expect(d.ok && d.value.payloads).toEqual(payloads);
  });
});

describe('narrow', () => {
  it('intersects partly overlapping ranges and keeps protocol and ports as offered', () => {
    const got = narrow([v4('10.0.255.0', '10.1.0.255', 6, 1024, 2048)], [range('10.1.0.0', '10.1.255.255')]);
    expect(got).toEqual([v4('10.1.0.0', '10.1.0.255', 6, 1024, 2048)]);
    expect(selectorText(got![0]!)).toBe('10.1.0.0/24[tcp/1024-2048]');
  });

  it('one offered selector can be split by several allowed ranges; duplicates collapse', () => {
    const allowed = [range('10.0.0.0', '10.0.0.9'), range('10.0.0.20', '10.0.0.29'), range('10.0.0.0', '10.0.0.9')];
    expect(narrow([v4('10.0.0.5', '10.0.0.25')], allowed)).toEqual([v4('10.0.0.5', '10.0.0.9'), v4('10.0.0.20', '10.0.0.25')]);
  });

  it('skips selectors of other types and inverted ranges; empty result is null', () => {
    const seclabel: TrafficSelector = { kind: 'other', raw: Uint8Array.of(10, 0, 0, 8, 1, 2, 3, 4) };
    expect(narrow([seclabel, v4('10.0.0.9', '10.0.0.1')], [range('0.0.0.0', '255.255.255.255')])).toBeNull();
    expect(narrow([], [range('0.0.0.0', '255.255.255.255')])).toBeNull();
    expect(narrow([ANY4], [])).toBeNull();
  });

  it('the edges of the address space: 0.0.0.0 and 255.255.255.255 are inclusive', () => {
    expect(narrow([ANY4], [range('255.255.255.255', '255.255.255.255'), range('0.0.0.0', '0.0.0.0')])).toEqual([v4('255.255.255.255', '255.255.255.255'), v4('0.0.0.0', '0.0.0.0')]);
  });
});

describe('selectorText', () => {
  it.each([
    [ANY4, '0.0.0.0/0'],
    [ANY6, '::/0'],
    [{ ...ANY6, startAddress: '2001:db8::', endAddress: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff' } as TrafficSelector, '2001:db8::/32'],
    [v4('10.1.0.5', '10.1.0.9'), '10.1.0.5..10.1.0.9'],
    [v4('10.1.0.0', '10.1.0.254'), '10.1.0.0..10.1.0.254'],
    [v4('10.1.0.0', '10.1.0.255', 1), '10.1.0.0/24[icmp]'],
    [v4('10.1.0.0', '10.1.0.255', 17, 65535, 0), '10.1.0.0/24[udp/OPAQUE]'],
    [v4('10.1.0.0', '10.1.0.255', 132, 80, 80), '10.1.0.0/24[132/80]'],
    [{ kind: 'other', raw: Uint8Array.of(10, 0, 0, 4) } as TrafficSelector, 'ts-type-10'],
  ])('%o -> %s', (ts, text) => {
    expect(selectorText(ts)).toBe(text);
  });
});
