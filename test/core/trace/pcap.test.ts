// Classic pcap reader: both byte orders, microsecond and nanosecond magic.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../../src-main/core/trace/capture.ts';
import { isPcap, readPcap } from '../../../src-main/core/trace/pcap.ts';
import { Bytes } from './capture-files.ts';

function file(little: boolean, magic: number): Uint8Array {
  return new Bytes(little)
    .u32(magic).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(LinkType.RAW) // global header
    .u32(100).u32(250).u32(2).u32(40).u8(0x45, 0x00) // record: 100 s + 250 units, 2 of 40 bytes
    .u32(101).u32(0).u32(0).u32(0) // an empty record
    .finish();
}

describe('readPcap', () => {
  it.each([
    [true, 0xa1b2c3d4, 100.00025],
    [false, 0xa1b2c3d4, 100.00025],
    [true, 0xa1b23c4d, 100.00000025],
    [false, 0xa1b23c4d, 100.00000025],
  ])('little endian %s, magic %s', (little, magic, t) => {
    const f = file(little, magic);
    expect(isPcap(f)).toBe(true);
    const p = readPcap(f);
    expect(p.map((x) => [x.linkType, x.originalLength, [...x.data]])).toEqual([
      [LinkType.RAW, 40, [0x45, 0]],
      [LinkType.RAW, 0, []],
    ]);
    expect(p[0]!.timeS).toBeCloseTo(t, 9);
  });

  it('refuses truncations inside the header or a record with BAD_FILE', () => {
    const f = file(true, 0xa1b2c3d4);
    for (const n of [0, 3, 23, 25, 39, 41, 50]) {
      expect(() => readPcap(f.subarray(0, n)), `cut at ${n}`).toThrow(expect.objectContaining({ code: 'BAD_FILE' }));
    }
    expect(readPcap(f.subarray(0, 24))).toEqual([]);
    expect(() => readPcap(new Uint8Array(24))).toThrow(/magic/);
  });

  it('reads the scapy redirect capture: 4 Ethernet frames', () => {
    const p = readPcap(new Uint8Array(readFileSync(new URL('../../vectors/scapy/ikev2_notify_redirect.pcap', import.meta.url))));
    expect(p.map((x) => x.linkType)).toEqual([1, 1, 1, 1]);
    expect(p[0]!.timeS).toBeCloseTo(1678053539.7421, 6);
  });
});
