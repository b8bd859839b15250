// A recorded session as pcapng: the outer IPv4/UDP packets with real addresses, ports and lengths,
// cut after the wire-visible head, read back by the project's own pcapng reader.
import { describe, expect, it } from 'vitest';
import { sessionPcapngHeader, sessionPcapngPacket } from '../../../src-main/core/session/session-pcapng.ts';
import { readPcapng } from '../../../src-main/core/trace/pcapng.ts';

const local = { address: '198.18.2.2', port: 4500 };
const peer = { address: '198.18.1.2', port: 61000 };
const start = Date.UTC(2026, 10, 23, 4, 0, 0) * 1000;

describe('session pcapng export', () => {
  it('writes one cut packet per datagram, in either direction, at the lab time', () => {
    const esp = Uint8Array.of(0xc0, 0x01, 0x02, 0x03, 0, 0, 0, 7);
    const file = Buffer.concat([
      sessionPcapngHeader('wakelab test'),
      sessionPcapngPacket({ tS: 1.5, dir: 'in', bytes: 1436, local, peer, head: esp }, start, 0),
      sessionPcapngPacket({ tS: 2.25, dir: 'out', bytes: 1, local, peer, head: Uint8Array.of(0xff) }, start, 1),
    ]);
    const packets = readPcapng(new Uint8Array(file));
    expect(packets).toHaveLength(2);
    const [a, b] = packets;
    expect(a!.timeS).toBeCloseTo(start / 1e6 + 1.5, 6);
    expect(a!.originalLength).toBe(1436 + 28);
    expect(a!.data.length).toBe(28 + 8);
    const ip = a!.data;
    expect([...ip.subarray(12, 16)]).toEqual([198, 18, 1, 2]); // source: the client
    expect([...ip.subarray(16, 20)]).toEqual([198, 18, 2, 2]);
    expect((ip[2]! << 8) | ip[3]!).toBe(1464); // IPv4 total length: the datagram on the wire
    expect((ip[20]! << 8) | ip[21]!).toBe(61000);
    expect((ip[22]! << 8) | ip[23]!).toBe(4500);
    expect((ip[24]! << 8) | ip[25]!).toBe(1444); // UDP length
    expect([...ip.subarray(28)]).toEqual([...esp]);
    expect(b!.timeS - a!.timeS).toBeCloseTo(0.75, 6);
    expect([...b!.data.subarray(12, 16)]).toEqual([198, 18, 2, 2]); // from the gateway
    expect((b!.data[20]! << 8) | b!.data[21]!).toBe(4500);
    expect(b!.originalLength).toBe(29);
    expect(b!.data.length).toBe(29);
  });
});
