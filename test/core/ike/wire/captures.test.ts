// Real traffic from secdev/scapy's test captures (test/vectors/README.md): every IKE message parses
// without a drop (SK bodies stay opaque), ESP is told apart from IKE on 4500, and re-encoding a
// decoded message gives back its exact bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../src-main/core/bytes/hex.ts';
import { DhGroup, EncrId, ExchangeType as X, nameOf, NotifyError, NotifyStatus, PayloadType as T } from '../../../../src-main/core/ike/constants.ts';
import { decodeMessage, encodeMessage, type Datagram } from '../../../../src-main/core/ike/wire/message.ts';
import type { Payload } from '../../../../src-main/core/ike/wire/payloads.ts';
import { checkEncryption, checkPayloadRules } from '../../../../src-main/core/ike/rules.ts';
import { readPcap } from '../../../../src-main/core/trace/pcap.ts';
import { readPcapng } from '../../../../src-main/core/trace/pcapng.ts';
import { udpOf } from '../../../support/udp-frames.ts';

type Ike = Extract<Datagram, { kind: 'ike' }>;

function datagrams(file: string, read: typeof readPcap): { d: Datagram; bytes: Uint8Array }[] {
  const data = new Uint8Array(readFileSync(new URL(`../../../vectors/scapy/${file}`, import.meta.url)));
  return read(data).map((p) => {
    const u = udpOf(p);
    if (!u) throw new Error('not a UDP frame');
    return { d: decodeMessage(u.payload, { natt: u.srcPort === 4500 || u.dstPort === 4500 }), bytes: u.payload };
  });
}

const notifies = (m: Ike) => m.payloads.flatMap((p) => (p.type === T.N ? [nameOf({ ...NotifyStatus, ...NotifyError }, p.notifyType)] : []));
const types = (m: Ike) => m.payloads.map((p) => nameOf(T, p.type));
const find = <K extends Payload['type']>(m: Ike, type: K) => m.payloads.find((p): p is Extract<Payload, { type: K }> => p.type === type)!;

