// IPv4 text and prefix handling, and the virtual-IP pool.
import { describe, expect, it } from 'vitest';
import { AddressPool } from '../../../src-main/core/ike/address-pool.ts';
import { cidrRange, formatCidr, formatIpv4, ipv4Bytes, ipv4FromBytes, parseCidr, parseIpv4 } from '../../../src-main/core/net/ipv4.ts';

describe('ipv4', () => {
  it('parses and formats addresses, refusing malformed text', () => {
    expect(parseIpv4('198.18.200.1')).toBe(0xc612c801);
    expect(formatIpv4(0xc612c801)).toBe('198.18.200.1');
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.x', ' 1.2.3.4']) expect(parseIpv4(bad), bad).toBeNull();
    expect(ipv4FromBytes(ipv4Bytes(0xfffefdfc))).toBe(0xfffefdfc);
  });

  it('parses prefixes; host bits must be clear', () => {
    const c = parseCidr('198.18.100.0/24')!;
    expect(formatCidr(c)).toBe('198.18.100.0/24');
    expect(cidrRange(c)).toEqual({ start: 0xc6126400, end: 0xc61264ff });
    expect(parseCidr('10.0.0.1')).toEqual({ base: 0x0a000001, prefix: 32 });
    expect(cidrRange(parseCidr('0.0.0.0/0')!)).toEqual({ start: 0, end: 0xffffffff });
    for (const bad of ['198.18.100.1/24', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/1', 'x/8']) expect(parseCidr(bad), bad).toBeNull();
  });
});

describe('AddressPool', () => {
  it('leases the lowest free address, skipping network and broadcast, until exhausted', () => {
    const pool = new AddressPool(parseCidr('198.18.200.0/30')!);
    expect(pool.capacity).toBe(2);
    expect(formatIpv4(pool.lease('a')!)).toBe('198.18.200.1');
    expect(formatIpv4(pool.lease('b')!)).toBe('198.18.200.2');
    expect(pool.lease('c')).toBeNull();
  });

  it('gives an identity its previous address back while it is free', () => {
    const pool = new AddressPool(parseCidr('198.18.200.0/28')!);
    const a = pool.lease('a')!;
    const b = pool.lease('b')!;
    pool.release(a);
    pool.release(b);
    expect(pool.lease('b')).toBe(b);
    expect(pool.lease('a')).toBe(a);
    expect(pool.inUse).toBe(2);
  });
});
