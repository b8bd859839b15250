// The pcapng writer: block structure as draft-ietf-opsawg-pcapng lays it out, read back by a small
// independent walker (test/interop/pcapng.interop.test.ts has tshark read the same files).
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../../src-main/core/trace/capture.ts';
import { readPcapng } from '../../../src-main/core/trace/pcapng.ts';
import { pcapngHeader, pcapngPacket } from '../../../src-main/core/trace/pcapng-writer.ts';

interface Block {
  type: number;
  body: DataView;
}

/** Walks the blocks, checking that each carries the same total length at both ends, padded to 4. */
function blocks(file: Uint8Array): Block[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Block[] = [];
  let at = 0;
  while (at < file.length) {
    const type = v.getUint32(at, true);
    const total = v.getUint32(at + 4, true);
    expect(total % 4).toBe(0);
    expect(v.getUint32(at + total - 4, true)).toBe(total);
    out.push({ type, body: new DataView(file.buffer, file.byteOffset + at + 8, total - 12) });
    at += total;
  }
  expect(at).toBe(file.length);
  return out;
}

describe('pcapng', () => {
  it('starts with a section header and a raw-IPv4 interface with microsecond timestamps', () => {
    const [shb, idb] = blocks(pcapngHeader({ interfaceName: 'wakelab', snapLength: 96 }));
    expect(shb!.type).toBe(0x0a0d0d0a);
    expect(shb!.body.getUint32(0, true)).toBe(0x1a2b3c4d);
    expect([shb!.body.getUint16(4, true), shb!.body.getUint16(6, true)]).toEqual([1, 0]);
    expect(idb!.type).toBe(1);
    expect(idb!.body.getUint16(0, true)).toBe(LinkType.RAW);
    expect(idb!.body.getUint32(4, true)).toBe(96);
    // Options: if_name "wakelab" (padded to 8), if_tsresol 6, end of options.
    expect([idb!.body.getUint16(8, true), idb!.body.getUint16(10, true)]).toEqual([2, 7]);
    expect(new TextDecoder().decode(new Uint8Array(idb!.body.buffer, idb!.body.byteOffset + 12, 7))).toBe('wakelab');
    expect([idb!.body.getUint16(20, true), idb!.body.getUint16(22, true), idb!.body.getUint8(24)]).toEqual([9, 1, 6]);
    expect([idb!.body.getUint16(28, true), idb!.body.getUint16(30, true)]).toEqual([0, 0]);
  });

  it('writes packets with 64-bit microsecond timestamps, cut to the snap length with the original length kept', () => {
    const packet = Uint8Array.from({ length: 150 }, (_, i) => i);
    const t = 1_795_000_000_123_456; // 2026-11-17, in microseconds: above 2^32
    const [epb] = blocks(pcapngPacket(t, packet, 150, 96));
    expect(epb!.type).toBe(6);
    expect(epb!.body.getUint32(0, true)).toBe(0);
    expect(epb!.body.getUint32(4, true) * 2 ** 32 + epb!.body.getUint32(8, true)).toBe(t);
    expect([epb!.body.getUint32(12, true), epb!.body.getUint32(16, true)]).toEqual([96, 150]);
    expect(new Uint8Array(epb!.body.buffer, epb!.body.byteOffset + 20, 96)).toEqual(packet.subarray(0, 96));
    // An odd length is padded to 32 bits.
    const [odd] = blocks(pcapngPacket(0, Uint8Array.of(1, 2, 3)));
    expect(odd!.body.byteLength).toBe(20 + 4);
  });

  it("is read back by WakeLab's own pcapng reader: times, link type, captured and original lengths", () => {
    const a = Uint8Array.from({ length: 40 }, (_, i) => i);
    const b = Uint8Array.from({ length: 130 }, (_, i) => 255 - (i & 0xff));
    const file = new Uint8Array([...pcapngHeader({ interfaceName: 'wl', snapLength: 96 }), ...pcapngPacket(1_500_000, a), ...pcapngPacket(2_750_000, b, 130, 96)]);
    const packets = readPcapng(file);
    expect(packets.map((p) => [p.timeS, p.linkType, p.data.length, p.originalLength])).toEqual([
      [1.5, LinkType.RAW, 40, 40],
      [2.75, LinkType.RAW, 96, 130],
    ]);
    expect(packets[1]!.data).toEqual(b.subarray(0, 96));
  });

  it('refuses what it cannot write, naming the argument', () => {
    expect(() => pcapngHeader({ interfaceName: 'x', snapLength: 0 })).toThrow(/"snapLength"/);
    expect(() => pcapngPacket(-1, new Uint8Array(4))).toThrow(/"timeUs"/);
    expect(() => pcapngPacket(0, new Uint8Array(8), 4)).toThrow(/"originalLength"/);
  });
});