describe('ikev2_nat_t.pcapng: three connections over UDP 4500 with the non-ESP marker', () => {
  const all = datagrams('ikev2_nat_t.pcapng', readPcapng);
  const ike = all.map((x) => x.d).filter((d): d is Ike => d.kind === 'ike');

  it('classifies 30 IKE messages and 24 ESP packets, and drops nothing', () => {
    expect(all.map((x) => x.d.kind).filter((k) => k === 'drop')).toEqual([]);
    expect(ike).toHaveLength(30);
    expect(all.filter((x) => x.d.kind === 'esp')).toHaveLength(24);
    expect(ike.every((m) => m.nonEspMarker && m.skipped.length === 0)).toBe(true);
  });

  it('ESP packets carry an SPI per direction and sequence numbers 1 to 4', () => {
    const esp = all.map((x) => x.d).flatMap((d) => (d.kind === 'esp' ? [d] : []));
    expect(new Set(esp.map((e) => e.spi)).size).toBe(6);
    expect(esp.slice(0, 8).map((e) => e.seq)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(esp[0]!.spi).toBe(0xac0faf03);
  });

  it('each connection: IKE_SA_INIT, IKE_AUTH, then three INFORMATIONAL exchanges with Deletes', () => {
    const ladder = ike.slice(0, 10).map((m) => `${nameOf(X, m.header.exchangeType)} ${m.header.response ? '<--' : '-->'} ${m.header.messageId}`);
    expect(ladder).toEqual([
      'IKE_SA_INIT --> 0', 'IKE_SA_INIT <-- 0', 'IKE_AUTH --> 1', 'IKE_AUTH <-- 1',
      'INFORMATIONAL --> 2', 'INFORMATIONAL <-- 2', 'INFORMATIONAL --> 0', 'INFORMATIONAL <-- 0',
      'INFORMATIONAL --> 3', 'INFORMATIONAL <-- 3',
    ]);
    expect(ike.slice(10, 20).map((m) => m.header.exchangeType)).toEqual(ike.slice(0, 10).map((m) => m.header.exchangeType));
  });

  it('IKE_SA_INIT requests: SA, KE, Nonce, Vendor IDs, N(fragmentation, REDIRECT_SUPPORTED, signature hashes)', () => {
    const requests = ike.filter((m) => m.header.exchangeType === X.IKE_SA_INIT && !m.header.response);
    expect(requests).toHaveLength(3);
    for (const m of requests) {
      expect(types(m)).toEqual(['SA', 'KE', 'Nonce', 'V', 'V', 'V', 'V', 'N', 'N', 'N']);
      expect(notifies(m)).toEqual(['IKEV2_FRAGMENTATION_SUPPORTED', 'REDIRECT_SUPPORTED', 'SIGNATURE_HASH_ALGORITHMS']);
      expect(m.header).toMatchObject({ initiator: true, response: false, messageId: 0 });
      expect(toHex(m.header.spiR)).toBe('0000000000000000');
      expect(find(m, T.KE)).toMatchObject({ group: DhGroup.ECP_256 });
      expect(find(m, T.KE).data).toHaveLength(64);
      expect(find(m, T.Nonce).data).toHaveLength(40);
      expect(checkPayloadRules(X.IKE_SA_INIT, false, m.payloads)).toBeNull();
    }
    // AES-GCM-16, then AES-CTR + HMAC-SHA2-256, then AES-CBC + HMAC-SHA2-256; all 256-bit keys.
    const encr = requests.map((m) => find(m, T.SA).proposals[0]!.transforms[0]!);
    expect(encr.map((t) => [t.id, t.attributes[0]!.value])).toEqual([
      [EncrId.ENCR_AES_GCM_16, 256], [EncrId.ENCR_AES_CTR, 256], [EncrId.ENCR_AES_CBC, 256],
    ]);
  });

  it('IKE_SA_INIT responses: one proposal, KE, Nonce, CERTREQ, and pass the response rules', () => {
    const responses = ike.filter((m) => m.header.exchangeType === X.IKE_SA_INIT && m.header.response);
    for (const m of responses) {
      expect(types(m).slice(0, 4)).toEqual(['SA', 'KE', 'Nonce', 'CERTREQ']);
      expect(find(m, T.SA).proposals).toHaveLength(1);
      expect(checkPayloadRules(X.IKE_SA_INIT, true, m.payloads)).toBeNull();
    }
  });

  it('encrypted exchanges carry SK alone: IKE_AUTH opens with IDi/IDr, Deletes and empty answers', () => {
    const encrypted = ike.filter((m) => m.header.exchangeType !== X.IKE_SA_INIT);
    expect(encrypted).toHaveLength(24);
    for (const m of encrypted) {
      expect(checkEncryption(m.header.exchangeType, m.header.response, m.payloads.map((p) => p.type))).toBeNull();
      const sk = find(m, T.SK);
      const expected = m.header.exchangeType === X.IKE_AUTH ? (m.header.response ? T.IDr : T.IDi) : m.header.response ? T.NONE : T.D;
      expect(sk.firstInner).toBe(expected);
      expect(sk.body.length).toBe(m.header.length - 28 - 4);
    }
  });

  it('re-encoding every decoded IKE message gives back its bytes, marker included', () => {
    for (const { d, bytes } of all) {
      if (d.kind !== 'ike') continue;
      expect(toHex(encodeMessage({ header: d.header, payloads: d.payloads }, { nonEspMarker: true }))).toBe(toHex(bytes));
    }
  });
});

describe('ikev2_notify_redirect.pcap: RFC 5685 redirect during IKE_SA_INIT on port 500', () => {
  const all = datagrams('ikev2_notify_redirect.pcap', readPcap);
  const ike = all.map((x) => x.d).filter((d): d is Ike => d.kind === 'ike');

  it('parses all four messages and each passes the payload rules', () => {
    expect(ike).toHaveLength(4);
    for (const m of ike) expect(checkPayloadRules(m.header.exchangeType, m.header.response, m.payloads)).toBeNull();
    for (const { d, bytes } of all) {
      if (d.kind === 'ike') expect(toHex(encodeMessage({ header: d.header, payloads: d.payloads }))).toBe(toHex(bytes));
    }
  });

  it('IKE_SA_INIT --> with NAT-D and REDIRECT_SUPPORTED (empty data)', () => {
    expect(notifies(ike[0]!)).toEqual([
      'NAT_DETECTION_DESTINATION_IP', 'NAT_DETECTION_SOURCE_IP', 'IKEV2_FRAGMENTATION_SUPPORTED', 'REDIRECT_SUPPORTED', 'SIGNATURE_HASH_ALGORITHMS',
    ]);
    const supported = ike[0]!.payloads.find((p) => p.type === T.N && p.notifyType === NotifyStatus.REDIRECT_SUPPORTED);
    expect(supported).toMatchObject({ protocolId: 0, data: new Uint8Array(0) });
  });

  it('<-- N(REDIRECT): new gateway by FQDN, then the initiator\'s nonce', () => {
    const m = ike[1]!;
    expect(types(m)).toEqual(['N']);
    const n = find(m, T.N);
    expect(n.notifyType).toBe(NotifyStatus.REDIRECT);
    // RFC 5685 8.1: GW Ident Type (3 = FQDN), GW Ident Len, New Responder GW Identity, Nonce Data.
    expect(n.data[0]).toBe(3);
    const name = String.fromCharCode(...n.data.subarray(2, 2 + n.data[1]!));
    expect(name).toBe('moneybin.duckburg.disney.com');
    expect(toHex(n.data.subarray(2 + n.data[1]!))).toBe(toHex(find(ike[0]!, T.Nonce).data));
  });

  it('IKE_SA_INIT --> to the new gateway with REDIRECTED_FROM 10.5.2.52, answered NO_PROPOSAL_CHOSEN', () => {
    const from = ike[2]!.payloads.find((p) => p.type === T.N && p.notifyType === NotifyStatus.REDIRECTED_FROM);
    expect(from && toHex((from as Extract<Payload, { type: 41 }>).data)).toBe('01040a050234'); // IPv4, length 4, 10.5.2.52
    expect(notifies(ike[3]!)).toEqual(['NO_PROPOSAL_CHOSEN']);
  });
});
