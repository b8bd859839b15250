// 2000 seeded random mutations of valid datagrams: decoding never throws, always yields one of the
// datagram kinds, and whatever decodes as IKE re-encodes to a message that decodes the same.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DROP_REASONS } from '../../../../src-main/core/ike/wire/result.ts';
import { decodeInnerPayloads, decodeMessage, encodeMessage, type Datagram } from '../../../../src-main/core/ike/wire/message.ts';
import type { Payload } from '../../../../src-main/core/ike/wire/payloads.ts';
import { Rng } from '../../../../src-main/core/rng.ts';
import { readPcap } from '../../../../src-main/core/trace/pcap.ts';
import { readPcapng } from '../../../../src-main/core/trace/pcapng.ts';
import { udpOf } from '../../../support/udp-frames.ts';
import { fixture } from './codec.ts';

const vector = (name: string) => new Uint8Array(readFileSync(new URL(`../../../vectors/scapy/${name}`, import.meta.url)));

// Valid seeds: the IKE_SA_INIT messages of both captures (with and without the marker), a few
// SK-framed ones, and IKE_AUTH-style payloads sent in the clear so that their decoders get mutated too.
function seeds(): Uint8Array[] {
  const frames = [...readPcapng(vector('ikev2_nat_t.pcapng')), ...readPcap(vector('ikev2_notify_redirect.pcap'))];
  // IKE only; of the SK-framed messages (opaque bodies) the first few are enough.
  const ike = frames.map((f) => udpOf(f)!.payload).filter((p) => p.length > 4);
  const plain = ike.filter((p) => p[p[0] === 0 ? 22 : 18] === 34); // Exchange Type IKE_SA_INIT
  const framed = ike.filter((p) => !plain.includes(p)).slice(0, 4);
  const payloads: Payload[] = [
    { type: 35, kind: 'fqdn', name: 'client.example' },
    { type: 39, method: 2, data: new Uint8Array(32).fill(7) },
    { type: 47, cfgType: 1, attributes: [{ type: 1, value: new Uint8Array(0) }] },
    { type: 33, proposals: [{ number: 1, protocolId: 3, spi: fixture('c0ffee01'), transforms: [{ type: 1, id: 20, attributes: [{ type: 14, value: 256 }] }, { type: 5, id: 0, attributes: [] }] }] },
    { type: 44, selectors: [{ kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '10.0.0.2', endAddress: '10.0.0.2' }] },
    { type: 45, selectors: [{ kind: 'ipv6', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '::', endAddress: 'ffff::ffff' }] },
    { type: 42, protocolId: 3, spiSize: 4, spis: [fixture('01020304')] },
  ];
  const header = { spiI: fixture('0102030405060708'), spiR: fixture('1112131415161718'), exchangeType: 35, initiator: true, response: false, messageId: 1 };
  const wrapped = encodeMessage({ header, payloads });
  return [...plain, ...framed, wrapped, new Uint8Array([0, 0, 0, 0, ...wrapped])];
}

function mutate(rng: Rng, src: Uint8Array): Uint8Array {
  const b = Array.from(src);
  const pick = (n: number) => Math.floor(rng.next() * n);
  for (let k = 1 + pick(4); k > 0; k--) {
    const at = pick(b.length + 1);
    switch (pick(6)) {
      case 0: // flip a bit
        if (b.length) b[at % b.length]! ^= 1 << pick(8);
        break;
      case 1: // overwrite a byte
        if (b.length) b[at % b.length] = pick(256);
        break;
      case 2: // truncate
        b.length = at;
        break;
      case 3: // insert bytes
        b.splice(at, 0, ...Array.from({ length: 1 + pick(8) }, () => pick(256)));
        break;
      case 4: // a length-looking pair: 0000, ffff, or small
        if (at + 1 < b.length) [b[at], b[at + 1]] = [[0, 0], [255, 255], [0, pick(16)]][pick(3)]!;
        break;
      default: // delete a run
        b.splice(at, 1 + pick(8));
    }
  }
  const out = new Uint8Array(b);
  // Usually keep the IKE Length honest, so that the mutation reaches the payload decoders.
  const at = out[0] === 0 && out[1] === 0 && out[2] === 0 && out[3] === 0 ? 4 : 0;
  if (rng.next() < 0.7 && out.length >= at + 28) new DataView(out.buffer).setUint32(at + 24, out.length - at);
  return out;
}

const KINDS = new Set(['ike', 'keepalive', 'esp', 'drop']);

function check(d: Datagram): void {
  expect(KINDS.has(d.kind)).toBe(true);
  if (d.kind === 'drop') expect(DROP_REASONS).toContain(d.reason);
  if (d.kind !== 'ike') return;
  const again = decodeMessage(encodeMessage({ header: d.header, payloads: d.payloads }), { natt: false });
  expect(again.kind === 'ike' && again.payloads).toEqual(d.payloads);
}

describe('fuzzed datagrams', () => {
  it('2000 mutations never throw; IKE results re-encode to the same payloads', () => {
    const rng = new Rng(20240607);
    const pool = seeds();
    const counts: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) {
      const seed = pool[i % pool.length]!;
      const m = mutate(rng, seed);
      for (const natt of [false, true]) {
        let d: Datagram | undefined;
        expect(() => (d = decodeMessage(m, { natt })), `mutation ${i}`).not.toThrow();
        check(d!);
        if (natt !== (seed[0] === 0)) continue; // count only the port the seed was sent to
        const key = d!.kind === 'drop' ? d!.reason : d!.kind;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      expect(() => decodeInnerPayloads(m, m[0] ?? 0)).not.toThrow();
    }
    // The mutations reach deep: many still parse, and several kinds of drop occur.
    expect(counts['ike'] ?? 0).toBeGreaterThan(300);
    expect(counts['malformed-payload'] ?? 0).toBeGreaterThan(100);
    expect(Object.keys(counts).length).toBeGreaterThan(7);
  });
});
