// pcapng reader (draft-ietf-opsawg-pcapng): SHB, IDB with if_tsresol, EPB, SPB; both byte orders.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../../src-main/core/trace/capture.ts';
import { isPcapng, readPcapng } from '../../../src-main/core/trace/pcapng.ts';
import { block, concat } from './capture-files.ts';

const FRAME = [0xde, 0xad, 0xbe, 0xef, 0x01];

function file(little: boolean): Uint8Array {
  return concat(
    // Section Header: byte-order magic, version 1.0, section length unknown (-1), no options.
    block(little, 0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff)),
    // Interface 0: raw IP, snaplen 65535, if_tsresol 9 (nanoseconds), opt_endofopt.
    block(little, 1, (b) => b.u16(LinkType.RAW).u16(0).u32(65535).u16(9).u16(1).u8(9).pad4().u16(0).u16(0)),
    // Interface 1: Ethernet, default resolution (microseconds).
    block(little, 1, (b) => b.u16(LinkType.ETHERNET).u16(0).u32(65535)),
    // A Name Resolution Block (4), skipped.
    block(little, 4, (b) => b.u16(0).u16(0)),
    // Enhanced Packet on interface 1 at 1.5 s: 5 bytes captured of 60.
    block(little, 6, (b) => b.u32(1).u32(0).u32(1_500_000).u32(5).u32(60).bytes(FRAME)),
    // Enhanced Packet on interface 0: 2^32 + 5 ns.
    block(little, 6, (b) => b.u32(0).u32(1).u32(5).u32(1).u32(1).u8(0x45)),
    // Simple Packet: original length 3 (interface 0).
    block(little, 3, (b) => b.u32(3).u8(1, 2, 3)),
  );
}

describe('readPcapng', () => {
  it.each([true, false])('reads interfaces, timestamps and packets (little endian: %s)', (little) => {
    const f = file(little);
    expect(isPcapng(f)).toBe(true);
    const p = readPcapng(f);
    expect(p.map((x) => [x.linkType, x.originalLength, [...x.data]])).toEqual([
      [LinkType.ETHERNET, 60, FRAME],
      [LinkType.RAW, 1, [0x45]],
      [LinkType.RAW, 3, [1, 2, 3]],
    ]);
    expect(p[0]!.timeS).toBe(1.5);
    expect(p[1]!.timeS).toBeCloseTo((2 ** 32 + 5) / 1e9, 12);
  });

  it('refuses every truncation with BAD_FILE, never another error', () => {
    const f = file(true);
    for (let n = 1; n < f.length; n++) {
      if (n % 4 === 0 && readable(f.subarray(0, n))) continue; // a cut between whole blocks is a shorter file
      expect(() => readPcapng(f.subarray(0, n)), `cut at ${n}`).toThrow(expect.objectContaining({ code: 'BAD_FILE' }));
    }
  });

  it('refuses a bad magic, a packet on an unknown interface, and a file not starting with SHB', () => {
    const badMagic = block(true, 0x0a0d0d0a, (b) => b.u32(0x12345678).u16(1).u16(0).u32(0).u32(0));
    expect(() => readPcapng(badMagic)).toThrow(/byte-order magic/);
    const shb = file(true).subarray(0, 28);
    const epb = block(true, 6, (b) => b.u32(7).u32(0).u32(0).u32(0).u32(0));
    expect(() => readPcapng(concat(shb, epb))).toThrow(/undescribed interface/);
    expect(() => readPcapng(epb)).toThrow(/Section Header/);
  });

  it('reads the scapy NAT-T capture: 54 Ethernet frames', () => {
    const p = readPcapng(new Uint8Array(readFileSync(new URL('../../vectors/scapy/ikev2_nat_t.pcapng', import.meta.url))));
    expect(p).toHaveLength(54);
    expect(p.every((x) => x.linkType === LinkType.ETHERNET && x.data.length === x.originalLength)).toBe(true);
    expect(p[0]!.timeS).toBeCloseTo(1623613953.582635, 6);
  });
});

function readable(b: Uint8Array): boolean {
  try {
    readPcapng(b);
    return true;
  } catch {
    return false;
  }
}

describe('readPcapng block bounds', () => {
  it('refuses blocks too short for their fixed fields, even when the file goes on', () => {
    const shb = block(true, 0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u32(0).u32(0));
    const idb = block(true, 1, (b) => b.u16(1).u16(0).u32(0));
    for (const short of [block(true, 1, (b) => b.u16(1)), block(true, 6, (b) => b.u32(0)), block(true, 3, () => {})]) {
      expect(() => readPcapng(concat(shb, idb, short, idb)), [...short].join(',')).toThrow(/too short/);
    }
  });
});
