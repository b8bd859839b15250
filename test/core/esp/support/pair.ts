// Two ends of one CHILD_SA for the data-plane tests: mirrored ChildSaInfo (our spiIn is the peer's
// spiOut, our keysIn its keysOut, our localTs its remoteTs) with fresh random keys of the right
// length for each ESP cipher WakeLab negotiates, and small builders of inner IPv4 datagrams.
import { createNobleSuite } from '../../../../src-main/core/crypto/noble-suite.ts';
import type { CryptoSuite } from '../../../../src-main/core/crypto/suite.ts';
import { EncrId, IntegId } from '../../../../src-main/core/ike/constants.ts';
import type { ChildSaInfo } from '../../../../src-main/core/ike/io.ts';
import { encodeIcmpEcho } from '../../../../src-main/core/inner/icmp.ts';
import { encodeIpv4, IpProtocol } from '../../../../src-main/core/inner/ipv4-packet.ts';
import { encodeUdp } from '../../../../src-main/core/inner/udp.ts';
import { parseIpv4 } from '../../../../src-main/core/net/ipv4.ts';
import { seededRandom } from '../../crypto/fixtures.ts';

export interface CipherSpec {
  readonly name: string;
  readonly encr: number;
  readonly keyLength?: number;
  readonly integ?: number;
  /** Cipher key plus salt (AEAD, RFC 4106 8.1, RFC 7634 2). */
  readonly encrBytes: number;
  /** HMAC key (RFC 4868 2.1.1); 0 for AEAD. */
  readonly integBytes: number;
}

export const CIPHERS: readonly CipherSpec[] = [
  { name: 'AES-GCM-16-128', encr: EncrId.ENCR_AES_GCM_16, keyLength: 128, encrBytes: 20, integBytes: 0 },
  { name: 'AES-GCM-16-256', encr: EncrId.ENCR_AES_GCM_16, keyLength: 256, encrBytes: 36, integBytes: 0 },
  { name: 'ChaCha20-Poly1305', encr: EncrId.ENCR_CHACHA20_POLY1305, encrBytes: 36, integBytes: 0 },
  { name: 'AES-CBC-128 + HMAC-SHA2-256-128', encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128, encrBytes: 16, integBytes: 32 },
  { name: 'AES-CBC-256 + HMAC-SHA2-256-128', encr: EncrId.ENCR_AES_CBC, keyLength: 256, integ: IntegId.AUTH_HMAC_SHA2_256_128, encrBytes: 32, integBytes: 32 },
];

export const GCM128 = CIPHERS[0]!;

/** The gateway's network and the client's virtual IP, as in the examples. */
export const GW_NET = '198.18.100.0/24';
export const CLIENT_VIP = '198.18.200.1/32';
export const GW_HOST = '198.18.100.10';
export const CLIENT_ADDR = '198.18.200.1';

export interface PairOptions {
  readonly cipher?: CipherSpec;
  readonly esn?: boolean;
  /** The gateway's inbound SPI (= the client's outbound one). */
  readonly gwSpi?: number;
  readonly clientSpi?: number;
  readonly gwTs?: readonly string[];
  readonly clientTs?: readonly string[];
  readonly seed?: number;
}

export interface Pair {
  /** The responder's view: local = the gateway's selectors, remote = the client's. */
  readonly gw: ChildSaInfo;
  /** The client's view, mirrored. */
  readonly client: ChildSaInfo;
}

export function childSaPair(o: PairOptions = {}): Pair {
  const c = o.cipher ?? GCM128;
  const rnd = seededRandom(o.seed ?? 7296);
  const keys = () => (c.integBytes > 0 ? { encr: rnd(c.encrBytes), integ: rnd(c.integBytes) } : { encr: rnd(c.encrBytes) });
  const i2r = keys(); // client -> gateway
  const r2i = keys();
  const gwSpi = o.gwSpi ?? 0xc0de0001;
  const clientSpi = o.clientSpi ?? 0xc1e70001;
  const gwTs = o.gwTs ?? [GW_NET];
  const clientTs = o.clientTs ?? [CLIENT_VIP];
  const alg = { encr: c.encr, ...(c.keyLength !== undefined ? { keyLength: c.keyLength } : {}), ...(c.integ !== undefined ? { integ: c.integ } : {}), esn: o.esn ?? false };
  return {
    gw: { ...alg, spiIn: gwSpi, spiOut: clientSpi, keysIn: i2r, keysOut: r2i, localTs: gwTs, remoteTs: clientTs },
    client: { ...alg, spiIn: clientSpi, spiOut: gwSpi, keysIn: r2i, keysOut: i2r, localTs: clientTs, remoteTs: gwTs },
  };
}

/** A noble suite whose IVs come from a seeded generator. */
export function testSuite(seed = 4303): CryptoSuite {
  return createNobleSuite(seededRandom(seed));
}

const addr = (text: string): number => {
  const v = parseIpv4(text);
  if (v === null) throw new Error(`bad test address ${text}`);
  return v;
};

/** A UDP datagram from src:srcPort to dst:dstPort; the payload is `size` octets with `tag` in front. */
export function udp(src: string, dst: string, size = 32, tag = 0, srcPort = 40000, dstPort = 9): Uint8Array {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 7 + tag) & 0xff;
  if (size >= 4) new DataView(payload.buffer).setUint32(0, tag >>> 0);
  return encodeUdp({ src: addr(src), dst: addr(dst), id: tag & 0xffff }, srcPort, dstPort, payload);
}

/** An ICMP Echo Request (type 8, code 0) from src to dst. */
export function ping(src: string, dst: string, seq = 1): Uint8Array {
  return encodeIpv4({ src: addr(src), dst: addr(dst), protocol: IpProtocol.ICMP, id: seq }, encodeIcmpEcho(8, 1, seq, new Uint8Array(16)));
}

/** A datagram of any protocol (no transport header built). */
export function rawIp(src: string, dst: string, protocol: number, payload: Uint8Array = new Uint8Array(8)): Uint8Array {
  return encodeIpv4({ src: addr(src), dst: addr(dst), protocol, id: 1 }, payload);
}

/** The 32-bit Sequence Number field of an ESP packet. */
export function seqField(packet: Uint8Array): number {
  return new DataView(packet.buffer, packet.byteOffset, packet.byteLength).getUint32(4);
}
