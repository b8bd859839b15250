// tshark reads what WakeLab's pcapng writer (core/trace/pcapng-writer.ts) writes: outer IPv4/UDP packets
// of IKE (port 500, and 4500 after the non-ESP marker), ESP in UDP and a NAT-T keepalive.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapngHeader, pcapngPacket } from '../../src-main/core/trace/pcapng-writer.ts';
import { ExchangeType } from '../../src-main/core/ike/constants.ts';
import { encodeMessage } from '../../src-main/core/ike/wire/message.ts';
import { encodeUdp } from '../../src-main/core/inner/udp.ts';
import { parseIpv4 } from '../../src-main/core/net/ipv4.ts';
import { tshark } from './support/capture.ts';
import { assertPrereq, suiteGate } from './support/prereq.ts';

const gate = suiteGate();
const dir = mkdtempSync(join(tmpdir(), 'wakelab-pcapng-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ip = (a: string) => parseIpv4(a)!;
const header = (exchangeType: number, messageId: number) => ({ spiI: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), spiR: new Uint8Array(8), exchangeType, initiator: true, response: false, messageId });

describe.skipIf(gate.skip)(`pcapng files open in tshark${gate.label}`, () => {
  it('shows IKE on 500 and 4500, ESP with its SPI, and a keepalive, at the written times', () => {
    assertPrereq();
    const cli = { src: ip('198.18.2.1'), dst: ip('198.18.2.2') };
    const init = encodeMessage({ header: header(ExchangeType.IKE_SA_INIT, 0), payloads: [] });
    const auth = encodeMessage({ header: header(ExchangeType.IKE_AUTH, 1), payloads: [] }, { nonEspMarker: true });
    const esp = Uint8Array.of(0xc0, 0xff, 0xee, 0x01, 0, 0, 0, 1, ...new Uint8Array(40));
    const packets = [
      encodeUdp({ ...cli, id: 1 }, 500, 500, init),
      encodeUdp({ ...cli, id: 2 }, 4500, 4500, auth),
      encodeUdp({ ...cli, id: 3 }, 4500, 4500, esp),
      encodeUdp({ ...cli, id: 4 }, 4500, 4500, Uint8Array.of(0xff)),
    ];
    const t0 = 1_795_000_000_000_000;
    const file = join(dir, 'session.pcapng');
    writeFileSync(file, Buffer.concat([pcapngHeader({ interfaceName: 'wakelab', snapLength: 0x40000 }), ...packets.map((p, i) => pcapngPacket(t0 + i * 1_500_000, p))]));
    return tshark(file, { args: ['-T', 'fields', '-E', 'separator=/t', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'udp.dstport', '-e', 'isakmp.exchangetype', '-e', 'esp.spi', '-e', '_ws.col.Protocol'] }).then((out) => {
      const rows = out.trim().split('\n').map((l) => l.split('\t'));
      expect(rows).toHaveLength(4);
      expect(rows.map((r) => Number(r[0]))).toEqual([0, 1.5, 3, 4.5].map((s) => 1_795_000_000 + s));
      expect(rows.map((r) => [r[1], r[2]])).toEqual([
        ['198.18.2.1', '500'],
        ['198.18.2.1', '4500'],
        ['198.18.2.1', '4500'],
        ['198.18.2.1', '4500'],
      ]);
      expect([rows[0]![3], rows[1]![3]]).toEqual(['34', '35']);
      expect(rows[2]![4]).toMatch(/^0xc0ffee01$/);
      // The one-octet 0xFF (RFC 3948 2.3): Wireshark's UDP encapsulation dissector.
      expect(rows[3]![5]).toBe('UDPENCAP');
    });
  });
});
