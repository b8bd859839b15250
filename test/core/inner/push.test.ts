// Downlink push traffic on a virtual clock: periodic datagrams at exact deadlines, catch-up when
// a tick comes late, bursts, limits, stopping, deterministic data, and validation of the spec.
import { describe, expect, it } from 'vitest';
import { decodeIpv4, type Ipv4Packet } from '../../../src-main/core/inner/ipv4-packet.ts';
import { MAX_BURST } from '../../../src-main/core/inner/push.ts';
import { decodeUdp, type UdpDatagram } from '../../../src-main/core/inner/udp.ts';
import { VirtualHost } from '../../../src-main/core/inner/virtual-host.ts';
import { CLIENT, HOST } from './fixtures.ts';

const host = (): VirtualHost => new VirtualHost({ address: '198.18.100.1' });

function parse(b: Uint8Array): { ip: Ipv4Packet; udp: UdpDatagram } {
  const ip = decodeIpv4(b);
  if (!ip.ok) throw new Error(ip.reason);
  const udp = decodeUdp(ip.src, ip.dst, ip.payload);
  if (!udp.ok) throw new Error(udp.reason);
  return { ip, udp };
}

const seqOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(28);

describe('VirtualHost push: periodic', () => {
  it('one datagram every period, at exact deadlines, from the discard port by default', () => {
    const vh = host();
    expect(vh.nextDeadline()).toBe(Infinity);
    const id = vh.push(1000, { to: '198.18.200.2', port: 5228, bytes: 100, everyS: 30 });
    expect(id).toBe(1);
    expect(vh.nextDeadline()).toBe(1030);
    expect(vh.tick(1029.999)).toEqual([]);
    const [first, ...none] = vh.tick(1030);
    expect(none).toEqual([]);
    const { ip, udp } = parse(first!);
    expect(ip).toMatchObject({ src: HOST, dst: CLIENT, ttl: 64, protocol: 17, dontFragment: true, id: 0 });
    expect(udp).toMatchObject({ srcPort: 9, dstPort: 5228, length: 108 });
    expect(vh.nextDeadline()).toBe(1060);
    expect(vh.tick(1060)).toHaveLength(1);
    expect(vh.nextDeadline()).toBe(1090);
    expect(vh.counters).toMatchObject({ pushed: 2, pushedBytes: 200 });
  });

  it('deadlines are first + k * period, not accumulated sums (no drift)', () => {
    const vh = host();
    vh.push(0, { to: CLIENT, port: 1, bytes: 0, everyS: 0.1 });
    let accumulated = 0.1;
    const wrong: string[] = [];
    for (let k = 0; k < 10_000; k++) {
      const at = vh.nextDeadline();
      if (at !== 0.1 + k * 0.1 || Math.abs(at - (k + 1) / 10) > 1e-12) wrong.push(`k=${k}: ${at}`);
      if (vh.tick(at).length !== 1) wrong.push(`k=${k}: not one datagram at ${at}`);
      if (k > 0) accumulated += 0.1;
    }
    expect(wrong).toEqual([]);
    // Adding the period each time would have drifted by ~1.6e-10 s by now; the schedule did not.
    expect(Math.abs(accumulated - 1000)).toBeGreaterThan(1e-11);
  });

  it('a late tick gets every datagram that fell due, in order, numbered', () => {
    const vh = host();
    vh.push(0, { to: CLIENT, port: 4000, bytes: 8, everyS: 10 });
    const out = vh.tick(45); // due at 10, 20, 30, 40
    expect(out).toHaveLength(4);
    expect(out.map(seqOf)).toEqual([0, 1, 2, 3]);
    expect(out.map((b) => parse(b).ip.id)).toEqual([0, 1, 2, 3]);
    expect(vh.nextDeadline()).toBe(50);
    expect(vh.tick(50).map(seqOf)).toEqual([4]);
  });

  it('firstAfterS: 0 starts at once; count ends the stream', () => {
    const vh = host();
    vh.push(5, { to: CLIENT, port: 4000, bytes: 1, everyS: 2, firstAfterS: 0, count: 3 });
    expect(vh.nextDeadline()).toBe(5);
    expect(vh.tick(5)).toHaveLength(1);
    expect(vh.tick(100)).toHaveLength(2);
    expect(vh.nextDeadline()).toBe(Infinity);
    expect(vh.tick(1000)).toEqual([]);
  });

  it('several streams interleave in time order', () => {
    const vh = host();
    const a = vh.push(0, { to: CLIENT, port: 1111, bytes: 4, everyS: 3 });
    const b = vh.push(0, { to: '198.18.200.3', port: 2222, bytes: 4, everyS: 2, fromPort: 5000 });
    expect(vh.nextDeadline()).toBe(2);
    const out = vh.tick(6).map((x) => parse(x));
    // b@2, a@3, b@4, a@6, b@6 (ties keep stream order)
    expect(out.map((p) => p.udp.dstPort)).toEqual([2222, 1111, 2222, 1111, 2222]);
    expect(out.map((p) => p.ip.id)).toEqual([0, 1, 2, 3, 4]);
    expect(out[0]!.udp.srcPort).toBe(5000);
    expect(a).not.toBe(b);
  });

  it('stopPush ends a stream; other streams go on; stopping twice says false', () => {
    const vh = host();
    const a = vh.push(0, { to: CLIENT, port: 1111, bytes: 4, everyS: 1 });
    vh.push(0, { to: CLIENT, port: 2222, bytes: 4, everyS: 5 });
    expect(vh.tick(1)).toHaveLength(1);
    expect(vh.stopPush(a)).toBe(true);
    expect(vh.stopPush(a)).toBe(false);
    expect(vh.stopPush(999)).toBe(false);
    expect(vh.nextDeadline()).toBe(5);
    expect(vh.tick(5).map((b) => parse(b).udp.dstPort)).toEqual([2222]);
  });
});

