// Address text for ID and TS payloads: dotted quads and RFC 5952 IPv6.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../src-main/core/bytes/hex.ts';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../../../../src-main/core/ike/wire/ip.ts';
import { fixture } from './codec.ts';

describe('IP address text', () => {
  it.each([
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000010000000000000000', '2001:db8:0:1::'],
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // the first of two equal runs
    ['fe800000000000000000ffffabcdef01', 'fe80::ffff:abcd:ef01'],
  ])('IPv6 %s is %s, and back', (hex, text) => {
    expect(formatIpv6(fixture(hex))).toBe(text);
    expect(toHex(parseIpv6(text)!)).toBe(hex);
  });

  it('IPv4 both ways', () => {
    expect(formatIpv4(fixture('c0000201'))).toBe('192.0.2.1');
    expect(parseIpv4('10.0.0.255')).toEqual(fixture('0a0000ff'));
  });

  it.each(['1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.x', ''])('refuses IPv4 %j', (t) => {
    expect(parseIpv4(t)).toBeUndefined();
  });

  it.each(['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '1:2:3:4:5:6:7:8::', ':'])('refuses IPv6 %j', (t) => {
    expect(parseIpv6(t)).toBeUndefined();
  });
});