describe('VirtualHost push: bursts', () => {
  it('count datagrams, all due now, numbered 0..count-1, then nothing', () => {
    const vh = host();
    const id = vh.push(77, { to: CLIENT, port: 5228, bytes: 1200, count: 5 });
    expect(vh.nextDeadline()).toBe(77);
    const out = vh.tick(77);
    expect(out).toHaveLength(5);
    expect(out.map(seqOf)).toEqual([0, 1, 2, 3, 4]);
    for (const b of out) expect(b).toHaveLength(20 + 8 + 1200);
    expect(vh.nextDeadline()).toBe(Infinity);
    expect(vh.stopPush(id)).toBe(false); // finished
  });

  it('a burst stopped before the tick sends nothing', () => {
    const vh = host();
    const id = vh.push(0, { to: CLIENT, port: 5228, bytes: 10, count: 3 });
    expect(vh.stopPush(id)).toBe(true);
    expect(vh.tick(0)).toEqual([]);
  });

  it('data: the sequence number, then byte i = i mod 256; short payloads keep only the pattern', () => {
    const vh = host();
    vh.push(0, { to: CLIENT, port: 1, bytes: 300, count: 2 });
    vh.push(0, { to: CLIENT, port: 2, bytes: 3, count: 1 });
    const [, second, short] = vh.tick(0).map((b) => parse(b).udp.payload);
    expect([...second!.subarray(0, 6)]).toEqual([0, 0, 0, 1, 4, 5]);
    expect(second![299]).toBe(299 & 0xff);
    expect([...short!]).toEqual([0, 1, 2]);
  });

  it('the largest payload, 65507 bytes, fills a 65535-byte datagram', () => {
    const vh = host();
    vh.push(0, { to: CLIENT, port: 1, bytes: 65507, count: 1 });
    const [b] = vh.tick(0);
    expect(b).toHaveLength(65535);
    expect(parse(b!).udp.length).toBe(65515);
  });
});

describe('VirtualHost push: validation', () => {
  it('throws INVALID_ARGUMENT naming the field', () => {
    const ok = { to: CLIENT, port: 5228, bytes: 10 };
    const bad: Array<[unknown, RegExp]> = [
      [{ ...ok, to: 'phone' }, /push: "to" expected an IPv4 address/],
      [{ ...ok, to: '255.255.255.255' }, /push: "to" expected a unicast host address/],
      [{ ...ok, port: 0, everyS: 1 }, /push: "port" expected a whole number from 1 to 65535, got 0/],
      [{ ...ok, port: 65536, everyS: 1 }, /"port"/],
      [{ ...ok, fromPort: 0, everyS: 1 }, /"fromPort"/],
      [{ ...ok, bytes: 65508, everyS: 1 }, /"bytes" expected a whole number from 0 to 65507, got 65508/],
      [{ ...ok, bytes: -1, count: 1 }, /"bytes"/],
      [{ ...ok, everyS: 0 }, /"everyS" expected a finite number of seconds above 0, got 0/],
      [{ ...ok, everyS: -5 }, /"everyS"/],
      [{ ...ok, everyS: Infinity }, /"everyS"/],
      [{ ...ok, everyS: '30' }, /"everyS"/],
      [{ ...ok, everyS: 1, firstAfterS: -1 }, /"firstAfterS"/],
      [{ ...ok, everyS: 1, count: 0 }, /"count"/],
      [ok, /"everyS" expected a period/],
      [{ ...ok, count: 0 }, /"count"/],
      [{ ...ok, count: MAX_BURST + 1 }, /"count" expected a whole number from 1 to 65535/],
      [{ ...ok, count: 2, firstAfterS: 1 }, /"firstAfterS"/],
      [{ ...ok, every: 30 }, /push: "every" expected no such field/],
      [null, /"spec"/],
    ];
    for (const [spec, message] of bad) {
      const vh = host();
      expect(() => vh.push(0, spec as never), JSON.stringify(spec)).toThrow(message);
      expect(() => vh.push(0, spec as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(vh.nextDeadline()).toBe(Infinity);
    }
    expect(() => host().push(Number.NaN, { ...ok, count: 1 })).toThrow(/"now"/);
  });
});
